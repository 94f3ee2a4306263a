using AgentCluster.Solana.Keys;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Solana;

/// <summary>Readiness: the Solana node answers <c>getSlot</c>.</summary>
public sealed class SolanaNodeHealthCheck(ISolanaKeeperChain chain) : IHealthCheck
{
    /// <summary>The check's name in <c>/health/ready</c>.</summary>
    public const string Name = "solana-node";

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            ulong slot = await chain.GetSlotAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"slot {slot}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Solana node unreachable: {e.Message.Split('\n')[0]}", e);
        }
    }
}

/// <summary>Readiness: the keeper's SOL balance is at least <see cref="SolanaKeeperOptions.MinBalanceSol"/> (it pays fees and the rent of the accounts it creates).</summary>
public sealed class SolanaKeeperBalanceHealthCheck(ISolanaKeeperChain chain, IOptions<SolanaKeeperOptions> options) : IHealthCheck
{
    /// <summary>The check's name in <c>/health/ready</c>.</summary>
    public const string Name = "solana-keeper-balance";

    /// <summary>Lamports per SOL.</summary>
    public const decimal LamportsPerSol = 1_000_000_000m;

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var keeper = KeypairFile.Read(options.Value.KeypairPath!).PublicKey;
            ulong lamports = await chain.GetBalanceAsync(keeper, cancellationToken).ConfigureAwait(false);
            decimal sol = lamports / LamportsPerSol;
            return sol >= options.Value.MinBalanceSol
                ? HealthCheckResult.Healthy($"{keeper}: {sol} SOL")
                : HealthCheckResult.Unhealthy($"{keeper}: {sol} SOL, below the floor of {options.Value.MinBalanceSol} SOL");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"balance unknown: {e.Message.Split('\n')[0]}", e);
        }
    }
}
