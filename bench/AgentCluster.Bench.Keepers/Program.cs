// Keepers bench (`scripts/bench keepers`, through bench/keepers/run.sh). For each keeper count (1, 2, 4 by default): a fresh anvil with the
// suite deployed (AgentCluster.Testing, a container when Docker answers), one executor agent registered, attested and staked through the SDK,
// then k real keeper processes (`dotnet agentcluster.dll keepers run`, each with its own key, journal and index; Peers = all of them when
// k > 1) and the same workload: --tasks tasks in --waves waves, the agents' part (submit, bid) done here through the SDK, each wave falling
// due --gap-seconds after the previous one. The chain mines a block every second during the measurement (evm_setIntervalMining 1): with
// automine every transaction is its own block, so "lag in blocks" would count transactions and two keepers could never meet in a block.
// Prints, per keeper count, one line:
//   keepers=<k> tasks_per_min=<x> lag_blocks_p50=<y> lag_blocks_p95=<z> wasted_tx_pct=<w>
// lag: with the committee and settlement duties (and without --assign-only), blocks from the first block in which a task can be settled
// (timestamp >= its reveal window's end; every member but one reveals) to its TaskSettled, tasks_per_min over that phase; otherwise blocks
// from the first block in which it can be assigned (timestamp >= its bidding end) to its assign. The header says which. wasted: keeper
// transactions that reverted or did nothing (no event) over all keeper transactions, read from the chain (receipts). Everything is bounded
// (a whole run and each wait); every keeper process is killed at the end. docs/keepers-faults.md has the design and the figures.
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Bench;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;

var o = BenchOptions.Parse(args);
TextWriter figures = Console.Out;
Console.SetOut(Console.Error); // Testcontainers logs to stdout: only the figures go there
using var whole = new CancellationTokenSource(TimeSpan.FromMinutes(30));
CancellationToken ct = whole.Token;
string cli = o.Cli ?? throw new ArgumentException("--cli <path of agentcluster.dll> is required (bench/keepers/run.sh passes it).");
figures.WriteLine($"# keepers bench: tasks={Math.Max(1, o.Tasks / o.Waves) * o.Waves} waves={o.Waves} gap_s={o.GapSeconds} block_time_s=1 poll_ms={o.PollMs} take_over_s={o.TakeOverSeconds} cpus={Environment.ProcessorCount}");
bool headed = false;
foreach (int k in o.Keepers)
{
    Result r = await RunAsync(k, o, cli, ct);
    if (!headed)
    {
        figures.WriteLine(r.Settlement
            ? "# lag = blocks from a task becoming settleable (the first block at or after its reveal window's end) to its TaskSettled; tasks_per_min over the settlement phase; wasted over every keeper transaction of the run (assign, draw, settle, settleMembers, flush)"
            : "# lag = blocks from a task's bidding end (first block at or after it) to its assign: the assignment duty only (these keepers have no committee/settlement duty, or --assign-only)");
        headed = true;
    }

    figures.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"keepers={k} tasks_per_min={r.TasksPerMinute:0.0} lag_blocks_p50={r.LagP50} lag_blocks_p95={r.LagP95} wasted_tx_pct={r.WastedPct:0.0}"));
    figures.Flush();
}

return 0;

