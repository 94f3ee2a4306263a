using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Cli.Evm;

/// <summary>
/// Transactions as the JSON of <c>eth_signTransaction</c> (in) and <c>eth_getTransactionByHash</c> (out).
/// Quantities may be 0x-hex, decimal strings or JSON numbers. The type is <c>type</c> when given (0/1/2, "0x2",
/// "legacy", "eip2930", "eip1559"), otherwise inferred as a node does: maxFeePerGas/maxPriorityFeePerGas make 2, gasPrice with an
/// accessList makes 1, gasPrice alone makes 0. Every transaction needs chainId (legacy ones are signed per EIP-155), nonce and gas.
/// </summary>
internal static class TransactionJson
{
    private static readonly HashSet<string> KnownFields =
    [
        "type", "chainId", "nonce", "from", "to", "value", "gas", "gasLimit", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas",
        "data", "input", "accessList",
    ];

    /// <summary>Parses the transaction object; <paramref name="from"/> is its <c>from</c> when present (for the caller to check).</summary>
    /// <exception cref="FormatException">A missing, unknown, ill-typed or contradictory field; the message names it.</exception>
    public static Transaction Parse(JsonElement json, out Address? from)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"expected a JSON object (the eth_signTransaction transaction), got {CliInput.Describe(json)}.");
        }

        foreach (JsonProperty property in json.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name))
            {
                throw new FormatException($"unknown field '{property.Name}' (known: {string.Join(", ", KnownFields)}).");
            }
        }

        from = Optional(json, "from") is { } fromElement ? AddressField(fromElement, "from") : null;
        int type = TypeOf(json);
        ulong chainId = ULong(json, "chainId") ?? throw Missing("chainId");
        ulong nonce = ULong(json, "nonce") ?? throw Missing("nonce");
        ulong gas = GasLimit(json);
        Address? to = Optional(json, "to") is { ValueKind: not JsonValueKind.Null } toElement ? AddressField(toElement, "to") : null;
        UInt256 value = UInt(json, "value") ?? UInt256.Zero;
        byte[] data = Data(json);

        switch (type)
        {
            case 0:
                Forbid(json, type, "maxFeePerGas", "maxPriorityFeePerGas", "accessList");
                return new LegacyTransaction
                {
                    ChainId = chainId, Nonce = nonce, GasPrice = UInt(json, "gasPrice") ?? throw Missing("gasPrice"),
                    GasLimit = gas, To = to, Value = value, Data = data,
                };
            case 1:
                Forbid(json, type, "maxFeePerGas", "maxPriorityFeePerGas");
                return new Eip2930Transaction
                {
                    ChainId = chainId, Nonce = nonce, GasPrice = UInt(json, "gasPrice") ?? throw Missing("gasPrice"),
                    GasLimit = gas, To = to, Value = value, Data = data, AccessList = AccessList(json),
                };
            default:
                Forbid(json, type, "gasPrice");
                return new Eip1559Transaction
                {
                    ChainId = chainId, Nonce = nonce,
                    MaxFeePerGas = UInt(json, "maxFeePerGas") ?? throw Missing("maxFeePerGas"),
                    MaxPriorityFeePerGas = UInt(json, "maxPriorityFeePerGas") ?? throw Missing("maxPriorityFeePerGas"),
                    GasLimit = gas, To = to, Value = value, Data = data, AccessList = AccessList(json),
                };
        }
    }

    /// <summary>Writes a signed transaction the way eth_getTransactionByHash shows it (without the block fields).</summary>
    public static void Write(Utf8JsonWriter writer, SignedTransaction signed)
    {
        Transaction tx = signed.Transaction;
        writer.WriteStartObject();
        writer.WriteString("type", Hex.EncodeQuantity(tx.Type));
        if (tx.SigningChainId is { } chainId)
        {
            writer.WriteString("chainId", Hex.EncodeQuantity(chainId));
        }

        writer.WriteString("nonce", Hex.EncodeQuantity(tx.Nonce));
        writer.WriteString("from", signed.RecoverSender().ToChecksumString());
        if (tx.To is { } to)
        {
            writer.WriteString("to", to.ToChecksumString());
        }
        else
        {
            writer.WriteNull("to");
        }

        writer.WriteString("value", Hex.EncodeQuantity(tx.Value));
        writer.WriteString("gas", Hex.EncodeQuantity(tx.GasLimit));
        IReadOnlyList<AccessListEntry>? accessList = null;
        switch (tx)
        {
            case LegacyTransaction legacy:
                writer.WriteString("gasPrice", Hex.EncodeQuantity(legacy.GasPrice));
                break;
            case Eip2930Transaction eip2930:
                writer.WriteString("gasPrice", Hex.EncodeQuantity(eip2930.GasPrice));
                accessList = eip2930.AccessList;
                break;
            case Eip1559Transaction eip1559:
                writer.WriteString("maxFeePerGas", Hex.EncodeQuantity(eip1559.MaxFeePerGas));
                writer.WriteString("maxPriorityFeePerGas", Hex.EncodeQuantity(eip1559.MaxPriorityFeePerGas));
                accessList = eip1559.AccessList;
                break;
        }

        writer.WriteString("input", Hex.Encode(tx.Data));
        if (accessList is not null)
        {
            writer.WriteStartArray("accessList");
            foreach (AccessListEntry entry in accessList)
            {
                writer.WriteStartObject();
                writer.WriteString("address", entry.Address.ToChecksumString());
                writer.WriteStartArray("storageKeys");
                foreach (Hash32 key in entry.StorageKeys)
                {
                    writer.WriteStringValue(key.ToString());
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        BigInteger v = tx switch
        {
            LegacyTransaction { ChainId: { } id } => (BigInteger)id * 2 + 35 + signed.Signature.RecoveryId,
            LegacyTransaction => 27 + signed.Signature.RecoveryId,
            _ => signed.Signature.RecoveryId,
        };
        writer.WriteString("v", Hex.EncodeQuantity(v));
        writer.WriteString("r", Hex.EncodeQuantity(signed.Signature.R));
        writer.WriteString("s", Hex.EncodeQuantity(signed.Signature.S));
        if (tx is not LegacyTransaction)
        {
            writer.WriteString("yParity", Hex.EncodeQuantity(signed.Signature.RecoveryId));
        }

        writer.WriteString("hash", signed.Hash.ToString());
        writer.WriteEndObject();
    }

    private static int TypeOf(JsonElement json)
    {
        if (Optional(json, "type") is { } typeElement)
        {
            if (typeElement.ValueKind == JsonValueKind.String && typeElement.GetString() is "legacy" or "eip2930" or "eip1559")
            {
                return typeElement.GetString() switch { "legacy" => 0, "eip2930" => 1, _ => 2 };
            }

            BigInteger type = CliInput.Integer(typeElement, "type");
            return type >= 0 && type <= 2
                ? (int)type
                : throw new FormatException($"type: {type} is not supported (0 = legacy, 1 = EIP-2930, 2 = EIP-1559).");
        }

        if (Optional(json, "maxFeePerGas") is not null || Optional(json, "maxPriorityFeePerGas") is not null)
        {
            return 2;
        }

        if (Optional(json, "gasPrice") is not null)
        {
            return Optional(json, "accessList") is not null ? 1 : 0;
        }

        throw new FormatException("no fee fields: give maxFeePerGas and maxPriorityFeePerGas (EIP-1559) or gasPrice (legacy), or a type.");
    }

    private static ulong GasLimit(JsonElement json)
    {
        ulong? gas = ULong(json, "gas");
        ulong? gasLimit = ULong(json, "gasLimit");
        if (gas is not null && gasLimit is not null && gas != gasLimit)
        {
            throw new FormatException($"gas ({gas}) and gasLimit ({gasLimit}) disagree; give one of them.");
        }

        return gas ?? gasLimit ?? throw Missing("gas");
    }

    private static byte[] Data(JsonElement json)
    {
        byte[]? data = Optional(json, "data") is { } d ? Bytes(d, "data") : null;
        byte[]? input = Optional(json, "input") is { } i ? Bytes(i, "input") : null;
        if (data is not null && input is not null && !data.AsSpan().SequenceEqual(input))
        {
            throw new FormatException("data and input disagree; give one of them.");
        }

        return data ?? input ?? [];
    }

    private static IReadOnlyList<AccessListEntry> AccessList(JsonElement json)
    {
        if (Optional(json, "accessList") is not { } list)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"accessList: expected an array of {{address, storageKeys}}, got {CliInput.Describe(list)}.");
        }

        return list.EnumerateArray().Select((entry, i) =>
        {
            string path = $"accessList[{i}]";
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("address", out JsonElement address))
            {
                throw new FormatException($"{path}: expected an object with address and storageKeys.");
            }

            IReadOnlyList<Hash32> keys = [];
            if (entry.TryGetProperty("storageKeys", out JsonElement keysElement))
            {
                if (keysElement.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"{path}.storageKeys: expected an array of 32-byte 0x-hex keys, got {CliInput.Describe(keysElement)}.");
                }

                keys = keysElement.EnumerateArray().Select((key, k) => Hash(key, $"{path}.storageKeys[{k}]")).ToArray();
            }

            return new AccessListEntry(AddressField(address, $"{path}.address"), keys);
        }).ToArray();
    }

    private static JsonElement? Optional(JsonElement json, string name) =>
        json.TryGetProperty(name, out JsonElement value) ? value : null;

    private static void Forbid(JsonElement json, int type, params string[] fields)
    {
        foreach (string field in fields)
        {
            if (Optional(json, field) is { ValueKind: not JsonValueKind.Null })
            {
                throw new FormatException($"{field} does not belong in a type {type} transaction.");
            }
        }
    }

    private static FormatException Missing(string field) => new($"missing field '{field}'.");

    private static ulong? ULong(JsonElement json, string name)
    {
        if (Optional(json, name) is not { ValueKind: not JsonValueKind.Null } element)
        {
            return null;
        }

        BigInteger value = CliInput.Integer(element, name);
        return value >= 0 && value <= ulong.MaxValue ? (ulong)value : throw new FormatException($"{name}: {value} is outside 0..2^64-1.");
    }

    private static UInt256? UInt(JsonElement json, string name)
    {
        if (Optional(json, name) is not { ValueKind: not JsonValueKind.Null } element)
        {
            return null;
        }

        BigInteger value = CliInput.Integer(element, name);
        return value >= 0 && value <= UInt256.MaxBigInteger ? new UInt256(value) : throw new FormatException($"{name}: {value} is outside 0..2^256-1.");
    }

    private static Address AddressField(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name}: expected a 0x-hex address, got {CliInput.Describe(element)}.");
        }

        try
        {
            return Address.Parse(element.GetString()!);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{name}: {e.Message}", e);
        }
    }

    private static Hash32 Hash(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name}: expected a 32-byte 0x-hex string, got {CliInput.Describe(element)}.");
        }

        try
        {
            return Hash32.Parse(element.GetString()!);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{name}: {e.Message}", e);
        }
    }

    private static byte[] Bytes(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.String || !element.GetString()!.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"{name}: expected a 0x-hex string, got {CliInput.Describe(element)}.");
        }

        try
        {
            return Hex.Decode(element.GetString()!);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{name}: {e.Message}", e);
        }
    }
}
