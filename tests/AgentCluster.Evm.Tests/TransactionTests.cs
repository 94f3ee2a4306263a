using System.Numerics;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Evm.Tests;

public class TransactionTests
{
    private static readonly EthECKey Eip155Key = new("0x4646464646464646464646464646464646464646464646464646464646464646");

    private static readonly LegacyTransaction Eip155Example = new()
    {
        Nonce = 9,
        GasPrice = 20_000_000_000UL,
        GasLimit = 21000,
        To = Address.Parse("0x3535353535353535353535353535353535353535"),
        Value = 1_000_000_000_000_000_000UL,
        ChainId = 1,
    };

    [Test]
    public void Eip155Example_SigningDataAndHashMatchTheEip()
    {
        Assert.That(Hex.Encode(Eip155Example.EncodeForSigning()), Is.EqualTo("0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080"));
        Assert.That(Eip155Example.GetSigningHash().ToString(), Is.EqualTo("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53"));
    }

    [Test]
    public void Eip155Example_SignedRawMatchesTheEip()
    {
        SignedTransaction signed = Eip155Example.Sign(Eip155Key);
        Assert.That(signed.RawHex, Is.EqualTo("0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"));
        Assert.That(signed.Hash, Is.EqualTo(Keccak.Hash(signed.Raw)));
    }

    [Test]
    public void Eip155Example_DecodesAndRecoversSender()
    {
        var decoded = SignedTransaction.Parse("0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
        Assert.That(decoded.Transaction, Is.EqualTo(Eip155Example));
        Assert.That(decoded.RecoverSender(), Is.EqualTo(Eip155Key.Address));
    }

    [Test]
    public void Eip1559_MatchesCastVectorAndDecodes()
    {
        // From: cast mktx --private-key 0x46..46 --chain 8453 --nonce 3 --gas-limit 100000 --gas-price 3000000000
        //   --priority-gas-price 1000000000 0x3535..35 "transfer(address,uint256)" 0x1111..11 5
        const string raw = "0x02f8b282210503843b9aca0084b2d05e00830186a094353535353535353535353535353535353535353580b844a9059cbb00000000000000000000000011111111111111111111111111111111111111110000000000000000000000000000000000000000000000000000000000000005c080a040628db26ec407fb17f777d08529efb82378b4a5db49b3fd84dbd8f0e153eee6a0446ca25f7cc23568ad15f1e8956a745f67bdc17beab709ee70ae7ae1bf07b6a7";
        var tx = new Eip1559Transaction
        {
            ChainId = 8453,
            Nonce = 3,
            MaxPriorityFeePerGas = 1_000_000_000UL,
            MaxFeePerGas = 3_000_000_000UL,
            GasLimit = 100_000,
            To = Address.Parse("0x3535353535353535353535353535353535353535"),
            Data = Hex.Decode("0xa9059cbb00000000000000000000000011111111111111111111111111111111111111110000000000000000000000000000000000000000000000000000000000000005"),
        };
        var signed = tx.Sign(Eip155Key);
        Assert.That(signed.RawHex, Is.EqualTo(raw));
        Assert.That(signed.Hash.ToString(), Is.EqualTo("0x2c48186ee4c53d68235a82abb59e56512502bb44a2cb4381ac17067727e8ddf5"));
        var decoded = SignedTransaction.Parse(raw);
        Assert.That(decoded.Transaction, Is.EqualTo(tx));
        Assert.That(decoded.RecoverSender(), Is.EqualTo(Eip155Key.Address));
    }

    [Test]
    public void PreEip155Legacy_UsesV27Or28()
    {
        var tx = Eip155Example with { ChainId = null };
        var signed = tx.Sign(Eip155Key);
        var decoded = SignedTransaction.Decode(signed.Raw);
        Assert.That(((LegacyTransaction)decoded.Transaction).ChainId, Is.Null);
        Assert.That(decoded.RecoverSender(), Is.EqualTo(Eip155Key.Address));
    }

    [Test]
    public void Eip2930_RoundTrips()
    {
        var tx = new Eip2930Transaction
        {
            ChainId = 5,
            Nonce = 1,
            GasPrice = 7,
            GasLimit = 50_000,
            AccessList = [new AccessListEntry(Address.Parse("0x1111111111111111111111111111111111111111"), [Hash32.Zero])],
        };
        var decoded = SignedTransaction.Decode(tx.Sign(Eip155Key).Raw);
        Assert.That(decoded.Transaction, Is.EqualTo(tx));
        Assert.That(decoded.RecoverSender(), Is.EqualTo(Eip155Key.Address));
    }

    [TestCase("0x", "cannot be empty")]
    [TestCase("0x03c0", "type 3 is not supported")]
    [TestCase("0x02c0", "has 12 fields, got 0")]
    [TestCase("0x80", "not 0x80")]
    [TestCase("0xc0", "has 9 fields, got 0")]
    public void Decode_RejectsMalformedInput(string hex, string message)
    {
        var e = Assert.Throws<FormatException>(() => SignedTransaction.Parse(hex));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void Decode_RejectsHighS()
    {
        var signed = Eip155Example.Sign(Eip155Key);
        var order = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337");
        var highS = new EthECDSASignature(signed.Signature.R, new UInt256(order - signed.Signature.S), 1 - signed.Signature.RecoveryId);
        var raw = new SignedTransaction(Eip155Example, highS).Raw;
        var e = Assert.Throws<FormatException>(() => SignedTransaction.Decode(raw));
        Assert.That(e!.Message, Does.Contain("EIP-2"));
    }

    [Test]
    public void Decode_RejectsBadToLength()
    {
        var rlp = Rlp.RlpEncoder.Encode(new Rlp.RlpList(
            Rlp.RlpString.Empty, Rlp.RlpString.Empty, Rlp.RlpString.Empty, Rlp.RlpString.Of(new byte[19]), Rlp.RlpString.Empty,
            Rlp.RlpString.Empty, Rlp.RlpString.OfInteger(27), Rlp.RlpString.OfInteger(1), Rlp.RlpString.OfInteger(1)));
        var e = Assert.Throws<FormatException>(() => SignedTransaction.Decode(rlp));
        Assert.That(e!.Message, Does.Contain("20 bytes, got 19"));
    }
}
