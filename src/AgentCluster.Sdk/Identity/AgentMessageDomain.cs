using System.Globalization;
using System.Numerics;
using Nethereum.ABI.EIP712;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;

namespace AgentCluster.Sdk.Identity;

/// <summary>
/// The EIP-712 domain of Agent Communication Protocol messages on one deployment — name "AgentCluster", version "1", the chain id
/// and, as verifying contract, the deployment's AgentRegistry (the authority on agent identities) — with signing and verification.
/// No contract takes an <see cref="AgentMessage"/> (they take their own typed data: AgentRegistry's key binding, see
/// <see cref="AgentKeyBinding"/>, and TaskMarket's commit); the domain's name differs from AgentRegistry's own ("AgentCluster
/// AgentRegistry"), so an ACP signature can never be replayed as one of the registry's. The digest is Nethereum's
/// <see cref="Eip712TypedDataEncoder"/> (typed path); the signature is <see cref="AgentKey.Signer"/>'s.
/// </summary>
public sealed class AgentMessageDomain
{
    /// <summary>The domain name.</summary>
    public const string Name = "AgentCluster";

    /// <summary>The domain version.</summary>
    public const string Version = "1";

    // secp256k1's group order n and n / 2: signatures with s > n / 2 are refused, as OpenZeppelin's ECDSA (and so the contracts) does.
    private static readonly BigInteger GroupOrder = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    private static readonly BigInteger HalfGroupOrder = GroupOrder / 2;

    private readonly Func<DateTimeOffset> _clock;

    /// <summary>The domain for <paramref name="chainId"/> and the AgentRegistry at <paramref name="agentRegistry"/>.</summary>
    /// <param name="chainId">The chain id (positive).</param>
    /// <param name="agentRegistry">The AgentRegistry address of the deployment.</param>
    /// <param name="clock">The clock deadlines are checked against; the system clock by default.</param>
    /// <exception cref="ArgumentException">A chain id that is not positive, or an address that is not 20 bytes of hex.</exception>
    public AgentMessageDomain(BigInteger chainId, string agentRegistry, Func<DateTimeOffset>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(agentRegistry);
        if (chainId.Sign <= 0 || chainId >= BigInteger.One << 256)
        {
            throw new ArgumentException($"The chain id must be a positive uint256, not {chainId}.", nameof(chainId));
        }

        if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(agentRegistry))
        {
            throw new ArgumentException($"The verifying contract must be a 0x-prefixed 20-byte hex address, not \"{agentRegistry}\".", nameof(agentRegistry));
        }

        ChainId = chainId;
        VerifyingContract = AddressUtil.Current.ConvertToChecksumAddress(agentRegistry);
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>The domain of <paramref name="manifest"/>'s deployment (its chain id and its AgentRegistry).</summary>
    public static AgentMessageDomain FromManifest(DeploymentManifest manifest, Func<DateTimeOffset>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new AgentMessageDomain(manifest.ChainId, manifest.AddressOf("AgentRegistry"), clock);
    }

    /// <summary>The chain id.</summary>
    public BigInteger ChainId { get; }

    /// <summary>The verifying contract (the AgentRegistry), EIP-55 checksummed.</summary>
    public string VerifyingContract { get; }

    /// <summary>The domain as Nethereum's <see cref="Domain"/>.</summary>
    public Domain ToDomain() => new() { Name = Name, Version = Version, ChainId = ChainId, VerifyingContract = VerifyingContract };

    /// <summary>The message as Nethereum typed data in this domain (e.g. for <c>Eip712TypedDataSigner</c> or an external signer's <c>eth_signTypedData_v4</c>).</summary>
    public TypedData<Domain> ToTypedData(AgentMessage message)
    {
        Validate(message);
        var typedData = new TypedData<Domain>
        {
            Domain = ToDomain(),
            Types = MemberDescriptionFactory.GetTypesMemberDescription(typeof(Domain), typeof(AgentMessage)),
            PrimaryType = "AgentMessage",
        };
        typedData.SetMessage(message);
        return typedData;
    }

    /// <summary>The EIP-712 digest of <paramref name="message"/>: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)).</summary>
    /// <exception cref="ArgumentException">A malformed message (see <see cref="AgentMessage.Problem"/>).</exception>
    public byte[] Digest(AgentMessage message) => Eip712TypedDataEncoder.Current.EncodeAndHashTypedData(ToTypedData(message));

    /// <summary>Signs <paramref name="message"/> with <paramref name="key"/>, whose id must be the message's agent id.</summary>
    /// <exception cref="ArgumentException">A malformed message, or one whose agentId is not the key's.</exception>
    public SignedAgentMessage Sign(AgentKey key, AgentMessage message)
    {
        ArgumentNullException.ThrowIfNull(key);
        Validate(message);
        if (message.AgentId != key.Id.Value)
        {
            throw new ArgumentException($"The message's agentId {message.AgentId} is not the id of the signing key {key.Address} ({key.Id}).", nameof(message));
        }

        AgentMessage copy = message.Clone();
        EthECDSASignature signature = key.Signer.SignHash(Digest(copy));
        return new SignedAgentMessage(copy, ChainId, VerifyingContract, EthECDSASignature.CreateStringSignature(signature).HexToByteArray());
    }

