using System.Text.Json;

namespace AgentCluster.Evm.Rpc;

/// <summary>A block reference for JSON-RPC: a number or one of the tags latest, pending, earliest, safe, finalized.</summary>
public readonly record struct BlockParameter
{
    private readonly string? _tag;

    private BlockParameter(ulong? number, string? tag)
    {
        Number = number;
        _tag = tag;
    }

    public static BlockParameter Latest { get; } = new(null, "latest");

    public static BlockParameter Pending { get; } = new(null, "pending");

    public static BlockParameter Earliest { get; } = new(null, "earliest");

    public static BlockParameter Safe { get; } = new(null, "safe");

    public static BlockParameter Finalized { get; } = new(null, "finalized");

    /// <summary>The block number, or null for a tag.</summary>
    public ulong? Number { get; }

    /// <summary>The tag (<c>latest</c>, ...), or null for a number. <c>default(BlockParameter)</c> means latest.</summary>
    public string? Tag => Number is null ? _tag ?? "latest" : null;

    public static BlockParameter At(ulong number) => new(number, null);

    public static implicit operator BlockParameter(ulong number) => At(number);

    /// <summary>The JSON-RPC form: a hex quantity or the tag.</summary>
    public string ToRpcString() => Number is { } n ? Hex.EncodeQuantity(n) : Tag!;

    public override string ToString() => ToRpcString();
}

/// <summary>The transaction-like object of eth_call and eth_estimateGas.</summary>
public sealed record CallRequest
{
    public Address? From { get; init; }

    /// <summary>The callee; null simulates a contract creation from <see cref="Data"/>.</summary>
    public Address? To { get; init; }

    public byte[] Data { get; init; } = [];

    public UInt256? Value { get; init; }

    public ulong? Gas { get; init; }

    public UInt256? GasPrice { get; init; }

    public UInt256? MaxFeePerGas { get; init; }

    public UInt256? MaxPriorityFeePerGas { get; init; }

    internal Dictionary<string, object?> ToRpcObject()
    {
        var o = new Dictionary<string, object?>();
        if (From is { } from) o["from"] = from.ToLowerHex();
        if (To is { } to) o["to"] = to.ToLowerHex();
        o["data"] = Hex.Encode(Data);
        if (Value is { } value) o["value"] = Hex.EncodeQuantity(value);
        if (Gas is { } gas) o["gas"] = Hex.EncodeQuantity(gas);
        if (GasPrice is { } gasPrice) o["gasPrice"] = Hex.EncodeQuantity(gasPrice);
        if (MaxFeePerGas is { } maxFee) o["maxFeePerGas"] = Hex.EncodeQuantity(maxFee);
        if (MaxPriorityFeePerGas is { } tip) o["maxPriorityFeePerGas"] = Hex.EncodeQuantity(tip);
        return o;
    }
}

/// <summary>A block header with its transaction hashes (eth_getBlockByNumber without full transactions).</summary>
public sealed record Block(
    ulong Number,
    Hash32 Hash,
    Hash32 ParentHash,
    ulong Timestamp,
    ulong GasLimit,
    ulong GasUsed,
    UInt256? BaseFeePerGas,
    Address Miner,
    IReadOnlyList<Hash32> TransactionHashes);

/// <summary>A log entry from a receipt or eth_getLogs.</summary>
public sealed record LogEntry(
    Address Address,
    IReadOnlyList<Hash32> Topics,
    byte[] Data,
    ulong? BlockNumber,
    Hash32? BlockHash,
    Hash32? TransactionHash,
    ulong? TransactionIndex,
    ulong? LogIndex,
    bool Removed);

/// <summary>A transaction receipt. <see cref="Succeeded"/> is the status field (1 = success).</summary>
public sealed record TransactionReceipt(
    Hash32 TransactionHash,
    ulong TransactionIndex,
    Hash32 BlockHash,
    ulong BlockNumber,
    Address From,
    Address? To,
    Address? ContractAddress,
    ulong GasUsed,
    ulong CumulativeGasUsed,
    UInt256 EffectiveGasPrice,
    bool Succeeded,
    byte Type,
    IReadOnlyList<LogEntry> Logs);

