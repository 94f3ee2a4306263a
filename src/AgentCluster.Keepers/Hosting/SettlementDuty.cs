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
/// Settles what the index says is due, each task confirmed with one <c>getTask</c>:
/// <list type="bullet">
/// <item><c>settle</c> (paid) for every task in verification that the contract's <c>_settleTask</c> would settle now: the reveal window
/// over, or every member revealed (early), or a committee not full when its fill phase closed (refunded), or a seed that lapsed (not fixed
/// within two seed timeouts of the result: refunded, executor penalised);</item>
/// <item><c>settleMembers</c> (paid per member) for every member of a settled task without <c>MemberSettled</c>
/// (<see cref="SuiteIndexer.MembersToSettleAsync"/>), at most <see cref="KeeperOptions.MembersPerSettlement"/> per transaction;</item>
/// <item><c>reportMissedDeadline</c> (paid) for every assigned task past its deadline without a result;</item>
/// <item><c>flushProtocolFees</c> (unpaid) when the accrued fees are not zero, read at most once per <see cref="KeeperOptions.FlushProtocolFeesEvery"/>.</item>
/// </list>
/// Every action follows the <see cref="KeeperRota"/> (kinds <see cref="SettleKind"/>, <see cref="MembersKind"/>, <see cref="FlushKind"/>).
/// </summary>
public sealed class SettlementDuty(KeeperClient client, IndexerDuty index, KeeperRota rota, IOptions<KeeperOptions> options, KeeperMetrics metrics,
    ILogger<SettlementDuty> logger, TimeProvider? time = null) : KeeperDuty(DutyName, client, options, metrics, logger)
{
    /// <summary>The duty's name in logs and metrics.</summary>
    public const string DutyName = "settlement";

    /// <summary>The rota kind of settling a task (and of reporting its missed deadline).</summary>
    public const string SettleKind = "settle";

    /// <summary>The rota kind of settling a task's members.</summary>
    public const string MembersKind = "members";

    /// <summary>The rota kind of flushing the protocol fees (work id 0: one piece of work for the whole market).</summary>
    public const string FlushKind = "flush";

    /// <summary>At most this many transactions' worth of members are read from the index per pass.</summary>
    private const int MemberBatchesPerPass = 20;

    private readonly DutyState _state = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private DateTimeOffset _lastFeeCheck = DateTimeOffset.MinValue;
    private bool _warnedNoIndex;

    /// <inheritdoc />
    protected override async Task RunPassAsync(AgentClusterClient client, CancellationToken cancellationToken)
    {
        if (index.Indexer is not { } indexer)
        {
            if (!_warnedNoIndex && Options.IndexDbPath is null)
            {
                _warnedNoIndex = true;
                KeeperLog.NoIndex(Logger, Name);
            }

            return;
        }

        // Tasks are independent: their transactions go out together (at most MaxInFlight at once; the durable manager hands out the
        // nonces in order), so that a wave of tasks due in the same block is settled in the next block rather than one block per task.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxInFlight, CancellationToken = cancellationToken };
        DateTimeOffset now = await client.Tasks.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(await indexer.TasksInVerificationAsync(cancellationToken).ConfigureAwait(false), parallel,
            async (indexed, ct) => await SettleIfDueAsync(client, indexed.TaskId, now, ct).ConfigureAwait(false)).ConfigureAwait(false);
        await Parallel.ForEachAsync(await indexer.TasksPastDeadlineAsync(now, cancellationToken).ConfigureAwait(false), parallel,
            async (late, ct) => await ReportMissedDeadlineAsync(client, late.TaskId, ct).ConfigureAwait(false)).ConfigureAwait(false);

        IReadOnlyList<IndexedMemberToSettle> members = await indexer.MembersToSettleAsync(Options.MembersPerSettlement * MemberBatchesPerPass, cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(members.GroupBy(m => m.TaskId), parallel, async (task, ct) =>
        {
            if (_state.AwaitingIndex(task.Key, MembersKind, indexer.IndexedBlock) || !rota.ShouldAct(client.Address!, task.Key, MembersKind))
            {
                return;
            }

            foreach (IndexedMemberToSettle[] batch in task.Chunk(Options.MembersPerSettlement))
            {
                await SettleMembersAsync(client, task.Key, [.. batch.Select(m => m.AgentId)], ct).ConfigureAwait(false);
            }

            rota.Done(task.Key, MembersKind);
        }).ConfigureAwait(false);

        await FlushFeesIfDueAsync(client, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The contract's <c>_settleTask</c> rule, from the task read on-chain at chain time <paramref name="now"/>.</summary>
    internal static bool Settleable(TaskInfo task, MarketParams p, DateTimeOffset now)
    {
        if (task.Status != MarketTaskStatus.Verifying)
        {
            return false;
        }

        if (task.DrawClosesAt is not { } drawClosesAt)
        {
            // Lapsed: not fixed within two seed timeouts of the result (an expired request lapses earlier; it is settled at this bound).
            return task.ResultPostedAt is { } posted && now > posted + TimeSpan.FromSeconds(2 * p.SeedTimeout);
        }

        if (task.Seats < task.CommitteeSize)
        {
            return now > drawClosesAt - TimeSpan.FromSeconds(p.DrawWindow / 2);
        }

        return now >= task.RevealEndsAt || task.Reveals == task.Seats;
    }

    private async Task SettleIfDueAsync(AgentClusterClient client, BigInteger taskId, DateTimeOffset now, CancellationToken ct)
    {
        TaskInfo task = await client.Tasks.GetAsync(taskId, ct).ConfigureAwait(false);
        if (task.Status != MarketTaskStatus.Verifying)
        {
            rota.Done(taskId, SettleKind);
            return;
        }

        MarketParams p = await _state.ParamsAsync(client, task.ParamsVersion, ct).ConfigureAwait(false);
        if (!Settleable(task, p, now) || !rota.ShouldAct(client.Address!, taskId, SettleKind))
        {
            return;
        }

        TransactionReceipt receipt;
        try
        {
            receipt = DutyReceipts.Succeeded(
                await SendAsync(client, new SettleFunction { TaskId = taskId, Reveals = [], AgentIds = [] }, 2,
                    (f, c) => client.Contracts.TaskMarket.SettleEstimateGasAsync(f), client.Contracts.TaskMarket.SettleRequestAndWaitForReceiptAsync, ct).ConfigureAwait(false), "settle");
        }
        catch (ContractRevertException e)
        {
            KeeperLog.NotSent(Logger, taskId.ToString(), "settle", e.Message);
            return;
        }

        rota.Done(taskId, SettleKind);
        string outcome = receipt.DecodeAllEvents<TaskSettledEventDTO>() is [var settled, ..] ? ((MarketTaskStatus)settled.Event.Outcome).ToString() : "already settled";
        BigInteger gas = DutyReceipts.Gas(receipt), reward = DutyReceipts.Reward(receipt, client.Address!);
        Metrics.Action(Name, gas, reward);
        KeeperLog.TaskSettled(Logger, taskId.ToString(), outcome, receipt.TransactionHash, gas.ToString(), reward.ToString());
    }

    private async Task ReportMissedDeadlineAsync(AgentClusterClient client, BigInteger taskId, CancellationToken ct)
    {
        if (!rota.ShouldAct(client.Address!, taskId, SettleKind))
        {
            return;
        }

        TransactionReceipt receipt;
        try
        {
            receipt = DutyReceipts.Succeeded(
                await SendAsync(client, new ReportMissedDeadlineFunction { TaskId = taskId }, 2,
                    (f, c) => client.Contracts.TaskMarket.ReportMissedDeadlineEstimateGasAsync(f), client.Contracts.TaskMarket.ReportMissedDeadlineRequestAndWaitForReceiptAsync, ct).ConfigureAwait(false),
                "reportMissedDeadline");
        }
        catch (ContractCustomErrorException<DeadlineNotPassedError>)
        {
            return; // the next block's time decides: at the next pass
        }
        catch (ContractRevertException e)
        {
            KeeperLog.NotSent(Logger, taskId.ToString(), "reportMissedDeadline", e.Message);
            rota.Done(taskId, SettleKind);
            return;
        }

        rota.Done(taskId, SettleKind);
        BigInteger gas = DutyReceipts.Gas(receipt), reward = DutyReceipts.Reward(receipt, client.Address!);
        Metrics.Action(Name, gas, reward);
        KeeperLog.MissedDeadlineReported(Logger, taskId.ToString(), receipt.TransactionHash, gas.ToString(), reward.ToString());
    }

    private async Task SettleMembersAsync(AgentClusterClient client, BigInteger taskId, List<BigInteger> members, CancellationToken ct)
    {
        TransactionReceipt receipt;
        try
        {
            receipt = DutyReceipts.Succeeded(
                await SendAsync(client, new SettleMembersFunction { TaskId = taskId, AgentIds = members }, 2 * members.Count,
                    (f, c) => client.Contracts.TaskMarket.SettleMembersEstimateGasAsync(f), client.Contracts.TaskMarket.SettleMembersRequestAndWaitForReceiptAsync, ct).ConfigureAwait(false),
                "settleMembers");
        }
        catch (ContractRevertException e)
        {
            KeeperLog.NotSent(Logger, taskId.ToString(), "settleMembers", e.Message);
            return;
        }

        _state.Sent(taskId, MembersKind, receipt);
        int settled = receipt.DecodeAllEvents<MemberSettledEventDTO>().Count;
        BigInteger gas = DutyReceipts.Gas(receipt), reward = DutyReceipts.Reward(receipt, client.Address!);
        Metrics.Action(Name, gas, reward);
        KeeperLog.MembersSettled(Logger, taskId.ToString(), settled, receipt.TransactionHash, gas.ToString(), reward.ToString());
    }

    /// <summary>Gas allowed per checkpoint the call may write beyond its estimate (a fresh storage slot, cold, with its length update).</summary>
    internal const int GasPerCheckpoint = 30_000;

    /// <summary>
    /// Sends <paramref name="function"/> with its estimate (the manager's margin included) plus <see cref="GasPerCheckpoint"/> per
    /// checkpoint it may write. Settlement slashes stakes and changes reputations, whose histories are checkpoints keyed by time: estimated
    /// against a block of the same second as an earlier write, a checkpoint is updated in place (cheap); mined in the next second, it is
    /// a new slot (about 22,000 gas more each). With ten members that is beyond the manager's fixed headroom, and the transaction would
    /// run out of gas (seen in the two-keeper test, where both keepers slash the same agents in consecutive blocks).
    /// </summary>
    private static async Task<TransactionReceipt> SendAsync<TFunction>(AgentClusterClient client, TFunction function, int checkpoints,
        Func<TFunction, CancellationToken, Task<Nethereum.Hex.HexTypes.HexBigInteger>> estimate,
        Func<TFunction, CancellationToken, Task<TransactionReceipt>> send, CancellationToken ct)
        where TFunction : Nethereum.Contracts.FunctionMessage, new()
    {
        Nethereum.Hex.HexTypes.HexBigInteger gas = await RpcCancellation.RunAsync(() => estimate(function, ct), ct).ConfigureAwait(false);
        function.Gas = new Nethereum.Hex.HexTypes.HexBigInteger(gas.Value + checkpoints * (BigInteger)GasPerCheckpoint);
        return await send(function, ct).ConfigureAwait(false);
    }

    private async Task FlushFeesIfDueAsync(AgentClusterClient client, CancellationToken ct)
    {
        DateTimeOffset wall = _time.GetUtcNow();
        if (wall - _lastFeeCheck < Options.FlushProtocolFeesEvery)
        {
            return;
        }

        BigInteger pending = await RpcCancellation.RunAsync(() => client.Contracts.TaskMarket.PendingProtocolFeesQueryAsync(), ct).ConfigureAwait(false);
        if (pending.IsZero)
        {
            _lastFeeCheck = wall;
            rota.Done(BigInteger.Zero, FlushKind);
            return;
        }

        if (!rota.ShouldAct(client.Address!, BigInteger.Zero, FlushKind))
        {
            return; // another keeper's, until its take-over delay passes (checked again at the next pass)
        }

        TransactionReceipt receipt = DutyReceipts.Succeeded(
            await client.Contracts.TaskMarket.FlushProtocolFeesRequestAndWaitForReceiptAsync(ct).ConfigureAwait(false), "flushProtocolFees");
        _lastFeeCheck = wall;
        rota.Done(BigInteger.Zero, FlushKind);
        BigInteger flushed = receipt.DecodeAllEvents<ProtocolFeesFlushedEventDTO>().Aggregate(BigInteger.Zero, (sum, e) => sum + e.Event.Amount);
        BigInteger gas = DutyReceipts.Gas(receipt);
        Metrics.Action(Name, gas, BigInteger.Zero);
        KeeperLog.ProtocolFeesFlushed(Logger, flushed.ToString(), receipt.TransactionHash, gas.ToString());
    }
}
