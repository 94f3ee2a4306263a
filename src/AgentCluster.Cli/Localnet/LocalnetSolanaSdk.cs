using AgentCluster.Sdk.Networks;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Rpc;
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
    public static bool Available => true;

    /// <summary>Why the swarm does not run when <see cref="Available"/> is false.</summary>
    public const string Missing = "the SDK's SolanaNetwork is not in this build";

    /// <summary>A network whose signer is the participant's keypair file (the SDK's factory, as an agent developer configures it).</summary>
    public static Task<IAgentClusterNetwork> ConnectAsync(SolanaLocalnetNode node, SolanaParticipantFiles files, CancellationToken cancellationToken) =>
        AgentClusterNetwork.ConnectAsync(new AgentClusterNetworkOptions
        {
            Chain = "solana",
            Solana = new SolanaNetworkOptions
            {
                RpcUrl = node.RpcUrl.ToString(),
                DeploymentPath = node.InfoPath,
                KeypairPath = files.KeypairPath,
                ReviewStorePath = files.ReviewStorePath,
            },
        }, null, cancellationToken);

    /// <summary>A new attestor key of <paramref name="network"/>, approved by the authority (set_attestor through the bindings).</summary>
    public static async Task<NetworkKey> ApprovedAttestorAsync(SolanaLocalnetNode node, IAgentClusterNetwork network, CancellationToken cancellationToken)
    {
        NetworkKey key = network.Agents.NewKey();
        await ApproveAttestorAsync(node, new PublicKey(key.Address), cancellationToken).ConfigureAwait(false);
        return key;
    }

    /// <summary>
    /// The authority (the server's authority.json) approves <paramref name="attestorKey"/>: one set_attestor transaction built with the
    /// bindings and the TransactionBuilder, sent with preflight and confirmed (bounded: 30 s); its signature.
    /// </summary>
    public static async Task<string> ApproveAttestorAsync(SolanaLocalnetNode node, PublicKey attestorKey, CancellationToken cancellationToken)
    {
        Account authority = KeypairFile.Read(node.AuthorityKeypairPath);
        var program = new PublicKey(node.Info.ProgramId);
        using var rpc = new SolanaRpcClient(node.RpcUrl);
        var blockhash = await rpc.GetLatestBlockhashAsync(Commitment.Confirmed, cancellationToken).ConfigureAwait(false);
        byte[] tx = new TransactionBuilder()
            .SetFeePayer(authority)
            .SetRecentBlockHash(blockhash.Value.Blockhash)
            .AddInstruction(AgentClusterProgram.SetAttestor(program, authority.PublicKey, AgentClusterProgram.AttestorAddress(program, attestorKey), attestorKey, approved: true))
            .Build(authority);
        string signature = await rpc.SendTransactionAsync(tx, preflightCommitment: Commitment.Confirmed, cancellationToken: cancellationToken).ConfigureAwait(false);
        SignatureStatus status = await rpc.ConfirmTransactionAsync(signature, Commitment.Confirmed, TimeSpan.FromSeconds(30), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return status.Error is null ? signature : throw new InvalidOperationException($"set_attestor {signature} failed: {status.Error}");
    }
}
