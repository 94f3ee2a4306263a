using System.Buffers.Binary;

namespace AgentCluster.Solana.Programs;

/// <summary>
/// The SPL Token program's instructions (a u8 index, then the fields, little-endian), single authority (no multisig), as
/// @solana-program/token builds them; and the decoders of its Mint (82 bytes) and token Account (165 bytes).
/// </summary>
public static class TokenProgram
{
    /// <summary>The program id.</summary>
    public static PublicKey ProgramId => WellKnown.TokenProgram;

    /// <summary>The size of a Mint account.</summary>
    public const int MintSize = 82;

    /// <summary>The size of a token Account.</summary>
    public const int AccountSize = 165;

    /// <summary>Initializes <paramref name="mint"/> (already created with 82 bytes, owned by the Token program); no rent sysvar needed.</summary>
    public static TransactionInstruction InitializeMint2(PublicKey mint, byte decimals, PublicKey mintAuthority, PublicKey? freezeAuthority = null)
    {
        Data.NotNull(mint, nameof(mint));
        Data.NotNull(mintAuthority, nameof(mintAuthority));
        var data = new Data().U8(20).U8(decimals).Key(mintAuthority);
        data = freezeAuthority is null ? data.U8(0) : data.U8(1).Key(freezeAuthority);
        return new(ProgramId, [AccountMeta.Writable(mint, false)], data.ToArray());
    }

    /// <summary>Initializes token account <paramref name="account"/> (already created with 165 bytes) for <paramref name="mint"/>, held by <paramref name="owner"/>.</summary>
    public static TransactionInstruction InitializeAccount3(PublicKey account, PublicKey mint, PublicKey owner)
    {
        Data.NotNull(account, nameof(account));
        Data.NotNull(mint, nameof(mint));
        Data.NotNull(owner, nameof(owner));
        return new(ProgramId, [AccountMeta.Writable(account, false), AccountMeta.ReadOnly(mint, false)], new Data().U8(18).Key(owner).ToArray());
    }

    /// <summary>Moves <paramref name="amount"/> base units from <paramref name="source"/> to <paramref name="destination"/>; <paramref name="authority"/> (owner or delegate) signs.</summary>
    public static TransactionInstruction Transfer(PublicKey source, PublicKey destination, PublicKey authority, ulong amount)
    {
        Data.NotNull(source, nameof(source));
        Data.NotNull(destination, nameof(destination));
        Data.NotNull(authority, nameof(authority));
        return new(ProgramId, [AccountMeta.Writable(source, false), AccountMeta.Writable(destination, false), AccountMeta.ReadOnly(authority, true)], new Data().U8(3).U64(amount).ToArray());
    }

    /// <summary><see cref="Transfer"/> that also checks the mint and its decimals.</summary>
    public static TransactionInstruction TransferChecked(PublicKey source, PublicKey mint, PublicKey destination, PublicKey authority, ulong amount, byte decimals)
    {
        Data.NotNull(source, nameof(source));
        Data.NotNull(mint, nameof(mint));
        Data.NotNull(destination, nameof(destination));
        Data.NotNull(authority, nameof(authority));
        return new(
            ProgramId,
            [AccountMeta.Writable(source, false), AccountMeta.ReadOnly(mint, false), AccountMeta.Writable(destination, false), AccountMeta.ReadOnly(authority, true)],
            new Data().U8(12).U64(amount).U8(decimals).ToArray());
    }

    /// <summary>Mints <paramref name="amount"/> base units of <paramref name="mint"/> to <paramref name="destination"/>; the mint authority signs.</summary>
    public static TransactionInstruction MintTo(PublicKey mint, PublicKey destination, PublicKey mintAuthority, ulong amount)
    {
        Data.NotNull(mint, nameof(mint));
        Data.NotNull(destination, nameof(destination));
        Data.NotNull(mintAuthority, nameof(mintAuthority));
        return new(ProgramId, [AccountMeta.Writable(mint, false), AccountMeta.Writable(destination, false), AccountMeta.ReadOnly(mintAuthority, true)], new Data().U8(7).U64(amount).ToArray());
    }

    /// <summary>Burns <paramref name="amount"/> base units from <paramref name="account"/>; its owner or delegate signs.</summary>
    public static TransactionInstruction Burn(PublicKey account, PublicKey mint, PublicKey authority, ulong amount)
    {
        Data.NotNull(account, nameof(account));
        Data.NotNull(mint, nameof(mint));
        Data.NotNull(authority, nameof(authority));
        return new(ProgramId, [AccountMeta.Writable(account, false), AccountMeta.Writable(mint, false), AccountMeta.ReadOnly(authority, true)], new Data().U8(8).U64(amount).ToArray());
    }

    /// <summary>Lets <paramref name="delegate"/> move up to <paramref name="amount"/> from <paramref name="source"/>; the owner signs.</summary>
    public static TransactionInstruction Approve(PublicKey source, PublicKey @delegate, PublicKey owner, ulong amount)
    {
        Data.NotNull(source, nameof(source));
        Data.NotNull(@delegate, nameof(@delegate));
        Data.NotNull(owner, nameof(owner));
        return new(ProgramId, [AccountMeta.Writable(source, false), AccountMeta.ReadOnly(@delegate, false), AccountMeta.ReadOnly(owner, true)], new Data().U8(4).U64(amount).ToArray());
    }

