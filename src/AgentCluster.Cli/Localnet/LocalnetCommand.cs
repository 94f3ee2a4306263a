using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using AgentCluster.Dashboard;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;
using AgentCluster.Swarm;
using AgentCluster.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nethereum.JsonRpc.Client;

namespace AgentCluster.Cli.Localnet;

/// <summary>
/// <c>agentcluster localnet up</c>: a whole network on this machine (docs/localnet.md): an anvil child process on 127.0.0.1 with the
/// suite deployed by scripts/deploy, the keeper host and the dashboard in-process, and a simulated swarm; a live summary on stderr;
/// Ctrl-C (or <c>--until-settled N</c>) stops everything in order and prints the closing report (exit 4 when ACC is not conserved).
/// </summary>
internal static class LocalnetCommand
{
    /// <summary>Exit code: the run ended but the ACC conservation check failed.</summary>
    public const int ConservationFailed = 4;

    /// <summary>anvil account #6 is the approved attestor, as scripts/localnet always had it (AC_ATTESTORS); the swarm signs with its key.</summary>
    private const int AttestorIndex = 6;

    public static Command Build()
    {
        var agents = new Option<int>("--agents") { Description = "Simulated agents (11..1000).", DefaultValueFactory = _ => 50 };
        var tasks = new Option<int?>("--tasks") { Description = "Tasks to submit in all (default: until Ctrl-C or --until-settled)." };
        var seed = new Option<int>("--seed") { Description = "Seed of every key and choice (a reproducible run).", DefaultValueFactory = _ => 1 };
        var untilSettled = new Option<int?>("--until-settled") { Description = "Stop by itself after N settled tasks (scripts, CI)." };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "Dashboard port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 8080 };
        var port = new Option<int>("--port") { Description = "anvil's port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 8545 };
        var chain = new Option<string>("--chain") { Description = "The chain: evm (solana joins later).", DefaultValueFactory = _ => "evm" };
        var dir = new Option<string>("--dir") { Description = "State directory (manifest, index, journals).", DefaultValueFactory = _ => ".localnet" };
        var json = new Option<bool>("--json") { Description = "Print the closing report as JSON." };
        var manifest = new Option<string>("--manifest") { Description = "Also write the deployment manifest here (default: <dir>/manifest.json only)." };
        var noGovernance = new Option<bool>("--no-governance") { Description = "Skip the governance round (a market fee proposal voted and executed after the timelock)." };
        var blockTime = new Option<int?>("--block-time") { Description = "Once the swarm is set up, mine a block every S seconds (1..60) instead of one per transaction." };
        var fund = new Option<int>("--fund-accounts") { Description = "ACC sent to each of anvil's accounts #1..#9 for trying the CLI by hand (default 0: none).", DefaultValueFactory = _ => 0 };
        var up = new Command("up", "Start anvil, deploy, run the keepers, the dashboard and a simulated swarm; Ctrl-C stops it and prints the report.")
        {
            agents, tasks, seed, untilSettled, dashboardPort, port, chain, dir, json, manifest, fund, noGovernance, blockTime,
        };
        up.SetAction(async (parse, ct) =>
        {
            var settings = new LocalnetSettings
            {
                Agents = parse.GetValue(agents),
                Tasks = parse.GetValue(tasks),
                Seed = parse.GetValue(seed),
                UntilSettled = parse.GetValue(untilSettled),
                DashboardPort = parse.GetValue(dashboardPort),
                Port = parse.GetValue(port),
                Chain = parse.GetValue(chain) ?? "evm",
                Directory = parse.GetValue(dir) ?? ".localnet",
                Json = parse.GetValue(json),
                Manifest = parse.GetValue(manifest),
                FundAccounts = parse.GetValue(fund),
                Governance = !parse.GetValue(noGovernance),
                BlockTime = parse.GetValue(blockTime),
            };
            settings.Validate();
            return await RunAsync(settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct).ConfigureAwait(false);
        });
        return new Command("localnet", "A whole AgentCluster network on this machine (docs/localnet.md).") { up };
    }

    internal static async Task<int> RunAsync(LocalnetSettings s, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Ctrl-C (SIGINT) and SIGTERM stop the run in order (swarm, keepers, dashboard, anvil) instead of killing the process.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken ct = stop.Token;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!stop.IsCancellationRequested)
            {
                error.WriteLine("localnet: stopping (signal received)...");
                stop.Cancel();
            }
        }

