using System.Text.Json;

namespace AgentCluster.Evm.Abi;

/// <summary>
/// A contract's JSON ABI (the <c>abi</c> array solc and Foundry artifacts carry): functions, events, custom errors and the
/// constructor's inputs. The whole artifact object is accepted too (its <c>abi</c> member is used).
/// </summary>
public sealed class ContractAbi
{
    private ContractAbi(IReadOnlyList<AbiFunction> functions, IReadOnlyList<AbiEvent> events, IReadOnlyList<AbiError> errors, IReadOnlyList<AbiParameter> constructorInputs)
    {
        Functions = functions;
        Events = events;
        Errors = errors;
        ConstructorInputs = constructorInputs;
    }

    public IReadOnlyList<AbiFunction> Functions { get; }

    public IReadOnlyList<AbiEvent> Events { get; }

    public IReadOnlyList<AbiError> Errors { get; }

    public IReadOnlyList<AbiParameter> ConstructorInputs { get; }

    /// <summary>A <see cref="RevertDecoder"/> that knows this contract's custom errors.</summary>
    public RevertDecoder CreateRevertDecoder() => new(Errors);

    /// <summary>The function with this name; overloads need <see cref="Functions"/> and a signature.</summary>
    /// <exception cref="KeyNotFoundException">No such function, or the name is overloaded.</exception>
    public AbiFunction Function(string name)
    {
        var matches = Functions.Where(f => f.Name == name || f.Signature == name).ToArray();
        return matches.Length == 1 ? matches[0]
            : throw new KeyNotFoundException(matches.Length == 0 ? $"The ABI has no function '{name}'." : $"Function '{name}' is overloaded; use one of: {string.Join(", ", matches.Select(m => m.Signature))}.");
    }

    public AbiEvent Event(string name) =>
        Events.SingleOrDefault(e => e.Name == name || e.Signature == name) ?? throw new KeyNotFoundException($"The ABI has no single event '{name}'.");

    /// <exception cref="FormatException">Invalid JSON or an entry that is not a valid ABI item.</exception>
    public static ContractAbi Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("abi", out JsonElement abi))
            {
                root = abi;
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("A JSON ABI must be an array of items (or an artifact object with an 'abi' array).");
            }

            var functions = new List<AbiFunction>();
            var events = new List<AbiEvent>();
            var errors = new List<AbiError>();
            IReadOnlyList<AbiParameter> constructorInputs = [];
            foreach (JsonElement item in root.EnumerateArray())
            {
                string kind = item.TryGetProperty("type", out JsonElement t) ? t.GetString() ?? "function" : "function";
                string name = item.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? "" : "";
                var inputs = Parameters(item, "inputs");
                switch (kind)
                {
                    case "function":
                        functions.Add(new AbiFunction(name, inputs, Parameters(item, "outputs")));
                        break;
                    case "event":
                        events.Add(new AbiEvent(name, inputs, item.TryGetProperty("anonymous", out JsonElement a) && a.ValueKind == JsonValueKind.True));
                        break;
                    case "error":
                        errors.Add(new AbiError(name, inputs));
                        break;
                    case "constructor":
                        constructorInputs = inputs;
                        break;
                }
            }

            return new ContractAbi(functions, events, errors, constructorInputs);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The ABI is not valid JSON: {e.Message}", e);
        }
    }

    private static IReadOnlyList<AbiParameter> Parameters(JsonElement item, string member)
    {
        if (!item.TryGetProperty(member, out JsonElement list) || list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return list.EnumerateArray().Select(p =>
        {
            string type = p.GetProperty("type").GetString() ?? throw new FormatException("An ABI parameter has no type.");
            string? name = p.TryGetProperty("name", out JsonElement n) ? n.GetString() : null;
            bool indexed = p.TryGetProperty("indexed", out JsonElement i) && i.ValueKind == JsonValueKind.True;
            AbiType abiType = type.StartsWith("tuple", StringComparison.Ordinal)
                ? TupleWithSuffix(new TupleType(Parameters(p, "components")), type["tuple".Length..])
                : AbiType.Parse(type);
            return new AbiParameter(abiType, string.IsNullOrEmpty(name) ? null : name, indexed);
        }).ToArray();
    }

    private static AbiType TupleWithSuffix(TupleType tuple, string suffix)
    {
        AbiType type = tuple;
        foreach (string part in suffix.Split('[', StringSplitOptions.RemoveEmptyEntries))
        {
            string length = part.TrimEnd(']');
            type = length.Length == 0 ? new ArrayType(type) : new ArrayType(type, int.Parse(length, System.Globalization.CultureInfo.InvariantCulture));
        }

        return type;
    }
}
