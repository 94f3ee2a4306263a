using System.Globalization;
using System.Numerics;
using AgentCluster.Sdk.Identity;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.Sdk.Tests.Identity;

/// <summary>The ACP message as EIP-712 typed data: digest and signature against cast, verification and each of its failures.</summary>
[Parallelizable(ParallelScope.Children)]
public class AgentMessageTests
{
    private const string Registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static AgentMessageDomain Domain(BigInteger? chainId = null, string registry = Registry) => new(chainId ?? 31337, registry, () => Now);

    private static byte[] Hash(Random rng)
    {
        var h = new byte[32];
        rng.NextBytes(h);
        return h;
    }

    private static BigInteger Uint(Random rng, int bytes)
    {
        var b = new byte[bytes];
        rng.NextBytes(b);
        return new BigInteger(b, isUnsigned: true, isBigEndian: true);
    }

    private static AgentMessage RandomMessage(Random rng, AgentKey key) => new()
    {
        AgentId = key.Id,
        CapabilityHash = Hash(rng),
        Reputation = Uint(rng, 12),
        TaskId = Uint(rng, 4),
        ParametersHash = Hash(rng),
        Compensation = Uint(rng, 32),
        Deadline = (ulong)Now.ToUnixTimeSeconds() + (ulong)rng.Next(1, 100_000),
        SuccessCriteriaHash = Hash(rng),
        Nonce = Uint(rng, 32),
    };

    private static string Hex(byte[] b) => "0x" + Convert.ToHexString(b).ToLowerInvariant();

    /// <summary>The typed data as EIP-712 JSON, written here by hand (not by Nethereum) for cast.</summary>
    private static string Json(AgentMessage m, BigInteger chainId, string registry) => string.Create(CultureInfo.InvariantCulture, $$$"""
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
        "AgentMessage":[{"name":"agentId","type":"uint256"},{"name":"capabilityHash","type":"bytes32"},{"name":"reputation","type":"uint256"},{"name":"taskId","type":"uint256"},{"name":"parametersHash","type":"bytes32"},{"name":"compensation","type":"uint256"},{"name":"deadline","type":"uint64"},{"name":"successCriteriaHash","type":"bytes32"},{"name":"nonce","type":"uint256"}]},
        "primaryType":"AgentMessage",
        "domain":{"name":"AgentCluster","version":"1","chainId":"{{{chainId}}}","verifyingContract":"{{{registry}}}"},
        "message":{"agentId":"{{{m.AgentId}}}","capabilityHash":"{{{Hex(m.CapabilityHash)}}}","reputation":"{{{m.Reputation}}}","taskId":"{{{m.TaskId}}}","parametersHash":"{{{Hex(m.ParametersHash)}}}","compensation":"{{{m.Compensation}}}","deadline":"{{{m.Deadline}}}","successCriteriaHash":"{{{Hex(m.SuccessCriteriaHash)}}}","nonce":"{{{m.Nonce}}}"}}
        """);

    [TestCase(0, false, 31337)]
    [TestCase(1, true, 31337)]
    [TestCase(2, false, 1)]
    [TestCase(3, true, 8453)]
    public void Signature_IsCastsSignatureOfTheSameTypedDataJson(int seed, bool leadingZero, long chainId)
    {
        var rng = new Random(100 + seed);
        byte[] raw = TestKeys.Random(rng, leadingZero);
        AgentKey key = AgentKey.FromPrivateKey(raw);
        AgentMessage message = RandomMessage(rng, key);
        var domain = Domain(chainId);

        SignedAgentMessage signed = domain.Sign(key, message);
        string cast = CastCli.Run("wallet", "sign", "--data", "--private-key", TestKeys.Hex(raw), Json(message, chainId, Registry));
        Assert.That(Hex(signed.Signature), Is.EqualTo(cast));
        Assert.That(domain.Verify(signed).IsValid, Is.True);
    }

