using System.Collections.Concurrent;
using System.Numerics;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.Fees;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.Model;
using Nethereum.RPC.Eth.Blocks;
using Nethereum.RPC.Eth;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Eth.Transactions;
using Nethereum.RPC.Fee1559Suggestions;
using Nethereum.RPC.TransactionManagers;
using Nethereum.Signer;
using Nethereum.Util;
using Nethereum.RPC.Accounts;
using Nethereum.Web3.Accounts;
using Account = Nethereum.Web3.Accounts.Account;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>
/// A Nethereum transaction manager (<see cref="TransactionManagerBase"/>) that never loses or duplicates a transaction: nonces are
/// handed out under a lock, and the signature, a durable SQLite journal entry and the broadcast happen under that lock too, so
/// transactions reach the node in nonce order and a restarted process neither reuses a nonce nor forgets a transaction. Gas and
/// fees are looked up before the lock; a revert during estimation throws a typed <see cref="ContractRevertException"/> before any
/// nonce is used; a permanent refusal gives the nonce back (<see cref="TransactionRefusedException"/>). A background monitor
/// re-broadcasts what the node lost, replaces stuck transactions (same nonce, both fees +12.5 %), moves a transaction to a fresh
/// nonce when a foreign transaction took its nonce, and repairs a nonce gap left by a lost mined transaction.
/// Everything Nethereum sends through <c>web3.TransactionManager</c> (contract handlers, generated services, Ether transfers,
/// deployments, <c>*AndWaitForReceiptAsync</c>) goes through it; its <see cref="TransactionManagerBase.TransactionReceiptService"/>
/// waits on every version of an intent. Type-2 (EIP-1559) transactions only. Thread-safe. One manager per signer and journal file:
/// a second one on the same file is refused (in this process and, through a lock file, in others).
/// </summary>
public sealed partial class DurableTransactionManager : TransactionManagerBase, IAsyncDisposable
{
    private const int ReceiptBatchSize = 100;
    private const int MaxRenonceDepth = 3;

    private static readonly ConcurrentDictionary<string, byte> OpenJournals = new(StringComparer.Ordinal);

    private readonly Secp256k1Signer? _signer;
    private readonly IEthExternalSigner? _externalSigner;
    private readonly DurableTransactionManagerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<long, ManagedIntent> _pending = [];
    private readonly ConcurrentDictionary<long, ManagedIntent> _known = new();
    private readonly Queue<(DateTimeOffset MinedAt, ManagedIntent Intent)> _mined = new();
    private readonly ConcurrentDictionary<string, ManagedIntent> _byHash = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _journalKey;
    private FileStream? _lockFile;
    private TransactionJournal _journal = null!;
    private ulong _nextNonce;
    private ulong? _suspectedGap;
    private Task _monitor = Task.CompletedTask;
    private bool _disposed;

    private DurableTransactionManager(IClient client, IAccount account, Secp256k1Signer? signer, IEthExternalSigner? externalSigner,
        DurableTransactionManagerOptions options, ILogger? logger)
    {
        Client = client;
        Account = account;
        _signer = signer;
        _externalSigner = externalSigner;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
        _journalKey = Path.GetFullPath(options.JournalPath);
        Address = account.Address;
        UseLegacyAsDefault = false;
        Fee1559SuggestionStrategy = options.FeeSuggestionStrategy ?? new BaseFeeSuggestionStrategy(client,
            options.MaxFeePerGasCap is { } cap ? new BaseFeeOptions { MaxFeePerGasCap = cap } : null);
        TransactionReceiptService = new DurableTransactionReceiptService(this);
    }

    /// <summary>The sender's address (as Nethereum's account gives it).</summary>
    public string Address { get; }

    /// <summary>The nonce the next new transaction will get.</summary>
    public BigInteger NextNonce => Volatile.Read(ref _nextNonce);

    /// <inheritdoc />
    public override BigInteger DefaultGas { get; set; } = LegacyTransaction.DEFAULT_GAS_LIMIT;

    internal DurableTransactionManagerOptions Options => _options;

    internal TimeProvider Time => _time;

