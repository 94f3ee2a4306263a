// Swarm bench (`scripts/bench swarm`, through bench/swarm/run.sh): measures the main job as a user runs it. For each network size (50, 200
// and 1,000 agents by default) it starts the real `dotnet agentcluster.dll localnet up --agents N --until-settled M --seed 1 --port 0
// --dashboard-port 0 --dir <temp> --json --no-governance --block-time S` as a child process, reads from its stderr the anvil URL and pid
// and the dashboard URL, and meanwhile:
//  - watches the chain (eth_blockNumber every 20 ms): the wall-clock time each block was first seen;
//  - reads the market's events and block timestamps of the task phase as they come (anvil dies with the localnet);
//  - opens the dashboard in Debian's chromium through Microsoft.Playwright and records each paint of an event (the page's
//    window.__acLastEvent = {block, receivedAt, renderedAt}, captured by an init script that wraps the property);
//  - samples VmHWM (/proc/<pid>/status) of the localnet process, of its anvil and of every chromium process, until they exit.
// Prints '#' lines defining the figures, then one line per size:
//   agents=<n> tasks_settled_per_min=<x> keeper_lag_blocks_p50=<y> keeper_lag_blocks_p95=<z> dashboard_latency_ms_p50=<a>
//   dashboard_latency_ms_p95=<b> peak_rss_mb_localnet=<m> peak_rss_mb_anvil=<n> peak_rss_mb_chromium=<c>
// Everything is bounded (a timeout per size); the localnet's process tree and the browser are stopped on any exit. docs/localnet-bench.md.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Bench;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Sdk;
using Microsoft.Playwright;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

SwarmBenchOptions o;
try
{
    o = SwarmBenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"bench swarm: {e.Message}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
using PosixSignalRegistration onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    cancel.Cancel();
});

TextWriter figures = Console.Out;
figures.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"# swarm bench: localnet up --seed 1 --no-governance --block-time {o.BlockTimeSeconds} (interval mining once the swarm is set up), --until-settled {(o.Tasks is { } t ? t.ToString(CultureInfo.InvariantCulture) : "3 rounds (3 x agents/5)")}; cpus={Environment.ProcessorCount}"));
figures.WriteLine("# tasks_settled_per_min: tasks with a TaskSettled event / wall time from the first block holding a TaskSubmitted to the first block holding the last TaskSettled (times: when the bench first saw each block, polling every 20 ms)");
figures.WriteLine("# keeper_lag_blocks: per task settled Accepted/Rejected/Inconclusive (not Refunded: no committee), blocks from the first block in which it can be settled (timestamp >= its reveal window's end, or its last reveal when every member revealed) to its TaskSettled; p50/p95 (nearest rank)");
figures.WriteLine("# dashboard_latency_ms: per paint of an event in the browser (window.__acLastEvent.renderedAt, after two animation frames), renderedAt - the time the bench first saw that event's block; blocks of the task phase only; p50/p95");
figures.WriteLine("# peak_rss_mb: VmHWM from /proc/<pid>/status, last value read before exit (sampled every 250 ms): the localnet process (keepers, dashboard and swarm in it), its anvil, and the sum over every chromium process of the browser (main, renderer, GPU, utility; shared pages counted in each)");
figures.Flush();
foreach (int size in o.Sizes)
{
    if (cancel.IsCancellationRequested)
    {
        break;
    }

    var run = new SwarmRun(size, o);
    SizeResult r;
    try
    {
        r = await run.RunAsync(cancel.Token);
    }
    catch (Exception e) when (e is TimeoutException or InvalidOperationException or OperationCanceledException or PlaywrightException)
    {
        Console.Error.WriteLine($"# agents={size}: failed: {e.GetType().Name}: {e.Message}");
        figures.WriteLine($"# agents={size}: no figures ({e.GetType().Name}: {e.Message}); so far: {run.Partial()}");
        figures.Flush();
        continue;
    }

    figures.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"agents={size} tasks_settled_per_min={r.TasksPerMinute:0.0} keeper_lag_blocks_p50={r.LagP50} keeper_lag_blocks_p95={r.LagP95} dashboard_latency_ms_p50={r.LatencyP50:0} dashboard_latency_ms_p95={r.LatencyP95:0} peak_rss_mb_localnet={r.RssLocalnetMb:0} peak_rss_mb_anvil={r.RssAnvilMb:0} peak_rss_mb_chromium={r.RssChromiumMb:0}"));
    figures.Flush();
}

