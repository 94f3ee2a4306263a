using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Errors;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Matchmaking;
using ModelContextProtocol;
using Nethereum.JsonRpc.Client;

namespace AgentCluster.Mcp;

/// <summary>
/// Runs a tool's body and turns every failure into an MCP tool error (<see cref="McpException"/>, which the MCP SDK sends back as a
/// <c>CallToolResult</c> with <c>isError: true</c> and the message as its text) that says what was wrong: the argument and the problem,
/// the custom error a contract reverted with and its arguments, an unknown task or agent, a read-only server. Never a stack trace: the
/// log writer gets the details of anything unexpected.
/// </summary>
internal sealed class McpToolRunner(TextWriter log)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly Lock _logGate = new();

    internal async Task<string> RunAsync(string tool, Func<Task<JsonObject>> body, CancellationToken ct)
    {
        try
        {
            JsonObject result = await body().ConfigureAwait(false);
            return result.ToJsonString(Indented);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            string message = Explain(tool, e);
            Log($"{tool}: {message}", e is McpToolInputException or ContractRevertException or AgentClusterException ? null : e);
            throw new McpException(message, e);
        }
    }

    internal void Log(string line, Exception? detail = null)
    {
        lock (_logGate)
        {
            log.WriteLine($"[agentcluster mcp] {line}");
            if (detail is not null)
            {
                log.WriteLine(detail.ToString());
            }

            log.Flush();
        }
    }

    /// <summary>The text the client sees for <paramref name="e"/>.</summary>
    internal static string Explain(string tool, Exception e) => e switch
    {
        McpToolInputException input => $"{tool}: bad argument {input.Message}",
        ContractCustomErrorException custom => $"{tool}: the contract reverted with {custom.ErrorName}({RenderArguments(custom)}). {custom.Message}",
        ContractRevertException revert => $"{tool}: the contract reverted. {revert.Message}",
        ReadOnlyClientException readOnly => $"{tool}: {readOnly.Message}",
        AgentClusterException sdk => $"{tool}: {sdk.Message}",
        CapabilityHashMismatchException mismatch => $"{tool}: {mismatch.Message}",
        ArgumentException argument => $"{tool}: bad argument: {argument.Message}",
        FormatException format => $"{tool}: bad argument: {format.Message}",
        InvalidOperationException invalid => $"{tool}: {invalid.Message}",
        RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException => $"{tool}: the node did not answer ({e.Message}).",
        OperationCanceledException => $"{tool}: cancelled or timed out.",
        _ => $"{tool}: failed ({e.GetType().Name}: {e.Message}).",
    };

    private static string RenderArguments(ContractCustomErrorException e)
    {
        var names = e.Abi.InputParameters.OrderBy(p => p.Order).Select(p => p.Name).ToList();
        return string.Join(", ", e.Arguments.Select((a, i) => $"{(i < names.Count && !string.IsNullOrEmpty(names[i]) ? names[i] + ": " : "")}{Render(a)}"));
    }

    private static string Render(object? value) => value switch
    {
        null => "null",
        byte[] bytes => Nethereum.Hex.HexConvertors.Extensions.HexByteConvertorExtensions.ToHex(bytes, true),
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>().Select(Render)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
