namespace AgentCluster.Evm.Rpc;

/// <summary>
/// Options of the resilience pipeline that <see cref="AgentClusterRpc.CreateClient"/> puts under Nethereum's <c>RpcClient</c>:
/// exponential retry with jitter around a per-attempt timeout, for transient faults only, all inside a total timeout.
/// </summary>
public sealed record RpcResilienceOptions
{
    /// <summary>Retries after the first attempt for transient faults (connection errors, timeouts, HTTP 5xx/408/429). Default 4.</summary>
    public int MaxRetryAttempts { get; init; } = 4;

    /// <summary>The first retry delay; later ones grow exponentially with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The cap on one retry delay. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The timeout of one attempt (one HTTP round trip). Default 15 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The bound on one call with all its attempts and delays. Default 60 s. <see cref="AgentClusterRpc.CreateClient"/> raises
    /// Nethereum's process-wide <c>ClientBase.ConnectionTimeout</c> to at least this plus 5 s (it never lowers it), so the retries
    /// run to their end instead of being cut by Nethereum's own timer.
    /// </summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The defaults.</summary>
    public static RpcResilienceOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the option that is out of range.</summary>
    public void Validate()
    {
        if (MaxRetryAttempts is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), MaxRetryAttempts,
                $"RpcResilienceOptions.MaxRetryAttempts must be between 0 and 100; it is {MaxRetryAttempts}.");
        }

        if (RetryBaseDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), RetryBaseDelay,
                $"RpcResilienceOptions.RetryBaseDelay must be positive; it is {RetryBaseDelay}.");
        }

        if (RetryMaxDelay < RetryBaseDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryMaxDelay), RetryMaxDelay,
                $"RpcResilienceOptions.RetryMaxDelay ({RetryMaxDelay}) must be at least RetryBaseDelay ({RetryBaseDelay}).");
        }

        if (AttemptTimeout <= TimeSpan.Zero || AttemptTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout,
                $"RpcResilienceOptions.AttemptTimeout must be positive and at most one day; it is {AttemptTimeout}.");
        }

        if (TotalTimeout < AttemptTimeout || TotalTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(TotalTimeout), TotalTimeout,
                $"RpcResilienceOptions.TotalTimeout ({TotalTimeout}) must be at least AttemptTimeout ({AttemptTimeout}) and at most one day.");
        }
    }
}
