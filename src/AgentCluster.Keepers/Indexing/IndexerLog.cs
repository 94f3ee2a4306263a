using Microsoft.Extensions.Logging;

namespace AgentCluster.Keepers.Indexing;

/// <summary>The indexer's log lines (source-generated).</summary>
internal static partial class IndexerLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Debug, Message = "Indexed blocks {From}..{To}: {Logs} logs (head {Head})")]
    public static partial void Indexed(ILogger logger, ulong from, ulong to, int logs, ulong head);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Chain reorganisation: block {Block} changed (stored {StoredHash}); rewound the index from block {Cursor} to the common ancestor {ForkPoint} and will re-index")]
    public static partial void Reorganised(ILogger logger, ulong block, string storedHash, ulong cursor, ulong forkPoint);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Index pass failed ({Kind}: {Reason}); nothing was written, retrying in {Delay}")]
    public static partial void PassFailed(ILogger logger, string kind, string reason, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Index pass succeeded again after {Failures} failed passes; indexed up to block {Block}")]
    public static partial void Recovered(ILogger logger, int failures, ulong block);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Index {Path} opened: {Contracts} contracts, resuming after block {Cursor}")]
    public static partial void Opened(ILogger logger, string path, int contracts, string cursor);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "The chain changed while blocks {From}..{To} were read ({Reason}); nothing was written, the next pass reads them again")]
    public static partial void ChainMoved(ILogger logger, ulong from, ulong to, string reason);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Index {Path} was built by schema {Old}; schema {New} stores more, so it was emptied and is rebuilt from its start block")]
    public static partial void SchemaUpgraded(ILogger logger, string path, int old, int @new);
}
