using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Transactions;
using Polly;

namespace AgentCluster.Evm.Rpc;

/// <summary>
/// An Ethereum JSON-RPC client: single and batch requests over an <see cref="IEthRpcTransport"/>, transient faults retried
/// by a Polly pipeline (never JSON-RPC errors), reverts of eth_call/eth_estimateGas decoded to
/// <see cref="ContractRevertException"/>, other node errors as <see cref="RpcException"/>. Thread-safe; share one instance.
/// </summary>
public class EthRpcClient
{
    private readonly IEthRpcTransport _transport;
    private readonly ResiliencePipeline _retrying;
    private readonly ResiliencePipeline _singleAttempt;
    private long _nextId;

    public EthRpcClient(Uri endpoint, EthRpcClientOptions? options = null)
        : this(new HttpEthRpcTransport(endpoint), options)
    {
    }

    public EthRpcClient(IEthRpcTransport transport, EthRpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Options = options ?? new EthRpcClientOptions();
        Options.Validate();
        _transport = transport;
        _retrying = Options.Pipeline ?? EthRpcResilience.CreatePipeline(Options);
        _singleAttempt = EthRpcResilience.CreateSingleAttemptPipeline(Options);
    }

    /// <summary>For mocking.</summary>
    protected EthRpcClient()
    {
        Options = new EthRpcClientOptions();
        _transport = null!;
        _retrying = ResiliencePipeline.Empty;
        _singleAttempt = ResiliencePipeline.Empty;
    }

    public EthRpcClientOptions Options { get; }

    /// <summary>
    /// Sends one request and returns its <c>result</c>. Transient faults are retried unless the method changes node state in a way
    /// that must not be repeated (eth_sendTransaction and the evm_/anvil_/hardhat_ test methods). eth_sendRawTransaction is retried:
    /// the same signed bytes are the same transaction.
    /// </summary>
    /// <exception cref="RpcException">The node answered with an error object.</exception>
    public virtual async Task<JsonElement> RequestAsync(string method, IReadOnlyList<object?> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(parameters);
        long id = Interlocked.Increment(ref _nextId);
        using JsonDocument document = await ExchangeAsync(
            PipelineFor(method),
            method,
            (id, method, parameters),
            static (writer, state) => WriteRequest(writer, state.id, state.method, state.parameters),
            cancellationToken).ConfigureAwait(false);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new RpcTransportException($"{method}: expected a JSON-RPC response object, got {document.RootElement.ValueKind}.");
        }

