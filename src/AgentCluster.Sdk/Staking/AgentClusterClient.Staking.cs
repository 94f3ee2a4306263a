using AgentCluster.Sdk.Staking;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    private StakingClient? _staking;

    /// <summary>Stakes, unbonding, withdrawals, slashes and appeals (<see cref="StakingClient"/>).</summary>
    public StakingClient Staking => _staking ??= new(this);
}
