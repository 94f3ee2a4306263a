using System.Diagnostics.Metrics;
using AgentCluster.Keepers.Hosting;

namespace AgentCluster.Keepers.Attestation.Duty;

/// <summary>
/// The attestation duty's own counter on the keepers' meter (<see cref="KeeperMetrics.MeterName"/>, so the same <c>/metrics</c>):
/// <c>agentcluster_keeper_attestation_checks_total{outcome}</c>, outcome one of <c>accepted</c>, <c>rejected</c>, <c>renewed</c>,
/// <c>already_posted</c>, <c>renewal_refused</c>. Posted attestations and renewals are also keeper actions
/// (<c>agentcluster_keeper_actions_total{duty="attestation"}</c>, with their gas).
/// </summary>
public sealed class AttestationMetrics
{
    private readonly Counter<long> _checks;

    /// <summary>Creates the counter through <paramref name="meterFactory"/> (the factory owns and disposes the meter).</summary>
    public AttestationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _checks = meterFactory.Create(KeeperMetrics.MeterName)
            .CreateCounter<long>("agentcluster_keeper_attestation_checks", "{check}", "Evidence checks of the attestation duty by outcome.");
    }

    /// <summary>Counts one outcome.</summary>
    public void Count(string outcome) => _checks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
