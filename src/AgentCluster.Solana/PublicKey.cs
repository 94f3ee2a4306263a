using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace AgentCluster.Solana;

/// <summary>
/// A Solana address: 32 bytes, written in base58 (an Ed25519 public key, or a program-derived address off the curve). Immutable;
/// equal when the bytes are equal. Shaped like Solnet's <c>PublicKey</c>: <see cref="Key"/>, <see cref="KeyBytes"/>,
/// <see cref="TryFindProgramAddress"/>.
/// </summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    /// <summary>The length of an address in bytes.</summary>
    public const int Length = 32;

    /// <summary>The most seeds a program-derived address takes (the runtime's limit).</summary>
    public const int MaxSeeds = 16;

    /// <summary>The longest seed a program-derived address takes, in bytes (the runtime's limit).</summary>
    public const int MaxSeedLength = 32;

    private static readonly byte[] PdaMarker = "ProgramDerivedAddress"u8.ToArray();
    private readonly byte[] _bytes;
    private string? _base58;

    /// <summary>An address from its 32 bytes (copied).</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public PublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A Solana address is {Length} bytes; got {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>An address from its base58 text.</summary>
    /// <exception cref="ArgumentNullException">Null text.</exception>
    /// <exception cref="FormatException">Not base58, or not 32 bytes once decoded (the message says which).</exception>
    public PublicKey(string base58)
    {
        ArgumentNullException.ThrowIfNull(base58);
        _bytes = Decode(base58);
        _base58 = base58;
    }

    /// <summary>The all-zero address (the System program's id).</summary>
    public static PublicKey Default { get; } = new(new byte[Length]);

    /// <summary>The address in base58.</summary>
    public string Key => _base58 ??= Base58.Encode(_bytes);

    /// <summary>A copy of the 32 bytes.</summary>
    public byte[] KeyBytes => (byte[])_bytes.Clone();

    /// <summary>The 32 bytes, without a copy.</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>True when the bytes decode to a point of the Ed25519 curve (a key someone may hold); a program-derived address is not.</summary>
    /// <remarks>
    /// BouncyCastle's partial public-key validation decides. It refuses the small-order points and non-canonical encodings, which
    /// the Solana runtime's decompression accepts as on the curve; a SHA-256 output hits one of those few encodings with a
    /// probability near 2^-250, so program-derived addresses agree with the runtime's (the differential tests check hundreds).
    /// </remarks>
    public bool IsOnCurve() => Ed25519.ValidatePublicKeyPartial(_bytes);

    /// <summary>Parses base58 text; false (and null) when it is not a 32-byte base58 address.</summary>
    public static bool TryParse(string? text, out PublicKey? key)
    {
        key = null;
        if (string.IsNullOrEmpty(text) || text.Length > 44)
        {
            return false;
        }

        try
        {
            key = new PublicKey(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The program-derived address of <paramref name="seeds"/> (each at most 32 bytes, at most 16, the bump included) under
    /// <paramref name="programId"/>: SHA-256 of the seeds, the program id and "ProgramDerivedAddress"; false when that lands on the curve.
    /// </summary>
    /// <exception cref="ArgumentException">Too many seeds or a seed over 32 bytes (the message says which).</exception>
    public static bool TryCreateProgramAddress(IReadOnlyList<byte[]> seeds, PublicKey programId, out PublicKey? address)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(programId);
        CheckSeeds(seeds, extra: 0);
        address = Derive(seeds, null, programId);
        if (address.IsOnCurve())
        {
            address = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// The canonical program-derived address: the first bump from 255 down whose address is off the curve (as the runtime's
    /// <c>find_program_address</c>), with that bump. Always true in practice (false only if no bump of 256 works).
    /// </summary>
    /// <exception cref="ArgumentException">More than 15 seeds or a seed over 32 bytes (the message says which).</exception>
    public static bool TryFindProgramAddress(IReadOnlyList<byte[]> seeds, PublicKey programId, out PublicKey? address, out byte bump)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(programId);
        CheckSeeds(seeds, extra: 1);
        for (int b = 255; b >= 0; b--)
        {
            PublicKey candidate = Derive(seeds, (byte)b, programId);
            if (!candidate.IsOnCurve())
            {
                address = candidate;
                bump = (byte)b;
                return true;
            }
        }

        address = null;
        bump = 0;
        return false;
    }

    /// <summary><see cref="TryFindProgramAddress"/>, throwing instead of returning false.</summary>
    /// <exception cref="InvalidOperationException">No bump gives an address off the curve.</exception>
    public static (PublicKey Address, byte Bump) FindProgramAddress(IReadOnlyList<byte[]> seeds, PublicKey programId) =>
        TryFindProgramAddress(seeds, programId, out PublicKey? address, out byte bump)
            ? (address!, bump)
            : throw new InvalidOperationException($"No bump gives an off-curve address for these seeds under {programId}.");

    private static void CheckSeeds(IReadOnlyList<byte[]> seeds, int extra)
    {
        if (seeds.Count + extra > MaxSeeds)
        {
            throw new ArgumentException($"A program-derived address takes at most {MaxSeeds} seeds{(extra > 0 ? " including the bump" : "")}; got {seeds.Count + extra}.", nameof(seeds));
        }

        for (int i = 0; i < seeds.Count; i++)
        {
            if (seeds[i] is null)
            {
                throw new ArgumentException($"Seed {i} is null.", nameof(seeds));
            }

            if (seeds[i].Length > MaxSeedLength)
            {
                throw new ArgumentException($"Seed {i} is {seeds[i].Length} bytes; a seed is at most {MaxSeedLength}.", nameof(seeds));
            }
        }
    }

    private static PublicKey Derive(IReadOnlyList<byte[]> seeds, byte? bump, PublicKey programId)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (byte[] seed in seeds)
        {
            sha.AppendData(seed);
        }

        if (bump is { } b)
        {
            sha.AppendData([b]);
        }

        sha.AppendData(programId._bytes);
        sha.AppendData(PdaMarker);
        return new PublicKey(sha.GetHashAndReset());
    }

    private static byte[] Decode(string base58)
    {
        if (base58.Length is 0 or > 44)
        {
            throw new FormatException($"'{Shorten(base58)}' is not a Solana address: base58 of 32 bytes is 32 to 44 characters, got {base58.Length}.");
        }

        byte[] bytes;
        try
        {
            bytes = Base58.Decode(base58);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"'{Shorten(base58)}' is not base58: {e.Message}", e);
        }

        return bytes.Length == Length
            ? bytes
            : throw new FormatException($"'{Shorten(base58)}' decodes to {bytes.Length} bytes; a Solana address is {Length}.");
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";

    /// <inheritdoc/>
    public bool Equals(PublicKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0) ^ BitConverter.ToInt32(_bytes, 28);

    /// <summary>The base58 text.</summary>
    public override string ToString() => Key;

    /// <summary>Equal bytes.</summary>
    public static bool operator ==(PublicKey? a, PublicKey? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Different bytes.</summary>
    public static bool operator !=(PublicKey? a, PublicKey? b) => !(a == b);

    /// <summary>Parses base58 text (<see cref="PublicKey(string)"/>).</summary>
    public static implicit operator PublicKey(string base58) => new(base58);
}
