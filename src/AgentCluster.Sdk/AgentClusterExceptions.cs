namespace AgentCluster.Sdk;

/// <summary>A problem with the SDK's set-up or the chain it talks to (contract reverts are <c>ContractRevertException</c>s).</summary>
public class AgentClusterException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The node, the manifest and the options disagree on the chain id.</summary>
public sealed class WrongChainException(string message) : AgentClusterException(message);

/// <summary>The manifest's contracts are not on the chain (no code at an address): wrong RPC URL, wrong manifest, or a reset node.</summary>
public sealed class DeploymentNotFoundException(string message) : AgentClusterException(message);

/// <summary>The node cannot be reached or does not answer.</summary>
public sealed class NodeUnreachableException(string message, Exception innerException) : AgentClusterException(message, innerException);

/// <summary>A transaction was asked of a read-only client (no signer configured).</summary>
public sealed class ReadOnlyClientException(string message) : AgentClusterException(message);
