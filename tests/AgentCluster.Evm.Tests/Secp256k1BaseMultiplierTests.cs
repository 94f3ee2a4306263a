using AgentCluster.Evm.Crypto;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace AgentCluster.Evm.Tests;

/// <summary>
/// The fixed-base multiplier used for signing nonces, checked point by point against BouncyCastle's own k·G: the signed-digit
/// recoding (k' = (k + M)/2 mod n, M = (2^259 - 1) mod n) against BigInteger arithmetic, every table entry through every scan path,
/// the edges of the scalar range and of the recoded windows, its one fallback scalar, and seeded random scalars.
/// </summary>
public class Secp256k1BaseMultiplierTests
{
    private const int WindowBits = 7, Windows = 37;
    private static readonly BcBigInteger N = Secp256k1.N;
    private static readonly BcBigInteger M = BcBigInteger.One.ShiftLeft(WindowBits * Windows).Subtract(BcBigInteger.One).Mod(N);

    /// <summary>k' = (k + M)·2⁻¹ mod n, computed independently of the implementation.</summary>
    private static BcBigInteger Recoded(BcBigInteger k) => k.Add(M).Multiply(BcBigInteger.Two.ModInverse(N)).Mod(N);

    /// <summary>The k whose recoding is <paramref name="recoded"/> (0 &lt;= k' &lt; n): k = 2k' - M mod n.</summary>
    private static BcBigInteger FromRecoded(BcBigInteger recoded) => recoded.ShiftLeft(1).Subtract(M).Mod(N);

    /// <summary>k' from window digits (index 0 = bits 0..6).</summary>
    private static BcBigInteger FromDigits(Func<int, int> digit)
    {
        BcBigInteger v = BcBigInteger.Zero;
        for (int w = Windows - 1; w >= 0; w--)
        {
            v = v.ShiftLeft(WindowBits).Add(BcBigInteger.ValueOf(digit(w)));
        }

        return v;
    }

    private static byte[] Bytes32(BcBigInteger k)
    {
        byte[] k32 = new byte[32];
        byte[] raw = k.ToByteArrayUnsigned();
        raw.CopyTo(k32, 32 - raw.Length);
        return k32;
    }

    /// <summary>TryMultiply on k (any 256-bit value) against BouncyCastle's (k mod n)·G.</summary>
    private static void AssertMatchesBouncyCastle(BcBigInteger k)
    {
        byte[] k32 = Bytes32(k);
        byte[] x32 = new byte[32];
        var expected = Secp256k1.Domain.G.Multiply(k.Mod(N)).Normalize();
        if (!Secp256k1BaseMultiplier.TryMultiply(k32, x32, out bool yOdd))
        {
            // The documented fallback case; the signer then uses BouncyCastle. Only FallbackScalar may take it.
            Assert.Fail($"fast path declined k = 0x{k.ToString(16)}");
        }

        Assert.That(Convert.ToHexString(x32), Is.EqualTo(Convert.ToHexString(expected.AffineXCoord.GetEncoded())), $"x of k = 0x{k.ToString(16)}");
        Assert.That(yOdd, Is.EqualTo(expected.AffineYCoord.TestBitZero()), $"y parity of k = 0x{k.ToString(16)}");
    }