/// <summary>A transaction as eth_getTransactionByHash returns it; the block fields are null while it is pending.</summary>
public sealed record RpcTransaction(
    Hash32 Hash,
    ulong Nonce,
    Address From,
    Address? To,
    UInt256 Value,
    byte[] Input,
    ulong Gas,
    byte Type,
    UInt256? GasPrice,
    UInt256? MaxFeePerGas,
    UInt256? MaxPriorityFeePerGas,
    ulong? ChainId,
    ulong? BlockNumber,
    Hash32? BlockHash,
    ulong? TransactionIndex);

/// <summary>eth_feeHistory: base fees of <c>BaseFeePerGas.Count - 1</c> blocks from <see cref="OldestBlock"/> plus the next block's.</summary>
public sealed record FeeHistory(
    ulong OldestBlock,
    IReadOnlyList<UInt256> BaseFeePerGas,
    IReadOnlyList<double> GasUsedRatio,
    IReadOnlyList<IReadOnlyList<UInt256>> Reward);

/// <summary>An eth_getLogs filter. Each topic position is null (any), or a list of alternatives.</summary>
public sealed record LogFilter
{
    public BlockParameter FromBlock { get; init; } = BlockParameter.Earliest;

    public BlockParameter ToBlock { get; init; } = BlockParameter.Latest;

    public IReadOnlyList<Address> Addresses { get; init; } = [];

    public IReadOnlyList<IReadOnlyList<Hash32>?> Topics { get; init; } = [];

    internal Dictionary<string, object?> ToRpcObject(ulong from, ulong to)
    {
        var o = new Dictionary<string, object?>
        {
            ["fromBlock"] = Hex.EncodeQuantity(from),
            ["toBlock"] = Hex.EncodeQuantity(to),
        };
        if (Addresses.Count == 1)
        {
            o["address"] = Addresses[0].ToLowerHex();
        }
        else if (Addresses.Count > 1)
        {
            o["address"] = Addresses.Select(a => (object?)a.ToLowerHex()).ToList();
        }

        if (Topics.Count > 0)
        {
            o["topics"] = Topics.Select(t => t is null ? null : (object?)t.Select(h => (object?)h.ToString()).ToList()).ToList();
        }

        return o;
    }
}

/// <summary>One request of a batch.</summary>
public sealed record RpcRequest(string Method, IReadOnlyList<object?> Parameters)
{
    public RpcRequest(string method, params object?[] parameters)
        : this(method, (IReadOnlyList<object?>)parameters)
    {
    }
}

/// <summary>One answer of a batch: either a result or an error, in the order of the requests.</summary>
public sealed class RpcResponse
{
    internal RpcResponse(RpcRequest request, JsonElement? result, RpcException? error)
    {
        Request = request;
        Result = result;
        Error = error;
    }

    public RpcRequest Request { get; }

    public JsonElement? Result { get; }

    public RpcException? Error { get; }

    public bool IsSuccess => Error is null;

    /// <summary>The result, or the error thrown.</summary>
    public JsonElement GetResult() => Error is not null ? throw Error : Result!.Value;
}

/// <summary>Reads the JSON-RPC wire forms (hex quantities, data, addresses, hashes) into the layer's types.</summary>
public static class RpcJson
{
    public static ulong Quantity(JsonElement e) => (ulong)Hex.DecodeQuantity(RequireString(e));

    public static UInt256 BigQuantity(JsonElement e) => new(Hex.DecodeQuantity(RequireString(e)));

    public static byte[] Data(JsonElement e) => Hex.Decode(RequireString(e));

    public static Address ToAddress(JsonElement e) => Address.Parse(RequireString(e));

    public static Hash32 ToHash(JsonElement e) => Hash32.Parse(RequireString(e));

