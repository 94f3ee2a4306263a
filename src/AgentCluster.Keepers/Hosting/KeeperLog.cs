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
