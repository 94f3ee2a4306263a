using System.Text;

namespace AgentCluster.Solana.Programs;

/// <summary>The System program's instructions (a u32 index, then the fields, little-endian), as @solana-program/system builds them.</summary>
public static class SystemProgram
{
    /// <summary>The program id.</summary>
    public static PublicKey ProgramId => WellKnown.SystemProgram;

    /// <summary>The longest seed <see cref="CreateAccountWithSeed"/> takes, in bytes (the runtime's limit).</summary>
    public const int MaxSeedLength = 32;

    /// <summary>Creates <paramref name="newAccount"/> (which signs) with <paramref name="lamports"/>, <paramref name="space"/> bytes, owned by <paramref name="owner"/>; <paramref name="from"/> pays and signs.</summary>
    public static TransactionInstruction CreateAccount(PublicKey from, PublicKey newAccount, ulong lamports, ulong space, PublicKey owner)
    {
        Data.NotNull(from, nameof(from));
        Data.NotNull(newAccount, nameof(newAccount));
        Data.NotNull(owner, nameof(owner));
        return new(ProgramId, [AccountMeta.Writable(from, true), AccountMeta.Writable(newAccount, true)], new Data().U32(0).U64(lamports).U64(space).Key(owner).ToArray());
    }

    /// <summary>Assigns <paramref name="account"/> (which signs) to <paramref name="owner"/>.</summary>
    public static TransactionInstruction Assign(PublicKey account, PublicKey owner)
    {
        Data.NotNull(account, nameof(account));
        Data.NotNull(owner, nameof(owner));
        return new(ProgramId, [AccountMeta.Writable(account, true)], new Data().U32(1).Key(owner).ToArray());
    }

    /// <summary>Moves <paramref name="lamports"/> from <paramref name="from"/> (which signs) to <paramref name="to"/>.</summary>
    public static TransactionInstruction Transfer(PublicKey from, PublicKey to, ulong lamports)
    {
        Data.NotNull(from, nameof(from));
        Data.NotNull(to, nameof(to));
        return new(ProgramId, [AccountMeta.Writable(from, true), AccountMeta.Writable(to, false)], new Data().U32(2).U64(lamports).ToArray());
    }

    /// <summary>
    /// Creates the account at <paramref name="newAccount"/> = <see cref="CreateWithSeed"/>(<paramref name="base"/>, <paramref name="seed"/>,
    /// <paramref name="owner"/>); <paramref name="from"/> pays and signs; <paramref name="base"/> signs (listed separately when it is not <paramref name="from"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A seed over 32 bytes of UTF-8.</exception>
    public static TransactionInstruction CreateAccountWithSeed(PublicKey from, PublicKey newAccount, PublicKey @base, string seed, ulong lamports, ulong space, PublicKey owner)
    {
        Data.NotNull(from, nameof(from));
        Data.NotNull(newAccount, nameof(newAccount));
        Data.NotNull(@base, nameof(@base));
        Data.NotNull(owner, nameof(owner));
        byte[] seedBytes = SeedBytes(seed);
        var keys = new List<AccountMeta> { AccountMeta.Writable(from, true), AccountMeta.Writable(newAccount, false) };
        if (@base != from)
        {
            keys.Add(AccountMeta.ReadOnly(@base, true));
        }

        return new(ProgramId, keys, new Data().U32(3).Key(@base).U64((ulong)seedBytes.Length).Raw(seedBytes).U64(lamports).U64(space).Key(owner).ToArray());
    }

    /// <summary>Allocates <paramref name="space"/> bytes for <paramref name="account"/> (which signs).</summary>
    public static TransactionInstruction Allocate(PublicKey account, ulong space)
    {
        Data.NotNull(account, nameof(account));
        return new(ProgramId, [AccountMeta.Writable(account, true)], new Data().U32(8).U64(space).ToArray());
    }

    /// <summary>The address of an account created with a seed: SHA-256(base ‖ seed ‖ owner) (the runtime's <c>create_with_seed</c>).</summary>
    /// <exception cref="ArgumentException">A seed over 32 bytes of UTF-8.</exception>
    public static PublicKey CreateWithSeed(PublicKey @base, string seed, PublicKey owner)
    {
        Data.NotNull(@base, nameof(@base));
        Data.NotNull(owner, nameof(owner));
        byte[] seedBytes = SeedBytes(seed);
        return new PublicKey(System.Security.Cryptography.SHA256.HashData([.. @base.Span, .. seedBytes, .. owner.Span]));
    }

    private static byte[] SeedBytes(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        byte[] bytes = Encoding.UTF8.GetBytes(seed);
        return bytes.Length <= MaxSeedLength
            ? bytes
            : throw new ArgumentException($"A seed is at most {MaxSeedLength} bytes of UTF-8; '{seed}' is {bytes.Length}.", nameof(seed));
    }
}
