using System.Globalization;
using System.Numerics;
using AgentCluster.Evm.Validation;
using AgentCluster.Sdk.Agents;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace AgentCluster.Mcp;

/// <summary>A tool argument that is wrong: the message names the argument and what was wrong (sent to the client as the tool's error).</summary>
public sealed class McpToolInputException(string argument, string problem) : Exception($"{argument}: {problem}")
{
    /// <summary>The argument's name as the tool's schema spells it.</summary>
    public string Argument { get; } = argument;
}

/// <summary>Parsing of tool arguments (strings, so that 256-bit numbers and wei amounts survive JSON).</summary>
internal static class McpInput
{
    /// <summary>1 ACC in wei.</summary>
    internal static readonly BigInteger Acc = BigInteger.Pow(10, 18);

    private static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;

    /// <summary>A positive uint256: decimal, or 0x-hex.</summary>
    internal static BigInteger Id(string? text, string argument)
    {
        BigInteger value = Integer(text, argument);
        if (value <= 0 || value > MaxUint256)
        {
            throw new McpToolInputException(argument, $"must be a positive integer below 2^256, got '{text}'.");
        }

        return value;
    }

    /// <summary>An agent: its id as a decimal number, or its key's address (0x + 40 hex digits; the id is the address as a number).</summary>
    internal static BigInteger Agent(string? text, string argument)
    {
        string t = Require(text, argument);
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return AgentsClient.AgentIdOf(Address(t, argument));
        }

        if (!t.All(char.IsAsciiDigit) || t.Length > 78)
        {
            throw new McpToolInputException(argument, $"'{Shorten(t)}' is neither an agent id (a decimal number) nor an agent key address (0x + 40 hex digits).");
        }

        BigInteger id = BigInteger.Parse(t, CultureInfo.InvariantCulture);
        if (id <= 0 || id >= BigInteger.One << 160)
        {
            throw new McpToolInputException(argument, $"an agent id is its key's address as a number, between 1 and 2^160 - 1; got {Shorten(t)}.");
        }

        return id;
    }

    /// <summary>An address (0x + 40 hex digits; mixed case must be a valid EIP-55 checksum), returned checksummed.</summary>
    internal static string Address(string? text, string argument)
    {
        try
        {
            return EvmInput.ParseAddress(Require(text, argument));
        }
        catch (FormatException e)
        {
            throw new McpToolInputException(argument, e.Message);
        }
    }

    /// <summary>
    /// An amount of ACC: wei as a whole number ("1500000000000000000"), or ACC with a unit ("1.5 ACC", up to 18 decimals). Must be positive.
    /// </summary>
    internal static BigInteger Amount(string? text, string argument)
    {
        string t = Require(text, argument).Trim();
        BigInteger wei;
        if (t.EndsWith("acc", StringComparison.OrdinalIgnoreCase))
        {
            string number = t[..^3].Trim();
            string[] parts = number.Split('.');
            if (number.Length == 0 || parts.Length > 2 || parts.Any(p => !p.All(char.IsAsciiDigit)) || parts[0].Length == 0 && (parts.Length == 1 || parts[1].Length == 0))
            {
                throw new McpToolInputException(argument, $"'{text}' is not an amount: give wei as a whole number, or ACC like \"1.5 ACC\".");
            }

            string fraction = parts.Length == 2 ? parts[1] : "";
            if (fraction.Length > 18)
            {
                throw new McpToolInputException(argument, $"'{text}' has more than 18 decimals (1 wei is 10^-18 ACC).");
            }

            wei = BigInteger.Parse(parts[0].Length == 0 ? "0" : parts[0], CultureInfo.InvariantCulture) * Acc
                + (fraction.Length == 0 ? 0 : BigInteger.Parse(fraction.PadRight(18, '0'), CultureInfo.InvariantCulture));
        }
        else if (t.Length > 0 && t.All(char.IsAsciiDigit))
        {
            wei = BigInteger.Parse(t, CultureInfo.InvariantCulture);
        }
        else
        {
            throw new McpToolInputException(argument, $"'{text}' is not an amount: give wei as a whole number (no sign, no decimals), or ACC like \"1.5 ACC\".");
        }

        if (wei <= 0)
        {
            throw new McpToolInputException(argument, $"must be more than 0, got '{text}'.");
        }

        return wei;
    }

    /// <summary>A capability bitmask (uint64): decimal, 0x-hex or 0b-binary.</summary>
    internal static ulong Capabilities(string? text, string argument)
    {
        string t = Require(text, argument).Trim();
        ulong value;
        bool ok;
        if (t.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
        {
            ok = t.Length > 2 && t[2..].All(c => c is '0' or '1') && TryBinary(t[2..], out value);
            value = ok ? ParseBinary(t[2..]) : 0;
        }
        else if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            ok = ulong.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
        else
        {
            ok = ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        if (!ok)
        {
            throw new McpToolInputException(argument, $"'{Shorten(t)}' is not a capability bitmask: a uint64 as decimal, 0x-hex or 0b-binary.");
        }

        return value;
    }

    private static ulong ParseBinary(string digits)
    {
        TryBinary(digits, out ulong v);
        return v;
    }

    /// <summary>32 bytes as 0x + 64 hex digits.</summary>
    internal static byte[] Bytes32(string? text, string argument)
    {
        string t = Require(text, argument).Trim();
        if (!t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || t.Length != 66 || !t[2..].All(char.IsAsciiHexDigit))
        {
            throw new McpToolInputException(argument, $"must be 32 bytes as 0x followed by 64 hex digits, got '{Shorten(t)}'.");
        }

        return t.HexToByteArray();
    }

    /// <summary>A hash given directly (<paramref name="hash"/>) or as the keccak256 of a text (<paramref name="text"/>): exactly one.</summary>
    internal static byte[] HashOrText(string? hash, string hashArgument, string? text, string textArgument)
    {
        if (hash is not null && text is not null)
        {
            throw new McpToolInputException(hashArgument, $"give {hashArgument} or {textArgument}, not both.");
        }

        if (hash is not null)
        {
            return Bytes32(hash, hashArgument);
        }

        if (string.IsNullOrEmpty(text))
        {
            throw new McpToolInputException(textArgument, $"give {textArgument} (hashed with keccak256) or {hashArgument}.");
        }

        return Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(text));
    }

    internal static string Require(string? text, string argument) =>
        string.IsNullOrWhiteSpace(text) ? throw new McpToolInputException(argument, "is required.") : text.Trim();

    private static BigInteger Integer(string? text, string argument)
    {
        string t = Require(text, argument);
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (t.Length > 2 && t.Length <= 66 && t[2..].All(char.IsAsciiHexDigit))
            {
                return BigInteger.Parse("0" + t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            }
        }
        else if (t.Length <= 78 && t.All(char.IsAsciiDigit))
        {
            return BigInteger.Parse(t, CultureInfo.InvariantCulture);
        }

        throw new McpToolInputException(argument, $"'{Shorten(t)}' is not a number: give a decimal integer or 0x-hex.");
    }

    private static bool TryBinary(string digits, out ulong value)
    {
        value = 0;
        foreach (char c in digits.TrimStart('0'))
        {
            if (value >> 63 != 0)
            {
                return false;
            }

            value = (value << 1) | (c == '1' ? 1UL : 0UL);
        }

        return true;
    }

    private static string Shorten(string t) => t.Length > 80 ? t[..77] + "..." : t;
}
