using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Eth.Transactions;
using Nethereum.Util;

namespace AgentCluster.Evm.Rpc;

/// <summary>
/// Nethereum <see cref="RequestInterceptor"/> that makes <c>eth_sendRawTransaction</c> idempotent. When an answer is lost and
/// the same bytes are sent again (by the retry pipeline or by the caller), the node says "nonce too low", "already known" or
/// "transaction already imported": if <c>eth_getTransactionByHash(keccak(raw))</c> then finds the transaction, the send
/// succeeded and its hash is returned; otherwise the node's error stands. Other requests pass through untouched.
/// Set on <c>ClientBase.OverridingRequestInterceptor</c> (one slot; Nethereum's Web3 leaves it free).
/// </summary>
public sealed class IdempotentRawSendInterceptor(IClient client, ILogger? logger = null) : RequestInterceptor
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The client the transaction is looked up with.</summary>
    public IClient Client { get; } = client ?? throw new ArgumentNullException(nameof(client));

    /// <inheritdoc />
    public override async Task<object> InterceptSendRequestAsync<T>(Func<RpcRequest, string, Task<T>> interceptedSendRequestAsync,
        RpcRequest request, string? route = null)
    {
        try
        {
            return (await interceptedSendRequestAsync(request, route!).ConfigureAwait(false))!;
        }
        catch (RpcResponseException e) when (IsRawSend(request.Method, request.RawParameters, typeof(T)) && MayBeKnown(e))
        {
            return await FindOrRethrow(e, (string)request.RawParameters[0]).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task<object> InterceptSendRequestAsync<T>(Func<string, string, object[], Task<T>> interceptedSendRequestAsync,
        string method, string? route = null, params object[] paramList)
    {
        try
        {
            return (await interceptedSendRequestAsync(method, route!, paramList).ConfigureAwait(false))!;
        }
        catch (RpcResponseException e) when (IsRawSend(method, paramList, typeof(T)) && MayBeKnown(e))
        {
            return await FindOrRethrow(e, (string)paramList[0]).ConfigureAwait(false);
        }
    }

    /// <summary>keccak256 of the signed transaction bytes: the transaction hash.</summary>
    public static string TransactionHash(string signedTransactionHex) =>
        Sha3Keccack.Current.CalculateHash(signedTransactionHex.HexToByteArray()).ToHex(true);

    private static bool IsRawSend(string method, object[]? parameters, Type resultType) =>
        method == "eth_sendRawTransaction" && parameters is [string, ..] && resultType.IsAssignableFrom(typeof(string));

    private static bool MayBeKnown(RpcResponseException e) => e.IsNonceTooLow() || e.IsAlreadyKnown();

    private async Task<object> FindOrRethrow(RpcResponseException refusal, string raw)
    {
        string hash = TransactionHash(raw);
        Transaction? known = await new EthGetTransactionByHash(Client).SendRequestAsync(hash).ConfigureAwait(false);
        if (known?.TransactionHash is { } found && string.Equals(found, hash, StringComparison.OrdinalIgnoreCase))
        {
            RpcLog.RawSendAlreadyKnown(_logger, hash, refusal.RpcError?.Message ?? refusal.Message);
            return hash;
        }

        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(refusal);
        throw refusal; // unreachable
    }
}
