using Microsoft.Extensions.Logging;

namespace AgentCluster.Dashboard;

/// <summary>The dashboard's log messages (source-generated; event ids 4300-4399).</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Dashboard listening on {Url} (index {IndexDbPath})")]
    public static partial void Listening(ILogger logger, string url, string indexDbPath);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Network health warning: {Series} = {Value} (expected about {Expected}, z = {Z})")]
    public static partial void AnomalyWarning(ILogger logger, string series, double value, double expected, double z);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error, Message = "Network health CRITICAL: {Series} = {Value} (expected about {Expected}, z = {Z})")]
    public static partial void AnomalyCritical(ILogger logger, string series, double value, double expected, double z);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Reading the index failed ({Reason}); retrying")]
    public static partial void IndexReadFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "Dropped a WebSocket client that fell {Queued} messages behind")]
    public static partial void SlowClientDropped(ILogger logger, int queued);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Error, Message = "Unhandled error serving {Path}")]
    public static partial void RequestFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 4306, Level = LogLevel.Debug, Message = "Chain head read failed: {Reason}")]
    public static partial void HeadReadFailed(ILogger logger, string reason);
}
