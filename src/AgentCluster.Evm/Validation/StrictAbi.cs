using System.Globalization;
using System.Numerics;
using Nethereum.ABI;
using Nethereum.ABI.Model;

namespace AgentCluster.Evm.Validation;

/// <summary>
/// Checks ABI-encoded data against its types the way Solidity's <c>abi.decode</c> does, before Nethereum decodes it.
/// Nethereum's <c>ParameterDecoder</c> is lenient: it reads a bool word of 2 as true, drops non-zero upper bytes of an address,
/// returns 256 for a uint8, and reads past the end of short data as zeros. Such data is either corrupt or crafted; this refuses it.
/// </summary>
/// <remarks>
/// Rules (each failure is a <see cref="FormatException"/> naming the value's position, e.g. <c>[1][0].amount (uint8)</c>):
/// bool is 0 or 1; address has 12 zero upper bytes; uintN has zero bits above N; intN is sign-extended from bit N-1; bytesN
/// (and function) has zero padding; every head, offset, length and tail lies inside the data; offsets and lengths fit in 64 bits.
/// Bytes past the last value are allowed, as Solidity allows them.
/// </remarks>
public static class StrictAbi
{
    private static readonly BigInteger MaxOffset = ulong.MaxValue;

    /// <summary>Checks <paramref name="data"/> (without a selector) as the encoding of <paramref name="parameters"/>.</summary>
    /// <exception cref="FormatException">The first dirty value or out-of-bounds offset, with its position and type.</exception>
    public static void EnsureClean(byte[] data, params Parameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(parameters);
        CheckTuple(data, 0, parameters.Select(p => (p.ABIType, Label(p, null))).ToArray(), "", depth: 0);
    }

