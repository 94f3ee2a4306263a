using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Swarm.Networks;

/// <summary>
/// The few JSON-RPC calls the localnet's Solana side makes beside the SDK: the localnet server's own methods (<c>localnet_warpTime</c>,
/// <c>localnet_fundAcc</c>), <c>requestAirdrop</c>, and the reads of the closing report (program and token accounts, the program's
/// transactions). JSON-RPC 2.0 over HTTP with System.Net.Http.Json, single calls and batches of up to 100, every call bounded by
/// <see cref="Timeout"/>. It is not a Solana client: transactions are built and sent by the SDK (<c>SolanaNetwork</c>).
/// </summary>
public sealed class SolanaLocalnetRpc : IDisposable
{
    /// <summary>The most requests the localnet server takes in one batch.</summary>
    public const int MaxBatch = 100;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private long _id;

    /// <summary>A client of <paramref name="rpcUrl"/> (its own HttpClient unless one is given).</summary>
    /// <exception cref="ArgumentException">Not an http(s) URL.</exception>
    public SolanaLocalnetRpc(Uri rpcUrl, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(rpcUrl);
        if (!rpcUrl.IsAbsoluteUri || (rpcUrl.Scheme != Uri.UriSchemeHttp && rpcUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"must be an http(s) URL; got '{rpcUrl}'.", nameof(rpcUrl));
        }

        RpcUrl = rpcUrl;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient();
    }

    /// <summary>The endpoint.</summary>
    public Uri RpcUrl { get; }