    /// <summary>
    /// Verifies a message another agent signed: well formed, signed for this chain and this registry, deadline not passed, and
    /// signed by the key of its agent id. Checks offline; whether that agent is registered and eligible is AgentRegistry's to say.
    /// Replays within the deadline are the receiver's to refuse (see <see cref="AgentMessageReplayGuard"/>).
    /// </summary>
    public AgentMessageVerification Verify(SignedAgentMessage signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        if (signed.Message is null)
        {
            return AgentMessageVerification.Fail(AgentMessageVerificationStatus.Malformed, "the message is missing");
        }

        if (signed.Message.Problem() is { } problem)
        {
            return AgentMessageVerification.Fail(AgentMessageVerificationStatus.Malformed, problem);
        }

        if (signed.Signature is not { Length: 65 } sig)
        {
            return AgentMessageVerification.Fail(AgentMessageVerificationStatus.Malformed, $"the signature must be 65 bytes (r, s, v), not {signed.Signature?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"}");
        }

        var r = new BigInteger(sig.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(sig.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        if (sig[64] is not (27 or 28) || r.IsZero || r >= GroupOrder || s.IsZero || s > HalfGroupOrder)
        {
            return AgentMessageVerification.Fail(AgentMessageVerificationStatus.Malformed, "the signature is not a canonical secp256k1 signature (v 27/28, 0 < r < n, 0 < s <= n/2)");
        }

        if (signed.ChainId != ChainId)
        {
            return AgentMessageVerification.Fail(AgentMessageVerificationStatus.WrongChain, $"signed for chain {signed.ChainId}, this is chain {ChainId}");
        }

        if (signed.VerifyingContract is null || !AddressUtil.Current.AreAddressesTheSame(signed.VerifyingContract, VerifyingContract))
        {
            return AgentMessageVerification.Fail(AgentMessageVerificationStatus.WrongContract, $"signed for verifying contract {signed.VerifyingContract}, this deployment's AgentRegistry is {VerifyingContract}");
        }

        long now = _clock().ToUnixTimeSeconds();
        if (now > 0 && signed.Message.Deadline < (ulong)now)
        {
            return AgentMessageVerification.Fail(AgentMessageVerificationStatus.Expired, $"the deadline {signed.Message.Deadline} passed (now {now})");
        }

        string recovered;
        try
        {
            recovered = EthECKey.RecoverFromSignature(EthECDSASignatureFactory.ExtractECDSASignature(sig.ToHex(true)), Digest(signed.Message)).GetPublicAddress();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or ArithmeticException)
        {
            return AgentMessageVerification.Fail(AgentMessageVerificationStatus.Malformed, "no public key can be recovered from the signature");
        }

        string expected = AgentId.FromValue(signed.Message.AgentId).Address;
        return AddressUtil.Current.AreAddressesTheSame(recovered, expected)
            ? new AgentMessageVerification(AgentMessageVerificationStatus.Valid, AddressUtil.Current.ConvertToChecksumAddress(recovered), "valid")
            : new AgentMessageVerification(AgentMessageVerificationStatus.WrongSigner, AddressUtil.Current.ConvertToChecksumAddress(recovered),
                $"signed by {AddressUtil.Current.ConvertToChecksumAddress(recovered)}, not by agent {signed.Message.AgentId}'s key {expected}");
    }

    /// <summary>
    /// <see cref="Verify"/>, then asks <paramref name="registry"/> (this domain's AgentRegistry) whether the agent is registered and
    /// has not exited: <see cref="AgentMessageVerificationStatus.NotRegistered"/> otherwise. Whether it is attested and advertises
    /// a capability is <c>IsEligibleQueryAsync</c>'s to say.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="registry"/> is not this domain's verifying contract.</exception>
    public async Task<AgentMessageVerification> VerifyRegisteredAsync(SignedAgentMessage signed, AgentCluster.Evm.Bindings.AgentRegistry.AgentRegistryService registry,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (!AddressUtil.Current.AreAddressesTheSame(registry.ContractAddress, VerifyingContract))
        {
            throw new ArgumentException($"The registry {registry.ContractAddress} is not this domain's verifying contract {VerifyingContract}.", nameof(registry));
        }

        AgentMessageVerification offline = Verify(signed);
        if (!offline.IsValid)
        {
            return offline;
        }

        byte status = await registry.StatusOfQueryAsync(signed.Message.AgentId).WaitAsync(cancellationToken).ConfigureAwait(false);
        return status switch
        {
            0 => new AgentMessageVerification(AgentMessageVerificationStatus.NotRegistered, offline.Signer, $"agent {signed.Message.AgentId} is not registered"),
            4 => new AgentMessageVerification(AgentMessageVerificationStatus.NotRegistered, offline.Signer, $"agent {signed.Message.AgentId} has exited"),
            _ => offline,
        };
    }

    private static void Validate(AgentMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Problem() is { } problem)
        {
            throw new ArgumentException($"Malformed agent message: {problem}.", nameof(message));
        }
    }
}
