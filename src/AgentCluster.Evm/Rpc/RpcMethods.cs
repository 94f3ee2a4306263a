using System.Text.Json;

namespace AgentCluster.Evm.Rpc;

/// <summary>Which JSON-RPC requests the resilience pipeline may repeat.</summary>
public static class RpcMethods
{
    /// <summary>
    /// False for methods whose repetition could do the work twice: <c>eth_sendTransaction</c> (the node signs with a fresh nonce
    /// each time), <c>personal_sendTransaction</c> and the test-node methods <c>evm_*</c>, <c>anvil_*</c>, <c>hardhat_*</c>.
    /// <c>eth_sendRawTransaction</c> may be repeated: the same bytes are the same transaction (same hash).
    /// </summary>
    public static bool MayRepeat(string? method) => method is not null
        && method != "eth_sendTransaction"
        && method != "personal_sendTransaction"
        && !method.StartsWith("evm_", StringComparison.Ordinal)
        && !method.StartsWith("anvil_", StringComparison.Ordinal)
        && !method.StartsWith("hardhat_", StringComparison.Ordinal);

    /// <summary>
    /// The methods of a JSON-RPC request body (one for a single request, each member's for a batch); an empty list when the
    /// body is not JSON-RPC (then the request is not repeated).
    /// </summary>
    public static IReadOnlyList<string> MethodsOf(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                return MethodOf(root) is { } method ? [method] : [];
            }

            if (root.ValueKind == JsonValueKind.Array)
            {
                var methods = new List<string>(root.GetArrayLength());
                foreach (JsonElement member in root.EnumerateArray())
                {
                    if (MethodOf(member) is not { } method)
                    {
                        return [];
                    }

                    methods.Add(method);
                }

                return methods;
            }
        }
        catch (JsonException)
        {
        }

        return [];
    }

    /// <summary>True when every request of the body may be repeated (and there is at least one).</summary>
    public static bool MayRepeatAll(IReadOnlyList<string> methods) => methods.Count > 0 && methods.All(MayRepeat);

    private static string? MethodOf(JsonElement request) =>
        request.ValueKind == JsonValueKind.Object && request.TryGetProperty("method", out JsonElement m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()
            : null;
}
