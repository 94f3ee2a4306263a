using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace AgentCluster.Sdk.Identity;

/// <summary>
/// The Agent Communication Protocol message (DESIGN.md, issue 11) as an EIP-712 struct, signed by the sending agent's key:
/// <c>AgentMessage(uint256 agentId,bytes32 capabilityHash,uint256 reputation,uint256 taskId,bytes32 parametersHash,uint256 compensation,uint64 deadline,bytes32 successCriteriaHash,uint256 nonce)</c>.
/// Every field is atomic (no arrays, no nested structs) and the type name has no digits, which keeps it clear of the EIP-712
/// gaps of Nethereum 6.1.0 (docs/evm-client.md). Bulky content (the task's parameters, the success criteria, the capability
/// vector) travels beside the message and is bound by its keccak256 hash.
/// </summary>
[Struct("AgentMessage")]
public sealed class AgentMessage
{
    /// <summary>The EIP-712 type string of the struct (its keccak256 is the typehash).</summary>
    public const string TypeString =
        "AgentMessage(uint256 agentId,bytes32 capabilityHash,uint256 reputation,uint256 taskId,bytes32 parametersHash,uint256 compensation,uint64 deadline,bytes32 successCriteriaHash,uint256 nonce)";

    /// <summary>The sender's agent id (<see cref="Identity.AgentId"/>): the signature must recover to its key's address.</summary>
    [Parameter("uint256", "agentId", 1)]
    public BigInteger AgentId { get; set; }

    /// <summary>keccak256 of the capability the message is about (e.g. the sender's capability vector hash as registered).</summary>
    [Parameter("bytes32", "capabilityHash", 2)]
    public byte[] CapabilityHash { get; set; } = new byte[32];

    /// <summary>The reputation the sender claims (18 decimals, as Reputation reports it); a receiver checks it on-chain if it matters.</summary>
    [Parameter("uint256", "reputation", 3)]
    public BigInteger Reputation { get; set; }

    /// <summary>The task the message is about (the TaskMarket task id; 0 for none yet).</summary>
    [Parameter("uint256", "taskId", 4)]
    public BigInteger TaskId { get; set; }

    /// <summary>keccak256 of the task's parameters (sent beside the message).</summary>
    [Parameter("bytes32", "parametersHash", 5)]
    public byte[] ParametersHash { get; set; } = new byte[32];

    /// <summary>The compensation offered or asked, in ACC wei.</summary>
    [Parameter("uint256", "compensation", 6)]
    public BigInteger Compensation { get; set; }

    /// <summary>Unix time (seconds) after which the message is void.</summary>
    [Parameter("uint64", "deadline", 7)]
    public ulong Deadline { get; set; }

    /// <summary>keccak256 of the success criteria (sent beside the message).</summary>
    [Parameter("bytes32", "successCriteriaHash", 8)]
    public byte[] SuccessCriteriaHash { get; set; } = new byte[32];

    /// <summary>A number the sender never reuses (e.g. random 256 bits or a counter), so that a receiver can refuse replays.</summary>
    [Parameter("uint256", "nonce", 9)]
    public BigInteger Nonce { get; set; }

    /// <summary>A copy (byte arrays copied too).</summary>
    public AgentMessage Clone() => new()
    {
        AgentId = AgentId,
        CapabilityHash = (byte[])CapabilityHash.Clone(),
        Reputation = Reputation,
        TaskId = TaskId,
        ParametersHash = (byte[])ParametersHash.Clone(),
        Compensation = Compensation,
        Deadline = Deadline,
        SuccessCriteriaHash = (byte[])SuccessCriteriaHash.Clone(),
        Nonce = Nonce,
    };

    /// <summary>What is wrong with the fields (null when they are well formed): hashes of 32 bytes, uint256 ranges, an agent id below 2^160, a deadline.</summary>
    public string? Problem()
    {
        if (CapabilityHash is not { Length: 32 })
        {
            return $"capabilityHash must be 32 bytes, not {CapabilityHash?.Length.ToString() ?? "null"}";
        }

        if (ParametersHash is not { Length: 32 })
        {
            return $"parametersHash must be 32 bytes, not {ParametersHash?.Length.ToString() ?? "null"}";
        }

        if (SuccessCriteriaHash is not { Length: 32 })
        {
            return $"successCriteriaHash must be 32 bytes, not {SuccessCriteriaHash?.Length.ToString() ?? "null"}";
        }

        if (AgentId.Sign <= 0 || AgentId >= BigInteger.One << 160)
        {
            return $"agentId must be uint256(uint160(agentKey)), between 1 and 2^160 - 1, not {AgentId}";
        }

        foreach (var (name, value) in new[] { ("reputation", Reputation), ("taskId", TaskId), ("compensation", Compensation), ("nonce", Nonce) })
        {
            if (value.Sign < 0 || value >= BigInteger.One << 256)
            {
                return $"{name} must be a uint256, not {value}";
            }
        }

        return Deadline == 0 ? "deadline must be set (Unix seconds)" : null;
    }
}

