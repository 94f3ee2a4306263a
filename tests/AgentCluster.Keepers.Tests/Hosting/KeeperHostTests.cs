using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Evm.Bindings.TaskMarket;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Keepers.Hosting;
using AgentCluster.Keepers.Indexing;
using AgentCluster.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nethereum.JsonRpc.Client;

namespace AgentCluster.Keepers.Tests.Hosting;

/// <summary>
/// The keeper host against a real anvil with the suite deployed: health, readiness on the signer's balance, the assignment duty closing an
/// expired task and paid the task's keeper reward, its metrics on /metrics, and a node outage ridden out. Each test runs its own host with
/// its own signer (so that no host acts on another test's task).
/// </summary>
[Category("Anvil")]
public sealed class KeeperHostTests
{
    private static readonly BigInteger Acc = BigInteger.Pow(10, 18);
    private AgentClusterSuite _suite = null!;
    private string _dir = null!;
    private string _manifestPath = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        _suite = await AgentClusterSuite.StartAsync(ct: bound.Token);
        _dir = Directory.CreateTempSubdirectory("keeper-host-").FullName;
        _manifestPath = Path.Combine(_dir, "manifest.json");
        var m = _suite.Manifest;
        await File.WriteAllTextAsync(_manifestPath, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }), bound.Token);
        await _suite.FundAsync(AnvilAccounts.Addresses[1], 10_000 * Acc, bound.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }

        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public async Task Host_WithAFundedSigner_IsLiveAndReady()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using RunningKeeper keeper = await StartKeeperAsync(AnvilAccounts.PrivateKeys[5], bound.Token);
        using var http = new HttpClient();
        HttpResponseMessage live = await http.GetAsync(keeper.Url("/health/live"), bound.Token);
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        HttpResponseMessage ready = await http.GetAsync(keeper.Url("/health/ready"), bound.Token);
        string body = await ready.Content.ReadAsStringAsync(bound.Token);
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement checks = json.RootElement.GetProperty("checks");
        Assert.That(checks.GetProperty("node").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(checks.GetProperty("signer-balance").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(checks.GetProperty("indexer").GetProperty("description").GetString(), Is.EqualTo("no indexer registered"));
    }

    [Test]
    public async Task Ready_WithAnUnfundedSigner_Is503NamingTheSignerBalanceCheck()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        await using RunningKeeper keeper = await StartKeeperAsync(key, bound.Token);
        using var http = new HttpClient();
        Assert.That((await http.GetAsync(keeper.Url("/health/live"), bound.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "alive even when not ready");
        HttpResponseMessage ready = await http.GetAsync(keeper.Url("/health/ready"), bound.Token);
        string body = await ready.Content.ReadAsStringAsync(bound.Token);
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "signer-balance" }));
        Assert.That(json.RootElement.GetProperty("checks").GetProperty("signer-balance").GetProperty("description").GetString(),
            Does.Contain("holds 0 ETH, below the failure threshold 0.01 ETH"));
        Assert.That(json.RootElement.GetProperty("checks").GetProperty("node").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
    }

    [Test]
    public async Task Ready_WithAnIndexerTooFarBehind_Is503NamingTheIndexerCheck_AndLagIsAMetric()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var indexer = new FixedIndexerStatus { IndexedBlock = 100, HeadBlock = 130 };
        await using RunningKeeper keeper = await StartKeeperAsync(AnvilAccounts.PrivateKeys[5], bound.Token, services => services.AddSingleton<IIndexerStatus>(indexer));
        using var http = new HttpClient();
        HttpResponseMessage ready = await http.GetAsync(keeper.Url("/health/ready"), bound.Token);
        string body = await ready.Content.ReadAsStringAsync(bound.Token);
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        using (JsonDocument json = JsonDocument.Parse(body))
        {
            Assert.That(json.RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "indexer" }));
            Assert.That(json.RootElement.GetProperty("checks").GetProperty("indexer").GetProperty("description").GetString(),
                Is.EqualTo("30 blocks behind the head (at most 20 allowed)"));
        }

        Assert.That(Sample(await http.GetStringAsync(keeper.Url("/metrics"), bound.Token), "agentcluster_keeper_indexer_lag"), Is.EqualTo(30d));

        indexer.IndexedBlock = 125;
        HttpResponseMessage caughtUp = await http.GetAsync(keeper.Url("/health/ready"), bound.Token);
        Assert.That(caughtUp.StatusCode, Is.EqualTo(HttpStatusCode.OK), await caughtUp.Content.ReadAsStringAsync(bound.Token));
    }

    private sealed class FixedIndexerStatus : IIndexerStatus
    {
        public ulong? IndexedBlock { get; set; }

        public ulong? HeadBlock { get; set; }

        public DateTimeOffset? LastPassAt { get; set; } = DateTimeOffset.UtcNow;
    }

    [Test]
    public async Task AssignmentDuty_ClosesAnExpiredTask_IsPaidTheTasksKeeperReward_AndMetricsShowIt()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        string keeperAddress = AnvilAccounts.Addresses[7];
        var market = new TaskMarketService(_suite.Web3, _suite.Manifest.AddressOf("TaskMarket"));
        BigInteger earnedBefore = await market.EarningsOfQueryAsync(keeperAddress);
        BigInteger taskId = await SubmitExpiredTaskAsync(bound.Token);
        MarketParams p = (await market.ParamsAtQueryAsync((await market.GetTaskQueryAsync(taskId)).Task.ParamsVersion)).ReturnValue1;
        Assert.That(p.KeeperReward, Is.GreaterThan(BigInteger.Zero));

        await using RunningKeeper keeper = await StartKeeperAsync(AnvilAccounts.PrivateKeys[7], bound.Token);
        await WaitUntilAsync(async () => (await market.GetTaskQueryAsync(taskId)).Task.Status != 1, "the task leaves Bidding", bound.Token);

        Assert.That((await market.GetTaskQueryAsync(taskId)).Task.Status, Is.EqualTo((byte)5).Or.EqualTo((byte)6), "closed");
        Assert.That(await market.EarningsOfQueryAsync(keeperAddress) - earnedBefore, Is.EqualTo(p.KeeperReward), "the contract's rule: assign pays keeperReward to the caller");
        var settled = await _suite.Web3.Eth.GetEvent<TaskSettledEventDTO>(market.ContractAddress)
            .GetAllChangesAsync(_suite.Web3.Eth.GetEvent<TaskSettledEventDTO>(market.ContractAddress).CreateFilterInput<BigInteger>(taskId, Nethereum.RPC.Eth.DTOs.BlockParameter.CreateEarliest(), Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest()));
        Assert.That(settled.Single().Event.SettledBy, Is.EqualTo(keeperAddress).IgnoreCase);
        Assert.That(keeper.Logs.Any(l => l.EventId == 1010 && l.Message.Contains($"Assigned task {taskId}: refunded (no bid)", StringComparison.Ordinal)), Is.True);

        using var http = new HttpClient();
        string metrics = await http.GetStringAsync(keeper.Url("/metrics"), bound.Token);
        TestContext.Out.WriteLine(metrics);
        Assert.That(Sample(metrics, "agentcluster_keeper_actions"), Is.EqualTo(1d));
        Assert.That(Sample(metrics, "agentcluster_keeper_rewards_earned"), Is.EqualTo((double)p.KeeperReward));
        Assert.That(Sample(metrics, "agentcluster_keeper_gas_spent"), Is.GreaterThan(0d));
        Assert.That(metrics, Does.Contain("duty=\"assignment\""));
    }

    [Test]
    public async Task WithAnIndexDb_TheIndexerRuns_IsTheReadinessLag_AndTheAssignmentDutyFindsItsWorkInTheIndex()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        string keeperAddress = AnvilAccounts.Addresses[6];
        var market = new TaskMarketService(_suite.Web3, _suite.Manifest.AddressOf("TaskMarket"));
        BigInteger taskId = await SubmitExpiredTaskAsync(bound.Token);
        string index = Path.Combine(_dir, "keeper-index.db");

        await using RunningKeeper keeper = await StartKeeperAsync(AnvilAccounts.PrivateKeys[6], bound.Token,
            settings: new Dictionary<string, string?> { ["AgentCluster:Keepers:IndexDbPath"] = index });
        IndexerDuty indexer = keeper.Host.Services.GetRequiredService<IndexerDuty>();
        Assert.That(keeper.Host.Services.GetRequiredService<IAssignableTasks>(), Is.SameAs(indexer), "the index, not the temporary scan, finds the work");
        await WaitUntilAsync(async () => (await market.GetTaskQueryAsync(taskId)).Task.Status != 1, "the task leaves Bidding", bound.Token);

        var settled = await _suite.Web3.Eth.GetEvent<TaskSettledEventDTO>(market.ContractAddress)
            .GetAllChangesAsync(_suite.Web3.Eth.GetEvent<TaskSettledEventDTO>(market.ContractAddress).CreateFilterInput<BigInteger>(taskId, Nethereum.RPC.Eth.DTOs.BlockParameter.CreateEarliest(), Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest()));
        Assert.That(settled.Single().Event.SettledBy, Is.EqualTo(keeperAddress).IgnoreCase);
        Assert.That(File.Exists(index), Is.True, "the index is on disk");
        Assert.That(indexer.IndexedBlock, Is.Not.Null);
        Assert.That(keeper.Logs.Any(l => l.EventId == 1030), Is.True, "the indexer's start is logged");

        using var http = new HttpClient();
        await WaitUntilAsync(async () => (await http.GetAsync(keeper.Url("/health/ready"), bound.Token)).IsSuccessStatusCode, "ready with the indexer caught up", bound.Token);
        string ready = await http.GetStringAsync(keeper.Url("/health/ready"), bound.Token);
        Assert.That(ready, Does.Contain("block(s) behind"), "the readiness check reads the running indexer's lag");
    }

    [Test]
    public async Task NodeDown_FaultsAreLogged_AndTheDutyCarriesOnAfterwards()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var market = new TaskMarketService(_suite.Web3, _suite.Manifest.AddressOf("TaskMarket"));
        await using RunningKeeper keeper = await StartKeeperAsync(AnvilAccounts.PrivateKeys[8], bound.Token);
        await WaitUntilAsync(() => Task.FromResult(keeper.Duty.CompletedPasses > 0), "a first pass", bound.Token);

        await _suite.Node.StopAsync(bound.Token);
        try
        {
            // Down long enough for a whole pass to fail after its retries, each retry and the failed pass in the log.
            await WaitUntilAsync(() => Task.FromResult(keeper.Logs.Any(l => l.EventId == 1003)), "a failed pass in the log", bound.Token);
            using var http = new HttpClient();
            HttpResponseMessage ready = await http.GetAsync(keeper.Url("/health/ready"), bound.Token);
            string body = await ready.Content.ReadAsStringAsync(bound.Token);
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
            using JsonDocument json = JsonDocument.Parse(body);
            Assert.That(json.RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()), Does.Contain("node"));
            Assert.That((await http.GetAsync(keeper.Url("/health/live"), bound.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "alive while the node is down");
        }
        finally
        {
            await _suite.Node.StartAsync(bound.Token);
        }

        Assert.That(keeper.Logs.Where(l => l.EventId == 1002).Select(l => l.Message), Has.Some.StartWith("Keeper duty assignment: transient fault, retry 1 in"));
        Assert.That(keeper.Logs.First(l => l.EventId == 1003 && l.Level == LogLevel.Error).Message, Does.StartWith("Keeper duty assignment: pass failed after retries, carrying on at the next pass:"));
        await WaitUntilAsync(() => Task.FromResult(keeper.Logs.Any(l => l.EventId == 1004)), "the recovery in the log", bound.Token);
        using (var http = new HttpClient())
        {
            string metrics = await http.GetStringAsync(keeper.Url("/metrics"), bound.Token);
            Assert.That(Sample(metrics, "agentcluster_keeper_failures"), Is.GreaterThanOrEqualTo(1d), "the failed pass is counted");
        }
        BigInteger taskId = await SubmitExpiredTaskAsync(bound.Token);
        await WaitUntilAsync(async () => (await market.GetTaskQueryAsync(taskId)).Task.Status != 1, "the task closed after the outage", bound.Token);
        var settled = await _suite.Web3.Eth.GetEvent<TaskSettledEventDTO>(market.ContractAddress)
            .GetAllChangesAsync(_suite.Web3.Eth.GetEvent<TaskSettledEventDTO>(market.ContractAddress).CreateFilterInput<BigInteger>(taskId, Nethereum.RPC.Eth.DTOs.BlockParameter.CreateEarliest(), Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest()));
        Assert.That(settled.Single().Event.SettledBy, Is.EqualTo(AnvilAccounts.Addresses[8]).IgnoreCase, "this keeper, after the outage");
        Assert.That(keeper.Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, Is.False, "the host kept running");
    }

    [Test]
    public async Task WithAnExternalSigner_TheDutySignsThroughIt_AndIsPaid()
    {
        // A KMS or hardware wallet stands behind Nethereum's IEthExternalSigner; here the key is in process but only reachable through
        // that seam (it signs transaction hashes, as a KMS does), set in code as KeeperOptions.Key.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var signer = new InProcessExternalSigner(new Nethereum.Signer.EthECKey(AnvilAccounts.PrivateKeys[4]), Nethereum.Signer.ExternalSignerTransactionFormat.Hash);
        var market = new TaskMarketService(_suite.Web3, _suite.Manifest.AddressOf("TaskMarket"));
        BigInteger taskId = await SubmitExpiredTaskAsync(bound.Token);
        await using RunningKeeper keeper = await StartKeeperAsync("unused", bound.Token, configure: o =>
        {
            o.PrivateKeyVariable = null;
            o.Key = AgentCluster.Sdk.Identity.AgentKeySource.FromExternalSigner(signer);
        });
        await WaitUntilAsync(async () => (await market.GetTaskQueryAsync(taskId)).Task.Status != 1, "the task leaves Bidding", bound.Token);

        var settled = await _suite.Web3.Eth.GetEvent<TaskSettledEventDTO>(market.ContractAddress)
            .GetAllChangesAsync(_suite.Web3.Eth.GetEvent<TaskSettledEventDTO>(market.ContractAddress).CreateFilterInput<BigInteger>(taskId, Nethereum.RPC.Eth.DTOs.BlockParameter.CreateEarliest(), Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest()));
        Assert.That(settled.Single().Event.SettledBy, Is.EqualTo(AnvilAccounts.Addresses[4]).IgnoreCase);
        Assert.That(signer.Signatures, Is.GreaterThanOrEqualTo(1), "the transaction was signed by the external signer");
        using var http = new HttpClient();
        Assert.That((await http.GetAsync(keeper.Url("/health/ready"), bound.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the balance check reads the external signer's address");
    }

    /// <summary>The value of the single sample of a metric whose name starts with <paramref name="prefix"/> (Prometheus text format).</summary>
    private static double Sample(string metrics, string prefix)
    {
        string line = metrics.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Account 1 submits a task nobody bids on, then the clock passes its bidding window.</summary>
    private async Task<BigInteger> SubmitExpiredTaskAsync(CancellationToken ct)
    {
        var web3 = await _suite.CreateWeb3Async(1, ct);
        var market = new TaskMarketService(web3, _suite.Manifest.AddressOf("TaskMarket"));
        var token = new AccTokenService(web3, _suite.Manifest.AddressOf("AccToken"));
        MarketParams p = (await market.ParamsQueryAsync()).ReturnValue1;
        BigInteger bounty = 100 * Acc;
        BigInteger fee = await market.MinimumFeeQueryAsync(bounty, 10);
        var block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest());
        ulong now = (ulong)block.Timestamp.Value;
        await token.ApproveRequestAndWaitForReceiptAsync(market.ContractAddress, bounty + fee, ct);
        var request = new TaskRequest
        {
            RequirementsHash = RandomNumberGenerator.GetBytes(32), Capabilities = 0, Bounty = bounty, Fee = fee,
            Deadline = now + p.BiddingWindow + 3600, CommitteeSize = 10, MinReputation = 0,
        };
        var receipt = await market.SubmitTaskRequestAndWaitForReceiptAsync(request, new Permit { R = new byte[32], S = new byte[32] }, ct);
        Assert.That(receipt.Status.Value, Is.EqualTo(BigInteger.One));
        BigInteger taskId = await market.TaskCountQueryAsync();
        await _suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "evm_increaseTime", (long)p.BiddingWindow + 1));
        await _suite.Web3.Client.SendRequestAsync(new RpcRequest(2, "evm_mine"));
        return taskId;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(45));
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The node may be restarting; try again.
            }

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

    private async Task<RunningKeeper> StartKeeperAsync(string privateKey, CancellationToken ct, Action<IServiceCollection>? before = null,
        IReadOnlyDictionary<string, string?>? settings = null, Action<KeeperOptions>? configure = null)
    {
        string variable = $"AGENTCLUSTER_TEST_KEEPER_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, privateKey);
        int port = FreePort();
        var logs = new LogSink();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:RpcUrl"] = _suite.Node.RpcUrl.ToString(),
            ["AgentCluster:Keepers:ManifestPath"] = _manifestPath,
            ["AgentCluster:Keepers:PrivateKeyVariable"] = variable,
            ["AgentCluster:Keepers:JournalPath"] = Path.Combine(_dir, $"journal-{variable}.db"),
            ["AgentCluster:Keepers:PollInterval"] = "00:00:00.250",
            ["AgentCluster:Keepers:HealthPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.AddProvider(logs);
        before?.Invoke(builder.Services);
        builder.Services.AddAgentClusterKeepers(builder.Configuration, configure);
        IHost host = builder.Build();
        await host.StartAsync(ct);
        AssignmentDuty duty = host.Services.GetServices<IHostedService>().OfType<AssignmentDuty>().Single();
        return new RunningKeeper(host, port, logs, duty, variable);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal sealed record LogLine(int EventId, LogLevel Level, string Message);

    internal sealed class RunningKeeper(IHost host, int port, LogSink logs, AssignmentDuty duty, string variable) : IAsyncDisposable
    {
        public IHost Host { get; } = host;

        public AssignmentDuty Duty { get; } = duty;

        public IReadOnlyCollection<LogLine> Logs => logs.Lines;

        public Uri Url(string path) => new($"http://127.0.0.1:{port}{path}");

        public async ValueTask DisposeAsync()
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await Host.StopAsync(bound.Token);
            Host.Dispose();
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    internal sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<LogLine> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LogSink sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                sink.Lines.Enqueue(new LogLine(eventId.Id, logLevel, formatter(state, exception)));
                TestContext.Progress.WriteLine($"[{logLevel}] {eventId.Id} {formatter(state, exception)}");
            }
        }
    }
}
