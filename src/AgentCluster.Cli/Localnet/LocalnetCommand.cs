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
using AgentCluster.Swarm.Networks;
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

    /// <summary>The genesis timestamp of every fresh localnet (2026-01-01T00:00:00Z): with one second per block, a reproducible clock.</summary>
    internal const long GenesisTimestamp = 1_767_225_600;

    public static Command Build()
    {
        var agents = new Option<int>("--agents") { Description = "Simulated agents (11..1000).", DefaultValueFactory = _ => 50 };
        var tasks = new Option<int?>("--tasks") { Description = "Tasks to submit in all (default: until Ctrl-C or --until-settled)." };
        var seed = new Option<int>("--seed") { Description = "Seed of every key and choice (a reproducible run).", DefaultValueFactory = _ => 1 };
        var untilSettled = new Option<int?>("--until-settled") { Description = "Stop by itself after N settled tasks (scripts, CI)." };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "Dashboard port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 8080 };
        var port = new Option<int>("--port") { Description = "anvil's port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 8545 };
        var chain = new Option<string>("--chain") { Description = "The chain: evm, solana or both (side by side).", DefaultValueFactory = _ => "evm" };
        var solanaPort = new Option<int>("--solana-port") { Description = "The Solana localnet server's port on 127.0.0.1 (--chain solana|both; 0: any free port).", DefaultValueFactory = _ => 8899 };
        var dir = new Option<string>("--dir") { Description = "State directory (manifest, index, journals).", DefaultValueFactory = _ => ".localnet" };
        var json = new Option<bool>("--json") { Description = "Print the closing report as JSON." };
        var manifest = new Option<string>("--manifest") { Description = "Also write the deployment manifest here (default: <dir>/manifest.json only)." };
        var noGovernance = new Option<bool>("--no-governance") { Description = "Skip the governance round (the swarm votes a market fee proposal and the decision of its appeal; executed after the timelock)." };
        var fresh = new Option<bool>("--fresh") { Description = "Start over: delete the saved network in --dir (chain, manifest, index, journals) and deploy anew." };
        var resume = new Option<bool>("--resume") { Description = "Continue the saved network in --dir (same chain, no deploy; refused when there is none)." };
        var blockTime = new Option<int?>("--block-time") { Description = "Once the swarm is set up, mine a block every S seconds (1..60) instead of one per transaction." };
        var fund = new Option<int>("--fund-accounts") { Description = "ACC sent to each of anvil's accounts #1..#9 for trying the CLI by hand (default 0: none).", DefaultValueFactory = _ => 0 };
        var up = new Command("up", "Start anvil, deploy, run the keepers, the dashboard and a simulated swarm; Ctrl-C stops it and prints the report.")
        {
            agents, tasks, seed, untilSettled, dashboardPort, port, chain, dir, json, manifest, fund, noGovernance, fresh, resume, blockTime, solanaPort,
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
                Fresh = parse.GetValue(fresh),
                Resume = parse.GetValue(resume),
                SeedGiven = parse.GetResult(seed) is { Implicit: false },
                AgentsGiven = parse.GetResult(agents) is { Implicit: false },
                Interactive = !Console.IsInputRedirected,
                SolanaPort = parse.GetValue(solanaPort),
                SolanaPortGiven = parse.GetResult(solanaPort) is { Implicit: false },
                EvmOnlyGiven = [.. new Option[] { port, manifest, fund, noGovernance, resume, blockTime }
                    .Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name)],
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
        LocalnetSummary? live = null;
        void Say(string line)
        {
            if (live?.TryPost(line) != true)
            {
                error.WriteLine($"localnet: {line}");
            }
        }

        string root = Path.GetFullPath(s.Directory);
        Directory.CreateDirectory(root);
        if (s.Chain == "solana")
        {
            return await LocalnetSolanaRun.RunAsync(s, root, output, error, ct).ConfigureAwait(false);
        }

        var state = new LocalnetState(root);
        var clock = Stopwatch.StartNew();

        // An anvil an earlier `up` left running (its command was killed: kill -9): stopped first; SIGTERM makes it write its chain.
        IReadOnlyList<int> orphans;
        try
        {
            orphans = await state.StopOrphansAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Say("stopped by Ctrl-C while stopping an earlier anvil: nothing started");
            return ExitCodes.Success;
        }

        if (orphans.Count > 0)
        {
            Say($"stopped an anvil left running by an earlier up on {root} (pid {string.Join(",", orphans)}; its chain saved)");
        }

        // Resume the saved network or start fresh (docs/localnet.md, "As built: lifecycle").
        SavedRun? saved = state.Saved();
        bool resuming = Resuming(s, saved, state, error, Say);
        if (resuming)
        {
            s = s with { Seed = saved!.Seed, Agents = saved.Agents };
        }
        else
        {
            state.Clear();
        }

        string keeperKey = Sha3Key($"agentcluster-localnet/{s.Seed}/keeper");

        // anvil as a child process (never a container: it must die with this command), the suite deployed by scripts/deploy.
        // AGENTCLUSTER_ANVIL=process for this start only (restored at once: in a test host other suites keep their own choice).
        string? kind = Environment.GetEnvironmentVariable(Testing.Anvil.KindVariable);
        Environment.SetEnvironmentVariable(Testing.Anvil.KindVariable, AnvilKinds.Process);
        Say(resuming
            ? $"starting anvil on 127.0.0.1:{(s.Port == 0 ? "any" : s.Port)} from the saved chain {state.AnvilStateFile} (no deploy)"
            : $"starting anvil on 127.0.0.1:{(s.Port == 0 ? "any" : s.Port)} and deploying the suite (scripts/deploy)");
        AgentClusterSuite suite;
        try
        {
            suite = await AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions
            {
                // A reproducible clock: a fixed genesis and one second per block, whatever the wall clock (the swarm and the governance
                // round move it past the market's windows with evm_setNextBlockTimestamp). A resumed chain keeps its own genesis.
                Anvil = new AnvilOptions
                {
                    Port = s.Port == 0 ? null : s.Port,
                    StateFile = state.AnvilStateFile,
                    BlockTimestampInterval = TimeSpan.FromSeconds(1),
                    // anvil loads ~8 MB and writes ~20 MB of saved chain per second (~12 KB per block): room for long runs.
                    StartTimeout = TimeSpan.FromSeconds(Math.Min(600, 30 + state.SavedChainBytes() / 5_000_000)),
                    StopTimeout = TimeSpan.FromMinutes(3),
                    ExtraArguments = resuming ? [] : ["--timestamp", GenesisTimestamp.ToString(CultureInfo.InvariantCulture)],
                },
                DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[AttestorIndex] },
                ReuseDeployment = false,
                ExistingDeployment = resuming ? state.Manifest() : null,
            }, ct).ConfigureAwait(false);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Testing.Anvil.KindVariable, kind);
        }

        IReadOnlyList<int> anvilPids = ChildAnvils();
        state.WritePids(anvilPids);
        LocalnetSolanaSide? solana = null;
        Task solanaRun = Task.CompletedTask;
        IHost? keepers = null;
        DashboardServer? dashboard = null;
        SwarmRunner? swarm = null;
        using var stopSummary = new CancellationTokenSource();
        Task summary = Task.CompletedTask;
        int code;
        try
        {
            string manifestPath = state.ManifestFile;
            DeploymentManifest m = suite.Manifest;
            if (resuming)
            {
                // anvil restarts its clock from the wall clock, which is not the saved chain's (moved past windows, or a fixed genesis in the
                // past): evm_setTime puts it back to the last block's time (evm_setNextBlockTimestamp cannot go below the wall clock after
                // a load), so the chain's clock continues where it stopped, a second per block.
                var last = await suite.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest()).ConfigureAwait(false);
                await suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "evm_setTime", (ulong)last.Timestamp.Value)).ConfigureAwait(false);
                await suite.MineAsync(1, ct).ConfigureAwait(false);
                Say($"anvil {suite.Node.RpcUrl} (pid {string.Join(",", anvilPids)}), resumed the saved chain at block {last.Number.Value} "
                    + $"(chain time {DateTimeOffset.FromUnixTimeSeconds((long)last.Timestamp.Value):u}, continued from there) in {clock.Elapsed.TotalSeconds:F0} s");
            }
            else
            {
                Say($"anvil {suite.Node.RpcUrl} (pid {string.Join(",", anvilPids)}), suite deployed in {clock.Elapsed.TotalSeconds:F0} s");
                await File.WriteAllTextAsync(manifestPath, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }), ct).ConfigureAwait(false);
                state.Save(new SavedRun(s.Seed, s.Agents, m.ChainId, DateTimeOffset.UtcNow));
            }

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

            string indexPath = Path.Combine(root, "index.db"); // a fresh chain cleared the old one; a resumed chain continues it
            await suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", new Nethereum.Signer.EthECKey(keeperKey).GetPublicAddress(), "0x3635c9adc5dea00000")).ConfigureAwait(false);
            await using var firstClient = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = suite.Web3, Manifest = m }, cancellationToken: ct).ConfigureAwait(false);
            BigInteger startBlock = (await suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().ConfigureAwait(false)).Value;
            BigInteger supplyBefore = await firstClient.Contracts.Token.TotalSupplyQueryAsync().ConfigureAwait(false);
            BigInteger slashesBefore = await firstClient.Contracts.Staking.SlashCountQueryAsync().ConfigureAwait(false);

            Dictionary<string, string?>? solanaKeeper = null;
            if (s.Chain == "both")
            {
                // The Solana side: its own server (a child process), its keeper in the same host as the EVM keepers (below).
                solana = await LocalnetSolanaSide.StartAsync(root, s.SolanaPort, Say, ct).ConfigureAwait(false);
                solanaKeeper = await solana.PrepareKeeperAsync(s.Seed, ct).ConfigureAwait(false);
            }

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
            // Logs go to stderr with the progress lines: stdout holds only the report (`--json` is parsed by scripts).
            builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Services.AddAgentClusterKeepers(builder.Configuration, o => o.Key = AgentKeySource.FromPrivateKey(keeperKey));
            if (solanaKeeper is not null)
            {
                builder.Configuration.AddInMemoryCollection(solanaKeeper);
                builder.Services.AddAgentClusterSolanaKeepers(builder.Configuration);
            }

            keepers = builder.Build();
            await keepers.StartAsync(ct).ConfigureAwait(false);
            Say($"keepers running (assignment, committee, settlement{(solanaKeeper is null ? "" : "; and the Solana keeper in the same host")}; index {indexPath}; health http://127.0.0.1:{healthPort}/health/ready)");
            for (int i = 0; i < 100 && !File.Exists(indexPath); i++)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }

            var dashboardOptions = new DashboardOptions
            {
                IndexDbPath = indexPath, Port = s.DashboardPort, RpcUrl = suite.Node.RpcUrl,
                // With both chains: the Solana program's agents and tasks beside the EVM index's, and the chain switch on the page.
                SolanaRpcUrl = solana?.Node.RpcUrl, SolanaProgramId = solana?.Node.Info.ProgramId,
            };
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
                // The governance round runs inside the swarm (SwarmGovernance.cs): the deployer's emissions and votes, the swarm's votes.
                Governance = s.Governance ? new SwarmGovernanceOptions { Deployer = firstClient, ReleaseEmissionsAsync = suite.ReleaseEmissionsAsync } : null,
            }, progress, ct).ConfigureAwait(false);

            SwarmRunner running = swarm;
            DashboardServer shown = dashboard;
            var sinceStart = Stopwatch.StartNew();
            async Task<SummaryFigures> ReadFiguresAsync()
            {
                BigInteger block = (await suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().ConfigureAwait(false)).Value;
                BigInteger onChainTasks = await firstClient.Contracts.TaskMarket.TaskCountQueryAsync().ConfigureAwait(false);
                BigInteger slashes = await firstClient.Contracts.Staking.SlashCountQueryAsync().ConfigureAwait(false) - slashesBefore;
                AgentCluster.Keepers.Indexing.NetworkSnapshot? snapshot = shown.Feed.Snapshot;
                IReadOnlyList<AgentCluster.Keepers.Indexing.NetworkTask> indexed = snapshot?.Tasks ?? [];
                TaskStageCounts stages = TaskStageCounts.Of(indexed);
                int settledThisRun = indexed.Count(t => t.Outcome is not null && t.SubmittedBlock > startBlock);
                IReadOnlyList<HealthAlert> alerts = shown.Feed.Alerts;
                return new SummaryFigures(block, snapshot?.Head.Cursor, running.Round, onChainTasks, stages, settledThisRun,
                    settledThisRun / Math.Max(sinceStart.Elapsed.TotalMinutes, 1.0 / 60), stages.Settled == 0 ? null : (double)stages.Accepted / stages.Settled,
                    slashes, running.Appeals, alerts.Count,
                    alerts.Count == 0 ? null : $"{alerts[^1].Level} {alerts[^1].Series} {alerts[^1].Value.ToString("G4", CultureInfo.InvariantCulture)} (expected {alerts[^1].Expected.ToString("G4", CultureInfo.InvariantCulture)})",
                    running.Submitted, running.Settled, shown.Url);
            }

            live = new LocalnetSummary(ReadFiguresAsync, error, LocalnetSummary.TerminalOrNull(error));
            summary = live.RunAsync(stopSummary.Token);

            if (s.BlockTime is { } seconds)
            {
                // Interval mining from here on (deploy and set-up stay on automine: 1,000 agents set up a block a second take over 20 min).
                await suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "evm_setIntervalMining", seconds)).ConfigureAwait(false);
                Say($"anvil mines a block every {seconds} s from now on (--block-time)");
            }

            if (solana is not null)
            {
                // The Solana swarm beside the EVM one: both run at once, each to its own end.
                LocalnetSolanaSide side = solana;
                solanaRun = Task.Run(() => side.RunSwarmAsync(s.Agents, s.Tasks, s.UntilSettled, s.Seed, progress, ct), CancellationToken.None);
            }

            Say($"swarm of {s.Agents} agents running{(s.UntilSettled is { } n ? $" until {n} tasks are settled" : "")}; Ctrl-C stops");
            await swarm.RunAsync(ct).ConfigureAwait(false);
            await solanaRun.ConfigureAwait(false);
            await stopSummary.CancelAsync().ConfigureAwait(false);
            await summary.ConfigureAwait(false);
            Say(ct.IsCancellationRequested ? "stopping (Ctrl-C): reading the closing report" : "done: reading the closing report");

            NetworkReport report = await NetworkReport.ReadAsync(suite.Web3, firstClient, startBlock, supplyBefore, slashesBefore, swarm.TaskIds, CancellationToken.None).ConfigureAwait(false);
            IReadOnlyList<BigInteger> ids = swarm.TaskIds;
            LocalnetReproducible same = await LocalnetReproducible.ReadAsync(suite.Web3, firstClient, swarm, startBlock, CancellationToken.None).ConfigureAwait(false);
            SolanaNetworkReport? solanaReport = solana is null ? null : await solana.ReadReportAsync().ConfigureAwait(false);
            Write(report, swarm, s.Governance,
                new RunInfo(resuming, swarm.AlreadyRegistered, swarm.RegisteredNow, ids.Count > 0 ? ids.Min() : null, ids.Count > 0 ? ids.Max() : null, same), s.Json, output,
                solanaReport is null ? null : (solanaReport, solana!));
            code = report.Conserved && solanaReport?.Conserved != false ? (solana?.SwarmError is null ? ExitCodes.Success : ExitCodes.BadInput) : ConservationFailed;
            if (solanaReport?.Conserved == false)
            {
                error.WriteLine("localnet: error: ACC is not conserved on Solana (see the report)");
            }

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
            try
            {
                await solanaRun.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                error.WriteLine($"localnet: error: the Solana side: {e.GetType().Name}: {e.Message}");
            }

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

            if (solana is not null)
            {
                await solana.DisposeAsync().ConfigureAwait(false);
            }

            if (dashboard is not null)
            {
                await dashboard.DisposeAsync().ConfigureAwait(false);
            }

            // SIGTERM: anvil writes its chain to the state file (bounded: the node kills it after StopTimeout and says so).
            try
            {
                await suite.Node.StopAsync(CancellationToken.None).ConfigureAwait(false);
                Say($"chain saved to {state.AnvilStateFile} (a later `up` resumes it; --fresh starts over)");
            }
            catch (AnvilException e)
            {
                Say($"warning: anvil's chain may not be saved: {e.Message.Split('\n')[0]}");
            }

            await suite.DisposeAsync().ConfigureAwait(false);
            state.ForgetPids();
            bool anvilGone = anvilPids.All(pid => !IsRunning(pid));
            Say(anvilGone ? "stopped: swarm, keepers, dashboard, anvil" : $"warning: anvil (pid {string.Join(",", anvilPids)}) is still running");
        }

        return code;
    }

    /// <summary>
    /// Whether this <c>up</c> resumes the saved network: <c>--resume</c> (refused when there is none), <c>--fresh</c> (never), neither: ask
    /// on an interactive terminal, else resume and say so. A different <c>--seed</c> or <c>--agents</c> than the saved run's is refused.
    /// </summary>
    private static bool Resuming(LocalnetSettings s, SavedRun? saved, LocalnetState state, TextWriter error, Action<string> say)
    {
        if (saved is null)
        {
            if (s.Resume)
            {
                throw new CliInputException("--resume",
                    $"there is nothing to resume in {state.Root}: no saved network (anvil-state.json, localnet.json and manifest.json); run without --resume to deploy a fresh one.");
            }

            return false;
        }

        string what = $"the saved network in {state.Root} (seed {saved.Seed}, {saved.Agents} agents, deployed {saved.Created:u})";
        if (s.Fresh)
        {
            say($"--fresh: {what} is deleted; deploying anew");
            return false;
        }

        if (s.SeedGiven && s.Seed != saved.Seed)
        {
            throw new CliInputException("--seed",
                $"{what} was started with --seed {saved.Seed}, not {s.Seed}: resume it with --seed {saved.Seed} (or no --seed), or start over with --fresh.");
        }

        if (s.AgentsGiven && s.Agents != saved.Agents)
        {
            throw new CliInputException("--agents",
                $"{what} has {saved.Agents} agents, not {s.Agents}: resume it with --agents {saved.Agents} (or no --agents), or start over with --fresh.");
        }

        if (s.Resume)
        {
            say($"--resume: continuing {what}");
            return true;
        }

        if (s.Interactive)
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                error.Write($"localnet: {what} exists. Resume it, or start fresh (deletes it)? [R/f] ");
                error.Flush();
                string answer = (Console.In.ReadLine() ?? "").Trim().ToLowerInvariant();
                if (answer is "" or "r" or "resume")
                {
                    say($"resuming {what}");
                    return true;
                }

                if (answer is "f" or "fresh")
                {
                    say($"starting fresh: {what} is deleted");
                    return false;
                }
            }
        }

        say($"resuming {what} ({(s.Interactive ? "no clear answer" : "stdin is not a terminal")}; --fresh starts over)");
        return true;
    }

    private static void Write(NetworkReport r, SwarmRunner swarm, bool governanceOn, RunInfo run, bool json, TextWriter output,
        (SolanaNetworkReport Report, LocalnetSolanaSide Side)? solana = null)
    {
        static string Acc(BigInteger wei) => (wei / BigInteger.Pow(10, 18)).ToString("N0", CultureInfo.InvariantCulture) + " ACC";
        static string Wei(BigInteger wei) => wei.ToString(CultureInfo.InvariantCulture);
        SwarmGovernanceOutcome? gv = swarm.GovernanceOutcome;
        HashSet<string> swarmAccounts = new(swarm.VoterAccounts, StringComparer.OrdinalIgnoreCase);
        var behaviours = swarm.Agents.ToDictionary(a => a.AgentId, a => a.Behaviour);
        string BehaviourOf(BigInteger agent) => behaviours.TryGetValue(agent, out Behaviour b) ? b.ToString() : "unknown";
        BigInteger SwarmWeight(ProposalOutcome p, string support) =>
            p.Votes.Where(v => v.Support == support && swarmAccounts.Contains(v.Voter)).Aggregate(BigInteger.Zero, (sum, v) => sum + v.Weight);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                tasks = r.Tasks,
                settled = r.Settled,
                approvalRate = r.ApprovalRate,
                slashes = r.Slashes.ToString(CultureInfo.InvariantCulture),
                appeals = r.Appeals,
                network = new
                {
                    mode = run.Resumed ? "resumed" : "fresh",
                    agentsRegisteredBefore = run.AgentsRegisteredBefore,
                    agentsRegisteredNow = run.AgentsRegisteredNow,
                    firstTask = run.FirstTask?.ToString(CultureInfo.InvariantCulture),
                    lastTask = run.LastTask?.ToString(CultureInfo.InvariantCulture),
                },
                reproducible = new
                {
                    genesisTimestamp = run.Seed.GenesisTimestamp,
                    firstAgent = run.Seed.FirstAgent,
                    agents = run.Seed.Agents,
                    tasks = run.Seed.Tasks,
                    committees = run.Seed.Committees,
                },
                appealDecisions = r.AppealOutcomes.Select(a => new
                {
                    slashId = Wei(a.SlashId),
                    agentId = Wei(a.AgentId),
                    behaviour = BehaviourOf(a.AgentId),
                    decision = a.Decision,
                    proposed = gv?.Appeal is { } ap && ap.SlashId == a.SlashId ? ap.Proposed.ToString() : null,
                    why = gv?.Appeal is { } why && why.SlashId == a.SlashId ? why.Why : null,
                }),
                governance = gv is { } f ? new { executed = f.FeeBpsAfter != f.FeeBpsBefore, feeBpsBefore = f.FeeBpsBefore, feeBpsAfter = f.FeeBpsAfter } : null,
                proposals = r.Proposals.Select(p => new
                {
                    id = Wei(p.Id),
                    description = p.Description,
                    state = p.State,
                    forVotesWei = Wei(p.For),
                    againstVotesWei = Wei(p.Against),
                    abstainVotesWei = Wei(p.Abstain),
                    votes = p.Votes.Count,
                    swarmVotes = p.Votes.Count(v => swarmAccounts.Contains(v.Voter)),
                    swarmForWei = Wei(SwarmWeight(p, "For")),
                    swarmAgainstWei = Wei(SwarmWeight(p, "Against")),
                    swarmAbstainWei = Wei(SwarmWeight(p, "Abstain")),
                    votesCast = p.Votes.Select(v => new { voter = v.Voter, swarm = swarmAccounts.Contains(v.Voter), support = v.Support, weightWei = Wei(v.Weight), reason = v.Reason }),
                }),
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
                solana = solana is { } sj ? LocalnetSolanaSide.Json(sj.Report, sj.Side.Swarm, sj.Side.Node) : null,
            }));
            return;
        }

        output.WriteLine($"network            {(run.Resumed ? $"resumed ({run.AgentsRegisteredBefore} agents registered before, {run.AgentsRegisteredNow} now)" : $"fresh ({run.AgentsRegisteredNow} agents registered)")}, "
                         + $"tasks {run.FirstTask?.ToString(CultureInfo.InvariantCulture) ?? "-"}..{run.LastTask?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        output.WriteLine($"seed fingerprints  agents {run.Seed.Agents}, tasks {run.Seed.Tasks}, committees {run.Seed.Committees} (genesis {run.Seed.GenesisTimestamp})");
        output.WriteLine($"tasks settled      {r.Settled} ({string.Join(", ", r.Tasks.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))})");
        output.WriteLine($"approval rate      {r.ApprovalRate:P1}");
        output.WriteLine($"slashes            {r.Slashes} ({r.Appeals} appealed)");
        foreach (AppealOutcome a in r.AppealOutcomes)
        {
            output.WriteLine($"  appeal           slash {a.SlashId} of agent {a.AgentId} ({BehaviourOf(a.AgentId)}): {a.Decision}"
                + (gv?.Appeal is { } ap && ap.SlashId == a.SlashId ? $" (proposed {ap.Proposed}: {ap.Why})" : ""));
        }

        output.WriteLine($"governance         {(gv is { } g0 ? $"market fee {g0.FeeBpsBefore} -> {g0.FeeBpsAfter} bps, " + (g0.FeeBpsAfter != g0.FeeBpsBefore ? "proposed, voted, queued, executed after the timelock" : "the proposal did not pass") : governanceOn ? "not finished (stopped before it ended)" : "skipped (--no-governance)")}");
        foreach (ProposalOutcome p in r.Proposals)
        {
            int bySwarm = p.Votes.Count(v => swarmAccounts.Contains(v.Voter));
            output.WriteLine($"  proposal         {p.State}: {p.Description}");
            output.WriteLine($"                   for {Acc(p.For)}, against {Acc(p.Against)}, abstain {Acc(p.Abstain)} (governor's tallies); {p.Votes.Count} votes, {bySwarm} by the swarm's accounts "
                + $"(for {Acc(SwarmWeight(p, "For"))}, against {Acc(SwarmWeight(p, "Against"))}, abstain {Acc(SwarmWeight(p, "Abstain"))})");
        }

        output.WriteLine($"fees burned        {Acc(r.Burned)} ({r.Burned} wei)");
        output.WriteLine($"emissions released {Acc(r.EmissionsReleased)}");
        output.WriteLine($"ACC conservation   {(r.Conserved ? "OK" : "FAILED")}: {r.Holders} holders hold {r.SumOfHolders} wei, total supply {r.SupplyAfter} wei "
                         + $"(before {r.SupplyBefore} + minted {r.Minted} - burned {r.Burned})");
        output.WriteLine($"gas by function (blocks {r.FromBlock + 1}..{r.ToBlock}, from the receipts)");
        foreach (GasStage g in r.Gas)
        {
            output.WriteLine($"  {g.Function,-24} {g.Transactions,6} tx {g.GasUsed,14:N0} gas");
        }

        if (solana is { } st)
        {
            LocalnetSolanaSide.WriteText(st.Report, st.Side.Swarm, output);
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

/// <summary>What the closing report says of the network itself: fresh or resumed, agents registered before and now, this run's tasks.</summary>
internal sealed record RunInfo(bool Resumed, int AgentsRegisteredBefore, int AgentsRegisteredNow, BigInteger? FirstTask, BigInteger? LastTask, LocalnetReproducible Seed);

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

    /// <summary><c>--block-time S</c>: interval mining (a block every S seconds) once the swarm is set up; null: automine throughout.</summary>
    public int? BlockTime { get; init; }

    /// <summary><c>--fresh</c>: delete the saved network and deploy anew.</summary>
    public bool Fresh { get; init; }

    /// <summary><c>--resume</c>: continue the saved network (refused when there is none).</summary>
    public bool Resume { get; init; }

    /// <summary>Whether <c>--seed</c> was given (else a resume takes the saved run's).</summary>
    public bool SeedGiven { get; init; } = true;

    /// <summary>Whether <c>--agents</c> was given (else a resume takes the saved run's).</summary>
    public bool AgentsGiven { get; init; } = true;

    /// <summary>stdin is a terminal: with a saved network and neither --fresh nor --resume, ask.</summary>
    public bool Interactive { get; init; }

    /// <summary><c>--solana-port</c>: the Solana localnet server's port (0: any free port).</summary>
    public int SolanaPort { get; init; } = 8899;

    /// <summary>Whether <c>--solana-port</c> was given.</summary>
    public bool SolanaPortGiven { get; init; }

    /// <summary>The options given that only the EVM side takes (refused with <c>--chain solana</c>).</summary>
    public IReadOnlyList<string> EvmOnlyGiven { get; init; } = [];

    public void Validate()
    {
        if (Chain is not ("evm" or "solana" or "both"))
        {
            throw new CliInputException("--chain", $"must be evm, solana or both; got '{Chain}'.");
        }

        if (Chain == "solana" && EvmOnlyGiven.Count > 0)
        {
            string option = EvmOnlyGiven[0];
            throw new CliInputException(option, option switch
            {
                "--resume" => "--chain solana cannot resume: the Solana localnet server keeps no chain between runs (every up starts it fresh); drop --resume.",
                _ => $"{option} is an EVM option (anvil, its deployment and governance) and --chain solana runs no EVM chain; drop it, or use --chain evm or both.",
            });
        }

        if (Chain == "evm" && SolanaPortGiven)
        {
            throw new CliInputException("--solana-port", "is for --chain solana or both; --chain evm runs no Solana server.");
        }

        if (SolanaPort is < 0 or > 65_535)
        {
            throw new CliInputException("--solana-port", $"must be 0..65535; got {SolanaPort}.");
        }

        if (Chain == "both" && SolanaPort != 0 && SolanaPort == Port)
        {
            throw new CliInputException("--solana-port", $"must differ from --port ({Port}): anvil and the Solana server both listen on 127.0.0.1.");
        }

        if (Chain != "evm" && SolanaPort != 0 && SolanaPort == DashboardPort)
        {
            throw new CliInputException("--solana-port", $"must differ from --dashboard-port ({DashboardPort}): the dashboard and the Solana server both listen on 127.0.0.1.");
        }

        if (Fresh && Resume)
        {
            throw new CliInputException("--resume", "--fresh and --resume cannot be given together (--fresh deletes what --resume continues).");
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
