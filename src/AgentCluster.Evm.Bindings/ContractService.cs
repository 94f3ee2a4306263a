using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.TransactionManagement;

namespace AgentCluster.Evm.Bindings;

/// <summary>
/// The base of every generated <c>&lt;Contract&gt;Service</c>: one deployed contract at <see cref="Address"/>, read through
/// <see cref="Client"/> and written through <see cref="TransactionManager"/> (the one way this codebase sends transactions).
/// Reverts decode with <see cref="RevertDecoder"/>, which knows the contract's custom errors and those of every other contract of
/// the suite (a revert can bubble up from a callee).
/// </summary>
public abstract class ContractService
{
    protected ContractService(EthRpcClient client, Address address, TransactionManager? transactionManager, RevertDecoder revertDecoder)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(revertDecoder);
        if (address.IsZero)
        {
            throw new ArgumentException("A contract service needs the contract's address, not the zero address.", nameof(address));
        }

        Client = client;
        Address = address;
        TransactionManager = transactionManager;
        RevertDecoder = revertDecoder;
    }

    public EthRpcClient Client { get; }

    public Address Address { get; }

    /// <summary>The signer's transaction manager; null for a read-only service (sends then throw <see cref="InvalidOperationException"/>).</summary>
    public TransactionManager? TransactionManager { get; }

    public RevertDecoder RevertDecoder { get; }

    /// <summary>eth_call of <paramref name="calldata"/> (from the manager's signer when there is one) and the decoded outputs.</summary>
    /// <exception cref="ContractRevertException">The call reverted (custom errors decoded).</exception>
    protected async Task<object?[]> CallFunctionAsync(AbiFunction function, byte[] calldata, BlockParameter block, CancellationToken cancellationToken)
    {
        var call = new CallRequest { From = TransactionManager?.Sender, To = Address, Data = calldata };
        byte[] output = await Client.CallAsync(call, block, RevertDecoder, cancellationToken).ConfigureAwait(false);
        if (output.Length == 0 && function.Outputs.Count > 0)
        {
            byte[] code = await Client.GetCodeAsync(Address, block, cancellationToken).ConfigureAwait(false);
            if (code.Length == 0)
            {
                throw new InvalidOperationException($"{function.Name}: there is no contract at {Address} (empty code), so the call returned nothing.");
            }
        }

        return function.DecodeOutput(output);
    }

    /// <summary>Sends <paramref name="calldata"/> to the contract through the transaction manager.</summary>
    /// <exception cref="ContractRevertException">Gas estimation reverted (custom errors decoded); no nonce was used.</exception>
    protected Task<TransactionHandle> SendFunctionAsync(string function, byte[] calldata, bool payable, SendOptions? options, CancellationToken cancellationToken)
    {
        if (!payable && options is { Value.IsZero: false })
        {
            throw new ArgumentException($"{function} is not payable: SendOptions.Value must be zero (it is {options.Value}).", nameof(options));
        }

        TransactionManager manager = TransactionManager
            ?? throw new InvalidOperationException($"{function}: this {GetType().Name} is read-only; create it with a TransactionManager to send transactions.");
        return SendAsync(manager, Address, calldata, options, RevertDecoder, cancellationToken);
    }

    /// <summary>Deploys <paramref name="creationCode"/> (bytecode + encoded constructor arguments) and waits for the receipt.</summary>
    /// <exception cref="ContractRevertException">The constructor reverts in gas estimation.</exception>
    /// <exception cref="TransactionFailedException">The creation was mined but failed.</exception>
    protected static async Task<TransactionReceipt> DeployContractAsync(string contract, TransactionManager transactionManager, byte[] creationCode, bool payable,
        SendOptions? options, RevertDecoder revertDecoder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionManager);
        if (!payable && options is { Value.IsZero: false })
        {
            throw new ArgumentException($"The constructor of {contract} is not payable: SendOptions.Value must be zero (it is {options.Value}).", nameof(options));
        }

        TransactionHandle handle = await SendAsync(transactionManager, null, creationCode, options, revertDecoder, cancellationToken).ConfigureAwait(false);
        TransactionReceipt receipt = await handle.WaitForReceiptAsync(1, options?.ReceiptTimeout ?? SendOptions.DefaultReceiptTimeout, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded || receipt.ContractAddress is null)
        {
            throw new TransactionFailedException($"The deployment of {contract} was mined but failed (transaction {receipt.TransactionHash}, gas used {receipt.GasUsed}).", receipt);
        }

        return receipt;
    }

    /// <summary>The <paramref name="logs"/> emitted by this contract that are <paramref name="abiEvent"/>, decoded.</summary>
    protected IReadOnlyList<EventLog<TEvent>> DecodeEvents<TEvent>(IEnumerable<LogEntry> logs, AbiEvent abiEvent, Func<DecodedEvent, TEvent> map)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var events = new List<EventLog<TEvent>>();
        foreach (LogEntry log in logs)
        {
            if (log.Address == Address && log.Topics.Count > 0 && log.Topics[0] == abiEvent.Topic0)
            {
                events.Add(new EventLog<TEvent>(map(abiEvent.DecodeLog(log.Topics, log.Data)), log));
            }
        }

        return events;
    }

    /// <summary>eth_getLogs for <paramref name="abiEvent"/> of this contract (paged by the client), decoded.</summary>
    protected async Task<IReadOnlyList<EventLog<TEvent>>> GetEventsAsync<TEvent>(AbiEvent abiEvent, Func<DecodedEvent, TEvent> map, BlockParameter? fromBlock,
        BlockParameter? toBlock, CancellationToken cancellationToken)
    {
        var filter = new LogFilter
        {
            FromBlock = fromBlock ?? BlockParameter.Earliest,
            ToBlock = toBlock ?? BlockParameter.Latest,
            Addresses = [Address],
            Topics = [[abiEvent.Topic0]],
        };
        IReadOnlyList<LogEntry> logs = await Client.GetLogsAsync(filter, cancellationToken).ConfigureAwait(false);
        return DecodeEvents(logs, abiEvent, map);
    }

    /// <summary>The revert decoder of a contract: its own errors win over the suite's on a (practically impossible) selector clash.</summary>
    protected static RevertDecoder CreateRevertDecoder(IEnumerable<AbiError> suiteErrors, IEnumerable<AbiError> ownErrors) => new(suiteErrors.Concat(ownErrors));

    private static async Task<TransactionHandle> SendAsync(TransactionManager manager, Address? to, byte[] data, SendOptions? options, RevertDecoder revertDecoder,
        CancellationToken cancellationToken)
    {
        try
        {
            return await manager.SendAsync(to, data, options?.Value ?? default, options?.GasLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException e) when (e.ErrorName is null && e.GetType() == typeof(ContractRevertException) && e.RevertData.Length >= 4)
        {
            // The manager decodes with its own (usually empty) error list; this contract's errors are known here.
            ContractRevertException decoded = revertDecoder.Decode(e.RevertData);
            if (decoded.ErrorName is null)
            {
                throw;
            }

            throw decoded;
        }
    }
}

/// <summary>Per-transaction options of a generated send or deployment.</summary>
public sealed record SendOptions
{
    internal static readonly TimeSpan DefaultReceiptTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Wei sent along; only payable functions and constructors accept a non-zero value.</summary>
    public UInt256 Value { get; init; }

    /// <summary>A fixed gas limit; null estimates it (a revert then throws before any nonce is used).</summary>
    public ulong? GasLimit { get; init; }

    /// <summary>How long a deployment waits for its receipt (default 5 minutes).</summary>
    public TimeSpan? ReceiptTimeout { get; init; }
}

/// <summary>A decoded event and the log it came from (block, transaction, log index).</summary>
public sealed record EventLog<TEvent>(TEvent Event, LogEntry Log);

/// <summary>A transaction that was mined with status 0.</summary>
public sealed class TransactionFailedException(string message, TransactionReceipt receipt) : Exception(message)
{
    public TransactionReceipt Receipt { get; } = receipt;
}
