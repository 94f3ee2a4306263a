using Nethereum.JsonRpc.Client;

namespace AgentCluster.Evm.Rpc;

/// <summary>
/// What a node's JSON-RPC error means, read from its code and message (nodes word these differently: geth, anvil, reth,
/// providers). Extension methods on Nethereum's <see cref="RpcResponseException"/>.
/// </summary>
public static class RpcErrorText
{
    /// <summary>The node already has this exact transaction (geth "already known", anvil "transaction already imported").</summary>
    public static bool IsAlreadyKnown(this RpcResponseException e) =>
        Mentions(e, "already known", "known transaction", "already imported", "alreadyknown", "already in the mempool");

    /// <summary>The sender's nonce is already used (anvil -32003 "nonce too low").</summary>
    public static bool IsNonceTooLow(this RpcResponseException e) =>
        Mentions(e, "nonce too low", "nonce is too low", "oldnonce", "nonce has already been used");

    /// <summary>eth_getLogs refused the request as too large: -32005, or a message about the range or the number of results.</summary>
    public static bool IsLogRangeTooLarge(this RpcResponseException e) =>
        e.RpcError?.Code == -32005 || Mentions(e, "range", "too many", "more than", "limit exceeded", "response size", "max results");

    private static bool Mentions(RpcResponseException e, params string[] fragments)
    {
        string text = e.RpcError?.Message ?? e.Message;
        return fragments.Any(f => text.Contains(f, StringComparison.OrdinalIgnoreCase));
    }
}
