using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Nethereum.Util;

namespace AgentCluster.Cli.Tests.Oracles;

/// <summary>The tests' own small model of ABI types (independent of the CLI's parser), enough to generate cases.</summary>
internal abstract record TType
{
    public abstract string CanonicalName { get; }
}

internal sealed record TUInt(int Bits) : TType { public override string CanonicalName => "uint" + Bits; }

internal sealed record TInt(int Bits) : TType { public override string CanonicalName => "int" + Bits; }

internal sealed record TAddress : TType { public override string CanonicalName => "address"; }

internal sealed record TBool : TType { public override string CanonicalName => "bool"; }

internal sealed record TFixedBytes(int Size) : TType { public override string CanonicalName => "bytes" + Size; }

internal sealed record TBytes : TType { public override string CanonicalName => "bytes"; }

internal sealed record TString : TType { public override string CanonicalName => "string"; }

internal sealed record TArray(TType Element, int? Length) : TType
{
    public override string CanonicalName => Element.CanonicalName + (Length is { } n ? $"[{n}]" : "[]");
}

internal sealed record TTuple(TType[] Components) : TType
{
    public override string CanonicalName => "(" + string.Join(",", Components.Select(c => c.CanonicalName)) + ")";
}

/// <summary>
/// Seeded random ABI types and values, each rendered three ways: the JSON the CLI takes (integers in a random one of
/// its accepted forms), cast's argument syntax, and the JSON the CLI prints when decoding.
/// Values: integers BigInteger, addresses and bytes byte[], bools bool, strings string, arrays and tuples object[].
/// </summary>
internal sealed class RandomValues(int seed)
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.";

    public Random Random { get; } = new(seed);

    public TType Type(int depth = 2) => Random.Next(depth > 0 ? 11 : 8) switch
    {
        0 => new TUInt(8 * Random.Next(1, 33)),
        1 => new TInt(8 * Random.Next(1, 33)),
        2 => new TAddress(),
        3 => new TBool(),
        4 => new TFixedBytes(Random.Next(1, 33)),
        5 => new TBytes(),
        6 => new TString(),
        7 => new TUInt(256),
        8 => new TArray(Type(depth - 1), null),
        9 => new TArray(Type(depth - 1), Random.Next(1, 4)),
        _ => new TTuple(Enumerable.Range(0, Random.Next(1, 4)).Select(_ => Type(depth - 1)).ToArray()),
    };

    public object Value(TType type) => type switch
    {
        TUInt u => Edge(0, (BigInteger.One << u.Bits) - 1),
        TInt s => Edge(-(BigInteger.One << (s.Bits - 1)), (BigInteger.One << (s.Bits - 1)) - 1),
        TAddress => Bytes(20),
        TBool => Random.Next(2) == 1,
        TFixedBytes f => Bytes(f.Size),
        TBytes => Bytes(Random.Next(3) switch { 0 => 0, 1 => Random.Next(1, 33), _ => Random.Next(33, 90) }),
        TString => new string(Enumerable.Range(0, Random.Next(0, 50)).Select(_ => Alphabet[Random.Next(Alphabet.Length)]).ToArray()).Trim(),
        TArray a => Enumerable.Range(0, a.Length ?? Random.Next(0, 4)).Select(_ => Value(a.Element)).ToArray(),
        TTuple t => t.Components.Select(Value).ToArray(),
        _ => throw new ArgumentException(type.ToString()),
    };

    public byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        Random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A value in [min, max], biased towards the edges.</summary>
    public BigInteger Edge(BigInteger min, BigInteger max)
    {
        switch (Random.Next(5))
        {
            case 0: return min;
            case 1: return max;
            case 2: return BigInteger.Max(min, BigInteger.Min(max, Random.Next(-3, 4)));
            default:
                BigInteger span = max - min;
                return min + new BigInteger(Bytes(span.GetByteCount(isUnsigned: true) + 1), isUnsigned: true) % (span + 1);
        }
    }

    /// <summary>The CLI's input JSON; integers as a number (when small), a decimal string or (when non-negative) a 0x-hex string.</summary>
    public JsonNode? InputJson(TType type, object value) => (type, value) switch
    {
        (TUInt or TInt, BigInteger n) => Random.Next(3) switch
        {
            0 when BigInteger.Abs(n) < 1L << 53 => JsonValue.Create((long)n),
            1 when n.Sign >= 0 => JsonValue.Create(Quantity(n)),
            _ => JsonValue.Create(n.ToString(CultureInfo.InvariantCulture)),
        },
        (TAddress, byte[] a) => JsonValue.Create(Random.Next(2) == 0 ? Checksum(a) : Hex(a)),
        (TBool, bool b) => JsonValue.Create(b),
        (TFixedBytes or TBytes, byte[] bytes) => JsonValue.Create(Hex(bytes)),
        (TString, string s) => JsonValue.Create(s),
        (TArray a, object[] items) => new JsonArray(items.Select(i => InputJson(a.Element, i)).ToArray()),
        (TTuple t, object[] items) => new JsonArray(items.Select((i, k) => InputJson(t.Components[k], i)).ToArray()),
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>What abi-decode prints for the value: integers as decimal strings, checksummed addresses, lowercase hex.</summary>
    public static JsonNode? OutputJson(TType type, object value) => (type, value) switch
    {
        (TUInt or TInt, BigInteger n) => JsonValue.Create(n.ToString(CultureInfo.InvariantCulture)),
        (TAddress, byte[] a) => JsonValue.Create(Checksum(a)),
        (TBool, bool b) => JsonValue.Create(b),
        (TFixedBytes or TBytes, byte[] bytes) => JsonValue.Create(Hex(bytes)),
        (TString, string s) => JsonValue.Create(s),
        (TArray a, object[] items) => new JsonArray(items.Select(i => OutputJson(a.Element, i)).ToArray()),
        (TTuple t, object[] items) => new JsonArray(items.Select((i, k) => OutputJson(t.Components[k], i)).ToArray()),
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>The value in cast's argument syntax: decimals, 0x-hex, true/false, [..] for arrays, (..) for tuples.</summary>
    public static string CastArgument(TType type, object value, bool nested = false) => (type, value) switch
    {
        (TUInt or TInt, BigInteger n) => n.ToString(CultureInfo.InvariantCulture),
        (TAddress, byte[] a) => Hex(a),
        (TBool, bool b) => b ? "true" : "false",
        (TFixedBytes or TBytes, byte[] bytes) => Hex(bytes),
        (TString, string s) => nested ? "\"" + s + "\"" : s,
        (TArray a, object[] items) => "[" + string.Join(",", items.Select(i => CastArgument(a.Element, i, true))) + "]",
        (TTuple t, object[] items) => "(" + string.Join(",", items.Select((i, k) => CastArgument(t.Components[k], i, true))) + ")",
        _ => throw new ArgumentException(type.ToString()),
    };

    public static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);

    public static string Quantity(BigInteger value) => "0x" + (value.IsZero ? "0" : value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0'));

    /// <summary>EIP-55 by Nethereum (the CLI uses its own strict parser around it; this is the reference form).</summary>
    public static string Checksum(byte[] address) => new AddressUtil().ConvertToChecksumAddress(Hex(address));
}
