using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.Hex.HexConvertors.Extensions;

namespace AgentCluster.Sdk.Matchmaking;

/// <summary>
/// The capability part of an agent's registration file: the agent id, the capability tags (the same uint64 bitmask the
/// AgentRegistry stores) and the 512-dimension capability vector, which lives off-chain and is addressed on-chain by
/// <c>capabilityVectorHash</c>. JSON, schema <see cref="Schema"/>:
/// <code>
/// {
///   "schema": "agentcluster.capabilities/1",
///   "agentId": "123...",                       // decimal uint256 (= uint160 of the agent key)
///   "capabilities": "5",                       // decimal uint64 tag bitmask
///   "vector": { "encoding": "f32le-base64", "dimensions": 512, "data": "..." },
///   "capabilityVectorHash": "0x..."            // keccak256 of the 2,048 decoded bytes
/// }
/// </code>
/// The vector travels as base64 of its canonical bytes, so that every reader decodes exactly the bits that were hashed
/// (decimal floats would depend on each reader's parser).
/// </summary>
/// <param name="AgentId">The agent id (uint256, positive).</param>
/// <param name="Capabilities">The capability tag bitmask.</param>
/// <param name="Vector">The capability vector.</param>
public sealed record CapabilityRegistrationFile(BigInteger AgentId, ulong Capabilities, CapabilityVector Vector)
{
    /// <summary>The schema identifier written to and required in the file.</summary>
    public const string Schema = "agentcluster.capabilities/1";

    /// <summary>The vector encoding written to and required in the file.</summary>
    public const string VectorEncoding = "f32le-base64";

    private static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;

    /// <summary>keccak256 of the vector's canonical bytes: the value to pass to AgentRegistry.setCapabilities.</summary>
    public byte[] CapabilityVectorHash => Vector.ComputeHash();

    /// <summary>Serialises the file to JSON (indented), including the vector hash.</summary>
    public string ToJson()
    {
        ValidateAgentId(AgentId, nameof(AgentId));
        ArgumentNullException.ThrowIfNull(Vector);
        var node = new JsonObject
        {
            ["schema"] = Schema,
            ["agentId"] = AgentId.ToString(CultureInfo.InvariantCulture),
            ["capabilities"] = Capabilities.ToString(CultureInfo.InvariantCulture),
            ["vector"] = new JsonObject
            {
                ["encoding"] = VectorEncoding,
                ["dimensions"] = CapabilityVector.Dimensions,
                ["data"] = Convert.ToBase64String(Vector.ToCanonicalBytes()),
            },
            ["capabilityVectorHash"] = Vector.ComputeHashHex(),
        };
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Parses a registration file. A file whose stated <c>capabilityVectorHash</c> (optional) is not the hash of its
    /// vector is refused.</summary>
    /// <param name="json">The file's text.</param>
    /// <exception cref="ArgumentException">The text is not a valid registration file; the message says which field is wrong.</exception>
    /// <exception cref="CapabilityHashMismatchException">The file states a hash its vector does not have.</exception>
    public static CapabilityRegistrationFile Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The registration file is not valid JSON: {e.Message}", nameof(json), e);
        }
        if (root is not JsonObject obj)
            throw new ArgumentException("The registration file must be a JSON object.", nameof(json));

        string schema = RequireString(obj, "schema");
        if (schema != Schema)
            throw new ArgumentException($"Unsupported registration file schema '{schema}'; expected '{Schema}'.", nameof(json));

        string agentIdText = RequireString(obj, "agentId");
        if (agentIdText.Length == 0 || !agentIdText.All(char.IsAsciiDigit)
            || !BigInteger.TryParse(agentIdText, NumberStyles.None, CultureInfo.InvariantCulture, out BigInteger agentId))
            throw new ArgumentException($"'agentId' must be a decimal uint256; got '{agentIdText}'.", nameof(json));
        ValidateAgentId(agentId, nameof(json));

        string capsText = RequireString(obj, "capabilities");
        if (!ulong.TryParse(capsText, NumberStyles.None, CultureInfo.InvariantCulture, out ulong caps))
            throw new ArgumentException($"'capabilities' must be a decimal uint64 bitmask; got '{capsText}'.", nameof(json));