    /// <summary>
    /// Opens (or creates) the journal, takes its lock, reconciles its nonce with the chain's pending nonce, resumes the journal's
    /// pending transactions (re-checked and re-broadcast by the monitor) and starts the monitor.
    /// </summary>
    /// <param name="client">Nethereum's client (e.g. <c>AgentClusterRpc.CreateClient(url)</c>, or a plain <c>new RpcClient(url)</c>).</param>
    /// <param name="account">The signer; its private key signs every transaction, through <see cref="Signing.Secp256k1Signer"/> built once from the
    /// key's 32 bytes (every valid key, including those below 2^248 that Nethereum's own fast path cannot sign with).</param>
    /// <param name="options">Journal path, fees, timings.</param>
    /// <param name="logger">Where the manager reports what it does (replacements, resyncs, refusals).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<DurableTransactionManager> CreateAsync(IClient client, Account account, DurableTransactionManagerOptions options,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(account.PrivateKey))
        {
            throw new ArgumentException("The account must hold a private key.", nameof(account));
        }

        DurableTransactionManagerOptions own = options.Clone();
        own.Validate();
        Secp256k1Signer signer = Secp256k1Signer.FromAccount(account); // built once; every key signs, including those below 2^248
        var manager = new DurableTransactionManager(client, account, signer, null, own, logger);
        return await manager.StartOrReleaseAsync(account.ChainId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A manager whose transactions are signed by an external signer (Nethereum's <see cref="ExternalAccount"/> pattern: a hardware
    /// wallet, a KMS, a remote signer). The signer must support EIP-1559 transactions.
    /// </summary>
    public static async Task<DurableTransactionManager> CreateAsync(IClient client, ExternalAccount account, DurableTransactionManagerOptions options,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        if (account.ExternalSigner is not { } signer)
        {
            throw new ArgumentException("The external account has no external signer.", nameof(account));
        }

        if (!signer.Supported1559)
        {
            throw new NotSupportedException("The external signer does not support EIP-1559 transactions; DurableTransactionManager sends type-2 transactions only.");
        }

        DurableTransactionManagerOptions own = options.Clone();
        own.Validate();
        if (string.IsNullOrEmpty(account.Address))
        {
            await account.InitialiseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var manager = new DurableTransactionManager(client, account, null, signer, own, logger);
        return await manager.StartOrReleaseAsync(account.ChainId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Same as <see cref="CreateAsync(IClient, Account, DurableTransactionManagerOptions, ILogger?, CancellationToken)"/> from a hex private key.</summary>
    public static Task<DurableTransactionManager> CreateAsync(IClient client, string privateKey, DurableTransactionManagerOptions options,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CreateAsync(client, AgentClusterWeb3.CreateAccount(privateKey, options.ChainId), options, logger, cancellationToken);
    }

    /// <summary>Handles of the transactions not yet mined (including those resumed from the journal), by nonce.</summary>
    public async Task<IReadOnlyList<TransactionIntent>> GetPendingAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _pending.Values.OrderBy(i => i.Nonce).Select(i => new TransactionIntent(this, i)).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The intent that ever had this hash (any of its versions), as long as this manager knows it; else null.</summary>
    public TransactionIntent? FindIntent(string transactionHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionHash);
        return _byHash.TryGetValue(transactionHash, out ManagedIntent? intent) ? new TransactionIntent(this, intent) : null;
    }

    /// <summary>
    /// The hash that was mined for the intent that ever had <paramref name="transactionHash"/>, from memory or, for an intent mined
    /// longer ago than <see cref="DurableTransactionManagerOptions.RetainMinedFor"/>, from the journal; null when neither knows it
    /// as mined.
    /// </summary>
    public async Task<string?> FindMinedHashAsync(string transactionHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionHash);
        if (_byHash.TryGetValue(transactionHash, out ManagedIntent? intent) && intent.Receipt is { } receipt)
        {
            return receipt.TransactionHash;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _journal.FindMinedHash(transactionHash);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Fees for a new transaction now, from <see cref="TransactionManagerBase.Fee1559SuggestionStrategy"/> with
    /// <see cref="DurableTransactionManagerOptions.MaxPriorityFeePerGas"/>, maxFeePerGas capped at
    /// <see cref="DurableTransactionManagerOptions.MaxFeePerGasCap"/> (and the tip at maxFeePerGas).
    /// </summary>
    public async Task<Fee1559> SuggestFeesAsync(CancellationToken cancellationToken = default)
    {
        Fee1559 suggested = await Fee1559SuggestionStrategy.SuggestFeeAsync(_options.MaxPriorityFeePerGas).WaitAsync(cancellationToken).ConfigureAwait(false)
                            ?? throw new InvalidOperationException("The fee suggestion strategy returned no fees.");
        BigInteger maxFee = suggested.MaxFeePerGas ?? throw new InvalidOperationException("The fee suggestion strategy returned no maxFeePerGas.");
        BigInteger tip = suggested.MaxPriorityFeePerGas ?? throw new InvalidOperationException("The fee suggestion strategy returned no maxPriorityFeePerGas.");
        if (_options.MaxFeePerGasCap is { } cap && maxFee > cap)
        {
            maxFee = cap;
        }

        return new Fee1559 { BaseFee = suggested.BaseFee, MaxFeePerGas = maxFee, MaxPriorityFeePerGas = BigInteger.Min(tip, maxFee) };
    }

    /// <summary>
    /// Signs and sends a transaction at the next nonce and returns its handle. The gas limit is estimated when not given (a revert
    /// then throws <see cref="ContractRevertException"/>, decoded with <see cref="DurableTransactionManagerOptions.RevertDecoder"/>,
    /// and no nonce is used); fees come from the strategy when not given. Once the intent is in the journal the call no longer
    /// observes <paramref name="cancellationToken"/>: the transaction will be sent, and an unreachable node only defers the
    /// broadcast to the monitor.
    /// </summary>
    /// <exception cref="TransactionRefusedException">The node refused the transaction for good (e.g. insufficient funds); its nonce was given back.</exception>
    /// <exception cref="ArgumentException">The input is not a transaction this manager can send (another sender, a nonce, a legacy gas price, bad hex...).</exception>
    public async Task<TransactionIntent> SendAsync(TransactionInput transactionInput, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionInput);
        ObjectDisposedException.ThrowIf(_disposed, this);
        (string? to, BigInteger value, byte[] data) = Validate(transactionInput);

        // Until the journal write, the caller's token cancels the RPC calls too (AgentClusterRpc clients read RpcCancellation).
        using RpcCancellation.Scope callerScope = RpcCancellation.Use(cancellationToken);
        ulong gas = transactionInput.Gas is { } givenGas
            ? (ulong)givenGas.Value
            : await EstimateGasLimitAsync(to, data, value, cancellationToken).ConfigureAwait(false);
        (BigInteger maxFee, BigInteger tip) = transactionInput.MaxFeePerGas is { } givenMax
            ? (givenMax.Value, transactionInput.MaxPriorityFeePerGas?.Value ?? BigInteger.Min(givenMax.Value, (await SuggestFeesAsync(cancellationToken).ConfigureAwait(false)).MaxPriorityFeePerGas!.Value))
            : await FeesFor(transactionInput.MaxPriorityFeePerGas?.Value, cancellationToken).ConfigureAwait(false);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            ulong nonce = _nextNonce;
            DateTimeOffset now = _time.GetUtcNow();
            var draft = new ManagedIntent { Id = 0, To = to, Value = value, Data = data, GasLimit = gas };
            JournalAttempt attempt = await SignAsync(draft, nonce, maxFee, tip, now).ConfigureAwait(false);
            long id = _journal.Insert(to, value, data, gas, attempt, nonce + 1);
            var intent = new ManagedIntent
            {
                Id = id, To = to, Value = value, Data = data, GasLimit = gas, Nonce = nonce, AttemptSince = now, Attempts = [attempt],
            };
            _nextNonce = nonce + 1;
            Track(intent);
            LogSent(Address, nonce, attempt.Hash, maxFee, tip);

            // Durable from here on: the broadcast no longer follows the caller's token.
            using RpcCancellation.Scope durableScope = RpcCancellation.Use(_stopping.Token);
            try
            {
                await BroadcastLockedAsync(intent, mayRenonce: true, mayFail: true, depth: 0, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // The manager is being disposed: the intent stays in the journal and the next manager sends it.
            }

            Wake();
            return new TransactionIntent(this, intent);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Nethereum's send: <see cref="SendAsync"/>, returning the hash of the first signed version (any version's hash finds the intent).</summary>
    public override async Task<string> SendTransactionAsync(TransactionInput transactionInput)
    {
        TransactionIntent intent = await SendAsync(transactionInput).ConfigureAwait(false);
        return intent.TransactionHash;
    }

    /// <summary>
    /// Signs without sending, journaling or taking a nonce: for offline use only. The input must carry its nonce (the manager's own
    /// nonces are handed out only by <see cref="SendAsync"/>, so a signed-but-unsent transaction can never leave a gap); gas and fees
    /// are filled in when missing. Returns the 0x-prefixed raw transaction.
    /// </summary>
    public override async Task<string> SignTransactionAsync(TransactionInput transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.Nonce is null)
        {
            throw new ArgumentException("DurableTransactionManager.SignTransactionAsync signs offline only and needs an explicit Nonce; send with SendAsync/SendTransactionAsync to have the manager choose, journal and broadcast it.", nameof(transaction));
        }

        var copy = new TransactionInput
        {
            From = transaction.From, To = transaction.To, Data = transaction.Data, Value = transaction.Value, Gas = transaction.Gas,
            MaxFeePerGas = transaction.MaxFeePerGas, MaxPriorityFeePerGas = transaction.MaxPriorityFeePerGas, Type = transaction.Type,
            GasPrice = transaction.GasPrice, AccessList = transaction.AccessList, AuthorisationList = transaction.AuthorisationList,
        };
        (string? to, BigInteger value, byte[] data) = Validate(copy);
        ulong gas = transaction.Gas is { } g ? (ulong)g.Value : await EstimateGasLimitAsync(to, data, value, CancellationToken.None).ConfigureAwait(false);
        (BigInteger maxFee, BigInteger tip) = transaction.MaxFeePerGas is { } m
            ? (m.Value, transaction.MaxPriorityFeePerGas?.Value ?? BigInteger.Zero)
            : await FeesFor(transaction.MaxPriorityFeePerGas?.Value, CancellationToken.None).ConfigureAwait(false);
        var draft = new ManagedIntent { Id = 0, To = to, Value = value, Data = data, GasLimit = gas };
        return (await SignAsync(draft, (ulong)transaction.Nonce.Value, maxFee, tip, _time.GetUtcNow()).ConfigureAwait(false)).Raw.ToHex(true);
    }

    /// <summary>
    /// The gas limit to use: eth_estimateGas from this account times <see cref="DurableTransactionManagerOptions.GasLimitMarginPercent"/>,
    /// plus <see cref="DurableTransactionManagerOptions.GasLimitHeadroom"/> (Nethereum's contract handlers and Ether transfers take their gas from here). A revert throws a typed
    /// <see cref="ContractRevertException"/> decoded with <see cref="DurableTransactionManagerOptions.RevertDecoder"/>.
    /// </summary>
    public override async Task<HexBigInteger> EstimateGasAsync(CallInput callInput)
    {
        ArgumentNullException.ThrowIfNull(callInput);
        callInput.From ??= Address;
        try
        {
            HexBigInteger estimate = await new EthEstimateGas(Client).SendRequestAsync(callInput).ConfigureAwait(false);
            return new HexBigInteger(estimate.Value * _options.GasLimitMarginPercent / 100 + _options.GasLimitHeadroom);
        }
        catch (Exception e) when (_options.RevertDecoder.TryTranslate(e, out ContractRevertException revert))
        {
            throw revert;
        }
    }

    /// <summary>EIP-7702 authorisations are not supported by this manager.</summary>
    public override Task<Authorisation> SignAuthorisationAsync(Authorisation authorisation) =>
        throw new NotSupportedException("DurableTransactionManager sends type-2 (EIP-1559) transactions only; EIP-7702 authorisations are not supported.");

    /// <summary>Stops the monitor and closes the journal; pending intents stay in the journal and resume with the next manager.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
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
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (ManagedIntent intent in _pending.Values)
            {
                intent.Mined.TrySetException(new ObjectDisposedException(nameof(DurableTransactionManager),
                    $"The transaction manager was disposed while nonce {intent.Nonce} was pending; it stays in the journal and resumes with the next manager."));
            }

            _journal?.Dispose();
            ReleaseJournalLock();
        }
        finally
        {
            _gate.Release();
        }
    }

    internal async Task<TransactionReceipt> WaitForReceiptAsync(ManagedIntent intent, int confirmations, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(confirmations, 1);
        if (timeout is { } given && given <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            timeoutSource.CancelAfter(t);
        }

        CancellationToken token = timeoutSource.Token;
        using RpcCancellation.Scope scope = RpcCancellation.Use(token);
        try
        {
            while (true)
            {
                TransactionReceipt receipt = await intent.Mined.Task.WaitAsync(token).ConfigureAwait(false);
                if (confirmations == 1)
                {
                    return receipt;
                }

                BigInteger head = (await new EthBlockNumber(Client).SendRequestAsync().WaitAsync(token).ConfigureAwait(false)).Value;
                if (head + 1 >= receipt.BlockNumber.Value + confirmations)
                {
                    TransactionReceipt? again = await new EthGetTransactionReceipt(Client).SendRequestAsync(receipt.TransactionHash).WaitAsync(token).ConfigureAwait(false);
                    if (again is not null && string.Equals(again.BlockHash, receipt.BlockHash, StringComparison.OrdinalIgnoreCase))
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

    private async Task<DurableTransactionManager> StartOrReleaseAsync(BigInteger? accountChainId, CancellationToken cancellationToken)
    {
        try
        {
            await StartAsync(accountChainId, cancellationToken).ConfigureAwait(false);
            return this;
        }
        catch
        {
            ReleaseJournalLock();
            throw;
        }
    }

    private async Task StartAsync(BigInteger? accountChainId, CancellationToken cancellationToken)
    {
        TakeJournalLock();
        BigInteger chainId = _options.ChainId ?? accountChainId
                             ?? (await new EthChainId(Client).SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        ChainId = chainId;
        _journal = new TransactionJournal(_options.JournalPath, (ulong)chainId, Address);
        try
        {
            ulong chainPending = await GetNonceAsync(BlockParameter.CreatePending()).WaitAsync(cancellationToken).ConfigureAwait(false);
            ulong journalNext = _journal.GetNextNonce() ?? 0;
            _nextNonce = Math.Max(journalNext, chainPending);
            if (_nextNonce != journalNext)
            {
                _journal.SetNextNonce(_nextNonce);
            }

            DateTimeOffset now = _time.GetUtcNow();
            foreach (JournalIntent stored in _journal.LoadPending())
            {
                Track(FromJournal(stored, now));
            }

            LogStarted(Address, chainId, _nextNonce, _pending.Count, journalNext, chainPending);
        }
        catch
        {
            _journal.Dispose();
            throw;
        }

        _monitor = Task.Run(() => MonitorAsync(_stopping.Token));
    }

    private void TakeJournalLock()
    {
        if (!OpenJournals.TryAdd(_journalKey, 0))
        {
            throw new InvalidOperationException(
                $"Another DurableTransactionManager in this process already uses the journal {_journalKey}. Use one manager per signer and journal file (share it), or give each its own file.");
        }

        try
        {
            // FileShare.None takes an exclusive advisory lock (flock on Unix), so a manager in another process is refused too.
            _lockFile = new FileStream(_journalKey + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            OpenJournals.TryRemove(_journalKey, out _);
            throw new InvalidOperationException(
                $"The journal {_journalKey} is in use by another process (its lock file {_journalKey}.lock is held). One manager per signer and journal file.", e);
        }
    }

    private void ReleaseJournalLock()
    {
        if (_lockFile is { } file)
        {
            file.Dispose();
            _lockFile = null;
            OpenJournals.TryRemove(_journalKey, out _);
        }
    }

    private void Track(ManagedIntent intent)
    {
        _pending[intent.Id] = intent;
        _known[intent.Id] = intent;
        foreach (JournalAttempt attempt in intent.Attempts)
        {
            _byHash[attempt.Hash] = intent;
        }
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

    private (string? To, BigInteger Value, byte[] Data) Validate(TransactionInput input)
    {
        if (input.From is { } from && !string.Equals(from, Address, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The transaction is from {from}, but this manager signs for {Address} only.", nameof(input));
        }

        if (input.Nonce is not null)
        {
            throw new ArgumentException("The transaction carries a nonce, but DurableTransactionManager hands out its signer's nonces itself (leave Nonce empty).", nameof(input));
        }

        if (input.Type is { } type && type.Value != 2)
        {
            throw new NotSupportedException($"Transaction type {type.Value} is not supported: DurableTransactionManager sends type-2 (EIP-1559) transactions only.");
        }

        if (input.GasPrice is not null && input.MaxFeePerGas is null)
        {
            throw new NotSupportedException("A legacy gasPrice was given: DurableTransactionManager sends type-2 (EIP-1559) transactions only; set MaxFeePerGas/MaxPriorityFeePerGas or leave the fees empty.");
        }

        if (input.AccessList is { Count: > 0 } || input.AuthorisationList is { Count: > 0 })
        {
            throw new NotSupportedException("Access lists and EIP-7702 authorisation lists are not supported by DurableTransactionManager.");
        }

        string? to = string.IsNullOrEmpty(input.To) ? null : input.To;
        if (to is not null)
        {
            if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(to))
            {
                throw new ArgumentException($"'{to}' is not a 20-byte hex address.", nameof(input));
            }

            string body = to[2..];
            if (body.Any(char.IsUpper) && body.Any(char.IsLower) && !AddressUtil.Current.IsChecksumAddress(to))
            {
                throw new ArgumentException($"'{to}' is mixed-case but its EIP-55 checksum is wrong.", nameof(input));
            }
        }

        BigInteger value = input.Value?.Value ?? BigInteger.Zero;
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(input), value, "The value cannot be negative.");
        }

        byte[] data;
        try
        {
            data = string.IsNullOrEmpty(input.Data) || input.Data == "0x" ? [] : input.Data.HexToByteArray();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ArgumentException($"The transaction data is not hex: {e.Message}", nameof(input), e);
        }

        if (to is null && data.Length == 0)
        {
            throw new ArgumentException("A transaction without a recipient creates a contract and needs its init code as data.", nameof(input));
        }

        if (input.Gas is { } gas && (gas.Value <= 0 || gas.Value > ulong.MaxValue / 2))
        {
            throw new ArgumentOutOfRangeException(nameof(input), gas.Value, "The gas limit must be positive (and fit a block).");
        }

        if (input.MaxFeePerGas is { } maxFee)
        {
            if (maxFee.Value <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(input), maxFee.Value, "MaxFeePerGas must be positive.");
            }

            if (_options.MaxFeePerGasCap is { } cap && maxFee.Value > cap)
            {
                throw new ArgumentOutOfRangeException(nameof(input), maxFee.Value, $"MaxFeePerGas {maxFee.Value} is above this manager's cap {cap}.");
            }

            if (input.MaxPriorityFeePerGas is { } tip && tip.Value > maxFee.Value)
            {
                throw new ArgumentException($"MaxPriorityFeePerGas {tip.Value} is above MaxFeePerGas {maxFee.Value}.", nameof(input));
            }
        }

        if (input.MaxPriorityFeePerGas is { } priority && priority.Value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(input), priority.Value, "MaxPriorityFeePerGas cannot be negative.");
        }

        return (to, value, data);
    }

    private async Task<(BigInteger MaxFee, BigInteger Tip)> FeesFor(BigInteger? tip, CancellationToken cancellationToken)
    {
        if (tip is null)
        {
            Fee1559 fees = await SuggestFeesAsync(cancellationToken).ConfigureAwait(false);
            return (fees.MaxFeePerGas!.Value, fees.MaxPriorityFeePerGas!.Value);
        }

        Fee1559 suggested = await Fee1559SuggestionStrategy.SuggestFeeAsync(tip).WaitAsync(cancellationToken).ConfigureAwait(false);
        BigInteger maxFee = suggested.MaxFeePerGas ?? throw new InvalidOperationException("The fee suggestion strategy returned no maxFeePerGas.");
        if (_options.MaxFeePerGasCap is { } cap && maxFee > cap)
        {
            maxFee = cap;
        }

        return (maxFee, BigInteger.Min(tip.Value, maxFee));
    }

    private async Task<ulong> EstimateGasLimitAsync(string? to, byte[] data, BigInteger value, CancellationToken cancellationToken)
    {
        var call = new CallInput
        {
            From = Address,
            To = to,
            Data = data.Length == 0 ? null : data.ToHex(true),
            Value = value.IsZero ? null : new HexBigInteger(value),
        };
        HexBigInteger gasLimit = await EstimateGasAsync(call).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (ulong)gasLimit.Value;
    }

    private async Task<ulong> GetNonceAsync(BlockParameter block) =>
        (ulong)(await new EthGetTransactionCount(Client).SendRequestAsync(Address, block).ConfigureAwait(false)).Value;

    private async Task<JournalAttempt> SignAsync(ManagedIntent intent, ulong nonce, BigInteger maxFee, BigInteger tip, DateTimeOffset now)
    {
        var tx = new Transaction1559(ChainId!.Value, nonce, tip, maxFee, intent.GasLimit, intent.To, intent.Value,
            intent.Data.Length == 0 ? null : intent.Data.ToHex(true), null);
        byte[] raw;
        if (_signer is not null)
        {
            _signer.Sign(tx);
            raw = tx.GetRLPEncoded();
        }
        else
        {
            await new Transaction1559Signer().SignExternallyAsync(_externalSigner!, tx).ConfigureAwait(false);
            raw = tx.GetRLPEncoded();
        }

        string hash = Sha3Keccack.Current.CalculateHash(raw).ToHex(true);
        return new JournalAttempt(hash, raw, nonce, maxFee, tip, now);
    }
}
