using AgentCluster.Sdk.Governance;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    private GovernanceClient? _governance;

    /// <summary>Proposals, votes, queueing and execution (see <see cref="GovernanceClient"/>).</summary>
    public GovernanceClient Governance => _governance ??= new GovernanceClient(this);
}
