using System.Numerics;
using AgentCluster.Evm.Signing;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Evm.Tests.Signing;

/// <summary>Secp256k1Signer's input checks (each bad input a typed exception saying what was wrong) and its key handling.</summary>
public class Secp256k1SignerTests
{
    private const string AnvilKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private const string AnvilAddress0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    private static byte[] Bytes(BigInteger k)
    {
        byte[] bytes = k.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[32];
        bytes.CopyTo(padded, 32 - bytes.Length);
        return padded;
    }

    [TestCase(0)]
    [TestCase(31)]
    [TestCase(33)]
    [TestCase(64)]
    public void KeyBytes_OfTheWrongLength_AreRefused(int length)
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new Secp256k1Signer(new byte[length]));
        Assert.That(e!.Message, Does.StartWith($"A secp256k1 private key is 32 bytes, not {length}."));
        Assert.That(e.ParamName, Is.EqualTo("privateKey"));
    }

    [Test]
    public void ZeroKey_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new Secp256k1Signer(new byte[32]));
        Assert.That(e!.Message, Does.StartWith("The private key must be between 1 and the secp256k1 group order minus 1."));
    }

    [Test]
    public void KeysAtOrAboveTheGroupOrder_AreRefused()
    {
        foreach (BigInteger k in new[] { TestKeys.Order, TestKeys.Order + 1, (BigInteger.One << 256) - 1 })
        {
            var e = Assert.Throws<ArgumentException>(() => _ = new Secp256k1Signer(Bytes(k)), $"key {k}");
            Assert.That(e!.Message, Does.StartWith("The private key must be between 1 and the secp256k1 group order minus 1."));
            Assert.That(() => new Secp256k1Signer(Bytes(k).ToHex(true)), Throws.ArgumentException.With.Message.StartsWith("The private key must be between 1"));
        }
    }

    [TestCase("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8", TestName = "HexKey_63Digits_IsRefused")]
    [TestCase("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff800", TestName = "HexKey_66Digits_IsRefused")]
    [TestCase("0xzc0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", TestName = "HexKey_NonHexDigit_IsRefused")]
    [TestCase("0x ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8", TestName = "HexKey_Space_IsRefused")]
    [TestCase("", TestName = "HexKey_Empty_IsRefused")]
    [TestCase("0x", TestName = "HexKey_PrefixOnly_IsRefused")]
    public void HexKey_NotSixtyFourHexDigits_IsRefused(string key)
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new Secp256k1Signer(key));
        Assert.That(e!.Message, Does.StartWith("A private key is 64 hex digits (32 bytes), optionally after 0x."));
        Assert.That(e.ParamName, Is.EqualTo("privateKeyHex"));
    }

    [Test]
    public void NullArguments_AreRefused()
    {
        var signer = new Secp256k1Signer(AnvilKey0);
        Assert.That(() => new Secp256k1Signer((string)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("privateKeyHex"));
        Assert.That(() => signer.Sign(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("transaction"));
        Assert.That(() => signer.SignPersonalMessage(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("message"));
        Assert.That(() => Secp256k1Signer.FromAccount(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("account"));
    }

    [TestCase(0)]
    [TestCase(20)]
    [TestCase(31)]
    [TestCase(33)]
    public void Hash_NotThirtyTwoBytes_IsRefused(int length)
    {
        var signer = new Secp256k1Signer(AnvilKey0);
        var e = Assert.Throws<ArgumentException>(() => signer.SignHash(new byte[length]));
        Assert.That(e!.Message, Does.StartWith($"The hash to sign must be 32 bytes, not {length}."));
        Assert.That(e.ParamName, Is.EqualTo("hash"));
        Assert.That(() => signer.SignHashYParity(new byte[length]), Throws.ArgumentException.With.Message.StartsWith($"The hash to sign must be 32 bytes, not {length}."));
    }

    [Test]
    public void HexKey_WithOrWithout0x_AnyCase_IsTheSameKey()
    {
        Assert.That(new Secp256k1Signer(AnvilKey0).Address, Is.EqualTo(AnvilAddress0));
        Assert.That(new Secp256k1Signer(AnvilKey0[2..]).Address, Is.EqualTo(AnvilAddress0));
        Assert.That(new Secp256k1Signer("0X" + AnvilKey0[2..].ToUpperInvariant()).Address, Is.EqualTo(AnvilAddress0));
        Assert.That(new Secp256k1Signer(AnvilKey0.HexToByteArray()).Address, Is.EqualTo(AnvilAddress0));
    }

    [Test]
    public void SignHashAndSignHashYParity_DifferOnlyInV()
    {
        var signer = new Secp256k1Signer(AnvilKey0);
        byte[] hash = RandomAbi.ForTest(60).Bytes(32);
        EthECDSASignature messageStyle = signer.SignHash(hash);
        EthECDSASignature parity = signer.SignHashYParity(hash);
        Assert.That(parity.R, Is.EqualTo(messageStyle.R));
        Assert.That(parity.S, Is.EqualTo(messageStyle.S));
        Assert.That(messageStyle.V[0], Is.EqualTo(parity.V[0] + 27));
        Assert.That(parity.V[0], Is.AnyOf((byte)0, (byte)1));
    }

    /// <summary>Nethereum's Account.PrivateKey drops leading zero bytes; FromAccount pads them back and keeps the account's address.</summary>
    [Test]
    public void FromAccount_KeysWithLeadingZeroBytes_ArePaddedBackToTheirAddress()
    {
        var rng = RandomAbi.ForTest(61);
        foreach (byte[] key in new[] { TestKeys.One, TestKeys.OrderMinusOne, TestKeys.Random(rng, 1), TestKeys.Random(rng, 3), TestKeys.Random(rng, 0) })
        {
            var account = new Account(key.ToHex(true), 1);
            Secp256k1Signer signer = Secp256k1Signer.FromAccount(account);
            Assert.That(signer.Address, Is.EqualTo(account.Address).IgnoreCase);
            Assert.That(signer.Address, Is.EqualTo(new Secp256k1Signer(key).Address));
        }

        Assert.That(new Account(TestKeys.One.ToHex(true)).PrivateKey.Length, Is.LessThan(66), "Nethereum shortens the hex of key 1 (why FromAccount pads)");
    }
}
