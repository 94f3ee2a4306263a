using System.Buffers.Binary;

namespace AgentCluster.Evm;

/// <summary>
/// A 20-byte account address. <see cref="ToString"/> gives the EIP-55 checksummed form;
/// <see cref="Parse"/> accepts all-lowercase or all-uppercase hex as is and checks the checksum of mixed-case input.
/// </summary>
public readonly record struct Address : IComparable<Address>
{
    public const int Length = 20;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly uint _c;

    /// <summary>Creates an address from exactly 20 bytes.</summary>
    /// <exception cref="ArgumentException">Not 20 bytes.</exception>
    public Address(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An address needs exactly 20 bytes, got {bytes.Length}.", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    /// <summary>The zero address, <c>0x0000000000000000000000000000000000000000</c>.</summary>
    public static Address Zero => default;

    public bool IsZero => (_a | _b | _c) == 0;

    /// <summary>
    /// Parses <c>0x</c> + 40 hex digits (the prefix is optional). Mixed-case input must carry a valid EIP-55 checksum.
    /// </summary>
    /// <exception cref="FormatException">Says which rule failed: null/empty, length, a non-hex character, or the checksum (with the expected form).</exception>
    public static Address Parse(string text)
    {
        string? error = TryParseCore(text, out Address address);
        return error is null ? address : throw new FormatException(error);
    }

    public static bool TryParse(string? text, out Address address) => TryParseCore(text, out address) is null;

    /// <summary>The last 20 bytes of the Keccak-256 of an uncompressed public key (64 bytes, without the 0x04 prefix).</summary>
    public static Address FromPublicKey(ReadOnlySpan<byte> publicKey64)
    {
        if (publicKey64.Length == 65 && publicKey64[0] == 0x04)
        {
            publicKey64 = publicKey64[1..];
        }

        if (publicKey64.Length != 64)
        {
            throw new ArgumentException($"An uncompressed public key needs 64 bytes (or 65 with the 0x04 prefix), got {publicKey64.Length}.", nameof(publicKey64));
        }

        return new Address(Keccak.Hash(publicKey64).ToArray().AsSpan(12));
    }

    /// <summary>The address of a contract created with CREATE by <paramref name="sender"/> at <paramref name="nonce"/>.</summary>
    public static Address ForCreate(Address sender, ulong nonce)
    {
        byte[] rlp = AgentCluster.Evm.Rlp.RlpEncoder.Encode(new AgentCluster.Evm.Rlp.RlpList(
            AgentCluster.Evm.Rlp.RlpString.Of(sender.ToArray()),
            AgentCluster.Evm.Rlp.RlpString.OfInteger(nonce)));
        return new Address(Keccak.Hash(rlp).ToArray().AsSpan(12));
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _c);
    }

    /// <summary>The EIP-55 checksummed form, e.g. <c>0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed</c>.</summary>
    public override string ToString() => ToChecksumString();

    /// <summary>The EIP-55 checksummed form.</summary>
    public string ToChecksumString()
    {
        string lower = Convert.ToHexStringLower(ToArray());
        return "0x" + Checksum(lower);
    }

    /// <summary>All-lowercase hex with <c>0x</c>.</summary>
    public string ToLowerHex() => Hex.Encode(ToArray());

    public int CompareTo(Address other)
    {
        int c = _a.CompareTo(other._a);
        if (c != 0)
        {
            return c;
        }

        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }

    private static string Checksum(string lowerHex40)
    {
        byte[] hash = Keccak.Hash(System.Text.Encoding.ASCII.GetBytes(lowerHex40)).ToArray();
        var chars = lowerHex40.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            int nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
            if (chars[i] >= 'a' && nibble >= 8)
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        }

        return new string(chars);
    }

    private static string? TryParseCore(string? text, out Address address)
    {
        address = default;
        if (string.IsNullOrEmpty(text))
        {
            return "An address cannot be null or empty.";
        }

        string digits = text.StartsWith("0x", StringComparison.Ordinal) || text.StartsWith("0X", StringComparison.Ordinal) ? text[2..] : text;
        if (digits.Length != 2 * Length)
        {
            return $"Address '{Hex.Shorten(text)}' has {digits.Length} hex digits; an address has exactly 40 (20 bytes).";
        }

        bool hasLower = false, hasUpper = false;
        for (int i = 0; i < digits.Length; i++)
        {
            char c = digits[i];
            if (!char.IsAsciiHexDigit(c))
            {
                return $"Address '{text}' has a non-hex character '{c}' at index {i + text.Length - digits.Length}.";
            }

            hasLower |= c is >= 'a' and <= 'f';
            hasUpper |= c is >= 'A' and <= 'F';
        }

        string lower = digits.ToLowerInvariant();
        if (hasLower && hasUpper)
        {
            string expected = Checksum(lower);
            if (!string.Equals(expected, digits, StringComparison.Ordinal))
            {
                return $"Address '{text}' is mixed-case but its EIP-55 checksum is wrong (expected 0x{expected}); check for a typo, or pass it all-lowercase to skip the checksum.";
            }
        }

        address = new Address(Convert.FromHexString(lower));
        return null;
    }
}
