using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Evm.Bindings.AgentClusterGovernor;
using AgentCluster.Evm.Bindings.AgentClusterTimelock;
using AgentCluster.Evm.Bindings.AgentRegistry;
using AgentCluster.Evm.Bindings.CriticalProposalRegistry;
using AgentCluster.Evm.Bindings.FeeRouter;
using AgentCluster.Evm.Bindings.Reputation;
using AgentCluster.Evm.Bindings.Staking;
using AgentCluster.Evm.Bindings.TaskMarket;
using AgentCluster.Evm.Bindings.Treasury;
using Nethereum.Web3;

namespace AgentCluster.Sdk;

/// <summary>
/// The generated Nethereum services of the deployed suite, at the manifest's addresses, over one Web3. Every call translates
/// reverts into typed exceptions (<c>ContractCustomErrorException&lt;TError&gt;</c>, <c>ContractPanicException</c>, ...).
/// <see cref="TaskMarket"/> carries the whole ABI served at the market address (TaskMarket and its verification module).
/// </summary>
public sealed class SuiteContracts
{
    internal SuiteContracts(IWeb3 web3, DeploymentManifest manifest)
    {
        Token = new AccTokenService(web3, manifest.AddressOf("AccToken"));
        Registry = new AgentRegistryService(web3, manifest.AddressOf("AgentRegistry"));
        Staking = new StakingService(web3, manifest.AddressOf("Staking"));
        Reputation = new ReputationService(web3, manifest.AddressOf("Reputation"));
        TaskMarket = new TaskMarketService(web3, manifest.AddressOf("TaskMarket"));
        Governor = new AgentClusterGovernorService(web3, manifest.AddressOf("Governor"));
        Timelock = new AgentClusterTimelockService(web3, manifest.AddressOf("Timelock"));
        CriticalProposals = new CriticalProposalRegistryService(web3, manifest.AddressOf("CriticalProposalRegistry"));
        Treasury = new TreasuryService(web3, manifest.AddressOf("Treasury"));
        FeeRouter = new FeeRouterService(web3, manifest.AddressOf("FeeRouter"));
    }

    /// <summary>ACC (ERC-20 with permit and votes).</summary>
    public AccTokenService Token { get; }

    /// <summary>Agent registration, bonds, attestations, capabilities.</summary>
    public AgentRegistryService Registry { get; }

    /// <summary>Stakes, checkpoints, slashing and appeals.</summary>
    public StakingService Staking { get; }

    /// <summary>The four reputation dimensions with their decay.</summary>
    public ReputationService Reputation { get; }

    /// <summary>Task escrow, bids, results, committees, reviews and settlement (the whole market ABI).</summary>
    public TaskMarketService TaskMarket { get; }

    /// <summary>The governor.</summary>
    public AgentClusterGovernorService Governor { get; }

    /// <summary>The timelock that owns every parameter.</summary>
    public AgentClusterTimelockService Timelock { get; }

    /// <summary>Which (target, selector) pairs make a proposal critical (2/3).</summary>
    public CriticalProposalRegistryService CriticalProposals { get; }

    /// <summary>The treasury.</summary>
    public TreasuryService Treasury { get; }

    /// <summary>Protocol fee split (burn / rewards).</summary>
    public FeeRouterService FeeRouter { get; }
}