static async Task<Result> RunAsync(int k, BenchOptions o, string cli, CancellationToken ct)
{
    BigInteger acc = BigInteger.Pow(10, 18);
    await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync(AgentClusterSuiteOptions.WithTestAttestor(), ct);
    string dir = Directory.CreateTempSubdirectory("agentcluster-bench-keepers-").FullName;
    var keepers = new List<KeeperHandle>();
    try
    {
        Console.Error.WriteLine($"# k={k}: suite on {suite.Node.RpcUrl} ({suite.Node.Kind}); setting up");
        await suite.ReleaseEmissionsAsync(TimeSpan.FromDays(1), ct);
        BigInteger bounty = 10 * acc;
        await suite.FundAsync(AnvilAccounts.Addresses[1], (o.Tasks + 5) * 100 * acc, ct); // bounty + the minimum fee of a 10-seat committee, with room
        await suite.FundAsync(AnvilAccounts.Addresses[2], 20_000 * acc, ct);
        AgentClusterClient requester = await suite.CreateClientAsync(1, ct);
        AgentClusterClient owner = await suite.CreateClientAsync(2, ct);
        BigInteger agentId = await RegisterExecutorAsync(suite, owner, acc, ct);
        if (!o.AssignOnly)
        {
            // Committee candidates (account 3): eleven agents for committees of ten (the executor's own agent is excluded from its task).
            await suite.FundAsync(AnvilAccounts.Addresses[3], 11 * 14_000 * acc, ct);
            AgentClusterClient committee = await suite.CreateClientAsync(3, ct);
            for (int i = 0; i < 11; i++)
            {
                await RegisterExecutorAsync(suite, committee, acc, ct, stake: 2_000);
            }
        }

        DeploymentManifest m = suite.Manifest;
        string manifest = Path.Combine(dir, "manifest.json");
        await File.WriteAllTextAsync(manifest, System.Text.Json.JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }), ct);

        // The workload: waves of tasks whose bidding windows end --gap-seconds apart (chain time).
        MarketParameters market = await requester.Tasks.GetMarketParametersAsync(ct);
        var tasks = new List<(BigInteger Id, DateTimeOffset BiddingEndsAt)>();
        int perWave = Math.Max(1, o.Tasks / o.Waves);
        for (int w = 0; w < o.Waves; w++)
        {
            for (int i = 0; i < perWave; i++)
            {
                SubmittedTask t = await requester.Tasks.SubmitAsync(new TaskSubmission
                {
                    RequirementsHash = RandomNumberGenerator.GetBytes(32), Capabilities = 0b1, Bounty = bounty,
                    Deadline = await suite.ChainTimeAsync(ct) + TimeSpan.FromDays(2), CommitteeSize = 10,
                }, ct);
                await owner.Tasks.BidAsync(t.TaskId, agentId, 9 * acc, ct);
                tasks.Add((t.TaskId, (await requester.Tasks.GetAsync(t.TaskId, ct)).BiddingEndsAt));
            }

            await suite.IncreaseTimeAsync(TimeSpan.FromSeconds(o.GapSeconds), ct);
        }

        // The keepers: fresh keys with ETH, Peers = all of them when several.
        string[] keys = [.. Enumerable.Range(0, k).Select(_ => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant())];
        string[] addresses = [.. keys.Select(key => new EthECKey(key).GetPublicAddress())];
        foreach (string a in addresses)
        {
            await Rpc(suite, "anvil_setBalance", a, new HexBigInteger(BigInteger.Pow(10, 20)).HexValue);
        }

        for (int i = 0; i < k; i++)
        {
            keepers.Add(await StartKeeperAsync(cli, suite.Node.RpcUrl, manifest, keys[i], Path.Combine(dir, $"k{i}"), k > 1 ? addresses : [], o, ct));
        }

        ulong startBlock = (ulong)(await suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value + 1;
        await Rpc(suite, "evm_setIntervalMining", 1);
        DateTimeOffset now = await suite.ChainTimeAsync(ct);
        TimeSpan toFirst = tasks[0].BiddingEndsAt - now;
        if (toFirst > TimeSpan.Zero)
        {
            await Rpc(suite, "evm_increaseTime", (long)Math.Ceiling(toFirst.TotalSeconds));
        }

        // Until every task has left Bidding (bounded by the workload's span plus two minutes).
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            bound.CancelAfter(TimeSpan.FromSeconds(o.Waves * o.GapSeconds + 120));
            var open = new HashSet<BigInteger>(tasks.Select(t => t.Id));
            while (open.Count > 0)
            {
                foreach (BigInteger id in open.ToList())
                {
                    if ((await requester.Tasks.GetAsync(id, bound.Token)).Status != MarketTaskStatus.Bidding)
                    {
                        open.Remove(id);
                    }
                }

                await Task.Delay(500, bound.Token);
            }
        }

        bool settlement = !o.AssignOnly && keepers.All(h => h.Committee);
        if (!settlement)
        {
            await Task.Delay(TimeSpan.FromSeconds(3), ct); // the keepers' last passes (a late, wasted transaction still counts)
            foreach (KeeperHandle h in keepers)
            {
                Kill(h.Process);
            }

            await Rpc(suite, "evm_setIntervalMining", 0);
            await Rpc(suite, "evm_setAutomine", true);
            return await MeasureAsync(suite, addresses, tasks, startBlock, ct);
        }

        // The rest of each life. The agents' part with automine (posts wave by wave, --gap-seconds of chain time apart, so that the
        // reveal windows end that far apart too; commits; reveals by all members but one, so that a task becomes settleable when its
        // reveal window ends, not at its last reveal); the keepers draw the committees meanwhile. Then blocks every second again and the
        // clock at the first reveal window's end: the waves become settleable --gap-seconds apart while the keepers settle.
        Result assignment = await MeasureAsync(suite, addresses, tasks, startBlock, ct);
        Console.Error.WriteLine($"# k={k}: assignment lag p50 {assignment.LagP50} p95 {assignment.LagP95}; now the settlement phase");
        await Rpc(suite, "evm_setIntervalMining", 0);
        await Rpc(suite, "evm_setAutomine", true);
        for (int w = 0; w < o.Waves; w++)
        {
            var wave = tasks.Skip(w * perWave).Take(perWave).ToList();
            foreach (var t in wave)
            {
                await owner.Tasks.PostResultAsync(t.Id, RandomNumberGenerator.GetBytes(32), "ipfs://result", ct);
            }

            // The seed is readable from the block after request + 2 (LocalRandomness); the keepers fix it and draw, which starts the
            // committee's windows: so the waves' reveal windows end --gap-seconds apart.
            await suite.MineAsync(3, ct);
            await WaitAsync(async () => (await Task.WhenAll(wave.Select(t => requester.Tasks.GetAsync(t.Id, ct)))).All(t => t.Seats == t.CommitteeSize),
                $"the keepers draw wave {w}'s committees", TimeSpan.FromSeconds(120), ct);
            await suite.IncreaseTimeAsync(TimeSpan.FromSeconds(o.GapSeconds), ct);
        }

        TaskInfo[] drawn = await Task.WhenAll(tasks.Select(t => requester.Tasks.GetAsync(t.Id, ct)));
        await WarpToAsync(suite, drawn.Max(t => t.DrawClosesAt!.Value), ct);
        var members = new Dictionary<BigInteger, List<BigInteger>>();
        await using (AgentClusterClient committeeOwner = await suite.CreateClientAsync(3, ct))
        using (var reviews = committeeOwner.OpenReviews(Path.Combine(dir, "salts.db")))
        {
            foreach (var t in tasks)
            {
                members[t.Id] = await MembersAsync(suite, t.Id);
                foreach (BigInteger agent in members[t.Id])
                {
                    await reviews.CommitAsync(t.Id, agent, approve: true, ct);
                }
            }

            await WarpToAsync(suite, drawn.Max(t => t.CommitEndsAt!.Value), ct);
            foreach (var t in tasks)
            {
                foreach (BigInteger agent in members[t.Id].Skip(1))
                {
                    await reviews.RevealAsync(t.Id, agent, ct);
                }
            }
        }

        TaskInfo[] revealing = await Task.WhenAll(tasks.Select(t => requester.Tasks.GetAsync(t.Id, ct)));
        var settleable = tasks.Select((t, i) => (t.Id, revealing[i].RevealEndsAt!.Value)).ToList();
        ulong settleFrom = (ulong)(await suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value + 1;
        await Rpc(suite, "evm_setIntervalMining", 1);
        TimeSpan toReveal = settleable.Min(x => x.Value) - await suite.ChainTimeAsync(ct);
        if (toReveal > TimeSpan.Zero)
        {
            await Rpc(suite, "evm_increaseTime", (long)Math.Ceiling(toReveal.TotalSeconds));
        }

        await WaitAsync(async () => (await Task.WhenAll(tasks.Select(t => requester.Tasks.GetAsync(t.Id, ct)))).All(t => t.Status is not MarketTaskStatus.Verifying),
            "the keepers settle every task", TimeSpan.FromSeconds(o.Waves * o.GapSeconds + 180), ct);
        await Task.Delay(TimeSpan.FromSeconds(5), ct); // the members' settlements and the keepers' last passes
        foreach (KeeperHandle h in keepers)
        {
            Kill(h.Process);
        }

        await Rpc(suite, "evm_setIntervalMining", 0);
        await Rpc(suite, "evm_setAutomine", true);
        return await MeasureSettlementAsync(suite, addresses, settleable, startBlock, settleFrom, ct);
    }
    finally
    {
        foreach (KeeperHandle h in keepers)
        {
            Kill(h.Process);
            h.Process.Dispose();
        }

        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

static async Task<Result> MeasureAsync(AgentClusterSuite suite, string[] keepers, List<(BigInteger Id, DateTimeOffset BiddingEndsAt)> tasks, ulong from, CancellationToken ct)
{
    var keeperSet = new HashSet<string>(keepers.Select(a => a.ToLowerInvariant()));
    ulong head = (ulong)(await suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
    var blockTimes = new List<(ulong Block, long Time)>();
    var assignedIn = new Dictionary<BigInteger, ulong>();
    int keeperTxs = 0, wasted = 0;
    string selector = "0x4c081138"; // assign(uint256)
    for (ulong n = from; n <= head; n++)
    {
        ct.ThrowIfCancellationRequested();
        BlockWithTransactions block = await suite.Web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new HexBigInteger(n));
        blockTimes.Add((n, (long)block.Timestamp.Value));
        foreach (Transaction tx in block.Transactions.Where(t => t.From is not null && keeperSet.Contains(t.From.ToLowerInvariant())))
        {
            keeperTxs++;
            TransactionReceipt receipt = await suite.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TransactionHash);
            bool ok = receipt.Status?.Value == BigInteger.One;
            if (!ok)
            {
                wasted++;
            }
            else if (tx.Input.StartsWith(selector, StringComparison.OrdinalIgnoreCase))
            {
                assignedIn[new BigInteger(Convert.FromHexString(tx.Input[^64..]), isUnsigned: true, isBigEndian: true)] = n;
            }
        }
    }

    var lags = new List<long>();
    long firstDue = long.MaxValue, lastAssigned = 0;
    foreach ((BigInteger id, DateTimeOffset end) in tasks)
    {
        (ulong Block, long Time) due = blockTimes.FirstOrDefault(b => b.Time >= end.ToUnixTimeSeconds());
        if (!assignedIn.TryGetValue(id, out ulong at) || due.Block == 0)
        {
            Console.Error.WriteLine($"# task {id}: not assigned by a keeper (or never due) in blocks {from}..{head}");
            continue;
        }

        lags.Add((long)at - (long)due.Block);
        firstDue = Math.Min(firstDue, due.Time);
        lastAssigned = Math.Max(lastAssigned, blockTimes.First(b => b.Block == at).Time);
    }

    lags.Sort();
    double minutes = Math.Max(1, lastAssigned - firstDue) / 60.0;
    Console.Error.WriteLine($"# {lags.Count}/{tasks.Count} tasks assigned by keepers; lags {string.Join(',', lags)}; {keeperTxs} keeper tx, {wasted} reverted");
    return new Result(lags.Count / minutes, SettlementLag.Percentile(lags, 50), SettlementLag.Percentile(lags, 95), keeperTxs == 0 ? 0 : 100.0 * wasted / keeperTxs);
}

