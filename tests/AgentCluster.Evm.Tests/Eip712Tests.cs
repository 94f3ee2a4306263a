using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Eip712;

namespace AgentCluster.Evm.Tests;

public class Eip712Tests
{
    // The "Mail" example from EIP-712 (assets/eip-712/Example.js) with its published intermediate values.
    internal const string MailJson = """
    {
      "types": {
        "EIP712Domain": [
          { "name": "name", "type": "string" },
          { "name": "version", "type": "string" },
          { "name": "chainId", "type": "uint256" },
          { "name": "verifyingContract", "type": "address" }
        ],
        "Person": [
          { "name": "name", "type": "string" },
          { "name": "wallet", "type": "address" }
        ],
        "Mail": [
          { "name": "from", "type": "Person" },
          { "name": "to", "type": "Person" },
          { "name": "contents", "type": "string" }
        ]
      },
      "primaryType": "Mail",
      "domain": {
        "name": "Ether Mail",
        "version": "1",
        "chainId": 1,
        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
      },
      "message": {
        "from": { "name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
        "to": { "name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
        "contents": "Hello, Bob!"
      }
    }
    """;

    private static readonly EthECKey Cow = new(Keccak.HashUtf8("cow").ToArray());

    [Test]
    public void Mail_EncodeTypeAndTypeHash()
    {
        var data = TypedData.Parse(MailJson);
        Assert.That(Eip712TypedDataEncoder.EncodeType("Mail", data.Types), Is.EqualTo("Mail(Person from,Person to,string contents)Person(string name,address wallet)"));
        Assert.That(Eip712TypedDataEncoder.TypeHash("Mail", data.Types).ToString(), Is.EqualTo("0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2"));
    }

    [Test]
    public void Mail_DomainSeparatorMessageHashAndDigest()
    {
        var data = TypedData.Parse(MailJson);
        Assert.That(Eip712TypedDataEncoder.HashDomain(data).ToString(), Is.EqualTo("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"));
        Assert.That(Eip712TypedDataEncoder.HashStruct("Mail", data.Message, data.Types).ToString(), Is.EqualTo("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e"));
        Assert.That(Eip712TypedDataEncoder.Hash(data).ToString(), Is.EqualTo("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"));
    }

    [Test]
    public void Mail_SignatureMatchesTheEip()
    {
        Assert.That(Cow.Address.ToString(), Is.EqualTo("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"));
        var signature = Eip712TypedDataSigner.SignTypedDataV4(MailJson, Cow);
        Assert.That(signature.V, Is.EqualTo(28));
        Assert.That(Hex.Encode(signature.R.ToBigEndian32()), Is.EqualTo("0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"));
        Assert.That(Hex.Encode(signature.S.ToBigEndian32()), Is.EqualTo("0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"));
        Assert.That(Eip712TypedDataSigner.RecoverFromSignatureV4(MailJson, signature), Is.EqualTo(Cow.Address));
        Assert.That(Eip712TypedDataSigner.Verify(TypedData.Parse(MailJson), signature, Cow.Address), Is.True);
    }

    [Test]
    public void DomainType_IsInferredWhenAbsent()
    {
        string withoutDomainType = System.Text.RegularExpressions.Regex.Replace(MailJson, @"""EIP712Domain"": \[[^\]]*\],", "");
        Assert.That(withoutDomainType, Does.Not.Contain("EIP712Domain"));
        Assert.That(Eip712TypedDataEncoder.Hash(TypedData.Parse(withoutDomainType)).ToString(), Is.EqualTo("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"));
    }

    [TestCase("\"contents\": \"Hello, Bob!\"", "\"contents2\": \"Hello, Bob!\"", "message.contents (string) is missing")]
    [TestCase("\"chainId\": 1", "\"chainId\": \"x1\"", "domain.chainId (uint256) is invalid")]
    [TestCase("\"chainId\": 1", "\"chainId\": -1", "out of range")]
    [TestCase("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbb", "checksum")]
    [TestCase("\"primaryType\": \"Mail\"", "\"primaryType\": \"Letter\"", "primaryType 'Letter' is not one of the declared types")]
    [TestCase("{ \"name\": \"contents\", \"type\": \"string\" }", "{ \"name\": \"contents\", \"type\": \"Text\" }", "neither a declared struct nor an atomic type")]
    public void InvalidTypedData_IsRejectedWithAClearMessage(string find, string replace, string message)
    {
        string json = MailJson.Replace(find, replace);
        Assert.That(json, Is.Not.EqualTo(MailJson));
        var e = Assert.Throws<FormatException>(() => Eip712TypedDataEncoder.Hash(TypedData.Parse(json)));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void MalformedJson_IsRejected()
    {
        Assert.That(Assert.Throws<FormatException>(() => TypedData.Parse("{"))!.Message, Does.Contain("not valid JSON"));
        Assert.That(Assert.Throws<FormatException>(() => TypedData.Parse("{}"))!.Message, Does.Contain("missing 'types'"));
    }
}
