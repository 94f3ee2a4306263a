using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm;
using AgentCluster.Evm.Validation;
using Nethereum.Model;
using Nethereum.RLP;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.Cli.Evm;

/// <summary>An eth_signTransaction request, checked, before Nethereum builds and signs it.</summary>
internal sealed record TransactionRequest(
    int Type, ulong ChainId, ulong Nonce, ulong Gas, string? To, BigInteger Value, byte[] Data,
    BigInteger GasPrice, BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas, List<AccessListItem> AccessList)
{
    /// <summary>Signs (legacy per EIP-155, EIP-2930, EIP-1559) through <see cref="Signing"/>; returns the raw transaction as 0x-hex.</summary>
    public string Sign(Signing key)
    {
        string data = "0x" + Convert.ToHexStringLower(Data);
        string raw = Type switch
        {
            0 => key.Sign(new LegacyTransactionChainId(To, Value, Nonce, GasPrice, Gas, data, ChainId)),
            1 => key.Sign(new Transaction2930(ChainId, Nonce, GasPrice, Gas, To, Value, data, AccessList)),
            _ => key.Sign(new Transaction1559(ChainId, Nonce, MaxPriorityFeePerGas, MaxFeePerGas, Gas, To, Value, data, AccessList)),
        };
        return raw.StartsWith("0x", StringComparison.Ordinal) ? raw : "0x" + raw;
    }
}

