using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Nethereum.ABI;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.Evm.Tests.Oracles;

/// <summary>
/// A Solidity ABI type, independent of Nethereum's model: renders itself as the canonical signature text that cast and viem
/// read, and as the Nethereum <see cref="Parameter"/> (tuples with components, arrays of tuples) that the project builds.
/// </summary>
internal abstract record AbiT
{
    public abstract string Canonical { get; }

    public abstract bool IsDynamic { get; }

    /// <summary>The Nethereum type name: "tuple" stands for the components, array suffixes kept ("tuple[2][]").</summary>
    public virtual string NethereumName => Canonical;

    public override string ToString() => Canonical;
}

internal sealed record UIntT(int Bits) : AbiT
{
    public override string Canonical => "uint" + Bits;

    public override bool IsDynamic => false;
}

internal sealed record IntT(int Bits) : AbiT
{
    public override string Canonical => "int" + Bits;

    public override bool IsDynamic => false;
}

internal sealed record AddressT : AbiT
{
    public override string Canonical => "address";

    public override bool IsDynamic => false;
}

internal sealed record BoolT : AbiT
{
    public override string Canonical => "bool";

    public override bool IsDynamic => false;
}

internal sealed record FixedBytesT(int Size) : AbiT
{
    public override string Canonical => "bytes" + Size;

    public override bool IsDynamic => false;
}

internal sealed record BytesT : AbiT
{
    public override string Canonical => "bytes";

    public override bool IsDynamic => true;
}

internal sealed record StringT : AbiT
{
    public override string Canonical => "string";

    public override bool IsDynamic => true;
}

internal sealed record ArrayT(AbiT Element, int? Length) : AbiT
{
    private string Suffix => Length is { } n ? $"[{n}]" : "[]";

    public override string Canonical => Element.Canonical + Suffix;

    public override string NethereumName => Element.NethereumName + Suffix;

    public override bool IsDynamic => Length is null || Element.IsDynamic;

    /// <summary>The innermost element (the first that is not an array).</summary>
    public AbiT Innermost => Element is ArrayT a ? a.Innermost : Element;
}

internal sealed record TupleT(AbiT[] Components) : AbiT
{
    public override string Canonical => "(" + string.Join(",", Components.Select(c => c.Canonical)) + ")";

    public override string NethereumName => "tuple";

    public override bool IsDynamic => Components.Any(c => c.IsDynamic);
}

/// <summary>
/// Seeded random ABI types and values (biased to the edges where encoders go wrong), with the renderings each side needs:
/// Nethereum parameters and values, cast argument text, viem JSON. EVM_DIFF_SEED=n shifts every seed.
/// </summary>
internal sealed class RandomAbi(int seed)
{
    private const string StringAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:éß日本€";

    /// <summary>EVM_DIFF_SEED=n shifts every seed of the differential tests (0 when unset).</summary>
    public static readonly int SeedOffset = int.TryParse(Environment.GetEnvironmentVariable("EVM_DIFF_SEED"), out int s) ? s : 0;

    public static RandomAbi ForTest(int seed) => new(seed + SeedOffset);

    public Random Random { get; } = new(seed);

    public int Next(int maxExclusive) => Random.Next(maxExclusive);

    public int Next(int min, int maxExclusive) => Random.Next(min, maxExclusive);

    public AbiT Type(int depth = 2)
    {
        int pick = Random.Next(depth > 0 ? 11 : 8);
        return pick switch
        {
            0 => new UIntT(8 * Random.Next(1, 33)),
            1 => new IntT(8 * Random.Next(1, 33)),
            2 => new AddressT(),
            3 => new BoolT(),
            4 => new FixedBytesT(Random.Next(1, 33)),
            5 => new BytesT(),
            6 => new StringT(),
            7 => Random.Next(2) == 0 ? new UIntT(256) : new IntT(256),
            8 => new ArrayT(Type(depth - 1), null),
            9 => new ArrayT(Type(depth - 1), Random.Next(1, 4)),
            _ => new TupleT(Enumerable.Range(0, Random.Next(1, 4)).Select(_ => Type(depth - 1)).ToArray()),
        };
    }

    /// <summary>An atomic (non-array, non-tuple) type.</summary>
    public AbiT AtomicType()
    {
        while (true)
        {
            AbiT t = Type(0);
            if (t is not ArrayT and not TupleT)
            {
                return t;
            }
        }
    }