static async Task<Result> MeasureSettlementAsync(AgentClusterSuite suite, string[] keepers, List<(BigInteger Id, DateTimeOffset Settleable)> tasks, ulong from,
    ulong settleFrom, CancellationToken ct)
{
    var keeperSet = new HashSet<string>(keepers.Select(a => a.ToLowerInvariant()));
    ulong head = (ulong)(await suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
    var blockTimes = new Dictionary<ulong, long>();
    int keeperTxs = 0, wasted = 0;
    for (ulong n = from; n <= head; n++)
    {
        ct.ThrowIfCancellationRequested();
        BlockWithTransactions block = await suite.Web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new HexBigInteger(n));
        blockTimes[n] = (long)block.Timestamp.Value;
        foreach (Transaction tx in block.Transactions.Where(t => t.From is not null && keeperSet.Contains(t.From.ToLowerInvariant())))
        {
            keeperTxs++;
            TransactionReceipt receipt = await suite.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TransactionHash);
            if (receipt.Status?.Value != BigInteger.One || receipt.Logs is null || receipt.Logs.Length == 0)
            {
                wasted++; // reverted, or did nothing (no event at all: a draw that seated nobody, a settleMembers that settled nobody, an empty flush)
                Console.Error.WriteLine($"# wasted: block {n} {tx.Input[..Math.Min(10, tx.Input.Length)]} status {receipt.Status?.Value}");
            }
        }
    }

    var settledEvent = suite.Web3.Eth.GetEvent<AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition.TaskSettledEventDTO>(suite.Manifest.AddressOf("TaskMarket"));
    var settled = (await settledEvent.GetAllChangesAsync(settledEvent.CreateFilterInput(new BlockParameter(settleFrom), BlockParameter.CreateLatest())))
        .ToDictionary(e => e.Event.TaskId, e => (ulong)e.Log.BlockNumber.Value);
    var lags = new List<long>();
    long first = long.MaxValue, last = 0;
    foreach ((BigInteger id, DateTimeOffset end) in tasks)
    {
        ulong due = SettlementLag.FirstBlockAtOrAfter(blockTimes, end.ToUnixTimeSeconds(), settleFrom) ?? 0UL;
        if (!settled.TryGetValue(id, out ulong at) || due == 0)
        {
            Console.Error.WriteLine($"# task {id}: not settled (or never settleable) in blocks {settleFrom}..{head}");
            continue;
        }

        lags.Add(SettlementLag.Lag(due, at));
        first = Math.Min(first, blockTimes[due]);
        last = Math.Max(last, blockTimes[at]);
    }

    lags.Sort();
    double minutes = Math.Max(1, last - first) / 60.0;
    Console.Error.WriteLine($"# {lags.Count}/{tasks.Count} tasks settled; settlement lags {string.Join(',', lags)}; {keeperTxs} keeper tx over the run, {wasted} wasted");
    return new Result(lags.Count / minutes, SettlementLag.Percentile(lags, 50), SettlementLag.Percentile(lags, 95), keeperTxs == 0 ? 0 : 100.0 * wasted / keeperTxs, Settlement: true);
}

