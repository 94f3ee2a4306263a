namespace AgentCluster.Solana;

/// <summary>An account an instruction uses, with whether it must sign and whether it is written (Solnet's <c>AccountMeta</c>).</summary>
/// <param name="PublicKey">The account's address.</param>
/// <param name="IsSigner">The transaction must carry its signature.</param>
/// <param name="IsWritable">The instruction may change it.</param>
public sealed record AccountMeta(PublicKey PublicKey, bool IsSigner, bool IsWritable)
{
    /// <summary>A writable account.</summary>
    public static AccountMeta Writable(PublicKey key, bool isSigner) => new(key, isSigner, true);

    /// <summary>A read-only account.</summary>
    public static AccountMeta ReadOnly(PublicKey key, bool isSigner) => new(key, isSigner, false);
}
