using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using AgentCluster.Evm;
using AgentCluster.Evm.Abi;

namespace AgentCluster.Cli.Tests.Oracles;

/// <summary>
/// Seeded random ABI types and values, each rendered three ways: the JSON the CLI takes (integers in a random one of
/// its accepted forms), cast's argument syntax, and the JSON the CLI prints when decoding.
/// </summary>
internal sealed class RandomValues(int seed)
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.";

    public Random Random { get; } = new(seed);

    public AbiType Type(int depth = 2) => Random.Next(depth > 0 ? 11 : 8) switch
    {
        0 => new UIntType(8 * Random.Next(1, 33)),
        1 => new IntType(8 * Random.Next(1, 33)),
        2 => AbiType.Address,
        3 => AbiType.Bool,
        4 => new FixedBytesType(Random.Next(1, 33)),
        5 => AbiType.Bytes,
        6 => AbiType.String,
        7 => AbiType.UInt256,
        8 => new ArrayType(Type(depth - 1)),
        9 => new ArrayType(Type(depth - 1), Random.Next(1, 4)),
        _ => new TupleType(Enumerable.Range(0, Random.Next(1, 4)).Select(_ => Type(depth - 1)).ToArray()),
    };

    public object Value(AbiType type) => type switch
    {
        UIntType u => Edge(0, (BigInteger.One << u.Bits) - 1),
        IntType s => Edge(-(BigInteger.One << (s.Bits - 1)), (BigInteger.One << (s.Bits - 1)) - 1),
        AddressType => new Address(Bytes(20)),
        BoolType => Random.Next(2) == 1,
        FixedBytesType f => Bytes(f.Size),
        BytesType => Bytes(Random.Next(3) switch { 0 => 0, 1 => Random.Next(1, 33), _ => Random.Next(33, 90) }),
        StringType => new string(Enumerable.Range(0, Random.Next(0, 50)).Select(_ => Alphabet[Random.Next(Alphabet.Length)]).ToArray()).Trim(),
        ArrayType a => Enumerable.Range(0, a.Length ?? Random.Next(0, 4)).Select(_ => Value(a.Element)).ToArray(),
        TupleType t => t.Components.Select(c => Value(c.Type)).ToArray(),
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
    public JsonNode? InputJson(AbiType type, object value) => (type, value) switch
    {
        (UIntType or IntType, BigInteger n) => Random.Next(3) switch
        {
            0 when BigInteger.Abs(n) < 1L << 53 => JsonValue.Create((long)n),
            1 when n.Sign >= 0 => JsonValue.Create(Hex.EncodeQuantity(n)),
            _ => JsonValue.Create(n.ToString(CultureInfo.InvariantCulture)),
        },
        (AddressType, Address a) => JsonValue.Create(Random.Next(2) == 0 ? a.ToChecksumString() : a.ToLowerHex()),
        (BoolType, bool b) => JsonValue.Create(b),
        (FixedBytesType or BytesType, byte[] bytes) => JsonValue.Create(Hex.Encode(bytes)),
        (StringType, string s) => JsonValue.Create(s),
        (ArrayType a, object[] items) => new JsonArray(items.Select(i => InputJson(a.Element, i)).ToArray()),
        (TupleType t, object[] items) => new JsonArray(items.Select((i, k) => InputJson(t.Components[k].Type, i)).ToArray()),
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>What abi-decode prints for the value: integers as decimal strings, checksummed addresses, lowercase hex.</summary>
    public static JsonNode? OutputJson(AbiType type, object value) => (type, value) switch
    {
        (UIntType or IntType, BigInteger n) => JsonValue.Create(n.ToString(CultureInfo.InvariantCulture)),
        (AddressType, Address a) => JsonValue.Create(a.ToChecksumString()),
        (BoolType, bool b) => JsonValue.Create(b),
        (FixedBytesType or BytesType, byte[] bytes) => JsonValue.Create(Hex.Encode(bytes)),
        (StringType, string s) => JsonValue.Create(s),
        (ArrayType a, object[] items) => new JsonArray(items.Select(i => OutputJson(a.Element, i)).ToArray()),
        (TupleType t, object[] items) => new JsonArray(items.Select((i, k) => OutputJson(t.Components[k].Type, i)).ToArray()),
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>The value in cast's argument syntax: decimals, 0x-hex, true/false, [..] for arrays, (..) for tuples.</summary>
    public static string CastArgument(AbiType type, object value, bool nested = false) => (type, value) switch
    {
        (UIntType or IntType, BigInteger n) => n.ToString(CultureInfo.InvariantCulture),
        (AddressType, Address a) => a.ToLowerHex(),
        (BoolType, bool b) => b ? "true" : "false",
        (FixedBytesType or BytesType, byte[] bytes) => Hex.Encode(bytes),
        (StringType, string s) => nested ? "\"" + s + "\"" : s,
        (ArrayType a, object[] items) => "[" + string.Join(",", items.Select(i => CastArgument(a.Element, i, true))) + "]",
        (TupleType t, object[] items) => "(" + string.Join(",", items.Select((i, k) => CastArgument(t.Components[k].Type, i, true))) + ")",
        _ => throw new ArgumentException(type.ToString()),
    };
}
