using System.Net;
using System.Text.Json;

namespace AgentCluster.Evm.Rpc;

/// <summary>
/// The node answered a JSON-RPC request with an error object (<c>{"code": ..., "message": ..., "data": ...}</c>).
/// Never retried: the node understood the request and refused it. A revert of <c>eth_call</c>/<c>eth_estimateGas</c> is not
/// this type but a <see cref="AgentCluster.Evm.Abi.ContractRevertException"/>.
/// </summary>
public class RpcException : Exception
{
    public RpcException(string method, long code, string rpcMessage, JsonElement? data = null)
        : base($"{method} failed with JSON-RPC error {code}: {rpcMessage}")
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
        Data = data;
    }

    /// <summary>The JSON-RPC method that failed.</summary>
    public string Method { get; }

    /// <summary>The JSON-RPC error code (-32601 method not found, -32602 invalid params, 3 execution reverted, ...).</summary>
    public long Code { get; }

    /// <summary>The node's message, verbatim.</summary>
    public string RpcMessage { get; }

    /// <summary>The error's <c>data</c> member, when present.</summary>
    public new JsonElement? Data { get; }

    /// <summary>The node already has this exact transaction (geth "already known", anvil "transaction already imported").</summary>
    public bool IsAlreadyKnown => Mentions("already known", "known transaction", "already imported", "alreadyknown", "already in the mempool");

    /// <summary>The sender's nonce is already used on chain.</summary>
    public bool IsNonceTooLow => Mentions("nonce too low", "nonce is too low", "oldnonce", "invalid nonce", "nonce has already been used");

    /// <summary>A transaction with the same nonce is pending and this one does not pay enough more to replace it.</summary>
    public bool IsReplacementUnderpriced => Mentions("replacement transaction underpriced", "replacement fee too low", "replacementnotallowed");

    /// <summary>The sender cannot pay for gas * fee + value.</summary>
    public bool IsInsufficientFunds => Mentions("insufficient funds");

    /// <summary>An execution revert (code 3 or "execution reverted").</summary>
    public bool IsExecutionReverted => Code == 3 || Mentions("execution reverted", "reverted");

    /// <summary>eth_getLogs refused the range: too many results or too wide a block span.</summary>
    public bool IsLogRangeTooLarge =>
        Code == -32005 || Mentions("query returned more than", "too many", "response size", "block range", "range too large", "range is too large",
            "limit exceeded", "exceed maximum block range", "max results");

    private bool Mentions(params string[] fragments) =>
        fragments.Any(f => RpcMessage.Contains(f, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The request did not get a JSON-RPC answer: an HTTP error status, or a body that is not JSON-RPC.
/// <see cref="IsTransient"/> tells the retry policy whether trying again may help (5xx, 408, 429).
/// Connection failures surface as <see cref="HttpRequestException"/> and timeouts as <see cref="TimeoutException"/>.
/// </summary>
public class RpcTransportException : Exception
{
    public RpcTransportException(string message, HttpStatusCode? statusCode = null, bool isTransient = false, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        IsTransient = isTransient;
    }

    public HttpStatusCode? StatusCode { get; }

    public bool IsTransient { get; }
}
