using System.Globalization;
using System.Numerics;
using AgentCluster.Dashboard;
using AgentCluster.Solana;
using AgentCluster.Solana.Rpc;
using AgentCluster.Swarm.Networks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Cli.Localnet;

/// <summary>
/// The Solana side of <c>localnet up --chain solana|both</c> (docs/localnet.md, "As built: Solana"): the localnet server as a child
/// process on <c>--solana-port</c> with <c>&lt;dir&gt;/solana</c>, the chain-neutral <see cref="NetworkSwarm"/> over the SDK's Solana network
/// (<see cref="SolanaSwarmHost"/>: SOL by airdrop, ACC by localnet_fundAcc, the clock by localnet_warpTime), and the closing report
/// read from the chain (<see cref="SolanaNetworkReport"/>). The server keeps no state between runs: every <c>up</c> starts it fresh.
/// </summary>
internal sealed class LocalnetSolanaSide : IAsyncDisposable
{
    private readonly Action<string> _say;
    private NetworkSwarm? _swarm;
    private IHost? _keepers;

    private LocalnetSolanaSide(SolanaLocalnetNode node, SolanaRpcClient rpc, BigInteger supplyBefore, string directory, Action<string> say)
    {
        Node = node;
        Rpc = rpc;
        SupplyBefore = supplyBefore;
        Directory = directory;
        _say = say;
    }

    /// <summary>The server.</summary>
    public SolanaLocalnetNode Node { get; }

    /// <summary>Its JSON-RPC client (with the localnet methods of <see cref="SolanaLocalnetRpc"/>; the report's reads).</summary>
    public SolanaRpcClient Rpc { get; }

    /// <summary>The ACC supply when the side started.</summary>
    public BigInteger SupplyBefore { get; }

    /// <summary><c>&lt;dir&gt;/solana</c>.</summary>
    public string Directory { get; }

    /// <summary>The swarm once set up (null: not started, or not available).</summary>
    public NetworkSwarm? Swarm => _swarm;

