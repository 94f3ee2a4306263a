using AgentCluster.Keepers.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Attestation.Duty;

/// <summary>
/// Readiness check <c>attestor</c>: with the attestation duty enabled, the signer must be an approved attestor of the registry
/// (<c>isAttestor</c>) and have a local key to sign with; Healthy when the duty is off.
/// </summary>
public sealed class AttestorHealthCheck(KeeperClient client, IOptions<KeeperOptions> options) : IHealthCheck
{
    /// <summary>The check's name.</summary>
    public const string Name = "attestor";

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Duties.Attestation)
        {
            return HealthCheckResult.Healthy("attestation duty not enabled");
        }

        if (options.Value.Key is { } source && !(await source.ResolveAsync(null, cancellationToken).ConfigureAwait(false)).IsLocal)
        {
            return HealthCheckResult.Unhealthy($"the signer ({source}) has no local key to sign attestations with");
        }

        try
        {
            var sdk = await client.GetAsync(cancellationToken).ConfigureAwait(false);
            bool approved = await sdk.Agents.IsAttestorAsync(sdk.Address!, cancellationToken).ConfigureAwait(false);
            return approved
                ? HealthCheckResult.Healthy($"{sdk.Address} is an approved attestor")
                : HealthCheckResult.Unhealthy($"{sdk.Address} is not an approved attestor of the registry {sdk.Contracts.Registry.ContractAddress}; governance must approve it (setAttestor)");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"cannot read isAttestor: {e.Message.Split('\n')[0]}");
        }
    }
}