    /// <summary>The bound of one call (or batch).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One call; its <c>result</c>. A JSON-RPC error becomes a <see cref="SolanaLocalnetRpcException"/>.</summary>
    public async Task<JsonElement> CallAsync(string method, JsonArray parameters, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<JsonElement> results = await BatchAsync([(method, parameters)], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Up to <see cref="MaxBatch"/> calls in one request, in order; the results in the same order (the first error throws).</summary>
    public async Task<IReadOnlyList<JsonElement>> BatchAsync(IReadOnlyList<(string Method, JsonArray Parameters)> calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count is 0 or > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(calls), $"a batch holds 1..{MaxBatch} calls; got {calls.Count}.");
        }

        long first = Interlocked.Add(ref _id, calls.Count) - calls.Count + 1;
        var body = new JsonArray();
        for (int i = 0; i < calls.Count; i++)
        {
            body.Add(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = first + i, ["method"] = calls[i].Method, ["params"] = calls[i].Parameters.DeepClone() });
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsJsonAsync(RpcUrl, body, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{RpcUrl} did not answer {calls[0].Method} within {Timeout.TotalSeconds:F0} s");
        }

        using (response)
        {
            response.EnsureSuccessStatusCode();
            using JsonDocument doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(bound.Token).ConfigureAwait(false),
                cancellationToken: bound.Token).ConfigureAwait(false);
            var byId = new Dictionary<long, JsonElement>();
            IEnumerable<JsonElement> items = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray() : [doc.RootElement];
            foreach (JsonElement item in items)
            {
                long id = item.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.Number ? idElement.GetInt64() : -1;
                if (item.TryGetProperty("error", out JsonElement error))
                {
                    string method = id >= first && id < first + calls.Count ? calls[(int)(id - first)].Method : calls[0].Method;
                    throw new SolanaLocalnetRpcException(method, error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString() ?? "");
                }

                byId[id] = item.GetProperty("result").Clone();
            }

            return [.. Enumerable.Range(0, calls.Count).Select(i => byId.TryGetValue(first + i, out JsonElement r)
                ? r
                : throw new InvalidOperationException($"{RpcUrl} gave no answer to {calls[i].Method} (id {first + i})"))];
        }
    }

    /// <summary><c>requestAirdrop</c>: <paramref name="lamports"/> SOL lamports to <paramref name="address"/>; the signature.</summary>
    public async Task<string> RequestAirdropAsync(string address, ulong lamports, CancellationToken cancellationToken = default) =>
        (await CallAsync("requestAirdrop", [address, lamports], cancellationToken).ConfigureAwait(false)).GetString()!;

    /// <summary><c>localnet_fundAcc</c>: ACC base units from the team vault into <paramref name="owner"/>'s associated token account.</summary>
    public Task FundAccAsync(string owner, BigInteger amount, CancellationToken cancellationToken = default) =>
        CallAsync("localnet_fundAcc", [owner, JsonValue.Create((ulong)amount)], cancellationToken);

    /// <summary><c>localnet_warpTime</c>: the clock moves <paramref name="seconds"/> forward; the chain's unix time after.</summary>
    public async Task<long> WarpTimeAsync(long seconds, CancellationToken cancellationToken = default)
    {
        JsonElement r = await CallAsync("localnet_warpTime", [seconds], cancellationToken).ConfigureAwait(false);
        return r.GetProperty("unixTimestamp").GetInt64();
    }

    /// <summary>An account's data (null: no account), read as base64.</summary>
    public async Task<byte[]?> GetAccountDataAsync(string address, CancellationToken cancellationToken = default)
    {
        JsonElement r = await CallAsync("getAccountInfo", [address, new JsonObject { ["encoding"] = "base64" }], cancellationToken).ConfigureAwait(false);
        JsonElement value = r.GetProperty("value");
        return value.ValueKind == JsonValueKind.Null ? null : Convert.FromBase64String(value.GetProperty("data")[0].GetString()!);
    }

    /// <summary>
    /// <c>getProgramAccounts</c> of <paramref name="program"/> with <paramref name="filters"/> (dataSize / memcmp objects), each account's
    /// address and data (or the slice <paramref name="sliceOffset"/>..+<paramref name="sliceLength"/> when a length is given).
    /// </summary>
    public async Task<IReadOnlyList<(string Address, byte[] Data)>> GetProgramAccountsAsync(string program, JsonArray filters, int sliceOffset = 0, int? sliceLength = null,
        CancellationToken cancellationToken = default)
    {
        var config = new JsonObject { ["encoding"] = "base64", ["filters"] = filters.DeepClone() };
        if (sliceLength is { } length)
        {
            config["dataSlice"] = new JsonObject { ["offset"] = sliceOffset, ["length"] = length };
        }

        JsonElement r = await CallAsync("getProgramAccounts", [program, config], cancellationToken).ConfigureAwait(false);
        return [.. r.EnumerateArray().Select(a => (a.GetProperty("pubkey").GetString()!,
            Convert.FromBase64String(a.GetProperty("account").GetProperty("data")[0].GetString()!)))];
    }

    /// <summary>The signatures of every transaction that names <paramref name="address"/>, newest first (bounded: at most <paramref name="max"/>).</summary>
    public async Task<IReadOnlyList<string>> GetSignaturesForAddressAsync(string address, int max = 100_000, CancellationToken cancellationToken = default)
    {
        var all = new List<string>();
        string? before = null;
        while (all.Count < max)
        {
            var config = new JsonObject { ["limit"] = 1000 };
            if (before is not null)
            {
                config["before"] = before;
            }

            JsonElement page = await CallAsync("getSignaturesForAddress", [address, config], cancellationToken).ConfigureAwait(false);
            int count = 0;
            foreach (JsonElement s in page.EnumerateArray())
            {
                before = s.GetProperty("signature").GetString()!;
                all.Add(before);
                count++;
            }

            if (count < 1000)
            {
                break;
            }
        }

        return all;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}

/// <summary>A JSON-RPC error answer of the Solana node.</summary>
/// <param name="method">The method called.</param>
/// <param name="code">The JSON-RPC error code.</param>
/// <param name="rpcMessage">The node's message.</param>
public sealed class SolanaLocalnetRpcException(string method, int code, string rpcMessage)
    : Exception($"{method}: the node answered error {code}: {rpcMessage}")
{
    /// <summary>The method called.</summary>
    public string Method { get; } = method;

    /// <summary>The JSON-RPC error code.</summary>
    public int Code { get; } = code;
}
