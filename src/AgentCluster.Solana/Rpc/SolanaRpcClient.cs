using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AgentCluster.Solana.Rpc;

/// <summary>
/// A Solana JSON-RPC client shaped like Solnet's <c>IRpcClient</c> (same method names), with typed results and errors and the
/// EVM side's resilience rules (<see cref="SolanaRpcOptions"/>): transient faults are retried with backoff and jitter inside
/// bounded attempts and a total timeout, JSON-RPC errors never. Every argument is checked before anything is sent.
/// <para>
/// Retried sends: <see cref="SendTransactionAsync"/> is retried on transport faults because a Solana transaction is identified by
/// its signature: the same signed bytes can land at most once (the runtime refuses a signature it has seen while the
/// blockhash is valid, and refuses the blockhash once it has expired). A retry that the node answers "AlreadyProcessed" means an
/// earlier attempt landed, and the call returns the signature. <see cref="RequestAirdropAsync"/> and the localnet_ methods are
/// not idempotent and get one attempt.
/// </para>
/// </summary>
public sealed class SolanaRpcClient : IDisposable
{
    /// <summary>The largest wire transaction a node accepts (PACKET_DATA_SIZE).</summary>
    public const int MaxTransactionSize = 1232;

    private readonly HttpClient _http;
    private readonly ResiliencePipeline _repeating;
    private readonly ResiliencePipeline _once;
    private readonly ILogger _logger;
    private long _nextId;

    /// <summary>A client of the node at <paramref name="url"/> (http or https).</summary>
    /// <param name="url">The node's JSON-RPC URL.</param>
    /// <param name="options">Retry and timeout options (validated); default <see cref="SolanaRpcOptions.Default"/>.</param>
    /// <param name="logger">Where retries are logged (warnings naming the method, the host and the fault).</param>
    /// <param name="handler">The HTTP handler (tests); default a new <see cref="SocketsHttpHandler"/>.</param>
    public SolanaRpcClient(Uri url, SolanaRpcOptions? options = null, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The node URL must be an absolute http or https URL; got '{url}'.", nameof(url));
        }

