using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace AgentCluster.Evm.Eip712;

/// <summary>One field of an EIP-712 struct type: <c>{ "name": "wallet", "type": "address" }</c>.</summary>
public sealed record MemberDescription(string Name, string Type);

/// <summary>
/// EIP-712 typed data as <c>eth_signTypedData_v4</c> takes it: types, primaryType, domain, message.
/// Values are plain .NET objects: structs as <see cref="IReadOnlyDictionary{TKey,TValue}"/> of string to object,
/// arrays as lists, integers as <see cref="BigInteger"/> (or decimal/0x strings, as JSON wallets send them),
/// addresses as <see cref="Address"/> or strings, bytes as byte[] or 0x strings.
/// If <see cref="Types"/> has no <c>EIP712Domain</c>, it is inferred from the domain's fields (name, version, chainId,
/// verifyingContract, salt, in that order), as viem and ethers do.
/// </summary>
public sealed class TypedData
{
    public const string DomainTypeName = "EIP712Domain";

    private static readonly (string Name, string Type)[] DomainFields =
        [("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32")];

    public TypedData(
        IReadOnlyDictionary<string, IReadOnlyList<MemberDescription>> types,
        string primaryType,
        IReadOnlyDictionary<string, object?> domain,
        IReadOnlyDictionary<string, object?> message)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentException.ThrowIfNullOrEmpty(primaryType);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(message);
        if (!types.ContainsKey(DomainTypeName))
        {
            var inferred = DomainFields.Where(f => domain.ContainsKey(f.Name)).Select(f => new MemberDescription(f.Name, f.Type)).ToArray();
            types = new Dictionary<string, IReadOnlyList<MemberDescription>>(types) { [DomainTypeName] = inferred };
        }

        if (!types.ContainsKey(primaryType))
        {
            throw new ArgumentException($"primaryType '{primaryType}' is not one of the declared types ({string.Join(", ", types.Keys)}).", nameof(primaryType));
        }

        Types = types;
        PrimaryType = primaryType;
        Domain = domain;
        Message = message;
    }

    public IReadOnlyDictionary<string, IReadOnlyList<MemberDescription>> Types { get; }

    public string PrimaryType { get; }

    public IReadOnlyDictionary<string, object?> Domain { get; }

    public IReadOnlyDictionary<string, object?> Message { get; }

    /// <summary>Parses the JSON object that eth_signTypedData_v4 takes (a JSON string of it is accepted too).</summary>
    /// <exception cref="FormatException">Invalid JSON or a missing/ill-typed member; the message names it.</exception>
    public static TypedData Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
            if (root.ValueKind == JsonValueKind.String)
            {
                using var inner = JsonDocument.Parse(root.GetString()!);
                root = inner.RootElement.Clone();
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"Typed data is not valid JSON: {e.Message}", e);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Typed data must be a JSON object, got {root.ValueKind}.");
        }

        JsonElement typesElement = Member(root, "types", JsonValueKind.Object);
        var types = new Dictionary<string, IReadOnlyList<MemberDescription>>(StringComparer.Ordinal);
        foreach (JsonProperty type in typesElement.EnumerateObject())
        {
            if (type.Value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"types.{type.Name} must be an array of {{name, type}}.");
            }

            types[type.Name] = type.Value.EnumerateArray().Select((m, i) =>
            {
                if (m.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"types.{type.Name}[{i}] must be an object with name and type.");
                }

                return new MemberDescription(Member(m, "name", JsonValueKind.String).GetString()!, Member(m, "type", JsonValueKind.String).GetString()!);
            }).ToArray();
        }

        string primaryType = Member(root, "primaryType", JsonValueKind.String).GetString()!;
        var domain = (IReadOnlyDictionary<string, object?>)ToValue(Member(root, "domain", JsonValueKind.Object))!;
        var message = (IReadOnlyDictionary<string, object?>)ToValue(Member(root, "message", JsonValueKind.Object))!;
        try
        {
            return new TypedData(types, primaryType, domain, message);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static JsonElement Member(JsonElement obj, string name, JsonValueKind kind)
    {
        if (!obj.TryGetProperty(name, out JsonElement value))
        {
            throw new FormatException($"Typed data is missing '{name}'.");
        }

        if (value.ValueKind != kind)
        {
            throw new FormatException($"Typed data '{name}' must be a JSON {kind.ToString().ToLowerInvariant()}, got {value.ValueKind.ToString().ToLowerInvariant()}.");
        }

        return value;
    }

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number => BigInteger.TryParse(element.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger n)
            ? n
            : ParseScientific(element.GetRawText()),
        _ => throw new FormatException($"Unsupported JSON value {element.ValueKind}."),
    };

    private static BigInteger ParseScientific(string text)
    {
        // JSON encoders write large integers like 1e+21; accept them only when they are exact integers.
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) && decimal.Truncate(d) == d)
        {
            return new BigInteger(d);
        }

        throw new FormatException($"JSON number {text} is not an integer; EIP-712 has no fractional types.");
    }
}
