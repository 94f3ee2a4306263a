using System.Collections;
using System.Text.Json;
using AgentCluster.Evm.Validation;
using Nethereum.ABI.EIP712;
using Nethereum.Util;

namespace AgentCluster.Cli.Evm;

/// <summary>
/// eth_signTypedData_v4 JSON for Nethereum's EIP-712 encoder. The JSON is checked first (shape, every struct field present,
/// addresses strict, nesting bounded), then read by <see cref="TypedDataRawJsonConversion"/> and normalised: Nethereum's JSON path
/// leaves the items of <c>bytes32[]</c>, <c>bytes4[]</c>, <c>bytes[]</c> as strings and then encodes them as UTF-8 text (a wrong
/// digest, or an error for 32-byte values), so hex items of bytes arrays are turned into byte arrays before encoding.
/// </summary>
internal static class TypedDataJson
{
    /// <summary>The deepest nesting of structs and arrays in a message that is accepted.</summary>
    public const int MaxDepth = SolSignatureParser.MaxDepth;

    /// <exception cref="FormatException">What is wrong with the typed data, with the path of the value.</exception>
    public static TypedDataRaw Parse(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 * MaxDepth + 8 });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new FormatException($"Typed data is not valid JSON: {e.Message}", e);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Typed data must be a JSON object with types, primaryType, domain and message; got {CliInput.Describe(root)}.");
        }

        foreach (string field in (string[])["types", "primaryType", "domain", "message"])
        {
            if (!root.TryGetProperty(field, out _))
            {
                throw new FormatException($"Typed data is missing '{field}'.");
            }
        }

        JsonElement types = root.GetProperty("types");
        if (types.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("Typed data 'types' must be an object of struct definitions.");
        }

        var definitions = new Dictionary<string, (string Name, string Type)[]>(StringComparer.Ordinal);
        foreach (JsonProperty type in types.EnumerateObject())
        {
            if (type.Value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"types.{type.Name} must be an array of {{name, type}}.");
            }

            definitions[type.Name] = type.Value.EnumerateArray().Select((member, i) =>
                member.ValueKind == JsonValueKind.Object && member.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String &&
                member.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String
                    ? (n.GetString()!, t.GetString()!)
                    : throw new FormatException($"types.{type.Name}[{i}] must be an object with string 'name' and 'type'.")).ToArray();
        }

        if (root.GetProperty("primaryType") is not { ValueKind: JsonValueKind.String } primary || !definitions.ContainsKey(primary.GetString()!))
        {
            throw new FormatException("Typed data 'primaryType' must name one of its types.");
        }

        if (definitions.ContainsKey("EIP712Domain"))
        {
            CheckStruct(definitions, "EIP712Domain", root.GetProperty("domain"), "domain", 0);
        }

        CheckStruct(definitions, primary.GetString()!, root.GetProperty("message"), "message", 0);

        TypedDataRaw raw;
        try
        {
            raw = TypedDataRawJsonConversion.DeserialiseJsonToRawTypedData(json);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"Typed data could not be read: {e.Message}", e);
        }

        Normalise(raw.Message);
        Normalise(raw.DomainRawValues);
        return raw;
    }

    /// <summary>The EIP-712 digest keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)), by Nethereum's encoder and Keccak.</summary>
    /// <exception cref="FormatException">Nethereum refused a value.</exception>
    public static byte[] Hash(TypedDataRaw data)
    {
        try
        {
            return Sha3Keccack.Current.CalculateHash(Eip712TypedDataEncoder.Current.EncodeTypedDataRaw(data));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"Typed data could not be encoded: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    private static void CheckStruct(Dictionary<string, (string Name, string Type)[]> definitions, string type, JsonElement value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"{path}: typed data nests structs and arrays more than {MaxDepth} levels deep.");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path} ({type}): expected an object, got {CliInput.Describe(value)}.");
        }

        foreach (var (name, memberType) in definitions[type])
        {
            if (!value.TryGetProperty(name, out JsonElement member))
            {
                throw new FormatException($"{path}.{name} ({memberType}) is missing.");
            }

            CheckValue(definitions, memberType, member, $"{path}.{name}", depth + 1);
        }
    }

    private static void CheckValue(Dictionary<string, (string Name, string Type)[]> definitions, string type, JsonElement value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"{path}: typed data nests structs and arrays more than {MaxDepth} levels deep.");
        }

        if (type.EndsWith(']'))
        {
            string element = type[..type.LastIndexOf('[')];
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{path} ({type}): expected an array, got {CliInput.Describe(value)}.");
            }

            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                CheckValue(definitions, element, item, $"{path}[{i++}]", depth + 1);
            }
        }
        else if (definitions.ContainsKey(type))
        {
            CheckStruct(definitions, type, value, path, depth);
        }
        else if (type == "address")
        {
            string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{path} (address): expected a 0x-hex address, got {CliInput.Describe(value)}.");
            try
            {
                EvmInput.ParseAddress(text);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path} (address): {e.Message}", e);
            }
        }
        else if (type.StartsWith("bytes", StringComparison.Ordinal) && value.ValueKind == JsonValueKind.String)
        {
            try
            {
                EvmInput.ParseHex(value.GetString()!);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path} ({type}): {e.Message}", e);
            }
        }
    }

    /// <summary>Hex strings inside arrays of bytes types become byte arrays (what Nethereum's typed path passes).</summary>
    private static void Normalise(IEnumerable<MemberValue>? members)
    {
        foreach (MemberValue member in members ?? [])
        {
            if (member.TypeName.StartsWith("bytes", StringComparison.Ordinal) && member.TypeName.EndsWith(']') && member.Value is IList list)
            {
                member.Value = BytesItems(list);
            }
            else if (member.Value is MemberValue[] inner)
            {
                Normalise(inner);
            }
            else if (member.Value is IList items)
            {
                NormaliseStructs(items);
            }
        }
    }

    private static void NormaliseStructs(IList items)
    {
        foreach (object? item in items)
        {
            switch (item)
            {
                case MemberValue[] inner:
                    Normalise(inner);
                    break;
                case IList nested:
                    NormaliseStructs(nested);
                    break;
            }
        }
    }

    private static List<object?> BytesItems(IList list)
    {
        var result = new List<object?>(list.Count);
        foreach (object? item in list)
        {
            result.Add(item switch
            {
                string hex => EvmInput.ParseHex(hex),
                IList nested => BytesItems(nested),
                _ => item,
            });
        }

        return result;
    }
}