    /// <summary>A random value: BigInteger, lowercase hex address string, bool, byte[], string, List&lt;object?&gt; (arrays), object?[] (tuples).</summary>
    public object Value(AbiT type) => type switch
    {
        UIntT u => Edge(0, (BigInteger.One << u.Bits) - 1),
        IntT i => Edge(-(BigInteger.One << (i.Bits - 1)), (BigInteger.One << (i.Bits - 1)) - 1),
        AddressT => Address(),
        BoolT => Random.Next(2) == 1,
        FixedBytesT f => Bytes(f.Size),
        BytesT => Bytes(Random.Next(3) switch { 0 => 0, 1 => Random.Next(1, 33), _ => Random.Next(33, 100) }),
        StringT => Text(),
        ArrayT a => Enumerable.Range(0, a.Length ?? Random.Next(0, 4)).Select(_ => Value(a.Element)).ToList(),
        TupleT t => t.Components.Select(Value).ToArray(),
        _ => throw new ArgumentException(type.ToString()),
    };

    public string Text()
    {
        int length = Random.Next(3) switch { 0 => 0, 1 => Random.Next(1, 32), _ => Random.Next(32, 80) };
        return new string(Enumerable.Range(0, length).Select(_ => StringAlphabet[Random.Next(StringAlphabet.Length)]).ToArray()).Trim();
    }

    public string Address() => Bytes(20).ToHex(true);

    public byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        Random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A valid secp256k1 private key (1 &lt;= k &lt; n). Its first byte is non-zero unless <paramref name="leadingZeroByte"/>:
    /// Nethereum 6.1.0's fast signing path throws for keys below 2^248 (see SigningDifferentialTests' pinned gap).
    /// </summary>
    public EthECKey Key(bool leadingZeroByte = false)
    {
        BigInteger order = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", CultureInfo.InvariantCulture);
        while (true)
        {
            byte[] bytes = Bytes(32);
            if (leadingZeroByte)
            {
                bytes[0] = 0;
            }
            else if (bytes[0] == 0)
            {
                continue;
            }

            var k = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            if (k > 0 && k < order)
            {
                return new EthECKey(bytes, true);
            }
        }
    }

    /// <summary>The key's 32 bytes as 0x-hex (EthECKey.GetPrivateKeyAsBytes drops leading zero bytes; cast and viem want all 32).</summary>
    public static string KeyHex(EthECKey key)
    {
        byte[] bytes = key.GetPrivateKeyAsBytes();
        var padded = new byte[32];
        bytes.CopyTo(padded, 32 - bytes.Length);
        return padded.ToHex(true);
    }

    /// <summary>A value in [min, max], biased towards the edges.</summary>
    public BigInteger Edge(BigInteger min, BigInteger max)
    {
        switch (Random.Next(6))
        {
            case 0: return min;
            case 1: return max;
            case 2: return BigInteger.Max(min, BigInteger.Min(max, Random.Next(-3, 4)));
            default:
                BigInteger span = max - min;
                byte[] bytes = Bytes(span.GetByteCount(isUnsigned: true) + 1);
                return min + new BigInteger(bytes, isUnsigned: true) % (span + 1);
        }
    }

    // ---- Nethereum side ----

    /// <summary>The Nethereum parameter for the type, with tuple components set (also inside arrays of tuples).</summary>
    public static Parameter ToParameter(AbiT type, string? name, int order)
    {
        var parameter = new Parameter(type.NethereumName, name, order);
        AbiT inner = type is ArrayT a ? a.Innermost : type;
        if (inner is TupleT tuple)
        {
            ABIType abiType = parameter.ABIType;
            while (abiType is ArrayType array)
            {
                abiType = array.ElementType;
            }

            ((TupleType)abiType).SetComponents(tuple.Components.Select((c, i) => ToParameter(c, "c" + i, i + 1)).ToArray());
        }

        return parameter;
    }

    public static Parameter[] ToParameters(IReadOnlyList<AbiT> types) => types.Select((t, i) => ToParameter(t, "p" + i, i + 1)).ToArray();

