using AgentCluster.Sdk.Reputation;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    private ReputationClient? _reputation;

    /// <summary>The four reputation dimensions, now and in the past (<see cref="ReputationClient"/>).</summary>
    public ReputationClient Reputation => _reputation ??= new(this);
}
