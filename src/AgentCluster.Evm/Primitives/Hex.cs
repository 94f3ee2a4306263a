namespace AgentCluster.Evm;

/// <summary>Hex encoding for EVM data: lowercase output with a <c>0x</c> prefix, strict input.</summary>
public static class Hex
{
    /// <summary>Encodes bytes as lowercase hex, with a <c>0x</c> prefix unless <paramref name="prefix"/> is false.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
    {
        string hex = Convert.ToHexStringLower(bytes);
        return prefix ? "0x" + hex : hex;
    }

    /// <summary>
    /// Decodes hex with or without a <c>0x</c> prefix. Requires an even number of digits:
    /// <c>0x</c> alone is the empty byte array, <c>0x1</c> is rejected (use <see cref="DecodeQuantity"/> for JSON-RPC quantities).
    /// </summary>
    /// <exception cref="FormatException">The text is not an even-length string of hex digits; the message names the first bad character.</exception>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        ReadOnlySpan<char> digits = StripPrefix(hex);
        int offset = hex.Length - digits.Length;
        if (digits.Length % 2 != 0)
        {
            throw new FormatException($"Hex string '{Shorten(hex)}' has an odd number of digits ({digits.Length}); each byte needs two.");
        }

        var result = new byte[digits.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            int hi = DigitValue(digits[2 * i], hex, offset + 2 * i);
            int lo = DigitValue(digits[2 * i + 1], hex, offset + 2 * i + 1);
            result[i] = (byte)((hi << 4) | lo);
        }

        return result;
    }

    /// <summary>Decodes hex that must be exactly <paramref name="length"/> bytes long.</summary>
    /// <exception cref="FormatException">Malformed hex or a different length.</exception>
    public static byte[] DecodeExact(string hex, int length, string what = "value")
    {
        byte[] bytes = Decode(hex);
        if (bytes.Length != length)
        {
            throw new FormatException($"Expected {what} of {length} bytes ({2 * length} hex digits) but '{Shorten(hex)}' has {bytes.Length} bytes.");
        }

        return bytes;
    }

    /// <summary>True when <paramref name="hex"/> is valid input for <see cref="Decode"/>.</summary>
    public static bool IsValid(string? hex)
    {
        if (hex is null)
        {
            return false;
        }

        ReadOnlySpan<char> digits = StripPrefix(hex);
        if (digits.Length % 2 != 0)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Encodes a non-negative integer as a JSON-RPC quantity: <c>0x0</c>, <c>0x1f</c>, no leading zeros.</summary>
    public static string EncodeQuantity(System.Numerics.BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A quantity cannot be negative.");
        }

        if (value.IsZero)
        {
            return "0x0";
        }

        return "0x" + Convert.ToHexStringLower(value.ToByteArray(isUnsigned: true, isBigEndian: true)).TrimStart('0');
    }

    /// <summary>Decodes a JSON-RPC quantity (<c>0x</c> followed by at least one hex digit, odd lengths allowed).</summary>
    public static System.Numerics.BigInteger DecodeQuantity(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || hex.Length == 2)
        {
            throw new FormatException($"Quantity '{Shorten(hex)}' must be 0x followed by at least one hex digit.");
        }

        for (int i = 2; i < hex.Length; i++)
        {
            DigitValue(hex[i], hex, i);
        }

        string digits = hex.Length % 2 == 0 ? hex[2..] : "0" + hex[2..];
        return new System.Numerics.BigInteger(Convert.FromHexString(digits), isUnsigned: true, isBigEndian: true);
    }

    private static ReadOnlySpan<char> StripPrefix(string hex) =>
        hex.StartsWith("0x", StringComparison.Ordinal) || hex.StartsWith("0X", StringComparison.Ordinal) ? hex.AsSpan(2) : hex.AsSpan();

    private static int DigitValue(char c, string hex, int index) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => throw new FormatException($"Hex string '{Shorten(hex)}' has a non-hex character '{c}' at index {index}."),
    };

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
