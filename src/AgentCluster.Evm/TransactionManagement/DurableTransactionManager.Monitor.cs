using System.Numerics;
using Microsoft.Extensions.Logging;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Eth.Transactions;
using Nethereum.RPC.Fee1559Suggestions;
using Nethereum.Hex.HexConvertors.Extensions;
using AgentCluster.Evm.Rpc;

namespace AgentCluster.Evm.TransactionManagement;

public sealed partial class DurableTransactionManager
{
    /// <summary>Sends the intent's latest attempt. Returns normally when the node has it, or when trying again later is the answer.</summary>
    private async Task BroadcastLockedAsync(ManagedIntent intent, bool mayRenonce, bool mayFail, int depth, CancellationToken cancellationToken)
    {
        JournalAttempt attempt = intent.Attempts[^1];
        try
        {
            await new EthSendRawTransaction(Client).SendRequestAsync(attempt.Raw.ToHex(true)).WaitAsync(cancellationToken).ConfigureAwait(false);
            intent.LastBroadcastAt = _time.GetUtcNow();
        }
        catch (RpcResponseException e)
        {
            string reason = e.RpcError?.Message ?? e.Message;
            NodeRefusal kind = Classify(reason);
            if (kind is NodeRefusal.AlreadyKnown or NodeRefusal.NonceTooLow or NodeRefusal.Underpriced
                && await IsAnyAttemptKnownAsync(intent, cancellationToken).ConfigureAwait(false))
            {
                // A lost answer: the node already has (or mined) one of our versions.
                intent.LastBroadcastAt = _time.GetUtcNow();
                return;
            }

            if (kind is NodeRefusal.NonceTooLow or NodeRefusal.Underpriced && mayRenonce && depth < MaxRenonceDepth
                && (kind == NodeRefusal.NonceTooLow || intent.Attempts.Count(a => a.Nonce == intent.Nonce) == 1))
            {
                // Another transaction of this key holds the nonce (mined, or pending in the pool) and none of ours is known to the
                // node, so the intent moves to a fresh nonce.
                try
                {
                    await RenonceLockedAsync(intent, reason, depth + 1, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception r) when (r is not TransactionRefusedException && !cancellationToken.IsCancellationRequested)
                {
                    // The intent stays journaled at its old nonce; the monitor moves it once the node answers again.
                    intent.LastBroadcastAt = null;
                    LogBroadcastDeferred(r, Address, intent.Nonce, attempt.Hash);
                }

                return;
            }

            if (kind == NodeRefusal.Permanent && mayFail && intent.Nonce + 1 == _nextNonce)
            {
                // Refused for good (funds, gas, fee below the node's floor): give the nonce back so no gap is left, and report it.
                _pending.Remove(intent.Id);
                _nextNonce = intent.Nonce;
                _journal.MarkFailed(intent.Id, intent.Nonce);
                var refused = new TransactionRefusedException(Address, intent.Nonce, attempt.Hash, e);
                intent.Mined.TrySetException(refused);
                LogRefused(Address, intent.Nonce, attempt.Hash, reason);
                throw refused;
            }

            // Decided on a later monitor pass: a receipt of another version, a new nonce, or a higher replacement.
            intent.LastBroadcastAt = _time.GetUtcNow();
            LogBroadcastRefused(Address, intent.Nonce, attempt.Hash, reason);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not TransactionRefusedException)
        {
            // The node is unreachable or the answer was lost: the journal has the transaction and the monitor re-sends it.
            LogBroadcastDeferred(e, Address, intent.Nonce, attempt.Hash);
        }
    }

    private enum NodeRefusal
    {
        AlreadyKnown,
        NonceTooLow,
        Underpriced,
        Permanent,
    }

    private static NodeRefusal Classify(string message)
    {
        string m = message.ToLowerInvariant();
        if (m.Contains("already known", StringComparison.Ordinal) || m.Contains("already imported", StringComparison.Ordinal)
            || m.Contains("known transaction", StringComparison.Ordinal) || m.Contains("alreadyknown", StringComparison.Ordinal))
        {
            return NodeRefusal.AlreadyKnown;
        }

        if (m.Contains("nonce too low", StringComparison.Ordinal) || m.Contains("nonce is too low", StringComparison.Ordinal)
            || m.Contains("invalid nonce", StringComparison.Ordinal))
        {
            return NodeRefusal.NonceTooLow;
        }

        if (m.Contains("replacement transaction underpriced", StringComparison.Ordinal) || m.Contains("replacement underpriced", StringComparison.Ordinal))
        {
            return NodeRefusal.Underpriced;
        }

        return NodeRefusal.Permanent;
    }

    private async Task<bool> IsAnyAttemptKnownAsync(ManagedIntent intent, CancellationToken cancellationToken)
    {
        var lookup = new EthGetTransactionByHash(Client);
        foreach (JournalAttempt attempt in intent.Attempts.Reverse())
        {
            try
            {
                if (await lookup.SendRequestAsync(attempt.Hash).WaitAsync(cancellationToken).ConfigureAwait(false) is not null)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Unknown either way: do not move the intent on a guess; the monitor looks again.
                LogBroadcastDeferred(e, Address, intent.Nonce, attempt.Hash);
                return true;
            }
        }

        return false;
    }

    private async Task RenonceLockedAsync(ManagedIntent intent, string reason, int depth, CancellationToken cancellationToken)
    {
        ulong chainPending = await GetNonceAsync(BlockParameter.CreatePending()).WaitAsync(cancellationToken).ConfigureAwait(false);
        ulong nonce = Math.Max(_nextNonce, chainPending);
        Fee1559 fees = await SuggestFeesAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        JournalAttempt attempt = await SignAsync(intent, nonce, fees.MaxFeePerGas!.Value, fees.MaxPriorityFeePerGas!.Value, now).ConfigureAwait(false);
        _journal.Renonce(intent.Id, attempt, nonce + 1);
        ulong old = intent.Nonce;
        _nextNonce = nonce + 1;
        intent.Nonce = nonce;
        intent.Attempts = [.. intent.Attempts, attempt];
        intent.AttemptSince = now;
        intent.LastBroadcastAt = null;
        _byHash[attempt.Hash] = intent;
        LogRenonced(Address, old, nonce, attempt.Hash, reason);
        await BroadcastLockedAsync(intent, mayRenonce: true, mayFail: true, depth, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReplaceLockedAsync(ManagedIntent intent, CancellationToken cancellationToken)
    {
        JournalAttempt previous = intent.Attempts[^1];
        BigInteger minTip = Bump(previous.MaxPriorityFeePerGas);
        BigInteger minMaxFee = Bump(previous.MaxFeePerGas);
        BigInteger tip = minTip;
        BigInteger maxFee = minMaxFee;
        try
        {
            Fee1559 fresh = await SuggestFeesAsync(cancellationToken).ConfigureAwait(false);
            tip = BigInteger.Max(fresh.MaxPriorityFeePerGas!.Value, minTip);
            maxFee = BigInteger.Max(fresh.MaxFeePerGas!.Value, minMaxFee);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // No fresh suggestion (the strategy refuses a base fee above its cap, or the node is unreachable): the bump alone.
            LogBroadcastDeferred(e, Address, intent.Nonce, previous.Hash);
        }

        if (_options.MaxFeePerGasCap is { } cap && maxFee > cap)
        {
            maxFee = cap;
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (maxFee < minMaxFee || maxFee < tip)
        {
            // At the fee cap: a smaller bump would be refused, so keep waiting (and re-sending) the current version.
            intent.AttemptSince = now;
            LogCannotReplace(Address, intent.Nonce, previous.Hash, minMaxFee);
            return;
        }

        JournalAttempt attempt = await SignAsync(intent, intent.Nonce, maxFee, tip, now).ConfigureAwait(false);
        _journal.AddAttempt(intent.Id, attempt);
        intent.Attempts = [.. intent.Attempts, attempt];
        intent.AttemptSince = now;
        intent.LastBroadcastAt = null;
        _byHash[attempt.Hash] = intent;
        LogReplaced(Address, intent.Nonce, previous.Hash, attempt.Hash, maxFee, tip);
        await BroadcastLockedAsync(intent, mayRenonce: false, mayFail: false, depth: 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>fee * (1 + bump%) rounded up, and at least one wei more.</summary>
    private BigInteger Bump(BigInteger fee)
    {
        var perMille = new BigInteger(Math.Ceiling(_options.ReplacementFeeBumpPercent * 10));
        BigInteger bumped = (fee * (1000 + perMille) + 999) / 1000;
        return BigInteger.Max(bumped, fee + 1);
    }

    private int _wakeRequested;
    private CancellationTokenSource? _napping;

    private async Task MonitorAsync(CancellationToken stopping)
    {
        // The monitor's calls follow the manager's lifetime only, never a token of whoever created it.
        using RpcCancellation.Scope scope = RpcCancellation.Use(stopping);
        while (!stopping.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _wakeRequested, 0);
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
                LogTickFailed(e, Address);
            }

            using var nap = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            Volatile.Write(ref _napping, nap);
            try
            {
                if (Volatile.Read(ref _wakeRequested) == 0)
                {
                    await Task.Delay(_options.PollInterval, _time, nap.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                // woken by a broadcast: look for its receipt now
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                Volatile.Write(ref _napping, null);
            }
        }
    }

    /// <summary>
    /// Asks the monitor for a pass now rather than at the end of its poll interval: called after a broadcast, so that a node that mines at
    /// once (anvil) or within the interval hands the receipt over without waiting out the interval. Later passes keep the interval.
    /// </summary>
    private void Wake()
    {
        Volatile.Write(ref _wakeRequested, 1);
        try
        {
            _ = Volatile.Read(ref _napping)?.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // the nap just ended; the flag makes the monitor skip the next one
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
        ulong minedNonce = await GetNonceAsync(BlockParameter.CreateLatest()).WaitAsync(stopping).ConfigureAwait(false);
        Dictionary<string, TransactionReceipt> receipts = await GetReceiptsAsync(
            snapshot.SelectMany(s => s.Attempts).Select(a => a.Hash).ToList(), stopping).ConfigureAwait(false);

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
                int replacements = intent.Attempts.Count(a => a.Nonce == intent.Nonce) - 1;
                if (intent.Nonce < minedNonce)
                {
                    if (!await IsAnyAttemptKnownAsync(intent, stopping).ConfigureAwait(false))
                    {
                        await RenonceLockedAsync(intent, "nonce used by another transaction", 1, stopping).ConfigureAwait(false);
                    }
                }
                else if (intent.LastBroadcastAt is not null && now - intent.AttemptSince >= _options.ReplaceAfter && replacements < _options.MaxReplacements)
                {
                    await ReplaceLockedAsync(intent, stopping).ConfigureAwait(false);
                }
                else if (intent.LastBroadcastAt is null || now - intent.LastBroadcastAt >= _options.RebroadcastAfter)
                {
                    if (intent.LastBroadcastAt is not null)
                    {
                        LogRebroadcast(Address, intent.Nonce, intent.Attempts[^1].Hash, _options.RebroadcastAfter);
                    }

                    await BroadcastLockedAsync(intent, mayRenonce: false, mayFail: false, depth: 0, stopping).ConfigureAwait(false);
                }
            }

            await CheckGapLockedAsync(minedNonce, minedThisPass, stopping).ConfigureAwait(false);
            ForgetOldMinedLocked();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops mined intents older than RetainMinedFor from memory (the journal keeps them), so a long-running keeper stays bounded.</summary>
    private void ForgetOldMinedLocked()
    {
        DateTimeOffset horizon = _time.GetUtcNow() - _options.RetainMinedFor;
        while (_mined.TryPeek(out var oldest) && oldest.MinedAt <= horizon)
        {
            _mined.Dequeue();
            ManagedIntent intent = oldest.Intent;
            if (_pending.ContainsKey(intent.Id))
            {
                continue; // reopened since
            }

            _known.TryRemove(intent.Id, out _);
            foreach (JournalAttempt attempt in intent.Attempts)
            {
                _byHash.TryRemove(new KeyValuePair<string, ManagedIntent>(attempt.Hash, intent));
            }
        }
    }

    private async Task<Dictionary<string, TransactionReceipt>> GetReceiptsAsync(IReadOnlyList<string> hashes, CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<string, TransactionReceipt>(StringComparer.OrdinalIgnoreCase);
        var handler = new EthGetTransactionReceipt(Client);
        foreach (string[] chunk in hashes.Chunk(ReceiptBatchSize))
        {
            var batch = new RpcRequestResponseBatch { AcceptPartiallySuccessful = true };
            var items = chunk.Select((hash, i) => new RpcRequestResponseBatchItem<EthGetTransactionReceipt, TransactionReceipt>(
                handler, handler.BuildRequest(hash, i + 1))).ToList();
            foreach (var item in items)
            {
                batch.BatchItems.Add(item);
            }

            await Client.SendBatchRequestAsync(batch).WaitAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < chunk.Length; i++)
            {
                if (!items[i].HasError && items[i].Response is { BlockHash: not null } receipt)
                {
                    receipts[chunk[i]] = receipt;
                }
            }
        }

        return receipts;
    }

    private void MarkMinedLocked(ManagedIntent intent, TransactionReceipt receipt)
    {
        _journal.MarkMined(intent.Id, receipt.TransactionHash, (ulong)receipt.BlockNumber.Value);
        _pending.Remove(intent.Id);
        intent.Receipt = receipt;
        intent.Mined.TrySetResult(receipt);
        _mined.Enqueue((_time.GetUtcNow(), intent));
        LogMined(Address, intent.Nonce, receipt.TransactionHash, receipt.BlockNumber.Value, receipt.Status?.Value == 1);
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
            ulong poolNonce = await GetNonceAsync(BlockParameter.CreatePending()).WaitAsync(cancellationToken).ConfigureAwait(false);
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
            intent.Nonce = lost.Nonce;
            intent.AttemptSince = now;
            intent.LastBroadcastAt = null;
            intent.Receipt = null;
            if (intent.Mined.Task.IsCompleted)
            {
                intent.Mined = ManagedIntent.NewCompletion();
            }

            LogReopened(Address, minedNonce, intent.Attempts[^1].Hash);
        }
        else
        {
            Fee1559 fees = await SuggestFeesAsync(cancellationToken).ConfigureAwait(false);
            var filler = new ManagedIntent { Id = 0, To = Address, Value = BigInteger.Zero, Data = [], GasLimit = 21_000 };
            JournalAttempt attempt = await SignAsync(filler, minedNonce, fees.MaxFeePerGas!.Value, fees.MaxPriorityFeePerGas!.Value, now).ConfigureAwait(false);
            long id = _journal.Insert(Address, BigInteger.Zero, [], 21_000, attempt, _nextNonce);
            intent = new ManagedIntent
            {
                Id = id, To = Address, Value = BigInteger.Zero, Data = [], GasLimit = 21_000, Nonce = minedNonce, AttemptSince = now, Attempts = [attempt],
            };
            LogGapFilled(Address, minedNonce, attempt.Hash);
        }

        Track(intent);
        await BroadcastLockedAsync(intent, mayRenonce: false, mayFail: false, depth: 0, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReopenAsync(ManagedIntent intent, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_pending.ContainsKey(intent.Id) || _disposed)
            {
                return;
            }

            _journal.Reopen(intent.Id);
            intent.Receipt = null;
            intent.Mined = ManagedIntent.NewCompletion();
            intent.LastBroadcastAt = null;
            intent.AttemptSince = _time.GetUtcNow();
            _pending[intent.Id] = intent;
            LogReopened(Address, intent.Nonce, intent.Attempts[^1].Hash);
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Transaction manager for {Sender} on chain {ChainId} started: next nonce {NextNonce}, {Pending} pending from the journal (journal nonce {JournalNonce}, chain pending nonce {ChainNonce}).")]
    private partial void LogStarted(string sender, BigInteger chainId, ulong nextNonce, int pending, ulong journalNonce, ulong chainNonce);

    [LoggerMessage(2, LogLevel.Debug, "{Sender} nonce {Nonce}: sent {Hash} (maxFee {MaxFee}, tip {Tip}).")]
    private partial void LogSent(string sender, ulong nonce, string hash, BigInteger maxFee, BigInteger tip);

    [LoggerMessage(3, LogLevel.Warning, "{Sender} nonce {Nonce}: broadcast of {Hash} deferred, the node is unreachable or the answer was lost.")]
    private partial void LogBroadcastDeferred(Exception exception, string sender, ulong nonce, string hash);

    [LoggerMessage(4, LogLevel.Warning, "{Sender} nonce {Nonce}: the node refused {Hash}: {Reason}. Retrying later.")]
    private partial void LogBroadcastRefused(string sender, ulong nonce, string hash, string reason);

    [LoggerMessage(5, LogLevel.Error, "{Sender} nonce {Nonce}: the node refused new transaction {Hash} for good: {Reason}. The nonce was given back.")]
    private partial void LogRefused(string sender, ulong nonce, string hash, string reason);

    [LoggerMessage(6, LogLevel.Warning, "{Sender}: moved a transaction from nonce {OldNonce} to {NewNonce} ({Hash}): {Reason}.")]
    private partial void LogRenonced(string sender, ulong oldNonce, ulong newNonce, string hash, string reason);

    [LoggerMessage(7, LogLevel.Information, "{Sender} nonce {Nonce}: replaced stuck {OldHash} with {NewHash} (maxFee {MaxFee}, tip {Tip}).")]
    private partial void LogReplaced(string sender, ulong nonce, string oldHash, string newHash, BigInteger maxFee, BigInteger tip);

    [LoggerMessage(8, LogLevel.Warning, "{Sender} nonce {Nonce}: {Hash} is stuck but a replacement would need maxFee {Needed}, above the cap.")]
    private partial void LogCannotReplace(string sender, ulong nonce, string hash, BigInteger needed);

    [LoggerMessage(9, LogLevel.Debug, "{Sender} nonce {Nonce}: {Hash} mined in block {Block} (success: {Succeeded}).")]
    private partial void LogMined(string sender, ulong nonce, string hash, BigInteger block, bool succeeded);

    [LoggerMessage(10, LogLevel.Warning, "{Sender} nonce {Nonce}: the chain lost mined transaction {Hash}; sending it again.")]
    private partial void LogReopened(string sender, ulong nonce, string hash);

    [LoggerMessage(11, LogLevel.Warning, "{Sender}: filled the nonce gap at {Nonce} with a zero-value transfer {Hash}.")]
    private partial void LogGapFilled(string sender, ulong nonce, string hash);

    [LoggerMessage(12, LogLevel.Warning, "{Sender}: a monitor pass failed; retrying.")]
    private partial void LogTickFailed(Exception exception, string sender);

    [LoggerMessage(13, LogLevel.Information, "{Sender} nonce {Nonce}: no receipt for {Hash} after {RebroadcastAfter}; sending the same transaction again (dropped from the pool, or a node restart lost it).")]
    private partial void LogRebroadcast(string sender, ulong nonce, string hash, TimeSpan rebroadcastAfter);
}
