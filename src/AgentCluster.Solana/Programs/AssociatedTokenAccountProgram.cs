namespace AgentCluster.Solana.Programs;

/// <summary>The SPL Associated Token Account program: the address derivation and its Create / CreateIdempotent instructions.</summary>
public static class AssociatedTokenAccountProgram
{
    /// <summary>The program id.</summary>
    public static PublicKey ProgramId => WellKnown.AssociatedTokenAccountProgram;

    /// <summary>The associated token account of <paramref name="owner"/> for <paramref name="mint"/>: the PDA of [owner, token program, mint] under the ATA program.</summary>
    public static PublicKey DeriveAssociatedTokenAccount(PublicKey owner, PublicKey mint, PublicKey? tokenProgram = null) =>
        FindAssociatedTokenAddress(owner, mint, tokenProgram).Address;

    /// <summary><see cref="DeriveAssociatedTokenAccount"/> with the bump.</summary>
    public static (PublicKey Address, byte Bump) FindAssociatedTokenAddress(PublicKey owner, PublicKey mint, PublicKey? tokenProgram = null)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(mint);
        return PublicKey.FindProgramAddress([owner.KeyBytes, (tokenProgram ?? WellKnown.TokenProgram).KeyBytes, mint.KeyBytes], ProgramId);
    }

    /// <summary>Creates <paramref name="owner"/>'s associated token account for <paramref name="mint"/>; <paramref name="payer"/> pays and signs. Fails if it exists.</summary>
    public static TransactionInstruction Create(PublicKey payer, PublicKey owner, PublicKey mint, PublicKey? tokenProgram = null) =>
        Build(0, payer, owner, mint, tokenProgram);

    /// <summary>As <see cref="Create"/>, but succeeds when the account already exists (with the same owner and mint).</summary>
    public static TransactionInstruction CreateIdempotent(PublicKey payer, PublicKey owner, PublicKey mint, PublicKey? tokenProgram = null) =>
        Build(1, payer, owner, mint, tokenProgram);

    private static TransactionInstruction Build(byte discriminator, PublicKey payer, PublicKey owner, PublicKey mint, PublicKey? tokenProgram)
    {
        ArgumentNullException.ThrowIfNull(payer);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(mint);
        PublicKey program = tokenProgram ?? WellKnown.TokenProgram;
        PublicKey ata = DeriveAssociatedTokenAccount(owner, mint, program);
        return new(
            ProgramId,
            [
                AccountMeta.Writable(payer, true),
                AccountMeta.Writable(ata, false),
                AccountMeta.ReadOnly(owner, false),
                AccountMeta.ReadOnly(mint, false),
                AccountMeta.ReadOnly(WellKnown.SystemProgram, false),
                AccountMeta.ReadOnly(program, false),
            ],
            [discriminator]);
    }
}
