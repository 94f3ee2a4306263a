using AgentCluster.Solana.Keys;

namespace AgentCluster.Sdk.Networks;

/// <summary>An Ed25519 agent or attestor key for a Solana network: a Solana keypair (<see cref="Account"/>).</summary>
public sealed class SolanaNetworkKey : NetworkKey
{
    /// <summary>Wraps a Solana keypair.</summary>
    public SolanaNetworkKey(Account account) => Account = account ?? throw new ArgumentNullException(nameof(account));

    /// <summary>The keypair.</summary>
    public Account Account { get; }

    /// <inheritdoc/>
    public override NetworkKind Kind => NetworkKind.Solana;

    /// <inheritdoc/>
    public override string Address => Account.PublicKey.Key;

    /// <summary>Loads a key from a Solana CLI keypair file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="KeypairFileException">The file is not a keypair (the message names the file and what is wrong).</exception>
    public static SolanaNetworkKey FromKeypairFile(string path) => new(KeypairFile.Read(path));
}

/// <summary>The Solana deployment is not what the options said (no program, not executable, no config, genesis not finished, another mint).</summary>
/// <param name="message">What was found.</param>
public sealed class SolanaDeploymentException(string message) : AgentClusterException(message);

/// <summary>An agent key that no agent account of this deployment binds.</summary>
/// <param name="agentKey">The agent key (base58).</param>
public sealed class SolanaUnknownAgentException(string agentKey)
    : AgentClusterException($"Agent {agentKey} is not registered with this AgentCluster program (no agent account at its PDA).")
{
    /// <summary>The agent key.</summary>
    public string AgentKey { get; } = agentKey;
}

/// <summary>A task address that holds no task of this deployment.</summary>
/// <param name="task">The task account's address (base58).</param>
public sealed class SolanaUnknownTaskException(string task)
    : AgentClusterException($"Task {task} does not exist in this AgentCluster program (no task account at that address).")
{
    /// <summary>The task account's address.</summary>
    public string Task { get; } = task;
}

/// <summary>A transaction sent by a <see cref="SolanaNetwork"/> did not reach its commitment in time; it may still land.</summary>
/// <param name="operation">What was sent.</param>
/// <param name="signature">The transaction's signature (base58): look it up before sending again.</param>
/// <param name="message">What was seen.</param>
public sealed class SolanaTransactionTimeoutException(string operation, string signature, string message)
    : AgentClusterException($"{operation}: transaction {signature} {message}")
{
    /// <summary>The transaction's signature.</summary>
    public string Signature { get; } = signature;
}

/// <summary>A transaction landed but failed with an error that is not the AgentCluster program's (its JSON is in the message).</summary>
/// <param name="operation">What was sent.</param>
/// <param name="signature">The transaction's signature (base58).</param>
/// <param name="error">The transaction error's JSON.</param>
public sealed class SolanaTransactionFailedException(string operation, string signature, string error)
    : AgentClusterException($"{operation}: transaction {signature} failed: {error}")
{
    /// <summary>The transaction's signature.</summary>
    public string Signature { get; } = signature;

    /// <summary>The transaction error's JSON.</summary>
    public string Error { get; } = error;
}