        var (result, error) = ReadResponse(document.RootElement, method);
        return error is not null ? throw error : result;
    }

    /// <summary>
    /// Sends the requests as one JSON-RPC batch (one HTTP round trip) and returns one response per request, in request order.
    /// Each response carries its own result or <see cref="RpcException"/>. The batch is retried as a whole on transient faults
    /// only when every method in it is safe to repeat.
    /// </summary>
    public virtual async Task<IReadOnlyList<RpcResponse>> SendBatchAsync(IReadOnlyList<RpcRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return [];
        }

        long firstId = Interlocked.Add(ref _nextId, requests.Count) - requests.Count + 1;
        ResiliencePipeline pipeline = requests.All(r => IsSafeToRepeat(r.Method)) ? _retrying : _singleAttempt;
        using JsonDocument document = await ExchangeAsync(
            pipeline,
            "batch",
            (firstId, requests),
            static (writer, state) =>
            {
                writer.WriteStartArray();
                for (int i = 0; i < state.requests.Count; i++)
                {
                    WriteRequest(writer, state.firstId + i, state.requests[i].Method, state.requests[i].Parameters);
                }

                writer.WriteEndArray();
            },
            cancellationToken).ConfigureAwait(false);
        JsonElement root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out _))
        {
            // The node rejected the batch as a whole (e.g. batches disabled or too large).
            var (_, error) = ReadResponse(root, "batch");
            throw error!;
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new RpcTransportException($"batch: expected a JSON array of responses, got {root.ValueKind}.");
        }

        var byId = new Dictionary<long, JsonElement>();
        foreach (JsonElement item in root.EnumerateArray())
        {
            if (item.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out long id))
            {
                byId[id] = item;
            }
        }

        var responses = new RpcResponse[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            RpcRequest request = requests[i];
            if (!byId.TryGetValue(firstId + i, out JsonElement item))
            {
                responses[i] = new RpcResponse(request, null, new RpcException(request.Method, -32603, "the batch response has no answer for this request"));
                continue;
            }

            var (result, error) = ReadResponse(item, request.Method);
            responses[i] = new RpcResponse(request, error is null ? result : null, error);
        }

        return responses;
    }

    public virtual async Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) =>
        RpcJson.Quantity(await RequestAsync("eth_chainId", [], cancellationToken).ConfigureAwait(false));

    public virtual async Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken = default) =>
        RpcJson.Quantity(await RequestAsync("eth_blockNumber", [], cancellationToken).ConfigureAwait(false));

    /// <summary>The account's nonce: transactions mined at <paramref name="block"/> (latest), or including the node's pool (pending).</summary>
    public virtual async Task<ulong> GetTransactionCountAsync(Address account, BlockParameter block = default, CancellationToken cancellationToken = default) =>
        RpcJson.Quantity(await RequestAsync("eth_getTransactionCount", [account.ToLowerHex(), block.ToRpcString()], cancellationToken).ConfigureAwait(false));

    public virtual async Task<UInt256> GetBalanceAsync(Address account, BlockParameter block = default, CancellationToken cancellationToken = default) =>
        RpcJson.BigQuantity(await RequestAsync("eth_getBalance", [account.ToLowerHex(), block.ToRpcString()], cancellationToken).ConfigureAwait(false));

    public virtual async Task<byte[]> GetCodeAsync(Address account, BlockParameter block = default, CancellationToken cancellationToken = default) =>
        RpcJson.Data(await RequestAsync("eth_getCode", [account.ToLowerHex(), block.ToRpcString()], cancellationToken).ConfigureAwait(false));

    public virtual async Task<UInt256> GetGasPriceAsync(CancellationToken cancellationToken = default) =>
        RpcJson.BigQuantity(await RequestAsync("eth_gasPrice", [], cancellationToken).ConfigureAwait(false));

    public virtual async Task<UInt256> GetMaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        RpcJson.BigQuantity(await RequestAsync("eth_maxPriorityFeePerGas", [], cancellationToken).ConfigureAwait(false));

    /// <summary>eth_feeHistory over <paramref name="blockCount"/> blocks ending at <paramref name="newestBlock"/>.</summary>
    public virtual async Task<FeeHistory> GetFeeHistoryAsync(int blockCount, BlockParameter newestBlock = default, IReadOnlyList<double>? rewardPercentiles = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 1);
        JsonElement result = await RequestAsync(
            "eth_feeHistory",
            [Hex.EncodeQuantity(blockCount), newestBlock.ToRpcString(), (rewardPercentiles ?? []).Select(p => (object?)p).ToList()],
            cancellationToken).ConfigureAwait(false);
        return RpcJson.ToFeeHistory(result);
    }

    /// <summary>The block with its transaction hashes, or null when the node has no such block.</summary>
    public virtual async Task<Block?> GetBlockByNumberAsync(BlockParameter block = default, CancellationToken cancellationToken = default)
    {
        JsonElement result = await RequestAsync("eth_getBlockByNumber", [block.ToRpcString(), false], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : RpcJson.ToBlock(result);
    }

    /// <summary>
    /// Executes a call without a transaction and returns the return data. Pass a <c>revertDecoder</c> (e.g.
    /// <see cref="ContractAbi.CreateRevertDecoder"/>) to decode custom errors; Error(string) and Panic always decode.
    /// </summary>
    /// <exception cref="ContractRevertException">The call reverted.</exception>
    public virtual async Task<byte[]> CallAsync(CallRequest call, BlockParameter block = default, RevertDecoder? revertDecoder = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return RpcJson.Data(await RequestAsync("eth_call", [call.ToRpcObject(), block.ToRpcString()], cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException e) when (e.IsExecutionReverted)
        {
            throw DecodeRevert(e, revertDecoder);
        }
    }

    /// <summary>The gas the node estimates for the transaction.</summary>
    /// <exception cref="ContractRevertException">The transaction would revert.</exception>
    public virtual async Task<ulong> EstimateGasAsync(CallRequest call, RevertDecoder? revertDecoder = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return RpcJson.Quantity(await RequestAsync("eth_estimateGas", [call.ToRpcObject()], cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException e) when (e.IsExecutionReverted)
        {
            throw DecodeRevert(e, revertDecoder);
        }
    }

    /// <summary>
    /// Broadcasts a signed transaction and returns its hash. Retried on transient faults as the same bytes (hence the same hash);
    /// a node answer that it already has the transaction, or "nonce too low" while the node knows our hash, counts as success.
    /// </summary>
    public virtual async Task<Hash32> SendRawTransactionAsync(byte[] rawTransaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawTransaction);
        if (rawTransaction.Length == 0)
        {
            throw new ArgumentException("The raw transaction is empty.", nameof(rawTransaction));
        }

        return await SendRawAsync(rawTransaction, Keccak.Hash(rawTransaction), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="SendRawTransactionAsync(byte[], CancellationToken)"/>, with the hash the signed transaction already has.</summary>
    public virtual Task<Hash32> SendRawTransactionAsync(SignedTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return SendRawAsync(transaction.Raw, transaction.Hash, cancellationToken);
    }

    private async Task<Hash32> SendRawAsync(byte[] rawTransaction, Hash32 hash, CancellationToken cancellationToken)
    {
        try
        {
            JsonElement result = await RequestAsync("eth_sendRawTransaction", [Hex.Encode(rawTransaction)], cancellationToken).ConfigureAwait(false);
            Hash32 returned = RpcJson.ToHash(result);
            return returned == hash
                ? hash
                : throw new RpcTransportException($"eth_sendRawTransaction returned {returned}, but the transaction's hash is {hash}.");
        }
        catch (RpcException e) when (e.IsAlreadyKnown)
        {
            return hash;
        }
        catch (RpcException e) when (e.IsNonceTooLow)
        {
            // An earlier attempt whose answer was lost may have been mined already: then the nonce is ours.
            if (await GetTransactionByHashAsync(hash, cancellationToken).ConfigureAwait(false) is not null)
            {
                return hash;
            }

            throw;
        }
    }

    /// <summary>The receipt, or null while the transaction is pending or unknown.</summary>
    public virtual async Task<TransactionReceipt?> GetTransactionReceiptAsync(Hash32 transactionHash, CancellationToken cancellationToken = default)
    {
        JsonElement result = await RequestAsync("eth_getTransactionReceipt", [transactionHash.ToString()], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : RpcJson.ToReceipt(result);
    }

    /// <summary>The transaction (pending or mined), or null when the node does not know it.</summary>
    public virtual async Task<RpcTransaction?> GetTransactionByHashAsync(Hash32 transactionHash, CancellationToken cancellationToken = default)
    {
        JsonElement result = await RequestAsync("eth_getTransactionByHash", [transactionHash.ToString()], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : RpcJson.ToTransaction(result);
    }

    /// <summary>All logs matching the filter; see <see cref="GetLogPagesAsync"/> for how the range is paged.</summary>
    public virtual async Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default)
    {
        var logs = new List<LogEntry>();
        await foreach (IReadOnlyList<LogEntry> page in GetLogPagesAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            logs.AddRange(page);
        }

        return logs;
    }

    /// <summary>
    /// The logs matching the filter, one page per eth_getLogs request, in block order. Tags are resolved to numbers once, then the
    /// range is walked in spans of at most <see cref="EthRpcClientOptions.MaxLogBlockRange"/> blocks; a span the node refuses as
    /// too large (too many results, range too wide) is halved and asked again.
    /// </summary>
    public virtual async IAsyncEnumerable<IReadOnlyList<LogEntry>> GetLogPagesAsync(LogFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ulong from = await ResolveBlockAsync(filter.FromBlock, cancellationToken).ConfigureAwait(false);
        ulong to = await ResolveBlockAsync(filter.ToBlock, cancellationToken).ConfigureAwait(false);
        if (from > to)
        {
            throw new ArgumentException($"The log filter's fromBlock ({from}) is after its toBlock ({to}).", nameof(filter));
        }

        ulong span = Options.MaxLogBlockRange is { } max ? Math.Min(max, to - from + 1) : to - from + 1;
        while (from <= to)
        {
            ulong end = span - 1 > to - from ? to : from + span - 1;
            List<LogEntry>? page = null;
            try
            {
                JsonElement result = await RequestAsync("eth_getLogs", [filter.ToRpcObject(from, end)], cancellationToken).ConfigureAwait(false);
                page = result.EnumerateArray().Select(RpcJson.ToLog).ToList();
            }
            catch (RpcException e) when (e.IsLogRangeTooLarge && end > from)
            {
                span = Math.Max(1, (end - from + 1) / 2);
            }

            if (page is not null)
            {
                yield return page;
                from = end + 1;
                if (end == ulong.MaxValue)
                {
                    yield break;
                }
            }
        }
    }

    private async Task<ulong> ResolveBlockAsync(BlockParameter block, CancellationToken cancellationToken)
    {
        if (block.Number is { } number)
        {
            return number;
        }

        return block.Tag switch
        {
            "earliest" => 0,
            "latest" => await GetBlockNumberAsync(cancellationToken).ConfigureAwait(false),
            _ => (await GetBlockByNumberAsync(block, cancellationToken).ConfigureAwait(false))?.Number
                 ?? throw new RpcException("eth_getBlockByNumber", -32000, $"the node has no '{block.Tag}' block"),
        };
    }

    private ResiliencePipeline PipelineFor(string method) => IsSafeToRepeat(method) ? _retrying : _singleAttempt;

    /// <summary>
    /// Reads and eth_sendRawTransaction are safe to repeat; eth_sendTransaction (the node signs a new transaction each time) and
    /// the test-node methods that mine or move time are not.
    /// </summary>
    private static bool IsSafeToRepeat(string method) =>
        method != "eth_sendTransaction" && !method.StartsWith("evm_", StringComparison.Ordinal) &&
        !method.StartsWith("anvil_", StringComparison.Ordinal) && !method.StartsWith("hardhat_", StringComparison.Ordinal);

    private static ContractRevertException DecodeRevert(RpcException e, RevertDecoder? decoder)
    {
        byte[] data = [];
        if (e.Data is { } d)
        {
            // geth and anvil put the revert data in error.data as hex; some providers nest it one level deeper.
            JsonElement candidate = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("data", out JsonElement inner) ? inner : d;
            if (candidate.ValueKind == JsonValueKind.String && Hex.IsValid(candidate.GetString()))
            {
                data = Hex.Decode(candidate.GetString()!);
            }
        }

        return (decoder ?? RevertDecoder.Default).Decode(data);
    }

    /// <summary>
    /// Serialises a request (or batch) with <paramref name="write"/>, sends it through <paramref name="pipeline"/> and parses the
    /// answer. With an <see cref="IEthRpcUtf8Transport"/> the payload and the answer stay UTF-8 bytes end to end; with any other
    /// transport they go through its string form.
    /// </summary>
    private async Task<JsonDocument> ExchangeAsync<TState>(
        ResiliencePipeline pipeline, string what, TState state, Action<Utf8JsonWriter, TState> write, CancellationToken cancellationToken)
    {
        if (_transport is IEthRpcUtf8Transport utf8)
        {
            byte[] payload = RequestWriter.WriteUtf8(state, write);
            ReadOnlyMemory<byte> answer = await pipeline.ExecuteAsync(
                static (s, ct) => new ValueTask<ReadOnlyMemory<byte>>(s.Transport.SendUtf8Async(s.Payload, ct)),
                (Transport: utf8, Payload: payload),
                cancellationToken).ConfigureAwait(false);
            return Parse(answer, what);
        }

        string text = RequestWriter.Write(state, write);
        string body = await pipeline.ExecuteAsync(
            static (s, ct) => new ValueTask<string>(s.Transport.SendAsync(s.Payload, ct)),
            (Transport: _transport, Payload: text),
            cancellationToken).ConfigureAwait(false);
        return Parse(Encoding.UTF8.GetBytes(body), what);
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> body, string method)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new RpcTransportException($"{method}: the answer is not JSON: {Hex.Shorten(Encoding.UTF8.GetString(body.Span).Trim())}", innerException: e);
        }
    }

    private static (JsonElement Result, RpcException? Error) ReadResponse(JsonElement response, string method)
    {
        if (response.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object)
        {
            long code = error.TryGetProperty("code", out JsonElement c) && c.TryGetInt64(out long v) ? v : 0;
            string message = error.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : error.GetRawText();
            JsonElement? data = error.TryGetProperty("data", out JsonElement dd) ? dd.Clone() : null;
            return (default, new RpcException(method, code, message, data));
        }

        if (!response.TryGetProperty("result", out JsonElement result))
        {
            throw new RpcTransportException($"{method}: the JSON-RPC response has neither result nor error: {Hex.Shorten(response.GetRawText())}");
        }

        return (result.Clone(), null);
    }

    /// <summary>
    /// A <see cref="Utf8JsonWriter"/> and its buffer kept per thread and reused, so serialising a request allocates only the
    /// resulting bytes (a fresh writer over a MemoryStream costs about 7 KB per request: its 4 KB growth buffer and the copies).
    /// </summary>
    private sealed class RequestWriter
    {
        private const int MaxRetainedBytes = 64 * 1024;

        [ThreadStatic]
        private static RequestWriter? t_cached;

        private readonly ArrayBufferWriter<byte> _buffer = new(1024);
        private readonly Utf8JsonWriter _writer;

        private RequestWriter() => _writer = new Utf8JsonWriter(_buffer);

        public static string Write<TState>(TState state, Action<Utf8JsonWriter, TState> write) =>
            Encoding.UTF8.GetString(WriteUtf8(state, write));

        public static byte[] WriteUtf8<TState>(TState state, Action<Utf8JsonWriter, TState> write)
        {
            // Taken out of the slot while in use: a nested call (none today) would get a writer of its own.
            RequestWriter instance = t_cached ?? new RequestWriter();
            t_cached = null;
            try
            {
                instance._buffer.ResetWrittenCount();
                instance._writer.Reset(instance._buffer);
                write(instance._writer, state);
                instance._writer.Flush();
                return instance._buffer.WrittenSpan.ToArray();
            }
            finally
            {
                // A large batch leaves a large buffer behind: let it go rather than hold it for the thread's lifetime.
                if (instance._buffer.Capacity <= MaxRetainedBytes)
                {
                    t_cached = instance;
                }
            }
        }
    }

    private static void WriteRequest(Utf8JsonWriter writer, long id, string method, IReadOnlyList<object?> parameters)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WriteNumber("id", id);
        writer.WriteString("method", method);
        writer.WritePropertyName("params");
        writer.WriteStartArray();
        foreach (object? parameter in parameters)
        {
            WriteValue(writer, parameter);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case double d: writer.WriteNumberValue(d); break;
            case Address a: writer.WriteStringValue(a.ToLowerHex()); break;
            case Hash32 h: writer.WriteStringValue(h.ToString()); break;
            case UInt256 n: writer.WriteStringValue(Hex.EncodeQuantity(n)); break;
            case byte[] bytes: writer.WriteStringValue(Hex.Encode(bytes)); break;
            case BlockParameter block: writer.WriteStringValue(block.ToRpcString()); break;
            case JsonElement element: element.WriteTo(writer); break;
            case JsonNode node: node.WriteTo(writer); break;
            case CallRequest call: WriteValue(writer, call.ToRpcObject()); break;
            case IDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"A JSON-RPC parameter of type {value.GetType().Name} is not supported; pass a string, number, bool, " +
                                            "Address, Hash32, UInt256, byte[], a dictionary, a list or a JsonElement.");
        }
    }
}