static async Task<List<BigInteger>> MembersAsync(AgentClusterSuite suite, BigInteger taskId)
{
    await using AgentClusterClient reader = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = suite.Web3, Manifest = suite.Manifest });
    return [.. await reader.Tasks.GetCommitteeAsync(taskId)];
}

static async Task WarpToAsync(AgentClusterSuite suite, DateTimeOffset at, CancellationToken ct)
{
    TimeSpan by = at - await suite.ChainTimeAsync(ct);
    if (by > TimeSpan.Zero)
    {
        await suite.IncreaseTimeAsync(by, ct);
    }
}

static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan limit, CancellationToken ct)
{
    using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
    bound.CancelAfter(limit);
    while (!await condition())
    {
        try
        {
            await Task.Delay(500, bound.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0} s waiting for {what}.");
        }
    }
}

static async Task<BigInteger> RegisterExecutorAsync(AgentClusterSuite suite, AgentClusterClient owner, BigInteger acc, CancellationToken ct, int stake = 1_000)
{
    var agentKey = new Secp256k1Signer(Convert.ToHexString(RandomNumberGenerator.GetBytes(31)).PadLeft(64, '1'));
    BigInteger agentId = (await owner.Agents.RegisterAsync(agentKey, "ipfs://bench-executor", 0b1, new byte[32], ct)).AgentId;
    var attestation = new AgentAttestation(agentId, Nethereum.Util.Sha3Keccack.Current.CalculateHash("enclave"u8.ToArray()), 8, 16_384, 100,
        (ulong)(await suite.ChainTimeAsync(ct)).ToUnixTimeSeconds() + 29 * 86_400, 1);
    byte[] signature = owner.Agents.SignAttestation(attestation, new Secp256k1Signer(AnvilAccounts.PrivateKeys[AgentClusterSuiteOptions.TestAttestorIndex]));
    await owner.Agents.SubmitAttestationAsync(attestation, signature, ct);
    await owner.Staking.StakeAsync(agentId, stake * acc, ct);
    return agentId;
}

