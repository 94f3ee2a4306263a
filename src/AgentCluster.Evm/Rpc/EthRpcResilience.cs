using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AgentCluster.Evm.Rpc;

/// <summary>The retry policy of the RPC client: which faults are transient, and the pipeline built from the options.</summary>
public static class EthRpcResilience
{
    /// <summary>
    /// True for faults where the same request may succeed later: connection failures, timeouts, HTTP 5xx/408/429.
    /// False for JSON-RPC errors (the node refused the request) and for cancellation by the caller.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RpcException => false,
        RpcTransportException transport => transport.IsTransient,
        HttpRequestException => true,
        TimeoutRejectedException => true,
        TimeoutException => true,
        IOException => true,
        _ => false,
    };

    /// <summary>Retry (exponential back-off with jitter, transient faults only) around a per-attempt timeout.</summary>
    public static ResiliencePipeline CreatePipeline(EthRpcClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ResiliencePipelineBuilder();
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && IsTransient(e) && !args.Context.CancellationToken.IsCancellationRequested),
            });
        }

        return builder.AddTimeout(options.AttemptTimeout).Build();
    }

    /// <summary>Only the per-attempt timeout: for requests that must not be repeated (eth_sendTransaction, evm_mine, ...).</summary>
    internal static ResiliencePipeline CreateSingleAttemptPipeline(EthRpcClientOptions options) =>
        new ResiliencePipelineBuilder().AddTimeout(options.AttemptTimeout).Build();
}
