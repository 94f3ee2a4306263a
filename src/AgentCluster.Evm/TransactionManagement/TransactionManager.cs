using System.Numerics;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Transactions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>The in-memory state of one intent; every field is guarded by the manager's gate.</summary>
internal sealed class ManagedIntent
{
    public required long Id { get; init; }

    public required Address? To { get; init; }

    public required UInt256 Value { get; init; }

    public required byte[] Data { get; init; }

    public required ulong GasLimit { get; init; }

    public ulong Nonce { get; set; }

    /// <summary>Signed versions, oldest first; replaced as a whole so readers outside the gate see a consistent array.</summary>
    public JournalAttempt[] Attempts { get; set; } = [];

    /// <summary>When the latest attempt started waiting (its creation, or the manager's start for one loaded from the journal).</summary>
    public DateTimeOffset AttemptSince { get; set; }

    /// <summary>The last time the node accepted (or already had) the latest attempt; null: not since it was signed or loaded.</summary>
    public DateTimeOffset? LastBroadcastAt { get; set; }

    public TransactionReceipt? Receipt { get; set; }

    public TaskCompletionSource<TransactionReceipt> Mined { get; set; } = NewCompletion();

    public static TaskCompletionSource<TransactionReceipt> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Sends transactions for one signer: allocates nonces under a lock, keeps them and every pending transaction in a SQLite journal
/// (so a restarted process neither reuses a nonce nor forgets a transaction), prices EIP-1559 fees, re-broadcasts what the node
/// lost, replaces stuck transactions (same nonce and calldata, fees raised), moves a transaction to a fresh nonce when another
/// one took its nonce, and waits for receipts with confirmations. Safe for concurrent use; one instance per signer and journal.
/// </summary>
public sealed partial class TransactionManager : IAsyncDisposable
{
    private const int ReceiptBatchSize = 100;
    private const int MaxRenonceDepth = 3;

    private readonly EthRpcClient _client;
    private readonly EthECKey _signer;
    private readonly TransactionManagerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<long, ManagedIntent> _pending = [];
    private readonly Dictionary<long, ManagedIntent> _known = [];
    private readonly CancellationTokenSource _stopping = new();
    private TransactionJournal _journal = null!;
    private ulong _nextNonce;
    private ulong? _suspectedGap;
    private Task _monitor = Task.CompletedTask;
    private bool _disposed;

    private TransactionManager(EthRpcClient client, EthECKey signer, TransactionManagerOptions options, ILogger? logger)
    {
        _client = client;
        _signer = signer;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
        Sender = signer.Address;
    }

    public Address Sender { get; }

    public ulong ChainId { get; private set; }

    /// <summary>The nonce the next new transaction will get.</summary>
    public ulong NextNonce => Volatile.Read(ref _nextNonce);

    /// <summary>
    /// Opens (or creates) the journal, reconciles its nonce with the chain's pending nonce, resumes the journal's pending
    /// transactions (they are re-checked and re-broadcast) and starts the background monitor.
    /// </summary>
    public static async Task<TransactionManager> CreateAsync(EthRpcClient client, EthECKey signer, TransactionManagerOptions options,
        ILogger<TransactionManager>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(options);
        if (!signer.HasPrivateKey)
        {
            throw new ArgumentException("The signer must hold a private key.", nameof(signer));
        }

        options.Validate();
        var manager = new TransactionManager(client, signer, options, logger);
        await manager.StartAsync(cancellationToken).ConfigureAwait(false);
        return manager;
    }

