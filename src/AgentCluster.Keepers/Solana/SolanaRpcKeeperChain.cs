using System.Buffers.Binary;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Rpc;

namespace AgentCluster.Keepers.Solana;

/// <summary>
/// <see cref="ISolanaKeeperChain"/> over <see cref="SolanaRpcClient"/> (its retries and timeouts are the RPC layer's): reads at
/// <c>confirmed</c>, sends with preflight, confirms by polling signature statuses (bounded), and reads the compute units from
/// <c>getTransaction</c>.
/// </summary>
public sealed class SolanaRpcKeeperChain : ISolanaKeeperChain
{
    private static readonly PublicKey ClockSysvar = new("SysvarC1ock11111111111111111111111111111111");
    private static readonly PublicKey SlotHashesSysvar = new("SysvarS1otHashes111111111111111111111111111");

    private readonly SolanaRpcClient _rpc;
    private readonly TimeSpan _confirmTimeout;

    /// <summary>The chain behind <paramref name="rpc"/>; a sent transaction is awaited for at most <paramref name="confirmTimeout"/> (default 30 s).</summary>
    public SolanaRpcKeeperChain(SolanaRpcClient rpc, TimeSpan? confirmTimeout = null)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        _confirmTimeout = confirmTimeout ?? TimeSpan.FromSeconds(30);
    }

    /// <inheritdoc />
    public async Task<SolanaChainTime> GetChainTimeAsync(CancellationToken cancellationToken)
    {
        RpcResponse<IReadOnlyList<AccountInfo?>> r = await _rpc.GetMultipleAccountsAsync([ClockSysvar, SlotHashesSysvar], Commitment.Confirmed, cancellationToken)
            .ConfigureAwait(false);
        byte[] clock = r.Value[0]?.Data ?? throw new InvalidOperationException("The node has no Clock sysvar account.");
        if (clock.Length < 40)
        {
            throw new InvalidOperationException($"The Clock sysvar is {clock.Length} bytes; expected 40.");
        }

        ulong slot = BinaryPrimitives.ReadUInt64LittleEndian(clock);
        long unix = BinaryPrimitives.ReadInt64LittleEndian(clock.AsSpan(32));
        ulong? newest = null;
        if (r.Value[1]?.Data is { Length: >= 16 } hashes && BinaryPrimitives.ReadUInt64LittleEndian(hashes) > 0)
        {
            newest = BinaryPrimitives.ReadUInt64LittleEndian(hashes.AsSpan(8));
        }

        return new SolanaChainTime(slot, unix, newest);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SolanaProgramAccount>> GetProgramAccountsAsync(PublicKey program, byte discriminator, CancellationToken cancellationToken)
    {
        RpcResponse<IReadOnlyList<ProgramAccount>> r = await _rpc.GetProgramAccountsAsync(program, [ProgramAccountFilter.Memcmp(0, [discriminator])],
            Commitment.Confirmed, cancellationToken).ConfigureAwait(false);
        return r.Value.Select(a => new SolanaProgramAccount(a.PublicKey, a.Account.Data)).ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<bool>> AccountsExistAsync(IReadOnlyList<PublicKey> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var exists = new List<bool>(addresses.Count);
        foreach (PublicKey[] chunk in addresses.Chunk(100))
        {
            RpcResponse<IReadOnlyList<AccountInfo?>> r = await _rpc.GetMultipleAccountsAsync(chunk, Commitment.Confirmed, cancellationToken).ConfigureAwait(false);
            exists.AddRange(r.Value.Select(a => a is not null));
        }

        return exists;
    }

    /// <inheritdoc />
    public async Task<ulong> GetBalanceAsync(PublicKey address, CancellationToken cancellationToken) =>
        (await _rpc.GetBalanceAsync(address, Commitment.Confirmed, cancellationToken).ConfigureAwait(false)).Value;

    /// <inheritdoc />
    public Task<ulong> GetSlotAsync(CancellationToken cancellationToken) => _rpc.GetSlotAsync(Commitment.Confirmed, cancellationToken);

    /// <inheritdoc />
    public async Task<SolanaSentTransaction> SendAsync(IReadOnlyList<TransactionInstruction> instructions, Account signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(signer);
        RpcResponse<LatestBlockhash> blockhash = await _rpc.GetLatestBlockhashAsync(Commitment.Confirmed, cancellationToken).ConfigureAwait(false);
        byte[] wire = new TransactionBuilder()
            .SetFeePayer(signer)
            .SetRecentBlockHash(blockhash.Value.Blockhash)
            .AddInstructions(instructions)
            .Build(signer);
        string signature;
        try
        {
            signature = await _rpc.SendTransactionAsync(wire, skipPreflight: false, Commitment.Confirmed, cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionSimulationException e)
        {
            throw Refused(e.Error, instructions, e.Logs, e);
        }

        SignatureStatus status = await _rpc.ConfirmTransactionAsync(signature, Commitment.Confirmed, _confirmTimeout, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        TransactionInfo? info = await _rpc.GetTransactionAsync(signature, Commitment.Confirmed, cancellationToken).ConfigureAwait(false);
        if (status.Error is { } error)
        {
            throw Refused(error, instructions, info?.Meta.LogMessages ?? [], null);
        }

        return new SolanaSentTransaction(signature, info?.Meta.ComputeUnitsConsumed);
    }

    private static SolanaTransactionRefusedException Refused(TransactionError? error, IReadOnlyList<TransactionInstruction> instructions,
        IReadOnlyList<string> logs, Exception? inner)
    {
        int? index = error?.InstructionIndex;
        PublicKey? program = index is { } i && i >= 0 && i < instructions.Count ? instructions[i].ProgramId : null;
        string what = error is null ? "the transaction failed" : error.Json;
        return new SolanaTransactionRefusedException($"Transaction refused: {what}", index, error?.CustomCode, program, logs, inner);
    }
}