    public static Block ToBlock(JsonElement e) => new(
        Quantity(e.GetProperty("number")),
        ToHash(e.GetProperty("hash")),
        ToHash(e.GetProperty("parentHash")),
        Quantity(e.GetProperty("timestamp")),
        Quantity(e.GetProperty("gasLimit")),
        Quantity(e.GetProperty("gasUsed")),
        OptionalBig(e, "baseFeePerGas"),
        ToAddress(e.GetProperty("miner")),
        e.TryGetProperty("transactions", out JsonElement txs)
            ? txs.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? ToHash(t) : ToHash(t.GetProperty("hash"))).ToList()
            : []);

    public static LogEntry ToLog(JsonElement e) => new(
        ToAddress(e.GetProperty("address")),
        e.GetProperty("topics").EnumerateArray().Select(ToHash).ToList(),
        Data(e.GetProperty("data")),
        OptionalQuantity(e, "blockNumber"),
        OptionalHash(e, "blockHash"),
        OptionalHash(e, "transactionHash"),
        OptionalQuantity(e, "transactionIndex"),
        OptionalQuantity(e, "logIndex"),
        e.TryGetProperty("removed", out JsonElement removed) && removed.ValueKind == JsonValueKind.True);

    public static TransactionReceipt ToReceipt(JsonElement e) => new(
        ToHash(e.GetProperty("transactionHash")),
        Quantity(e.GetProperty("transactionIndex")),
        ToHash(e.GetProperty("blockHash")),
        Quantity(e.GetProperty("blockNumber")),
        ToAddress(e.GetProperty("from")),
        OptionalAddress(e, "to"),
        OptionalAddress(e, "contractAddress"),
        Quantity(e.GetProperty("gasUsed")),
        Quantity(e.GetProperty("cumulativeGasUsed")),
        OptionalBig(e, "effectiveGasPrice") ?? UInt256.Zero,
        // Receipts before Byzantium carry a state root instead of a status; treat them as successful.
        OptionalQuantity(e, "status") is not 0UL,
        (byte)(OptionalQuantity(e, "type") ?? 0),
        e.GetProperty("logs").EnumerateArray().Select(ToLog).ToList());

    public static RpcTransaction ToTransaction(JsonElement e) => new(
        ToHash(e.GetProperty("hash")),
        Quantity(e.GetProperty("nonce")),
        ToAddress(e.GetProperty("from")),
        OptionalAddress(e, "to"),
        BigQuantity(e.GetProperty("value")),
        Data(e.GetProperty("input")),
        Quantity(e.GetProperty("gas")),
        (byte)(OptionalQuantity(e, "type") ?? 0),
        OptionalBig(e, "gasPrice"),
        OptionalBig(e, "maxFeePerGas"),
        OptionalBig(e, "maxPriorityFeePerGas"),
        OptionalQuantity(e, "chainId"),
        OptionalQuantity(e, "blockNumber"),
        OptionalHash(e, "blockHash"),
        OptionalQuantity(e, "transactionIndex"));

    public static FeeHistory ToFeeHistory(JsonElement e) => new(
        Quantity(e.GetProperty("oldestBlock")),
        e.GetProperty("baseFeePerGas").EnumerateArray().Select(BigQuantity).ToList(),
        e.GetProperty("gasUsedRatio").EnumerateArray().Select(r => r.GetDouble()).ToList(),
        e.TryGetProperty("reward", out JsonElement reward) && reward.ValueKind == JsonValueKind.Array
            ? reward.EnumerateArray().Select(r => (IReadOnlyList<UInt256>)r.EnumerateArray().Select(BigQuantity).ToList()).ToList()
            : []);

    private static string RequireString(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FormatException($"Expected a hex string in the JSON-RPC answer, got {e.ValueKind}: {Hex.Shorten(e.GetRawText())}.");

    private static bool Present(JsonElement e, string name, out JsonElement value) =>
        e.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static ulong? OptionalQuantity(JsonElement e, string name) => Present(e, name, out JsonElement v) ? Quantity(v) : null;

    private static UInt256? OptionalBig(JsonElement e, string name) => Present(e, name, out JsonElement v) ? BigQuantity(v) : null;

    private static Hash32? OptionalHash(JsonElement e, string name) => Present(e, name, out JsonElement v) ? ToHash(v) : null;

    private static Address? OptionalAddress(JsonElement e, string name) => Present(e, name, out JsonElement v) ? ToAddress(v) : null;
}
