using System.Numerics;
using System.Text.Json;
using AgentCluster.Cli.Evm;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Governance;

namespace AgentCluster.Cli.Gov;

/// <summary>
/// A proposal as a person writes it:
/// <c>{"description": "...", "calls": [{"target": "TaskMarket", "function": "setFoo(uint256 foo)", "args": [42], "value": "0"}]}</c>.
/// A target is a contract name of the deployment manifest or a 0x address; a call is a readable function signature and a JSON array
/// of its arguments (the same rules as <c>agentcluster evm abi-encode</c>); <c>value</c> (wei) is optional.
/// </summary>
internal static class ProposalFile
{
    private static readonly string[] TopFields = ["description", "calls"];
    private static readonly string[] CallFields = ["target", "function", "args", "value"];

    public static ProposalDraft Parse(string argument, string json, DeploymentManifest manifest)
    {
        JsonElement root = CliInput.ParseJson(argument, json);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CliInputException(argument, "A proposal file is a JSON object with \"description\" and \"calls\".");
        }

        RefuseUnknown(argument, root, TopFields, "the proposal");
        if (!root.TryGetProperty("description", out JsonElement description) || description.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(description.GetString()))
        {
            throw new CliInputException(argument, "\"description\" must be a non-empty string.");
        }

        if (!root.TryGetProperty("calls", out JsonElement calls) || calls.ValueKind != JsonValueKind.Array || calls.GetArrayLength() == 0)
        {
            throw new CliInputException(argument, "\"calls\" must be a non-empty array of {\"target\", \"function\", \"args\"}.");
        }

        var list = new List<ProposalCall>();
        int i = 0;
        foreach (JsonElement call in calls.EnumerateArray())
        {
            string where = $"calls[{i}]";
            if (call.ValueKind != JsonValueKind.Object)
            {
                throw new CliInputException(argument, $"{where} must be an object.");
            }

            RefuseUnknown(argument, call, CallFields, where);
            string target = Text(argument, call, "target", where);
            string address = target.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? CliInput.Parse(argument, () => AgentCluster.Evm.Validation.EvmInput.ParseAddress(target))
                : manifest.Contracts.TryGetValue(target, out string? known)
                    ? known
                    : throw new CliInputException(argument, $"{where}.target: the manifest has no contract '{target}'; it has {string.Join(", ", manifest.Contracts.Keys.Order(StringComparer.Ordinal))}.");
            string function = Text(argument, call, "function", where);
            (SolSignature? signature, IReadOnlyList<SolParameter> inputs) = EvmCommands.ParseSignature($"{argument} {where}.function", function);
            if (signature is null)
            {
                throw new CliInputException(argument, $"{where}.function needs a name, such as 'setFoo(uint256)'.");
            }

            JsonElement args = call.TryGetProperty("args", out JsonElement a) ? a : JsonDocument.Parse("[]").RootElement;
            object[] values = CliInput.Parse($"{argument} {where}.args", () => AbiJson.ToValues(inputs, args));
            byte[] data = [.. signature.Selector, .. CliInput.Parse($"{argument} {where}.args", () => EvmCommands.Encode(inputs, values))];
            BigInteger value = call.TryGetProperty("value", out JsonElement v) ? CliInput.Integer(v, $"{where}.value") : BigInteger.Zero;
            if (value < 0)
            {
                throw new CliInputException(argument, $"{where}.value must not be negative.");
            }

            list.Add(new ProposalCall(address, value, data));
            i++;
        }

        return new ProposalDraft(list, description.GetString()!);
    }

    private static string Text(string argument, JsonElement call, string field, string where) =>
        call.TryGetProperty(field, out JsonElement e) && e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString())
            ? e.GetString()!
            : throw new CliInputException(argument, $"{where}.{field} must be a non-empty string.");

    private static void RefuseUnknown(string argument, JsonElement obj, string[] known, string where)
    {
        foreach (JsonProperty p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name, StringComparer.Ordinal))
            {
                throw new CliInputException(argument, $"{where} has an unknown field \"{p.Name}\" (known: {string.Join(", ", known)}).");
            }
        }
    }
}