    [Test]
    public void TryMultiply_EdgeScalars_MatchBouncyCastle()
    {
        BcBigInteger n = N;
        var edges = new List<BcBigInteger>
        {
            BcBigInteger.One,
            BcBigInteger.Two,
            BcBigInteger.ValueOf(15),
            BcBigInteger.ValueOf(16),
            BcBigInteger.ValueOf(17),
            n.Subtract(BcBigInteger.One),
            n.Subtract(BcBigInteger.Two),
            Secp256k1.HalfN, // (n - 1)/2
            Secp256k1.HalfN.Add(BcBigInteger.One), // (n + 1)/2
            BcBigInteger.One.ShiftLeft(255).Mod(n),
            BcBigInteger.One.ShiftLeft(128),
            BcBigInteger.One.ShiftLeft(252).Subtract(BcBigInteger.One),
            new BcBigInteger("1111111111111111111111111111111111111111111111111111111111111111", 16),
            new BcBigInteger("8000000000000000000000000000000000000000000000000000000000000001", 16).Mod(n),
            M, // k' = M
            n.Subtract(M), // k' = 0: every recoded digit 0
        };

        // Plain 7-bit windows of k: every digit at its maximum, single digits at their edges, carries across 64-bit limbs.
        edges.Add(BcBigInteger.One.ShiftLeft(252).Subtract(BcBigInteger.One).ShiftLeft(3).Add(BcBigInteger.ValueOf(7)).Mod(n));
        for (int w = 0; w < Windows; w++)
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

    /// <summary>
    /// Scalars chosen by their recoding k': every window digit 0 (all signs negative), the low 36 windows at 127 (all positive),
    /// the sign boundary 63 | 64 everywhere and in single windows, and the top window (bits 252..258, at most 15 because k' &lt; n)
    /// at each of its values.
    /// </summary>
    [Test]
    public void TryMultiply_RecodedDigitEdges_MatchBouncyCastle()
    {
        var recoded = new List<BcBigInteger>
        {
            BcBigInteger.Zero, // every digit 0: every v_i = -127
            BcBigInteger.One,
            BcBigInteger.One.ShiftLeft(252).Subtract(BcBigInteger.One), // windows 0..35 at 127, top window 0
            N.Subtract(BcBigInteger.One), // the largest k', top window 15
            N.Subtract(BcBigInteger.Two),
            FromDigits(w => w < Windows - 1 ? 63 : 0),
            FromDigits(w => w < Windows - 1 ? 64 : 0),
            FromDigits(w => w < Windows - 1 ? 63 : 15),
            FromDigits(w => w < Windows - 1 ? 64 : 15),
            FromDigits(w => w < Windows - 1 ? (w % 2 == 0 ? 63 : 64) : 8),
            FromDigits(w => w < Windows - 1 ? (w % 2 == 0 ? 64 : 63) : 7),
            FromDigits(w => w < Windows - 1 ? (w % 2 == 0 ? 0 : 127) : 0),
            FromDigits(w => w < Windows - 1 ? (w % 2 == 0 ? 127 : 0) : 15),
        };

        // One window at the sign boundary (63, 64) or an extreme (0, 127) with all others 0 or all others 127.
        for (int w = 0; w < Windows - 1; w++)
        {
            foreach (int d in new[] { 0, 63, 64, 127 })
            {
                int window = w, digit = d;
                recoded.Add(FromDigits(i => i == window ? digit : 0));
                recoded.Add(FromDigits(i => i == window ? digit : (i < Windows - 1 ? 127 : 0)));
            }
        }

        // The top window at every value it can take, with the rest 0, 127 or 63.
        for (int top = 0; top < 16; top++)
        {
            int t = top;
            recoded.Add(FromDigits(i => i == Windows - 1 ? t : 0));
            recoded.Add(FromDigits(i => i == Windows - 1 ? t : 63));
            recoded.Add(FromDigits(i => i == Windows - 1 ? t : 127).Min(N.Subtract(BcBigInteger.One)));
        }

        int checkedCount = 0;
        foreach (var kPrime in recoded)
        {
            Assert.That(kPrime.SignValue >= 0 && kPrime.CompareTo(N) < 0, $"k' = 0x{kPrime.ToString(16)} out of range");
            BcBigInteger k = FromRecoded(kPrime);
            Assert.That(Recoded(k), Is.EqualTo(kPrime), "test helper round trip");
            if (k.SignValue == 0 || k.Equals(FallbackScalar))
            {
                continue; // covered by TryMultiply_FallbackScalars_AreDeclined
            }

            AssertMatchesBouncyCastle(k);
            checkedCount++;
        }

        Assert.That(checkedCount, Is.GreaterThan(300));
    }

    /// <summary>The implementation's recoding and digits against the BigInteger definition.</summary>
    [Test]
    public void Recode_MatchesDefinition()
    {
        var random = new Random(7331);
        byte[] bytes = new byte[32];
        var scalars = new List<BcBigInteger>
        {
            BcBigInteger.Zero, BcBigInteger.One, BcBigInteger.Two, N.Subtract(BcBigInteger.One), N, N.Add(BcBigInteger.One),
            BcBigInteger.One.ShiftLeft(256).Subtract(BcBigInteger.One), Secp256k1.HalfN, Secp256k1.HalfN.Add(BcBigInteger.One), M,
            N.Subtract(M), FallbackScalar,
        };
        for (int i = 0; i < 500; i++)
        {
            random.NextBytes(bytes);
            scalars.Add(new BcBigInteger(1, bytes)); // some >= n on purpose: reduced first
        }

        Span<ulong> limbs = stackalloc ulong[5];
        foreach (var k in scalars)
        {
            Secp256k1BaseMultiplier.Recode(Bytes32(k), limbs);
            BcBigInteger expected = Recoded(k.Mod(N));
            for (int w = 0; w < Windows; w++)
            {
                int digit = expected.ShiftRight(WindowBits * w).IntValue & 127;
                Assert.That(Secp256k1BaseMultiplier.Digit(limbs, w), Is.EqualTo(digit), $"window {w} of k = 0x{k.ToString(16)}");
            }

            Assert.That(limbs[4], Is.Zero);

            // The recoding identity itself: Σ v_i·128^i ≡ k (mod n), v_i = 2·d_i - 127.
            BcBigInteger sum = BcBigInteger.Zero;
            for (int w = Windows - 1; w >= 0; w--)
            {
                int v = (2 * Secp256k1BaseMultiplier.Digit(limbs, w)) - 127;
                sum = sum.ShiftLeft(WindowBits).Add(BcBigInteger.ValueOf(v));
            }

            Assert.That(sum.Mod(N), Is.EqualTo(k.Mod(N)), $"Σ v_i·128^i for k = 0x{k.ToString(16)}");
        }
    }

    /// <summary>
    /// Every signed table look-up, v·128^i·G for each window i and digit d (v = 2d - 127), against BouncyCastle; and every entry
    /// scanned by each path (AVX-512, AVX2, scalar: the vector ones run in software where the hardware lacks them) alike.
    /// </summary>
    [Test]
    public void TableLookups_AllWindowsAllDigits_MatchBouncyCastle()
    {
        var g = Secp256k1.Domain.G;
        for (int w = 0; w < Windows; w++)
        {
            var windowBase = g.Multiply(BcBigInteger.One.ShiftLeft(WindowBits * w));
            for (int d = 0; d < 128; d++)
            {
                int v = (2 * d) - 127;
                var expected = windowBase.Multiply(BcBigInteger.ValueOf(Math.Abs(v)));
                expected = (v < 0 ? expected.Negate() : expected).Normalize();
                Secp256k1BaseMultiplier.SignedLookup(w, d, out var x, out var y);
                Assert.That(Hex(x), Is.EqualTo(Convert.ToHexString(expected.AffineXCoord.GetEncoded())), $"x, window {w}, digit {d}");
                Assert.That(Hex(y), Is.EqualTo(Convert.ToHexString(expected.AffineYCoord.GetEncoded())), $"y, window {w}, digit {d}");
            }

            for (int j = 0; j < 64; j++)
            {
                var entry = windowBase.Multiply(BcBigInteger.ValueOf((2 * j) + 1)).Normalize();
                string ex = Convert.ToHexString(entry.AffineXCoord.GetEncoded()), ey = Convert.ToHexString(entry.AffineYCoord.GetEncoded());
                Secp256k1BaseMultiplier.Scan512(w, j, out var x5, out var y5);
                Secp256k1BaseMultiplier.Scan256(w, j, out var x2, out var y2);
                Secp256k1BaseMultiplier.ScanScalar(w, j, out var xs, out var ys);
                Assert.That((Hex(x5), Hex(y5)), Is.EqualTo((ex, ey)), $"AVX-512 scan, window {w}, entry {j}");
                Assert.That((Hex(x2), Hex(y2)), Is.EqualTo((ex, ey)), $"AVX2 scan, window {w}, entry {j}");
                Assert.That((Hex(xs), Hex(ys)), Is.EqualTo((ex, ey)), $"scalar scan, window {w}, entry {j}");
            }
        }
    }

    /// <summary>
    /// The doubling case of the last addition: partial sum P = 2^252 - 7·(2^256 - n) (odd, |P| &lt; 2^252, so reachable by the low
    /// 36 windows) and top digit v = -111 give P ≡ v·2^252 (mod n), so the last addition adds a point to itself. That happens for
    /// k ≡ 2P only; with k ≡ 0 (outside the contract) it cancels. TryMultiply must decline both (the signer then uses BouncyCastle)
    /// rather than return a wrong point, and handle the neighbours.
    /// </summary>
    [Test]
    public void TryMultiply_FallbackScalars_AreDeclined()
    {
        BcBigInteger kPrime = Recoded(FallbackScalar);
        Assert.That(kPrime.ShiftRight(252).IntValue, Is.EqualTo(8), "top digit of the fallback scalar (v = 2·8 - 127 = -111)");
        BcBigInteger partial = kPrime.Mod(BcBigInteger.One.ShiftLeft(252)).ShiftLeft(1).Subtract(BcBigInteger.One.ShiftLeft(252).Subtract(BcBigInteger.One));
        Assert.That(partial.Subtract(BcBigInteger.ValueOf(-111).ShiftLeft(252)).Mod(N).SignValue, Is.Zero, "P ≡ v·2^252");

        byte[] x32 = new byte[32];
        Assert.That(Secp256k1BaseMultiplier.TryMultiply(Bytes32(FallbackScalar), x32, out _), Is.False, "k = 2^253 - 14·(2^256 - n)");
        Assert.That(Secp256k1BaseMultiplier.TryMultiply(new byte[32], x32, out _), Is.False, "k = 0");
        Assert.That(Secp256k1BaseMultiplier.TryMultiply(Bytes32(N), x32, out _), Is.False, "k = n");

        for (int delta = -3; delta <= 3; delta++)
        {
            if (delta != 0)
            {
                AssertMatchesBouncyCastle(FallbackScalar.Add(BcBigInteger.ValueOf(delta)));
            }
        }

        // The same P with the other top digits near -111 does not double.
        AssertMatchesBouncyCastle(FromRecoded(kPrime.Add(BcBigInteger.One.ShiftLeft(252))));
        AssertMatchesBouncyCastle(FromRecoded(kPrime.Subtract(BcBigInteger.One.ShiftLeft(252))));
    }

    /// <summary>2^253 - 14·(2^256 - n): the one k in [1, n) whose last addition is a doubling (see the class documentation).</summary>
    private static BcBigInteger FallbackScalar =>
        BcBigInteger.One.ShiftLeft(253).Subtract(BcBigInteger.ValueOf(14).Multiply(BcBigInteger.One.ShiftLeft(256).Subtract(N)));

    /// <summary>Outside the contract (k &gt;= n), k means k mod n, as BouncyCastle's k·G does.</summary>
    [Test]
    public void TryMultiply_ScalarsAboveN_AreReducedModN()
    {
        BcBigInteger two256 = BcBigInteger.One.ShiftLeft(256);
        foreach (var k in new[] { N.Add(BcBigInteger.One), N.Add(BcBigInteger.Two), two256.Subtract(BcBigInteger.One), two256.Subtract(BcBigInteger.Two) })
        {
            AssertMatchesBouncyCastle(k);
        }
    }

    [Test]
    public void TryMultiply_SeededRandomScalars_MatchBouncyCastle()
    {
        var random = new Random(20261122);
        byte[] bytes = new byte[32];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            var k = new BcBigInteger(1, bytes).Mod(N.Subtract(BcBigInteger.One)).Add(BcBigInteger.One);
            AssertMatchesBouncyCastle(k);
        }
    }

    private static string Hex(Secp256k1BaseMultiplier.Fe v)
    {
        byte[] b = new byte[32];
        v.WriteBigEndian(b);
        return Convert.ToHexString(b);
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
