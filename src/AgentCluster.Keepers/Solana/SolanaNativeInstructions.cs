using System.Buffers.Binary;
using AgentCluster.Solana;

namespace AgentCluster.Keepers.Solana;

/// <summary>The few native-program pieces the keeper uses: the associated token account, its idempotent creation, the compute-unit limit.</summary>
internal static class SolanaNativeInstructions
{
    public static readonly PublicKey TokenProgram = new("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
    public static readonly PublicKey AssociatedTokenProgram = new("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
    public static readonly PublicKey SystemProgram = new("11111111111111111111111111111111");
    public static readonly PublicKey ComputeBudgetProgram = new("ComputeBudget111111111111111111111111111111");

    /// <summary>The associated token account of <paramref name="owner"/> for <paramref name="mint"/>.</summary>
    public static PublicKey AssociatedTokenAddress(PublicKey owner, PublicKey mint) =>
        PublicKey.FindProgramAddress([owner.KeyBytes, TokenProgram.KeyBytes, mint.KeyBytes], AssociatedTokenProgram).Address;

    /// <summary>The ATA program's CreateIdempotent: creates the owner's associated token account unless it exists (then does nothing).</summary>
    public static TransactionInstruction CreateAssociatedTokenAccountIdempotent(PublicKey payer, PublicKey owner, PublicKey mint) =>
        new(AssociatedTokenProgram,
        [
            new AccountMeta(payer, true, true),
            new AccountMeta(AssociatedTokenAddress(owner, mint), false, true),
            new AccountMeta(owner, false, false),
            new AccountMeta(mint, false, false),
            new AccountMeta(SystemProgram, false, false),
            new AccountMeta(TokenProgram, false, false),
        ], [1]);

    /// <summary>The Compute Budget program's SetComputeUnitLimit.</summary>
    public static TransactionInstruction SetComputeUnitLimit(uint units)
    {
        byte[] data = new byte[5];
        data[0] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(1), units);
        return new TransactionInstruction(ComputeBudgetProgram, [], data);
    }
}
