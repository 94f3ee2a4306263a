namespace AgentCluster.Solana.Rpc;

/// <summary>How settled the state a call reads (or a status waits for) must be: the RPC's <c>commitment</c>.</summary>
public enum Commitment
{
    /// <summary>The node's most recent block (it may still be skipped).</summary>
    Processed = 0,

    /// <summary>Voted on by a supermajority of the cluster.</summary>
    Confirmed = 1,

    /// <summary>Rooted: 31+ confirmed blocks on top of it; cannot be rolled back.</summary>
    Finalized = 2,
}

/// <summary>The RPC's names of <see cref="Commitment"/>.</summary>
public static class CommitmentExtensions
{
    /// <summary>The wire name: <c>processed</c>, <c>confirmed</c> or <c>finalized</c>.</summary>
    public static string ToRpcName(this Commitment commitment) => commitment switch
    {
        Commitment.Processed => "processed",
        Commitment.Confirmed => "confirmed",
        Commitment.Finalized => "finalized",
        _ => throw new ArgumentOutOfRangeException(nameof(commitment), commitment, "Commitment must be Processed, Confirmed or Finalized."),
    };

    /// <summary>The commitment a wire name means, or null for an unknown name.</summary>
    public static Commitment? FromRpcName(string? name) => name switch
    {
        "processed" => Commitment.Processed,
        "confirmed" => Commitment.Confirmed,
        "finalized" => Commitment.Finalized,
        _ => null,
    };
}
