using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using AgentCluster.Evm.Abi;

namespace AgentCluster.Evm.Eip712;

/// <summary>
/// EIP-712 hashing: <c>encodeType</c>, <c>typeHash</c>, <c>encodeData</c>, <c>hashStruct</c>, the domain separator and the final
/// digest <c>keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message))</c>.
/// Strict: every field of a struct must be present, integers must fit their type, bytesN must be exactly N bytes,
/// addresses must parse (mixed case must carry a valid EIP-55 checksum).
/// </summary>
public static class Eip712TypedDataEncoder
{
    /// <summary>The digest that eth_signTypedData_v4 signs.</summary>
    public static Hash32 Hash(TypedData typedData) => Keccak.Hash(Encode(typedData));

    /// <summary>The 66 (or 34 when primaryType is EIP712Domain) bytes hashed into <see cref="Hash"/>.</summary>
    public static byte[] Encode(TypedData typedData)
    {
        ArgumentNullException.ThrowIfNull(typedData);
        byte[] domainSeparator = HashDomain(typedData).ToArray();
        if (typedData.PrimaryType == TypedData.DomainTypeName)
        {
            return [0x19, 0x01, .. domainSeparator];
        }

        return [0x19, 0x01, .. domainSeparator, .. Keccak.Hash(EncodeData(typedData.PrimaryType, typedData.Message, typedData.Types, "message")).ToArray()];
    }

    /// <summary>The domain separator: hashStruct("EIP712Domain", domain).</summary>
    public static Hash32 HashDomain(TypedData typedData) =>
        Keccak.Hash(EncodeData(TypedData.DomainTypeName, typedData.Domain, typedData.Types, "domain"));

    /// <summary><c>keccak256(typeHash ‖ encodeData(value))</c>.</summary>
    public static Hash32 HashStruct(string type, IReadOnlyDictionary<string, object?> value, IReadOnlyDictionary<string, IReadOnlyList<MemberDescription>> types) =>
        Keccak.Hash(EncodeData(type, value, types, type));

    /// <summary>e.g. <c>Mail(Person from,Person to,string contents)Person(string name,address wallet)</c>.</summary>
    public static string EncodeType(string primaryType, IReadOnlyDictionary<string, IReadOnlyList<MemberDescription>> types)
    {
        var dependencies = new SortedSet<string>(StringComparer.Ordinal);
        CollectDependencies(primaryType, types, dependencies);
        dependencies.Remove(primaryType);
        var builder = new StringBuilder();
        foreach (string type in (IEnumerable<string>)[primaryType, .. dependencies])
        {
            builder.Append(type).Append('(').AppendJoin(',', types[type].Select(m => m.Type + " " + m.Name)).Append(')');
        }

        return builder.ToString();
    }

    public static Hash32 TypeHash(string primaryType, IReadOnlyDictionary<string, IReadOnlyList<MemberDescription>> types) =>
        Keccak.HashUtf8(EncodeType(primaryType, types));

    private static void CollectDependencies(string type, IReadOnlyDictionary<string, IReadOnlyList<MemberDescription>> types, ISet<string> found)
    {
        if (!types.TryGetValue(type, out var members))
        {
            throw new FormatException($"EIP-712 type '{type}' is not declared in types.");
        }

        if (!found.Add(type))
        {
            return;
        }

        foreach (MemberDescription member in members)
        {
            string baseType = BaseType(member.Type);
            if (types.ContainsKey(baseType))
            {
                CollectDependencies(baseType, types, found);
            }
        }
    }

    private static byte[] EncodeData(string type, IReadOnlyDictionary<string, object?> value, IReadOnlyDictionary<string, IReadOnlyList<MemberDescription>> types, string path)
    {
        if (!types.TryGetValue(type, out var members))
        {
            throw new FormatException($"EIP-712 type '{type}' is not declared in types.");
        }

        var output = new List<byte>(32 * (members.Count + 1));
        output.AddRange(TypeHash(type, types).ToArray());
        foreach (MemberDescription member in members)
        {
            string memberPath = path + "." + member.Name;
            if (!value.TryGetValue(member.Name, out object? fieldValue))
            {
                throw new FormatException($"EIP-712 value {memberPath} ({member.Type}) is missing.");
            }

            output.AddRange(EncodeField(member.Type, fieldValue, types, memberPath));
        }

        return output.ToArray();
    }

    private static byte[] EncodeField(string type, object? value, IReadOnlyDictionary<string, IReadOnlyList<MemberDescription>> types, string path)
    {
        if (type.EndsWith(']'))
        {
            int open = type.LastIndexOf('[');
            string element = type[..open];
            string lengthText = type[(open + 1)..^1];
            if (value is not IList list || value is byte[] or string)
            {
                throw new FormatException($"EIP-712 value {path} ({type}) must be an array.");
            }

            if (lengthText.Length > 0 && (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out int length) || list.Count != length))
            {
                throw new FormatException($"EIP-712 value {path} ({type}) must have exactly {lengthText} element(s), got {list.Count}.");
            }

            var concatenated = new List<byte>(32 * list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                concatenated.AddRange(EncodeField(element, list[i], types, $"{path}[{i}]"));
            }

            return Keccak.Hash(concatenated.ToArray()).ToArray();
        }

        if (types.ContainsKey(type))
        {
            if (value is not IReadOnlyDictionary<string, object?> fields)
            {
                throw new FormatException($"EIP-712 value {path} ({type}) must be an object.");
            }

            return Keccak.Hash(EncodeData(type, fields, types, path)).ToArray();
        }

        AbiType abiType;
        try
        {
            abiType = AbiType.Parse(type);
        }
        catch (FormatException e)
        {
            throw new FormatException($"EIP-712 field {path} has type '{type}', which is neither a declared struct nor an atomic type: {e.Message}", e);
        }

        try
        {
            return abiType switch
            {
                StringType => Keccak.Hash(Encoding.UTF8.GetBytes(value as string ?? throw new FormatException("expected a string"))).ToArray(),
                BytesType => Keccak.Hash(ToBytes(value)).ToArray(),
                FixedBytesType => AbiEncoder.EncodeSingle(abiType, ToBytes(value)),
                UIntType or IntType => AbiEncoder.EncodeSingle(abiType, ToInteger(value)),
                AddressType => AbiEncoder.EncodeSingle(abiType, value is string s ? Address.Parse(s) : value),
                BoolType => AbiEncoder.EncodeSingle(abiType, value),
                _ => throw new FormatException($"type {type} is not allowed here"),
            };
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException($"EIP-712 value {path} ({type}) is invalid: {e.Message}", e);
        }
    }

    private static string BaseType(string type)
    {
        int bracket = type.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? type : type[..bracket];
    }

    private static byte[] ToBytes(object? value) => value switch
    {
        byte[] bytes => bytes,
        Hash32 hash => hash.ToArray(),
        string hex => Hex.Decode(hex),
        _ => throw new FormatException($"expected bytes or a 0x-hex string, got {value?.GetType().Name ?? "null"}"),
    };

    private static object? ToInteger(object? value)
    {
        if (value is not string text)
        {
            return value;
        }

        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return Hex.DecodeQuantity(text);
        }

        if (text.StartsWith("-0x", StringComparison.OrdinalIgnoreCase))
        {
            return -Hex.DecodeQuantity(text[1..]);
        }

        return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger n)
            ? n
            : throw new FormatException($"'{text}' is not a decimal or 0x-hex integer");
    }
}
