using System.Text.Json;
using AgentCluster.Evm.Abi;

namespace AgentCluster.Evm.BindingsGen;

/// <summary>One ABI parameter as the artifact spells it, with the <c>internalType</c> that names structs.</summary>
internal sealed record AbiParam(string Name, string Type, string? InternalType, IReadOnlyList<AbiParam> Components, bool Indexed)
{
    public static IReadOnlyList<AbiParam> List(JsonElement item, string member) =>
        item.TryGetProperty(member, out JsonElement list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(From).ToArray()
            : [];

    private static AbiParam From(JsonElement p) => new(
        p.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? "" : "",
        p.GetProperty("type").GetString() ?? throw new FormatException("An ABI parameter has no type."),
        p.TryGetProperty("internalType", out JsonElement t) ? t.GetString() : null,
        List(p, "components"),
        p.TryGetProperty("indexed", out JsonElement i) && i.ValueKind == JsonValueKind.True);

    /// <summary>The canonical type, as in selectors: tuples as <c>(T1,T2)</c> with the array suffix.</summary>
    public string Canonical => Type.StartsWith("tuple", StringComparison.Ordinal)
        ? "(" + string.Join(",", Components.Select(c => c.Canonical)) + ")" + Type["tuple".Length..]
        : AbiType.Parse(Type).CanonicalName;

    public AbiType AbiType => AbiType.Parse(Canonical);

    /// <summary>The struct's Solidity name (<c>ITaskMarket.Task</c>) for a tuple parameter, without the array suffix.</summary>
    public string? StructName
    {
        get
        {
            if (InternalType is not { } t || !t.StartsWith("struct ", StringComparison.Ordinal))
            {
                return null;
            }

            string name = t["struct ".Length..];
            int bracket = name.IndexOf('[', StringComparison.Ordinal);
            return bracket < 0 ? name : name[..bracket];
        }
    }
}

/// <summary>One item of a contract's ABI.</summary>
internal sealed record AbiItem(string Kind, string Name, IReadOnlyList<AbiParam> Inputs, IReadOnlyList<AbiParam> Outputs, string StateMutability, bool Anonymous)
{
    public static IReadOnlyList<AbiItem> List(JsonElement abi) => abi.EnumerateArray().Select(item =>
    {
        string kind = item.TryGetProperty("type", out JsonElement t) ? t.GetString() ?? "function" : "function";
        string mutability = item.TryGetProperty("stateMutability", out JsonElement m) ? m.GetString() ?? "nonpayable"
            : item.TryGetProperty("constant", out JsonElement c) && c.ValueKind == JsonValueKind.True ? "view"
            : item.TryGetProperty("payable", out JsonElement p) && p.ValueKind == JsonValueKind.True ? "payable" : "nonpayable";
        return new AbiItem(kind, item.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? "" : "", AbiParam.List(item, "inputs"),
            AbiParam.List(item, "outputs"), mutability, item.TryGetProperty("anonymous", out JsonElement a) && a.ValueKind == JsonValueKind.True);
    }).ToArray();

    /// <summary>name(T1,T2): the signature the selector or topic is hashed from.</summary>
    public string Signature => Name + "(" + string.Join(",", Inputs.Select(p => p.Canonical)) + ")";

    public bool IsReadOnly => StateMutability is "view" or "pure";

    public bool IsPayable => StateMutability == "payable";
}

/// <summary>A Solidity type as the generator maps it to C#.</summary>
internal abstract record TypeRef
{
    /// <summary>Builds the type of <paramref name="p"/>; tuples resolve through <paramref name="structOf"/>.</summary>
    public static TypeRef Of(AbiParam p, Func<AbiParam, StructModel> structOf)
    {
        int bracket = p.Type.IndexOf('[', StringComparison.Ordinal);
        string baseType = bracket < 0 ? p.Type : p.Type[..bracket];
        TypeRef type = baseType == "tuple" ? new TupleRef(structOf(p)) : new ElementaryRef(AbiType.Parse(baseType));
        if (bracket >= 0)
        {
            foreach (string dim in p.Type[bracket..].Split('[', StringSplitOptions.RemoveEmptyEntries))
            {
                string length = dim.TrimEnd(']');
                type = new ArrayRef(type, length.Length == 0 ? null : int.Parse(length, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return type;
    }
}

internal sealed record ElementaryRef(AbiType Type) : TypeRef;

internal sealed record ArrayRef(TypeRef Element, int? Length) : TypeRef;

internal sealed record TupleRef(StructModel Struct) : TypeRef;

/// <summary>An indexed string, bytes, array or struct of an event: the log holds only its Keccak-256 hash.</summary>
internal sealed record IndexedHashRef : TypeRef;

/// <summary>A Solidity struct (a named tuple) and the C# record generated for it.</summary>
internal sealed class StructModel(string key, string solidityName, IReadOnlyList<AbiParam> components, string canonical)
{
    /// <summary>The qualified Solidity name (<c>ITaskMarket.Task</c>), or a name made from where an unnamed tuple appears.</summary>
    public string Key { get; } = key;

    public string SolidityName { get; } = solidityName;

    public IReadOnlyList<AbiParam> Components { get; } = components;

    public string Canonical { get; } = canonical;

    public string CsName { get; set; } = "";

    public List<(string Property, TypeRef Type)> Fields { get; } = [];
}
