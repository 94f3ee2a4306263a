using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Eth.Exceptions;
using Nethereum.RPC.Eth.Transactions;
using Nethereum.RPC.TransactionReceipts;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>
/// Nethereum's receipt seam (<see cref="ITransactionReceiptService"/>) for a <see cref="DurableTransactionManager"/>: given any hash
/// an intent ever had, it waits on EVERY version of that intent, so a replaced or re-signed transaction still returns the receipt
/// of the version that was mined (Nethereum's <see cref="TransactionReceiptPollingService"/> would wait for ever on a replaced
/// hash). It waits for <see cref="DurableTransactionManagerOptions.ReceiptConfirmations"/> and throws a
/// <see cref="TimeoutException"/> after <see cref="DurableTransactionManagerOptions.ReceiptTimeout"/>. The hash of an intent
/// mined long ago (no longer in memory) is looked up in the journal; a hash the manager never sent is polled directly, with the
/// same bounds. Contract handlers, generated services, deployments and <c>*AndWaitForReceiptAsync</c> all come through here.
/// </summary>
public sealed class DurableTransactionReceiptService : ITransactionReceiptService
{
    private readonly DurableTransactionManager _manager;
    private TimeSpan? _pollInterval;

    /// <summary>The receipt service of <paramref name="manager"/> (the manager creates one and assigns it itself).</summary>
    public DurableTransactionReceiptService(DurableTransactionManager manager)
    {
        _manager = manager ?? throw new ArgumentNullException(nameof(manager));
    }

    private TimeSpan PollInterval => _pollInterval ?? _manager.Options.PollInterval;

