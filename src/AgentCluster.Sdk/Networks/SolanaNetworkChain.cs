using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Solana;

namespace AgentCluster.Sdk.Networks;

/// <summary>An account as the node returns it.</summary>
internal sealed record SolanaChainAccount(PublicKey Owner, bool Executable, ulong Lamports, byte[] Data);

/// <summary>A transaction's status as getSignatureStatuses returns it.</summary>
internal sealed record SolanaChainStatus(string? ConfirmationStatus, JsonElement? Error);

/// <summary>A preflight (simulation) failure of sendTransaction: the transaction error and the logs.</summary>
internal sealed class SolanaPreflightException(string message, JsonElement? error, IReadOnlyList<string> logs) : Exception(message)
{
    public JsonElement? Error { get; } = error;

    public IReadOnlyList<string> Logs { get; } = logs;
}

/// <summary>A JSON-RPC error other than a preflight failure.</summary>
internal sealed class SolanaChainRpcException(int code, string message) : Exception($"Solana RPC error {code}: {message}")
{
    public int Code { get; } = code;
}

/// <summary>
/// The few JSON-RPC calls a <see cref="SolanaNetwork"/> makes, in one place (the network's only seam to the node). Transport faults are
/// retried a bounded number of times for reads; <c>sendTransaction</c> is never retried here (the sender decides, by signature).
/// </summary>
internal sealed class SolanaNetworkChain : IDisposable
{
    private const int ReadAttempts = 3;
    private readonly HttpClient _http;
    private long _id;

