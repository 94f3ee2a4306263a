using System.Numerics;
using Nethereum.ABI.EIP712;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;

namespace AgentCluster.Sdk.Identity;

/// <summary>
/// The agent key's consent to be owned by the registering account, as AgentRegistry.register checks it:
/// EIP-712 <c>AgentKeyBinding(address agentKey,address owner,uint256 nonce,uint256 deadline)</c> in the domain
/// {name "AgentCluster AgentRegistry", version "1", chainId, verifyingContract: the registry}. The nonce of a key that can still
/// register is 0 (<c>keyNonce</c>). The signature goes into <c>RegisterFunction.KeySignature</c>.
/// </summary>
[Struct("AgentKeyBinding")]
public sealed class AgentKeyBinding
{
    /// <summary>AgentRegistry's EIP-712 domain name.</summary>
    public const string DomainName = "AgentCluster AgentRegistry";

    /// <summary>The EIP-712 type string (AgentRegistry.AGENT_KEY_BINDING_TYPEHASH is its keccak256).</summary>
    public const string TypeString = "AgentKeyBinding(address agentKey,address owner,uint256 nonce,uint256 deadline)";

    /// <summary>The agent key's address.</summary>
    [Parameter("address", "agentKey", 1)]
    public string AgentKey { get; set; } = "";

    /// <summary>The account that registers the agent and owns it.</summary>
    [Parameter("address", "owner", 2)]
    public string Owner { get; set; } = "";

    /// <summary>The key's binding nonce (0 for a key that has never registered).</summary>
    [Parameter("uint256", "nonce", 3)]
    public BigInteger Nonce { get; set; }

    /// <summary>Unix time (seconds) after which register refuses the signature.</summary>
    [Parameter("uint256", "deadline", 4)]
    public BigInteger Deadline { get; set; }

    /// <summary>The EIP-712 digest of this binding for the registry at <paramref name="agentRegistry"/> on <paramref name="chainId"/>.</summary>
    /// <exception cref="ArgumentException">An address that is not 20 bytes of hex, a non-positive chain id, or a negative nonce or deadline.</exception>
    public byte[] Digest(BigInteger chainId, string agentRegistry)
    {
        ArgumentNullException.ThrowIfNull(agentRegistry);
        foreach (var (name, value) in new[] { ("agentKey", AgentKey), ("owner", Owner), ("agentRegistry", agentRegistry) })
        {
            if (value is null || !AddressUtil.Current.IsValidEthereumAddressHexFormat(value))
            {
                throw new ArgumentException($"The key binding's {name} must be a 0x-prefixed 20-byte hex address, not \"{value}\".", name);
            }
        }

        if (chainId.Sign <= 0)
        {
            throw new ArgumentException($"The chain id must be positive, not {chainId}.", nameof(chainId));
        }

        if (Nonce.Sign < 0 || Deadline.Sign < 0 || Nonce >= BigInteger.One << 256 || Deadline >= BigInteger.One << 256)
        {
            throw new ArgumentException("The key binding's nonce and deadline must be uint256 values.");
        }

        var typedData = new TypedData<Domain>
        {
            Domain = new Domain { Name = DomainName, Version = "1", ChainId = chainId, VerifyingContract = agentRegistry },
            Types = MemberDescriptionFactory.GetTypesMemberDescription(typeof(Domain), typeof(AgentKeyBinding)),
            PrimaryType = "AgentKeyBinding",
        };
        typedData.SetMessage(this);
        return Eip712TypedDataEncoder.Current.EncodeAndHashTypedData(typedData);
    }

    /// <summary>
    /// <paramref name="key"/>'s signature (65 bytes) binding it to <paramref name="owner"/> until <paramref name="deadline"/>
    /// (Unix seconds), for the registry at <paramref name="agentRegistry"/> on <paramref name="chainId"/>, with nonce 0.
    /// </summary>
    public static byte[] Sign(AgentKey key, string owner, BigInteger deadline, BigInteger chainId, string agentRegistry)
    {
        ArgumentNullException.ThrowIfNull(key);
        var binding = new AgentKeyBinding { AgentKey = key.Address, Owner = owner, Nonce = 0, Deadline = deadline };
        return EthECDSASignature.CreateStringSignature(key.Signer.SignHash(binding.Digest(chainId, agentRegistry))).HexToByteArray();
    }
}