        using PosixSignalRegistration onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await RunCoreAsync(s, output, error, ct).ConfigureAwait(false);
    }

    private static async Task<int> RunCoreAsync(LocalnetSettings s, TextWriter output, TextWriter error, CancellationToken ct)
    {
        void Say(string line) => error.WriteLine($"localnet: {line}");
        string root = Path.GetFullPath(s.Directory);
        Directory.CreateDirectory(root);
        string keeperKey = Sha3Key($"agentcluster-localnet/{s.Seed}/keeper");
        var clock = Stopwatch.StartNew();

        // anvil as a child process (never a container: it must die with this command), the suite deployed by scripts/deploy.
        // AGENTCLUSTER_ANVIL=process for this start only (restored at once: in a test host other suites keep their own choice).
        string? kind = Environment.GetEnvironmentVariable(Testing.Anvil.KindVariable);
        Environment.SetEnvironmentVariable(Testing.Anvil.KindVariable, AnvilKinds.Process);
        Say($"starting anvil on 127.0.0.1:{(s.Port == 0 ? "any" : s.Port)} and deploying the suite (scripts/deploy)");
        AgentClusterSuite suite;
        try
        {
            suite = await AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions
            {
                Anvil = new AnvilOptions { Port = s.Port == 0 ? null : s.Port },
                DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[AttestorIndex] },
                ReuseDeployment = false,
            }, ct).ConfigureAwait(false);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Testing.Anvil.KindVariable, kind);
        }

        IReadOnlyList<int> anvilPids = ChildAnvils();
        IHost? keepers = null;
        DashboardServer? dashboard = null;
        SwarmRunner? swarm = null;
        using var stopSummary = new CancellationTokenSource();
        Task summary = Task.CompletedTask;
        int code;
        try
        {
            Say($"anvil {suite.Node.RpcUrl} (pid {string.Join(",", anvilPids)}), suite deployed in {clock.Elapsed.TotalSeconds:F0} s");
            string manifestPath = Path.Combine(root, "manifest.json");
            DeploymentManifest m = suite.Manifest;
            await File.WriteAllTextAsync(manifestPath, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }), ct).ConfigureAwait(false);
            if (s.Manifest is { } extra)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(extra))!);
                File.Copy(manifestPath, extra, overwrite: true);
            }

            Say($"manifest {manifestPath}{(s.Manifest is { } also ? $" and {Path.GetFullPath(also)}" : "")}");
            if (s.FundAccounts > 0)
            {
                for (int i = 1; i < 10; i++)
                {
                    await suite.FundAsync(AnvilAccounts.Addresses[i], s.FundAccounts * BigInteger.Pow(10, 18), ct).ConfigureAwait(false);
                }

                Say($"anvil's accounts #1..#9 hold {s.FundAccounts} ACC each (keys: anvil's default mnemonic); #{AttestorIndex} is the attestor");
            }

            string indexPath = Path.Combine(root, "index.db");
            // A fresh chain: old journals, salts and the index belong to the previous one.
            foreach (string stale in Directory.EnumerateFiles(root, "*.db*"))
            {
                File.Delete(stale);
            }

            if (Directory.Exists(Path.Combine(root, "swarm")))
            {
                Directory.Delete(Path.Combine(root, "swarm"), recursive: true);
            }

            await suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", new Nethereum.Signer.EthECKey(keeperKey).GetPublicAddress(), "0x3635c9adc5dea00000")).ConfigureAwait(false);
            await using var firstClient = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = suite.Web3, Manifest = m }, cancellationToken: ct).ConfigureAwait(false);
            BigInteger startBlock = (await suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().ConfigureAwait(false)).Value;
            BigInteger supplyBefore = await firstClient.Contracts.Token.TotalSupplyQueryAsync().ConfigureAwait(false);
            BigInteger slashesBefore = await firstClient.Contracts.Staking.SlashCountQueryAsync().ConfigureAwait(false);

            // The keeper host in-process: every duty, an index file, health on a free port.
            int healthPort = FreePort();
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AgentCluster:Keepers:RpcUrl"] = suite.Node.RpcUrl.ToString(),
                ["AgentCluster:Keepers:ManifestPath"] = manifestPath,
                ["AgentCluster:Keepers:JournalPath"] = Path.Combine(root, "keeper-journal.db"),
                ["AgentCluster:Keepers:IndexDbPath"] = indexPath,
                ["AgentCluster:Keepers:PollInterval"] = "00:00:00.500",
                ["AgentCluster:Keepers:HealthPort"] = healthPort.ToString(CultureInfo.InvariantCulture),
                ["AgentCluster:Keepers:FlushProtocolFeesEvery"] = "00:00:05",
            });
            builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
            builder.Services.AddAgentClusterKeepers(builder.Configuration, o => o.Key = AgentKeySource.FromPrivateKey(keeperKey));
            keepers = builder.Build();
            await keepers.StartAsync(ct).ConfigureAwait(false);
            Say($"keepers running (assignment, committee, settlement; index {indexPath}; health http://127.0.0.1:{healthPort}/health/ready)");
            for (int i = 0; i < 100 && !File.Exists(indexPath); i++)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }

            var dashboardOptions = new DashboardOptions { IndexDbPath = indexPath, Port = s.DashboardPort, RpcUrl = suite.Node.RpcUrl };
            dashboardOptions.KeeperHealthUrls.Add(new Uri($"http://127.0.0.1:{healthPort}/health/ready"));
            dashboard = await DashboardServer.StartAsync(dashboardOptions, l => l.SetMinimumLevel(LogLevel.Error), ct).ConfigureAwait(false);
            Say($"dashboard {dashboard.Url}");

            var progress = new SyncProgress(line => Say(line));
            swarm = await SwarmRunner.StartAsync(new SwarmOptions
            {
                RpcUrl = suite.Node.RpcUrl,
                ChainId = suite.Node.ChainId,
                Manifest = m,
                AttestorPrivateKey = AnvilAccounts.PrivateKeys[AttestorIndex],
                FundAsync = suite.FundAsync,
                WorkDirectory = Path.Combine(root, "swarm"),
                Agents = s.Agents,
                Tasks = s.Tasks,
                UntilSettled = s.UntilSettled,
                Seed = s.Seed,
            }, progress, ct).ConfigureAwait(false);

            (int Before, int After)? fee = null;
            if (s.Governance)
            {
                fee = await LocalnetGovernance.RunAsync(suite, firstClient, Say, ct).ConfigureAwait(false);
            }

            SwarmRunner running = swarm;
            DashboardServer shown = dashboard;
            summary = Task.Run(async () =>
            {
                while (!stopSummary.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(2_000, stopSummary.Token).ConfigureAwait(false);
                        BigInteger block = (await suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().ConfigureAwait(false)).Value;
                        BigInteger onChainTasks = await firstClient.Contracts.TaskMarket.TaskCountQueryAsync().ConfigureAwait(false);
                        BigInteger slashes = await firstClient.Contracts.Staking.SlashCountQueryAsync().ConfigureAwait(false) - slashesBefore;
                        Say($"[live] block {block} | round {running.Round} | tasks on chain {onChainTasks} (swarm: submitted {running.Submitted}, settled {running.Settled}) "
                            + $"| slashes {slashes}, appeals {running.Appeals} | dashboard {shown.Url}");
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Say($"[live] summary stopped: {e.Message}"); // the summary is a view: its failure never stops the network
                        return;
                    }
                }
            }, CancellationToken.None);

            if (s.BlockTime is { } seconds)
            {
                // Interval mining from here on (deploy and set-up stay on automine: 1,000 agents set up a block a second take over 20 min).
                await suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "evm_setIntervalMining", seconds)).ConfigureAwait(false);
                Say($"anvil mines a block every {seconds} s from now on (--block-time)");
            }

            Say($"swarm of {s.Agents} agents running{(s.UntilSettled is { } n ? $" until {n} tasks are settled" : "")}; Ctrl-C stops");
            await swarm.RunAsync(ct).ConfigureAwait(false);
            await stopSummary.CancelAsync().ConfigureAwait(false);
            await summary.ConfigureAwait(false);
            Say(ct.IsCancellationRequested ? "stopping (Ctrl-C): reading the closing report" : "done: reading the closing report");

            NetworkReport report = await NetworkReport.ReadAsync(suite.Web3, firstClient, startBlock, supplyBefore, slashesBefore, swarm.TaskIds, CancellationToken.None).ConfigureAwait(false);
            Write(report, fee, s.Json, output);
            code = report.Conserved ? ExitCodes.Success : ConservationFailed;
            if (!report.Conserved)
            {
                error.WriteLine("localnet: error: ACC is not conserved (see the report)");
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
            await stopSummary.CancelAsync().ConfigureAwait(false);
            await summary.ConfigureAwait(false);
            if (swarm is not null)
            {
                await swarm.DisposeAsync().ConfigureAwait(false);
            }

            if (keepers is not null)
            {
                using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await keepers.StopAsync(stopTimeout.Token).ConfigureAwait(false);
                keepers.Dispose();
            }

            if (dashboard is not null)
            {
                await dashboard.DisposeAsync().ConfigureAwait(false);
            }

            await suite.DisposeAsync().ConfigureAwait(false);
            bool anvilGone = anvilPids.All(pid => !IsRunning(pid));
            Say(anvilGone ? "stopped: swarm, keepers, dashboard, anvil" : $"warning: anvil (pid {string.Join(",", anvilPids)}) is still running");
        }

        return code;
    }

    private static void Write(NetworkReport r, (int Before, int After)? fee, bool json, TextWriter output)
    {
        static string Acc(BigInteger wei) => (wei / BigInteger.Pow(10, 18)).ToString("N0", CultureInfo.InvariantCulture) + " ACC";
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                tasks = r.Tasks,
                settled = r.Settled,
                approvalRate = r.ApprovalRate,
                slashes = r.Slashes.ToString(CultureInfo.InvariantCulture),
                appeals = r.Appeals,
                governance = fee is { } f ? new { executed = true, feeBpsBefore = f.Before, feeBpsAfter = f.After } : null,
                burnedWei = r.Burned.ToString(CultureInfo.InvariantCulture),
                emissionsReleasedWei = r.EmissionsReleased.ToString(CultureInfo.InvariantCulture),
                conservation = new
                {
                    ok = r.Conserved,
                    supplyBeforeWei = r.SupplyBefore.ToString(CultureInfo.InvariantCulture),
                    supplyAfterWei = r.SupplyAfter.ToString(CultureInfo.InvariantCulture),
                    mintedWei = r.Minted.ToString(CultureInfo.InvariantCulture),
                    sumOfHoldersWei = r.SumOfHolders.ToString(CultureInfo.InvariantCulture),
                    holders = r.Holders,
                },
                gas = r.Gas.Select(g => new { function = g.Function, transactions = g.Transactions, gasUsed = g.GasUsed.ToString(CultureInfo.InvariantCulture) }),
                blocks = new { from = r.FromBlock.ToString(CultureInfo.InvariantCulture), to = r.ToBlock.ToString(CultureInfo.InvariantCulture) },
            }));
            return;
        }

        output.WriteLine($"tasks settled      {r.Settled} ({string.Join(", ", r.Tasks.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))})");
        output.WriteLine($"approval rate      {r.ApprovalRate:P1}");
        output.WriteLine($"slashes            {r.Slashes} ({r.Appeals} appealed)");
        output.WriteLine($"governance         {(fee is { } gv ? $"market fee {gv.Before} -> {gv.After} bps, proposed, voted, queued, executed after the timelock" : "skipped (--no-governance)")}");
        output.WriteLine($"fees burned        {Acc(r.Burned)} ({r.Burned} wei)");
        output.WriteLine($"emissions released {Acc(r.EmissionsReleased)}");
        output.WriteLine($"ACC conservation   {(r.Conserved ? "OK" : "FAILED")}: {r.Holders} holders hold {r.SumOfHolders} wei, total supply {r.SupplyAfter} wei "
                         + $"(before {r.SupplyBefore} + minted {r.Minted} - burned {r.Burned})");
        output.WriteLine($"gas by function (blocks {r.FromBlock + 1}..{r.ToBlock}, from the receipts)");
        foreach (GasStage g in r.Gas)
        {
            output.WriteLine($"  {g.Function,-24} {g.Transactions,6} tx {g.GasUsed,14:N0} gas");
        }
    }

    /// <summary>The anvil processes that are children of this process (Linux /proc), to check at exit that none is left.</summary>
    internal static IReadOnlyList<int> ChildAnvils()
    {
        int self = Environment.ProcessId;
        var found = new List<int>();
        foreach (string dir in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int close = stat.LastIndexOf(')');
                string comm = stat[(stat.IndexOf('(') + 1)..close];
                string[] rest = stat[(close + 2)..].Split(' ');
                if (comm == "anvil" && int.Parse(rest[1], CultureInfo.InvariantCulture) == self)
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    internal static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Sha3Key(string text) =>
        Nethereum.Hex.HexConvertors.Extensions.HexByteConvertorExtensions.ToHex(Nethereum.Util.Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}

/// <summary>The options of <c>localnet up</c>, checked before anything starts.</summary>
internal sealed record LocalnetSettings
{
    public int Agents { get; init; } = 50;

    public int? Tasks { get; init; }

    public int Seed { get; init; } = 1;

    public int? UntilSettled { get; init; }

    public int DashboardPort { get; init; } = 8080;

    public int Port { get; init; } = 8545;

    public string Chain { get; init; } = "evm";

    public string Directory { get; init; } = ".localnet";

    public bool Json { get; init; }

    public string? Manifest { get; init; }

    public int FundAccounts { get; init; }

    public bool Governance { get; init; } = true;

    public int? BlockTime { get; init; }

    public void Validate()
    {
        if (Chain is "solana" or "both")
        {
            throw new CliInputException("--chain", $"'{Chain}' is not available yet: the Solana programs have no localnet path; only 'evm' runs today.");
        }

        if (Chain != "evm")
        {
            throw new CliInputException("--chain", $"must be evm (solana and both come later); got '{Chain}'.");
        }

        if (Agents is < 11 or > 1_000)
        {
            throw new CliInputException("--agents", $"must be 11..1000 (a committee of 10 besides the executor); got {Agents}.");
        }

        if (Tasks is < 1)
        {
            throw new CliInputException("--tasks", $"must be at least 1; got {Tasks}.");
        }

        if (UntilSettled is < 1)
        {
            throw new CliInputException("--until-settled", $"must be at least 1; got {UntilSettled}.");
        }

        if (DashboardPort is < 0 or > 65_535)
        {
            throw new CliInputException("--dashboard-port", $"must be 0..65535; got {DashboardPort}.");
        }

        if (FundAccounts is < 0 or > 1_000_000)
        {
            throw new CliInputException("--fund-accounts", $"must be 0..1000000 ACC; got {FundAccounts}.");
        }

        if (BlockTime is < 1 or > 60)
        {
            throw new CliInputException("--block-time", $"must be 1..60 seconds between blocks; got {BlockTime}.");
        }

        if (Port is < 0 or > 65_535)
        {
            throw new CliInputException("--port", $"must be 0..65535; got {Port}.");
        }
    }
}
