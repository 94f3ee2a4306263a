using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace AgentCluster.Evm.Abi;

/// <summary>
/// Solidity ABI encoding (the contract ABI specification's head/tail encoding, and <c>abi.encodePacked</c>).
/// Accepted .NET values per type:
/// uintN/intN: <see cref="BigInteger"/>, <see cref="Evm.UInt256"/>, <see cref="Evm.Int256"/>, any built-in integer;
/// address: <see cref="Evm.Address"/> or a string <see cref="Evm.Address.Parse"/> accepts;
/// bool: bool; bytesN: byte[]/ReadOnlyMemory&lt;byte&gt; of exactly N bytes (or <see cref="Hash32"/> for bytes32);
/// bytes: byte[]/ReadOnlyMemory&lt;byte&gt;; string: string; arrays: any <see cref="IList"/>; tuples: an <see cref="IList"/>
/// or an <see cref="ITuple"/> (a C# tuple). Every value is range- and length-checked.
/// </summary>
public static class AbiEncoder
{
    private static readonly BigInteger TwoTo256 = BigInteger.One << 256;

    /// <summary>Encodes values as the tuple of <paramref name="types"/> (what a call's arguments or a return value look like).</summary>
    /// <exception cref="AbiEncodingException">A value does not fit its type; the message names the parameter.</exception>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (types.Count != values.Count)
        {
            throw new AbiEncodingException($"Expected {types.Count} value(s) for ({string.Join(",", types)}), got {values.Count}.");
        }

