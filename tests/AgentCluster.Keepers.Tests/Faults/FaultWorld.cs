using System.Numerics;
using System.Text.Json;
using AgentCluster.Keepers.Tests.Indexing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace AgentCluster.Keepers.Tests.Faults;

/// <summary>
/// One fault scenario's chain and the agents' part of the task lives: a fresh suite (its own anvil container) with the
/// <see cref="IndexerWorld"/> set-up (an executor agent, committee candidates, a funded requester), the manifest on disk for the keeper
/// processes, and the SDK calls the test makes for the agents (submit, bid; later post, commit, reveal). The keepers' part is done only
/// by keeper processes (<see cref="KeeperFleet"/>). Disposing removes the container and the directory.
/// </summary>
internal sealed class FaultWorld : IAsyncDisposable
{
    private readonly string _dir;
    private int _requirements;

    private FaultWorld(IndexerWorld world, string dir, ulong startBlock)
    {
        World = world;
        _dir = dir;
        StartBlock = startBlock;
    }

    /// <summary>Whether the long versions run (scripts/test --deep sets AGENTCLUSTER_DEEP=1).</summary>
    public static bool Deep => Environment.GetEnvironmentVariable("AGENTCLUSTER_DEEP") is "1" or "true";

    public IndexerWorld World { get; }

    public AgentClusterSuite Suite => World.Suite;

    public string ManifestPath => Path.Combine(_dir, "manifest.json");

    /// <summary>The first block after the set-up: the keepers' transactions are all after it (the audit reads from here; a scenario with a second fleet moves it).</summary>
    public ulong StartBlock { get; set; }

