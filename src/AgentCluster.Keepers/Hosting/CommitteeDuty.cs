using System.Collections.Concurrent;
using System.Numerics;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.Rpc;
using AgentCluster.Keepers.Indexing;
using AgentCluster.Keepers.Sharing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// Forms the committees of tasks whose result is posted, from the index only (<see cref="SuiteIndexer.TasksAwaitingCommitteeAsync"/>,
/// each task confirmed with one <c>getTask</c>):
/// <list type="bullet">
/// <item>fixes the seed (the first <c>drawCommittee</c>, unpaid) as soon as the randomness source delivers it;</item>
/// <item>when the primary source has not delivered <c>seedTimeout</c> after the result, asks the fallback once (<c>retrySeed</c>, unpaid);</item>
/// <item>in the fill phase, submits the <c>committeeSize</c> best sortition keys (<c>drawCommittee</c>, paid per seat filled) through the
/// SDK's <see cref="TasksClient.DrawCommitteeFromKeysAsync"/>: candidates are the index's agents (registered, attested and not expired,
/// active stake at least <c>minStake</c>, not the executor nor an agent of the requester or of the executor's owner), keyed by the
/// market's own <c>sortitionKey</c> view (<see cref="TasksClient.SortitionKeysAsync"/>, one <c>eth_call</c> per candidate, cached per task:
/// the keeper never disagrees with the contract about a key);</item>
/// <item>once the committee is full and until the draw window closes, evicts every member whose key is worse than an unseated
/// candidate's (<c>claimSeat</c>, paid per claim), so that a hand-picked committee ends as the best keys.</item>
/// </list>
/// Every action follows the <see cref="KeeperRota"/> (kinds <see cref="DrawKind"/> and <see cref="ClaimKind"/>) and is idempotent on-chain:
/// a draw skips seated agents and stops at a full committee, a claim that is no longer better reverts at gas estimation (no transaction).
/// </summary>
public sealed class CommitteeDuty(KeeperClient client, IndexerDuty index, KeeperRota rota, IOptions<KeeperOptions> options, KeeperMetrics metrics,
    ILogger<CommitteeDuty> logger) : KeeperDuty(DutyName, client, options, metrics, logger)
{
    /// <summary>The duty's name in logs and metrics.</summary>
    public const string DutyName = "committee";

    /// <summary>The rota kind of fixing the seed, retrying it and drawing.</summary>
    public const string DrawKind = "draw";

    /// <summary>The rota kind of claiming seats for better keys.</summary>
    public const string ClaimKind = "claim";

    private readonly DutyState _state = new();
    private readonly ConcurrentDictionary<BigInteger, Dictionary<BigInteger, BigInteger?>> _keys = new();
    private readonly HashSet<BigInteger> _noSeed = [];
    private readonly HashSet<BigInteger> _retried = [];
    private readonly HashSet<BigInteger> _tooFew = [];
    private bool _warnedNoIndex;

    /// <inheritdoc />
    protected override async Task RunPassAsync(AgentClusterClient client, CancellationToken cancellationToken)
    {
        if (index.Indexer is not { } indexer)
        {
            WarnNoIndex();
            return;
        }

        DateTimeOffset now = await client.Tasks.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<IndexedTask> awaiting = await indexer.TasksAwaitingCommitteeAsync(now, cancellationToken).ConfigureAwait(false);
        var current = awaiting.Select(t => t.TaskId).ToHashSet();
        foreach (BigInteger gone in _keys.Keys.Where(id => !current.Contains(id)).ToList())
        {
            _keys.TryRemove(gone, out _);
        }

        _noSeed.IntersectWith(current); // what the duty remembers per task ends with the task's draw window
        _retried.IntersectWith(current);
        _tooFew.IntersectWith(current);

        IReadOnlyList<IndexedAgent>? agents = null;
        foreach (IndexedTask indexed in awaiting)
        {
            if (_noSeed.Contains(indexed.TaskId) || _state.AwaitingIndex(indexed.TaskId, DrawKind, indexer.IndexedBlock)
                || _state.AwaitingIndex(indexed.TaskId, ClaimKind, indexer.IndexedBlock))
            {
                continue;
            }

            TaskInfo task = await client.Tasks.GetAsync(indexed.TaskId, cancellationToken).ConfigureAwait(false);
            if (task.Status != MarketTaskStatus.Verifying)
            {
                continue;
            }

            MarketParams p = await _state.ParamsAsync(client, task.ParamsVersion, cancellationToken).ConfigureAwait(false);
            if (task.DrawClosesAt is null)
            {
                if (!await FixSeedAsync(client, indexer, task, p, now, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                task = await client.Tasks.GetAsync(indexed.TaskId, cancellationToken).ConfigureAwait(false);
                now = await client.Tasks.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
            }

            DateTimeOffset fillClosesAt = task.DrawClosesAt!.Value - TimeSpan.FromSeconds(p.DrawWindow / 2);
            agents ??= await indexer.AgentsAsync(cancellationToken).ConfigureAwait(false);
            List<BigInteger> candidates = Candidates(agents, indexed, p, now);
            if (task.Seats < task.CommitteeSize)
            {
                if (now <= fillClosesAt && rota.ShouldAct(client.Address!, task.TaskId, DrawKind))
                {
                    await DrawAsync(client, task, candidates, cancellationToken).ConfigureAwait(false);
                }
                else if (now > fillClosesAt)
                {
                    rota.Done(task.TaskId, DrawKind); // never formed: the settlement duty refunds it
                }

                continue;
            }

            rota.Done(task.TaskId, DrawKind);
            if (now < task.DrawClosesAt.Value)
            {
                await ClaimAsync(client, task, indexed.Committee, candidates, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The index's candidates for <paramref name="task"/>: registered, attested and not expired at <paramref name="now"/>, active
    /// stake at least <c>minStake</c>, and not excluded (the executor, the requester's and the executor owner's agents).</summary>
    private static List<BigInteger> Candidates(IReadOnlyList<IndexedAgent> agents, IndexedTask task, MarketParams p, DateTimeOffset now)
    {
        string? executorOwner = agents.FirstOrDefault(a => a.AgentId == task.Executor)?.Owner;
        return [.. agents.Where(a => a.AgentId != task.Executor
                && !string.Equals(a.Owner, task.Requester, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(a.Owner, executorOwner, StringComparison.OrdinalIgnoreCase)
                && a.AttestationExpiresAt > now
                && a.Stake.Active >= p.MinStake)
            .Select(a => a.AgentId)];
    }

    /// <summary>
    /// Fixes the seed once the source delivered it (true); asks the fallback when the primary has not delivered <c>seedTimeout</c> after
    /// the result; leaves a lapsed seed (not fixable any more) to the settlement duty. Work is "due" (for the rota) only when it can be
    /// done: a seed that is not ready is nobody's work yet, so a peer never takes over a fix that nobody could have sent.
    /// </summary>
    private async Task<bool> FixSeedAsync(AgentClusterClient client, SuiteIndexer indexer, TaskInfo task, MarketParams p, DateTimeOffset now, CancellationToken ct)
    {
        string id = task.TaskId.ToString();
        if (task.ResultPostedAt is not { } posted)
        {
            return false;
        }

        if (now > posted + TimeSpan.FromSeconds(2 * p.SeedTimeout))
        {
            _noSeed.Add(task.TaskId); // lapsed: the settlement duty refunds it
            rota.Done(task.TaskId, DrawKind);
            return false;
        }

        if (await indexer.SeedRequestOfAsync(task.TaskId, ct).ConfigureAwait(false) is not { } request)
        {
            return false;
        }

        var source = new AgentCluster.Evm.Bindings.IRandomnessSource.IRandomnessSourceService(client.Web3, request.Source);
        bool ready = (await RpcCancellation.RunAsync(() => source.SeedOfQueryAsync(request.RequestId), ct).ConfigureAwait(false)).Ready;
        if (!ready)
        {
            if (now >= posted + TimeSpan.FromSeconds(p.SeedTimeout) && !_retried.Contains(task.TaskId) && rota.ShouldAct(client.Address!, task.TaskId, DrawKind))
            {
                await RetrySeedAsync(client, task.TaskId, ct).ConfigureAwait(false);
            }

            return false;
        }

        if (!rota.ShouldAct(client.Address!, task.TaskId, DrawKind))
        {
            return false;
        }

        try
        {
            TransactionReceipt fixedSeed = await client.Tasks.DrawCommitteeAsync(task.TaskId, [], ct).ConfigureAwait(false);
            BigInteger gas = DutyReceipts.Gas(fixedSeed);
            Metrics.Action(Name, gas, BigInteger.Zero);
            KeeperLog.SeedFixed(Logger, id, fixedSeed.TransactionHash, gas.ToString());
            return true;
        }
        catch (ContractRevertException e)
        {
            KeeperLog.NotSent(Logger, id, "fixing the seed", e.Message);
            return false;
        }
    }

    private async Task RetrySeedAsync(AgentClusterClient client, BigInteger taskId, CancellationToken ct)
    {
        string id = taskId.ToString();
        try
        {
            TransactionReceipt receipt = DutyReceipts.Succeeded(
                await client.Contracts.TaskMarket.RetrySeedRequestAndWaitForReceiptAsync(taskId, ct).ConfigureAwait(false), "retrySeed");
            BigInteger gas = DutyReceipts.Gas(receipt);
            Metrics.Action(Name, gas, BigInteger.Zero);
            KeeperLog.SeedRetried(Logger, id, receipt.TransactionHash, gas.ToString());
            _state.Sent(taskId, DrawKind, receipt);
            _retried.Add(taskId);
            rota.Done(taskId, DrawKind);
        }
        catch (ContractCustomErrorException<SeedAlreadyRetriedError> e)
        {
            KeeperLog.NotSent(Logger, id, "retrySeed", e.Message); // the fallback was asked already: wait for it
            _retried.Add(taskId);
            rota.Done(taskId, DrawKind);
        }
        catch (ContractCustomErrorException<SeedNotOverdueError> e)
        {
            KeeperLog.NotSent(Logger, id, "retrySeed", e.Message); // ready by now, or expired (then it lapses)
        }
    }

    /// <summary>The keys of <paramref name="agents"/> for the task (cached: a task's keys never change once its seed is fixed).</summary>
    private async Task<List<(BigInteger AgentId, BigInteger Key)>> KeysAsync(AgentClusterClient client, BigInteger taskId, IEnumerable<BigInteger> agents, CancellationToken ct)
    {
        Dictionary<BigInteger, BigInteger?> cache = _keys.GetOrAdd(taskId, _ => []);
        List<BigInteger> missing = [.. agents.Where(a => !cache.ContainsKey(a)).Distinct()];
        if (missing.Count > 0)
        {
            IReadOnlyList<(BigInteger AgentId, BigInteger Key)> keyed = await client.Tasks.SortitionKeysAsync(taskId, missing, ct).ConfigureAwait(false);
            foreach (BigInteger a in missing)
            {
                cache[a] = null; // no key: under the minimum stake at the snapshot
            }

            foreach ((BigInteger a, BigInteger key) in keyed)
            {
                cache[a] = key;
            }
        }

        return [.. agents.Distinct().Where(a => cache[a] is not null).Select(a => (a, cache[a]!.Value)).OrderBy(k => k.Item2).ThenBy(k => k.a)];
    }

    private async Task DrawAsync(AgentClusterClient client, TaskInfo task, List<BigInteger> candidates, CancellationToken ct)
    {
        string id = task.TaskId.ToString();
        List<(BigInteger AgentId, BigInteger Key)> keyed = await KeysAsync(client, task.TaskId, candidates, ct).ConfigureAwait(false);
        if (keyed.Count < task.CommitteeSize)
        {
            if (_tooFew.Add(task.TaskId))
            {
                KeeperLog.NotEnoughCandidates(Logger, id, keyed.Count, task.CommitteeSize); // once per task; new candidates are looked for every pass
            }

            return;
        }

        CommitteeDraw draw;
        try
        {
            draw = await client.Tasks.DrawCommitteeFromKeysAsync(task.TaskId, task.CommitteeSize, keyed, ct).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            KeeperLog.NotSent(Logger, id, "drawCommittee", e.Message);
            rota.Done(task.TaskId, DrawKind);
            return;
        }

        rota.Done(task.TaskId, DrawKind);
        TransactionReceipt receipt = draw.Receipt!;
        _state.Sent(task.TaskId, DrawKind, receipt);
        BigInteger gas = DutyReceipts.Gas(receipt), reward = DutyReceipts.Reward(receipt, client.Address!);
        Metrics.Action(Name, gas, reward);
        KeeperLog.CommitteeDrawn(Logger, id, draw.SeatsFilled, receipt.TransactionHash, gas.ToString(), reward.ToString());
    }

    /// <summary>While an unseated candidate has a better key than the worst member, that member's seat is claimed for it.</summary>
    private async Task ClaimAsync(AgentClusterClient client, TaskInfo task, IReadOnlyList<BigInteger> committee, List<BigInteger> candidates, CancellationToken ct)
    {
        if (committee.Count != task.Seats)
        {
            return; // the index has not caught up with the seats yet: look again at the next pass
        }

        List<(BigInteger AgentId, BigInteger Key)> members = await KeysAsync(client, task.TaskId, committee, ct).ConfigureAwait(false);
        var seated = committee.ToHashSet();
        List<(BigInteger AgentId, BigInteger Key)> outside = [.. (await KeysAsync(client, task.TaskId, candidates, ct).ConfigureAwait(false)).Where(k => !seated.Contains(k.AgentId))];
        string id = task.TaskId.ToString();
        bool claimed = false;
        while (outside.Count > 0 && members.Count > 0 && outside[0].Key < members[^1].Key)
        {
            if (!rota.ShouldAct(client.Address!, task.TaskId, ClaimKind))
            {
                return;
            }

            (BigInteger better, BigInteger betterKey) = outside[0];
            (BigInteger worse, BigInteger worseKey) = members[^1];
            outside.RemoveAt(0);
            TransactionReceipt receipt;
            try
            {
                receipt = DutyReceipts.Succeeded(
                    await client.Contracts.TaskMarket.ClaimSeatRequestAndWaitForReceiptAsync(task.TaskId, better, worse, ct).ConfigureAwait(false), "claimSeat");
            }
            catch (ContractCustomErrorException<AgentNotEligibleError> e)
            {
                KeeperLog.NotSent(Logger, id, $"claimSeat for agent {better}", e.Message);
                continue; // this candidate cannot sit; the next best may
            }
            catch (ContractRevertException e)
            {
                KeeperLog.NotSent(Logger, id, $"claimSeat for agent {better}", e.Message);
                return; // the seats changed under us: the index shows them at a later pass
            }

            members.RemoveAt(members.Count - 1);
            members.Add((better, betterKey));
            members.Sort((a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.AgentId.CompareTo(b.AgentId));
            _state.Sent(task.TaskId, ClaimKind, receipt);
            claimed = true;
            BigInteger gas = DutyReceipts.Gas(receipt), reward = DutyReceipts.Reward(receipt, client.Address!);
            Metrics.Action(Name, gas, reward);
            KeeperLog.SeatClaimed(Logger, id, better.ToString(), betterKey.ToString(), worse.ToString(), worseKey.ToString(), receipt.TransactionHash, gas.ToString(), reward.ToString());
        }

        if (!claimed)
        {
            rota.Done(task.TaskId, ClaimKind);
        }
    }

    private void WarnNoIndex()
    {
        if (!_warnedNoIndex && Options.IndexDbPath is null)
        {
            _warnedNoIndex = true;
            KeeperLog.NoIndex(Logger, Name);
        }
    }
}

/// <summary>What the committee and settlement duties read from a receipt.</summary>
internal static class DutyReceipts
{
    /// <summary>ETH spent: gas used x effective gas price.</summary>
    public static BigInteger Gas(TransactionReceipt receipt) => receipt.GasUsed.Value * (receipt.EffectiveGasPrice?.Value ?? BigInteger.Zero);

    /// <summary>ACC credited to <paramref name="keeper"/> by the receipt's <c>Earned</c> events.</summary>
    public static BigInteger Reward(TransactionReceipt receipt, string keeper) => receipt.DecodeAllEvents<EarnedEventDTO>()
        .Where(e => string.Equals(e.Event.Account, keeper, StringComparison.OrdinalIgnoreCase))
        .Aggregate(BigInteger.Zero, (sum, e) => sum + e.Event.Amount);

    /// <summary>The receipt of a mined, successful transaction (a failed one throws).</summary>
    public static TransactionReceipt Succeeded(TransactionReceipt receipt, string what) => receipt.Status?.Value == 1 ? receipt
        : throw new InvalidOperationException($"The {what} transaction {receipt.TransactionHash} was mined but failed (status {receipt.Status?.Value}).");
}

/// <summary>
/// A duty's memory between passes: the market parameters per version (immutable once published), and the work it sent whose events the
/// index has not reached yet (so that the next pass, reading a lagging index, does not send it again).
/// </summary>
internal sealed class DutyState
{
    private readonly ConcurrentDictionary<uint, MarketParams> _params = new();
    private readonly ConcurrentDictionary<(BigInteger, string), ulong> _sent = new();

    public async Task<MarketParams> ParamsAsync(AgentClusterClient client, uint version, CancellationToken ct)
    {
        if (_params.TryGetValue(version, out MarketParams? p))
        {
            return p;
        }

        p = (await RpcCancellation.RunAsync(() => client.Contracts.TaskMarket.ParamsAtQueryAsync(version), ct).ConfigureAwait(false)).ReturnValue1;
        return _params.GetOrAdd(version, p);
    }

    /// <summary>Remembers that work of <paramref name="kind"/> on <paramref name="taskId"/> was mined in the receipt's block.</summary>
    public void Sent(BigInteger taskId, string kind, TransactionReceipt receipt) => _sent[(taskId, kind)] = (ulong)receipt.BlockNumber.Value;

    /// <summary>Whether work sent earlier is not in the index yet (the index is at <paramref name="indexedBlock"/>); forgets it once it is.</summary>
    public bool AwaitingIndex(BigInteger taskId, string kind, ulong? indexedBlock)
    {
        if (!_sent.TryGetValue((taskId, kind), out ulong block))
        {
            return false;
        }

        if (indexedBlock is { } i && i >= block)
        {
            _sent.TryRemove((taskId, kind), out _);
            return false;
        }

        return true;
    }
}