    public SolanaNetworkChain(Uri url)
    {
        Url = url;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Url { get; }

    public async Task<string> GetHealthAsync(CancellationToken ct) => (await CallAsync("getHealth", [], ct, read: true).ConfigureAwait(false)).GetValue<string>();

    public async Task<string> GetGenesisHashAsync(CancellationToken ct) => (await CallAsync("getGenesisHash", [], ct, read: true).ConfigureAwait(false)).GetValue<string>();

    public async Task<SolanaChainAccount?> GetAccountAsync(PublicKey key, string commitment, CancellationToken ct)
    {
        JsonNode result = await CallAsync("getAccountInfo", [key.Key, new JsonObject { ["encoding"] = "base64", ["commitment"] = commitment }], ct, read: true)
            .ConfigureAwait(false);
        return Account(result["value"]);
    }

    public async Task<IReadOnlyList<SolanaChainAccount?>> GetAccountsAsync(IReadOnlyList<PublicKey> keys, string commitment, CancellationToken ct)
    {
        var all = new List<SolanaChainAccount?>();
        foreach (PublicKey[] chunk in keys.Chunk(100))
        {
            JsonNode result = await CallAsync("getMultipleAccounts",
                [new JsonArray([.. chunk.Select(k => (JsonNode)JsonValue.Create(k.Key))]), new JsonObject { ["encoding"] = "base64", ["commitment"] = commitment }],
                ct, read: true).ConfigureAwait(false);
            all.AddRange(result["value"]!.AsArray().Select(Account));
        }

        return all;
    }

    public async Task<IReadOnlyList<(PublicKey Address, byte[] Data)>> GetProgramAccountsAsync(PublicKey program, IReadOnlyList<(int Offset, byte[] Bytes)> memcmp,
        string commitment, CancellationToken ct)
    {
        var filters = new JsonArray();
        foreach ((int offset, byte[] bytes) in memcmp)
        {
            filters.Add(new JsonObject { ["memcmp"] = new JsonObject { ["offset"] = offset, ["bytes"] = Convert.ToBase64String(bytes), ["encoding"] = "base64" } });
        }

        JsonNode result = await CallAsync("getProgramAccounts",
            [program.Key, new JsonObject { ["encoding"] = "base64", ["commitment"] = commitment, ["filters"] = filters }], ct, read: true).ConfigureAwait(false);
        return result.AsArray().Select(e => (new PublicKey(e!["pubkey"]!.GetValue<string>()), Account(e["account"])!.Data)).ToList();
    }

    public async Task<(string Blockhash, ulong LastValidBlockHeight)> GetLatestBlockhashAsync(string commitment, CancellationToken ct)
    {
        JsonNode result = await CallAsync("getLatestBlockhash", [new JsonObject { ["commitment"] = commitment }], ct, read: true).ConfigureAwait(false);
        return (result["value"]!["blockhash"]!.GetValue<string>(), result["value"]!["lastValidBlockHeight"]!.GetValue<ulong>());
    }

    public async Task<ulong> GetBlockHeightAsync(string commitment, CancellationToken ct) =>
        (await CallAsync("getBlockHeight", [new JsonObject { ["commitment"] = commitment }], ct, read: true).ConfigureAwait(false)).GetValue<ulong>();

    /// <summary>Sends a signed transaction (base64) with or without preflight; returns its signature.</summary>
    /// <exception cref="SolanaPreflightException">The preflight simulation failed (error and logs).</exception>
    public async Task<string> SendTransactionAsync(byte[] wire, bool skipPreflight, string commitment, CancellationToken ct) =>
        (await CallAsync("sendTransaction",
            [Convert.ToBase64String(wire), new JsonObject { ["encoding"] = "base64", ["skipPreflight"] = skipPreflight, ["preflightCommitment"] = commitment, ["maxRetries"] = 0 }],
            ct, read: false).ConfigureAwait(false)).GetValue<string>();

    public async Task<SolanaChainStatus?> GetSignatureStatusAsync(string signature, CancellationToken ct)
    {
        JsonNode result = await CallAsync("getSignatureStatuses", [new JsonArray(signature), new JsonObject { ["searchTransactionHistory"] = true }], ct, read: true)
            .ConfigureAwait(false);
        JsonNode? status = result["value"]![0];
        if (status is null)
        {
            return null;
        }

        JsonNode? err = status["err"];
        return new SolanaChainStatus(status["confirmationStatus"]?.GetValue<string>(), err is null ? null : JsonSerializer.Deserialize<JsonElement>(err.ToJsonString()));
    }

    /// <summary>Localnet only: moves the Clock forward (<c>localnet_warpTime</c>).</summary>
    public Task WarpTimeAsync(long seconds, CancellationToken ct) => CallAsync("localnet_warpTime", [seconds], ct, read: false);

    /// <summary>Localnet only: ACC from the team vault into the owner's associated token account (<c>localnet_fundAcc</c>).</summary>
    public Task FundAccAsync(PublicKey owner, ulong amount, CancellationToken ct) => CallAsync("localnet_fundAcc", [owner.Key, amount], ct, read: false);

    /// <summary>Lamports to an address (requestAirdrop), confirmed.</summary>
    public async Task<string> RequestAirdropAsync(PublicKey to, ulong lamports, CancellationToken ct) =>
        (await CallAsync("requestAirdrop", [to.Key, lamports], ct, read: false).ConfigureAwait(false)).GetValue<string>();

    public void Dispose() => _http.Dispose();

    private static SolanaChainAccount? Account(JsonNode? value)
    {
        if (value is null)
        {
            return null;
        }

        byte[] data = Convert.FromBase64String(value["data"]![0]!.GetValue<string>());
        return new SolanaChainAccount(new PublicKey(value["owner"]!.GetValue<string>()), value["executable"]!.GetValue<bool>(), value["lamports"]!.GetValue<ulong>(), data);
    }

    private async Task<JsonNode> CallAsync(string method, JsonArray parameters, CancellationToken ct, bool read)
    {
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _id), ["method"] = method, ["params"] = parameters };
        for (int attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            JsonNode? response;
            try
            {
                using HttpResponseMessage http = await _http.PostAsJsonAsync("", body, ct).ConfigureAwait(false);
                if ((int)http.StatusCode >= 500 || (int)http.StatusCode == 429)
                {
                    throw new HttpRequestException($"HTTP {(int)http.StatusCode}", null, http.StatusCode);
                }

                response = JsonNode.Parse(await http.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                if (read && attempt < ReadAttempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct).ConfigureAwait(false);
                    continue;
                }

                throw new NodeUnreachableException($"The Solana node at {Url} did not answer {method}: {e.Message}", e);
            }

            if (response?["error"] is JsonNode error)
            {
                int code = error["code"]?.GetValue<int>() ?? 0;
                string message = error["message"]?.GetValue<string>() ?? "(no message)";
                if (code == -32002 && error["data"] is JsonNode data)
                {
                    JsonNode? err = data["err"];
                    IReadOnlyList<string> logs = data["logs"] is JsonArray l ? l.Select(x => x!.GetValue<string>()).ToList() : [];
                    throw new SolanaPreflightException(message, err is null ? null : JsonSerializer.Deserialize<JsonElement>(err.ToJsonString()), logs);
                }

                throw new SolanaChainRpcException(code, message);
            }

            return response?["result"] ?? throw new SolanaChainRpcException(0, $"{method}: the response has neither result nor error");
        }
    }
}