/// <summary>
/// A signed <see cref="AgentMessage"/> as it travels between agents: the message, the domain it was signed for (chain id and
/// verifying contract, so that a receiver can say "wrong chain" rather than only "wrong signer") and the 65-byte signature (r, s, v with v 27/28).
/// </summary>
/// <param name="Message">The message.</param>
/// <param name="ChainId">The chain id of the domain it was signed for.</param>
/// <param name="VerifyingContract">The domain's verifying contract (the AgentRegistry of that deployment).</param>
/// <param name="Signature">r ‖ s ‖ v, 65 bytes.</param>
public sealed record SignedAgentMessage(AgentMessage Message, BigInteger ChainId, string VerifyingContract, byte[] Signature)
{
    /// <summary>
    /// The message as JSON for the wire: <c>{"domain":{"name","version","chainId","verifyingContract"},"message":{…},"signature":"0x…"}</c>,
    /// the domain and message in EIP-712 JSON form (uint256 as decimal strings, bytes32 as 0x hex), so that any EIP-712 tool can check it.
    /// </summary>
    public string ToJson()
    {
        ArgumentNullException.ThrowIfNull(Message);
        static string Hex(byte[] b) => "0x" + Convert.ToHexString(b).ToLowerInvariant();
        var json = new JsonObject
        {
            ["domain"] = new JsonObject
            {
                ["name"] = AgentMessageDomain.Name,
                ["version"] = AgentMessageDomain.Version,
                ["chainId"] = ChainId.ToString(CultureInfo.InvariantCulture),
                ["verifyingContract"] = VerifyingContract,
            },
            ["message"] = new JsonObject
            {
                ["agentId"] = Message.AgentId.ToString(CultureInfo.InvariantCulture),
                ["capabilityHash"] = Hex(Message.CapabilityHash),
                ["reputation"] = Message.Reputation.ToString(CultureInfo.InvariantCulture),
                ["taskId"] = Message.TaskId.ToString(CultureInfo.InvariantCulture),
                ["parametersHash"] = Hex(Message.ParametersHash),
                ["compensation"] = Message.Compensation.ToString(CultureInfo.InvariantCulture),
                ["deadline"] = Message.Deadline.ToString(CultureInfo.InvariantCulture),
                ["successCriteriaHash"] = Hex(Message.SuccessCriteriaHash),
                ["nonce"] = Message.Nonce.ToString(CultureInfo.InvariantCulture),
            },
            ["signature"] = Hex(Signature),
        };
        return json.ToJsonString();
    }

    /// <summary>Reads <see cref="ToJson"/>'s form. Parsing checks shapes only; <see cref="AgentMessageDomain.Verify"/> checks the rest.</summary>
    /// <exception cref="FormatException">Not JSON, another domain name or version, or a field missing or not of its type (the message names it).</exception>
    public static SignedAgentMessage FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("A signed agent message is a JSON object.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"A signed agent message must be JSON: {e.Message}", e);
        }

        JsonObject domain = Object(root, "domain");
        JsonObject message = Object(root, "message");
        if (Text(domain, "name") != AgentMessageDomain.Name || Text(domain, "version") != AgentMessageDomain.Version)
        {
            throw new FormatException($"The domain must be name \"{AgentMessageDomain.Name}\", version \"{AgentMessageDomain.Version}\".");
        }

        return new SignedAgentMessage(
            new AgentMessage
            {
                AgentId = Number(message, "agentId"),
                CapabilityHash = Bytes(message, "capabilityHash"),
                Reputation = Number(message, "reputation"),
                TaskId = Number(message, "taskId"),
                ParametersHash = Bytes(message, "parametersHash"),
                Compensation = Number(message, "compensation"),
                Deadline = ulong.TryParse(Text(message, "deadline"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong d)
                    ? d : throw new FormatException("message.deadline must be a uint64 in decimal."),
                SuccessCriteriaHash = Bytes(message, "successCriteriaHash"),
                Nonce = Number(message, "nonce"),
            },
            Number(domain, "chainId"),
            Text(domain, "verifyingContract"),
            Bytes(root, "signature"));

        static JsonObject Object(JsonObject o, string name) =>
            o[name] as JsonObject ?? throw new FormatException($"The signed agent message has no \"{name}\" object.");

        static string Text(JsonObject o, string name) =>
            o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FormatException($"\"{name}\" must be a string.");

        static BigInteger Number(JsonObject o, string name) =>
            BigInteger.TryParse(Text(o, name), NumberStyles.None, CultureInfo.InvariantCulture, out BigInteger n)
                ? n : throw new FormatException($"\"{name}\" must be a non-negative integer in decimal.");

        static byte[] Bytes(JsonObject o, string name)
        {
            string s = Text(o, name);
            if (!s.StartsWith("0x", StringComparison.Ordinal) || s.Length % 2 != 0 || !s.AsSpan(2).ContainsOnlyHex())
            {
                throw new FormatException($"\"{name}\" must be 0x-prefixed hex.");
            }

            return Convert.FromHexString(s.AsSpan(2));
        }
    }
}
