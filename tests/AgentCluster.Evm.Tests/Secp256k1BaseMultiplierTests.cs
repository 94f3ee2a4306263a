using AgentCluster.Evm.Crypto;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace AgentCluster.Evm.Tests;

/// <summary>
/// The fixed-base multiplier used for signing nonces, checked point by point against BouncyCastle's own k·G: seeded random scalars
/// and the edges of the scalar range and of the 4-bit windows.
/// </summary>
public class Secp256k1BaseMultiplierTests
{
    private static void AssertMatchesBouncyCastle(BcBigInteger k)
    {
        byte[] k32 = new byte[32];
        byte[] raw = k.ToByteArrayUnsigned();
        raw.CopyTo(k32, 32 - raw.Length);
        byte[] x32 = new byte[32];
        var expected = Secp256k1.Domain.G.Multiply(k).Normalize();
        if (!Secp256k1BaseMultiplier.TryMultiply(k32, x32, out bool yOdd))
        {
            // The documented fallback case; the signer then uses BouncyCastle. It must stay (negligibly) rare.
            Assert.Fail($"fast path declined k = 0x{k.ToString(16)}");
        }

        Assert.That(Convert.ToHexString(x32), Is.EqualTo(Convert.ToHexString(expected.AffineXCoord.GetEncoded())), $"x of k = 0x{k.ToString(16)}");
        Assert.That(yOdd, Is.EqualTo(expected.AffineYCoord.TestBitZero()), $"y parity of k = 0x{k.ToString(16)}");
    }

    [Test]
    public void TryMultiply_EdgeScalars_MatchBouncyCastle()
    {
        BcBigInteger n = Secp256k1.N;
        var edges = new List<BcBigInteger>
        {
            BcBigInteger.One,
            BcBigInteger.Two,
            BcBigInteger.ValueOf(15),
            BcBigInteger.ValueOf(16),
            BcBigInteger.ValueOf(17),
            n.Subtract(BcBigInteger.One),
            n.Subtract(BcBigInteger.Two),
            Secp256k1.HalfN,
            Secp256k1.HalfN.Add(BcBigInteger.One),
            BcBigInteger.One.ShiftLeft(255).Mod(n),
            BcBigInteger.One.ShiftLeft(128),
            BcBigInteger.One.ShiftLeft(252).Subtract(BcBigInteger.One), // every window but the top one is 0xF
            new BcBigInteger("1111111111111111111111111111111111111111111111111111111111111111", 16),
            new BcBigInteger("8000000000000000000000000000000000000000000000000000000000000001", 16).Mod(n),
        };
        foreach (var k in edges)
        {
            AssertMatchesBouncyCastle(k);
        }
    }

    [Test]
    public void TryMultiply_SeededRandomScalars_MatchBouncyCastle()
    {
        var random = new Random(20261122);
        byte[] bytes = new byte[32];
        for (int i = 0; i < 500; i++)
        {
            random.NextBytes(bytes);
            var k = new BcBigInteger(1, bytes).Mod(Secp256k1.N.Subtract(BcBigInteger.One)).Add(BcBigInteger.One);
            AssertMatchesBouncyCastle(k);
        }
    }
}
