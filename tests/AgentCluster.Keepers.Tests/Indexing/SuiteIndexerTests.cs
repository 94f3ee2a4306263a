using System.Collections.Concurrent;
using System.Numerics;
using AgentCluster.Keepers.Indexing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Microsoft.Extensions.Logging;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Keepers.Tests.Indexing;

/// <summary>The indexer against a real anvil: one suite for the fixture; every test indexes into its own file and compares with the node.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SuiteIndexerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private IndexerWorld _world = null!;
    private SubmittedTask _taskA = null!;
    private SubmittedTask _taskB = null!;
    private string _dir = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _world = await IndexerWorld.StartAsync(cts.Token);
        _taskA = await _world.SubmitTaskAsync(IndexerWorld.Requester, 100 * IndexerWorld.Acc, "task a", cts.Token);
        _taskB = await _world.SubmitTaskAsync(IndexerWorld.Requester, 200 * IndexerWorld.Acc, "task b", cts.Token);
        _dir = Directory.CreateTempSubdirectory("indexer-tests-").FullName;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test, Order(1)]
    public async Task Indexes_EveryLogOfTheSuite_AndDecodesTasksAgentsAndStakes()
    {
        using SuiteIndexer indexer = NewIndexer("full.db");
        Assert.That(indexer.IndexedBlock, Is.Null, "a fresh index has indexed nothing");
        ulong head = await _world.HeadAsync();
        await IndexToAsync(indexer, head);

        Assert.That(indexer.IndexedBlock, Is.EqualTo(head));
        Assert.That(indexer.HeadBlock, Is.GreaterThanOrEqualTo(head));
        Assert.That(indexer.LastPassAt, Is.Not.Null);
        IReadOnlyList<IndexedLog> stored = await AssertIndexEqualsChainAsync(indexer);
        Assert.That(stored.Select(l => l.Contract).Distinct(), Is.SupersetOf(new[] { "AccToken", "AgentRegistry", "Staking", "TaskMarket" }));

        IReadOnlyList<IndexedTask> tasks = await indexer.TasksAsync();
        Assert.That(tasks.Select(t => t.TaskId), Is.EqualTo(new[] { _taskA.TaskId, _taskB.TaskId }));
        IndexedTask a = tasks[0];
        Assert.Multiple(() =>
        {
            Assert.That(a.Requester, Is.EqualTo(AnvilAccounts.Addresses[IndexerWorld.Requester].ToLowerInvariant()));
            Assert.That(a.Bounty, Is.EqualTo(100 * IndexerWorld.Acc));
            Assert.That(a.Fee, Is.EqualTo(_taskA.Fee));
            Assert.That(a.SubmittedBlock, Is.EqualTo((ulong)_taskA.BlockNumber));
            Assert.That(a.Executor, Is.Null);
            Assert.That(a.Settled, Is.False);
            Assert.That(tasks[1].Bounty, Is.EqualTo(200 * IndexerWorld.Acc));
        });

        DateTimeOffset now = await _world.ChainTimeAsync();
        Assert.That((await indexer.OpenTasksAsync()).Select(t => t.TaskId), Is.EqualTo(new[] { _taskA.TaskId, _taskB.TaskId }));
        Assert.That(await indexer.TasksSettleableAsync(now + TimeSpan.FromDays(30)), Is.Empty, "no seed is fixed, so nothing can settle");
        Assert.That(await indexer.TasksAwaitingCommitteeAsync(now), Is.Empty, "no seed is fixed, so no committee is due");
        Assert.That(await indexer.GetTaskAsync(_taskB.TaskId + 1000), Is.Null);

        IndexedAgent agent = (await indexer.AgentsAsync()).Single(x => x.AgentId == _world.AgentId);
        Assert.Multiple(() =>
        {
            Assert.That(agent.Owner, Is.EqualTo(AnvilAccounts.Addresses[IndexerWorld.AgentOwner].ToLowerInvariant()));
            Assert.That(agent.AttestationExpiresAt, Is.EqualTo(_world.AttestationExpiresAt));
            Assert.That(agent.Stake.Staked, Is.EqualTo(IndexerWorld.Stake));
            Assert.That(agent.Stake.Active, Is.EqualTo(IndexerWorld.Stake));
        });
    }

    [Test, Order(2)]
    public async Task Restart_ResumesWhereItStopped_WithNoDuplicateAndNoGap()
    {
        string file = "restart.db";
        ulong stoppedAt;
        using (SuiteIndexer first = NewIndexer(file, maxBlocksPerPass: 5))
        {
            await first.IndexOnceAsync();
            await first.IndexOnceAsync();
            stoppedAt = first.IndexedBlock!.Value;
            Assert.That(stoppedAt, Is.EqualTo(first.StartBlock + 9), "two passes of five blocks");
        }

        SubmittedTask c = await _world.SubmitTaskAsync(IndexerWorld.Requester, 300 * IndexerWorld.Acc, "task c", CancellationToken.None);
        using SuiteIndexer second = NewIndexer(file, maxBlocksPerPass: 5);
        Assert.That(second.IndexedBlock, Is.EqualTo(stoppedAt), "the cursor is read back from the file");
        IndexPass next = await second.IndexOnceAsync();
        Assert.That(next.FromBlock, Is.EqualTo(stoppedAt + 1), "resumes at the block after the last committed one");

        await IndexToAsync(second, await _world.HeadAsync());
        await AssertIndexEqualsChainAsync(second);
        Assert.That((await second.GetTaskAsync(c.TaskId))?.Bounty, Is.EqualTo(300 * IndexerWorld.Acc));
    }

    [Test, Order(4)]
    public async Task Reorg_RewindsAndRewrites_IndexEqualsAFreshIndexOfTheNewChain()
    {
        using SuiteIndexer indexer = NewIndexer("reorg.db");
        await IndexToAsync(indexer, await _world.HeadAsync());
        string snapshot = await _world.Suite.Web3.Client.SendRequestAsync<string>(new RpcRequest(3, "evm_snapshot"));

        // The branch that will be replaced: a task of requester 4 and a few more blocks.
        SubmittedTask x = await _world.SubmitTaskAsync(4, 111 * IndexerWorld.Acc, "task x", CancellationToken.None);
        await _world.MineAsync(3);
        await IndexToAsync(indexer, await _world.HeadAsync());
        Assert.That((await indexer.GetTaskAsync(x.TaskId))?.Bounty, Is.EqualTo(111 * IndexerWorld.Acc));
        ulong oldTip = indexer.IndexedBlock!.Value;

        // The new branch: back to the snapshot, a different task (requester 5) under the same id, a shorter chain.
        Assert.That(await _world.Suite.Web3.Client.SendRequestAsync<bool>(new RpcRequest(4, "evm_revert", snapshot)), Is.True);
        SubmittedTask y = await _world.SubmitTaskAsync(5, 222 * IndexerWorld.Acc, "task y", CancellationToken.None);
        Assert.That(y.TaskId, Is.EqualTo(x.TaskId), "the replacing task takes the replaced one's id");
        Assert.That((ulong)y.BlockNumber, Is.LessThan(oldTip));

        IndexPass pass = await indexer.IndexOnceAsync();
        Assert.That(pass.RewoundTo, Is.Not.Null.And.LessThan((ulong)x.BlockNumber), "the reorganisation was found and undone");
        await IndexToAsync(indexer, await _world.HeadAsync());

        IndexedTask? replaced = await indexer.GetTaskAsync(y.TaskId);
        Assert.That(replaced?.Requester, Is.EqualTo(AnvilAccounts.Addresses[5].ToLowerInvariant()));
        Assert.That(replaced?.Bounty, Is.EqualTo(222 * IndexerWorld.Acc));
        Assert.That((await indexer.TasksAsync()).Where(t => t.Bounty == 111 * IndexerWorld.Acc), Is.Empty, "no stale decoded row");
        await AssertIndexEqualsChainAsync(indexer);

        using SuiteIndexer fresh = NewIndexer("reorg-fresh.db");
        await IndexToAsync(fresh, indexer.IndexedBlock!.Value);
        Assert.That(Describe(await indexer.LogsAsync(0, indexer.IndexedBlock!.Value)), Is.EqualTo(Describe(await fresh.LogsAsync(0, indexer.IndexedBlock!.Value))));
        Assert.That(Describe(await indexer.TasksAsync()), Is.EqualTo(Describe(await fresh.TasksAsync())));
        Assert.That(Describe(await indexer.AgentsAsync()), Is.EqualTo(Describe(await fresh.AgentsAsync())));
    }

    [Test, Order(5)]
    public async Task AnvilReorg_ReplacingTheNewestBlocks_DropsTheirRows()
    {
        using SuiteIndexer indexer = NewIndexer("anvil-reorg.db");
        SubmittedTask z = await _world.SubmitTaskAsync(6, 500 * IndexerWorld.Acc, "task z", CancellationToken.None);
        await _world.MineAsync(2);
        ulong head = await _world.HeadAsync();
        await IndexToAsync(indexer, head);
        Assert.That(await indexer.GetTaskAsync(z.TaskId), Is.Not.Null);
        string oldHash = (await indexer.LogsAsync((ulong)z.BlockNumber, (ulong)z.BlockNumber)).First().BlockHash;

        // anvil_reorg replaces the blocks from z's on with empty ones: same height, new hashes, z's task gone.
        int depth = (int)(head - (ulong)z.BlockNumber + 1);
        await _world.Suite.Web3.Client.SendRequestAsync(new RpcRequest(5, "anvil_reorg", depth, Array.Empty<object>()));
        ulong newHead = await _world.HeadAsync();
        Assert.That(newHead, Is.GreaterThanOrEqualTo(head));
        var replaced = await _world.Suite.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(z.BlockNumber));
        Assert.That(replaced.BlockHash, Is.Not.EqualTo(oldHash).IgnoreCase, "the block was replaced");

        IndexPass pass = await indexer.IndexOnceAsync();
        Assert.That(pass.RewoundTo, Is.EqualTo((ulong)z.BlockNumber - 1), "rewound to the common ancestor");
        await IndexToAsync(indexer, newHead);
        Assert.That(await indexer.GetTaskAsync(z.TaskId), Is.Null, "no stale decoded row");
        Assert.That(await indexer.LogsAsync((ulong)z.BlockNumber, newHead), Is.Empty, "no stale raw row");
        await AssertIndexEqualsChainAsync(indexer);
    }

    [Test, Order(6)]
    public async Task NodeUnreachable_IsLogged_AndTheNextPassCatchesUp()
    {
        var log = new ListLogger();
        using SuiteIndexer indexer = NewIndexer("outage.db", logger: log, pollInterval: TimeSpan.FromMilliseconds(100));
        await IndexToAsync(indexer, await _world.HeadAsync());
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Task run = indexer.RunAsync(cts.Token);

        await _world.Suite.Node.StopAsync();
        try
        {
            await WaitUntilAsync(() => log.Has(4102), "a failed pass is logged while the node is down");
        }
        finally
        {
            await _world.Suite.Node.StartAsync();
        }

        SubmittedTask d = await _world.SubmitTaskAsync(IndexerWorld.Requester, 400 * IndexerWorld.Acc, "task d", CancellationToken.None);
        ulong head = await _world.HeadAsync();
        await WaitUntilAsync(() => indexer.IndexedBlock >= head, "the indexer catches up once the node is back");
        await cts.CancelAsync();
        await run;

        Assert.That(log.Has(4103), Is.True, "the recovery is logged");
        Assert.That(run.IsCompletedSuccessfully, Is.True);
        await AssertIndexEqualsChainAsync(indexer);
        Assert.That((await indexer.GetTaskAsync(d.TaskId))?.Bounty, Is.EqualTo(400 * IndexerWorld.Acc));
    }

    [Test, Order(3)]
    public async Task TaskLifecycle_MovesThroughAwaitingCommittee_Settleable_AndSettled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        CancellationToken ct = cts.Token;
        using SuiteIndexer indexer = NewIndexer("lifecycle.db");
        AgentClusterClient executor = await _world.ClientAsync(IndexerWorld.AgentOwner, ct);
        AgentClusterClient keeper = await _world.ClientAsync(0, ct);
        SubmittedTask t = await _world.SubmitTaskAsync(IndexerWorld.Requester, 100 * IndexerWorld.Acc, "task t", ct);

        await executor.Tasks.BidAsync(t.TaskId, _world.AgentId, 90 * IndexerWorld.Acc, ct);
        await _world.WarpAsync((await keeper.Tasks.GetMarketParametersAsync(ct)).BiddingWindow + TimeSpan.FromSeconds(1));
        await keeper.Tasks.AssignAsync(t.TaskId, ct);
        await executor.Tasks.PostResultAsync(t.TaskId, Nethereum.Util.Sha3Keccack.Current.CalculateHash("done"u8.ToArray()), "ipfs://done", ct);
        await _world.MineAsync(3); // LocalRandomness: the seed is readable from the block after request + 2
        await IndexToAsync(indexer, await _world.HeadAsync());

        IndexedTask posted = (await indexer.GetTaskAsync(t.TaskId, ct))!;
        Assert.Multiple(() =>
        {
            Assert.That(posted.Executor, Is.EqualTo(_world.AgentId));
            Assert.That(posted.ResultPosted, Is.True);
            Assert.That(posted.SeedRequested, Is.True);
            Assert.That(posted.Committee, Is.Empty);
        });
        Assert.That((await indexer.OpenTasksAsync(ct)).Select(x => x.TaskId), Does.Not.Contain(t.TaskId), "assigned: no longer open");
        Assert.That((await indexer.TasksAwaitingCommitteeAsync(await _world.ChainTimeAsync(), ct)).Select(x => x.TaskId), Does.Contain(t.TaskId));

        CommitteeDraw draw = await keeper.Tasks.DrawCommitteeBySortitionAsync(t.TaskId, cancellationToken: ct);
        await IndexToAsync(indexer, await _world.HeadAsync());
        IndexedTask drawn = (await indexer.GetTaskAsync(t.TaskId, ct))!;
        Assert.That(drawn.Seed, Is.Not.Null);
        Assert.That(drawn.Committee, Is.EquivalentTo(draw.Chosen.Select(c => c.AgentId)), "the committee is the drawn members");
        Assert.That(drawn.Committee, Has.Count.EqualTo(10));
        DateTimeOffset now = await _world.ChainTimeAsync();
        Assert.That((await indexer.TasksSettleableAsync(now, ct)).Select(x => x.TaskId), Does.Not.Contain(t.TaskId), "the reveal window is still open");

        await _world.WarpAsync(drawn.RevealEndsAt!.Value - now + TimeSpan.FromSeconds(1));
        await IndexToAsync(indexer, await _world.HeadAsync());
        now = await _world.ChainTimeAsync();
        Assert.That((await indexer.TasksSettleableAsync(now, ct)).Select(x => x.TaskId), Does.Contain(t.TaskId));
        Assert.That((await indexer.TasksAwaitingCommitteeAsync(now, ct)).Select(x => x.TaskId), Does.Not.Contain(t.TaskId), "the draw is closed");

        await keeper.Tasks.SettleAsync(t.TaskId, cancellationToken: ct);
        await IndexToAsync(indexer, await _world.HeadAsync());
        Assert.That((await indexer.GetTaskAsync(t.TaskId, ct))!.Settled, Is.True);
        Assert.That((await indexer.TasksSettleableAsync(await _world.ChainTimeAsync(), ct)).Select(x => x.TaskId), Does.Not.Contain(t.TaskId));
        await AssertIndexEqualsChainAsync(indexer);
    }

    [Test, Order(7)]
    public async Task Confirmations_IndexOnlyUpToHeadMinusK()
    {
        using SuiteIndexer indexer = NewIndexer("confirmations.db", confirmations: 3);
        ulong head = await _world.HeadAsync();
        IndexPass pass;
        do
        {
            pass = await indexer.IndexOnceAsync();
        }
        while (pass.ToBlock is not null);

        Assert.That(indexer.IndexedBlock, Is.EqualTo(pass.Head - 3));
        Assert.That(pass.Head, Is.GreaterThanOrEqualTo(head));
        Assert.That(await indexer.LogsAsync(pass.Head - 2, pass.Head), Is.Empty, "nothing above head - k is stored");
        await AssertIndexEqualsChainAsync(indexer);
    }

    [Test]
    public void BadInput_GivesClearErrors()
    {
        var empty = new DeploymentManifest(_world.Suite.Manifest.ChainId, 0, _world.Suite.Manifest.Deployer, new Dictionary<string, string>());
        var e1 = Assert.Throws<ArgumentException>(() => new SuiteIndexer(_world.Suite.Web3, empty, new SuiteIndexerOptions { DatabasePath = Path.Combine(_dir, "x.db") }));
        Assert.That(e1!.Message, Does.Contain("no contracts"));

        string missing = Path.Combine(_dir, "no-such-directory", "index.db");
        var e2 = Assert.Throws<ArgumentException>(() => new SuiteIndexer(_world.Suite.Web3, _world.Suite.Manifest, new SuiteIndexerOptions { DatabasePath = missing }));
        Assert.That(e2!.Message, Does.Contain("does not exist").And.Contain("no-such-directory"));

        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => NewIndexer("depth.db", reorgDepth: 0));
        Assert.That(e3!.Message, Does.Contain("ReorgDepth"));
        Assert.That(File.Exists(Path.Combine(_dir, "depth.db")), Is.False, "nothing is created before the options are valid");
    }

    [Test]
    public void AnIndexOfAnotherDeployment_IsRefused()
    {
        NewIndexer("other.db").Dispose();
        var contracts = new Dictionary<string, string>(_world.Suite.Manifest.Contracts) { ["AccToken"] = "0x000000000000000000000000000000000000dEaD" };
        var other = _world.Suite.Manifest with { Contracts = contracts };
        var e = Assert.Throws<IndexIntegrityException>(() => new SuiteIndexer(_world.Suite.Web3, other, new SuiteIndexerOptions { DatabasePath = Path.Combine(_dir, "other.db") }));
        Assert.That(e!.Message, Does.Contain("contracts").And.Contain("another deployment"));
    }

    [Test]
    public void ANodeOnAnotherChain_IsRefused()
    {
        var wrong = _world.Suite.Manifest with { ChainId = _world.Suite.Manifest.ChainId + 1 };
        using var indexer = new SuiteIndexer(_world.Suite.Web3, wrong, new SuiteIndexerOptions { DatabasePath = Path.Combine(_dir, "chain.db") });
        var e = Assert.ThrowsAsync<IndexIntegrityException>(() => indexer.IndexOnceAsync());
        Assert.That(e!.Message, Does.Contain($"chain {_world.Suite.Manifest.ChainId}"));
        Assert.That(indexer.IndexedBlock, Is.Null);
    }

    private SuiteIndexer NewIndexer(string file, int maxBlocksPerPass = 5_000, int reorgDepth = 64, ILogger<SuiteIndexer>? logger = null, TimeSpan? pollInterval = null,
        int confirmations = 0) =>
        new(_world.Suite.Web3, _world.Suite.Manifest, new SuiteIndexerOptions
        {
            DatabasePath = Path.Combine(_dir, file),
            MaxBlocksPerPass = maxBlocksPerPass,
            ReorgDepth = reorgDepth,
            Confirmations = confirmations,
            PollInterval = pollInterval ?? TimeSpan.FromSeconds(1),
        }, logger);

    private static async Task IndexToAsync(SuiteIndexer indexer, ulong block)
    {
        for (int i = 0; i < 1_000 && !(indexer.IndexedBlock >= block); i++)
        {
            await indexer.IndexOnceAsync();
        }

        Assert.That(indexer.IndexedBlock, Is.GreaterThanOrEqualTo(block), "indexed within the bound");
    }

    /// <summary>The stored logs equal <c>eth_getLogs</c> of the whole range (manifest block .. indexed block): no duplicate, no gap, no stale row.</summary>
    private async Task<IReadOnlyList<IndexedLog>> AssertIndexEqualsChainAsync(SuiteIndexer indexer)
    {
        ulong to = indexer.IndexedBlock!.Value;
        List<FilterLog> chain = await _world.ChainLogsAsync(to);
        IReadOnlyList<IndexedLog> stored = await indexer.LogsAsync(0, to);
        Assert.That(chain, Is.Not.Empty);
        Assert.That(Describe(stored), Is.EqualTo(chain.Select(l => string.Join("|", (ulong)l.BlockNumber.Value, (ulong)l.LogIndex.Value, l.BlockHash.ToLowerInvariant(),
            l.TransactionHash.ToLowerInvariant(), l.Address.ToLowerInvariant(), string.Join(",", l.Topics.Select(t => t.ToString()!.ToLowerInvariant())), l.Data.ToLowerInvariant())).ToList()));
        return stored;
    }

    private static List<string> Describe(IReadOnlyList<IndexedLog> logs) =>
        [.. logs.Select(l => string.Join("|", l.BlockNumber, l.LogIndex, l.BlockHash, l.TransactionHash, l.Address, string.Join(",", l.Topics), l.Data))];

    private static List<string> Describe(IReadOnlyList<IndexedTask> tasks) =>
        [.. tasks.Select(t => (t with { Committee = [] }).ToString() + string.Join(",", t.Committee))];

    private static List<string> Describe(IReadOnlyList<IndexedAgent> agents) => [.. agents.Select(a => a.ToString())];

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        DateTime until = DateTime.UtcNow + Bound;
        while (!condition() && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }

        Assert.That(condition(), Is.True, what + " (within the bound)");
    }

    private sealed class ListLogger : ILogger<SuiteIndexer>
    {
        private readonly ConcurrentQueue<(int Id, string Message)> _entries = new();

        public bool Has(int eventId) => _entries.Any(e => e.Id == eventId);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
