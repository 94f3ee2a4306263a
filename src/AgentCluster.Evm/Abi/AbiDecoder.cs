using System.Numerics;
using System.Text;

namespace AgentCluster.Evm.Abi;

/// <summary>
/// Strict Solidity ABI decoding. Results: uintN/intN as <see cref="BigInteger"/>, address as <see cref="Address"/>, bool,
/// bytesN and bytes as byte[], string, arrays and tuples as object?[].
/// Rejects what Solidity's own decoder rejects: offsets or lengths past the end of the data, and values with dirty
/// high bits (a uint8 above 255, an address with non-zero upper bytes, a bool other than 0/1, bytesN with non-zero padding).
/// Trailing data after the encoded values is allowed (as in Solidity).
/// </summary>
public static class AbiDecoder
{
    /// <exception cref="AbiDecodingException">Truncated or malformed data; the message names the parameter and byte offset.</exception>
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(types);
        return DecodeSequence(types, data, 0, i => $"parameter {i} ({types[i]})");
    }

    /// <summary>Decodes data for a type list like <c>"(uint256,address)"</c> or <c>"uint256,address"</c>.</summary>
    public static object?[] DecodeParameters(string typeList, ReadOnlySpan<byte> data) =>
        Decode(AbiSignatureParser.ParseParameterList(typeList).Select(p => p.Type).ToArray(), data);

    public static object? DecodeSingle(AbiType type, ReadOnlySpan<byte> data) => Decode([type], data)[0];

    private static object?[] DecodeSequence(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, int start, Func<int, string> pathOf)
    {
        var values = new object?[types.Count];
        int head = start;
        for (int i = 0; i < types.Count; i++)
        {
            AbiType type = types[i];
            string path = pathOf(i);
            if (type.IsDynamic)
            {
                BigInteger offset = ReadUnsigned(data, head, path + " offset");
                if (offset > data.Length - start)
                {
                    throw new AbiDecodingException($"{path}: offset 0x{offset:x} at byte {head} points past the end of the data ({data.Length} bytes).");
                }

                values[i] = DecodeValue(type, data, start + (int)offset, path);
            }
            else
            {
                values[i] = DecodeValue(type, data, head, path);
            }

            head += type.HeadSize;
        }

        return values;
    }

    private static object? DecodeValue(AbiType type, ReadOnlySpan<byte> data, int position, string path)
    {
        switch (type)
        {
            case UIntType u:
            {
                BigInteger n = ReadUnsigned(data, position, path);
                if (n >= BigInteger.One << u.Bits)
                {
                    throw new AbiDecodingException($"{path}: value 0x{n:x} at byte {position} has bits set above the {u.Bits} of {u}.");
                }

                return n;
            }

            case IntType s:
            {
                BigInteger n = new(Word(data, position, path), isUnsigned: false, isBigEndian: true);
                BigInteger limit = BigInteger.One << (s.Bits - 1);
                if (n < -limit || n >= limit)
                {
                    throw new AbiDecodingException($"{path}: the word at byte {position} is not a sign-extended {s}.");
                }

                return n;
            }

            case AddressType:
            {
                ReadOnlySpan<byte> word = Word(data, position, path);
                if (word[..12].ContainsAnyExcept((byte)0))
                {
                    throw new AbiDecodingException($"{path}: the word at byte {position} has non-zero upper 12 bytes, so it is not an address.");
                }

                return new Address(word[12..]);
            }

            case BoolType:
            {
                BigInteger n = ReadUnsigned(data, position, path);
                return n <= 1 ? n == 1 : throw new AbiDecodingException($"{path}: the word at byte {position} is 0x{n:x}; a bool must be 0 or 1.");
            }

            case FixedBytesType f:
            {
                ReadOnlySpan<byte> word = Word(data, position, path);
                if (word[f.Size..].ContainsAnyExcept((byte)0))
                {
                    throw new AbiDecodingException($"{path}: {f} at byte {position} has non-zero bytes after its first {f.Size}.");
                }

                return word[..f.Size].ToArray();
            }

            case BytesType:
                return ReadDynamicBytes(data, position, path);
            case StringType:
                return Encoding.UTF8.GetString(ReadDynamicBytes(data, position, path));
            case ArrayType array:
            {
                int count;
                int start = position;
                if (array.Length is { } n)
                {
                    count = n;
                }
                else
                {
                    BigInteger length = ReadUnsigned(data, position, path + " length");
                    start = position + 32;
                    if (length * array.Element.HeadSize > data.Length - start)
                    {
                        throw new AbiDecodingException($"{path}: array length {length} at byte {position} needs at least {length * array.Element.HeadSize} bytes but only {data.Length - start} remain.");
                    }

                    count = (int)length;
                }

                return DecodeSequence(Enumerable.Repeat(array.Element, count).ToArray(), data, start, i => $"{path}[{i}]");
            }

            case TupleType tuple:
                return DecodeSequence(
                    tuple.Components.Select(c => c.Type).ToArray(),
                    data,
                    position,
                    i => $"{path}.{tuple.Components[i].Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            default:
                throw new AbiDecodingException($"{path}: unsupported type {type}.");
        }
    }

    private static byte[] ReadDynamicBytes(ReadOnlySpan<byte> data, int position, string path)
    {
        BigInteger length = ReadUnsigned(data, position, path + " length");
        int start = position + 32;
        if (length > data.Length - start)
        {
            throw new AbiDecodingException($"{path}: length {length} at byte {position} runs past the end of the data ({data.Length - start} bytes remain).");
        }

        return data.Slice(start, (int)length).ToArray();
    }

    private static BigInteger ReadUnsigned(ReadOnlySpan<byte> data, int position, string path) =>
        new(Word(data, position, path), isUnsigned: true, isBigEndian: true);

    private static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> data, int position, string path)
    {
        if (position < 0 || position > data.Length - 32)
        {
            throw new AbiDecodingException($"{path}: data too short: needs 32 bytes at byte {position} but the data is {data.Length} bytes.");
        }

        return data.Slice(position, 32);
    }
}

/// <summary>ABI data that does not decode as the expected types.</summary>
public sealed class AbiDecodingException(string message) : FormatException(message);
