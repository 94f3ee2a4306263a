using AgentCluster.Sdk.Networks;
using AgentCluster.Swarm.Networks;

namespace AgentCluster.Cli.Localnet;

/// <summary>
/// The one place the localnet's Solana side names the SDK's Solana network and the program bindings: connecting a participant
/// (<c>SolanaNetwork</c> over its keypair file and the server's deployment file) and approving the swarm's attestor (the authority's
/// <c>set_attestor</c>). Until they are in this build, <see cref="Available"/> is false and the side runs without a swarm (said).
/// </summary>
internal static class LocalnetSolanaSdk
{
    /// <summary>Whether the SDK's Solana network is in this build.</summary>
    public static bool Available => false;

    /// <summary>Why the swarm does not run when <see cref="Available"/> is false.</summary>
    public const string Missing = "the SDK's SolanaNetwork is not in this build yet";

    /// <summary>A network whose signer is the participant's keypair file.</summary>
    public static Task<IAgentClusterNetwork> ConnectAsync(SolanaLocalnetNode node, SolanaParticipantFiles files, CancellationToken cancellationToken) =>
        throw new NotSupportedException(Missing);

    /// <summary>A new attestor key, approved by the authority (set_attestor).</summary>
    public static Task<NetworkKey> ApprovedAttestorAsync(SolanaLocalnetNode node, IAgentClusterNetwork network, CancellationToken cancellationToken) =>
        throw new NotSupportedException(Missing);
}
