using System.Globalization;
using System.Numerics;
using System.Text;
using AgentCluster.Evm.Abi;

namespace AgentCluster.Evm.Tests.Oracles;

/// <summary>Seeded random ABI types and values, with the argument text cast expects for each value.</summary>
internal sealed class RandomAbi(int seed)
{
    private const string StringAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:";

    private readonly Random _random = new(seed);

    public Random Random => _random;

    public AbiType Type(int depth = 2)
    {
        int pick = _random.Next(depth > 0 ? 11 : 8);
        return pick switch
        {
            0 => new UIntType(8 * _random.Next(1, 33)),
            1 => new IntType(8 * _random.Next(1, 33)),
            2 => AbiType.Address,
            3 => AbiType.Bool,
            4 => new FixedBytesType(_random.Next(1, 33)),
            5 => AbiType.Bytes,
            6 => AbiType.String,
            7 => AbiType.UInt256,
            8 => new ArrayType(Type(depth - 1)),
            9 => new ArrayType(Type(depth - 1), _random.Next(1, 4)),
            _ => new TupleType(Enumerable.Range(0, _random.Next(1, 4)).Select(_ => Type(depth - 1)).ToArray()),
        };
    }

    public object? Value(AbiType type)
    {
        switch (type)
        {
            case UIntType u:
                return Edge(0, (BigInteger.One << u.Bits) - 1);
            case IntType s:
                return Edge(-(BigInteger.One << (s.Bits - 1)), (BigInteger.One << (s.Bits - 1)) - 1);
            case AddressType:
                return new Address(Bytes(20));
            case BoolType:
                return _random.Next(2) == 1;
            case FixedBytesType f:
                return Bytes(f.Size);
            case BytesType:
                return Bytes(_random.Next(3) switch { 0 => 0, 1 => _random.Next(1, 33), _ => _random.Next(33, 100) });
            case StringType:
                int length = _random.Next(3) switch { 0 => 0, 1 => _random.Next(1, 32), _ => _random.Next(32, 80) };
                return new string(Enumerable.Range(0, length).Select(_ => StringAlphabet[_random.Next(StringAlphabet.Length)]).ToArray()).Trim();
            case ArrayType a:
                return Enumerable.Range(0, a.Length ?? _random.Next(0, 4)).Select(_ => Value(a.Element)).ToArray();
            case TupleType t:
                return t.Components.Select(c => Value(c.Type)).ToArray();
            default:
                throw new ArgumentException(type.ToString());
        }
    }

    public byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A value in [min, max], biased towards the edges, where encoders go wrong.</summary>
    public BigInteger Edge(BigInteger min, BigInteger max)
    {
        switch (_random.Next(6))
        {
            case 0: return min;
            case 1: return max;
            case 2: return BigInteger.Max(min, BigInteger.Min(max, _random.Next(-3, 4)));
            default:
                BigInteger span = max - min;
                byte[] bytes = Bytes(span.GetByteCount(isUnsigned: true) + 1);
                return min + new BigInteger(bytes, isUnsigned: true) % (span + 1);
        }
    }

    /// <summary>The value as cast's argument syntax: decimals, 0x-hex, true/false, [..] for arrays, (..) for tuples.</summary>
    public static string CastArgument(AbiType type, object? value, bool nested = false) => type switch
    {
        UIntType or IntType => ((BigInteger)value!).ToString(CultureInfo.InvariantCulture),
        AddressType => ((Address)value!).ToLowerHex(),
        BoolType => (bool)value! ? "true" : "false",
        FixedBytesType or BytesType => Hex.Encode((byte[])value!),
        StringType => nested ? "\"" + (string)value! + "\"" : (string)value!,
        ArrayType a => "[" + string.Join(",", ((object?[])value!).Select(v => CastArgument(a.Element, v, true))) + "]",
        TupleType t => "(" + string.Join(",", ((object?[])value!).Select((v, i) => CastArgument(t.Components[i].Type, v, true))) + ")",
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>Structural equality of decoded values (byte arrays by content, arrays element-wise).</summary>
    public static bool DeepEquals(object? a, object? b) => (a, b) switch
    {
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (object?[] x, object?[] y) => x.Length == y.Length && x.Zip(y).All(p => DeepEquals(p.First, p.Second)),
        _ => Equals(a, b),
    };

    public static string Describe(object? value) => value switch
    {
        byte[] bytes => Hex.Encode(bytes),
        object?[] items => "[" + string.Join(", ", items.Select(Describe)) + "]",
        string s => "\"" + s + "\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };

    public static string Utf8(string s) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s));
}
