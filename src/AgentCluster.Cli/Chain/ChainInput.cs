using System.Globalization;
using System.Numerics;
using AgentCluster.Evm.Validation;
using AgentCluster.Sdk.Agents;

namespace AgentCluster.Cli.Chain;

/// <summary>Command-line values of the chain commands: ACC amounts, agents, addresses, hashes; each refused with a message naming the argument.</summary>
internal static class ChainInput
{
    /// <summary>Wei per ACC (18 decimals).</summary>
    public static readonly BigInteger WeiPerAcc = BigInteger.Pow(10, 18);

    /// <summary>
    /// An amount of ACC written as decimal text ("1500", "0.5", "1500.000000000000000001"): digits, optionally a point and at most 18
    /// more digits; no sign, exponent, grouping or unit. Returns wei. Zero is refused unless <paramref name="allowZero"/>.
    /// </summary>
    public static BigInteger Acc(string text, string argument, bool allowZero = false)
    {
        string t = text.Trim();
        if (t.StartsWith('-'))
        {
            throw new CliInputException(argument, $"'{Short(text)}' is negative; an amount of ACC is positive.");
        }

        int point = t.IndexOf('.');
        string whole = point < 0 ? t : t[..point];
        string fraction = point < 0 ? "" : t[(point + 1)..];
        bool digitsOnly = (whole.Length > 0 || fraction.Length > 0) && (point < 0 || fraction.Length > 0)
            && !whole.AsSpan().ContainsAnyExceptInRange('0', '9') && !fraction.AsSpan().ContainsAnyExceptInRange('0', '9');
        if (!digitsOnly)
        {
            throw new CliInputException(argument, $"'{Short(text)}' is not an amount of ACC: write decimal ACC such as 1500 or 0.5 (no sign, exponent or unit).");
        }

        if (fraction.Length > 18)
        {
            throw new CliInputException(argument, $"'{Short(text)}' has {fraction.Length} decimals; ACC has 18 (1 wei = 0.000000000000000001 ACC).");
        }

        BigInteger wei = (whole.Length == 0 ? BigInteger.Zero : BigInteger.Parse(whole, CultureInfo.InvariantCulture)) * WeiPerAcc
            + (fraction.Length == 0 ? BigInteger.Zero : BigInteger.Parse(fraction.PadRight(18, '0'), CultureInfo.InvariantCulture));
        if (wei == 0 && !allowZero)
        {
            throw new CliInputException(argument, "the amount is 0; give a positive amount of ACC.");
        }

        if (wei >= BigInteger.One << 256)
        {
            throw new CliInputException(argument, $"'{Short(text)}' ACC does not fit in a uint256 of wei.");
        }

        return wei;
    }

    /// <summary>Wei as ACC decimal text, exact (trailing zeros of the fraction dropped): 1500000000000000000 → "1.5".</summary>
    public static string FormatAcc(BigInteger wei)
    {
        BigInteger whole = BigInteger.DivRem(BigInteger.Abs(wei), WeiPerAcc, out BigInteger rest);
        string sign = wei < 0 ? "-" : "";
        return rest == 0 ? $"{sign}{whole}" : $"{sign}{whole}.{rest.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0').TrimEnd('0')}";
    }

    /// <summary>
    /// An agent: its key's address (0x and 40 hex digits; the agent id is that address as a number) or its id in decimal.
    /// </summary>
    public static BigInteger AgentId(string text, string argument)
    {
        string t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            string address = CliInput.Parse(argument, () => EvmInput.ParseAddress(t));
            BigInteger id = AgentsClient.AgentIdOf(address);
            return id == 0 ? throw new CliInputException(argument, "the zero address is not an agent.") : id;
        }

        if (t.Length == 0 || t.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new CliInputException(argument, $"'{Short(text)}' is not an agent: give the agent key's address (0x and 40 hex digits) or the agent id in decimal.");
        }

        BigInteger value = BigInteger.Parse(t, CultureInfo.InvariantCulture);
        if (value <= 0 || value >= BigInteger.One << 160)
        {
            throw new CliInputException(argument, $"{Short(t)} is not a possible agent id (an agent id is its key's address as a number: 1 .. 2^160-1).");
        }

        return value;
    }

    /// <summary>An address (0x, 40 hex digits, EIP-55 checksum when mixed case), checksummed.</summary>
    public static string Address(string text, string argument) => CliInput.Parse(argument, () => EvmInput.ParseAddress(text.Trim()));

    /// <summary>An integer (decimal, optionally negative, or 0x-hex), refused with a message naming <paramref name="argument"/> once.</summary>
    public static BigInteger Integer(string text, string argument)
    {
        try
        {
            return CliInput.Integer(text.Trim(), argument);
        }
        catch (FormatException e)
        {
            string prefix = argument + ": ";
            throw new CliInputException(argument, e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message, e);
        }
    }

    /// <summary>A positive integer id (decimal or 0x-hex).</summary>
    public static BigInteger Id(string text, string argument, string what)
    {
        BigInteger value = Integer(text, argument);
        return value <= 0 || value >= BigInteger.One << 256
            ? throw new CliInputException(argument, $"{Short(text)} is not a {what} id (ids start at 1).")
            : value;
    }

    /// <summary>A capability bitmask: decimal or 0x-hex, at most 64 bits.</summary>
    public static ulong Capabilities(string text, string argument)
    {
        BigInteger value = Integer(text, argument);
        return value < 0 || value > ulong.MaxValue
            ? throw new CliInputException(argument, $"{Short(text)} is not a capability bitmask (0 .. 2^64-1).")
            : (ulong)value;
    }

    /// <summary>A 32-byte hash as 0x and 64 hex digits.</summary>
    public static byte[] Hash32(string text, string argument)
    {
        byte[] bytes = CliInput.Parse(argument, () => EvmInput.ParseHex(text.Trim()));
        return bytes.Length == 32 ? bytes : throw new CliInputException(argument, $"a hash is 32 bytes (0x and 64 hex digits), not {bytes.Length}.");
    }

    /// <summary>A unix time or ISO-8601 time / a duration from now: "+2d", "+36h", "+90m".</summary>
    public static DateTimeOffset Time(string text, string argument, DateTimeOffset now)
    {
        string t = text.Trim();
        if (t.StartsWith('+') && t.Length > 2 && long.TryParse(t[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0)
        {
            TimeSpan? span = t[^1] switch { 'd' => TimeSpan.FromDays(n), 'h' => TimeSpan.FromHours(n), 'm' => TimeSpan.FromMinutes(n), _ => null };
            if (span is { } s)
            {
                return now + s;
            }
        }

        if (long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long unix) && unix < 253402300800)
        {
            return DateTimeOffset.FromUnixTimeSeconds(unix);
        }

        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when))
        {
            return when;
        }

        throw new CliInputException(argument, $"'{Short(text)}' is not a time: give +<n>d, +<n>h or +<n>m from the chain's now, unix seconds, or an ISO-8601 time.");
    }

    /// <summary>A time for people (UTC) or "-".</summary>
    public static string Show(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>A time for scripts: unix seconds as a decimal string, or null.</summary>
    public static string? Unix(DateTimeOffset? time) => time?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string Short(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
