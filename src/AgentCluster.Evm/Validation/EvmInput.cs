using System.Globalization;
using System.Numerics;
using Nethereum.Util;

namespace AgentCluster.Evm.Validation;

/// <summary>
/// Strict parsing of hex text and addresses typed or pasted by people (CLI arguments, config files, forms).
/// Nethereum's own helpers are lenient (they accept a mixed-case address with a wrong checksum and hex without 0x);
/// these refuse such input with a <see cref="FormatException"/> whose message says what is wrong and where.
/// Checksums are Nethereum's (<see cref="AddressUtil"/>).
/// </summary>
public static class EvmInput
{
    private const int ShortenAt = 60;

    /// <summary>
    /// Parses an address: <c>0x</c> followed by exactly 40 hex digits. All-lowercase and all-uppercase digits are accepted;
    /// mixed case must be a valid EIP-55 checksum (a typo in one character is then caught).
    /// </summary>
    /// <returns>The EIP-55 checksummed form.</returns>
    /// <exception cref="FormatException">Names the rule that failed; for a bad checksum, gives the expected checksummed form.</exception>
    public static string ParseAddress(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new FormatException("An address cannot be null or empty; expected 0x followed by 40 hex digits.");
        }

        if (!HasPrefix(text))
        {
            throw new FormatException($"Address '{Shorten(text)}' must start with 0x (then 40 hex digits).");
        }

        int bad = FirstNonHex(text, 2);
        if (bad >= 0)
        {
            throw new FormatException($"Address '{Shorten(text)}' has a non-hex character '{text[bad]}' at index {bad}.");
        }

        int digits = text.Length - 2;
        if (digits != 40)
        {
            throw new FormatException($"Address '{Shorten(text)}' has {digits} hex digits; an address is exactly 40 (20 bytes).");
        }

        string body = text[2..];
        string checksummed = AddressUtil.Current.ConvertToChecksumAddress("0x" + body.ToLowerInvariant());
        bool allLower = !body.Any(char.IsAsciiLetterUpper);
        bool allUpper = !body.Any(char.IsAsciiLetterLower);
        if (!allLower && !allUpper && !string.Equals(text[2..], checksummed[2..], StringComparison.Ordinal))
        {
            throw new FormatException($"Address '{text}' has mixed case but an invalid EIP-55 checksum; the checksummed form is {checksummed} (or write it all lowercase).");
        }

        return checksummed;
    }

    /// <summary>Parses hex bytes: an even number of hex digits, after <c>0x</c> (required when <paramref name="requirePrefix"/>, optional otherwise).</summary>
    /// <exception cref="FormatException">Missing prefix, a non-hex character (named with its index in <paramref name="text"/>), or an odd number of digits.</exception>
    public static byte[] ParseHex(string text, bool requirePrefix = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool prefixed = HasPrefix(text);
        if (requirePrefix && !prefixed)
        {
            throw new FormatException($"Hex string '{Shorten(text)}' must start with 0x.");
        }

        int start = prefixed ? 2 : 0;
        int bad = FirstNonHex(text, start);
        if (bad >= 0)
        {
            throw new FormatException($"Hex string '{Shorten(text)}' has a non-hex character '{text[bad]}' at index {bad}.");
        }

        int digits = text.Length - start;
        if (digits % 2 != 0)
        {
            throw new FormatException($"Hex string '{Shorten(text)}' has an odd number of digits ({digits}); each byte needs two.");
        }

        return Convert.FromHexString(text.AsSpan(start));
    }

    /// <summary>Parses hex of exactly <paramref name="length"/> bytes (a hash, a key, a signature), <c>0x</c> required.</summary>
    /// <exception cref="FormatException">Malformed hex, or another length (the message says both).</exception>
    public static byte[] ParseHex(string text, int length, string what)
    {
        byte[] bytes = ParseHex(text);
        return bytes.Length == length
            ? bytes
            : throw new FormatException($"Expected {what} of {length} bytes ({2 * length} hex digits after 0x), got {bytes.Length} bytes.");
    }

    /// <summary>Parses a JSON-RPC style quantity: <c>0x</c> and at least one hex digit (leading zeros tolerated).</summary>
    /// <exception cref="FormatException">No prefix, no digits, or a non-hex character.</exception>
    public static BigInteger ParseQuantity(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!HasPrefix(text) || text.Length == 2)
        {
            throw new FormatException($"Quantity '{Shorten(text)}' must be 0x followed by at least one hex digit.");
        }

        int bad = FirstNonHex(text, 2);
        if (bad >= 0)
        {
            throw new FormatException($"Quantity '{Shorten(text)}' has a non-hex character '{text[bad]}' at index {bad}.");
        }

        return BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    internal static string Shorten(string text) => text.Length <= ShortenAt ? text : text[..(ShortenAt - 3)] + "...";

    private static bool HasPrefix(string text) => text.Length >= 2 && text[0] == '0' && text[1] is 'x' or 'X';

    private static int FirstNonHex(string text, int start)
    {
        for (int i = start; i < text.Length; i++)
        {
            if (!char.IsAsciiHexDigit(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