    public static async Task<FaultWorld> StartAsync(CancellationToken ct)
    {
        IndexerWorld world = await IndexerWorld.StartAsync(ct);
        try
        {
            string dir = Directory.CreateTempSubdirectory("keeper-faults-").FullName;
            DeploymentManifest m = world.Suite.Manifest;
            await File.WriteAllTextAsync(Path.Combine(dir, "manifest.json"),
                JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }), ct);
            return new FaultWorld(world, dir, await world.HeadAsync() + 1);
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>A raw JSON-RPC call to the node (anvil's own methods).</summary>
    public Task RpcAsync(string method, params object[] args) =>
        Suite.Web3.Client.SendRequestAsync(new RpcRequest(Random.Shared.Next(), method, args));

    public Task<T> RpcAsync<T>(string method, params object[] args) =>
        Suite.Web3.Client.SendRequestAsync<T>(new RpcRequest(Random.Shared.Next(), method, args));

    public Task SetBalanceAsync(string address, int eth, CancellationToken ct) =>
        RpcAsync("anvil_setBalance", address, new HexBigInteger(BigInteger.Pow(10, 18) * eth).HexValue).WaitAsync(ct);

    public async Task<ulong> HeadAsync() => await World.HeadAsync();

    /// <summary>
    /// The agents' part up to the keepers' first duty: the requester (account 1) submits <paramref name="count"/> tasks, the executor agent
    /// bids on each, then the chain's clock passes the bidding window (one block mined at the new time): every task is now due for
    /// <c>assign</c>. Returns their ids.
    /// </summary>
    public async Task<IReadOnlyList<BigInteger>> SubmitDueTasksAsync(int count, CancellationToken ct, bool warp = true)
    {
        AgentClusterClient requester = await World.ClientAsync(IndexerWorld.Requester, ct);
        AgentClusterClient executor = await World.ClientAsync(IndexerWorld.AgentOwner, ct);
        var ids = new List<BigInteger>();
        for (int i = 0; i < count; i++)
        {
            SubmittedTask t = await World.SubmitTaskAsync(IndexerWorld.Requester, 10 * IndexerWorld.Acc, $"fault task {Interlocked.Increment(ref _requirements)}", ct);
            await executor.Tasks.BidAsync(t.TaskId, World.AgentId, 9 * IndexerWorld.Acc, ct);
            ids.Add(t.TaskId);
        }

        if (warp)
        {
            await World.WarpAsync((await requester.Tasks.GetMarketParametersAsync(ct)).BiddingWindow + TimeSpan.FromSeconds(1));
        }

        return ids;
    }

    /// <summary>The on-chain status of each task.</summary>
    public async Task<IReadOnlyDictionary<BigInteger, MarketTaskStatus>> StatusesAsync(IEnumerable<BigInteger> ids, CancellationToken ct)
    {
        AgentClusterClient reader = await World.ClientAsync(IndexerWorld.Requester, ct);
        var result = new Dictionary<BigInteger, MarketTaskStatus>();
        foreach (BigInteger id in ids)
        {
            result[id] = (await reader.Tasks.GetAsync(id, ct)).Status;
        }

        return result;
    }

    /// <summary>Waits (bounded) until no task of <paramref name="ids"/> is still in Bidding; fails naming those left and the keepers' last lines.</summary>
    public async Task WaitAllAssignedAsync(IReadOnlyCollection<BigInteger> ids, KeeperFleet fleet, TimeSpan limit, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(limit);
        IReadOnlyDictionary<BigInteger, MarketTaskStatus> statuses = new Dictionary<BigInteger, MarketTaskStatus>();
        while (true)
        {
            try
            {
                statuses = await StatusesAsync(ids, bound.Token);
                if (statuses.Values.All(s => s != MarketTaskStatus.Bidding))
                {
                    return;
                }

                await Task.Delay(200, bound.Token);
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                Assert.Fail($"Tasks still unassigned after {limit.TotalSeconds:0} s: {string.Join(", ", statuses.Where(s => s.Value == MarketTaskStatus.Bidding).Select(s => s.Key))}\n{fleet.Tail()}");
            }
            catch (Exception e) when (e is not OperationCanceledException and not AssertionException)
            {
                // the node may be restarting or paused: look again
                await Task.Delay(200, ct);
            }
        }
    }

    /// <summary>
    /// Set-up for whole lives: more ACC for the requester and a second 1,000 ACC of stake on the executor and every committee candidate
    /// (as the duties' own tests do), so that the candidates outweigh the minimum comfortably.
    /// </summary>
    public async Task PrepareCommitteesAsync(CancellationToken ct)
    {
        await Suite.FundAsync(AnvilAccounts.Addresses[IndexerWorld.CommitteeOwner], 20_000 * IndexerWorld.Acc, ct);
        await Suite.FundAsync(AnvilAccounts.Addresses[IndexerWorld.Requester], 20_000 * IndexerWorld.Acc, ct);
        foreach ((int owner, IEnumerable<BigInteger> agents) in new[] { (IndexerWorld.CommitteeOwner, (IEnumerable<BigInteger>)World.Committee), (IndexerWorld.AgentOwner, [World.AgentId]) })
        {
            var web3 = await Suite.CreateWeb3Async(owner, ct);
            var token = new AgentCluster.Evm.Bindings.AccToken.AccTokenService(web3, Suite.Manifest.AddressOf("AccToken"));
            var staking = new AgentCluster.Evm.Bindings.Staking.StakingService(web3, Suite.Manifest.AddressOf("Staking"));
            foreach (BigInteger agent in agents)
            {
                await token.ApproveRequestAndWaitForReceiptAsync(staking.ContractAddress, IndexerWorld.Stake, ct);
                await staking.StakeRequestAndWaitForReceiptAsync(agent, IndexerWorld.Stake, ct);
            }
        }
    }

    /// <summary>
    /// The agents' part of the rest of each task's life, the keepers doing theirs in between: once a task is assigned (by a keeper) its
    /// executor posts the result; the seed becomes readable (blocks mined); once a keeper has drawn its committee, the clock passes the draw
    /// window and every member commits an approval and reveals it. Returns once every task is settled on-chain (bounded). The keepers must
    /// still settle the members (<see cref="WaitMembersSettledAsync"/>).
    /// </summary>
    public async Task LiveUntilSettledAsync(IReadOnlyList<BigInteger> ids, KeeperFleet fleet, string saltDirectory, CancellationToken ct)
    {
        await WaitAllAssignedAsync(ids, fleet, TimeSpan.FromSeconds(90), ct);
        AgentClusterClient executor = await World.ClientAsync(IndexerWorld.AgentOwner, ct);
        foreach (BigInteger id in ids)
        {
            await executor.Tasks.PostResultAsync(id, Nethereum.Util.Sha3Keccack.Current.CalculateHash(id.ToByteArray()), "ipfs://result", ct);
        }

        await World.MineAsync(3); // LocalRandomness: the seed is readable from the block after request + 2
        AgentClusterClient reader = await World.ClientAsync(IndexerWorld.Requester, ct);
        await WaitForAsync(async () =>
        {
            foreach (BigInteger id in ids)
            {
                TaskInfo t = await reader.Tasks.GetAsync(id, ct);
                if (t.Seats < t.CommitteeSize)
                {
                    return false;
                }
            }

            return true;
        }, "the keepers draw every committee", fleet, TimeSpan.FromSeconds(90), ct);

        DateTimeOffset drawCloses = DateTimeOffset.MinValue;
        foreach (BigInteger id in ids)
        {
            drawCloses = Max(drawCloses, (await reader.Tasks.GetAsync(id, ct)).DrawClosesAt!.Value);
        }

        DateTimeOffset now = await World.ChainTimeAsync();
        if (drawCloses > now)
        {
            await World.WarpAsync(drawCloses - now);
        }

        await using (AgentClusterClient member = await World.ClientAsync(IndexerWorld.CommitteeOwner, ct))
        using (var reviews = member.OpenReviews(Path.Combine(saltDirectory, $"salts-{Guid.NewGuid():N}.db")))
        {
            foreach (BigInteger id in ids)
            {
                foreach (BigInteger agent in await MembersAsync(id))
                {
                    await reviews.CommitAsync(id, agent, approve: true, ct);
                }
            }

            foreach (var outcome in await reviews.RevealPendingAsync(ct))
            {
                Assert.That(outcome.Result, Is.EqualTo(AgentCluster.Sdk.Reviews.RevealResult.Revealed));
            }
        }

        await WaitForAsync(async () => (await StatusesAsync(ids, ct)).Values.All(s => s == MarketTaskStatus.Accepted),
            "the keepers settle every task (all members revealed)", fleet, TimeSpan.FromSeconds(90), ct);
    }

    /// <summary>Waits (bounded) until every member of every task has its MemberSettled event; returns the count per task.</summary>
    public async Task WaitMembersSettledAsync(IReadOnlyList<BigInteger> ids, KeeperFleet fleet, CancellationToken ct)
    {
        await WaitForAsync(async () =>
        {
            var settled = await EventsAsync<MemberSettledEventDTO>();
            foreach (BigInteger id in ids)
            {
                if (settled.Count(e => e.Event.TaskId == id) < (await MembersAsync(id)).Count)
                {
                    return false;
                }
            }

            return true;
        }, "the keepers settle every member", fleet, TimeSpan.FromSeconds(90), ct);
    }

    /// <summary>The seated members of a task (the SDK's read of its MemberDrawn and MemberEvicted events, in order).</summary>
    public async Task<List<BigInteger>> MembersAsync(BigInteger taskId)
    {
        AgentClusterClient reader = await World.ClientAsync(IndexerWorld.Requester, CancellationToken.None);
        return [.. await reader.Tasks.GetCommitteeAsync(taskId)];
    }

    public async Task<List<EventLog<T>>> EventsAsync<T>()
        where T : IEventDTO, new()
    {
        var e = Suite.Web3.Eth.GetEvent<T>(Suite.Manifest.AddressOf("TaskMarket"));
        return await e.GetAllChangesAsync(e.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, KeeperFleet fleet, TimeSpan limit, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(limit);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }

                await Task.Delay(200, bound.Token);
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0} s waiting for {what}.\n{fleet.Tail()}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await World.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
