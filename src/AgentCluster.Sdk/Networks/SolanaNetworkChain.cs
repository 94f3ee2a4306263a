using System.Buffers.Binary;
using AgentCluster.Solana;
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