    /// <inheritdoc />
    public async Task<TransactionReceipt> PollForReceiptAsync(string transaction, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(transaction);
        DurableTransactionManagerOptions options = _manager.Options;
        if (_manager.FindIntent(transaction) is { } intent)
        {
            return await intent.WaitForReceiptAsync(options.ReceiptConfirmations, options.ReceiptTimeout, cancellationToken).ConfigureAwait(false);
        }

        // An intent mined long ago (no longer in memory): the journal knows which of its hashes was mined.
        string hash = await _manager.FindMinedHashAsync(transaction, cancellationToken).ConfigureAwait(false) ?? transaction;
        return await PollForeignAsync(hash, options.ReceiptConfirmations, options.ReceiptTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TransactionReceipt> SendRequestAndWaitForReceiptAsync(TransactionInput transactionInput, CancellationToken cancellationToken = default)
    {
        TransactionIntent intent = await _manager.SendAsync(transactionInput, cancellationToken).ConfigureAwait(false);
        return await SucceededAsync(
            await intent.WaitForReceiptAsync(_manager.Options.ReceiptConfirmations, _manager.Options.ReceiptTimeout, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TransactionReceipt> SendRequestAndWaitForReceiptAsync(Func<Task<string>> transactionFunction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionFunction);
        string hash = await transactionFunction().ConfigureAwait(false);
        return await SucceededAsync(await PollForReceiptAsync(hash, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<List<TransactionReceipt>> SendRequestsAndWaitForReceiptAsync(IEnumerable<TransactionInput> transactionInputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionInputs);
        var intents = new List<TransactionIntent>();
        foreach (TransactionInput input in transactionInputs)
        {
            intents.Add(await _manager.SendAsync(input, cancellationToken).ConfigureAwait(false));
        }

        var receipts = new List<TransactionReceipt>(intents.Count);
        foreach (TransactionIntent intent in intents)
        {
            receipts.Add(await SucceededAsync(
                await intent.WaitForReceiptAsync(_manager.Options.ReceiptConfirmations, _manager.Options.ReceiptTimeout, cancellationToken).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false));
        }

        return receipts;
    }

    /// <inheritdoc />
    public async Task<List<TransactionReceipt>> SendRequestsAndWaitForReceiptAsync(IEnumerable<Func<Task<string>>> transactionFunctions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionFunctions);
        var hashes = new List<string>();
        foreach (Func<Task<string>> function in transactionFunctions)
        {
            hashes.Add(await function().ConfigureAwait(false));
        }

        var receipts = new List<TransactionReceipt>(hashes.Count);
        foreach (string hash in hashes)
        {
            receipts.Add(await SucceededAsync(await PollForReceiptAsync(hash, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false));
        }

        return receipts;
    }

    /// <inheritdoc />
    public async Task<TransactionReceipt> DeployContractAndWaitForReceiptAsync(Func<Task<string>> deployFunction, CancellationToken cancellationToken = default)
    {
        TransactionReceipt receipt = await SendRequestAndWaitForReceiptAsync(deployFunction, cancellationToken).ConfigureAwait(false);
        return await ValidateDeploymentTransactionReceipt(receipt).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TransactionReceipt> DeployContractAndWaitForReceiptAsync(TransactionInput transactionInput, CancellationToken cancellationToken = default)
    {
        TransactionReceipt receipt = await SendRequestAndWaitForReceiptAsync(transactionInput, cancellationToken).ConfigureAwait(false);
        return await ValidateDeploymentTransactionReceipt(receipt).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<string> DeployContractAndGetAddressAsync(Func<Task<string>> deployFunction, CancellationToken cancellationToken = default)
    {
        TransactionReceipt receipt = await DeployContractAndWaitForReceiptAsync(deployFunction, cancellationToken).ConfigureAwait(false);
        return receipt.ContractAddress;
    }

    /// <summary>
    /// The receipt when the transaction succeeded; with <see cref="DurableTransactionManagerOptions.ThrowOnFailedTransaction"/>, a status-0
    /// receipt throws <see cref="TransactionFailedException"/> (its gas limit read from the node, to say whether it ran out of gas).
    /// </summary>
    private async Task<TransactionReceipt> SucceededAsync(TransactionReceipt receipt, CancellationToken cancellationToken)
    {
        if (!_manager.Options.ThrowOnFailedTransaction || receipt.Status is null || receipt.Status.Value != 0)
        {
            return receipt;
        }

        Transaction? sent = await new EthGetTransactionByHash(_manager.Client).SendRequestAsync(receipt.TransactionHash).WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        throw new TransactionFailedException(receipt, sent?.Gas?.Value);
    }

    /// <inheritdoc />
    public int GetPollingRetryIntervalInMilliseconds() => (int)PollInterval.TotalMilliseconds;

    /// <inheritdoc />
    public void SetPollingRetryIntervalInMilliseconds(int retryMilliseconds)
    {
        if (retryMilliseconds is < 10 or > 60_000)
        {
            throw new ArgumentOutOfRangeException(nameof(retryMilliseconds), retryMilliseconds, "The polling interval must be between 10 ms and 1 minute.");
        }

        _pollInterval = TimeSpan.FromMilliseconds(retryMilliseconds);
    }

    /// <summary>A deployment whose transaction failed, or that left no contract address, throws Nethereum's <see cref="ContractDeploymentException"/>.</summary>
    public Task<TransactionReceipt> ValidateDeploymentTransactionReceipt(TransactionReceipt transactionReceipt)
    {
        ArgumentNullException.ThrowIfNull(transactionReceipt);
        if (transactionReceipt.Status?.Value != 1 || string.IsNullOrEmpty(transactionReceipt.ContractAddress))
        {
            throw new ContractDeploymentException(
                $"Deployment transaction {transactionReceipt.TransactionHash} failed (status {transactionReceipt.Status?.Value}, contract address '{transactionReceipt.ContractAddress}').",
                transactionReceipt);
        }

        return Task.FromResult(transactionReceipt);
    }

    private async Task<TransactionReceipt> PollForeignAsync(string hash, int confirmations, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        CancellationToken token = timeoutSource.Token;
        var getReceipt = new EthGetTransactionReceipt(_manager.Client);
        var getBlockNumber = new Nethereum.RPC.Eth.Blocks.EthBlockNumber(_manager.Client);
        try
        {
            while (true)
            {
                try
                {
                    TransactionReceipt? receipt = await getReceipt.SendRequestAsync(hash).WaitAsync(token).ConfigureAwait(false);
                    if (receipt?.BlockNumber is HexBigInteger block)
                    {
                        HexBigInteger head = await getBlockNumber.SendRequestAsync().WaitAsync(token).ConfigureAwait(false);
                        if (head.Value + 1 >= block.Value + confirmations)
                        {
                            return receipt;
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException && e is not Nethereum.JsonRpc.Client.RpcResponseException)
                {
                    // The node is unreachable for a moment: keep polling within the timeout.
                }

                await Task.Delay(PollInterval, _manager.Time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeoutSource.IsCancellationRequested)
        {
            throw new TimeoutException($"Transaction {hash} was not confirmed {confirmations} time(s) within {timeout}.");
        }
    }
}