    [Test]
    public void TypeString_IsWhatNethereumEncodes_AndItsHashIsCasts()
    {
        string encoded = Nethereum.ABI.EIP712.Eip712TypedDataEncoder.Current.GetEncodedType("AgentMessage", typeof(Nethereum.ABI.EIP712.Domain), typeof(AgentMessage));
        Assert.That(encoded, Is.EqualTo(AgentMessage.TypeString));
        Assert.That(Hex(Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(AgentMessage.TypeString))),
            Is.EqualTo(CastCli.Run("keccak", AgentMessage.TypeString)));
    }

    [Test]
    public void SignVerify_RoundTrip_GivesTheSigner_AndTheSignedCopyIsIndependentOfTheCallersObject()
    {
        var rng = new Random(200);
        AgentKey key = AgentKey.Generate();
        AgentMessage message = RandomMessage(rng, key);
        SignedAgentMessage signed = Domain().Sign(key, message);
        message.Compensation += 1; // the caller changing its object afterwards does not alter what was signed
        AgentMessageVerification result = Domain().Verify(signed);
        Assert.That(result.Status, Is.EqualTo(AgentMessageVerificationStatus.Valid), result.Detail);
        Assert.That(result.Signer, Is.EqualTo(key.Address));
        Assert.DoesNotThrow(result.EnsureValid);
    }

    private static readonly string[] Fields = ["agentId", "capabilityHash", "reputation", "taskId", "parametersHash", "compensation", "deadline", "successCriteriaHash", "nonce"];

    [TestCaseSource(nameof(Fields))]
    public void TamperedField_FailsAsWrongSigner(string field)
    {
        var rng = new Random(300 + Array.IndexOf(Fields, field));
        AgentKey key = AgentKey.Generate();
        SignedAgentMessage signed = Domain().Sign(key, RandomMessage(rng, key));
        AgentMessage m = signed.Message.Clone();
        switch (field)
        {
            case "agentId": m.AgentId = AgentKey.Generate().Id; break;
            case "capabilityHash": m.CapabilityHash[31] ^= 1; break;
            case "reputation": m.Reputation += 1; break;
            case "taskId": m.TaskId += 1; break;
            case "parametersHash": m.ParametersHash[0] ^= 0x80; break;
            case "compensation": m.Compensation -= 1; break;
            case "deadline": m.Deadline += 1; break;
            case "successCriteriaHash": m.SuccessCriteriaHash[15] ^= 4; break;
            case "nonce": m.Nonce ^= 1; break;
        }

        AgentMessageVerification result = Domain().Verify(signed with { Message = m });
        Assert.That(result.Status, Is.EqualTo(AgentMessageVerificationStatus.WrongSigner), result.Detail);
        Assert.That(result.Signer, Is.Not.EqualTo(key.Address));
        var e = Assert.Throws<AgentMessageVerificationException>(result.EnsureValid)!;
        Assert.That(e.Status, Is.EqualTo(AgentMessageVerificationStatus.WrongSigner));
        Assert.That(e.Message, Does.Contain("signed by"));
    }

    [Test]
    public void AnotherKeysSignature_ForTheSameAgentId_IsWrongSigner()
    {
        AgentKey agent = AgentKey.Generate();
        AgentKey impostor = AgentKey.Generate();
        AgentMessage m = RandomMessage(new Random(400), agent);
        SignedAgentMessage genuine = Domain().Sign(agent, m);
        SignedAgentMessage forged = genuine with { Signature = Domain().Sign(impostor, RandomMessage(new Random(400), impostor)).Signature };
        AgentMessageVerification result = Domain().Verify(forged);
        Assert.That(result.Status, Is.EqualTo(AgentMessageVerificationStatus.WrongSigner));
        Assert.That(() => Domain().Sign(impostor, m), Throws.ArgumentException.With.Message.Contains("is not the id of the signing key"));
    }

    [Test]
    public void Expired_IsReported_AndTheDeadlineSecondItselfIsStillValid()
    {
        AgentKey key = AgentKey.Generate();
        AgentMessage m = RandomMessage(new Random(500), key);
        m.Deadline = (ulong)Now.ToUnixTimeSeconds();
        SignedAgentMessage atDeadline = Domain().Sign(key, m);
        Assert.That(Domain().Verify(atDeadline).Status, Is.EqualTo(AgentMessageVerificationStatus.Valid));

        m.Deadline -= 1;
        AgentMessageVerification result = Domain().Verify(Domain().Sign(key, m));
        Assert.That(result.Status, Is.EqualTo(AgentMessageVerificationStatus.Expired));
        Assert.That(result.Detail, Does.Contain("deadline"));
    }

    [Test]
    public void SignedForAnotherChain_IsWrongChain_AndForAnotherDeployment_WrongContract()
    {
        AgentKey key = AgentKey.Generate();
        AgentMessage m = RandomMessage(new Random(600), key);
        SignedAgentMessage mainnet = Domain(1).Sign(key, m);
        Assert.That(Domain(31337).Verify(mainnet).Status, Is.EqualTo(AgentMessageVerificationStatus.WrongChain));
        Assert.That(Domain(31337).Verify(mainnet with { ChainId = 31337 }).Status, Is.EqualTo(AgentMessageVerificationStatus.WrongSigner),
            "relabelling the chain breaks the signature");

        const string otherRegistry = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
        SignedAgentMessage other = Domain(31337, otherRegistry).Sign(key, m);
        Assert.That(Domain(31337).Verify(other).Status, Is.EqualTo(AgentMessageVerificationStatus.WrongContract));
        Assert.That(Domain(31337).Verify(other with { VerifyingContract = Registry }).Status, Is.EqualTo(AgentMessageVerificationStatus.WrongSigner));
        Assert.That(Domain(31337).Verify(other with { VerifyingContract = Registry.ToLowerInvariant() }).Status, Is.EqualTo(AgentMessageVerificationStatus.WrongSigner),
            "addresses compare case-insensitively");
    }

    [Test]
    public void MalformedSignatures_AndFields_AreMalformed()
    {
        AgentKey key = AgentKey.Generate();
        SignedAgentMessage signed = Domain().Sign(key, RandomMessage(new Random(700), key));
        byte[] sig = signed.Signature;

        Assert.That(Domain().Verify(signed with { Signature = sig[..64] }).Status, Is.EqualTo(AgentMessageVerificationStatus.Malformed));
        byte[] badV = (byte[])sig.Clone();
        badV[64] = 1;
        Assert.That(Domain().Verify(signed with { Signature = badV }).Status, Is.EqualTo(AgentMessageVerificationStatus.Malformed));

        // The malleable twin (n - s, v flipped) recovers the same signer; it is refused as OpenZeppelin's ECDSA refuses it.
        BigInteger n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        BigInteger s = new(sig.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        byte[] highS = (byte[])sig.Clone();
        (n - s).ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(highS.AsSpan(32 + 32 - (n - s).GetByteCount(isUnsigned: true)));
        highS[64] = (byte)(sig[64] == 27 ? 28 : 27);
        string twin = EthECKey.RecoverFromSignature(EthECDSASignatureFactory.ExtractECDSASignature(Hex(highS)), Domain().Digest(signed.Message)).GetPublicAddress();
        Assert.That(twin, Is.EqualTo(key.Address), "precondition: the twin is a valid signature of the same signer");
        Assert.That(Domain().Verify(signed with { Signature = highS }).Status, Is.EqualTo(AgentMessageVerificationStatus.Malformed));

        AgentMessage shortHash = signed.Message.Clone();
        shortHash.ParametersHash = new byte[31];
        AgentMessageVerification result = Domain().Verify(signed with { Message = shortHash });
        Assert.That(result.Status, Is.EqualTo(AgentMessageVerificationStatus.Malformed));
        Assert.That(result.Detail, Does.Contain("parametersHash must be 32 bytes"));

        AgentMessage bigId = signed.Message.Clone();
        bigId.AgentId = BigInteger.One << 160;
        Assert.That(Domain().Verify(signed with { Message = bigId }).Detail, Does.Contain("agentId"));
        Assert.That(() => Domain().Sign(key, shortHash), Throws.ArgumentException.With.Message.Contains("parametersHash"));
    }

    [Test]
    public void Domain_RefusesBadInput_AndComesFromTheManifest()
    {
        Assert.That(() => new AgentMessageDomain(0, Registry), Throws.ArgumentException.With.Message.Contains("chain id"));
        Assert.That(() => new AgentMessageDomain(1, "0x1234"), Throws.ArgumentException.With.Message.Contains("20-byte"));
        var manifest = new DeploymentManifest(8453, 1, Registry, new Dictionary<string, string> { ["AgentRegistry"] = Registry.ToLowerInvariant() });
        AgentMessageDomain domain = AgentMessageDomain.FromManifest(manifest);
        Assert.That((domain.ChainId, domain.VerifyingContract), Is.EqualTo((new BigInteger(8453), Registry)));
    }

    [Test]
    public void ReplayGuard_AcceptsEachAgentNonceOnce_AndForgetsAfterTheDeadline()
    {
        DateTimeOffset clock = Now;
        var guard = new AgentMessageReplayGuard(() => clock);
        AgentKey key = AgentKey.Generate();
        AgentMessage m = RandomMessage(new Random(800), key);
        SignedAgentMessage signed = Domain().Sign(key, m);
        Assert.That(guard.TryAccept(signed), Is.True);
        Assert.That(guard.TryAccept(signed), Is.False, "a replay");
        m.Nonce += 1;
        Assert.That(guard.TryAccept(Domain().Sign(key, m)), Is.True, "a new nonce");
        Assert.That(guard.Count, Is.EqualTo(2));
        clock = DateTimeOffset.FromUnixTimeSeconds((long)m.Deadline + 1);
        AgentMessage later = RandomMessage(new Random(801), key);
        later.Deadline = (ulong)clock.ToUnixTimeSeconds() + 10;
        Assert.That(guard.TryAccept(Domain().Sign(key, later)), Is.True);
        Assert.That(guard.Count, Is.EqualTo(1), "entries past their deadline are dropped");
    }

    [Test]
    public void Json_RoundTrips_AndVerifies_AndAnEditedFieldFailsVerification()
    {
        AgentKey key = AgentKey.Generate();
        SignedAgentMessage signed = Domain().Sign(key, RandomMessage(new Random(900), key));
        string json = signed.ToJson();
        SignedAgentMessage back = SignedAgentMessage.FromJson(json);
        Assert.That(back.ToJson(), Is.EqualTo(json));
        Assert.That(Domain().Verify(back).IsValid, Is.True);

        string edited = json.Replace($"\"taskId\":\"{signed.Message.TaskId}\"", $"\"taskId\":\"{signed.Message.TaskId + 1}\"", StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(json), "precondition");
        Assert.That(Domain().Verify(SignedAgentMessage.FromJson(edited)).Status, Is.EqualTo(AgentMessageVerificationStatus.WrongSigner));
    }

    [TestCase("not json", "must be JSON")]
    [TestCase("{}", "\"domain\"")]
    [TestCase("{\"domain\":{\"name\":\"Other\",\"version\":\"1\"},\"message\":{}}", "name \"AgentCluster\"")]
    public void Json_Malformed_SaysWhatIsWrong(string json, string expected)
    {
        Assert.That(() => SignedAgentMessage.FromJson(json), Throws.InstanceOf<FormatException>().With.Message.Contains(expected));
    }

    [Test]
    public void Json_FieldOfTheWrongType_IsNamed()
    {
        AgentKey key = AgentKey.Generate();
        string json = Domain().Sign(key, RandomMessage(new Random(901), key)).ToJson();
        string bad = System.Text.RegularExpressions.Regex.Replace(json, "\"nonce\":\"[0-9]+\"", "\"nonce\":\"-5\"");
        Assert.That(() => SignedAgentMessage.FromJson(bad), Throws.InstanceOf<FormatException>().With.Message.Contains("\"nonce\""));
        string badHash = System.Text.RegularExpressions.Regex.Replace(json, "\"parametersHash\":\"0x", "\"parametersHash\":\"zz");
        Assert.That(() => SignedAgentMessage.FromJson(badHash), Throws.InstanceOf<FormatException>().With.Message.Contains("parametersHash"));
    }
}
