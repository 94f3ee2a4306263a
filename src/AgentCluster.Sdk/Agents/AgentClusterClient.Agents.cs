using AgentCluster.Sdk.Agents;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    private AgentsClient? _agents;

    /// <summary>Agent registration, capabilities, attestations, exit and bonds (<see cref="AgentsClient"/>).</summary>
    public AgentsClient Agents => _agents ??= new(this);
}
