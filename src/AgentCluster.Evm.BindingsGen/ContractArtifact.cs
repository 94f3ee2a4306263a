using System.Text.Json;

namespace AgentCluster.Evm.BindingsGen;

/// <summary>One Foundry artifact (out/&lt;File&gt;.sol/&lt;Contract&gt;.json): the contract's name, its source, ABI and creation bytecode.</summary>
public sealed record ContractArtifact(string Name, string SourcePath, string ArtifactPath, JsonElement Abi, string? Bytecode, bool NeedsLinking)
{
    /// <summary>NatSpec <c>@notice</c> lines from the metadata's userdoc, keyed "method:sig", "event:sig", "error:sig" and "contract".</summary>
    public IReadOnlyDictionary<string, string> Notices { get; init; } = new Dictionary<string, string>();

    /// <summary>solc's <c>methodIdentifiers</c> ("transfer(address,uint256)" → "a9059cbb"); empty when the artifact has none.</summary>
    public IReadOnlyDictionary<string, string> MethodIdentifiers { get; init; } = new Dictionary<string, string>();

    /// <exception cref="FormatException">The file is not a Foundry/solc artifact with an <c>abi</c> array.</exception>
    public static ContractArtifact Load(string path)
    {
        string json = File.ReadAllText(path);
        try
        {
            return Parse(json, path);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON ({e.Message}).", e);
        }
    }

    public static ContractArtifact Parse(string json, string path)
    {
        using var document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("abi", out JsonElement abi) || abi.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{path}: not a Foundry artifact (no 'abi' array).");
        }

        string fallbackName = Path.GetFileNameWithoutExtension(path);
        (string source, string name) = CompilationTarget(root) ?? (AbsolutePath(root) ?? "", fallbackName);

        string? bytecode = null;
        bool needsLinking = false;
        if (root.TryGetProperty("bytecode", out JsonElement code))
        {
            JsonElement obj = code.ValueKind == JsonValueKind.Object && code.TryGetProperty("object", out JsonElement o) ? o : code;
            bytecode = obj.ValueKind == JsonValueKind.String ? obj.GetString() : null;
            needsLinking = code.ValueKind == JsonValueKind.Object && code.TryGetProperty("linkReferences", out JsonElement links)
                && links.ValueKind == JsonValueKind.Object && links.EnumerateObject().Any();
        }

        if (bytecode is not null && !bytecode.StartsWith("0x", StringComparison.Ordinal))
        {
            bytecode = "0x" + bytecode;
        }

        return new ContractArtifact(name, source, path, abi.Clone(), bytecode is { Length: > 2 } ? bytecode : null, needsLinking)
        {
            Notices = ReadNotices(root),
            MethodIdentifiers = root.TryGetProperty("methodIdentifiers", out JsonElement ids) && ids.ValueKind == JsonValueKind.Object
                ? ids.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
                : new Dictionary<string, string>(),
        };
    }

    /// <summary>metadata.settings.compilationTarget: {"contracts/evm/token/AccToken.sol": "AccToken"} (metadata may be a JSON string).</summary>
    private static (string Source, string Name)? CompilationTarget(JsonElement root)
    {
        if (!root.TryGetProperty("metadata", out JsonElement metadata))
        {
            return null;
        }

        if (metadata.ValueKind == JsonValueKind.String)
        {
            using var inner = JsonDocument.Parse(metadata.GetString()!);
            return FromMetadata(inner.RootElement);
        }

        return FromMetadata(metadata);

        static (string, string)? FromMetadata(JsonElement m) =>
            m.ValueKind == JsonValueKind.Object && m.TryGetProperty("settings", out JsonElement s) && s.ValueKind == JsonValueKind.Object
                && s.TryGetProperty("compilationTarget", out JsonElement t) && t.ValueKind == JsonValueKind.Object
                && t.EnumerateObject().FirstOrDefault() is { Value.ValueKind: JsonValueKind.String } target
                ? (target.Name, target.Value.GetString()!)
                : null;
    }

    private static Dictionary<string, string> ReadNotices(JsonElement root)
    {
        var notices = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("metadata", out JsonElement metadata) || metadata.ValueKind != JsonValueKind.Object
            || !metadata.TryGetProperty("output", out JsonElement output) || !output.TryGetProperty("userdoc", out JsonElement userdoc)
            || userdoc.ValueKind != JsonValueKind.Object)
        {
            return notices;
        }

        if (userdoc.TryGetProperty("notice", out JsonElement contractNotice) && contractNotice.ValueKind == JsonValueKind.String)
        {
            notices["contract"] = contractNotice.GetString()!;
        }

        foreach ((string member, string prefix) in new[] { ("methods", "method:"), ("events", "event:"), ("errors", "error:") })
        {
            if (!userdoc.TryGetProperty(member, out JsonElement entries) || entries.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (JsonProperty entry in entries.EnumerateObject())
            {
                // Errors carry a list (one entry per declaration), methods and events an object.
                JsonElement doc = entry.Value.ValueKind == JsonValueKind.Array ? entry.Value.EnumerateArray().FirstOrDefault() : entry.Value;
                if (doc.ValueKind == JsonValueKind.Object && doc.TryGetProperty("notice", out JsonElement notice) && notice.ValueKind == JsonValueKind.String)
                {
                    notices[prefix + entry.Name] = notice.GetString()!;
                }
            }
        }

        return notices;
    }

    private static string? AbsolutePath(JsonElement root) =>
        root.TryGetProperty("ast", out JsonElement ast) && ast.ValueKind == JsonValueKind.Object && ast.TryGetProperty("absolutePath", out JsonElement p)
            ? p.GetString()
            : null;
}