    /// <summary>Compares a value decoded by Nethereum's ParameterDecoder (default decoding types) with the value encoded.</summary>
    public static string? DecodedMismatch(AbiT type, object? decoded, object expected, string path = "")
    {
        switch (type)
        {
            case UIntT or IntT:
                return decoded is BigInteger b && b == (BigInteger)expected ? null : $"{path}: decoded {Describe(decoded)}, expected {expected}";
            case AddressT:
                // Nethereum decodes addresses to their EIP-55 form; the value is compared case-insensitively here (EIP-55 has its own test).
                return decoded is string a && string.Equals(a, (string)expected, StringComparison.OrdinalIgnoreCase) ? null : $"{path}: decoded {Describe(decoded)}, expected {expected}";
            case BoolT:
                return decoded is bool f && f == (bool)expected ? null : $"{path}: decoded {Describe(decoded)}, expected {expected}";
            case FixedBytesT or BytesT:
                return decoded is byte[] bytes && bytes.AsSpan().SequenceEqual((byte[])expected) ? null : $"{path}: decoded {Describe(decoded)}, expected {Describe(expected)}";
            case StringT:
                return decoded is string s && s == (string)expected ? null : $"{path}: decoded {Describe(decoded)}, expected \"{expected}\"";
            case ArrayT arr:
            {
                var items = (IList)expected;
                if (decoded is not IList list || list.Count != items.Count)
                {
                    return $"{path}: decoded {Describe(decoded)}, expected {items.Count} items";
                }

                for (int i = 0; i < items.Count; i++)
                {
                    if (DecodedMismatch(arr.Element, list[i], items[i]!, $"{path}[{i}]") is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            }

            case TupleT tuple:
            {
                var items = (object[])expected;
                if (decoded is not List<ParameterOutput> outputs || outputs.Count != items.Length)
                {
                    return $"{path}: decoded {Describe(decoded)}, expected a tuple of {items.Length}";
                }

                for (int i = 0; i < items.Length; i++)
                {
                    if (DecodedMismatch(tuple.Components[i], outputs[i].Result, items[i], $"{path}.{i}") is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            }

            default:
                throw new ArgumentException(type.ToString());
        }
    }

    // ---- cast side ----

    /// <summary>The value as cast's argument syntax: decimals, 0x-hex, true/false, [..] for arrays, (..) for tuples, quoted nested strings.</summary>
    public static string CastArgument(AbiT type, object value, bool nested = false) => type switch
    {
        UIntT or IntT => ((BigInteger)value).ToString(CultureInfo.InvariantCulture),
        AddressT => (string)value,
        BoolT => (bool)value ? "true" : "false",
        FixedBytesT or BytesT => ((byte[])value).ToHex(true),
        StringT => nested ? "\"" + (string)value + "\"" : (string)value,
        ArrayT a => "[" + string.Join(",", ((IList)value).Cast<object>().Select(v => CastArgument(a.Element, v, true))) + "]",
        TupleT t => "(" + string.Join(",", ((object[])value).Select((v, i) => CastArgument(t.Components[i], v, true))) + ")",
        _ => throw new ArgumentException(type.ToString()),
    };

    // ---- viem side ----

    /// <summary>The value as JSON for the viem oracle (integers as decimal strings, converted to BigInt there).</summary>
    public static JsonNode? Json(AbiT type, object value) => type switch
    {
        UIntT or IntT => ((BigInteger)value).ToString(CultureInfo.InvariantCulture),
        AddressT => (string)value,
        BoolT => (bool)value,
        FixedBytesT or BytesT => ((byte[])value).ToHex(true),
        StringT => (string)value,
        ArrayT a => new JsonArray(((IList)value).Cast<object>().Select(v => Json(a.Element, v)).ToArray()),
        TupleT t => new JsonArray(((object[])value).Select((v, i) => Json(t.Components[i], v)).ToArray()),
        _ => throw new ArgumentException(type.ToString()),
    };

    public static string Describe(object? value) => value switch
    {
        null => "null",
        byte[] bytes => bytes.ToHex(true),
        string s => "\"" + s + "\"",
        List<ParameterOutput> outputs => "(" + string.Join(", ", outputs.Select(o => Describe(o.Result))) + ")",
        object?[] items => "(" + string.Join(", ", items.Select(Describe)) + ")",
        IList items => "[" + string.Join(", ", items.Cast<object?>().Select(Describe)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };

    /// <summary>Lowercase 0x-hex, the form every comparison here uses.</summary>
    public static string Hex(string hex) => hex.EnsureHexPrefix().ToLowerInvariant();

    public static string Checksum(string address) => new AddressUtil().ConvertToChecksumAddress(address);
}
