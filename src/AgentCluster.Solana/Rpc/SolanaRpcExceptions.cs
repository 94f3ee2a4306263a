namespace AgentCluster.Solana.Rpc;

/// <summary>The node answered with a JSON-RPC error (or with something that is no JSON-RPC answer).</summary>
public class SolanaRpcException : Exception
{
    /// <summary>An error of <paramref name="method"/>: the node's code, message and data (raw JSON, or null).</summary>
    public SolanaRpcException(string method, int code, string rpcMessage, string? data)
        : base($"{method}: JSON-RPC error {code}: {rpcMessage}")
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
        ErrorData = data;
    }

    /// <summary>The method called.</summary>
    public string Method { get; }

    /// <summary>The JSON-RPC error code (e.g. -32602 bad params, -32002 a failed preflight; 0 when the answer was no JSON-RPC).</summary>
    public int Code { get; }

    /// <summary>The node's message.</summary>
    public string RpcMessage { get; }

    /// <summary>The error's <c>data</c> as raw JSON, or null.</summary>
    public string? ErrorData { get; }
}

/// <summary>
/// sendTransaction's preflight simulation failed (JSON-RPC error -32002): the transaction was not sent. Carries the decoded
/// error (the failing instruction's index and the program's custom code) and the simulation's logs.
/// </summary>
public sealed class TransactionSimulationException : SolanaRpcException
{
    /// <summary>A failed preflight.</summary>
    public TransactionSimulationException(string method, int code, string rpcMessage, string? data, TransactionError? error,
        IReadOnlyList<string> logs, ulong? unitsConsumed)
        : base(method, code, rpcMessage, data)
    {
        Error = error;
        Logs = logs;
        UnitsConsumed = unitsConsumed;
    }

    /// <summary>The transaction error the simulation ended with (null if the node gave none).</summary>
    public TransactionError? Error { get; }

    /// <summary>The failing instruction's index, when the error is an instruction error.</summary>
    public int? InstructionIndex => Error?.InstructionIndex;

    /// <summary>The program's custom error code, when the error is <c>{"InstructionError":[i,{"Custom":n}]}</c>.</summary>
    public uint? CustomCode => Error?.CustomCode;

    /// <summary>The simulation's log lines.</summary>
    public IReadOnlyList<string> Logs { get; }

    /// <summary>Compute units the simulation consumed, if the node said.</summary>
    public ulong? UnitsConsumed { get; }
}

/// <summary>The node could not be reached (connection refused, timeouts, HTTP 5xx/408/429) after every attempt the options allow.</summary>
public sealed class SolanaNodeUnreachableException : Exception
{
    /// <summary>The node at <paramref name="url"/> did not answer <paramref name="method"/> in <paramref name="attempts"/> attempts.</summary>
    public SolanaNodeUnreachableException(Uri url, string method, int attempts, Exception? inner)
        : base($"The Solana node at {url.GetLeftPart(UriPartial.Authority)} is unreachable: {method} failed after {attempts} attempt(s)"
            + (inner is null ? "." : $" ({inner.GetType().Name}: {inner.Message})."), inner)
    {
        Url = url;
        Method = method;
        Attempts = attempts;
    }

    /// <summary>The node's URL (the message names only its scheme, host and port: a path or query may carry an API key).</summary>
    public Uri Url { get; }

    /// <summary>The method called.</summary>
    public string Method { get; }

    /// <summary>How many attempts were made.</summary>
    public int Attempts { get; }
}
