using Microsoft.Extensions.Logging;

namespace AgentCluster.Keepers.Hosting;

/// <summary>The keeper host's structured logs (source-generated).</summary>
internal static partial class KeeperLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Keeper duty {Duty} started (poll interval {PollInterval})")]
    public static partial void DutyStarted(ILogger logger, string duty, TimeSpan pollInterval);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Keeper duty {Duty} stopped")]
    public static partial void DutyStopped(ILogger logger, string duty);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Keeper duty {Duty}: transient fault, retry {Attempt} in {Delay}: {Fault}")]
    public static partial void Retrying(ILogger logger, string duty, int attempt, TimeSpan delay, string fault);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Keeper duty {Duty}: pass failed after retries, carrying on at the next pass: {Fault}")]
    public static partial void PassFailed(ILogger logger, string duty, string fault, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Keeper duty {Duty}: recovered after {Failures} failed pass(es)")]
    public static partial void Recovered(ILogger logger, string duty, int failures);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Assigned task {TaskId}: {Outcome}, tx {TransactionHash}, gas {GasWei} wei, reward {RewardWei} wei")]
    public static partial void Assigned(ILogger logger, string taskId, string outcome, string transactionHash, string gasWei, string rewardWei);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Task {TaskId} was already closed by someone else: {Reason}")]
    public static partial void AlreadyDone(ILogger logger, string taskId, string reason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Task {TaskId} is open again after this keeper's assign {TransactionHash} was mined (a chain reorganisation?): the transaction manager sends that same transaction again; no new one for {Hold}")]
    public static partial void OpenAgain(ILogger logger, string taskId, string transactionHash, TimeSpan hold);

    // 1100-1199: the committee and settlement duties.
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Fixed the committee seed of task {TaskId}: tx {TransactionHash}, gas {GasWei} wei")]
    public static partial void SeedFixed(ILogger logger, string taskId, string transactionHash, string gasWei);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Drew the committee of task {TaskId}: {Seated} seat(s) filled with the best keys, tx {TransactionHash}, gas {GasWei} wei, reward {RewardWei} wei")]
    public static partial void CommitteeDrawn(ILogger logger, string taskId, int seated, string transactionHash, string gasWei, string rewardWei);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Claimed a seat of task {TaskId} for agent {AgentId} (key {Key}) evicting agent {EvictedId} (key {EvictedKey}): tx {TransactionHash}, gas {GasWei} wei, reward {RewardWei} wei")]
    public static partial void SeatClaimed(ILogger logger, string taskId, string agentId, string key, string evictedId, string evictedKey, string transactionHash, string gasWei, string rewardWei);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Asked the fallback randomness source for the seed of task {TaskId} (the primary did not deliver within seedTimeout): tx {TransactionHash}, gas {GasWei} wei")]
    public static partial void SeedRetried(ILogger logger, string taskId, string transactionHash, string gasWei);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Task {TaskId}: only {Candidates} candidate(s) with a key for {Seats} seat(s); no committee drawn (the task will settle as refunded)")]
    public static partial void NotEnoughCandidates(ILogger logger, string taskId, int candidates, int seats);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Task {TaskId}: {Action} not sent, the contract refused it at estimation (nothing spent): {Reason}")]
    public static partial void NotSent(ILogger logger, string taskId, string action, string reason);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Keeper duty {Duty} finds its work in the index only and IndexDbPath is not set: it stays idle")]
    public static partial void NoIndex(ILogger logger, string duty);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Settled task {TaskId}: {Outcome}, tx {TransactionHash}, gas {GasWei} wei, reward {RewardWei} wei")]
    public static partial void TaskSettled(ILogger logger, string taskId, string outcome, string transactionHash, string gasWei, string rewardWei);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Settled {Settled} member(s) of task {TaskId}: tx {TransactionHash}, gas {GasWei} wei, reward {RewardWei} wei")]
    public static partial void MembersSettled(ILogger logger, string taskId, int settled, string transactionHash, string gasWei, string rewardWei);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Information, Message = "Reported the missed deadline of task {TaskId}: tx {TransactionHash}, gas {GasWei} wei, reward {RewardWei} wei")]
    public static partial void MissedDeadlineReported(ILogger logger, string taskId, string transactionHash, string gasWei, string rewardWei);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Information, Message = "Flushed {AmountWei} wei of protocol fees: tx {TransactionHash}, gas {GasWei} wei (unpaid work)")]
    public static partial void ProtocolFeesFlushed(ILogger logger, string amountWei, string transactionHash, string gasWei);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "Keeper indexer started on {DatabasePath}")]
    public static partial void IndexerStarted(ILogger logger, string databasePath);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Keeper indexer cannot start yet, retrying in {Delay}: {Fault}")]
    public static partial void IndexerWaiting(ILogger logger, TimeSpan delay, string fault);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Critical, Message = "Keeper indexer stopped: the index cannot follow this chain: {Fault}")]
    public static partial void IndexerFailed(ILogger logger, string fault, Exception exception);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Keeper health and metrics on {Prefix} (/health/live, /health/ready, /metrics)")]
    public static partial void Listening(ILogger logger, string prefix);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "Keeper signer {Address} balance {BalanceEth} ETH is below the warning threshold {ThresholdEth} ETH")]
    public static partial void LowBalance(ILogger logger, string address, decimal balanceEth, decimal thresholdEth);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "Health endpoint request failed: {Fault}")]
    public static partial void EndpointFault(ILogger logger, string fault);
}
