using AgentCluster.Evm.Crypto;

namespace AgentCluster.Evm.Tests;

public class EthECKeyTests
{
    private const string Eip155Key = "0x4646464646464646464646464646464646464646464646464646464646464646";

    [Test]
    public void Address_MatchesEip155ExampleKey() =>
        Assert.That(new EthECKey(Eip155Key).Address.ToString(), Is.EqualTo("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"));

    [Test]
    public void Address_MatchesAnvilDefaultAccount() =>
        Assert.That(new EthECKey("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").Address.ToString(), Is.EqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));

    [Test]
    public void Sign_Eip155SigningHash_GivesThePublishedSignature()
    {
        var key = new EthECKey(Eip155Key);
        var signature = key.Sign(Hash32.Parse("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53"));
        Assert.That(signature.R.ToString(), Is.EqualTo("18515461264373351373200002665853028612451056578545711640558177340181847433846"));
        Assert.That(signature.S.ToString(), Is.EqualTo("46948507304638947509940763649030358759909902576025900602547168820602576006531"));
        Assert.That(signature.RecoveryId, Is.EqualTo(0));
    }

    [Test]
    public void Recover_ReturnsTheSigner()
    {
        var key = new EthECKey(Eip155Key);
        var hash = Keccak.HashUtf8("recover me");
        var signature = key.Sign(hash);
        Assert.That(EthECKey.RecoverAddress(hash, signature), Is.EqualTo(key.Address));
        Assert.That(key.Verify(hash, signature), Is.True);
        Assert.That(signature.IsLowS, Is.True);
    }

    [Test]
    public void GenerateKey_SignsAndRecovers()
    {
        for (int i = 0; i < 20; i++)
        {
            var key = EthECKey.GenerateKey();
            var hash = Keccak.Hash(BitConverter.GetBytes(i));
            Assert.That(EthECKey.RecoverAddress(hash, key.Sign(hash)), Is.EqualTo(key.Address));
        }
    }

    [Test]
    public void FromPublicKey_AcceptsAllEncodings()
    {
        var key = new EthECKey(Eip155Key);
        Assert.That(EthECKey.FromPublicKey(key.GetPublicKey()).Address, Is.EqualTo(key.Address));
        Assert.That(EthECKey.FromPublicKey(key.GetPublicKeySec1()).Address, Is.EqualTo(key.Address));
        Assert.That(EthECKey.FromPublicKey(key.GetPublicKeySec1(compressed: true)).Address, Is.EqualTo(key.Address));
        Assert.That(EthECKey.FromPublicKey(key.GetPublicKey()).HasPrivateKey, Is.False);
    }

    [TestCase("0x0000000000000000000000000000000000000000000000000000000000000000", "between 1 and")]
    [TestCase("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "between 1 and")]
    public void Constructor_RejectsKeysOutsideTheCurveOrder(string hex, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new EthECKey(hex));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void Constructor_RejectsWrongLengthHex()
    {
        var e = Assert.Throws<FormatException>(() => _ = new EthECKey("0x1234"));
        Assert.That(e!.Message, Does.Contain("32 bytes"));
    }

    [Test]
    public void Sign_RejectsNon32ByteInput()
    {
        var e = Assert.Throws<ArgumentException>(() => new EthECKey(Eip155Key).SignAndCalculateV(new byte[31]));
        Assert.That(e!.Message, Does.Contain("got 31 bytes"));
    }

    [Test]
    public void Signature_FromBytes_RejectsBadV()
    {
        var bytes = new byte[65];
        bytes[31] = 1;
        bytes[63] = 1;
        bytes[64] = 29;
        var e = Assert.Throws<ArgumentException>(() => EthECDSASignature.FromBytes(bytes));
        Assert.That(e!.Message, Does.Contain("got 29"));
    }
}
