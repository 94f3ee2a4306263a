using System.Globalization;
using System.Text.Json;

namespace AgentCluster.Evm.BindingsGen;

/// <summary>One ABI parameter as the artifact spells it, with the <c>internalType</c> that names structs and enums.</summary>
internal sealed record AbiParam(string Name, string Type, string? InternalType, IReadOnlyList<AbiParam> Components, bool Indexed)
{
    public static IReadOnlyList<AbiParam> List(JsonElement item, string member) =>
        item.TryGetProperty(member, out JsonElement list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(From).ToArray()
            : [];

    private static AbiParam From(JsonElement p) => new(
        p.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? "" : "",
        Normalise(p.GetProperty("type").GetString() ?? throw new FormatException("An ABI parameter has no type.")),
        p.TryGetProperty("internalType", out JsonElement t) ? t.GetString() : null,
        List(p, "components"),
        p.TryGetProperty("indexed", out JsonElement i) && i.ValueKind == JsonValueKind.True);

    /// <summary><c>uint</c>/<c>int</c> (with any array suffix) to <c>uint256</c>/<c>int256</c>, as in selectors.</summary>
    private static string Normalise(string type)
    {
        int bracket = type.IndexOf('[', StringComparison.Ordinal);
        string head = bracket < 0 ? type : type[..bracket];
        string tail = bracket < 0 ? "" : type[bracket..];
        return (head switch { "uint" => "uint256", "int" => "int256", "byte" => "bytes1", _ => head }) + tail;
    }

    /// <summary>The element type without array suffixes (<c>tuple</c>, <c>uint64</c>).</summary>
    public string BaseType => Type.IndexOf('[', StringComparison.Ordinal) is var b and >= 0 ? Type[..b] : Type;

    /// <summary>The canonical type, as in selectors: tuples as <c>(T1,T2)</c> with the array suffix.</summary>
    public string Canonical => BaseType == "tuple"
        ? "(" + string.Join(",", Components.Select(c => c.Canonical)) + ")" + Type["tuple".Length..]
        : Type;

    public bool IsEnum => InternalType is { } t && t.StartsWith("enum ", StringComparison.Ordinal);

    /// <summary>An indexed string, bytes, array or struct of an event: the log holds only its Keccak-256 hash.</summary>
    public bool IsHashedWhenIndexed => Type.Contains('[', StringComparison.Ordinal) || BaseType == "tuple" || Type is "string" or "bytes";

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

    /// <summary>The first four bytes of Keccak-256 of the signature, lower-case hex without 0x (the whole hash for events).</summary>
    public string Hash => Nethereum.Util.Sha3Keccack.Current.CalculateHash(Signature);

    public string Selector => Hash[..8];

    public bool IsReadOnly => StateMutability is "view" or "pure";
}

/// <summary>A Solidity type as the generator maps it to C#.</summary>
internal abstract record TypeRef
{
    /// <summary>Builds the type of <paramref name="p"/>; tuples resolve through <paramref name="structOf"/>.</summary>
    public static TypeRef Of(AbiParam p, Func<AbiParam, StructModel> structOf)
    {
        string baseType = p.BaseType;
        TypeRef type = baseType == "tuple" ? new TupleRef(structOf(p)) : new ElementaryRef(baseType, p.IsEnum);
        int bracket = p.Type.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            foreach (string dim in p.Type[bracket..].Split('[', StringSplitOptions.RemoveEmptyEntries))
            {
                string length = dim.TrimEnd(']');
                type = new ArrayRef(type, length.Length == 0 ? null : int.Parse(length, CultureInfo.InvariantCulture));
            }
        }

        return type;
    }

    public bool ContainsTuple => this switch
    {
        TupleRef => true,
        ArrayRef a => a.Element.ContainsTuple,
        _ => false,
    };
}

internal sealed record ElementaryRef(string Type, bool IsEnum) : TypeRef;

internal sealed record ArrayRef(TypeRef Element, int? Length) : TypeRef;

internal sealed record TupleRef(StructModel Struct) : TypeRef;

/// <summary>An indexed string, bytes, array or struct of an event: Nethereum hands its topic (the hash) over as a hex string.</summary>
internal sealed record IndexedHashRef : TypeRef;

/// <summary>A Solidity struct (a named tuple) and the C# class generated for it.</summary>
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
