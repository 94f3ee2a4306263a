namespace AgentCluster.Solana.Messages;

/// <summary>
/// Solana's compact-u16 ("short vec") length prefix: 7 bits a byte, least significant first, the top bit set while more follow;
/// one to three bytes for 0..0xffff. Decoding refuses values over 0xffff, non-minimal encodings and truncated input, as the runtime does.
/// </summary>
public static class ShortVec
{
    /// <summary>The largest value compact-u16 holds.</summary>
    public const int MaxValue = 0xffff;

    /// <summary>The longest encoding in bytes.</summary>
    public const int MaxLength = 3;

    /// <summary>The encoding of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over 0xffff.</exception>
    public static byte[] Encode(int value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        int n = Write(buffer, value);
        return buffer[..n].ToArray();
    }

    /// <summary>The length of <paramref name="value"/>'s encoding (1 to 3).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over 0xffff.</exception>
    public static int EncodedLength(int value)
    {
        Check(value);
        return value < 0x80 ? 1 : value < 0x4000 ? 2 : 3;
    }

    /// <summary>Writes <paramref name="value"/>'s encoding at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over 0xffff.</exception>
    /// <exception cref="ArgumentException">The destination is too short.</exception>
    public static int Write(Span<byte> destination, int value)
    {
        int length = EncodedLength(value);
        if (destination.Length < length)
        {
            throw new ArgumentException($"compact-u16 {value} takes {length} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        int rest = value;
        for (int i = 0; i < length; i++)
        {
            byte b = (byte)(rest & 0x7f);
            rest >>= 7;
            destination[i] = i < length - 1 ? (byte)(b | 0x80) : b;
        }

        return length;
    }

    /// <summary>Appends <paramref name="value"/>'s encoding to <paramref name="output"/>.</summary>
    public static void Write(List<byte> output, int value)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.AddRange(Encode(value));
    }

    /// <summary>Decodes the compact-u16 at the start of <paramref name="bytes"/>; <paramref name="length"/> is the bytes it took.</summary>
    /// <exception cref="FormatException">Truncated, over 0xffff, or not the minimal encoding (the message says which).</exception>
    public static int Decode(ReadOnlySpan<byte> bytes, out int length)
    {
        int value = 0;
        for (int i = 0; i < MaxLength; i++)
        {
            if (i >= bytes.Length)
            {
                throw new FormatException($"compact-u16 is truncated: byte {i} is missing (input of {bytes.Length} bytes).");
            }

            byte b = bytes[i];
            if (i == MaxLength - 1 && b > 0x03)
            {
                throw new FormatException($"compact-u16 overflows 0xffff: its third byte is 0x{b:x2} (at most 0x03).");
            }

            value |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (i > 0 && b == 0)
                {
                    throw new FormatException($"compact-u16 is not minimal: {i + 1} bytes ending in 0x00 encode {value}, which takes {EncodedLength(value)}.");
                }

                length = i + 1;
                return value;
            }
        }

        throw new FormatException("compact-u16 overflows 0xffff.");
    }

    private static void Check(int value)
    {
        if (value is < 0 or > MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"compact-u16 holds 0..{MaxValue}.");
        }
    }
}
