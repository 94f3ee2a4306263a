using AgentCluster.Keepers.Solana;
using AgentCluster.Solana.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Tests.Solana;

/// <summary>Each bad Solana keeper setting is refused with one line naming it by its configuration key (no node needed).</summary>
public sealed class SolanaKeeperOptionsValidationTests
{
    private const string ProgramId = "BAH6TT6LD9kevf1GGX4FiFxsAEsDG6nTk56LuGfd7HLg";
    private string _dir = null!;
    private string _deployment = null!;
    private string _keypair = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("solana-keeper-options-").FullName;
        _deployment = Path.Combine(_dir, "solana-localnet.json");
        var program = new AgentCluster.Solana.PublicKey(ProgramId);
        File.WriteAllText(_deployment, $$"""
            { "programId": "{{ProgramId}}", "config": "{{AgentCluster.Solana.Programs.AgentClusterProgram.ConfigAddress(program)}}",
              "mint": "{{AgentCluster.Solana.Programs.AgentClusterProgram.MintAddress(program)}}" }
            """);
        _keypair = Path.Combine(_dir, "keeper.json");
        KeypairFile.Write(_keypair, Account.Generate());
        File.WriteAllText(Path.Combine(_dir, "bad-keypair.json"), "[1, 2, 3]");
        File.WriteAllText(Path.Combine(_dir, "no-program.json"), """{ "config": "x" }""");
        File.WriteAllText(Path.Combine(_dir, "wrong-config.json"), $$"""{ "programId": "{{ProgramId}}", "config": "{{ProgramId}}", "mint": "{{ProgramId}}" }""");
        File.WriteAllText(Path.Combine(_dir, "not-json.json"), "programId = x");
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private SolanaKeeperOptions Good() => new() { RpcUrl = "http://127.0.0.1:8899", DeploymentPath = _deployment, KeypairPath = _keypair };

    [Test]
    public void GoodOptions_Pass()
    {
        ValidateOptionsResult result = new SolanaKeeperOptionsValidator().Validate(null, Good());
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Failures ?? []));
    }

    private static readonly (string Name, Func<string, Action<SolanaKeeperOptions>> Break, string Expected)[] BadSettings =
    [
        ("rpc missing", _ => o => o.RpcUrl = null, "AgentCluster:Keepers:Solana:RpcUrl: not set"),
        ("rpc ftp", _ => o => o.RpcUrl = "ftp://x", "AgentCluster:Keepers:Solana:RpcUrl: 'ftp://x' is not an http(s) URL."),
        ("rpc relative", _ => o => o.RpcUrl = "127.0.0.1:8899", "AgentCluster:Keepers:Solana:RpcUrl: '127.0.0.1:8899' is not an http(s) URL."),
        ("deployment missing", _ => o => o.DeploymentPath = " ", "AgentCluster:Keepers:Solana:DeploymentPath: not set"),
        ("deployment absent", _ => o => o.DeploymentPath = "/nonexistent/d.json", "AgentCluster:Keepers:Solana:DeploymentPath: no file at '/nonexistent/d.json'."),
        ("deployment without program", d => o => o.DeploymentPath = Path.Combine(d, "no-program.json"), "has no 'programId' (the AgentCluster program's address)."),
        ("deployment with another config", d => o => o.DeploymentPath = Path.Combine(d, "wrong-config.json"), $"that is not the config PDA of program {ProgramId}."),
        ("deployment not json", d => o => o.DeploymentPath = Path.Combine(d, "not-json.json"), "is not valid JSON"),
        ("keypair missing", _ => o => o.KeypairPath = null, "AgentCluster:Keepers:Solana:KeypairPath: not set"),
        ("keypair absent", _ => o => o.KeypairPath = "/nonexistent/k.json", "AgentCluster:Keepers:Solana:KeypairPath: no keypair file at '/nonexistent/k.json'."),
        ("keypair malformed", d => o => o.KeypairPath = Path.Combine(d, "bad-keypair.json"), "AgentCluster:Keepers:Solana:KeypairPath: Keypair file"),
        ("poll too fast", _ => o => o.PollInterval = TimeSpan.FromMilliseconds(10), "AgentCluster:Keepers:Solana:PollInterval: 00:00:00.0100000 is outside 00:00:00.1000000 .. 00:10:00."),
        ("poll too slow", _ => o => o.PollInterval = TimeSpan.FromMinutes(11), "AgentCluster:Keepers:Solana:PollInterval: 00:11:00 is outside"),
        ("actions zero", _ => o => o.MaxActionsPerPass = 0, "AgentCluster:Keepers:Solana:MaxActionsPerPass: 0 is outside 1 .. 1000."),
        ("actions too many", _ => o => o.MaxActionsPerPass = 1001, "AgentCluster:Keepers:Solana:MaxActionsPerPass: 1001 is outside 1 .. 1000."),
        ("balance negative", _ => o => o.MinBalanceSol = -0.5m, "AgentCluster:Keepers:Solana:MinBalanceSol: -0.5 is negative."),
    ];

    private static IEnumerable<TestCaseData> Cases() => BadSettings.Select(c => new TestCaseData(c.Break, c.Expected).SetName($"BadSetting_IsRefusedNamingIt({c.Name})"));

    [TestCaseSource(nameof(Cases))]
    public void BadSetting_IsRefusedNamingIt(Func<string, Action<SolanaKeeperOptions>> breakIt, string expected)
    {
        SolanaKeeperOptions options = Good();
        breakIt(_dir)(options);
        ValidateOptionsResult result = new SolanaKeeperOptionsValidator().Validate(null, options);
        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures, Has.Exactly(1).Items, "one line per bad setting");
        Assert.That(result.Failures, Has.Some.Contains(expected), string.Join("\n", result.Failures ?? []));
    }

    [Test]
    public void Host_WithBadSettingsFromConfiguration_RefusesToStartWithOneLineEach()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:Solana:RpcUrl"] = "ws://127.0.0.1:8900",
            ["AgentCluster:Keepers:Solana:DeploymentPath"] = _deployment,
            ["AgentCluster:Keepers:Solana:KeypairPath"] = _keypair,
            ["AgentCluster:Keepers:Solana:MaxActionsPerPass"] = "0",
        });
        builder.Services.AddAgentClusterSolanaKeepers(builder.Configuration);
        using IHost host = builder.Build();
        var e = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(e!.Failures, Is.EquivalentTo(new[]
        {
            "AgentCluster:Keepers:Solana:RpcUrl: 'ws://127.0.0.1:8900' is not an http(s) URL.",
            "AgentCluster:Keepers:Solana:MaxActionsPerPass: 0 is outside 1 .. 1000.",
        }));
    }
}
