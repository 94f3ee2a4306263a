using System.Numerics;
using AgentCluster.Evm.Rpc;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Sdk.Agents;

/// <summary>An agent id that the registry does not know (checked on-chain before anything is sent).</summary>
public sealed class UnknownAgentException(BigInteger agentId)
    : AgentClusterException($"Agent {agentId} is not registered in the AgentRegistry of this deployment (statusOf is None).")
{
    /// <summary>The agent id asked about.</summary>
    public BigInteger AgentId { get; } = agentId;
}

/// <summary>The signer's ACC balance cannot pay what an operation pulls (checked before any approval or transaction is sent).</summary>
public sealed class InsufficientAccException(string operation, BigInteger needed, BigInteger available)
    : AgentClusterException($"{operation} needs {needed} wei of ACC but the signer holds {available} wei.")
{
    /// <summary>Wei of ACC the operation pulls.</summary>
    public BigInteger Needed { get; } = needed;

    /// <summary>Wei of ACC the signer holds.</summary>
    public BigInteger Available { get; } = available;
}

/// <summary>
/// A transaction was mined but failed (status 0) although its gas estimate passed: the state changed in between, or it ran out of gas.
/// Nothing it did took effect; its gas was paid. The EVM layer's <see cref="AgentCluster.Evm.TransactionManagement.TransactionFailedException"/>
/// (gas limit, out of gas or not) is the inner exception when the durable transaction manager reported it.
/// </summary>
public sealed class TransactionFailedException : AgentClusterException
{
    /// <summary>The failure of <paramref name="operation"/>'s transaction, seen in <paramref name="receipt"/>.</summary>
    public TransactionFailedException(string operation, TransactionReceipt receipt, Exception? inner = null)
        : base(inner is null
            ? $"{operation}: transaction {receipt.TransactionHash} was mined in block {receipt.BlockNumber?.Value} but failed (status 0)."
            : $"{operation}: {inner.Message}", inner)
    {
        Receipt = receipt;
    }

    /// <summary>The failed transaction's receipt.</summary>
    public TransactionReceipt Receipt { get; }
}

/// <summary>Shared plumbing of the agents, staking, reputation and earnings sub-clients.</summary>
internal static class SdkCalls
{
    /// <summary>An agent id is its key's address as a number: 1 .. 2^160 - 1.</summary>
    internal static readonly BigInteger MaxAgentId = (BigInteger.One << 160) - 1;

    internal static void ValidateAgentId(BigInteger agentId, string paramName = "agentId")
    {
        if (agentId <= 0 || agentId > MaxAgentId)
        {
            throw new ArgumentOutOfRangeException(paramName, agentId,
                "An agent id is the agent key's address as a number: between 1 and 2^160 - 1.");
        }
    }

    internal static void ValidatePositive(BigInteger amount, string paramName)
    {
        if (amount <= 0)
        {
            throw new ArgumentOutOfRangeException(paramName, amount, $"{paramName} must be a positive amount of ACC in wei, not {amount}.");
        }
    }

    internal static Task<T> ReadAsync<T>(Func<Task<T>> call, CancellationToken ct) => RpcCancellation.RunAsync(call, ct);

    internal static async Task<TransactionReceipt> SendAsync(string operation, Func<CancellationToken, Task<TransactionReceipt>> send, CancellationToken ct)
    {
        TransactionReceipt receipt;
        try
        {
            receipt = await RpcCancellation.RunAsync(() => send(ct), ct).ConfigureAwait(false);
        }
        catch (AgentCluster.Evm.TransactionManagement.TransactionFailedException e)
        {
            throw new TransactionFailedException(operation, e.Receipt, e);
        }

        if (!receipt.Succeeded())
        {
            throw new TransactionFailedException(operation, receipt);
        }

        return receipt;
    }

    /// <summary>The registry's status of <paramref name="agentId"/>; throws <see cref="UnknownAgentException"/> for None.</summary>
    internal static async Task<AgentStatus> RequireRegisteredAsync(AgentClusterClient client, BigInteger agentId, CancellationToken ct)
    {
        var status = (AgentStatus)await ReadAsync(() => client.Contracts.Registry.StatusOfQueryAsync(agentId), ct).ConfigureAwait(false);
        return status == AgentStatus.None ? throw new UnknownAgentException(agentId) : status;
    }

    /// <summary>
    /// Makes sure <paramref name="spender"/> may pull <paramref name="amount"/> ACC from the signer: checks the balance (typed
    /// exception when short), and sends an ERC-20 approve of exactly the amount when the allowance is smaller. The approval's
    /// receipt, or null when none was needed.
    /// </summary>
    internal static async Task<TransactionReceipt?> EnsureAllowanceAsync(AgentClusterClient client, string owner, string spender, BigInteger amount,
        string operation, CancellationToken ct)
    {
        BigInteger balance = await ReadAsync(() => client.Contracts.Token.BalanceOfQueryAsync(owner), ct).ConfigureAwait(false);
        if (balance < amount)
        {
            throw new InsufficientAccException(operation, amount, balance);
        }

        BigInteger allowance = await ReadAsync(() => client.Contracts.Token.AllowanceQueryAsync(owner, spender), ct).ConfigureAwait(false);
        if (allowance >= amount)
        {
            return null;
        }

        return await SendAsync($"{operation} (ACC approve)", c => client.Contracts.Token.ApproveRequestAndWaitForReceiptAsync(spender, amount, c), ct)
            .ConfigureAwait(false);
    }

    /// <summary>The latest block's timestamp (the chain's clock, which a test node may have moved).</summary>
    internal static async Task<ulong> ChainTimeAsync(AgentClusterClient client, CancellationToken ct)
    {
        BlockWithTransactionHashes block = await ReadAsync(
            () => client.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()), ct).ConfigureAwait(false);
        return (ulong)block.Timestamp.Value;
    }

    internal static DateTimeOffset FromUnix(BigInteger seconds) => DateTimeOffset.FromUnixTimeSeconds((long)seconds);

    internal static DateTimeOffset? FromUnixOrNull(BigInteger seconds) => seconds == 0 ? null : FromUnix(seconds);

    internal static TEvent? SingleEvent<TEvent>(TransactionReceipt receipt)
        where TEvent : class, new()
    {
        List<EventLog<TEvent>> events = receipt.DecodeAllEvents<TEvent>();
        return events.Count == 0 ? null : events[0].Event;
    }
}