/// <summary>The native programs a <see cref="SolanaNetwork"/> uses: SPL Token account reads, the associated token account, Compute Budget, Ed25519.</summary>
internal static class SolanaNativePrograms
{
    public static readonly PublicKey TokenProgram = new("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
    public static readonly PublicKey AssociatedTokenProgram = new("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
    public static readonly PublicKey SystemProgram = new("11111111111111111111111111111111");
    public static readonly PublicKey ComputeBudgetProgram = new("ComputeBudget111111111111111111111111111111");
    public static readonly PublicKey Ed25519Program = new("Ed25519SigVerify111111111111111111111111111");
    public static readonly PublicKey ClockSysvar = new("SysvarC1ock11111111111111111111111111111111");

    /// <summary>The owner's associated token account for the mint.</summary>
    public static PublicKey AssociatedTokenAddress(PublicKey owner, PublicKey mint) =>
        PublicKey.FindProgramAddress([owner.KeyBytes, TokenProgram.KeyBytes, mint.KeyBytes], AssociatedTokenProgram).Address;

    /// <summary>CreateIdempotent of the associated token account program (does nothing when the account exists).</summary>
    public static TransactionInstruction CreateAssociatedTokenAccountIdempotent(PublicKey payer, PublicKey owner, PublicKey mint) =>
        new(AssociatedTokenProgram,
        [
            AccountMeta.Writable(payer, true), AccountMeta.Writable(AssociatedTokenAddress(owner, mint), false), AccountMeta.ReadOnly(owner, false),
            AccountMeta.ReadOnly(mint, false), AccountMeta.ReadOnly(SystemProgram, false), AccountMeta.ReadOnly(TokenProgram, false),
        ], [1]);

    /// <summary>SetComputeUnitLimit.</summary>
    public static TransactionInstruction SetComputeUnitLimit(uint units)
    {
        byte[] data = new byte[5];
        data[0] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(1), units);
        return new TransactionInstruction(ComputeBudgetProgram, [], data);
    }

    /// <summary>An Ed25519 native-program instruction verifying one signature whose key, signature and message are in its own data.</summary>
    public static TransactionInstruction Ed25519Verify(PublicKey key, byte[] signature, byte[] message)
    {
        const int header = 16, keyAt = header, signatureAt = keyAt + 32, messageAt = signatureAt + 64;
        byte[] data = new byte[messageAt + message.Length];
        data[0] = 1; // one signature
        Span<byte> offsets = data.AsSpan(2);
        BinaryPrimitives.WriteUInt16LittleEndian(offsets, signatureAt);
        BinaryPrimitives.WriteUInt16LittleEndian(offsets[2..], ushort.MaxValue); // this instruction
        BinaryPrimitives.WriteUInt16LittleEndian(offsets[4..], keyAt);
        BinaryPrimitives.WriteUInt16LittleEndian(offsets[6..], ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(offsets[8..], messageAt);
        BinaryPrimitives.WriteUInt16LittleEndian(offsets[10..], (ushort)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(offsets[12..], ushort.MaxValue);
        key.Span.CopyTo(data.AsSpan(keyAt));
        signature.CopyTo(data, signatureAt);
        message.CopyTo(data, messageAt);
        return new TransactionInstruction(Ed25519Program, [], data);
    }

    /// <summary>An SPL token account's amount (offset 64), or 0 for none.</summary>
    public static ulong TokenAmount(SolanaChainAccount? account) =>
        account is null || account.Data.Length < 72 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(account.Data.AsSpan(64, 8));

    /// <summary>An SPL mint's supply (offset 36).</summary>
    public static ulong MintSupply(SolanaChainAccount mint) => BinaryPrimitives.ReadUInt64LittleEndian(mint.Data.AsSpan(36, 8));
}
