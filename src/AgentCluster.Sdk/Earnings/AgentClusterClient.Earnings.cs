using AgentCluster.Sdk.Earnings;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    private EarningsClient? _earnings;

    /// <summary>Pull payouts from the task market (<see cref="EarningsClient"/>).</summary>
    public EarningsClient Earnings => _earnings ??= new(this);
}
