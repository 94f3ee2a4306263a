using AgentCluster.Solana;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Rpc;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Sdk.Networks;

/// <summary>An account as the node returns it.</summary>
internal sealed record SolanaChainAccount(PublicKey Owner, bool Executable, ulong Lamports, byte[] Data);

/// <summary>
/// The few calls a <see cref="SolanaNetwork"/> makes, over AgentCluster.Solana's <see cref="SolanaRpcClient"/> (its Polly retries for
/// transport faults, its typed errors: <see cref="TransactionSimulationException"/> for a failed preflight,
/// <see cref="SolanaNodeUnreachableException"/> naming the node): the network's one seam to the node.
/// </summary>
internal sealed class SolanaNetworkChain : IDisposable
{
    public SolanaNetworkChain(Uri url, ILogger? logger = null)
    {
        Url = url;
        Rpc = new SolanaRpcClient(url, SolanaRpcOptions.Default, logger);
    }

    public Uri Url { get; }

    public SolanaRpcClient Rpc { get; }

    public Task<string> GetHealthAsync(CancellationToken ct) => Rpc.GetHealthAsync(ct);

    public async Task<string> GetGenesisHashAsync(CancellationToken ct) =>
        (await Rpc.SendRequestAsync("getGenesisHash", [], mayRepeat: true, ct).ConfigureAwait(false)).GetString()!;

    public async Task<SolanaChainAccount?> GetAccountAsync(PublicKey key, Commitment commitment, CancellationToken ct) =>
        Account((await Rpc.GetAccountInfoAsync(key, commitment, null, ct).ConfigureAwait(false)).Value);

    public async Task<IReadOnlyList<SolanaChainAccount?>> GetAccountsAsync(IReadOnlyList<PublicKey> keys, Commitment commitment, CancellationToken ct)
    {
        var all = new List<SolanaChainAccount?>();
        foreach (PublicKey[] chunk in keys.Chunk(100))
        {
            all.AddRange((await Rpc.GetMultipleAccountsAsync(chunk, commitment, ct).ConfigureAwait(false)).Value.Select(Account));
        }

        return all;
    }

    public async Task<IReadOnlyList<(PublicKey Address, byte[] Data)>> GetProgramAccountsAsync(PublicKey program, IReadOnlyList<(int Offset, byte[] Bytes)> memcmp,
        Commitment commitment, CancellationToken ct) =>
        (await Rpc.GetProgramAccountsAsync(program, memcmp.Select(m => ProgramAccountFilter.Memcmp(m.Offset, m.Bytes)).ToList(), commitment, ct).ConfigureAwait(false))
        .Value.Select(a => (a.PublicKey, a.Account.Data)).ToList();

    public async Task<(string Blockhash, ulong LastValidBlockHeight)> GetLatestBlockhashAsync(Commitment commitment, CancellationToken ct)
    {
        LatestBlockhash latest = (await Rpc.GetLatestBlockhashAsync(commitment, ct).ConfigureAwait(false)).Value;
        return (latest.Blockhash, latest.LastValidBlockHeight);
    }

    public Task<ulong> GetBlockHeightAsync(Commitment commitment, CancellationToken ct) => Rpc.GetBlockHeightAsync(commitment, ct);

    /// <summary>Sends a signed transaction; returns its signature. The client resends the same bytes on transport faults (idempotent).</summary>
    /// <exception cref="TransactionSimulationException">The preflight simulation failed (error and logs).</exception>
    public Task<string> SendTransactionAsync(byte[] wire, bool skipPreflight, Commitment commitment, CancellationToken ct) =>
        Rpc.SendTransactionAsync(wire, skipPreflight, commitment, ct);

    public async Task<SignatureStatus?> GetSignatureStatusAsync(string signature, CancellationToken ct) =>
        (await Rpc.GetSignatureStatusesAsync([signature], searchTransactionHistory: true, ct).ConfigureAwait(false)).Value[0];

    /// <summary>Localnet only: moves the Clock forward (<c>localnet_warpTime</c>).</summary>
    public Task WarpTimeAsync(long seconds, CancellationToken ct) => Rpc.WarpTimeAsync((ulong)seconds, ct);

    /// <summary>Localnet only: ACC from the team vault into the owner's associated token account (<c>localnet_fundAcc</c>).</summary>
    public Task FundAccAsync(PublicKey owner, ulong amount, CancellationToken ct) => Rpc.FundAccAsync(owner, amount, ct);

    /// <summary>Lamports to an address (requestAirdrop).</summary>
    public Task<string> RequestAirdropAsync(PublicKey to, ulong lamports, CancellationToken ct) => Rpc.RequestAirdropAsync(to, lamports, Commitment.Confirmed, ct);

    public void Dispose() => Rpc.Dispose();

    private static SolanaChainAccount? Account(AccountInfo? info) =>
        info is null ? null : new SolanaChainAccount(info.Owner, info.Executable, info.Lamports, info.Data);
}

/// <summary>Token reads over core's SPL Token decoders (0 for an account that does not exist).</summary>
internal static class SolanaTokenReads
{
    /// <summary>An SPL token account's amount, or 0 for none.</summary>
    public static ulong TokenAmount(SolanaChainAccount? account) => account is null ? 0 : TokenProgram.DecodeAccount(account.Data).Amount;

    /// <summary>An SPL mint's supply.</summary>
    public static ulong MintSupply(SolanaChainAccount mint) => TokenProgram.DecodeMint(mint.Data).Supply;
}
