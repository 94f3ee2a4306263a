using Microsoft.Extensions.Logging;

namespace AgentCluster.Keepers.Solana;

/// <summary>The Solana keeper's structured logs (source-generated; events 1300-1399).</summary>
internal static partial class SolanaKeeperLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Solana keeper {Keeper} started on program {Program} (poll interval {PollInterval}, at most {MaxActions} transaction(s) a pass)")]
    public static partial void Started(ILogger logger, string keeper, string program, TimeSpan pollInterval, int maxActions);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Solana keeper stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Solana keeper: pass failed, carrying on at the next pass: {Fault}")]
    public static partial void PassFailed(ILogger logger, string fault, Exception exception);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Solana keeper: recovered after {Failures} failed pass(es)")]
    public static partial void Recovered(ILogger logger, int failures);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "Solana keeper: {Kind} x{Count} on task {Task} (id {TaskId}): tx {Signature}, {ComputeUnits} CU")]
    public static partial void Sent(ILogger logger, string kind, int count, string task, ulong taskId, string signature, string computeUnits);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Debug, Message = "Solana keeper: {Kind} on task {Task} (id {TaskId}) not done: {Error} (done by someone else first, or no longer due)")]
    public static partial void AlreadyDone(ILogger logger, string kind, string task, ulong taskId, string error);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Warning, Message = "Solana keeper: {Kind} on task {Task} (id {TaskId}) failed, carrying on: {Fault}")]
    public static partial void ActionFailed(ILogger logger, string kind, string task, ulong taskId, string fault, Exception exception);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Debug, Message = "Solana keeper: {Kind} x{Count} on task {Task} does not fit one transaction; split in two")]
    public static partial void Split(ILogger logger, string kind, int count, string task);

    [LoggerMessage(EventId = 1314, Level = LogLevel.Information, Message = "Solana keeper: pass limit reached ({MaxActions} transaction(s)); {Left} action(s) left for the next pass")]
    public static partial void PassLimit(ILogger logger, int maxActions, int left);

    [LoggerMessage(EventId = 1315, Level = LogLevel.Debug, Message = "Solana keeper: account {Address} is not a decodable {Kind}, ignored: {Problem}")]
    public static partial void Undecodable(ILogger logger, string address, string kind, string problem);

    [LoggerMessage(EventId = 1316, Level = LogLevel.Information, Message = "Solana keeper: created its ACC account {Account}")]
    public static partial void KeeperAccReady(ILogger logger, string account);
}
