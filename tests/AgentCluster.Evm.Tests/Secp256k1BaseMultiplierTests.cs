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

        // The 7-bit windows: every digit at its maximum, single digits at their edges, carries across 64-bit limbs.
        edges.Add(BcBigInteger.One.ShiftLeft(252).Subtract(BcBigInteger.One).ShiftLeft(3).Add(BcBigInteger.ValueOf(7)).Mod(n));
        for (int w = 0; w < 37; w++)
        {
            edges.Add(BcBigInteger.ValueOf(127).ShiftLeft(7 * w).Mod(n));
            edges.Add(BcBigInteger.One.ShiftLeft(7 * w));
            edges.Add(BcBigInteger.One.ShiftLeft(7 * w).Subtract(BcBigInteger.One).Mod(n).Max(BcBigInteger.One));
        }

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

    private static readonly BcBigInteger P = Secp256k1.Curve.Curve.Field.Characteristic;

    private static Secp256k1BaseMultiplier.Fe Fe(BcBigInteger v)
    {
        byte[] b = Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, v);
        return new Secp256k1BaseMultiplier.Fe(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(24)),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(16)),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(8)),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(0)));
    }

    private static BcBigInteger Bc(Secp256k1BaseMultiplier.Fe v)
    {
        byte[] b = new byte[32];
        v.WriteBigEndian(b);
        return new BcBigInteger(1, b);
    }

    /// <summary>Field elements (&lt; p): edges of p and 2^256 and seeded random values, a third of them near 2^256.</summary>
    private static List<BcBigInteger> FieldValues(int randomCount)
    {
        BcBigInteger two256 = BcBigInteger.One.ShiftLeft(256);
        var values = new List<BcBigInteger>
        {
            BcBigInteger.Zero, BcBigInteger.One, BcBigInteger.Two, P.Subtract(BcBigInteger.One), P.Subtract(BcBigInteger.Two),
            P.ShiftRight(1), two256.Subtract(BcBigInteger.One).Mod(P), BcBigInteger.One.ShiftLeft(255), BcBigInteger.One.ShiftLeft(64),
            BcBigInteger.One.ShiftLeft(64).Subtract(BcBigInteger.One), BcBigInteger.One.ShiftLeft(128).Subtract(BcBigInteger.One),
            BcBigInteger.ValueOf(0x1000003D1L), P.Subtract(BcBigInteger.ValueOf(0x1000003D1L)),
        };
        var random = new Random(1122);
        byte[] bytes = new byte[32];
        for (int i = 0; i < randomCount; i++)
        {
            random.NextBytes(bytes);
            if (i % 3 == 0)
            {
                bytes.AsSpan(0, 24).Fill(0xFF);
            }

            values.Add(new BcBigInteger(1, bytes).Mod(P));
        }

        return values;
    }

    [Test]
    public void FieldArithmetic_MatchesBouncyCastle()
    {
        var values = FieldValues(3000);
        for (int i = 0; i < values.Count; i++)
        {
            BcBigInteger a = values[i], b = values[(i * 13 + 5) % values.Count];
            string what = $"a = 0x{a.ToString(16)}, b = 0x{b.ToString(16)}";
            Assert.That(Bc(Secp256k1BaseMultiplier.Mul(Fe(a), Fe(b))), Is.EqualTo(a.Multiply(b).Mod(P)), "mul " + what);
            Assert.That(Bc(Secp256k1BaseMultiplier.Sqr(Fe(a))), Is.EqualTo(a.Multiply(a).Mod(P)), "sqr " + what);
            Assert.That(Bc(Secp256k1BaseMultiplier.Add(Fe(a), Fe(b))), Is.EqualTo(a.Add(b).Mod(P)), "add " + what);
            Assert.That(Bc(Secp256k1BaseMultiplier.Sub(Fe(a), Fe(b))), Is.EqualTo(a.Subtract(b).Mod(P)), "sub " + what);
            if (a.SignValue != 0)
            {
                Assert.That(Bc(Secp256k1BaseMultiplier.Invert(Fe(a))), Is.EqualTo(a.ModInverse(P)), "inv " + what);
            }
        }
    }

    [Test]
    public void ReduceWide_AnyProductWidthValue_MatchesBouncyCastle()
    {
        BcBigInteger two256 = BcBigInteger.One.ShiftLeft(256);
        var halves = new List<BcBigInteger>
        {
            BcBigInteger.Zero, BcBigInteger.One, P.Subtract(BcBigInteger.One), P, P.Add(BcBigInteger.One),
            two256.Subtract(BcBigInteger.One), two256.Subtract(BcBigInteger.Two), two256.Subtract(BcBigInteger.ValueOf(0x1000003D1L)),
        };
        var random = new Random(2211);
        byte[] bytes = new byte[32];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            if (i % 2 == 0)
            {
                bytes.AsSpan(0, 28).Fill(0xFF);
            }

            halves.Add(new BcBigInteger(1, bytes));
        }

        for (int i = 0; i < halves.Count; i++)
        {
            BcBigInteger low = halves[i], high = halves[(i * 7 + 1) % halves.Count];
            if (i < 64)
            {
                high = halves[i / 8];
                low = halves[i % 8];
            }

            var l = Fe(low);
            var h = Fe(high);
            var reduced = Secp256k1BaseMultiplier.ReduceWide(l.L0, l.L1, l.L2, l.L3, h.L0, h.L1, h.L2, h.L3);
            Assert.That(Bc(reduced), Is.EqualTo(high.ShiftLeft(256).Add(low).Mod(P)), $"high = 0x{high.ToString(16)}, low = 0x{low.ToString(16)}");
        }
    }
}
