using System.Net;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Bindings.Reputation;
using AgentCluster.Keepers.Hosting;
using AgentCluster.Keepers.Indexing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Dashboard.Tests;

/// <summary>
/// The dashboard in a real browser (Debian's chromium driven by Playwright) over a suite on anvil with a SuiteIndexer writing the index:
/// the page loads and the graph shows the agents; a new agent and a new task appear without a reload; an anomaly injected through the
/// test endpoint raises an alert on the page and in the log; an agent page shows the contract's reputation; bad requests get a clear
/// 4xx. Screenshots are attached to the tests.
/// </summary>
[NonParallelizable]
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private DashboardWorld _world = null!;
    private DashboardServer _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly ListLogger _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ServiceProvider _keeperServices = null!;
    private KeeperHealthEndpoint _keeper = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is missing: scripts/setup installs Debian's chromium.");
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _world = await DashboardWorld.StartAsync(4, cts.Token);

        // A keeper's real health endpoint (one ready check) and one keeper that does not answer.
        var keeperServices = new ServiceCollection().AddLogging();
        keeperServices.AddHealthChecks().AddCheck("indexer", () => HealthCheckResult.Healthy("caught up"), tags: [KeeperHealthEndpoint.ReadyTag]);
        _keeperServices = keeperServices.BuildServiceProvider();
        int keeperPort = FreePort();
        _keeper = new KeeperHealthEndpoint(_keeperServices.GetRequiredService<HealthCheckService>(), Options.Create(new KeeperOptions { HealthPort = keeperPort }),
            _keeperServices.GetRequiredService<ILogger<KeeperHealthEndpoint>>());
        await _keeper.StartAsync(cts.Token);
        var options = new DashboardOptions
        {
            IndexDbPath = _world.IndexPath,
            PollInterval = TimeSpan.FromMilliseconds(150),
            HealthInterval = TimeSpan.FromMilliseconds(250),
            RpcUrl = _world.Suite.Node.RpcUrl,
            EnableTestEndpoints = true,
            KeeperHealthUrls = { new Uri($"http://127.0.0.1:{keeperPort}/health/ready"), new Uri($"http://127.0.0.1:{FreePort()}/health/ready") },
        };
        _server = await DashboardServer.StartAsync(options, b => b.AddProvider(_log), cts.Token);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_keeper is not null)
        {
            await _keeper.StopAsync(CancellationToken.None);
            _keeper.Dispose();
        }

        if (_keeperServices is not null)
        {
            await _keeperServices.DisposeAsync();
        }

        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        _http.Dispose();
    }

    [Test]
    public async Task ThePage_Loads_AndTheGraphShowsEveryAgent()
    {
        IPage page = await OpenAsync("");
        string[] expected = [.. _world.Agents.Select(a => $"a:{a}")];
        await page.WaitForFunctionAsync($"n => window.__acCy.nodes('.agent').length >= n", expected.Length, new() { Timeout = (float)Wait.TotalMilliseconds });
        string[] shown = await page.EvaluateAsync<string[]>("() => window.__acCy.nodes('.agent').map(n => n.id())");
        Assert.That(shown, Is.EquivalentTo(expected), "one node per registered agent, nothing else");
        int clusters = await page.EvaluateAsync<int>("() => window.__acCy.nodes('.cluster').length");
        Assert.That(clusters, Is.EqualTo(2), "agents grouped by their two capability sets (0b1, 0b11)");
        Assert.That(await page.TextContentAsync("#status"), Is.EqualTo("live"));
        await page.WaitForSelectorAsync("#keepers li.ready", new() { Timeout = (float)Wait.TotalMilliseconds });
        string keepers = (await page.TextContentAsync("#keepers"))!;
        Assert.That(keepers, Does.Contain("ready (200)").And.Contain("indexer: Healthy"), "the keeper's /health/ready, check by check");
        Assert.That(keepers, Does.Contain("unreachable"), "the keeper that does not answer");

        // Governance: the proposal, its phase and its votes, decoded from the governor's raw logs.
        IElementHandle? proposal = await page.QuerySelectorAsync($"#proposals tr[data-proposal='{_world.ProposalId}']");
        Assert.That(proposal, Is.Not.Null, "the proposal is listed");
        var votes = await new AgentCluster.Evm.Bindings.AgentClusterGovernor.AgentClusterGovernorService(_world.Suite.Web3, _world.Suite.Manifest.AddressOf("Governor"))
            .ProposalVotesQueryAsync(_world.ProposalId);
        Assert.That(await proposal!.GetAttributeAsync("data-for"), Is.EqualTo(votes.ForVotes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(votes.ForVotes, Is.GreaterThan(BigInteger.Zero));
        Assert.That(await proposal.GetAttributeAsync("data-phase"), Is.EqualTo("Active"), "voting is open (the chain has not passed voteEnd)");
        Assert.That(await proposal.TextContentAsync(), Does.Contain("Dashboard test: let account 7"));
        await ScreenshotAsync(page, "network");
    }

    [Test]
    public async Task ANewAgentAndTask_AppearLive_WithoutReload()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        IPage page = await OpenAsync("");
        await page.WaitForFunctionAsync($"n => window.__acCy.nodes('.agent').length >= n", _world.Agents.Count, new() { Timeout = (float)Wait.TotalMilliseconds });
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        BigInteger agent = await _world.RegisterAgentAsync(0b1, cts.Token);
        await page.WaitForFunctionAsync("id => window.__acCy.getElementById(id).nonempty()", $"a:{agent}", new() { Timeout = (float)Wait.TotalMilliseconds });
        var task = await _world.SubmitTaskAsync("live", cts.Token);
        await page.WaitForSelectorAsync($"#tasks tr[data-task='{task.TaskId}']", new() { Timeout = (float)Wait.TotalMilliseconds });
        ulong block = (ulong)task.BlockNumber;

        Assert.That(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), Is.True, "no reload: the same document got the updates");
        try
        {
            await page.WaitForFunctionAsync("b => window.__acLastEvent && window.__acLastEvent.block >= b", (double)block, new() { Timeout = (float)Wait.TotalMilliseconds });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"window.__acLastEvent = {await page.EvaluateAsync<string>("() => JSON.stringify(window.__acLastEvent)")}, wanted block >= {block}");
        }
        JsonElement last = await page.EvaluateAsync<JsonElement>("() => window.__acLastEvent");
        double latency = last.GetProperty("renderedAt").GetDouble() - last.GetProperty("receivedAt").GetDouble();
        TestContext.Out.WriteLine($"block {last.GetProperty("block")}: WebSocket message to pixel {latency:F1} ms (measured, not asserted)");
        Assert.That(latency, Is.GreaterThanOrEqualTo(0));
        await ScreenshotAsync(page, "live-update");
    }

    [Test]
    public async Task AnInjectedAnomaly_RaisesAnAlert_OnThePageAndInTheLog()
    {
        // The detector judges a series after its warm-up (5 samples; one every 250 ms here).
        DateTimeOffset until = DateTimeOffset.UtcNow + Wait;
        while (_server.Feed.History.Count < 6 && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(100);
        }

        Assert.That(_server.Feed.History, Has.Count.GreaterThanOrEqualTo(6), "health samples are taken");
        IPage page = await OpenAsync("");
        await page.WaitForFunctionAsync("() => document.getElementById('status').textContent === 'live'", null, new() { Timeout = (float)Wait.TotalMilliseconds });
        Assert.That(await page.QuerySelectorAsync("#alerts li.critical[data-series='burn_to_emission']"), Is.Null, "no such alert before the injection");

        using HttpResponseMessage response = await _http.PostAsync(new Uri(_server.Url, "api/test/anomaly?series=burn_to_emission&value=1000000"), null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());

        IElementHandle? alert = await page.WaitForSelectorAsync("#alerts li.critical[data-series='burn_to_emission']", new() { Timeout = (float)Wait.TotalMilliseconds });
        Assert.That(await alert!.TextContentAsync(), Does.Contain("CRITICAL").And.Contain("burn / emission"));
        Assert.That(_log.Entries.Where(e => e.Id.Id == 4302).Select(e => e.Message), Has.Some.Contains("burn_to_emission"), "logged as critical (event 4302)");
        await ScreenshotAsync(page, "alert");
    }

    [Test]
    public async Task AnAgentPage_ShowsTheContractsReputation()
    {
        BigInteger agent = _world.Agents[0];
        IPage page = await OpenAsync($"agents/{agent}");
        await page.WaitForSelectorAsync("body[data-loaded='true']", new() { Timeout = (float)Wait.TotalMilliseconds });
        ulong block = ulong.Parse((await page.GetAttributeAsync("td[data-dim='task']", "data-block"))!, System.Globalization.CultureInfo.InvariantCulture);
        var reputation = new ReputationService(_world.Suite.Web3, _world.Suite.Manifest.AddressOf("Reputation"));
        var summary = await reputation.GetSummaryQueryAsync(agent, new BlockParameter(block));
        var shown = new Dictionary<string, BigInteger>();
        foreach (string dim in new[] { "task", "validator", "compute", "social" })
        {
            shown[dim] = BigInteger.Parse((await page.GetAttributeAsync($"td[data-dim='{dim}']", "data-raw"))!, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.That(shown["compute"], Is.GreaterThan(BigInteger.Zero), "the attestation gave compute reputation");
        Assert.That(shown, Is.EqualTo(new Dictionary<string, BigInteger>
        {
            ["task"] = summary.Task, ["validator"] = summary.Validator, ["compute"] = summary.Compute, ["social"] = summary.Social,
        }), $"getSummary at block {block}, the newest indexed block the page read at");
        Assert.That(await page.TextContentAsync("#facts"), Does.Contain("valid until").And.Contain("ACC"));
        await ScreenshotAsync(page, "agent");
    }

    [Test]
    public async Task TheNetworkView_AgreesWithTheContracts_AtTheIndexedBlock()
    {
        await _world.SubmitTaskAsync("escrowed", CancellationToken.None);
        ulong head = (ulong)(await _world.Suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        NetworkView view = NetworkView.Open(_world.IndexPath);
        DateTimeOffset until = DateTimeOffset.UtcNow + Wait;
        while ((await view.HeadAsync()).Cursor < head && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(100);
        }

        NetworkSnapshot s = await view.SnapshotAsync();
        Assert.That(s.Head.Cursor, Is.GreaterThanOrEqualTo(head), "the indexer caught up");
        var block = new BlockParameter(s.Head.Cursor!.Value);
        var registry = new AgentCluster.Evm.Bindings.AgentRegistry.AgentRegistryService(_world.Suite.Web3, _world.Suite.Manifest.AddressOf("AgentRegistry"));
        var staking = new AgentCluster.Evm.Bindings.Staking.StakingService(_world.Suite.Web3, _world.Suite.Manifest.AddressOf("Staking"));
        var token = new AgentCluster.Evm.Bindings.AccToken.AccTokenService(_world.Suite.Web3, _world.Suite.Manifest.AddressOf("AccToken"));
        Assert.That(s.Agents.Select(a => a.AgentId), Is.EquivalentTo(_world.Agents));
        foreach (NetworkAgent agent in s.Agents)
        {
            Assert.That(agent.Capabilities, Is.EqualTo((await registry.CapabilitiesOfQueryAsync(agent.AgentId, block)).Capabilities), "CapabilitiesSet decoded from the raw logs");
            Assert.That(agent.Stake.Active, Is.EqualTo(await staking.StakeOfQueryAsync(agent.AgentId, block)));
            Assert.That(agent.Attested, Is.True);
        }

        BigInteger released = 0;
        foreach (string pool in new[] { "ValidatorsPool", "ComputePool", "MarketplacePool", "ReviewPool" })
        {
            released += await new AgentCluster.Evm.Bindings.EmissionVault.EmissionVaultService(_world.Suite.Web3, _world.Suite.Manifest.AddressOf(pool)).ReleasedQueryAsync(block);
        }

        Assert.That(s.Economy.EmissionsReleased, Is.EqualTo(released).And.GreaterThan(BigInteger.Zero), "Released events of the four pools");
        Assert.That(s.Economy.Escrow, Is.EqualTo(await token.BalanceOfQueryAsync(_world.Suite.Manifest.AddressOf("TaskMarket"), block)).And.GreaterThan(BigInteger.Zero),
            "no task is settled: the market holds exactly the escrowed bounties and fees");
        foreach (NetworkTask task in s.Tasks)
        {
            var b = await _world.Suite.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new Nethereum.Hex.HexTypes.HexBigInteger(task.SubmittedBlock));
            Assert.That(task.Stages.Submitted, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds((long)b.Timestamp.Value)));
            Assert.That(task.Stages.Assigned, Is.Null);
        }

        NetworkProposal proposal = s.Proposals.Single();
        Assert.That((proposal.ProposalId, proposal.Description, proposal.Phase), Is.EqualTo((_world.ProposalId, DashboardWorld.ProposalDescription, ProposalPhase.Active)));
        Assert.That(proposal.Voters, Is.EqualTo(1));

        IReadOnlyList<NetworkEvent> events = await view.EventsAfterAsync(null, 10_000);
        Assert.That(events, Has.Count.EqualTo(s.Head.Logs));
        Assert.That(events.Select(e => e.Name), Is.SupersetOf(new[] { "AgentRegistered", "CapabilitiesSet", "Staked", "ProposalCreated", "VoteCast", "TaskSubmitted" }));
        Assert.That(await view.EventsAfterAsync(events[^1].Position, 10), Is.Empty);

        Assert.That(() => NetworkView.Open(Path.Combine(_world.Directory, "missing.db")), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("No index at"));
        string text = Path.Combine(_world.Directory, "notes.txt");
        await File.WriteAllTextAsync(text, "not a database");
        Assert.That(() => NetworkView.Open(text).HeadAsync(), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not a keeper index"));
    }

    [Test]
    public async Task BadRequests_GetAClear4xx_NeverAStackTrace()
    {
        (string Method, string Path, HttpStatusCode Status, string Says)[] cases =
        [
            ("GET", "agents/not-a-number", HttpStatusCode.BadRequest, "is not an agent id"),
            ("GET", "agents/0xzz", HttpStatusCode.BadRequest, "is not an agent id"),
            ("GET", "agents/123456789", HttpStatusCode.NotFound, "is not registered"),
            ("GET", "api/agents/-5", HttpStatusCode.BadRequest, "is not an agent id"),
            ("GET", "api/agents/99", HttpStatusCode.NotFound, "is not registered"),
            ("GET", "no/such/page", HttpStatusCode.NotFound, "There is no page"),
            ("GET", "static/nothing.js", HttpStatusCode.NotFound, "There is no file"),
            ("GET", "ws", HttpStatusCode.BadRequest, "WebSocket"),
            ("POST", "api/test/anomaly?series=nope&value=1", HttpStatusCode.BadRequest, "Unknown health series"),
            ("POST", "api/test/anomaly?series=utilisation&value=abc", HttpStatusCode.BadRequest, "value=NUMBER"),
        ];
        foreach ((string method, string path, HttpStatusCode status, string says) in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_server.Url, path));
            using HttpResponseMessage response = await _http.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(status), $"{method} /{path}: {body}");
            Assert.That(body, Does.Contain(says), $"{method} /{path}");
            Assert.That(body, Does.Not.Contain("Exception").And.Not.Contain("   at "), $"{method} /{path}: no stack trace");
        }

        IPage page = await OpenAsync("agents/not-a-number");
        Assert.That(await page.TextContentAsync("h1"), Does.Contain("400"));
        await ScreenshotAsync(page, "bad-agent-id");
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task<IPage> OpenAsync(string path)
    {
        IPage page = await _browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        PageErrors.AddOrUpdate(page, errors);
        await page.GotoAsync(new Uri(_server.Url, path).ToString());
        return page;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> PageErrors = [];

    /// <summary>Saves and attaches a screenshot, checks the page threw no script error, and closes it.</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        string dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, $"dashboard-{name}.png");
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
        TestContext.AddTestAttachment(file, $"dashboard: {name}");
        Assert.That(PageErrors.TryGetValue(page, out List<string>? errors) ? errors : [], Is.Empty, "no script error on the page");
        await page.CloseAsync();
    }
}