    /// <summary>Checks <paramref name="data"/> as the encoding of <paramref name="types"/>.</summary>
    /// <exception cref="FormatException">As <see cref="EnsureClean(byte[], Parameter[])"/>.</exception>
    public static void EnsureClean(byte[] data, params ABIType[] types)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(types);
        CheckTuple(data, 0, types.Select((t, i) => (t, $"[{i}]")).ToArray(), "", depth: 0);
    }

    private const int MaxDepth = 256;

    private static string Label(Parameter p, int? index) => string.IsNullOrEmpty(p.Name) ? $"[{index ?? p.Order - 1}]" : "." + p.Name;

    /// <summary>Checks a tuple (or top-level parameter list) whose head starts at <paramref name="start"/>.</summary>
    private static void CheckTuple(byte[] data, int start, (ABIType Type, string Label)[] components, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"{Where(path)}: the types are nested more than {MaxDepth} levels deep.");
        }

        int head = start;
        for (int i = 0; i < components.Length; i++)
        {
            var (type, label) = components[i];
            string itemPath = path + label;

            if (IsDynamic(type))
            {
                BigInteger offset = Word(data, head, itemPath, type, "its offset");
                if (offset > MaxOffset || start + offset + 32 > data.Length)
                {
                    throw new FormatException($"{Where(itemPath)} ({Name(type)}): offset {offset} points past the end of the data ({data.Length} bytes, tail from byte {start}).");
                }

                CheckValue(data, start + (int)offset, type, itemPath, depth + 1);
                head += 32;
            }
            else
            {
                CheckValue(data, head, type, itemPath, depth + 1);
                head += HeadSize(type);
            }
        }
    }

    private static void CheckValue(byte[] data, int position, ABIType type, string path, int depth)
    {
        switch (type)
        {
            case TupleType tuple:
                Parameter[] components = tuple.Components ?? throw new FormatException($"{Where(path)}: a tuple type without components.");
                CheckTuple(data, position, components.Select((c, k) => (c.ABIType, string.IsNullOrEmpty(c.Name) ? $"[{k}]" : "." + c.Name)).ToArray(), path, depth);
                return;
            case ArrayType array:
                int? fixedLength = type is StaticArrayType ? StaticLength(type) : null;
                int start = position;
                BigInteger length;
                if (fixedLength is { } n)
                {
                    length = n;
                    if (position + length * 32 > data.Length)
                    {
                        throw new FormatException($"{Where(path)} ({Name(type)}): the data ends before its {n} element(s) ({data.Length - position} byte(s) left).");
                    }
                }
                else
                {
                    length = Word(data, position, path, type, "its length");
                    start = position + 32;
                    // Each element takes at least 32 bytes of head, so the length is bounded by the data that remains.
                    if (length > MaxOffset || start + length * 32 > data.Length)
                    {
                        throw new FormatException($"{Where(path)} ({Name(type)}): length {length} needs more data than the {data.Length - start} byte(s) left.");
                    }
                }

                var elements = new (ABIType, string)[(int)length];
                for (int k = 0; k < elements.Length; k++)
                {
                    elements[k] = (array.ElementType, $"[{k}]");
                }

                CheckTuple(data, start, elements, path, depth);
                return;
            case BytesType or StringType:
                BigInteger byteLength = Word(data, position, path, type, "its length");
                if (byteLength > MaxOffset || position + 32 + byteLength > data.Length)
                {
                    throw new FormatException($"{Where(path)} ({Name(type)}): length {byteLength} runs past the end of the data ({data.Length - position - 32} byte(s) left).");
                }

                return;
        }

        ReadOnlySpan<byte> word = WordBytes(data, position, path, type, "its value");
        switch (type)
        {
            case BoolType:
                if (word[..31].ContainsAnyExcept((byte)0) || word[31] > 1)
                {
                    throw new FormatException($"{Where(path)} (bool): 0x{Convert.ToHexStringLower(word)} is not a bool; the word must be 0 or 1.");
                }

                return;
            case AddressType:
                if (word[..12].ContainsAnyExcept((byte)0))
                {
                    throw new FormatException($"{Where(path)} (address): 0x{Convert.ToHexStringLower(word)} has non-zero upper 12 bytes; an address is 20 bytes, left-padded with zeros.");
                }

                return;
            case IntType:
                var (signed, bits) = IntBits(type);
                int padding = (256 - bits) / 8;
                if (signed)
                {
                    byte fill = (word[padding] & 0x80) != 0 ? (byte)0xff : (byte)0;
                    if (word[..padding].ContainsAnyExcept(fill))
                    {
                        throw new FormatException($"{Where(path)} ({Name(type)}): 0x{Convert.ToHexStringLower(word)} is not a sign-extended int{bits}: the upper {padding} byte(s) must all be 0x{fill:x2}.");
                    }
                }
                else if (word[..padding].ContainsAnyExcept((byte)0))
                {
                    throw new FormatException($"{Where(path)} ({Name(type)}): {new BigInteger(word, isUnsigned: true, isBigEndian: true)} is above the largest uint{bits} (2^{bits}-1).");
                }

                return;
            case Bytes32Type or BytesElementaryType:
                int size = FixedBytesSize(type);
                if (word[size..].ContainsAnyExcept((byte)0))
                {
                    throw new FormatException($"{Where(path)} ({Name(type)}): 0x{Convert.ToHexStringLower(word)} has non-zero bytes after the first {size}; bytes{size} is right-padded with zeros.");
                }

                return;
            default:
                throw new FormatException($"{Where(path)}: the type {Name(type)} is not supported by the strict check.");
        }
    }

    private static BigInteger Word(byte[] data, int position, string path, ABIType type, string what) =>
        new(WordBytes(data, position, path, type, what), isUnsigned: true, isBigEndian: true);

    private static ReadOnlySpan<byte> WordBytes(byte[] data, int position, string path, ABIType type, string what)
    {
        if ((long)position + 32 > data.Length)
        {
            throw new FormatException($"{Where(path)} ({Name(type)}): the data ends before {what} (needs bytes {position}..{position + 31}, the data has {data.Length}).");
        }

        return data.AsSpan(position, 32);
    }

    private static bool IsDynamic(ABIType type) => type switch
    {
        BytesType or StringType or DynamicArrayType => true,
        StaticArrayType array => IsDynamic(((ArrayType)array).ElementType),
        TupleType tuple => (tuple.Components ?? []).Any(c => IsDynamic(c.ABIType)),
        _ => false,
    };

    private static int HeadSize(ABIType type) => IsDynamic(type) ? 32 : type switch
    {
        StaticArrayType array => checked(StaticLength(array) * HeadSize(((ArrayType)array).ElementType)),
        TupleType tuple => (tuple.Components ?? []).Sum(c => HeadSize(c.ABIType)),
        _ => 32,
    };

    private static int StaticLength(ABIType type)
    {
        string name = type.Name;
        int open = name.LastIndexOf('[');
        return int.Parse(name.AsSpan(open + 1, name.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static (bool Signed, int Bits) IntBits(ABIType type)
    {
        string name = type.CanonicalName;
        bool signed = !name.StartsWith('u');
        string digits = name[(signed ? 3 : 4)..];
        return (signed, digits.Length == 0 ? 256 : int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    private static int FixedBytesSize(ABIType type) =>
        type is Bytes32Type ? 32 : int.Parse(type.Name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Name(ABIType type) => type is TupleType tuple
        ? "(" + string.Join(",", (tuple.Components ?? []).Select(c => Name(c.ABIType))) + ")"
        : type is ArrayType array ? Name(array.ElementType) + type.Name[type.Name.LastIndexOf('[')..] : type.CanonicalName;

    private static string Where(string path) => path.Length == 0 ? "data" : path.TrimStart('.');
}