    /// <summary>Closes the (empty) token account <paramref name="account"/>, its lamports to <paramref name="destination"/>; the owner or close authority signs.</summary>
    public static TransactionInstruction CloseAccount(PublicKey account, PublicKey destination, PublicKey owner)
    {
        Data.NotNull(account, nameof(account));
        Data.NotNull(destination, nameof(destination));
        Data.NotNull(owner, nameof(owner));
        return new(ProgramId, [AccountMeta.Writable(account, false), AccountMeta.Writable(destination, false), AccountMeta.ReadOnly(owner, true)], new Data().U8(9).ToArray());
    }

    /// <summary>Decodes a Mint account's data.</summary>
    /// <exception cref="FormatException">Not 82 bytes, or an option tag that is neither 0 nor 1.</exception>
    public static TokenMint DecodeMint(ReadOnlySpan<byte> data)
    {
        if (data.Length != MintSize)
        {
            throw new FormatException($"A Mint account is {MintSize} bytes; got {data.Length}.");
        }

        return new TokenMint(
            Option(data[..36], "the mint authority"),
            BinaryPrimitives.ReadUInt64LittleEndian(data[36..]),
            data[44],
            Bool(data[45], "is_initialized"),
            Option(data[46..82], "the freeze authority"));
    }

    /// <summary>Decodes a token Account's data.</summary>
    /// <exception cref="FormatException">Not 165 bytes, an option tag that is neither 0 nor 1, or a state beyond Frozen.</exception>
    public static TokenAccount DecodeAccount(ReadOnlySpan<byte> data)
    {
        if (data.Length != AccountSize)
        {
            throw new FormatException($"A token Account is {AccountSize} bytes; got {data.Length}.");
        }

        byte state = data[108];
        if (state > (byte)TokenAccountState.Frozen)
        {
            throw new FormatException($"A token Account's state is 0..2; got {state}.");
        }

        uint nativeTag = BinaryPrimitives.ReadUInt32LittleEndian(data[109..]);
        ulong? native = nativeTag switch
        {
            0 => null,
            1 => BinaryPrimitives.ReadUInt64LittleEndian(data[113..]),
            _ => throw new FormatException($"is_native's option tag is 0 or 1; got {nativeTag}."),
        };
        return new TokenAccount(
            new PublicKey(data[..32]),
            new PublicKey(data[32..64]),
            BinaryPrimitives.ReadUInt64LittleEndian(data[64..]),
            Option(data[72..108], "the delegate"),
            (TokenAccountState)state,
            native,
            BinaryPrimitives.ReadUInt64LittleEndian(data[121..]),
            Option(data[129..165], "the close authority"));
    }

    private static PublicKey? Option(ReadOnlySpan<byte> field, string what)
    {
        uint tag = BinaryPrimitives.ReadUInt32LittleEndian(field);
        return tag switch
        {
            0 => null,
            1 => new PublicKey(field[4..36]),
            _ => throw new FormatException($"The option tag of {what} is 0 or 1; got {tag}."),
        };
    }

    private static bool Bool(byte b, string what) => b switch
    {
        0 => false,
        1 => true,
        _ => throw new FormatException($"{what} is 0 or 1; got {b}."),
    };
}

/// <summary>A token Account's state.</summary>
public enum TokenAccountState : byte
{
    /// <summary>Not initialized yet.</summary>
    Uninitialized = 0,

    /// <summary>In use.</summary>
    Initialized = 1,

    /// <summary>Frozen by the mint's freeze authority.</summary>
    Frozen = 2,
}

/// <summary>A decoded SPL Token Mint (82 bytes).</summary>
/// <param name="MintAuthority">Who may mint (null when fixed supply).</param>
/// <param name="Supply">Base units in circulation.</param>
/// <param name="Decimals">Decimal places of a UI amount.</param>
/// <param name="IsInitialized">Initialized.</param>
/// <param name="FreezeAuthority">Who may freeze accounts (null when none).</param>
public sealed record TokenMint(PublicKey? MintAuthority, ulong Supply, byte Decimals, bool IsInitialized, PublicKey? FreezeAuthority);

/// <summary>A decoded SPL Token Account (165 bytes).</summary>
/// <param name="Mint">The mint it holds.</param>
/// <param name="Owner">Its owner.</param>
/// <param name="Amount">Base units held.</param>
/// <param name="Delegate">The delegate, if any.</param>
/// <param name="State">Uninitialized, initialized or frozen.</param>
/// <param name="IsNative">For wrapped SOL, the rent-exempt reserve; null otherwise.</param>
/// <param name="DelegatedAmount">What the delegate may still move.</param>
/// <param name="CloseAuthority">Who may close it besides the owner, if any.</param>
public sealed record TokenAccount(PublicKey Mint, PublicKey Owner, ulong Amount, PublicKey? Delegate, TokenAccountState State, ulong? IsNative, ulong DelegatedAmount, PublicKey? CloseAuthority);
