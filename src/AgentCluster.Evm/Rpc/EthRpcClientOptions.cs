using Polly;

namespace AgentCluster.Evm.Rpc;

/// <summary>Options of <see cref="EthRpcClient"/>.</summary>
public sealed class EthRpcClientOptions
{
    /// <summary>Retries after the first attempt for transient faults (connection errors, timeouts, HTTP 5xx/408/429). Default 6.</summary>
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>The first retry delay; later ones grow exponentially with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The cap on one retry delay. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The timeout of one attempt (one HTTP round trip). Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Replaces the built-in pipeline for retriable requests. It must only retry transient faults
    /// (<see cref="EthRpcResilience.IsTransient"/>); the client relies on <see cref="RpcException"/> never being retried.
    /// </summary>
    public ResiliencePipeline? Pipeline { get; set; }

    /// <summary>
    /// The widest block span of one eth_getLogs request; longer ranges are paged. Null asks for the whole range first.
    /// Either way a range the node refuses as too large is halved until it passes. Default 10,000 blocks.
    /// </summary>
    public ulong? MaxLogBlockRange { get; set; } = 10_000;

    internal void Validate()
    {
        if (MaxRetryAttempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), MaxRetryAttempts, "MaxRetryAttempts cannot be negative.");
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            throw new ArgumentException($"Retry delays must satisfy 0 <= RetryBaseDelay ({RetryBaseDelay}) <= RetryMaxDelay ({RetryMaxDelay}).");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout, "AttemptTimeout must be positive.");
        }

        if (MaxLogBlockRange is 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLogBlockRange), MaxLogBlockRange, "MaxLogBlockRange must be at least 1 block (or null).");
        }
    }
}
