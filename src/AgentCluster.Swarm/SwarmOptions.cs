using System.Numerics;
using AgentCluster.Sdk;

namespace AgentCluster.Swarm;

/// <summary>What a swarm runs against and how big it is. Checked by <see cref="Validate"/> before anything is sent.</summary>
public sealed record SwarmOptions
{
    /// <summary>The chain's JSON-RPC URL (a local anvil: the swarm moves its clock with <c>evm_setNextBlockTimestamp</c>).</summary>
    public required Uri RpcUrl { get; init; }

    /// <summary>The chain id the node must answer.</summary>
    public required ulong ChainId { get; init; }

    /// <summary>The deployment.</summary>
    public required DeploymentManifest Manifest { get; init; }

    /// <summary>The key of the account that signs attestations (an approved attestor of the deployment).</summary>
    public required string AttestorPrivateKey { get; init; }

    /// <summary>Gives an address ACC (wei); the swarm calls it once, for its bank. On localnet: the suite's emission release.</summary>
    public required Func<string, BigInteger, CancellationToken, Task> FundAsync { get; init; }

    /// <summary>Directory of the swarm's transaction journals and salt stores. Required.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Number of agents (each with its own owner). Default 50; 11..1,000 (a committee needs 10 besides the executor).</summary>
    public int Agents { get; init; } = 50;

    /// <summary>Tasks to submit in all; null: until cancelled or <see cref="UntilSettled"/>.</summary>
    public int? Tasks { get; init; }

    /// <summary>Stop after this many tasks are settled; null: no such bound.</summary>
    public int? UntilSettled { get; init; }

    /// <summary>The seed of every key and choice: the same seed gives the same run. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Share of dishonest agents (wrong votes, wrong results). Default 0.1.</summary>
    public double DishonestShare { get; init; } = 0.1;

    /// <summary>Share of lazy agents (half never commit, half never reveal). Default 0.1.</summary>
    public double LazyShare { get; init; } = 0.1;

    /// <summary>How long the swarm waits for a keeper to do its part of a task (assign, draw, settle) before it says so and moves on. Default 60 s.</summary>
    public TimeSpan KeeperWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The governance round (see <see cref="SwarmGovernanceOptions"/>): the swarm's accounts and the deployer vote on a market-fee
    /// proposal and on the decision of the run's appeal. Null: no governance round.
    /// </summary>
    public SwarmGovernanceOptions? Governance { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(RpcUrl);
        ArgumentNullException.ThrowIfNull(Manifest);
        ArgumentNullException.ThrowIfNull(FundAsync);
        if (Agents is < 11 or > 1_000)
        {
            throw new ArgumentException($"agents must be 11..1000 (a committee of 10 besides the executor); got {Agents}.", nameof(Agents));
        }

        if (Tasks is < 1)
        {
            throw new ArgumentException($"tasks must be at least 1; got {Tasks}.", nameof(Tasks));
        }

        if (UntilSettled is < 1)
        {
            throw new ArgumentException($"until-settled must be at least 1; got {UntilSettled}.", nameof(UntilSettled));
        }

        if (DishonestShare is < 0 or > 0.3 || LazyShare is < 0 or > 0.3)
        {
            throw new ArgumentException("dishonest and lazy shares must each be 0..0.3 (a committee needs a 2/3 honest majority).", nameof(DishonestShare));
        }

        if (string.IsNullOrWhiteSpace(WorkDirectory))
        {
            throw new ArgumentException("WorkDirectory is required.", nameof(WorkDirectory));
        }

        if (string.IsNullOrWhiteSpace(AttestorPrivateKey))
        {
            throw new ArgumentException("AttestorPrivateKey is required.", nameof(AttestorPrivateKey));
        }

        if (Governance is { } g)
        {
            if (g.ReleaseEmissionsAsync is null)
            {
                throw new ArgumentException("Governance.ReleaseEmissionsAsync is required (the deployer's votes above the quorum floor).", nameof(Governance));
            }

            if (g.Deployer is null || g.Deployer.Address is null)
            {
                throw new ArgumentException("Governance.Deployer must be a client that signs (the deployer: it proposes, votes, queues and executes).", nameof(Governance));
            }
        }
    }
}

/// <summary>
/// What the swarm's governance round needs from the network it runs on. Before the first round, emissions are released to the deployer
/// until its votes pass the governor's quorum (10M ACC floor) with room and outweigh the requesters' three to one; the swarm's own
/// accounts vote beside it.
/// </summary>
public sealed record SwarmGovernanceOptions
{
    /// <summary>
    /// A client signing as the deployer (the beneficiary of the emission pools on localnet). Shared with its owner (its transactions
    /// go through the owner's transaction manager: one manager per signer); the swarm does not dispose it.
    /// </summary>
    public required AgentClusterClient Deployer { get; init; }

    /// <summary>Moves the chain's clock forward by the given time and releases the emission pools' vested ACC to the deployer.</summary>
    public required Func<TimeSpan, CancellationToken, Task<BigInteger>> ReleaseEmissionsAsync { get; init; }
}

/// <summary>How a simulated agent behaves.</summary>
public enum Behaviour
{
    /// <summary>Posts correct results and votes the truth.</summary>
    Honest,

    /// <summary>Posts wrong results and votes against the truth.</summary>
    Dishonest,

    /// <summary>Lazy: never commits a vote.</summary>
    Silent,

    /// <summary>Lazy: commits and never reveals.</summary>
    Unrevealed,
}