        return EncodeSequence(types, values, i => $"parameter {i} ({types[i]})");
    }

    /// <summary>Encodes values for a type list like <c>"(uint256,address,bytes)"</c> or <c>"uint256,address"</c> (what <c>cast abi-encode</c> takes, without the function name).</summary>
    public static byte[] EncodeParameters(string typeList, params object?[] values) =>
        Encode(AbiSignatureParser.ParseParameterList(typeList).Select(p => p.Type).ToArray(), values);

    /// <summary>Encodes a single value of one type.</summary>
    public static byte[] EncodeSingle(AbiType type, object? value) => Encode([type], [value]);

    /// <summary>
    /// Non-standard packed encoding (<c>abi.encodePacked</c>): elementary values in their natural width, bytes and string unpadded,
    /// array elements padded to 32 bytes each, no lengths. Tuples and nested dynamic arrays are not allowed, as in Solidity.
    /// </summary>
    public static byte[] EncodePacked(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        if (types.Count != values.Count)
        {
            throw new AbiEncodingException($"Expected {types.Count} value(s) for packed ({string.Join(",", types)}), got {values.Count}.");
        }

        var output = new List<byte>();
        for (int i = 0; i < types.Count; i++)
        {
            string path = $"parameter {i} ({types[i]})";
            switch (types[i])
            {
                case ArrayType array when array.Element is not (ArrayType or TupleType or BytesType or StringType):
                    foreach (object? element in AsList(values[i], array, path))
                    {
                        output.AddRange(EncodeStatic(array.Element, element, path));
                    }

                    break;
                case ArrayType or TupleType:
                    throw new AbiEncodingException($"{path}: abi.encodePacked does not support tuples or arrays of dynamic or nested types.");
                default:
                    output.AddRange(EncodePackedElementary(types[i], values[i], path));
                    break;
            }
        }

        return output.ToArray();
    }

    internal static byte[] EncodePackedElementary(AbiType type, object? value, string path) => type switch
    {
        BytesType => AsBytes(value, path),
        StringType => Encoding.UTF8.GetBytes(AsString(value, path)),
        UIntType u => EncodeStatic(type, value, path)[(32 - u.Bits / 8)..],
        IntType s => EncodeStatic(type, value, path)[(32 - s.Bits / 8)..],
        AddressType => EncodeStatic(type, value, path)[12..],
        BoolType => EncodeStatic(type, value, path)[31..],
        FixedBytesType f => EncodeStatic(type, value, path)[..f.Size],
        _ => throw new AbiEncodingException($"{path}: {type} is not elementary."),
    };

    /// <summary>
    /// The "in-place" encoding Solidity hashes for an indexed event parameter of a dynamic type:
    /// bytes/string raw at the top level, everything else padded to 32 bytes, no lengths or offsets.
    /// </summary>
    internal static byte[] EncodeInPlace(AbiType type, object? value, string path, bool topLevel)
    {
        switch (type)
        {
            case BytesType or StringType:
                byte[] raw = type is BytesType ? AsBytes(value, path) : Encoding.UTF8.GetBytes(AsString(value, path));
                return topLevel ? raw : PadRight(raw);
            case ArrayType array:
                return AsList(value, array, path).Cast<object?>().Select((e, i) => EncodeInPlace(array.Element, e, $"{path}[{i}]", false)).SelectMany(b => b).ToArray();
            case TupleType tuple:
                IList items = AsTuple(value, tuple, path);
                return tuple.Components.Select((c, i) => EncodeInPlace(c.Type, items[i], $"{path}.{c.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}", false)).SelectMany(b => b).ToArray();
            default:
                return EncodeStatic(type, value, path);
        }
    }

    private static byte[] EncodeSequence(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, Func<int, string> pathOf)
    {
        int headSize = types.Sum(t => t.HeadSize);
        var heads = new List<byte>(headSize);
        var tails = new List<byte>();
        for (int i = 0; i < types.Count; i++)
        {
            byte[] encoded = EncodeValue(types[i], values[i], pathOf(i));
            if (types[i].IsDynamic)
            {
                heads.AddRange(Word(headSize + tails.Count));
                tails.AddRange(encoded);
            }
            else
            {
                heads.AddRange(encoded);
            }
        }

        heads.AddRange(tails);
        return heads.ToArray();
    }

    private static byte[] EncodeValue(AbiType type, object? value, string path)
    {
        switch (type)
        {
            case BytesType:
                return EncodeDynamicBytes(AsBytes(value, path));
            case StringType:
                return EncodeDynamicBytes(Encoding.UTF8.GetBytes(AsString(value, path)));
            case ArrayType array:
            {
                IList items = AsList(value, array, path);
                var elementTypes = Enumerable.Repeat(array.Element, items.Count).ToArray();
                var elements = items.Cast<object?>().ToArray();
                byte[] body = EncodeSequence(elementTypes, elements, i => $"{path}[{i}]");
                return array.Length is null ? [.. Word(items.Count), .. body] : body;
            }

            case TupleType tuple:
            {
                IList items = AsTuple(value, tuple, path);
                return EncodeSequence(
                    tuple.Components.Select(c => c.Type).ToArray(),
                    items.Cast<object?>().ToArray(),
                    i => $"{path}.{tuple.Components[i].Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            default:
                return EncodeStatic(type, value, path);
        }
    }

    private static byte[] EncodeStatic(AbiType type, object? value, string path)
    {
        switch (type)
        {
            case UIntType u:
            {
                BigInteger n = AsInteger(value, path);
                if (n.Sign < 0 || n >= BigInteger.One << u.Bits)
                {
                    throw new AbiEncodingException($"{path}: {n} is out of range for {u} (0 to 2^{u.Bits}-1).");
                }

                return Word(n);
            }

            case IntType s:
            {
                BigInteger n = AsInteger(value, path);
                BigInteger limit = BigInteger.One << (s.Bits - 1);
                if (n < -limit || n >= limit)
                {
                    throw new AbiEncodingException($"{path}: {n} is out of range for {s} (-2^{s.Bits - 1} to 2^{s.Bits - 1}-1).");
                }

                return Word(n.Sign < 0 ? TwoTo256 + n : n);
            }

            case AddressType:
            {
                Address address = value switch
                {
                    Address a => a,
                    string text => ParseAddress(text, path),
                    _ => throw Mismatch(value, "an Address", path),
                };
                var word = new byte[32];
                address.WriteTo(word.AsSpan(12));
                return word;
            }

            case BoolType:
                return value is bool b ? Word(b ? 1 : 0) : throw Mismatch(value, "a bool", path);
            case FixedBytesType f:
            {
                byte[] bytes = value is Hash32 h ? h.ToArray() : AsBytes(value, path);
                if (bytes.Length != f.Size)
                {
                    throw new AbiEncodingException($"{path}: {f} needs exactly {f.Size} bytes, got {bytes.Length}.");
                }

                return PadRight(bytes);
            }

            default:
                return EncodeValue(type, value, path);
        }
    }

    private static Address ParseAddress(string text, string path)
    {
        try
        {
            return Address.Parse(text);
        }
        catch (FormatException e)
        {
            throw new AbiEncodingException($"{path}: {e.Message}", e);
        }
    }

    private static byte[] EncodeDynamicBytes(byte[] bytes) => [.. Word(bytes.Length), .. PadRight(bytes)];

    private static byte[] PadRight(byte[] bytes)
    {
        var result = new byte[(bytes.Length + 31) / 32 * 32];
        bytes.CopyTo(result, 0);
        return result;
    }

    internal static byte[] Word(BigInteger unsigned)
    {
        var word = new byte[32];
        if (!unsigned.IsZero)
        {
            byte[] raw = unsigned.ToByteArray(isUnsigned: true, isBigEndian: true);
            raw.CopyTo(word, 32 - raw.Length);
        }

        return word;
    }

    private static BigInteger AsInteger(object? value, string path) => value switch
    {
        BigInteger n => n,
        UInt256 u => u.Value,
        Int256 s => s.Value,
        byte n => n,
        sbyte n => n,
        short n => n,
        ushort n => n,
        int n => n,
        uint n => n,
        long n => n,
        ulong n => n,
        Int128 n => (BigInteger)n,
        UInt128 n => (BigInteger)n,
        _ => throw Mismatch(value, "an integer (BigInteger, UInt256, Int256, int, long, ...)", path),
    };

    private static byte[] AsBytes(object? value, string path) => value switch
    {
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> memory => memory.ToArray(),
        Memory<byte> memory => memory.ToArray(),
        _ => throw Mismatch(value, "a byte[]", path),
    };

    private static string AsString(object? value, string path) => value as string ?? throw Mismatch(value, "a string", path);

    private static IList AsList(object? value, ArrayType type, string path)
    {
        if (value is not IList list || value is byte[] && type.Element is not UIntType { Bits: 8 })
        {
            throw Mismatch(value, $"a list or array for {type}", path);
        }

        if (type.Length is { } n && list.Count != n)
        {
            throw new AbiEncodingException($"{path}: {type} needs exactly {n} element(s), got {list.Count}.");
        }

        return list;
    }

    private static IList AsTuple(object? value, TupleType type, string path)
    {
        IList items = value switch
        {
            IList list => list,
            ITuple tuple => Enumerable.Range(0, tuple.Length).Select(i => tuple[i]).ToArray(),
            _ => throw Mismatch(value, $"an object[] or C# tuple for {type}", path),
        };
        if (items.Count != type.Components.Count)
        {
            throw new AbiEncodingException($"{path}: {type} has {type.Components.Count} component(s), got {items.Count} value(s).");
        }

        return items;
    }

    private static AbiEncodingException Mismatch(object? value, string expected, string path) =>
        new($"{path}: expected {expected}, got {(value is null ? "null" : value.GetType().Name)}.");
}

/// <summary>A value that cannot be encoded as its ABI type. An <see cref="ArgumentException"/>: the caller passed bad input.</summary>
public sealed class AbiEncodingException : ArgumentException
{
    public AbiEncodingException(string message)
        : base(message)
    {
    }

    public AbiEncodingException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
