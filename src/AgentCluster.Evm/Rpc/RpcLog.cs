using Microsoft.Extensions.Logging;

namespace AgentCluster.Evm.Rpc;

internal static partial class RpcLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "JSON-RPC {Method} to {Host}: attempt {Attempt} failed ({Fault}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string method, string host, int attempt, string fault, double delayMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "eth_sendRawTransaction {Hash}: the node said \"{NodeMessage}\" but has the transaction; treated as sent")]
    public static partial void RawSendAlreadyKnown(ILogger logger, string hash, string nodeMessage);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug,
        Message = "eth_getLogs refused blocks {From}..{To} ({NodeMessage}); halving the span to {Span}")]
    public static partial void LogRangeHalved(ILogger logger, string from, string to, string nodeMessage, string span);
}
