using AgentCluster.Keepers.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Tests.Hosting;

/// <summary>Each bad setting is refused with a message naming it by its configuration key (no node needed).</summary>
public sealed class KeeperOptionsValidationTests
{
    private const string KeyVariable = "AGENTCLUSTER_TEST_KEEPER_KEY";
    private const string BadKeyVariable = "AGENTCLUSTER_TEST_KEEPER_BADKEY";
    private const string PasswordVariable = "AGENTCLUSTER_TEST_KEEPER_PASSWORD";
    private string _dir = null!;
    private string _manifest = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("keeper-options-").FullName;
        _manifest = Path.Combine(_dir, "manifest.json");
        File.WriteAllText(_manifest, "{}");
        Environment.SetEnvironmentVariable(KeyVariable, "0x" + new string('1', 64));
        Environment.SetEnvironmentVariable(BadKeyVariable, "not-a-key");
        Environment.SetEnvironmentVariable(PasswordVariable, null);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        Environment.SetEnvironmentVariable(KeyVariable, null);
        Environment.SetEnvironmentVariable(BadKeyVariable, null);
        Directory.Delete(_dir, recursive: true);
    }

    private KeeperOptions Good() => new() { RpcUrl = "http://127.0.0.1:8545", ManifestPath = _manifest, PrivateKeyVariable = KeyVariable };

    [Test]
    public void GoodOptions_Pass() =>
        Assert.That(new KeeperOptionsValidator().Validate(null, Good()).Succeeded, Is.True);

    [Test]
    public void AKeySourceSetInCode_IsASigner()
    {
        KeeperOptions options = Good();
        options.PrivateKeyVariable = null;
        options.Key = AgentCluster.Sdk.Identity.AgentKeySource.FromPrivateKey("0x" + new string('2', 64));
        Assert.That(new KeeperOptionsValidator().Validate(null, options).Succeeded, Is.True);
    }

    private static readonly (string Name, Action<KeeperOptions> Break, string Expected)[] BadSettings =
    [
        ("rpc missing", o => o.RpcUrl = null, "AgentCluster:Keepers:RpcUrl: not set"),
        ("rpc ftp", o => o.RpcUrl = "ftp://x", "AgentCluster:Keepers:RpcUrl: 'ftp://x' is not an http(s) URL"),
        ("rpc relative", o => o.RpcUrl = "localhost:8545/x", "AgentCluster:Keepers:RpcUrl: 'localhost:8545/x' is not an http(s) URL"),
        ("manifest missing", o => o.ManifestPath = null, "AgentCluster:Keepers:ManifestPath: not set"),
        ("manifest absent", o => o.ManifestPath = "/nonexistent/m.json", "AgentCluster:Keepers:ManifestPath: no file at '/nonexistent/m.json'"),
        ("no signer", o => o.PrivateKeyVariable = null, "AgentCluster:Keepers:PrivateKeyVariable: no signer"),
        ("two signers", o => o.KeystorePath = "/k.json", "AgentCluster:Keepers:KeystorePath: give KeystorePath or PrivateKeyVariable, not both"),
        ("key variable unset", o => o.PrivateKeyVariable = "AGENTCLUSTER_TEST_KEEPER_UNSET", "AgentCluster:Keepers:PrivateKeyVariable: $AGENTCLUSTER_TEST_KEEPER_UNSET is not set or empty"),
        ("key malformed", o => o.PrivateKeyVariable = BadKeyVariable, "AgentCluster:Keepers:PrivateKeyVariable: $AGENTCLUSTER_TEST_KEEPER_BADKEY does not hold a private key (64 hex digits, 9 characters given)"),
        ("keystore absent", o => { o.PrivateKeyVariable = null; o.KeystorePath = "/nonexistent/k.json"; o.KeystorePasswordVariable = KeyVariable; }, "AgentCluster:Keepers:KeystorePath: no keystore file at '/nonexistent/k.json'"),
        ("keystore password variable missing", o => { o.PrivateKeyVariable = null; o.KeystorePath = "/nonexistent/k.json"; }, "AgentCluster:Keepers:KeystorePasswordVariable: not set"),
        ("keystore password unset", o => { o.PrivateKeyVariable = null; o.KeystorePath = "/k.json"; o.KeystorePasswordVariable = PasswordVariable; }, "AgentCluster:Keepers:KeystorePasswordVariable: $AGENTCLUSTER_TEST_KEEPER_PASSWORD is not set in the environment"),
        ("journal empty", o => o.JournalPath = " ", "AgentCluster:Keepers:JournalPath: empty"),
        ("index empty", o => o.IndexDbPath = "", "AgentCluster:Keepers:IndexDbPath: empty"),
        ("poll too fast", o => o.PollInterval = TimeSpan.FromMilliseconds(1), "AgentCluster:Keepers:PollInterval: 00:00:00.0010000 is outside 00:00:00.1000000 .. 00:10:00"),
        ("poll too slow", o => o.PollInterval = TimeSpan.FromHours(1), "AgentCluster:Keepers:PollInterval: 01:00:00 is outside"),
        ("failure negative", o => o.MinBalanceFailureEth = -1, "AgentCluster:Keepers:MinBalanceFailureEth: -1 is negative"),
        ("warning below failure", o => { o.MinBalanceWarningEth = 0.001m; o.MinBalanceFailureEth = 0.01m; }, "AgentCluster:Keepers:MinBalanceWarningEth: 0.001 is below MinBalanceFailureEth (0.01)"),
        ("port zero", o => o.HealthPort = 0, "AgentCluster:Keepers:HealthPort: 0 is not a TCP port"),
        ("port too big", o => o.HealthPort = 70000, "AgentCluster:Keepers:HealthPort: 70000 is not a TCP port"),
        ("code key and variable", o => o.Key = AgentCluster.Sdk.Identity.AgentKeySource.FromPrivateKey("0x" + new string('2', 64)), "AgentCluster:Keepers:Key: a key source was set in code; do not set KeystorePath or PrivateKeyVariable as well"),
        ("window zero", o => o.RecentTasksWindow = 0, "AgentCluster:Keepers:RecentTasksWindow: 0 is outside 1 .. 10000"),
        ("in flight zero", o => o.MaxInFlight = 0, "AgentCluster:Keepers:MaxInFlight: 0 is outside 1 .. 64"),
        ("peer not an address", o => o.Peers = ["0xabc"], "AgentCluster:Keepers:Peers: '0xabc' is not an address"),
        ("peer twice", o => o.Peers = ["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
            "AgentCluster:Keepers:Peers: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 is listed twice"),
        ("take-over under two polls", o => { o.Peers = ["0x70997970c51812dc3a010c7d01b50e0d17dc79c8"]; o.TakeOverAfter = TimeSpan.FromSeconds(9); },
            "AgentCluster:Keepers:TakeOverAfter: 00:00:09 is under two poll intervals (00:00:10)"),
    ];

    private static IEnumerable<TestCaseData> Cases() => BadSettings.Select(c => new TestCaseData(c.Break, c.Expected).SetName($"BadSetting_IsRefusedNamingIt({c.Name})"));

    [TestCaseSource(nameof(Cases))]
    public void BadSetting_IsRefusedNamingIt(Action<KeeperOptions> breakIt, string expected)
    {
        KeeperOptions options = Good();
        breakIt(options);
        ValidateOptionsResult result = new KeeperOptionsValidator().Validate(null, options);
        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures, Has.Some.Contains(expected), string.Join("\n", result.Failures ?? []));
    }

    [Test]
    public void Host_WithABadSettingFromEnvironmentAndCommandLine_RefusesToStartNamingIt()
    {
        Environment.SetEnvironmentVariable("AGENTCLUSTER__KEEPERS__RPCURL", "ftp://from-env");
        try
        {
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine([$"--AgentCluster:Keepers:ManifestPath={_manifest}", $"--AgentCluster:Keepers:PrivateKeyVariable={KeyVariable}", "--AgentCluster:Keepers:HealthPort=0"]);
            builder.Services.AddAgentClusterKeepers(builder.Configuration);
            using IHost host = builder.Build();
            var e = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.That(e!.Failures, Is.EquivalentTo(new[]
            {
                "AgentCluster:Keepers:RpcUrl: 'ftp://from-env' is not an http(s) URL.",
                "AgentCluster:Keepers:HealthPort: 0 is not a TCP port (1 .. 65535).",
            }));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AGENTCLUSTER__KEEPERS__RPCURL", null);
        }
    }
}
