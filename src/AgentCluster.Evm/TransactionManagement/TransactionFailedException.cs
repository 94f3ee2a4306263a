using System.Numerics;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>
/// A transaction was mined but failed (receipt status 0): its effects were undone and its gas was paid. This happens after a successful
/// estimate when the state changed before it was mined (another transaction came first) or when it ran out of gas. The receipt is kept.
/// </summary>
public sealed class TransactionFailedException : Exception
{
    /// <summary>The failure of the transaction of <paramref name="receipt"/>, sent with <paramref name="gasLimit"/> (null: unknown).</summary>
    public TransactionFailedException(TransactionReceipt receipt, BigInteger? gasLimit)
        : base(Describe(receipt, gasLimit))
    {
        Receipt = receipt;
        GasLimit = gasLimit;
    }

    /// <summary>The receipt (status 0).</summary>
    public TransactionReceipt Receipt { get; }

    /// <summary>The hash of the failed transaction.</summary>
    public string TransactionHash => Receipt.TransactionHash;

    /// <summary>The gas limit it was sent with, when the node still knows the transaction.</summary>
    public BigInteger? GasLimit { get; }

    /// <summary>True when it used its whole gas limit: it ran out of gas rather than reverting on its own.</summary>
    public bool OutOfGas => GasLimit is { } limit && Receipt.GasUsed?.Value >= limit;

    private static string Describe(TransactionReceipt receipt, BigInteger? gasLimit)
    {
        string used = receipt.GasUsed is null ? "unknown gas" : $"{receipt.GasUsed.Value} gas";
        string cause = gasLimit is { } limit && receipt.GasUsed?.Value >= limit
            ? $"it ran out of gas ({used} of its limit {limit})"
            : $"it reverted on-chain ({used}{(gasLimit is { } l ? $" of its limit {l}" : "")}) although its estimate succeeded: the state changed before it was mined";
        return $"Transaction {receipt.TransactionHash} failed in block {receipt.BlockNumber?.Value}: {cause}. Nothing it did took effect; its gas was paid.";
    }
}