    /// <summary>Stops a server an earlier <c>up</c> left running on the directory, starts a fresh one and waits for <c>ready</c>.</summary>
    public static async Task<LocalnetSolanaSide> StartAsync(string root, int port, Action<string> say, CancellationToken ct)
    {
        string directory = Path.Combine(root, "solana");
        IReadOnlyList<int> orphans = await SolanaLocalnetNode.StopOrphansAsync(directory, ct).ConfigureAwait(false);
        if (orphans.Count > 0)
        {
            say($"stopped a Solana localnet server left running by an earlier up on {root} (pid {string.Join(",", orphans)})");
        }

        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true); // the server keeps no chain between runs: its files and the swarm's go with it
        }

        string repository = SolanaLocalnetNode.RepositoryRoot();
        say($"starting the Solana localnet server on 127.0.0.1:{(port == 0 ? "any" : port)} (scripts/solana-localnet: LiteSVM, the program deployed and through genesis)");
        SolanaLocalnetNode node = await SolanaLocalnetNode.StartAsync(repository, directory, port, ct).ConfigureAwait(false);
        var rpc = new SolanaRpcClient(node.RpcUrl);
        try
        {
            BigInteger supply = await SolanaNetworkReport.ReadSupplyAsync(rpc, new PublicKey(node.Info.Mint), ct).ConfigureAwait(false);
            say($"solana {node.RpcUrl} (pid {node.Pid}), program {node.Info.ProgramId}, mint {node.Info.Mint}; deployment {node.InfoPath}");
            return new LocalnetSolanaSide(node, rpc, supply, directory, say);
        }
        catch
        {
            rpc.Dispose();
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The Solana keeper's keypair file (<c>&lt;dir&gt;/solana/keeper.json</c>, from the seed).</summary>
    public string KeeperKeypairPath => Path.Combine(Directory, "keeper.json");

    /// <summary>
    /// Writes the keeper's keypair, gives it 100 SOL (requestAirdrop; it creates its ACC account and pays its fees) and returns the
    /// configuration of the Solana keeper service (<c>AgentCluster:Keepers:Solana</c>): this server, its deployment file, that keypair.
    /// </summary>
    public async Task<Dictionary<string, string?>> PrepareKeeperAsync(int seed, CancellationToken ct)
    {
        string keeper = SolanaSwarmHost.WriteKeypairFile(KeeperKeypairPath, $"agentcluster-localnet/solana/{seed}/keeper");
        await Rpc.RequestAirdropAsync(new PublicKey(keeper), 100_000_000_000, cancellationToken: ct).ConfigureAwait(false);
        return new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:Solana:RpcUrl"] = Node.RpcUrl.ToString(),
            ["AgentCluster:Keepers:Solana:DeploymentPath"] = Node.InfoPath,
            ["AgentCluster:Keepers:Solana:KeypairPath"] = KeeperKeypairPath,
            ["AgentCluster:Keepers:Solana:PollInterval"] = "00:00:00.250",
        };
    }

    /// <summary>
    /// <c>--chain solana</c>: the Solana keeper service (<c>AddAgentClusterSolanaKeepers</c>) in a host of its own, started. (With
    /// <c>both</c> it runs in the EVM keepers' host instead.)
    /// </summary>
    public async Task StartKeepersAsync(int seed, CancellationToken ct)
    {
        Dictionary<string, string?> settings = await PrepareKeeperAsync(seed, ct).ConfigureAwait(false);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddAgentClusterSolanaKeepers(builder.Configuration);
        _keepers = builder.Build();
        await _keepers.StartAsync(ct).ConfigureAwait(false);
        _say($"solana keepers running (assignment, seed, seats, settlement; keypair {KeeperKeypairPath}, 100 SOL)");
    }

    /// <summary>Sets the swarm up and runs it until its tasks, <paramref name="untilSettled"/> or cancellation end it.</summary>
    public async Task RunSwarmAsync(int agents, int? tasks, int? untilSettled, int seed, IProgress<string> progress, CancellationToken ct)
    {
        if (!LocalnetSolanaSdk.Available)
        {
            _say($"solana swarm: not run: {LocalnetSolanaSdk.Missing}");
            return;
        }

        var host = new SolanaSwarmHost(Rpc, seed, Path.Combine(Directory, "swarm"),
            (files, token) => LocalnetSolanaSdk.ConnectAsync(Node, files, token),
            (net, token) => LocalnetSolanaSdk.ApprovedAttestorAsync(Node, net, token));
        try
        {
            _swarm = await NetworkSwarm.StartAsync(host, new NetworkSwarmOptions { Agents = agents, Tasks = tasks, UntilSettled = untilSettled, Seed = seed }, progress, ct)
                .ConfigureAwait(false);
            await _swarm.RunAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Said, and the report is still read (it reads the chain): the run's exit code says it failed.
            SwarmError = e;
            _say($"error: the solana swarm stopped: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>What stopped the swarm before its end (null: it ran to its end or was cancelled).</summary>
    public Exception? SwarmError { get; private set; }

    /// <summary>The closing report, read from the chain.</summary>
    public Task<SolanaNetworkReport> ReadReportAsync() =>
        SolanaNetworkReport.ReadAsync(Rpc, new PublicKey(Node.Info.ProgramId), new PublicKey(Node.Info.Mint), SupplyBefore, CancellationToken.None);

    /// <summary>The report's <c>"solana"</c> object of <c>--json</c>.</summary>
    public static object Json(SolanaNetworkReport r, NetworkSwarm? swarm, SolanaLocalnetNode node) => new
    {
        rpc = node.RpcUrl.ToString(),
        programId = r.ProgramId,
        deployment = node.InfoPath,
        tasks = r.Tasks,
        settled = r.Settled,
        approvalRate = r.ApprovalRate,
        slashes = r.Slashes,
        appeals = r.Appeals,
        agents = r.Agents,
        activeAgents = r.ActiveAgents,
        swarm = swarm is null ? null : new { agents = swarm.Agents.Count, submitted = swarm.Submitted, settled = swarm.Settled, rounds = swarm.Round },
        burnedBaseUnits = r.Burned.ToString(CultureInfo.InvariantCulture),
        conservation = new
        {
            ok = r.Conserved,
            supplyBeforeBaseUnits = r.SupplyBefore.ToString(CultureInfo.InvariantCulture),
            supplyAfterBaseUnits = r.SupplyAfter.ToString(CultureInfo.InvariantCulture),
            sumOfHoldersBaseUnits = r.SumOfHolders.ToString(CultureInfo.InvariantCulture),
            holders = r.Holders,
        },
        computeUnits = r.ComputeUnits.Select(c => new { instruction = c.Instruction, transactions = c.Transactions, units = c.Units, meanUnits = c.MeanUnits, maxUnits = c.MaxUnits }),
        failedTransactions = r.FailedTransactions,
    };

    /// <summary>The report's Solana lines (text).</summary>
    public static void WriteText(SolanaNetworkReport r, NetworkSwarm? swarm, TextWriter output)
    {
        static string Acc(BigInteger units) => (units / 1_000_000_000).ToString("N0", CultureInfo.InvariantCulture) + " ACC";
        output.WriteLine($"solana             program {r.ProgramId}: {r.Agents} agents ({r.ActiveAgents} active)"
            + (swarm is null ? ", no swarm" : $", swarm submitted {swarm.Submitted} tasks in {swarm.Round} rounds"));
        output.WriteLine($"  tasks settled    {r.Settled} ({string.Join(", ", r.Tasks.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))})");
        output.WriteLine($"  approval rate    {r.ApprovalRate:P1}");
        output.WriteLine($"  slashes          {r.Slashes} ({r.Appeals} appealed)");
        output.WriteLine($"  ACC burned       {Acc(r.Burned)} ({r.Burned} base units)");
        output.WriteLine($"  ACC conservation {(r.Conserved ? "OK" : "FAILED")}: {r.Holders} token accounts hold {r.SumOfHolders} base units, the mint's supply {r.SupplyAfter} "
            + $"(before {r.SupplyBefore} - burned {r.Burned})");
        output.WriteLine($"  compute units by instruction (computeUnitsConsumed of every transaction that named the program{(r.FailedTransactions > 0 ? $"; {r.FailedTransactions} failed" : "")})");
        foreach (ComputeStage c in r.ComputeUnits)
        {
            output.WriteLine($"    {c.Instruction,-24} {c.Transactions,6} tx {c.Units,14:N0} CU (mean {c.MeanUnits:N0}, max {c.MaxUnits:N0})");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_swarm is not null)
        {
            await _swarm.DisposeAsync().ConfigureAwait(false);
        }

        if (_keepers is not null)
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _keepers.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            _keepers.Dispose();
        }

        Rpc.Dispose();
        int pid = Node.Pid;
        bool gone = await Node.StopAsync().ConfigureAwait(false);
        await Node.DisposeAsync().ConfigureAwait(false);
        _say(gone ? $"solana: the localnet server (pid {pid}) stopped" : $"warning: the Solana localnet server (pid {pid}) is still running");
    }
}

/// <summary><c>localnet up --chain solana</c>: the Solana side alone (no anvil, keepers' index or dashboard).</summary>
internal static class LocalnetSolanaRun
{
    public static async Task<int> RunAsync(LocalnetSettings s, string root, TextWriter output, TextWriter error, CancellationToken ct)
    {
        void Say(string line) => error.WriteLine($"localnet: {line}");
        LocalnetSolanaSide? side = null;
        DashboardServer? dashboard = null;
        int code;
        try
        {
            side = await LocalnetSolanaSide.StartAsync(root, s.SolanaPort, Say, ct).ConfigureAwait(false);
            await side.StartKeepersAsync(s.Seed, ct).ConfigureAwait(false);

            // The dashboard in-process with the Solana source only (no EVM index): the page opens on Solana.
            var dashboardOptions = new DashboardOptions { Port = s.DashboardPort, SolanaRpcUrl = side.Node.RpcUrl, SolanaProgramId = side.Node.Info.ProgramId };
            dashboard = await DashboardServer.StartAsync(dashboardOptions, l => l.SetMinimumLevel(LogLevel.Error), ct).ConfigureAwait(false);
            Say($"dashboard {dashboard.Url}");
            Say($"solana swarm of {s.Agents} agents{(s.UntilSettled is { } n ? $" until {n} tasks are settled" : "")}; Ctrl-C stops");
            await side.RunSwarmAsync(s.Agents, s.Tasks, s.UntilSettled, s.Seed, new LineProgress(Say), ct).ConfigureAwait(false);
            Say(ct.IsCancellationRequested ? "stopping (Ctrl-C): reading the closing report" : "done: reading the closing report");
            SolanaNetworkReport report = await side.ReadReportAsync().ConfigureAwait(false);
            if (s.Json)
            {
                output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { chain = "solana", solana = LocalnetSolanaSide.Json(report, side.Swarm, side.Node) }));
            }
            else
            {
                LocalnetSolanaSide.WriteText(report, side.Swarm, output);
            }

            code = !report.Conserved ? LocalnetCommand.ConservationFailed : side.SwarmError is not null ? ExitCodes.BadInput : ExitCodes.Success;
            if (!report.Conserved)
            {
                error.WriteLine("localnet: error: ACC is not conserved on Solana (see the report)");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Say("stopped by Ctrl-C while starting: no report");
            code = ExitCodes.Success;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error.WriteLine($"localnet: error: {e.GetType().Name}: {e.Message}");
            error.WriteLine(e.StackTrace);
            code = ExitCodes.BadInput;
        }
        finally
        {
            if (dashboard is not null)
            {
                await dashboard.DisposeAsync().ConfigureAwait(false);
            }

            if (side is not null)
            {
                await side.DisposeAsync().ConfigureAwait(false);
            }

            Say(dashboard is null ? "stopped: solana swarm, solana keepers, solana localnet server" : "stopped: dashboard, solana swarm, solana keepers, solana localnet server");
        }

        return code;
    }

    /// <summary>Reports on the calling thread, in order.</summary>
    private sealed class LineProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