return 0;

/// <summary>The figures of one size.</summary>
internal sealed record SizeResult(double TasksPerMinute, long LagP50, long LagP95, double LatencyP50, double LatencyP95, double RssLocalnetMb, double RssAnvilMb, double RssChromiumMb);

/// <summary>One `localnet up` run and everything measured around it.</summary>
internal sealed partial class SwarmRun(int agents, SwarmBenchOptions options)
{
    private readonly ConcurrentDictionary<ulong, double> _firstSeenMs = new();
    private readonly List<(ulong Block, double ReceivedAt, double RenderedAt)> _renders = [];
    private readonly ConcurrentDictionary<int, long> _hwmKb = new();
    private readonly TaskCompletionSource<(Uri Url, int Pid)> _anvil = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Uri> _dashboard = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _taskPhase = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stdout = new();
    private long _head = -1;

    // The task phase's chain data, read while it runs.
    private readonly Dictionary<ulong, long> _blockTimes = [];
    private readonly Dictionary<BigInteger, (ulong Block, int CommitteeSize)> _submitted = [];
    private readonly Dictionary<BigInteger, long> _revealEndsAt = [];
    private readonly Dictionary<BigInteger, (int Count, ulong AllRevealedIn)> _reveals = [];
    private readonly Dictionary<BigInteger, (ulong Block, byte Outcome)> _settled = [];

    private const byte Accepted = 4, Rejected = 5, Inconclusive = 7; // ITaskMarket.TaskStatus

    private string Tag => $"# agents={agents}";

