using System.Numerics;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.Evm.Tests.Differential;

/// <summary>Published vectors (EIP-155's example transaction, EIP-55's addresses, Keccak) through Nethereum as this project configures it.</summary>
public class PublishedVectorsTests
{
    private const string Eip155Key = "0x4646464646464646464646464646464646464646464646464646464646464646";
    private const string Eip155Signed = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

    private static LegacyTransactionChainId Eip155Example() =>
        new("0x3535353535353535353535353535353535353535", BigInteger.Pow(10, 18), 9, 20_000_000_000, 21000, "", 1);

    [Test]
    public void Eip155Example_SigningDataAndHashMatchTheEip()
    {
        var tx = Eip155Example();
        Assert.That(tx.GetRLPEncodedRaw().ToHex(true), Is.EqualTo("0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080"));
        Assert.That(tx.RawHash.ToHex(true), Is.EqualTo("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53"));
    }

    [Test]
    public void Eip155Example_Signed_MatchesTheEip_AndDecodes()
    {
        string raw = RandomAbi.Hex(new LegacyTransactionSigner().SignTransaction(Eip155Key.HexToByteArray(), Eip155Example()));
        Assert.That(raw, Is.EqualTo(Eip155Signed));

        ISignedTransaction decoded = TransactionFactory.CreateTransaction(Eip155Signed);
        Assert.That(decoded, Is.InstanceOf<LegacyTransactionChainId>());
        Assert.That(decoded.GetChainId(), Is.EqualTo(new BigInteger(1)));
        Assert.That(decoded.GetNonce(), Is.EqualTo(new BigInteger(9)));
        Assert.That(decoded.GetValue(), Is.EqualTo(BigInteger.Pow(10, 18)));
        Assert.That(decoded.GetReceiverAddress(), Is.EqualTo("0x3535353535353535353535353535353535353535"));
        Assert.That(decoded.GetSenderAddress(), Is.EqualTo("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"));
    }

    [TestCase(Eip155Key, "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")]
    [TestCase("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")] // anvil account 0
    public void KnownKeys_HaveTheirKnownAddresses(string key, string address)
    {
        Assert.That(new EthECKey(key).GetPublicAddress(), Is.EqualTo(address));
        Assert.That(new AgentCluster.Evm.Signing.Secp256k1Signer(key).Address, Is.EqualTo(address));
    }

    /// <summary>EIP-155's example transaction as a type-2 transaction is not published; its key and address are: the signer signs a
    /// 1559 transaction that recovers to that address.</summary>
    [Test]
    public void Eip155Key_SignsA1559TransactionThatRecoversToItsAddress()
    {
        var tx = new Transaction1559(1, 9, 1, 20_000_000_000, 21000, "0x3535353535353535353535353535353535353535", BigInteger.Pow(10, 18), "", []);
        new AgentCluster.Evm.Signing.Secp256k1Signer(Eip155Key).Sign(tx);
        Assert.That(TransactionFactory.CreateTransaction(tx.GetRLPEncoded()).GetSenderAddress(), Is.EqualTo("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"));
    }

    [TestCase("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [TestCase("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    [TestCase("transfer(address,uint256)", "0xa9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b")]
    public void Keccak_PublishedVectors(string input, string expected) =>
        Assert.That(RandomAbi.Hex(Sha3Keccack.Current.CalculateHash(input)), Is.EqualTo(expected));

    // EIP-55's own examples: all caps, all lower, mixed.
    [TestCase("0x52908400098527886E0F7030069857D2E4169EE7")]
    [TestCase("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [TestCase("0xde709f2102306220921060314715629080e2fb77")]
    [TestCase("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    [TestCase("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [TestCase("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [TestCase("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [TestCase("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Eip55_Examples_AreTheirOwnChecksum(string address)
    {
        Assert.That(AddressUtil.Current.ConvertToChecksumAddress(address.ToLowerInvariant()), Is.EqualTo(address));
        Assert.That(AddressUtil.Current.IsChecksumAddress(address), Is.True);
    }

    [Test]
    public void Eip55_WrongCaseIsNotAChecksum()
    {
        Assert.That(AddressUtil.Current.IsChecksumAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), Is.False);
        Assert.That(AddressUtil.Current.IsChecksumAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), Is.True);
    }
}

/// <summary>EIP-55 checksums of random addresses (AddressUtil) against cast to-check-sum-address and viem getAddress.</summary>
[Category("Differential")]
[Parallelizable(ParallelScope.Children)]
public class ChecksumDifferentialTests
{
    [Test]
    public void Checksum_RandomAddresses_MatchesCast()
    {
        var rng = RandomAbi.ForTest(50);
        var addresses = Enumerable.Range(0, 30).Select(_ => rng.Address()).ToArray();
        Diff.WithCast(addresses.Select(a => new[] { "to-check-sum-address", a }).ToArray(), (i, cast) =>
        {
            string ours = AddressUtil.Current.ConvertToChecksumAddress(addresses[i]);
            return ours == cast && AddressUtil.Current.IsChecksumAddress(cast) ? null : $"ours {ours}, cast {cast}";
        });
    }

    [Test]
    public void Checksum_RandomAddresses_MatchesViem()
    {
        var rng = RandomAbi.ForTest(51);
        var addresses = Enumerable.Range(0, 400).Select(_ => rng.Address()).ToArray();
        Diff.WithViem(addresses.Select(a => new JsonObject { ["op"] = "checksum", ["address"] = a.ToUpperInvariant().Replace("0X", "0x") }).ToArray(),
            addresses.Select(a => AddressUtil.Current.ConvertToChecksumAddress(a)).ToArray());
    }
}