    /// <summary>Handles of the transactions not yet mined (including those resumed from the journal).</summary>
    public async Task<IReadOnlyList<TransactionHandle>> GetPendingTransactionsAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _pending.Values.OrderBy(i => i.Nonce).Select(i => new TransactionHandle(this, i)).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Fees for a transaction now: maxFeePerGas = latest base fee * <see cref="TransactionManagerOptions.BaseFeeMultiplier"/> + tip, capped.</summary>
    public async Task<FeeEstimate> EstimateFeesAsync(CancellationToken cancellationToken = default)
    {
        Block latest = await _client.GetBlockByNumberAsync(BlockParameter.Latest, cancellationToken).ConfigureAwait(false)
                       ?? throw new InvalidOperationException("The node returned no latest block.");
        UInt256 baseFee = latest.BaseFeePerGas
                          ?? throw new InvalidOperationException($"Block {latest.Number} has no base fee: the chain does not support EIP-1559 transactions.");
        UInt256 tip = _options.MaxPriorityFeePerGas ?? await _client.GetMaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
        UInt256 maxFee = baseFee * (ulong)_options.BaseFeeMultiplier + tip;
        if (_options.MaxFeePerGasCap is { } cap && maxFee > cap)
        {
            maxFee = cap;
        }

        return new FeeEstimate(maxFee, tip > maxFee ? maxFee : tip, baseFee);
    }

    /// <summary>
    /// Signs and sends a transaction at the next nonce and returns its handle. The gas limit is estimated when not given (a revert
    /// then throws <see cref="ContractRevertException"/> and no nonce is used). Once the intent is in the journal the call no longer
    /// observes <paramref name="cancellationToken"/>: the transaction will be sent, and an unreachable node only defers the broadcast
    /// to the monitor.
    /// </summary>
    /// <exception cref="RpcException">The node refused the transaction for good (e.g. insufficient funds); its nonce is given back.</exception>
    public async Task<TransactionHandle> SendAsync(Address? to, byte[] data, UInt256 value = default, ulong? gasLimit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (gasLimit is 0)
        {
            throw new ArgumentOutOfRangeException(nameof(gasLimit), gasLimit, "A gas limit of 0 cannot pay for any transaction.");
        }

        byte[] calldata = data.ToArray();
        ulong gas = gasLimit ?? await EstimateGasLimitAsync(to, calldata, value, cancellationToken).ConfigureAwait(false);
        FeeEstimate fees = await EstimateFeesAsync(cancellationToken).ConfigureAwait(false);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ulong nonce = _nextNonce;
            DateTimeOffset now = _time.GetUtcNow();
            var intent = new ManagedIntent { Id = 0, To = to, Value = value, Data = calldata, GasLimit = gas, Nonce = nonce, AttemptSince = now };
            JournalAttempt attempt = Sign(intent, nonce, fees.MaxFeePerGas, fees.MaxPriorityFeePerGas, now);
            long id = _journal.Insert(nonce, to, value, calldata, gas, attempt, nonce + 1);
            var recorded = new ManagedIntent
            {
                Id = id, To = to, Value = value, Data = calldata, GasLimit = gas, Nonce = nonce, AttemptSince = now, Attempts = [attempt],
            };
            _nextNonce = nonce + 1;
            _pending[id] = recorded;
            _known[id] = recorded;
            LogSent(Sender, nonce, attempt.Hash, fees.MaxFeePerGas, fees.MaxPriorityFeePerGas);

            // Durable from here on: the broadcast no longer follows the caller's token.
            await BroadcastLockedAsync(recorded, mayRenonce: true, mayFail: true, depth: 0, _stopping.Token).ConfigureAwait(false);
            return new TransactionHandle(this, recorded);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _stopping.Cancel();
        try
        {
            await _monitor.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            foreach (ManagedIntent intent in _pending.Values)
            {
                intent.Mined.TrySetException(new ObjectDisposedException(nameof(TransactionManager),
                    $"The transaction manager was disposed while nonce {intent.Nonce} was pending; it stays in the journal and resumes with the next manager."));
            }

            _journal?.Dispose();
        }
        finally
        {
            _gate.Release();
        }

        _stopping.Dispose();
    }

    internal async Task<TransactionReceipt> WaitForReceiptAsync(ManagedIntent intent, int confirmations, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(confirmations, 1);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            timeoutSource.CancelAfter(t);
        }