        if (obj["vector"] is not JsonObject vector)
            throw new ArgumentException("'vector' is missing or not an object.", nameof(json));
        string encoding = RequireString(vector, "encoding", "vector.");
        if (encoding != VectorEncoding)
            throw new ArgumentException($"'vector.encoding' must be '{VectorEncoding}'; got '{encoding}'.", nameof(json));
        if (vector["dimensions"] is not JsonValue dimsValue || !dimsValue.TryGetValue(out int dims) || dims != CapabilityVector.Dimensions)
            throw new ArgumentException($"'vector.dimensions' must be {CapabilityVector.Dimensions}.", nameof(json));
        string data = RequireString(vector, "data", "vector.");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(data);
        }
        catch (FormatException)
        {
            throw new ArgumentException("'vector.data' is not valid base64.", nameof(json));
        }
        CapabilityVector parsed;
        try
        {
            parsed = CapabilityVector.FromCanonicalBytes(bytes);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'vector.data' is not a valid capability vector: {e.Message}", nameof(json), e);
        }

        var file = new CapabilityRegistrationFile(agentId, caps, parsed);
        if (obj["capabilityVectorHash"] is JsonNode stated)
        {
            string statedHex = stated is JsonValue v && v.TryGetValue(out string? s) ? s : throw new ArgumentException("'capabilityVectorHash' must be a string.", nameof(json));
            byte[] statedBytes = ParseHash(statedHex, "capabilityVectorHash");
            file.VerifyHash(statedBytes);
        }
        return file;
    }

    /// <summary>Checks that the vector hashes to <paramref name="onChainHash"/> (the value AgentRegistry.capabilitiesOf
    /// returns for the agent).</summary>
    /// <param name="onChainHash">The 32-byte hash read on-chain.</param>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    /// <exception cref="CapabilityHashMismatchException">The vector does not hash to <paramref name="onChainHash"/>.</exception>
    public void VerifyHash(ReadOnlySpan<byte> onChainHash)
    {
        if (onChainHash.Length != 32)
            throw new ArgumentException($"A capability vector hash is 32 bytes; got {onChainHash.Length}.", nameof(onChainHash));
        byte[] actual = Vector.ComputeHash();
        if (!onChainHash.SequenceEqual(actual))
            throw new CapabilityHashMismatchException(AgentId, onChainHash.ToArray(), actual);
    }

    internal static void ValidateAgentId(BigInteger agentId, string paramName)
    {
        if (agentId.Sign <= 0 || agentId > MaxUint256)
            throw new ArgumentException($"An agent id is a positive uint256; got {agentId}.", paramName);
    }

    private static byte[] ParseHash(string hex, string field)
    {
        string body = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (body.Length != 64 || !body.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"'{field}' must be 32 bytes of hex (0x + 64 hex digits); got '{hex}'.", "json");
        return body.HexToByteArray();
    }

    private static string RequireString(JsonObject obj, string name, string prefix = "")
    {
        if (obj[name] is JsonValue value && value.TryGetValue(out string? s))
            return s;
        throw new ArgumentException($"'{prefix}{name}' is missing or not a string.", "json");
    }
}

/// <summary>A registration file's capability vector does not hash to the value addressed on-chain (or stated in the file):
/// the file was altered or belongs to another registration. The index refuses it.</summary>
public sealed class CapabilityHashMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="agentId">The agent the file claims to describe.</param>
    /// <param name="expected">The hash the vector should have (on-chain or stated).</param>
    /// <param name="actual">keccak256 of the file's vector.</param>
    public CapabilityHashMismatchException(BigInteger agentId, byte[] expected, byte[] actual)
        : base($"Capability vector of agent {agentId} hashes to {actual.ToHex(true)}, not to the expected {expected.ToHex(true)}; the registration file was altered or is not this registration's.")
    {
        AgentId = agentId;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The agent the file claims to describe.</summary>
    public BigInteger AgentId { get; }

    /// <summary>The hash the vector should have.</summary>
    public byte[] Expected { get; }

    /// <summary>keccak256 of the file's vector.</summary>
    public byte[] Actual { get; }
}