static Task Rpc(AgentClusterSuite suite, string method, params object[] args) =>
    suite.Web3.Client.SendRequestAsync(new RpcRequest(Random.Shared.Next(), method, args));

static async Task<KeeperHandle> StartKeeperAsync(string cli, Uri rpc, string manifest, string key, string dir, string[] peers, BenchOptions o, CancellationToken ct)
{
    Directory.CreateDirectory(dir);
    int port;
    using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
    {
        l.Start();
        port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    var info = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    info.ArgumentList.Add(cli);
    info.ArgumentList.Add("keepers");
    info.ArgumentList.Add("run");
    var env = info.Environment;
    env["AGENTCLUSTER_BENCH_KEEPER_KEY"] = key;
    env["AgentCluster__Keepers__RpcUrl"] = rpc.ToString();
    env["AgentCluster__Keepers__ManifestPath"] = manifest;
    env["AgentCluster__Keepers__PrivateKeyVariable"] = "AGENTCLUSTER_BENCH_KEEPER_KEY";
    env["AgentCluster__Keepers__JournalPath"] = Path.Combine(dir, "journal.db");
    env["AgentCluster__Keepers__IndexDbPath"] = Path.Combine(dir, "index.db");
    env["AgentCluster__Keepers__PollInterval"] = TimeSpan.FromMilliseconds(o.PollMs).ToString("c", CultureInfo.InvariantCulture);
    env["AgentCluster__Keepers__TakeOverAfter"] = TimeSpan.FromSeconds(o.TakeOverSeconds).ToString("c", CultureInfo.InvariantCulture);
    env["AgentCluster__Keepers__HealthPort"] = port.ToString(CultureInfo.InvariantCulture);
    for (int i = 0; i < peers.Length; i++)
    {
        env[$"AgentCluster__Keepers__Peers__{i}"] = peers[i];
    }

    env["Logging__Console__FormatterName"] = "json";
    env["Logging__LogLevel__Default"] = "Warning";
    env["Logging__LogLevel__AgentCluster.Keepers.Hosting"] = "Information";
    var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var log = new StreamWriter(Path.Combine(dir, "keeper.log")) { AutoFlush = true };
    var p = new Process { StartInfo = info };
    var handle = new KeeperHandle(p);
    p.OutputDataReceived += (_, e) =>
    {
        if (e.Data is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(e.Data);
        }

        if (e.Data.Contains("Keeper duty committee started", StringComparison.Ordinal))
        {
            handle.Committee = true;
        }

        if (e.Data.Contains("\"EventId\":1000,", StringComparison.Ordinal))
        {
            started.TrySetResult();
        }
    };
    p.ErrorDataReceived += (_, e) =>
    {
        if (!string.IsNullOrWhiteSpace(e.Data))
        {
            Console.Error.WriteLine($"# keeper stderr: {e.Data}");
        }
    };
    p.Start();
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    try
    {
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct); // the other duties' start lines
    }
    catch
    {
        Kill(p);
        throw;
    }

    return handle;
}

