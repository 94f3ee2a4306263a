namespace AgentCluster.Solana.Programs;

/// <summary>The ids of the native and SPL programs and sysvars the client uses.</summary>
public static class WellKnown
{
    /// <summary>The System program.</summary>
    public static PublicKey SystemProgram { get; } = new("11111111111111111111111111111111");

    /// <summary>The SPL Token program.</summary>
    public static PublicKey TokenProgram { get; } = new("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

    /// <summary>The SPL Token-2022 program (for ATA derivation under it).</summary>
    public static PublicKey Token2022Program { get; } = new("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

    /// <summary>The SPL Associated Token Account program.</summary>
    public static PublicKey AssociatedTokenAccountProgram { get; } = new("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

    /// <summary>The Compute Budget program.</summary>
    public static PublicKey ComputeBudgetProgram { get; } = new("ComputeBudget111111111111111111111111111111");

    /// <summary>The Ed25519 signature-verification native program.</summary>
    public static PublicKey Ed25519Program { get; } = new("Ed25519SigVerify111111111111111111111111111");

    /// <summary>The Rent sysvar.</summary>
    public static PublicKey SysvarRent { get; } = new("SysvarRent111111111111111111111111111111111");

    /// <summary>The Clock sysvar.</summary>
    public static PublicKey SysvarClock { get; } = new("SysvarC1ock11111111111111111111111111111111");

    /// <summary>The Instructions sysvar (the transaction's instructions, for introspection such as the Ed25519 check).</summary>
    public static PublicKey SysvarInstructions { get; } = new("Sysvar1nstructions1111111111111111111111111");

    /// <summary>The SlotHashes sysvar.</summary>
    public static PublicKey SysvarSlotHashes { get; } = new("SysvarS1otHashes111111111111111111111111111");
}
