using System.Numerics;
using Nethereum.JsonRpc.Client;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>
/// The node refused a new transaction for good (insufficient funds, intrinsic gas too low, fee below the base fee, ...). The
/// <see cref="DurableTransactionManager"/> gave its nonce back, so the next transaction does not wait behind a gap; nothing was
/// sent. The node's error is the inner <see cref="RpcResponseException"/>.
/// </summary>
public sealed class TransactionRefusedException : Exception
{
    /// <summary>The refusal of the transaction <paramref name="transactionHash"/> from <paramref name="from"/> at <paramref name="nonce"/>.</summary>
    public TransactionRefusedException(string from, BigInteger nonce, string transactionHash, RpcResponseException inner)
        : base($"The node refused transaction {transactionHash} from {from} at nonce {nonce}: {inner.RpcError?.Message} (code {inner.RpcError?.Code}). Its nonce was given back.", inner)
    {
        From = from;
        Nonce = nonce;
        TransactionHash = transactionHash;
        RpcError = inner.RpcError;
    }

    /// <summary>The sender.</summary>
    public string From { get; }

    /// <summary>The nonce the refused transaction had (handed out again to the next transaction).</summary>
    public BigInteger Nonce { get; }

    /// <summary>The hash of the refused signed transaction.</summary>
    public string TransactionHash { get; }

    /// <summary>The node's JSON-RPC error.</summary>
    public RpcError? RpcError { get; }
}
