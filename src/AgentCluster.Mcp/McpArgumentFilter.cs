using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentCluster.Mcp;

/// <summary>
/// Checks a tool call's arguments against the tool's input schema before the tool runs: every required argument present (not null),
/// no unknown argument, and each value of the JSON type the schema names. Without it the MCP SDK's binder would refuse such a call with
/// a generic "An error occurred invoking" text that does not say which argument was wrong.
/// </summary>
internal static class McpArgumentFilter
{
    internal static McpRequestHandler<CallToolRequestParams, CallToolResult> Wrap(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (context, cancellationToken) =>
        {
            if (context.MatchedPrimitive is McpServerTool tool && context.Params is { } call && Check(call.Name, tool.ProtocolTool.InputSchema, call.Arguments) is { } problem)
            {
                return McpToolRunner.Error(problem);
            }

            return await next(context, cancellationToken).ConfigureAwait(false);
        };

    /// <summary>What is wrong with <paramref name="arguments"/> for <paramref name="schema"/>, or null.</summary>
    internal static string? Check(string tool, JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        JsonElement properties = schema.TryGetProperty("properties", out JsonElement p) ? p : default;
        if (schema.TryGetProperty("required", out JsonElement required))
        {
            foreach (JsonElement name in required.EnumerateArray())
            {
                string n = name.GetString()!;
                if (!arguments.TryGetValue(n, out JsonElement value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    return $"{tool}: bad argument {n}: is required.";
                }
            }
        }

        if (properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach ((string name, JsonElement value) in arguments)
        {
            if (!properties.TryGetProperty(name, out JsonElement property))
            {
                string known = string.Join(", ", properties.EnumerateObject().Select(o => o.Name));
                return $"{tool}: bad argument {name}: this tool has no such argument (it takes {known}).";
            }

            if (value.ValueKind == JsonValueKind.Null || !property.TryGetProperty("type", out JsonElement type))
            {
                continue;
            }

            string[] types = type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!];
            if (!types.Any(t => Fits(t, value)))
            {
                return $"{tool}: bad argument {name}: expected {string.Join(" or ", types.Where(t => t != "null").Select(Describe))}, got {Describe(value)}.";
            }

            if (types.Contains("array") && property.TryGetProperty("items", out JsonElement items) && items.TryGetProperty("type", out JsonElement itemType)
                && itemType.ValueKind == JsonValueKind.String && value.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    if (!Fits(itemType.GetString()!, item))
                    {
                        return $"{tool}: bad argument {name}: item {i} should be {Describe(itemType.GetString()!)}, got {Describe(item)}.";
                    }

                    i++;
                }
            }
        }

        return null;
    }

    private static bool Fits(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Describe(string type) => type switch
    {
        "string" => "a string",
        "number" => "a number",
        "integer" => "a whole number",
        "boolean" => "true or false",
        "array" => "an array",
        "object" => "an object",
        _ => type,
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{(value.GetString()!.Length > 40 ? value.GetString()![..37] + "..." : value.GetString())}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