    public async Task<SizeResult> RunAsync(CancellationToken cancellationToken)
    {
        int untilSettled = options.Tasks ?? 3 * Math.Max(1, agents / 5);
        TimeSpan limit = options.Timeout ?? TimeSpan.FromMinutes(15 + agents / 40.0);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(limit);
        CancellationToken ct = bound.Token;
        using var stopSide = CancellationTokenSource.CreateLinkedTokenSource(ct);
        string dir = Directory.CreateTempSubdirectory("agentcluster-bench-swarm-").FullName;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = options.Repo, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (string a in new[]
        {
            options.Cli, "localnet", "up", "--agents", agents.ToString(CultureInfo.InvariantCulture), "--until-settled", untilSettled.ToString(CultureInfo.InvariantCulture),
            "--seed", "1", "--port", "0", "--dashboard-port", "0", "--dir", dir, "--json", "--no-governance",
            "--block-time", options.BlockTimeSeconds.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(a);
        }

        Console.Error.WriteLine($"{Tag}: starting localnet up (until {untilSettled} tasks are settled; timeout {limit.TotalMinutes:0} min)");
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.Start();
        process.StandardInput.Close();
        _hwmKb.TryAdd(process.Id, 0);
        var side = new List<Task>
        {
            ReadStderrAsync(process),
            ReadStdoutAsync(process),
            SampleMemoryAsync(process.Id, stopSide.Token),
        };
        IPlaywright? playwright = null;
        IBrowser? browser = null;
        try
        {
            Task exited = process.WaitForExitAsync(ct);
            (Uri rpc, int anvilPid) = await Before(_anvil.Task, exited, "the anvil URL", ct);
            _hwmKb.TryAdd(anvilPid, 0);
            var web3 = new Web3(rpc.ToString());
            side.Add(WatchBlocksAsync(web3, stopSide.Token));
            Uri dashboard = await Before(_dashboard.Task, exited, "the dashboard URL", ct);
            playwright = await Playwright.CreateAsync();
            browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = options.Chromium, Args = ["--no-sandbox"] });
            IPage page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
            await page.ExposeFunctionAsync("__acBenchRender", (string json) => OnRender(json));
            await page.AddInitScriptAsync("""
                (() => {
                  let last = null;
                  Object.defineProperty(window, '__acLastEvent', {
                    configurable: true,
                    get() { return last; },
                    set(v) { last = v; if (v) window.__acBenchRender(JSON.stringify(v)); },
                  });
                })();
                """);
            await page.GotoAsync(dashboard.ToString(), new() { Timeout = 60_000 });
            Console.Error.WriteLine($"{Tag}: dashboard {dashboard} open in chromium");
            await Before(_taskPhase.Task.ContinueWith(_ => 0, TaskScheduler.Default), exited, "the swarm's task phase", ct);
            ulong phaseStart = (ulong)Math.Max(0, Interlocked.Read(ref _head)) + 1;
            string manifestJson = await File.ReadAllTextAsync(Path.Combine(dir, "manifest.json"), ct);
            string market = DeploymentManifest.Parse(manifestJson).AddressOf("TaskMarket");
            side.Add(CollectAsync(web3, market, phaseStart, stopSide.Token));
            var phase = Stopwatch.StartNew();
            Console.Error.WriteLine($"{Tag}: task phase from block {phaseStart} (set-up took {clock.Elapsed.TotalSeconds:0} s)");
            await exited;
            await stopSide.CancelAsync();
            await Task.WhenAll(side.Select(t => t.ContinueWith(_ => 0, TaskScheduler.Default)));
            Console.Error.WriteLine($"{Tag}: localnet exited with {process.ExitCode} after {clock.Elapsed.TotalSeconds:0} s (task phase {phase.Elapsed.TotalSeconds:0} s)");
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"localnet up exited with {process.ExitCode}");
            }

            return Compute(phaseStart);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"agents={agents}: not done within {limit.TotalMinutes:0} min");
        }
        finally
        {
            await stopSide.CancelAsync();
            await StopAsync(process);
            if (browser is not null)
            {
                await browser.DisposeAsync();
            }

            playwright?.Dispose();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>What was measured before a run ended early: the peaks and the tasks submitted and settled.</summary>
    public string Partial() => string.Create(CultureInfo.InvariantCulture,
        $"peak_rss_mb_localnet={Mb("localnet"):0} peak_rss_mb_anvil={Mb("anvil"):0} peak_rss_mb_chromium={Mb("chromium"):0}, tasks submitted {_submitted.Count}, settled {_settled.Count}");

    private double Mb(string role) => _hwmKb.Where(kv => RoleOf(kv.Key) == role).Sum(kv => kv.Value) / 1024.0;

    private SizeResult Compute(ulong phaseStart)
    {
        // Tasks per minute over the task phase, wall clock.
        var settledOk = _settled.Where(kv => _submitted.ContainsKey(kv.Key)).ToList();
        double first = _submitted.Values.Select(s => Seen(s.Block)).DefaultIfEmpty(double.NaN).Min();
        double last = settledOk.Select(kv => Seen(kv.Value.Block)).DefaultIfEmpty(double.NaN).Max();
        double minutes = Math.Max(1, last - first) / 60_000.0;
        double perMinute = settledOk.Count / minutes;

        // Keeper lag in blocks.
        var lags = new List<long>();
        int refunded = 0, unknown = 0;
        foreach ((BigInteger id, (ulong at, byte outcome)) in settledOk)
        {
            if (outcome is not (Accepted or Rejected or Inconclusive)) // Refunded: no committee formed, or nobody revealed
            {
                refunded++;
                continue;
            }

            ulong? due = _revealEndsAt.TryGetValue(id, out long end) ? SettlementLag.FirstBlockAtOrAfter(_blockTimes, end, _submitted[id].Block) : null;
            if (_reveals.TryGetValue(id, out var r) && r.AllRevealedIn != 0 && (due is null || r.AllRevealedIn < due))
            {
                due = r.AllRevealedIn;
            }

            if (due is not { } d)
            {
                unknown++;
                continue;
            }

            lags.Add(SettlementLag.Lag(d, at));
        }

        lags.Sort();
        var latencies = new List<double>();
        lock (_renders)
        {
            foreach ((ulong block, _, double renderedAt) in _renders)
            {
                if (block >= phaseStart && _firstSeenMs.TryGetValue(block, out double seen))
                {
                    latencies.Add(renderedAt - seen);
                }
            }
        }

        latencies.Sort();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Tag}: {_submitted.Count} tasks submitted, {settledOk.Count} settled ({refunded} refunded, no lag) over {minutes:0.00} min; lags {string.Join(',', lags)}{(unknown > 0 ? $"; {unknown} without a known settleable block" : "")}"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Tag}: {latencies.Count} paints measured (of {_renders.Count}); min {latencies.DefaultIfEmpty(double.NaN).First():0} ms, max {latencies.DefaultIfEmpty(double.NaN).Last():0} ms; report: {ReportSummary()}"));
        return new SizeResult(perMinute, SettlementLag.Percentile(lags, 50), SettlementLag.Percentile(lags, 95),
            SettlementLag.Percentile(latencies, 50), SettlementLag.Percentile(latencies, 95),
            Mb("localnet"), Mb("anvil"), Mb("chromium"));
    }

    private readonly ConcurrentDictionary<int, string> _roles = new();

    private string RoleOf(int pid) => _roles.TryGetValue(pid, out string? r) ? r : "?";

    private double Seen(ulong block) => _firstSeenMs.TryGetValue(block, out double t) ? t : double.NaN;

    private string ReportSummary()
    {
        try
        {
            // The report is the line that starts with '{' (the in-process hosts' error logs may share stdout).
            string json = _stdout.ToString().Split('\n').LastOrDefault(l => l.StartsWith('{')) ?? "";
            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement root = doc.RootElement;
            return $"settled {root.GetProperty("settled")}, conservation ok {root.GetProperty("conservation").GetProperty("ok")}";
        }
        catch (JsonException e)
        {
            return $"unreadable ({e.Message})";
        }
    }

    private void OnRender(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement e = doc.RootElement;
        if (e.TryGetProperty("block", out JsonElement b) && b.TryGetUInt64(out ulong block))
        {
            lock (_renders)
            {
                _renders.Add((block, e.GetProperty("receivedAt").GetDouble(), e.GetProperty("renderedAt").GetDouble()));
            }
        }
    }

    /// <summary>The system clock in unix ms, the clock the page's renderedAt (performance.timeOrigin + now()) is on.</summary>
    private static double NowMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    /// <summary>The time each block was first seen: eth_blockNumber every 20 ms.</summary>
    private async Task WatchBlocksAsync(Web3 web3, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                ulong head = (ulong)(await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
                double now = NowMs();
                long previous = Interlocked.Read(ref _head);
                for (ulong n = previous < 0 ? head : (ulong)previous + 1; n <= head; n++)
                {
                    _firstSeenMs.TryAdd(n, now);
                }

                if ((long)head > previous)
                {
                    Interlocked.Exchange(ref _head, (long)head);
                }

                await Task.Delay(20, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or Nethereum.JsonRpc.Client.RpcClientUnknownException or Nethereum.JsonRpc.Client.RpcClientTimeoutException)
            {
                await Task.Delay(100, CancellationToken.None); // anvil stopping with the localnet
            }
        }
    }

    /// <summary>The market's events and the block timestamps from <paramref name="from"/> on, as the chain grows.</summary>
    private async Task CollectAsync(Web3 web3, string market, ulong from, CancellationToken ct)
    {
        ulong next = from;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                long head = Interlocked.Read(ref _head);
                while (head >= 0 && next <= (ulong)head)
                {
                    ulong to = Math.Min((ulong)head, next + 199);
                    FilterLog[] logs = await web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
                    {
                        Address = [market], FromBlock = new BlockParameter(new HexBigInteger(next)), ToBlock = new BlockParameter(new HexBigInteger(to)),
                    });
                    for (ulong n = next; n <= to; n++)
                    {
                        BlockWithTransactionHashes block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(n));
                        _blockTimes[n] = (long)block.Timestamp.Value;
                    }

                    foreach (FilterLog log in logs.OrderBy(l => l.BlockNumber.Value).ThenBy(l => l.LogIndex.Value))
                    {
                        Take(log);
                    }

                    next = to + 1;
                }

                await Task.Delay(250, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or Nethereum.JsonRpc.Client.RpcClientUnknownException or Nethereum.JsonRpc.Client.RpcClientTimeoutException)
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    private void Take(FilterLog log)
    {
        ulong block = (ulong)log.BlockNumber.Value;
        if (log.IsLogForEvent<TaskSubmittedEventDTO>())
        {
            TaskSubmittedEventDTO e = log.DecodeEvent<TaskSubmittedEventDTO>().Event;
            _submitted.TryAdd(e.TaskId, (block, (int)e.CommitteeSize));
        }
        else if (log.IsLogForEvent<SeedFixedEventDTO>())
        {
            SeedFixedEventDTO e = log.DecodeEvent<SeedFixedEventDTO>().Event;
            _revealEndsAt[e.TaskId] = (long)e.RevealEndsAt;
        }
        else if (log.IsLogForEvent<VoteRevealedEventDTO>())
        {
            VoteRevealedEventDTO e = log.DecodeEvent<VoteRevealedEventDTO>().Event;
            (int count, ulong all) = _reveals.TryGetValue(e.TaskId, out var r) ? r : (0, 0UL);
            count++;
            if (all == 0 && _submitted.TryGetValue(e.TaskId, out var s) && count >= s.CommitteeSize)
            {
                all = block;
            }

            _reveals[e.TaskId] = (count, all);
        }
        else if (log.IsLogForEvent<TaskSettledEventDTO>())
        {
            TaskSettledEventDTO e = log.DecodeEvent<TaskSettledEventDTO>().Event;
            _settled.TryAdd(e.TaskId, (block, e.Outcome));
        }
    }

    /// <summary>VmHWM of the localnet process, its anvil and the browser's chromium processes, every 250 ms until stopped.</summary>
    private async Task SampleMemoryAsync(int localnetPid, CancellationToken ct)
    {
        _roles[localnetPid] = "localnet";
        int self = Environment.ProcessId;
        while (!ct.IsCancellationRequested)
        {
            var parents = new Dictionary<int, (int Parent, string Comm)>();
            foreach (string d in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(d), out int pid) && Stat(pid) is { } s)
                {
                    parents[pid] = s;
                }
            }

            foreach ((int pid, (int _, string comm)) in parents)
            {
                if (comm.StartsWith("chrom", StringComparison.Ordinal) && Descends(pid, self, parents))
                {
                    _roles.TryAdd(pid, "chromium");
                    _hwmKb.TryAdd(pid, 0);
                }
            }

            if (_anvil.Task.IsCompletedSuccessfully)
            {
                _roles.TryAdd(_anvil.Task.Result.Pid, "anvil");
            }

            foreach (int pid in _hwmKb.Keys)
            {
                if (Hwm(pid) is { } kb)
                {
                    _hwmKb.AddOrUpdate(pid, kb, (_, old) => Math.Max(old, kb));
                }
            }

            try
            {
                await Task.Delay(250, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static bool Descends(int pid, int ancestor, Dictionary<int, (int Parent, string Comm)> parents)
    {
        for (int i = 0; i < 64 && parents.TryGetValue(pid, out var p); i++)
        {
            if (p.Parent == ancestor)
            {
                return true;
            }

            pid = p.Parent;
        }

        return false;
    }

    private static (int Parent, string Comm)? Stat(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            string comm = stat[(stat.IndexOf('(') + 1)..close];
            return (int.Parse(stat[(close + 2)..].Split(' ')[1], CultureInfo.InvariantCulture), comm);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static long? Hwm(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return null;
    }

    [GeneratedRegex(@"localnet: anvil (http://\S+) \(pid (\d+)")]
    private static partial Regex AnvilLine();

    [GeneratedRegex(@"localnet: dashboard (http://\S+)")]
    private static partial Regex DashboardLine();

    private async Task ReadStderrAsync(Process process)
    {
        int live = 0;
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            if (AnvilLine().Match(line) is { Success: true } a)
            {
                _anvil.TrySetResult((new Uri(a.Groups[1].Value), int.Parse(a.Groups[2].Value, CultureInfo.InvariantCulture)));
            }
            else if (DashboardLine().Match(line) is { Success: true } d)
            {
                _dashboard.TrySetResult(new Uri(d.Groups[1].Value));
            }
            else if (line.Contains(" agents running", StringComparison.Ordinal) && line.Contains("localnet: swarm of ", StringComparison.Ordinal))
            {
                _taskPhase.TrySetResult();
            }

            // Progress: every line but most of the live summary (every 2 s).
            if (!line.Contains("[live]", StringComparison.Ordinal) || live++ % 15 == 0)
            {
                Console.Error.WriteLine($"{Tag}: {line}");
            }
        }
    }

    private async Task ReadStdoutAsync(Process process)
    {
        string all = await process.StandardOutput.ReadToEndAsync();
        lock (_stdout)
        {
            _stdout.Append(all);
        }
    }

    private static async Task<T> Before<T>(Task<T> wanted, Task exited, string what, CancellationToken ct)
    {
        Task done = await Task.WhenAny(wanted, exited).WaitAsync(ct);
        if (done != wanted)
        {
            throw new InvalidOperationException($"localnet up exited before {what} (see its lines above)");
        }

        return await wanted;
    }

    /// <summary>SIGTERM (localnet stops in order: swarm, keepers, dashboard, anvil), then the whole tree killed after 30 s.</summary>
    private static async Task StopAsync(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(15_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}

/// <summary>The bench's options (bench/swarm/run.sh passes --cli and --repo).</summary>
internal sealed record SwarmBenchOptions(int[] Sizes, int? Tasks, int BlockTimeSeconds, TimeSpan? Timeout, string Cli, string Repo, string Chromium)
{
    public static SwarmBenchOptions Parse(string[] args)
    {
        var o = new SwarmBenchOptions([50, 200, 1_000], null, 1, null, "", Directory.GetCurrentDirectory(), "/usr/bin/chromium");
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive(string name, string v) => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n : throw new ArgumentException($"{name} must be a positive whole number, not '{v}'.");
            o = args[i] switch
            {
                "--sizes" => o with { Sizes = [.. Next().Split(',').Select(v => Positive("--sizes", v.Trim()))] },
                "--tasks" => o with { Tasks = Positive("--tasks", Next()) },
                "--block-time" => o with { BlockTimeSeconds = Positive("--block-time", Next()) },
                "--timeout-minutes" => o with { Timeout = TimeSpan.FromMinutes(Positive("--timeout-minutes", Next())) },
                "--cli" => o with { Cli = Next() },
                "--repo" => o with { Repo = Next() },
                "--chromium" => o with { Chromium = Next() },
                _ => throw new ArgumentException($"unknown option {args[i]} (see bench/swarm/run.sh)."),
            };
        }

        if (o.Sizes.FirstOrDefault(s => s is < 11 or > 1_000) is > 0 and var bad)
        {
            throw new ArgumentException($"--sizes: each size must be 11..1000 agents (localnet up --agents); got {bad}.");
        }

        if (o.BlockTimeSeconds > 60)
        {
            throw new ArgumentException($"--block-time must be 1..60 seconds; got {o.BlockTimeSeconds}.");
        }

        if (!File.Exists(o.Cli))
        {
            throw new ArgumentException($"--cli: '{o.Cli}' is not the built agentcluster.dll (bench/swarm/run.sh builds and passes it).");
        }

        if (!File.Exists(o.Chromium))
        {
            throw new ArgumentException($"--chromium: '{o.Chromium}' is missing (scripts/setup installs Debian's chromium).");
        }

        return o;
    }
}
