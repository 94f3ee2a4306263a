using AgentCluster.Evm.Tests.Oracles;
using Nethereum.ABI.EIP712;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;

namespace AgentCluster.Evm.Tests.Eip712;

/// <summary>The "Mail" example of EIP-712 (assets/eip-712/Example.js) with its published intermediate values, through both Nethereum paths.</summary>
public class Eip712MailVectorTests
{
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

    private const string Digest = "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2";
    private const string Signature = "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c";

    [Struct("Mail")]
    public class Mail
    {
        [Parameter("tuple", "from", 1, "Person")]
        public Person From { get; set; } = new();

        [Parameter("tuple", "to", 2, "Person")]
        public Person To { get; set; } = new();

        [Parameter("string", "contents", 3)]
        public string Contents { get; set; } = "";
    }

    [Struct("Person")]
    public class Person
    {
        [Parameter("string", "name", 1)]
        public string Name { get; set; } = "";

        [Parameter("address", "wallet", 2)]
        public string Wallet { get; set; } = "";
    }

    private static readonly EthECKey Cow = new(Sha3Keccack.Current.CalculateHash("cow"u8.ToArray()), true);

    private static TypedData<Domain> TypedMail()
    {
        var typedData = new TypedData<Domain>
        {
            Domain = new Domain { Name = "Ether Mail", Version = "1", ChainId = 1, VerifyingContract = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" },
            Types = MemberDescriptionFactory.GetTypesMemberDescription(typeof(Domain), typeof(Mail), typeof(Person)),
            PrimaryType = "Mail",
        };
        typedData.SetMessage(new Mail
        {
            From = new Person { Name = "Cow", Wallet = "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
            To = new Person { Name = "Bob", Wallet = "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
            Contents = "Hello, Bob!",
        });
        return typedData;
    }

    [Test]
    public void EncodedTypeAndTypeHash()
    {
        string encodedType = Eip712TypedDataEncoder.Current.GetEncodedType("Mail", typeof(Domain), typeof(Mail), typeof(Person));
        Assert.That(encodedType, Is.EqualTo("Mail(Person from,Person to,string contents)Person(string name,address wallet)"));
        Assert.That(RandomAbi.Hex(Sha3Keccack.Current.CalculateHash(encodedType)), Is.EqualTo("0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2"));
    }

    [Test]
    public void JsonPath_DomainSeparatorMessageHashAndDigest()
    {
        TypedDataHashResult hashes = Eip712TypedDataEncoder.Current.CalculateTypedDataHashes(MailJson);
        Assert.That(hashes.DomainHash.ToHex(true), Is.EqualTo("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"));
        Assert.That(hashes.MessageHash.ToHex(true), Is.EqualTo("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e"));
        Assert.That(hashes.TypedDataHash.ToHex(true), Is.EqualTo(Digest));
    }

    [Test]
    public void TypedPath_DomainSeparatorMessageHashAndDigest()
    {
        TypedDataHashResult hashes = Eip712TypedDataEncoder.Current.CalculateTypedDataHashes(TypedMail());
        Assert.That(hashes.DomainHash.ToHex(true), Is.EqualTo("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"));
        Assert.That(hashes.MessageHash.ToHex(true), Is.EqualTo("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e"));
        Assert.That(hashes.TypedDataHash.ToHex(true), Is.EqualTo(Digest));
    }

    [Test]
    public void Signature_OfSecp256k1SignerOverTheDigest_MatchesTheEip()
    {
        var signer = new AgentCluster.Evm.Signing.Secp256k1Signer(Sha3Keccack.Current.CalculateHash("cow"u8.ToArray()));
        Assert.That(signer.Address, Is.EqualTo("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"));
        Assert.That(EthECDSASignature.CreateStringSignature(signer.SignHash(Eip712TypedDataEncoder.Current.EncodeAndHashTypedData(MailJson))).ToLowerInvariant(), Is.EqualTo(Signature));
        Assert.That(EthECDSASignature.CreateStringSignature(signer.SignHash(Eip712TypedDataEncoder.Current.EncodeAndHashTypedData(TypedMail()))).ToLowerInvariant(), Is.EqualTo(Signature));
    }

    [Test]
    public void Signature_OfNethereumsSigner_MatchesTheEip_BothPaths_AndRecoversCow()
    {
        Assert.That(Cow.GetPublicAddress(), Is.EqualTo("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"));
        Assert.That(Eip712TypedDataSigner.Current.SignTypedDataV4(MailJson, Cow).ToLowerInvariant(), Is.EqualTo(Signature));
        Assert.That(Eip712TypedDataSigner.Current.SignTypedDataV4(TypedMail(), Cow).ToLowerInvariant(), Is.EqualTo(Signature));
        Assert.That(Eip712TypedDataSigner.Current.RecoverFromSignatureV4(MailJson, Signature), Is.EqualTo(Cow.GetPublicAddress()));
        Assert.That(Eip712TypedDataSigner.Current.RecoverFromSignatureV4(TypedMail(), Signature), Is.EqualTo(Cow.GetPublicAddress()));
    }

    [Test]
    public void Signature_MatchesCast()
    {
        Assert.That(Cast.Run("wallet", "sign", "--data", "--private-key", RandomAbi.KeyHex(Cow), MailJson), Is.EqualTo(Signature));
    }
}