        NodeAddress = url;
        Options = options ?? SolanaRpcOptions.Default;
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _once = new ResiliencePipelineBuilder().AddTimeout(Options.TotalTimeout).AddTimeout(Options.AttemptTimeout).Build();
        var builder = new ResiliencePipelineBuilder().AddTimeout(Options.TotalTimeout);
        if (Options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = Options.RetryBaseDelay,
                MaxDelay = Options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(!args.Context.CancellationToken.IsCancellationRequested
                    && args.Outcome.Exception is { } e && IsTransient(e)),
                OnRetry = args =>
                {
                    string method = args.Context.Properties.GetValue(MethodKey, "?");
                    Exception e = args.Outcome.Exception!;
                    RpcLog.Retrying(_logger, method, NodeAddress.Authority, args.AttemptNumber + 1, $"{e.GetType().Name}: {e.Message}",
                        args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        _repeating = builder.AddTimeout(Options.AttemptTimeout).Build();
    }

    /// <summary>A client of the node at <paramref name="url"/>; see <see cref="SolanaRpcClient(Uri, SolanaRpcOptions?, ILogger?, HttpMessageHandler?)"/>.</summary>
    public SolanaRpcClient(string url, SolanaRpcOptions? options = null, ILogger? logger = null, HttpMessageHandler? handler = null)
        : this(ParseUrl(url), options, logger, handler)
    {
    }

    private static readonly ResiliencePropertyKey<string> MethodKey = new("AgentCluster.Solana.Rpc.Method");

    /// <summary>The node's URL.</summary>
    public Uri NodeAddress { get; }

    /// <summary>The options in force.</summary>
    public SolanaRpcOptions Options { get; }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    // ------------------------------------------------------------------ methods

    /// <summary>getHealth: "ok" when the node is healthy (an unhealthy node answers a JSON-RPC error).</summary>
    public async Task<string> GetHealthAsync(CancellationToken cancellationToken = default) =>
        (await SendRequestAsync("getHealth", [], true, cancellationToken).ConfigureAwait(false)).GetString()!;

    /// <summary>getVersion: the node's software version.</summary>
    public async Task<NodeVersion> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        JsonElement r = await SendRequestAsync("getVersion", [], true, cancellationToken).ConfigureAwait(false);
        return new NodeVersion(r.GetProperty("solana-core").GetString()!,
            r.TryGetProperty("feature-set", out JsonElement fs) && fs.ValueKind == JsonValueKind.Number ? fs.GetUInt64() : null);
    }

    /// <summary>getSlot: the slot the node has reached at <paramref name="commitment"/>.</summary>
    public async Task<ulong> GetSlotAsync(Commitment commitment = Commitment.Finalized, CancellationToken cancellationToken = default) =>
        (await SendRequestAsync("getSlot", [Config(commitment)], true, cancellationToken).ConfigureAwait(false)).GetUInt64();

    /// <summary>getBlockHeight: the block height at <paramref name="commitment"/>.</summary>
    public async Task<ulong> GetBlockHeightAsync(Commitment commitment = Commitment.Finalized, CancellationToken cancellationToken = default) =>
        (await SendRequestAsync("getBlockHeight", [Config(commitment)], true, cancellationToken).ConfigureAwait(false)).GetUInt64();

    /// <summary>getLatestBlockhash: a blockhash for a new transaction and its last valid block height.</summary>
    public async Task<RpcResponse<LatestBlockhash>> GetLatestBlockhashAsync(Commitment commitment = Commitment.Finalized,
        CancellationToken cancellationToken = default)
    {
        JsonElement r = await SendRequestAsync("getLatestBlockhash", [Config(commitment)], true, cancellationToken).ConfigureAwait(false);
        return WithContext(r, v => ReadBlockhash(v));
    }

    /// <summary>getMinimumBalanceForRentExemption: the lamports an account of <paramref name="dataSize"/> bytes needs to be rent exempt.</summary>
    public async Task<ulong> GetMinimumBalanceForRentExemptionAsync(ulong dataSize, Commitment commitment = Commitment.Finalized,
        CancellationToken cancellationToken = default)
    {
        if (dataSize > 10 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(dataSize), dataSize, "An account holds at most 10 MiB of data.");
        }

        return (await SendRequestAsync("getMinimumBalanceForRentExemption", [dataSize, Config(commitment)], true, cancellationToken)
            .ConfigureAwait(false)).GetUInt64();
    }

    /// <summary>getBalance: the lamports of <paramref name="account"/> (0 when it does not exist).</summary>
    public async Task<RpcResponse<ulong>> GetBalanceAsync(PublicKey account, Commitment commitment = Commitment.Finalized,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        JsonElement r = await SendRequestAsync("getBalance", [account.Key, Config(commitment)], true, cancellationToken).ConfigureAwait(false);
        return WithContext(r, v => v.GetUInt64());
    }

    /// <summary>getAccountInfo: the account (read base64), or null when it does not exist; <paramref name="dataSlice"/> reads part of its data.</summary>
    public async Task<RpcResponse<AccountInfo?>> GetAccountInfoAsync(PublicKey account, Commitment commitment = Commitment.Finalized,
        DataSlice? dataSlice = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        JsonElement r = await SendRequestAsync("getAccountInfo", [account.Key, AccountConfig(commitment, dataSlice)], true, cancellationToken)
            .ConfigureAwait(false);
        return WithContext(r, ReadAccount);
    }

    /// <summary>getMultipleAccounts: up to 100 accounts in one call, in order (null for those that do not exist).</summary>
    public async Task<RpcResponse<IReadOnlyList<AccountInfo?>>> GetMultipleAccountsAsync(IReadOnlyList<PublicKey> accounts,
        Commitment commitment = Commitment.Finalized, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        if (accounts.Count is 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(accounts), accounts.Count, "getMultipleAccounts takes 1 to 100 accounts.");
        }

