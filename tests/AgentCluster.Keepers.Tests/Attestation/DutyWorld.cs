using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Bindings.AgentRegistry;
using AgentCluster.Keepers.Attestation;
using AgentCluster.Keepers.Attestation.Duty;
using AgentCluster.Keepers.Tests.Hosting;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;
using AgentCluster.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Keepers.Tests.Attestation;

/// <summary>
/// A suite with account 9 as the approved attestor (<see cref="AgentClusterSuiteOptions.WithTestAttestor"/>), ACC for account 2 (the agents'
/// owner), agents registered through the SDK, quotes made by the tests' own CA (<see cref="TestPki"/>, its root pinned), and keeper hosts
/// running the attestation duty against it.
/// </summary>
internal sealed class DutyWorld : IAsyncDisposable
{
    public const int Owner = 2;
    public static readonly BigInteger Acc = BigInteger.Pow(10, 18);

    private DutyWorld(AgentClusterSuite suite, string dir)
    {
        Suite = suite;
        Dir = dir;
    }

    public AgentClusterSuite Suite { get; }

    public string Dir { get; }

    public string ManifestPath => Path.Combine(Dir, "manifest.json");

    public ulong ChainId => (ulong)Suite.Manifest.ChainId;

    public AgentRegistryService Registry => new(Suite.Web3, Suite.Manifest.AddressOf("AgentRegistry"));