        CancellationToken token = timeoutSource.Token;
        try
        {
            while (true)
            {
                TransactionReceipt receipt = await intent.Mined.Task.WaitAsync(token).ConfigureAwait(false);
                if (confirmations == 1)
                {
                    return receipt;
                }

                ulong head = await _client.GetBlockNumberAsync(token).ConfigureAwait(false);
                if (head + 1 >= receipt.BlockNumber + (ulong)confirmations)
                {
                    TransactionReceipt? again = await _client.GetTransactionReceiptAsync(receipt.TransactionHash, token).ConfigureAwait(false);
                    if (again is not null && again.BlockHash == receipt.BlockHash)
                    {
                        return again;
                    }

                    await ReopenAsync(intent, token).ConfigureAwait(false);
                    continue;
                }

                await Task.Delay(_options.PollInterval, _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout is not null && timeoutSource.IsCancellationRequested)
        {
            throw new TimeoutException($"Transaction {intent.Attempts[^1].Hash} (nonce {intent.Nonce}) was not confirmed {confirmations} time(s) within {timeout}.");
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        ChainId = _options.ChainId ?? await _client.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        _journal = new TransactionJournal(_options.JournalPath, ChainId, Sender);
        try
        {
            ulong chainPending = await _client.GetTransactionCountAsync(Sender, BlockParameter.Pending, cancellationToken).ConfigureAwait(false);
            ulong journalNext = _journal.GetNextNonce() ?? 0;
            _nextNonce = Math.Max(journalNext, chainPending);
            if (_nextNonce != journalNext)
            {
                _journal.SetNextNonce(_nextNonce);
            }

            DateTimeOffset now = _time.GetUtcNow();
            foreach (JournalIntent stored in _journal.LoadPending())
            {
                ManagedIntent intent = FromJournal(stored, now);
                _pending[intent.Id] = intent;
                _known[intent.Id] = intent;
            }

            LogStarted(Sender, ChainId, _nextNonce, _pending.Count, journalNext, chainPending);
        }
        catch
        {
            _journal.Dispose();
            throw;
        }

        _monitor = Task.Run(() => MonitorAsync(_stopping.Token));
    }

    private static ManagedIntent FromJournal(JournalIntent stored, DateTimeOffset now) => new()
    {
        Id = stored.Id,
        To = stored.To,
        Value = stored.Value,
        Data = stored.Data,
        GasLimit = stored.GasLimit,
        Nonce = stored.Nonce,
        Attempts = [.. stored.Attempts],
        AttemptSince = now,
    };

    private async Task<ulong> EstimateGasLimitAsync(Address? to, byte[] data, UInt256 value, CancellationToken cancellationToken)
    {
        var call = new CallRequest { From = Sender, To = to, Data = data, Value = value.IsZero ? null : value };
        ulong estimate = await _client.EstimateGasAsync(call, _options.RevertDecoder, cancellationToken).ConfigureAwait(false);
        return (ulong)((BigInteger)estimate * _options.GasLimitMarginPercent / 100);
    }

    private JournalAttempt Sign(ManagedIntent intent, ulong nonce, UInt256 maxFee, UInt256 tip, DateTimeOffset now)
    {
        var tx = new Eip1559Transaction
        {
            ChainId = ChainId,
            Nonce = nonce,
            MaxFeePerGas = maxFee,
            MaxPriorityFeePerGas = tip,
            GasLimit = intent.GasLimit,
            To = intent.To,
            Value = intent.Value,
            Data = intent.Data,
        };
        SignedTransaction signed = tx.Sign(_signer);
        return new JournalAttempt(signed.Hash, signed.Raw, maxFee, tip, now);
    }

    /// <summary>Sends the intent's latest attempt. Returns normally when the node has it, or when trying again later is the answer.</summary>
    private async Task BroadcastLockedAsync(ManagedIntent intent, bool mayRenonce, bool mayFail, int depth, CancellationToken cancellationToken)
    {
        JournalAttempt attempt = intent.Attempts[^1];
        try
        {
            await _client.SendRawTransactionAsync(attempt.Raw, cancellationToken).ConfigureAwait(false);
            intent.LastBroadcastAt = _time.GetUtcNow();
        }
        catch (Exception e) when (EthRpcResilience.IsTransient(e))
        {
            // The node is unreachable: the journal has the transaction and the monitor re-sends it.
            LogBroadcastDeferred(e, Sender, intent.Nonce, attempt.Hash);
        }
        catch (RpcException e) when ((e.IsNonceTooLow || (e.IsReplacementUnderpriced && intent.Attempts.Length == 1)) && mayRenonce && depth < MaxRenonceDepth)
        {
            // Another transaction of this key holds the nonce (mined, or pending in the pool); none of ours was mined at it
            // (SendRawTransactionAsync checked our hash), so the intent moves to a fresh nonce.
            await RenonceLockedAsync(intent, e.RpcMessage, depth + 1, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (mayFail && !e.IsNonceTooLow && !e.IsReplacementUnderpriced && intent.Nonce + 1 == _nextNonce)
        {
            // Refused for good (funds, gas, fee below the node's floor): give the nonce back so no gap is left, and report it.
            _pending.Remove(intent.Id);
            _nextNonce = intent.Nonce;
            _journal.MarkFailed(intent.Id, intent.Nonce);
            intent.Mined.TrySetException(e);
            LogRefused(Sender, intent.Nonce, attempt.Hash, e.RpcMessage);
            throw;
        }
        catch (RpcException e)
        {
            // Decided on the next monitor pass: a receipt of another version, a new nonce, or a higher replacement.
            intent.LastBroadcastAt = _time.GetUtcNow();
            LogBroadcastRefused(Sender, intent.Nonce, attempt.Hash, e.RpcMessage);
        }
    }

    private async Task RenonceLockedAsync(ManagedIntent intent, string reason, int depth, CancellationToken cancellationToken)
    {
        ulong chainPending = await _client.GetTransactionCountAsync(Sender, BlockParameter.Pending, cancellationToken).ConfigureAwait(false);
        ulong nonce = Math.Max(_nextNonce, chainPending);
        FeeEstimate fees = await EstimateFeesAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        JournalAttempt attempt = Sign(intent, nonce, fees.MaxFeePerGas, fees.MaxPriorityFeePerGas, now);
        _journal.Renonce(intent.Id, nonce, attempt, nonce + 1);
        ulong old = intent.Nonce;
        _nextNonce = nonce + 1;
        intent.Nonce = nonce;
        intent.Attempts = [attempt];
        intent.AttemptSince = now;
        intent.LastBroadcastAt = null;
        LogRenonced(Sender, old, nonce, attempt.Hash, reason);
        await BroadcastLockedAsync(intent, mayRenonce: true, mayFail: true, depth, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReplaceLockedAsync(ManagedIntent intent, CancellationToken cancellationToken)
    {
        JournalAttempt previous = intent.Attempts[^1];
        FeeEstimate fresh = await EstimateFeesAsync(cancellationToken).ConfigureAwait(false);
        UInt256 minTip = Bump(previous.MaxPriorityFeePerGas);
        UInt256 minMaxFee = Bump(previous.MaxFeePerGas);
        UInt256 tip = fresh.MaxPriorityFeePerGas > minTip ? fresh.MaxPriorityFeePerGas : minTip;
        UInt256 maxFee = fresh.MaxFeePerGas > minMaxFee ? fresh.MaxFeePerGas : minMaxFee;
        if (_options.MaxFeePerGasCap is { } cap && maxFee > cap)
        {
            maxFee = cap;
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (maxFee < minMaxFee || maxFee < tip)
        {
            // At the fee cap: a smaller bump would be refused, so keep waiting (and re-sending) the current version.
            intent.AttemptSince = now;
            LogCannotReplace(Sender, intent.Nonce, previous.Hash, minMaxFee);
            return;
        }

        JournalAttempt attempt = Sign(intent, intent.Nonce, maxFee, tip, now);
        _journal.AddAttempt(intent.Id, attempt);
        intent.Attempts = [.. intent.Attempts, attempt];
        intent.AttemptSince = now;
        intent.LastBroadcastAt = null;
        LogReplaced(Sender, intent.Nonce, previous.Hash, attempt.Hash, maxFee, tip);
        await BroadcastLockedAsync(intent, mayRenonce: false, mayFail: false, depth: 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>fee * (1 + bump%) rounded up, and at least one wei more.</summary>
    private UInt256 Bump(UInt256 fee)
    {
        BigInteger perMille = (BigInteger)Math.Ceiling(_options.ReplacementFeeBumpPercent * 10);
        BigInteger bumped = ((BigInteger)fee * (1000 + perMille) + 999) / 1000;
        return new UInt256(BigInteger.Max(bumped, (BigInteger)fee + 1));
    }

    private async Task MonitorAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogTickFailed(e, Sender);
            }

            try
            {
                await Task.Delay(_options.PollInterval, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One pass over the pending intents: record receipts, move intents whose nonce another transaction took, re-send, replace stuck
    /// ones, and fill a nonce gap left by a mined transaction the chain lost.
    /// </summary>
    private async Task TickAsync(CancellationToken stopping)
    {
        (ManagedIntent Intent, JournalAttempt[] Attempts)[] snapshot;
        await _gate.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            snapshot = _pending.Values.OrderBy(i => i.Nonce).Select(i => (i, i.Attempts)).ToArray();
            if (snapshot.Length == 0 && _nextNonce == 0)
            {
                return; // nothing sent, nothing to lose
            }
        }
        finally
        {
            _gate.Release();
        }

        // The mined nonce is read before the receipts: a transaction mined in between then shows its receipt, never a nonce without one.
        ulong minedNonce = await _client.GetTransactionCountAsync(Sender, BlockParameter.Latest, stopping).ConfigureAwait(false);
        Dictionary<Hash32, TransactionReceipt> receipts = await GetReceiptsAsync(snapshot.SelectMany(s => s.Attempts).Select(a => a.Hash).ToList(), stopping).ConfigureAwait(false);

        await _gate.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            var minedThisPass = new List<ulong>();
            foreach (var (intent, attempts) in snapshot)
            {
                if (!_pending.ContainsKey(intent.Id))
                {
                    continue;
                }

                TransactionReceipt? receipt = attempts.Select(a => receipts.GetValueOrDefault(a.Hash)).FirstOrDefault(r => r is not null);
                if (receipt is not null)
                {
                    MarkMinedLocked(intent, receipt);
                    minedThisPass.Add(intent.Nonce);
                    continue;
                }

                if (!ReferenceEquals(attempts, intent.Attempts))
                {
                    continue; // re-signed since the snapshot; look again next pass
                }

                DateTimeOffset now = _time.GetUtcNow();
                if (intent.Nonce < minedNonce)
                {
                    await RenonceLockedAsync(intent, "nonce used by another transaction", 1, stopping).ConfigureAwait(false);
                }
                else if (intent.LastBroadcastAt is not null && now - intent.AttemptSince >= _options.ReplaceAfter && intent.Attempts.Length <= _options.MaxReplacements)
                {
                    await ReplaceLockedAsync(intent, stopping).ConfigureAwait(false);
                }
                else if (intent.LastBroadcastAt is null || now - intent.LastBroadcastAt >= _options.RebroadcastAfter)
                {
                    await BroadcastLockedAsync(intent, mayRenonce: false, mayFail: false, depth: 0, stopping).ConfigureAwait(false);
                }
            }

            await CheckGapLockedAsync(minedNonce, minedThisPass, stopping).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Dictionary<Hash32, TransactionReceipt>> GetReceiptsAsync(IReadOnlyList<Hash32> hashes, CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<Hash32, TransactionReceipt>();
        foreach (Hash32[] chunk in hashes.Chunk(ReceiptBatchSize))
        {
            IReadOnlyList<RpcResponse> responses = await _client.SendBatchAsync(
                chunk.Select(h => new RpcRequest("eth_getTransactionReceipt", h.ToString())).ToList(), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < chunk.Length; i++)
            {
                if (responses[i].Result is { ValueKind: System.Text.Json.JsonValueKind.Object } result)
                {
                    receipts[chunk[i]] = RpcJson.ToReceipt(result);
                }
            }
        }

        return receipts;
    }

    private void MarkMinedLocked(ManagedIntent intent, TransactionReceipt receipt)
    {
        _journal.MarkMined(intent.Id, receipt.TransactionHash, receipt.BlockNumber);
        _pending.Remove(intent.Id);
        intent.Receipt = receipt;
        intent.Mined.TrySetResult(receipt);
        LogMined(Sender, intent.Nonce, receipt.TransactionHash, receipt.BlockNumber, receipt.Succeeded);
    }

    /// <summary>
    /// The chain's mined nonce is below ours, nothing of ours is pending at it and the node's pool has nothing there either: a
    /// transaction we saw mined was lost (reorg, node restored from older state). Seen twice in a row, it is sent again, or, when the
    /// journal has no transaction for that nonce, the gap is filled with a zero-value transfer to self so later nonces can be mined.
    /// </summary>
    private async Task CheckGapLockedAsync(ulong minedNonce, List<ulong> minedThisPass, CancellationToken cancellationToken)
    {
        bool gap = minedNonce < _nextNonce && !_pending.Values.Any(i => i.Nonce == minedNonce) && !minedThisPass.Any(n => n >= minedNonce);
        if (gap)
        {
            ulong poolNonce = await _client.GetTransactionCountAsync(Sender, BlockParameter.Pending, cancellationToken).ConfigureAwait(false);
            gap = poolNonce <= minedNonce;
        }

        if (!gap)
        {
            _suspectedGap = null;
            return;
        }

        if (_suspectedGap != minedNonce)
        {
            _suspectedGap = minedNonce;
            return;
        }

        _suspectedGap = null;
        DateTimeOffset now = _time.GetUtcNow();
        ManagedIntent intent;
        if (_journal.FindMinedAt(minedNonce) is { } lost)
        {
            _journal.Reopen(lost.Id);
            intent = _known.GetValueOrDefault(lost.Id) ?? FromJournal(lost, now);
            intent.Attempts = [.. lost.Attempts];
            intent.AttemptSince = now;
            intent.LastBroadcastAt = null;
            intent.Receipt = null;
            if (intent.Mined.Task.IsCompleted)
            {
                intent.Mined = ManagedIntent.NewCompletion();
            }

            LogReopened(Sender, minedNonce, intent.Attempts[^1].Hash);
        }
        else
        {
            FeeEstimate fees = await EstimateFeesAsync(cancellationToken).ConfigureAwait(false);
            intent = new ManagedIntent { Id = 0, To = Sender, Value = UInt256.Zero, Data = [], GasLimit = 21_000, Nonce = minedNonce, AttemptSince = now };
            JournalAttempt attempt = Sign(intent, minedNonce, fees.MaxFeePerGas, fees.MaxPriorityFeePerGas, now);
            long id = _journal.Insert(minedNonce, Sender, UInt256.Zero, [], 21_000, attempt, _nextNonce);
            intent = new ManagedIntent
            {
                Id = id, To = Sender, Value = UInt256.Zero, Data = [], GasLimit = 21_000, Nonce = minedNonce, AttemptSince = now, Attempts = [attempt],
            };
            LogGapFilled(Sender, minedNonce, attempt.Hash);
        }

        _pending[intent.Id] = intent;
        _known[intent.Id] = intent;
        await BroadcastLockedAsync(intent, mayRenonce: false, mayFail: false, depth: 0, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReopenAsync(ManagedIntent intent, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_pending.ContainsKey(intent.Id))
            {
                return;
            }

            _journal.Reopen(intent.Id);
            intent.Receipt = null;
            intent.Mined = ManagedIntent.NewCompletion();
            intent.LastBroadcastAt = null;
            intent.AttemptSince = _time.GetUtcNow();
            _pending[intent.Id] = intent;
            LogReopened(Sender, intent.Nonce, intent.Attempts[^1].Hash);
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Transaction manager for {Sender} on chain {ChainId} started: next nonce {NextNonce}, {Pending} pending from the journal (journal nonce {JournalNonce}, chain pending nonce {ChainNonce}).")]
    private partial void LogStarted(Address sender, ulong chainId, ulong nextNonce, int pending, ulong journalNonce, ulong chainNonce);

    [LoggerMessage(2, LogLevel.Debug, "{Sender} nonce {Nonce}: sent {Hash} (maxFee {MaxFee}, tip {Tip}).")]
    private partial void LogSent(Address sender, ulong nonce, Hash32 hash, UInt256 maxFee, UInt256 tip);

    [LoggerMessage(3, LogLevel.Warning, "{Sender} nonce {Nonce}: broadcast of {Hash} deferred, the node is unreachable.")]
    private partial void LogBroadcastDeferred(Exception exception, Address sender, ulong nonce, Hash32 hash);

    [LoggerMessage(4, LogLevel.Warning, "{Sender} nonce {Nonce}: the node refused {Hash}: {Reason}. Retrying later.")]
    private partial void LogBroadcastRefused(Address sender, ulong nonce, Hash32 hash, string reason);

    [LoggerMessage(5, LogLevel.Error, "{Sender} nonce {Nonce}: the node refused new transaction {Hash} for good: {Reason}. The nonce was given back.")]
    private partial void LogRefused(Address sender, ulong nonce, Hash32 hash, string reason);

    [LoggerMessage(6, LogLevel.Warning, "{Sender}: moved a transaction from nonce {OldNonce} to {NewNonce} ({Hash}): {Reason}.")]
    private partial void LogRenonced(Address sender, ulong oldNonce, ulong newNonce, Hash32 hash, string reason);

    [LoggerMessage(7, LogLevel.Information, "{Sender} nonce {Nonce}: replaced stuck {OldHash} with {NewHash} (maxFee {MaxFee}, tip {Tip}).")]
    private partial void LogReplaced(Address sender, ulong nonce, Hash32 oldHash, Hash32 newHash, UInt256 maxFee, UInt256 tip);

    [LoggerMessage(8, LogLevel.Warning, "{Sender} nonce {Nonce}: {Hash} is stuck but a replacement would need maxFee {Needed}, above the cap.")]
    private partial void LogCannotReplace(Address sender, ulong nonce, Hash32 hash, UInt256 needed);

    [LoggerMessage(9, LogLevel.Debug, "{Sender} nonce {Nonce}: {Hash} mined in block {Block} (success: {Succeeded}).")]
    private partial void LogMined(Address sender, ulong nonce, Hash32 hash, ulong block, bool succeeded);

    [LoggerMessage(10, LogLevel.Warning, "{Sender} nonce {Nonce}: the chain lost mined transaction {Hash}; sending it again.")]
    private partial void LogReopened(Address sender, ulong nonce, Hash32 hash);

    [LoggerMessage(11, LogLevel.Warning, "{Sender}: filled the nonce gap at {Nonce} with a zero-value transfer {Hash}.")]
    private partial void LogGapFilled(Address sender, ulong nonce, Hash32 hash);

    [LoggerMessage(12, LogLevel.Warning, "{Sender}: a monitor pass failed; retrying.")]
    private partial void LogTickFailed(Exception exception, Address sender);
}