        string[] keys = accounts.Select((a, i) => a?.Key ?? throw new ArgumentNullException(nameof(accounts), $"accounts[{i}] is null.")).ToArray();
        JsonElement r = await SendRequestAsync("getMultipleAccounts", [keys, AccountConfig(commitment, null)], true, cancellationToken)
            .ConfigureAwait(false);
        return WithContext<IReadOnlyList<AccountInfo?>>(r, v => v.EnumerateArray().Select(ReadAccount).ToArray());
    }

    /// <summary>getProgramAccounts: the accounts <paramref name="program"/> owns that pass every filter (at most 4), sorted by address.</summary>
    public async Task<RpcResponse<IReadOnlyList<ProgramAccount>>> GetProgramAccountsAsync(PublicKey program,
        IReadOnlyList<ProgramAccountFilter>? filters = null, Commitment commitment = Commitment.Finalized, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        filters ??= [];
        if (filters.Count > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(filters), filters.Count, "getProgramAccounts takes at most 4 filters.");
        }

        var config = AccountConfig(commitment, null);
        config["withContext"] = true;
        config["filters"] = filters.Select((f, i) => f switch
        {
            DataSizeFilter d => new Dictionary<string, object?> { ["dataSize"] = d.Size },
            MemcmpFilter m => new Dictionary<string, object?>
            {
                ["memcmp"] = new Dictionary<string, object?> { ["offset"] = m.Offset, ["bytes"] = Convert.ToBase64String(m.Bytes), ["encoding"] = "base64" },
            },
            null => throw new ArgumentNullException(nameof(filters), $"filters[{i}] is null."),
            _ => throw new ArgumentException($"filters[{i}] is a {f.GetType().Name}; use ProgramAccountFilter.DataSize or .Memcmp.", nameof(filters)),
        }).ToArray();
        JsonElement r = await SendRequestAsync("getProgramAccounts", [program.Key, config], true, cancellationToken).ConfigureAwait(false);
        return WithContext<IReadOnlyList<ProgramAccount>>(r, v => v.EnumerateArray()
            .Select(a => new ProgramAccount(new PublicKey(a.GetProperty("pubkey").GetString()!), ReadAccount(a.GetProperty("account"))!)).ToArray());
    }

    /// <summary>getTokenAccountBalance: an SPL token account's balance.</summary>
    public async Task<RpcResponse<TokenAmount>> GetTokenAccountBalanceAsync(PublicKey tokenAccount, Commitment commitment = Commitment.Finalized,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenAccount);
        JsonElement r = await SendRequestAsync("getTokenAccountBalance", [tokenAccount.Key, Config(commitment)], true, cancellationToken)
            .ConfigureAwait(false);
        return WithContext(r, ReadTokenAmount);
    }

    /// <summary>requestAirdrop: asks the node's faucet for <paramref name="lamports"/>; returns the airdrop's signature. One attempt (not idempotent).</summary>
    public async Task<string> RequestAirdropAsync(PublicKey account, ulong lamports, Commitment commitment = Commitment.Finalized,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentOutOfRangeException.ThrowIfZero(lamports);
        return (await SendRequestAsync("requestAirdrop", [account.Key, lamports, Config(commitment)], false, cancellationToken)
            .ConfigureAwait(false)).GetString()!;
    }

    /// <summary>
    /// sendTransaction: sends a signed wire transaction (base64); returns its signature. Unless <paramref name="skipPreflight"/>,
    /// the node simulates it first and a failure throws <see cref="TransactionSimulationException"/> (nothing sent). Retried on
    /// transport faults (the same signature lands at most once; see the class remarks).
    /// </summary>
    public async Task<string> SendTransactionAsync(byte[] transaction, bool skipPreflight = false, Commitment preflightCommitment = Commitment.Finalized,
        CancellationToken cancellationToken = default)
    {
        string signature = CheckWireTransaction(transaction, nameof(transaction));
        var config = new Dictionary<string, object?>
        {
            ["encoding"] = "base64",
            ["skipPreflight"] = skipPreflight,
            ["preflightCommitment"] = preflightCommitment.ToRpcName(),
        };
        var attempts = new AttemptCount();
        try
        {
            JsonElement r = await SendRequestAsync("sendTransaction", [Convert.ToBase64String(transaction), config], true, cancellationToken,
                attempts).ConfigureAwait(false);
            return r.GetString()!;
        }
        catch (TransactionSimulationException e) when (e.Error?.Kind == "AlreadyProcessed" && attempts.Value > 1)
        {
            RpcLog.AlreadyProcessed(_logger, signature);
            return signature; // an earlier attempt of this very call landed
        }
    }

    /// <summary>
    /// simulateTransaction: runs a wire transaction without committing it. <paramref name="sigVerify"/> checks its signatures
    /// (not with <paramref name="replaceRecentBlockhash"/>); <paramref name="accounts"/> asks for accounts as they would be after.
    /// </summary>
    public async Task<RpcResponse<SimulationResult>> SimulateTransactionAsync(byte[] transaction, bool sigVerify = false,
        bool replaceRecentBlockhash = false, Commitment commitment = Commitment.Finalized, IReadOnlyList<PublicKey>? accounts = null,
        CancellationToken cancellationToken = default)
    {
        CheckWireTransaction(transaction, nameof(transaction));
        if (sigVerify && replaceRecentBlockhash)
        {
            throw new ArgumentException("sigVerify cannot be used with replaceRecentBlockhash (the new blockhash would void the signatures).", nameof(sigVerify));
        }

        var config = new Dictionary<string, object?>
        {
            ["encoding"] = "base64",
            ["sigVerify"] = sigVerify,
            ["replaceRecentBlockhash"] = replaceRecentBlockhash,
            ["commitment"] = commitment.ToRpcName(),
        };
        if (accounts is not null)
        {
            config["accounts"] = new Dictionary<string, object?>
            {
                ["encoding"] = "base64",
                ["addresses"] = accounts.Select((a, i) => a?.Key ?? throw new ArgumentNullException(nameof(accounts), $"accounts[{i}] is null.")).ToArray(),
            };
        }

        JsonElement r = await SendRequestAsync("simulateTransaction", [Convert.ToBase64String(transaction), config], true, cancellationToken)
            .ConfigureAwait(false);
        return WithContext(r, v => new SimulationResult(
            TransactionError.FromJson(v.GetProperty("err")),
            ReadStrings(v, "logs"),
            OptionalUInt64(v, "unitsConsumed"),
            v.TryGetProperty("accounts", out JsonElement acc) && acc.ValueKind == JsonValueKind.Array ? acc.EnumerateArray().Select(ReadAccount).ToArray() : null,
            ReadReturnData(v),
            v.TryGetProperty("replacementBlockhash", out JsonElement rb) && rb.ValueKind == JsonValueKind.Object ? ReadBlockhash(rb) : null));
    }

    /// <summary>getSignatureStatuses: up to 256 statuses, in order (null for a signature the node does not know).</summary>
    public async Task<RpcResponse<IReadOnlyList<SignatureStatus?>>> GetSignatureStatusesAsync(IReadOnlyList<string> signatures,
        bool searchTransactionHistory = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        if (signatures.Count is 0 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(signatures), signatures.Count, "getSignatureStatuses takes 1 to 256 signatures.");
        }

        for (int i = 0; i < signatures.Count; i++)
        {
            CheckSignature(signatures[i], $"{nameof(signatures)}[{i}]");
        }

        var config = new Dictionary<string, object?> { ["searchTransactionHistory"] = searchTransactionHistory };
        JsonElement r = await SendRequestAsync("getSignatureStatuses", [signatures.ToArray(), config], true, cancellationToken).ConfigureAwait(false);
        return WithContext<IReadOnlyList<SignatureStatus?>>(r, v => v.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.Null ? null
            : new SignatureStatus(s.GetProperty("slot").GetUInt64(), OptionalUInt64(s, "confirmations"), TransactionError.FromJson(s.GetProperty("err")),
                s.TryGetProperty("confirmationStatus", out JsonElement c) ? CommitmentExtensions.FromRpcName(c.GetString()) : null)).ToArray());
    }

    /// <summary>
    /// getTransaction (base64, legacy and v0): the processed transaction, or null when the node does not have it.
    /// <paramref name="commitment"/> must be Confirmed or Finalized (the RPC refuses Processed).
    /// </summary>
    public async Task<TransactionInfo?> GetTransactionAsync(string signature, Commitment commitment = Commitment.Finalized,
        CancellationToken cancellationToken = default)
    {
        CheckSignature(signature, nameof(signature));
        if (commitment == Commitment.Processed)
        {
            throw new ArgumentOutOfRangeException(nameof(commitment), commitment, "getTransaction does not take the Processed commitment; use Confirmed or Finalized.");
        }

        var config = new Dictionary<string, object?>
        {
            ["encoding"] = "base64",
            ["commitment"] = commitment.ToRpcName(),
            ["maxSupportedTransactionVersion"] = 0,
        };
        JsonElement r = await SendRequestAsync("getTransaction", [signature, config], true, cancellationToken).ConfigureAwait(false);
        if (r.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonElement meta = r.GetProperty("meta");
        var info = new TransactionMeta(
            TransactionError.FromJson(meta.GetProperty("err")),
            meta.GetProperty("fee").GetUInt64(),
            meta.GetProperty("preBalances").EnumerateArray().Select(b => b.GetUInt64()).ToArray(),
            meta.GetProperty("postBalances").EnumerateArray().Select(b => b.GetUInt64()).ToArray(),
            ReadStrings(meta, "logMessages"),
            OptionalUInt64(meta, "computeUnitsConsumed"),
            ReadTokenBalances(meta, "preTokenBalances"),
            ReadTokenBalances(meta, "postTokenBalances"),
            ReadReturnData(meta));
        int? version = r.TryGetProperty("version", out JsonElement ver) && ver.ValueKind == JsonValueKind.Number ? ver.GetInt32() : null;
        long? blockTime = r.TryGetProperty("blockTime", out JsonElement bt) && bt.ValueKind == JsonValueKind.Number ? bt.GetInt64() : null;
        return new TransactionInfo(r.GetProperty("slot").GetUInt64(), blockTime, version,
            Convert.FromBase64String(r.GetProperty("transaction")[0].GetString()!), info);
    }

    /// <summary>getSignaturesForAddress: transactions touching <paramref name="address"/>, newest first (at most <paramref name="limit"/>, 1..1000).</summary>
    public async Task<IReadOnlyList<SignatureInfo>> GetSignaturesForAddressAsync(PublicKey address, int limit = 1000, string? before = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (limit is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "getSignaturesForAddress takes a limit of 1 to 1000.");
        }

        var config = new Dictionary<string, object?> { ["limit"] = limit };
        if (before is not null)
        {
            CheckSignature(before, nameof(before));
            config["before"] = before;
        }

        JsonElement r = await SendRequestAsync("getSignaturesForAddress", [address.Key, config], true, cancellationToken).ConfigureAwait(false);
        return r.EnumerateArray().Select(s => new SignatureInfo(s.GetProperty("signature").GetString()!, s.GetProperty("slot").GetUInt64(),
            TransactionError.FromJson(s.GetProperty("err")),
            s.TryGetProperty("blockTime", out JsonElement bt) && bt.ValueKind == JsonValueKind.Number ? bt.GetInt64() : null,
            s.TryGetProperty("confirmationStatus", out JsonElement c) ? CommitmentExtensions.FromRpcName(c.GetString()) : null)).ToArray();
    }

    /// <summary>
    /// Polls getSignatureStatuses (every <paramref name="pollInterval"/>, default 250 ms) until <paramref name="signature"/> reaches
    /// <paramref name="commitment"/>; returns its status (its <see cref="SignatureStatus.Error"/> says whether it failed). Throws
    /// <see cref="TimeoutException"/> when <paramref name="timeout"/> (at most one day) passes first.
    /// </summary>
    public async Task<SignatureStatus> ConfirmTransactionAsync(string signature, Commitment commitment, TimeSpan timeout,
        TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        CheckSignature(signature, nameof(signature));
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive and at most one day.");
        }

        TimeSpan interval = pollInterval ?? TimeSpan.FromMilliseconds(250);
        if (interval <= TimeSpan.Zero || interval > timeout)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), interval, "The poll interval must be positive and at most the timeout.");
        }

        DateTime until = DateTime.UtcNow + timeout;
        while (true)
        {
            SignatureStatus? status = (await GetSignatureStatusesAsync([signature], false, cancellationToken).ConfigureAwait(false)).Value[0];
            if (status is not null && (status.ConfirmationStatus is { } reached ? reached >= commitment : status.Confirmations is null))
            {
                return status;
            }

            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException($"Transaction {signature} did not reach {commitment.ToRpcName()} within {timeout.TotalSeconds:0.###} s"
                    + (status is null ? " (the node does not know it)." : $" (it is {status.ConfirmationStatus?.ToRpcName() ?? "unconfirmed"})."));
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ transport

    private sealed class AttemptCount
    {
        public int Value;
    }

    /// <summary>
    /// Sends one JSON-RPC request and returns its <c>result</c> (a detached copy). A JSON-RPC error throws
    /// <see cref="SolanaRpcException"/> (<see cref="TransactionSimulationException"/> for -32002); a node that cannot be reached
    /// after the allowed attempts throws <see cref="SolanaNodeUnreachableException"/>; cancellation throws
    /// <see cref="OperationCanceledException"/> at once. <paramref name="mayRepeat"/> false: one attempt only.
    /// </summary>
    public Task<JsonElement> SendRequestAsync(string method, IReadOnlyList<object?> parameters, bool mayRepeat, CancellationToken cancellationToken = default) =>
        SendRequestAsync(method, parameters, mayRepeat, cancellationToken, new AttemptCount());

    private async Task<JsonElement> SendRequestAsync(string method, IReadOnlyList<object?> parameters, bool mayRepeat, CancellationToken cancellationToken,
        AttemptCount attempts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(parameters);
        cancellationToken.ThrowIfCancellationRequested();
        long id = Interlocked.Increment(ref _nextId);
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = method,
            ["params"] = parameters.Where(p => p is not null).ToArray(),
        });
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(MethodKey, method);
        (byte[] Bytes, HttpStatusCode Status) answer;
        try
        {
            answer = await (mayRepeat ? _repeating : _once).ExecuteAsync(async ctx =>
            {
                Interlocked.Increment(ref attempts.Value);

                using var request = new HttpRequestMessage(HttpMethod.Post, NodeAddress) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken)
                    .ConfigureAwait(false);
                byte[] bytes = await response.Content.ReadAsByteArrayAsync(ctx.CancellationToken).ConfigureAwait(false);
                if (IsTransientStatus(response.StatusCode))
                {
                    throw new TransientHttpStatusException(response.StatusCode, bytes);
                }

                return (bytes, response.StatusCode);
            }, context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new SolanaNodeUnreachableException(NodeAddress, method, attempts.Value, e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(answer.Bytes);
        }
        catch (JsonException)
        {
            throw new SolanaRpcException(method, 0, $"HTTP {(int)answer.Status}: the answer is not JSON: {Snippet(answer.Bytes)}", null);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SolanaRpcException(method, 0, $"HTTP {(int)answer.Status}: the answer is no JSON-RPC response: {Snippet(answer.Bytes)}", null);
            }

            if (root.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object)
            {
                throw ErrorOf(method, error);
            }

            if (!root.TryGetProperty("result", out JsonElement result))
            {
                throw new SolanaRpcException(method, 0, $"HTTP {(int)answer.Status}: the answer has neither result nor error: {Snippet(answer.Bytes)}", null);
            }

            return result.Clone();
        }
    }

    private static SolanaRpcException ErrorOf(string method, JsonElement error)
    {
        int code = error.TryGetProperty("code", out JsonElement c) && c.TryGetInt32(out int n) ? n : 0;
        string message = error.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "(no message)";
        string? data = error.TryGetProperty("data", out JsonElement d) && d.ValueKind != JsonValueKind.Null ? d.GetRawText() : null;
        if (code == -32002 && d.ValueKind == JsonValueKind.Object)
        {
            TransactionError? err = d.TryGetProperty("err", out JsonElement e) ? TransactionError.FromJson(e) : null;
            return new TransactionSimulationException(method, code, message, data, err, ReadStrings(d, "logs"), OptionalUInt64(d, "unitsConsumed"));
        }

        return new SolanaRpcException(method, code, message, data);
    }

    /// <summary>Connection and I/O failures, a per-attempt timeout and HTTP 5xx/408/429: worth another attempt.</summary>
    internal static bool IsTransient(Exception e) => e is HttpRequestException or TimeoutRejectedException or IOException or TransientHttpStatusException;

    /// <summary>HTTP 5xx, 408 Request Timeout and 429 Too Many Requests.</summary>
    internal static bool IsTransientStatus(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private sealed class TransientHttpStatusException(HttpStatusCode status, byte[] body)
        : Exception($"HTTP {(int)status} {status}: {Snippet(body)}");

    // ------------------------------------------------------------------ checks and readers

    private static Uri ParseUrl(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        return Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
            ? uri
            : throw new ArgumentException($"The node URL must be an absolute http or https URL; got '{url}'.", nameof(url));
    }

    /// <summary>Checks a wire transaction's shape (size, signature count) and returns its first signature (base58).</summary>
    private static string CheckWireTransaction(byte[] transaction, string name)
    {
        ArgumentNullException.ThrowIfNull(transaction, name);
        if (transaction.Length == 0 || transaction.Length > MaxTransactionSize)
        {
            throw new ArgumentException($"A wire transaction is 1 to {MaxTransactionSize} bytes; this one is {transaction.Length}.", name);
        }

        int count = 0, shift = 0, offset = 0;
        while (true) // compact-u16 signature count
        {
            if (offset >= transaction.Length || offset > 2)
            {
                throw new ArgumentException("The wire transaction's signature count (compact-u16) is malformed.", name);
            }

            byte b = transaction[offset++];
            count |= (b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (count == 0 || offset + (64 * count) >= transaction.Length)
        {
            throw new ArgumentException($"The wire transaction says {count} signature(s) but is too short to hold them and a message.", name);
        }

        return Base58.Encode(transaction.AsSpan(offset, 64));
    }

    private static void CheckSignature(string signature, string name)
    {
        ArgumentNullException.ThrowIfNull(signature, name);
        byte[] bytes;
        try
        {
            bytes = Base58.Decode(signature);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{name} is not base58: {e.Message}", name, e);
        }

        if (bytes.Length != 64)
        {
            throw new ArgumentException($"{name} must be a base58 signature of 64 bytes; it decodes to {bytes.Length}.", name);
        }
    }

    private static Dictionary<string, object?> Config(Commitment commitment) => new() { ["commitment"] = commitment.ToRpcName() };

    private static Dictionary<string, object?> AccountConfig(Commitment commitment, DataSlice? slice)
    {
        var config = Config(commitment);
        config["encoding"] = "base64";
        if (slice is { } s)
        {
            config["dataSlice"] = new Dictionary<string, object?> { ["offset"] = s.Offset, ["length"] = s.Length };
        }

        return config;
    }

    private static RpcResponse<T> WithContext<T>(JsonElement r, Func<JsonElement, T> read) =>
        new(r.GetProperty("context").GetProperty("slot").GetUInt64(), read(r.GetProperty("value")));

    private static LatestBlockhash ReadBlockhash(JsonElement v) =>
        new(v.GetProperty("blockhash").GetString()!, v.GetProperty("lastValidBlockHeight").GetUInt64());

    private static AccountInfo? ReadAccount(JsonElement a)
    {
        if (a.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonElement data = a.GetProperty("data");
        byte[] bytes = data.ValueKind == JsonValueKind.Array && data[1].GetString() == "base64"
            ? Convert.FromBase64String(data[0].GetString()!)
            : data.ValueKind == JsonValueKind.Array ? Base58.Decode(data[0].GetString()!) : Base58.Decode(data.GetString()!);
        ulong space = OptionalUInt64(a, "space") ?? (ulong)bytes.Length;
        return new AccountInfo(new PublicKey(a.GetProperty("owner").GetString()!), a.GetProperty("lamports").GetUInt64(), bytes,
            a.GetProperty("executable").GetBoolean(), OptionalUInt64(a, "rentEpoch") ?? 0, space);
    }

    private static TokenAmount ReadTokenAmount(JsonElement v) =>
        new(ulong.Parse(v.GetProperty("amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture), v.GetProperty("decimals").GetByte(),
            v.GetProperty("uiAmountString").GetString()!);

    private static IReadOnlyList<TokenBalance> ReadTokenBalances(JsonElement meta, string name) =>
        meta.TryGetProperty(name, out JsonElement list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(b => new TokenBalance(b.GetProperty("accountIndex").GetInt32(), new PublicKey(b.GetProperty("mint").GetString()!),
                b.TryGetProperty("owner", out JsonElement o) && o.ValueKind == JsonValueKind.String ? new PublicKey(o.GetString()!) : null,
                ReadTokenAmount(b.GetProperty("uiTokenAmount")))).ToArray()
            : [];

    private static ReturnData? ReadReturnData(JsonElement v) =>
        v.TryGetProperty("returnData", out JsonElement rd) && rd.ValueKind == JsonValueKind.Object
            ? new ReturnData(new PublicKey(rd.GetProperty("programId").GetString()!), Convert.FromBase64String(rd.GetProperty("data")[0].GetString()!))
            : null;

    private static IReadOnlyList<string> ReadStrings(JsonElement v, string name) =>
        v.TryGetProperty(name, out JsonElement list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Select(s => s.GetString()!).ToArray() : [];

    private static ulong? OptionalUInt64(JsonElement v, string name) =>
        v.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.Number ? e.GetUInt64() : null;

    private static string Snippet(byte[] bytes)
    {
        string text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200));
        return bytes.Length > 200 ? text + "..." : text;
    }
}

/// <summary>Part of an account's data: <paramref name="Length"/> bytes from <paramref name="Offset"/>.</summary>
public readonly record struct DataSlice(int Offset, int Length)
{
    /// <summary>The offset (not negative).</summary>
    public int Offset { get; } = Offset >= 0 ? Offset : throw new ArgumentOutOfRangeException(nameof(Offset), Offset, "A data slice's offset cannot be negative.");

    /// <summary>The length (not negative).</summary>
    public int Length { get; } = Length >= 0 ? Length : throw new ArgumentOutOfRangeException(nameof(Length), Length, "A data slice's length cannot be negative.");
}

internal static partial class RpcLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Solana JSON-RPC {Method} to {Host}: attempt {Attempt} failed ({Fault}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string method, string host, int attempt, string fault, double delayMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "sendTransaction {Signature}: a retry was answered AlreadyProcessed, so an earlier attempt landed; treated as sent")]
    public static partial void AlreadyProcessed(ILogger logger, string signature);
}
