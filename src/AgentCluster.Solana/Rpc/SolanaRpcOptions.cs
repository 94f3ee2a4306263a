namespace AgentCluster.Solana.Rpc;

/// <summary>
/// The resilience of <see cref="SolanaRpcClient"/> (the same rules as the EVM side's RPC): exponential retry with jitter for
/// transient faults only (connection errors, a per-attempt timeout, HTTP 5xx/408/429), each attempt bounded, all attempts
/// inside a total timeout. A JSON-RPC error is an answer and is never retried.
/// </summary>
public sealed record SolanaRpcOptions
{
    /// <summary>Retries after the first attempt for transient faults. Default 4.</summary>
    public int MaxRetryAttempts { get; init; } = 4;

    /// <summary>The first retry delay; later ones grow exponentially with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The cap on one retry delay. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The timeout of one attempt (one HTTP round trip). Default 15 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The bound on one call with all its attempts and delays. Default 60 s.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The defaults.</summary>
    public static SolanaRpcOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the option that is out of range.</summary>
    public void Validate()
    {
        if (MaxRetryAttempts is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), MaxRetryAttempts,
                $"SolanaRpcOptions.MaxRetryAttempts must be between 0 and 100; it is {MaxRetryAttempts}.");
        }

        if (RetryBaseDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), RetryBaseDelay,
                $"SolanaRpcOptions.RetryBaseDelay must be positive; it is {RetryBaseDelay}.");
        }

        if (RetryMaxDelay < RetryBaseDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryMaxDelay), RetryMaxDelay,
                $"SolanaRpcOptions.RetryMaxDelay ({RetryMaxDelay}) must be at least RetryBaseDelay ({RetryBaseDelay}).");
        }

        if (AttemptTimeout <= TimeSpan.Zero || AttemptTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout,
                $"SolanaRpcOptions.AttemptTimeout must be positive and at most one day; it is {AttemptTimeout}.");
        }

        if (TotalTimeout < AttemptTimeout || TotalTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(TotalTimeout), TotalTimeout,
                $"SolanaRpcOptions.TotalTimeout ({TotalTimeout}) must be at least AttemptTimeout ({AttemptTimeout}) and at most one day.");
        }
    }
}