/// <summary>
/// Transactions as the JSON of <c>eth_signTransaction</c> (in) and <c>eth_getTransactionByHash</c> (out), around Nethereum.Model.
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

    /// <summary>Parses the transaction object; <paramref name="from"/> is its <c>from</c> (checksummed) when present, for the caller to check.</summary>
    /// <exception cref="FormatException">A missing, unknown, ill-typed or contradictory field; the message names it.</exception>
    public static TransactionRequest Parse(JsonElement json, out string? from)
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
        string? to = Optional(json, "to") is { ValueKind: not JsonValueKind.Null } toElement ? AddressField(toElement, "to") : null;
        BigInteger value = UInt(json, "value") ?? BigInteger.Zero;
        byte[] data = Data(json);

        switch (type)
        {
            case 0:
                Forbid(json, type, "maxFeePerGas", "maxPriorityFeePerGas", "accessList");
                return new TransactionRequest(0, chainId, nonce, gas, to, value, data, UInt(json, "gasPrice") ?? throw Missing("gasPrice"), 0, 0, []);
            case 1:
                Forbid(json, type, "maxFeePerGas", "maxPriorityFeePerGas");
                return new TransactionRequest(1, chainId, nonce, gas, to, value, data, UInt(json, "gasPrice") ?? throw Missing("gasPrice"), 0, 0, AccessList(json));
            default:
                Forbid(json, type, "gasPrice");
                return new TransactionRequest(2, chainId, nonce, gas, to, value, data, 0,
                    UInt(json, "maxFeePerGas") ?? throw Missing("maxFeePerGas"),
                    UInt(json, "maxPriorityFeePerGas") ?? throw Missing("maxPriorityFeePerGas"), AccessList(json));
        }
    }

    /// <summary>
    /// Decodes a raw signed transaction with Nethereum's <see cref="TransactionFactory"/>, after checking what Nethereum does not:
    /// the type (0, 1, 2), an RLP list spanning exactly the bytes given, its field count, a 0- or 20-byte <c>to</c>, and
    /// a canonical low-s signature (<see cref="SignatureRules"/>).
    /// </summary>
    /// <exception cref="FormatException">What is wrong with the bytes.</exception>
    public static ISignedTransaction Decode(byte[] raw)
    {
        if (raw.Length == 0)
        {
            throw new FormatException("A raw transaction cannot be empty.");
        }

        int type = raw[0] >= 0xc0 ? 0 : raw[0];
        if (type is not (0 or 1 or 2))
        {
            throw new FormatException(raw[0] <= 0x7f
                ? $"Transaction type {raw[0]} is not supported (0 = legacy, 1 = EIP-2930, 2 = EIP-1559)."
                : $"Not a transaction: it starts with 0x{raw[0]:x2}, neither a type byte (0x01, 0x02) nor an RLP list (0xc0 and up).");
        }

        int expectedFields = type switch { 0 => 9, 1 => 11, _ => 12 };
        string name = type switch { 0 => "A legacy transaction", 1 => "An EIP-2930 transaction", _ => "An EIP-1559 transaction" };
        ReadOnlySpan<byte> list = type == 0 ? raw : raw.AsSpan(1);
        long listLength = RlpListLength(list, name);
        if (listLength != list.Length)
        {
            throw new FormatException($"{name}'s RLP list takes {listLength} byte(s) but {list.Length} were given: bytes are missing or trail after it.");
        }

        RLPCollection fields;
        try
        {
            fields = RLP.Decode(type == 0 ? raw : raw[1..]) as RLPCollection ?? throw new FormatException($"{name} is an RLP list, got a string.");
        }
        catch (Exception e) when (e is not FormatException)
        {
            throw new FormatException($"{name} is not valid RLP: {e.Message}", e);
        }

        if (fields.Count != expectedFields)
        {
            throw new FormatException($"{name} is an RLP list of {expectedFields} fields, got {fields.Count}.");
        }

        int toIndex = type switch { 0 => 3, 1 => 4, _ => 5 };
        int toLength = fields[toIndex].RLPData?.Length ?? 0;
        if (toLength is not (0 or 20))
        {
            throw new FormatException($"{name}'s 'to' must be empty or 20 bytes, got {toLength}.");
        }

        ISignedTransaction tx;
        try
        {
            tx = TransactionFactory.CreateTransaction(raw);
        }
        catch (Exception e)
        {
            throw new FormatException($"{name} could not be decoded: {e.Message}", e);
        }

        SignatureRules.EnsureLowS(tx);
        return tx;
    }

    /// <summary>The total size (header and payload) that the RLP list header at the start of <paramref name="list"/> announces.</summary>
    private static long RlpListLength(ReadOnlySpan<byte> list, string name)
    {
        if (list.Length == 0 || list[0] < 0xc0)
        {
            throw new FormatException($"{name} must be an RLP list.");
        }

        if (list[0] <= 0xf7)
        {
            return 1 + (list[0] - 0xc0);
        }

        int lengthOfLength = list[0] - 0xf7;
        if (list.Length < 1 + lengthOfLength || lengthOfLength > 4)
        {
            throw new FormatException($"{name}'s RLP list header is truncated or announces an impossible length.");
        }

        long length = 0;
        foreach (byte b in list.Slice(1, lengthOfLength))
        {
            length = (length << 8) | b;
        }

        return 1 + lengthOfLength + length;
    }

    /// <summary>Writes a decoded transaction the way eth_getTransactionByHash shows it (without the block fields).</summary>
    public static void Write(Utf8JsonWriter writer, ISignedTransaction tx)
    {
        string from = AddressUtil.Current.ConvertToChecksumAddress(tx.GetSenderAddress());
        writer.WriteStartObject();
        switch (tx)
        {
            case LegacyTransaction legacy:
                Common(writer, 0, null, Int(legacy.Nonce), from, Bytes(legacy.ReceiveAddress), Int(legacy.Value), Int(legacy.GasLimit));
                writer.WriteString("gasPrice", Quantity(Int(legacy.GasPrice)));
                writer.WriteString("input", Hex(legacy.Data));
                break;
            case LegacyTransactionChainId legacy:
                Common(writer, 0, Int(legacy.ChainId), Int(legacy.Nonce), from, Bytes(legacy.ReceiveAddress), Int(legacy.Value), Int(legacy.GasLimit));
                writer.WriteString("gasPrice", Quantity(Int(legacy.GasPrice)));
                writer.WriteString("input", Hex(legacy.Data));
                break;
            case Transaction2930 eip2930:
                Common(writer, 1, eip2930.ChainId, eip2930.Nonce ?? 0, from, eip2930.ReceiverAddress, eip2930.Amount ?? 0, eip2930.GasLimit ?? 0);
                writer.WriteString("gasPrice", Quantity(eip2930.GasPrice ?? 0));
                writer.WriteString("input", HexString(eip2930.Data));
                WriteAccessList(writer, eip2930.AccessList);
                break;
            case Transaction1559 eip1559:
                Common(writer, 2, eip1559.ChainId, eip1559.Nonce ?? 0, from, eip1559.ReceiverAddress, eip1559.Amount ?? 0, eip1559.GasLimit ?? 0);
                writer.WriteString("maxFeePerGas", Quantity(eip1559.MaxFeePerGas ?? 0));
                writer.WriteString("maxPriorityFeePerGas", Quantity(eip1559.MaxPriorityFeePerGas ?? 0));
                writer.WriteString("input", HexString(eip1559.Data));
                WriteAccessList(writer, eip1559.AccessList);
                break;
            default:
                throw new FormatException($"Transaction type {tx.TransactionType} is not supported.");
        }

        BigInteger v = Int(tx.Signature.V);
        writer.WriteString("v", Quantity(v));
        writer.WriteString("r", Quantity(Int(tx.Signature.R)));
        writer.WriteString("s", Quantity(Int(tx.Signature.S)));
        if (tx is not (LegacyTransaction or LegacyTransactionChainId))
        {
            writer.WriteString("yParity", Quantity(v));
        }

        writer.WriteString("hash", Hex(tx.Hash));
        writer.WriteEndObject();
    }

    private static void Common(Utf8JsonWriter writer, int type, BigInteger? chainId, BigInteger nonce, string from, string? to, BigInteger value, BigInteger gas)
    {
        writer.WriteString("type", Quantity(type));
        if (chainId is { } id)
        {
            writer.WriteString("chainId", Quantity(id));
        }

        writer.WriteString("nonce", Quantity(nonce));
        writer.WriteString("from", from);
        if (string.IsNullOrEmpty(to) || to is "0x")
        {
            writer.WriteNull("to");
        }
        else
        {
            writer.WriteString("to", AddressUtil.Current.ConvertToChecksumAddress(to));
        }

        writer.WriteString("value", Quantity(value));
        writer.WriteString("gas", Quantity(gas));
    }

    private static void WriteAccessList(Utf8JsonWriter writer, List<AccessListItem>? accessList)
    {
        writer.WriteStartArray("accessList");
        foreach (AccessListItem entry in accessList ?? [])
        {
            writer.WriteStartObject();
            writer.WriteString("address", AddressUtil.Current.ConvertToChecksumAddress(entry.Address));
            writer.WriteStartArray("storageKeys");
            foreach (byte[] key in entry.StorageKeys ?? [])
            {
                writer.WriteStringValue(Hex(key));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static BigInteger Int(byte[]? bytes) => bytes is null || bytes.Length == 0 ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: true, isBigEndian: true);

    private static string? Bytes(byte[]? bytes) => bytes is null || bytes.Length == 0 ? null : Hex(bytes);

    private static string Hex(byte[]? bytes) => "0x" + Convert.ToHexStringLower(bytes ?? []);

    private static string HexString(string? hex) => string.IsNullOrEmpty(hex) ? "0x" : hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.ToLowerInvariant() : "0x" + hex.ToLowerInvariant();

    internal static string Quantity(BigInteger value) => "0x" + (value.IsZero ? "0" : value.ToString("x", System.Globalization.CultureInfo.InvariantCulture).TrimStart('0'));

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

    private static List<AccessListItem> AccessList(JsonElement json)
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

            List<byte[]> keys = [];
            if (entry.TryGetProperty("storageKeys", out JsonElement keysElement))
            {
                if (keysElement.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"{path}.storageKeys: expected an array of 32-byte 0x-hex keys, got {CliInput.Describe(keysElement)}.");
                }

                keys = keysElement.EnumerateArray().Select((key, k) => Hash(key, $"{path}.storageKeys[{k}]")).ToList();
            }

            return new AccessListItem(AddressField(address, $"{path}.address"), keys);
        }).ToList();
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

    private static BigInteger? UInt(JsonElement json, string name)
    {
        if (Optional(json, name) is not { ValueKind: not JsonValueKind.Null } element)
        {
            return null;
        }

        BigInteger value = CliInput.Integer(element, name);
        return value >= 0 && value < BigInteger.One << 256 ? value : throw new FormatException($"{name}: {value} is outside 0..2^256-1.");
    }

    private static string AddressField(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name}: expected a 0x-hex address, got {CliInput.Describe(element)}.");
        }

        try
        {
            return EvmInput.ParseAddress(element.GetString()!);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{name}: {e.Message}", e);
        }
    }

    private static byte[] Hash(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name}: expected a 32-byte 0x-hex string, got {CliInput.Describe(element)}.");
        }

        try
        {
            return EvmInput.ParseHex(element.GetString()!, 32, "a 32-byte storage key");
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
            return EvmInput.ParseHex(element.GetString()!);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{name}: {e.Message}", e);
        }
    }
}
