using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Errors;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Matchmaking;
using ModelContextProtocol.Protocol;
using Nethereum.JsonRpc.Client;

namespace AgentCluster.Mcp;

/// <summary>
/// Runs a tool's body and turns every failure into an MCP tool error result (<c>isError: true</c>, the message as its text) that
/// says what was wrong: the argument and the problem,
/// the custom error a contract reverted with and its arguments, an unknown task or agent, a read-only server. Never a stack trace: the
/// log writer gets the details of anything unexpected.
/// </summary>
internal sealed class McpToolRunner(TextWriter log)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly Lock _logGate = new();

    internal async Task<CallToolResult> RunAsync(string tool, Func<Task<JsonObject>> body, CancellationToken ct)
    {
        try
        {
            JsonObject result = await body().ConfigureAwait(false);
            return new CallToolResult { Content = [new TextContentBlock { Text = result.ToJsonString(Indented) }] };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            string message = Explain(tool, e);
            Log(message, e is McpToolInputException or ContractRevertException or AgentClusterException ? null : e);
            return Error(message);
        }
    }

    /// <summary>A tool error result with <paramref name="message"/> as its text.</summary>
    internal static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

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
        ContractCustomErrorException custom => $"{tool}: the contract reverted with {custom.ErrorName}({RenderArguments(custom)}).",
        ContractRevertException revert => $"{tool}: the contract reverted ({revert.Message}).",
        ReadOnlyClientException readOnly => $"{tool}: {readOnly.Message}",
        AgentClusterException sdk => $"{tool}: {sdk.Message}",
        CapabilityHashMismatchException mismatch => $"{tool}: {mismatch.Message}",
        ArgumentException argument => $"{tool}: bad argument: {WithoutParameterSuffix(argument)}",
        FormatException format => $"{tool}: bad argument: {format.Message}",
        InvalidOperationException invalid => $"{tool}: {invalid.Message}",
        RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException => $"{tool}: the node did not answer ({e.Message}).",
        OperationCanceledException => $"{tool}: cancelled or timed out.",
        _ => $"{tool}: failed ({e.GetType().Name}: {e.Message}).",
    };

    private static string WithoutParameterSuffix(ArgumentException e)
    {
        string message = e.Message.Split('\n')[0];
        string suffix = e.ParamName is { } name ? $" (Parameter '{name}')" : "";
        return suffix.Length > 0 && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }

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
