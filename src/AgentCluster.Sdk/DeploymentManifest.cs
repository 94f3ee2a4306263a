using System.Globalization;
using System.Text.Json;
using Nethereum.Util;

namespace AgentCluster.Sdk;

/// <summary>
/// The manifest <c>scripts/deploy</c> writes: <c>{"chainId", "block", "deployer", "contracts": {name: address}}</c>.
/// Parsed strictly: exactly those four fields, no duplicates, positive chain id, addresses as EIP-55 checksummed hex.
/// </summary>
/// <param name="ChainId">The chain the suite is deployed on.</param>
/// <param name="Block">The block of the first deployment transaction.</param>
/// <param name="Deployer">The deploying account, checksummed.</param>
/// <param name="Contracts">Contract name (e.g. <c>AccToken</c>) to checksummed address.</param>
public sealed record DeploymentManifest(ulong ChainId, ulong Block, string Deployer, IReadOnlyDictionary<string, string> Contracts)
{
    private static readonly string[] Fields = ["chainId", "block", "deployer", "contracts"];

    /// <summary>The address of contract <paramref name="name"/>; a <see cref="KeyNotFoundException"/> names the contracts there are.</summary>
    public string AddressOf(string name) =>
        Contracts.TryGetValue(name, out string? address)
            ? address
            : throw new KeyNotFoundException($"The deployment manifest has no contract '{name}'; it has {string.Join(", ", Contracts.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>Reads and parses a manifest file.</summary>
    /// <exception cref="FormatException">The file is not a valid manifest (the message says where and why).</exception>
    public static DeploymentManifest Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"Cannot read the deployment manifest {path}: {e.Message}", e);
        }

        return Parse(json, path);
    }

    /// <summary>Parses manifest JSON.</summary>
    /// <exception cref="FormatException">The text is not a valid manifest (the message says where and why).</exception>
    public static DeploymentManifest Parse(string json, string source = "deployment manifest")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not JSON ({e.Message})", e);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{source}: expected a JSON object, found {root.ValueKind}.");
            }

            Dictionary<string, JsonElement> fields = UniqueProperties(root, source);
            foreach (string name in fields.Keys)
            {
                if (!Fields.Contains(name, StringComparer.Ordinal))
                {
                    throw new FormatException($"{source}: unknown field \"{name}\" (expected exactly {string.Join(", ", Fields)}).");
                }
            }

            foreach (string name in Fields)
            {
                if (!fields.ContainsKey(name))
                {
                    throw new FormatException($"{source}: missing field \"{name}\".");
                }
            }

            ulong chainId = UInt(fields["chainId"], source, "chainId");
            if (chainId == 0)
            {
                throw new FormatException($"{source}: \"chainId\" must be at least 1.");
            }

            ulong block = UInt(fields["block"], source, "block");
            string deployer = Address(fields["deployer"], source, "deployer");
            JsonElement contractsElement = fields["contracts"];
            if (contractsElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{source}: \"contracts\" must be an object of name -> address, found {contractsElement.ValueKind}.");
            }

            var contracts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((string name, JsonElement value) in UniqueProperties(contractsElement, source + " contracts"))
            {
                if (name.Length == 0 || !name.All(char.IsAsciiLetterOrDigit))
                {
                    throw new FormatException($"{source}: contract name \"{name}\" is not a plain identifier.");
                }

                contracts[name] = Address(value, source, $"contracts.{name}");
            }

            if (contracts.Count == 0)
            {
                throw new FormatException($"{source}: \"contracts\" is empty.");
            }

            return new DeploymentManifest(chainId, block, deployer, contracts);
        }
    }

    private static Dictionary<string, JsonElement> UniqueProperties(JsonElement obj, string source)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty p in obj.EnumerateObject())
        {
            if (!result.TryAdd(p.Name, p.Value))
            {
                throw new FormatException($"{source}: field \"{p.Name}\" appears twice.");
            }
        }

        return result;
    }

    private static ulong UInt(JsonElement e, string source, string field)
    {
        if (e.ValueKind != JsonValueKind.Number || !ulong.TryParse(e.GetRawText(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            throw new FormatException($"{source}: \"{field}\" must be a non-negative integer, found {e.GetRawText()}.");
        }

        return value;
    }

    private static string Address(JsonElement e, string source, string field)
    {
        string? text = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (text is null || text.Length != 42 || !text.StartsWith("0x", StringComparison.Ordinal) || !text.AsSpan(2).ContainsOnlyHex())
        {
            throw new FormatException($"{source}: \"{field}\" must be an address (0x + 40 hex digits), found {e.GetRawText()}.");
        }

        string checksummed = AddressUtil.Current.ConvertToChecksumAddress(text);
        if (!string.Equals(text, checksummed, StringComparison.Ordinal))
        {
            throw new FormatException($"{source}: \"{field}\" {text} is not EIP-55 checksummed (expected {checksummed}).");
        }

        if (text == "0x0000000000000000000000000000000000000000")
        {
            throw new FormatException($"{source}: \"{field}\" is the zero address.");
        }

        return text;
    }
}

internal static class HexSpanExtensions
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> span)
    {
        foreach (char c in span)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
