using AgentCluster.Sdk;

namespace AgentCluster.Testing;

/// <summary>How to start an <see cref="AgentClusterSuite"/>.</summary>
public sealed record AgentClusterSuiteOptions
{
    /// <summary>The node (chain id 31337 by default, a local chain for scripts/deploy). <see cref="AnvilOptions.NoMining"/> is refused: the deployment needs blocks.</summary>
    public AnvilOptions Anvil { get; init; } = new();

    /// <summary>AC_* variables for scripts/deploy (e.g. AC_ATTESTORS); every other AC_* variable of this process is removed for the deployment.</summary>
    public IReadOnlyDictionary<string, string> DeployEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Deploy once per process and restore later suites from an anvil_dumpState snapshot of it (default). False deploys every time.</summary>
    public bool ReuseDeployment { get; init; } = true;

    /// <summary>
    /// The chain the node starts from (<see cref="AnvilOptions.StateFile"/>, which must exist) already holds this deployment: nothing is
    /// deployed or restored, and the suite checks that the chain id matches and the token has code at its address. For continuing a
    /// saved chain (<c>agentcluster localnet up --resume</c>). Null (default): deploy (or restore a snapshot of a deployment).
    /// </summary>
    public DeploymentManifest? ExistingDeployment { get; init; }

    /// <summary>How long scripts/deploy may run (default 5 minutes; the first run in a fresh worktree compiles the contracts).</summary>
    public TimeSpan DeployTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The anvil account approved as attestor by <see cref="WithTestAttestor"/> (account 9).</summary>
    public const int TestAttestorIndex = 9;

    /// <summary>
    /// Options whose deployment approves anvil account <see cref="TestAttestorIndex"/> as attestor at genesis (<c>AC_ATTESTORS</c>), so
    /// that a test can attest its agents (an agent must be attested to bid or review). This deployment is packed into
    /// AgentCluster.Testing beside the default one, so it works without a checkout too.
    /// </summary>
    public static AgentClusterSuiteOptions WithTestAttestor() =>
        new() { DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[TestAttestorIndex] } };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (Anvil is null)
        {
            throw new ArgumentNullException(nameof(Anvil), "AgentClusterSuiteOptions.Anvil must not be null.");
        }

        Anvil.Validate();
        if (Anvil.NoMining)
        {
            throw new ArgumentException("AgentClusterSuiteOptions.Anvil.NoMining cannot be used: scripts/deploy waits for its transactions to be mined.", nameof(Anvil));
        }

        if (DeployEnvironment is null)
        {
            throw new ArgumentNullException(nameof(DeployEnvironment), "AgentClusterSuiteOptions.DeployEnvironment must not be null.");
        }

        foreach ((string name, string value) in DeployEnvironment)
        {
            if (!name.StartsWith("AC_", StringComparison.Ordinal) || name.Length == 3)
            {
                throw new ArgumentException($"AgentClusterSuiteOptions.DeployEnvironment may hold only AC_* variables, not '{name}'.", nameof(DeployEnvironment));
            }

            if (value is null)
            {
                throw new ArgumentException($"AgentClusterSuiteOptions.DeployEnvironment['{name}'] is null.", nameof(DeployEnvironment));
            }
        }

        if (ExistingDeployment is not null && (Anvil.StateFile is null || !File.Exists(Anvil.StateFile)))
        {
            throw new ArgumentException(
                "AgentClusterSuiteOptions.ExistingDeployment needs Anvil.StateFile naming an existing saved chain: a fresh node holds no deployment.",
                nameof(ExistingDeployment));
        }

        if (DeployTimeout <= TimeSpan.Zero || DeployTimeout > TimeSpan.FromMinutes(30))
        {
            throw new ArgumentOutOfRangeException(nameof(DeployTimeout), DeployTimeout, "AgentClusterSuiteOptions.DeployTimeout must be positive and at most 30 minutes.");
        }
    }

    /// <summary>What makes two deployments interchangeable: chain id, extra anvil arguments and the deploy environment.</summary>
    internal string SnapshotKey() =>
        string.Join('\n', [
            Anvil.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Join('\u001f', Anvil.ExtraArguments),
            .. DeployEnvironment.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value),
        ]);
}