    public static async Task<DutyWorld> StartAsync(CancellationToken ct)
    {
        AgentClusterSuite suite = await AgentClusterSuite.StartAsync(AgentClusterSuiteOptions.WithTestAttestor(), ct);
        var world = new DutyWorld(suite, Directory.CreateTempSubdirectory("attestation-duty-").FullName);
        try
        {
            var m = suite.Manifest;
            await File.WriteAllTextAsync(world.ManifestPath, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }), ct);
            await suite.ReleaseEmissionsAsync(TimeSpan.FromDays(1), ct);
            await suite.FundAsync(AnvilAccounts.Addresses[Owner], 100_000 * Acc, ct);
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }

        return world;
    }

    /// <summary>Registers a new agent key (owner: account 2) and returns it.</summary>
    public async Task<AgentKey> RegisterAgentAsync(CancellationToken ct)
    {
        await using AgentClusterClient owner = await Suite.CreateClientAsync(Owner, ct);
        AgentKey key = AgentKey.Generate();
        await owner.Agents.RegisterAsync(key.Signer, "ipfs://agent", 0b1, new byte[32], ct);
        return key;
    }

    /// <summary>A benchmark measured a minute ago (chain time).</summary>
    public async Task<ComputeBenchmarkReport> BenchmarkAsync(uint cores = 16) =>
        new(cores, 24_576, 41, "Qwen2.5-7B-Instruct Q4_K_M", (await Suite.ChainTimeAsync()).ToUnixTimeSeconds() - 60);

    /// <summary>An SGX v3 quote by <paramref name="pki"/> whose report data binds <paramref name="boundKey"/>, <paramref name="nonce"/> and the benchmark.</summary>
    public byte[] Quote(TestPki pki, string boundKey, ulong nonce, ComputeBenchmarkReport benchmark) =>
        pki.Quote(3, TeeKind.Sgx, reportData: QuoteBinding.ExpectedReportData(ChainId, boundKey, nonce, benchmark.Digest()));

    public static string MrEnclave(byte[] quote) => Convert.ToHexStringLower(DcapQuote.Parse(quote).SgxBody!.MrEnclave);

    /// <summary>Hands a submission in as an agent would: each file written under another name, then renamed in.</summary>
    public static void Submit(string inbox, string agentKey, byte[] quote, ComputeBenchmarkReport benchmark)
    {
        Directory.CreateDirectory(inbox);
        string stem = Path.Combine(inbox, agentKey.ToLowerInvariant());
        File.WriteAllBytes(stem + ".quote.tmp", quote);
        File.WriteAllText(stem + ".benchmark.json.tmp", AttestationEvidence.ToJson(benchmark));
        File.Move(stem + ".quote.tmp", stem + AttestationInbox.QuoteSuffix);
        File.Move(stem + ".benchmark.json.tmp", stem + AttestationInbox.BenchmarkSuffix);
    }

    /// <summary>The reason.txt of the one processed folder of <paramref name="agentKey"/> under done/ or rejected/, or null.</summary>
    public static string? Outcome(string inbox, string folder, string agentKey)
    {
        string dir = Path.Combine(inbox, folder);
        if (!Directory.Exists(dir))
        {
            return null;
        }

        string? found = Directory.EnumerateDirectories(dir, agentKey.ToLowerInvariant() + "-*").SingleOrDefault();
        return found is null ? null : File.ReadAllText(Path.Combine(found, AttestationInbox.ReasonFile));
    }

    /// <summary>Settings for a keeper running the attestation duty with <paramref name="pki"/>'s root pinned and these MRENCLAVEs allowed.</summary>
    public Dictionary<string, string?> DutySettings(string name, TestPki pki, IEnumerable<string> allowedMrEnclaves, string? collateral = null)
    {
        string root = Path.Combine(Dir, $"{name}-root.pem");
        File.WriteAllText(root, pki.Root.ExportCertificatePem());
        var settings = new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:Duties:Assignment"] = "false",
            ["AgentCluster:Keepers:Duties:Attestation"] = "true",
            ["AgentCluster:Keepers:Attestation:InboxPath"] = Path.Combine(Dir, $"{name}-inbox"),
            ["AgentCluster:Keepers:Attestation:RootCaPath"] = root,
            ["AgentCluster:Keepers:Attestation:StorePath"] = Path.Combine(Dir, $"{name}-evidence.db"),
            ["AgentCluster:Keepers:Attestation:CollateralPath"] = collateral,
        };
        int i = 0;
        foreach (string m in allowedMrEnclaves)
        {
            settings[$"AgentCluster:Keepers:Attestation:AllowedMeasurements:MrEnclaves:{i++}"] = m;
        }

        return settings;
    }

    public async Task<RunningDuty> StartKeeperAsync(int account, IReadOnlyDictionary<string, string?> settings, CancellationToken ct)
    {
        string variable = $"AGENTCLUSTER_TEST_ATTESTOR_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, AnvilAccounts.PrivateKeys[account]);
        int port = FreePort();
        var logs = new KeeperHostTests.LogSink();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:RpcUrl"] = Suite.Node.RpcUrl.ToString(),
            ["AgentCluster:Keepers:ManifestPath"] = ManifestPath,
            ["AgentCluster:Keepers:PrivateKeyVariable"] = variable,
            ["AgentCluster:Keepers:JournalPath"] = Path.Combine(Dir, $"journal-{variable}.db"),
            ["AgentCluster:Keepers:PollInterval"] = "00:00:00.250",
            ["AgentCluster:Keepers:HealthPort"] = port.ToString(CultureInfo.InvariantCulture),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(logs);
        builder.Services.AddAgentClusterKeepers(builder.Configuration);
        IHost host = builder.Build();
        await host.StartAsync(ct);
        AttestationDuty duty = host.Services.GetServices<IHostedService>().OfType<AttestationDuty>().Single();
        return new RunningDuty(host, port, logs, duty, variable, settings["AgentCluster:Keepers:Attestation:InboxPath"]!);
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, CancellationToken ct, int seconds = 45)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(seconds));
        while (!await condition())
        {
            try
            {
                await Task.Delay(100, limit.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await Suite.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A store file still open on some platform; the temp folder is the OS's to clean.
        }
    }

    internal sealed class RunningDuty(IHost host, int port, KeeperHostTests.LogSink logs, AttestationDuty duty, string variable, string inbox) : IAsyncDisposable
    {
        public IHost Host { get; } = host;

        public AttestationDuty Duty { get; } = duty;

        public string Inbox { get; } = inbox;

        public IReadOnlyCollection<KeeperHostTests.LogLine> Logs => logs.Lines;

        public Uri Url(string path) => new($"http://127.0.0.1:{port}{path}");

        public bool Logged(int eventId, string contains) => Logs.Any(l => l.EventId == eventId && l.Message.Contains(contains, StringComparison.OrdinalIgnoreCase));

        public async ValueTask DisposeAsync()
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await Host.StopAsync(bound.Token);
            Host.Dispose();
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