static void Kill(Process p)
{
    try
    {
        if (!p.HasExited)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(15_000);
        }
    }
    catch (InvalidOperationException)
    {
    }
}

internal sealed record Result(double TasksPerMinute, long LagP50, long LagP95, double WastedPct, bool Settlement = false);

/// <summary>A keeper process and what its log said at start.</summary>
internal sealed class KeeperHandle(Process process)
{
    public Process Process { get; } = process;

    /// <summary>Whether it started a committee duty (the build has the committee and settlement duties).</summary>
    public volatile bool Committee;
}

internal sealed record BenchOptions(int Tasks, int Waves, int GapSeconds, int[] Keepers, int PollMs, int TakeOverSeconds, string? Cli, bool AssignOnly = false)
{
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions(24, 6, 6, [1, 2, 4], 250, 10, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive(string name, string v) => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n : throw new ArgumentException($"{name} must be a positive whole number, not '{v}'.");
            o = args[i] switch
            {
                "--tasks" => o with { Tasks = Positive("--tasks", Next()) },
                "--waves" => o with { Waves = Positive("--waves", Next()) },
                "--gap-seconds" => o with { GapSeconds = Positive("--gap-seconds", Next()) },
                "--keepers" => o with { Keepers = [.. Next().Split(',').Select(v => Positive("--keepers", v.Trim()))] },
                "--poll-ms" => o with { PollMs = Positive("--poll-ms", Next()) },
                "--take-over-seconds" => o with { TakeOverSeconds = Positive("--take-over-seconds", Next()) },
                "--cli" => o with { Cli = Next() },
                "--assign-only" => o with { AssignOnly = true },
                _ => throw new ArgumentException($"Unknown option {args[i]} (see bench/keepers/run.sh)."),
            };
        }

        if (o.Tasks < o.Waves)
        {
            throw new ArgumentException($"--tasks ({o.Tasks}) must be at least --waves ({o.Waves}).");
        }

        return o;
    }
}
