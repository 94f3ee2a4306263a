using AgentCluster.Evm.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Utilities;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace AgentCluster.Evm.Tests;

/// <summary>
/// The signing arithmetic that replaced BouncyCastle's: <see cref="Secp256k1Scalar"/> (mod n) <see cref="Rfc6979"/> (nonces) and <see cref="ModInverse"/> (inversions mod p and n),
/// each checked against BouncyCastle on edge values and seeded random values, and the whole signature against BouncyCastle's ECDsaSigner.
/// </summary>
public class Secp256k1ScalarTests
{
    private static readonly BcBigInteger N = Secp256k1.N;
    private static readonly BcBigInteger P = Secp256k1.Curve.Curve.Field.Characteristic;
    private static readonly BcBigInteger TwoTo256 = BcBigInteger.One.ShiftLeft(256);

    private static byte[] To32(BcBigInteger v) => BigIntegers.AsUnsignedByteArray(32, v);

    private static Secp256k1Scalar.Sc Sc(BcBigInteger v) => Secp256k1Scalar.Sc.FromBigEndian(To32(v));

    private static BcBigInteger Bc(Secp256k1Scalar.Sc v)
    {
        var bytes = new byte[32];
        v.WriteBigEndian(bytes);
        return new BcBigInteger(1, bytes);
    }

    /// <summary>Values below 2^256: the edges of n, p and 2^256, then seeded random ones.</summary>
    private static List<BcBigInteger> Raw256Values(int randomCount)
    {
        var values = new List<BcBigInteger>
        {
            BcBigInteger.Zero, BcBigInteger.One, BcBigInteger.Two,
            N.Subtract(BcBigInteger.Two), N.Subtract(BcBigInteger.One), N, N.Add(BcBigInteger.One),
            N.ShiftRight(1), N.ShiftRight(1).Add(BcBigInteger.One),
            P.Subtract(BcBigInteger.One), P, P.Add(BcBigInteger.One),
            TwoTo256.Subtract(BcBigInteger.One), TwoTo256.Subtract(BcBigInteger.Two), BcBigInteger.One.ShiftLeft(255),
            BcBigInteger.One.ShiftLeft(64), BcBigInteger.One.ShiftLeft(64).Subtract(BcBigInteger.One), BcBigInteger.One.ShiftLeft(128),
        };
        var random = new Random(20261122);
        byte[] bytes = new byte[32];
        for (int i = 0; i < randomCount; i++)
        {
            random.NextBytes(bytes);
            if (i % 8 == 0)
            {
                bytes.AsSpan(0, 16).Fill(0xFF); // near n, p and 2^256
            }

            values.Add(new BcBigInteger(1, bytes));
        }

        return values;
    }

    private static List<BcBigInteger> ScalarValues(int randomCount) => Raw256Values(randomCount).Select(v => v.Mod(N)).ToList();

    [Test]
    public void Reduce_MatchesBouncyCastle()
    {
        foreach (var v in Raw256Values(3000))
        {
            var reduced = Secp256k1Scalar.Reduce(Sc(v), out bool overflowed);
            Assert.That(Bc(reduced), Is.EqualTo(v.Mod(N)), $"0x{v.ToString(16)}");
            Assert.That(overflowed, Is.EqualTo(v.CompareTo(N) >= 0), $"0x{v.ToString(16)}");
        }
    }

    [Test]
    public void MulAddNegate_MatchBouncyCastle()
    {
        var values = ScalarValues(3000);
        for (int i = 0; i < values.Count; i++)
        {
            BcBigInteger a = values[i], b = values[(i * 7 + 3) % values.Count];
            Assert.That(Bc(Secp256k1Scalar.Mul(Sc(a), Sc(b))), Is.EqualTo(a.Multiply(b).Mod(N)), $"mul 0x{a.ToString(16)} 0x{b.ToString(16)}");
            Assert.That(Bc(Secp256k1Scalar.Mul(Sc(a), Sc(a))), Is.EqualTo(a.Multiply(a).Mod(N)), $"sqr 0x{a.ToString(16)}");
            Assert.That(Bc(Secp256k1Scalar.Add(Sc(a), Sc(b))), Is.EqualTo(a.Add(b).Mod(N)), $"add 0x{a.ToString(16)} 0x{b.ToString(16)}");
            Assert.That(Bc(Secp256k1Scalar.Negate(Sc(a))), Is.EqualTo(a.Negate().Mod(N)), $"neg 0x{a.ToString(16)}");
            bool high = a.CompareTo(N.ShiftRight(1)) > 0;
            Assert.That(Secp256k1Scalar.IsHigh(Sc(a)), Is.EqualTo(high), $"high 0x{a.ToString(16)}");
            Assert.That(Bc(Secp256k1Scalar.NegateIf(Sc(a), high)), Is.EqualTo(high ? N.Subtract(a) : a), $"low-s 0x{a.ToString(16)}");
        }
    }

    [Test]
    public void Rfc6979_MatchesBouncyCastleHMacDsaKCalculator()
    {
        var hashes = Raw256Values(500);
        var keys = ScalarValues(500).Where(k => k.SignValue > 0).ToList();
        keys.Add(N.Subtract(BcBigInteger.One));
        for (int i = 0; i < hashes.Count; i++)
        {
            byte[] hash = To32(hashes[i]);
            BcBigInteger d = keys[i % keys.Count];
            var expected = new HMacDsaKCalculator(new Sha256Digest());
            expected.Init(N, d, hash);
            var actual = new Rfc6979(To32(d), hash);
            byte[] k = new byte[32];
            for (int j = 0; j < 3; j++)
            {
                actual.NextK(k);
                Assert.That(new BcBigInteger(1, k), Is.EqualTo(expected.NextK()), $"k #{j} for d = 0x{d.ToString(16)}, h = 0x{hashes[i].ToString(16)}");
            }
        }
    }

    [Test]
    public void Sign_MatchesBouncyCastleECDsaSigner()
    {
        var hashes = Raw256Values(1000);
        var keys = ScalarValues(1000).Where(k => k.SignValue > 0).ToList();
        byte[] r = new byte[32], s = new byte[32];
        for (int i = 0; i < hashes.Count; i++)
        {
            byte[] hash = To32(hashes[i]);
            BcBigInteger d = keys[i % keys.Count];
            var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
            signer.Init(true, new Org.BouncyCastle.Crypto.Parameters.ECPrivateKeyParameters(d, Secp256k1.Domain));
            BcBigInteger[] expected = signer.GenerateSignature(hash);
            BcBigInteger expectedS = expected[1].CompareTo(N.ShiftRight(1)) > 0 ? N.Subtract(expected[1]) : expected[1];
            int recoveryId = Secp256k1.Sign(To32(d), hash, r, s);
            Assert.That(new BcBigInteger(1, r), Is.EqualTo(expected[0]), $"r for d = 0x{d.ToString(16)}, h = 0x{hashes[i].ToString(16)}");
            Assert.That(new BcBigInteger(1, s), Is.EqualTo(expectedS), $"s for d = 0x{d.ToString(16)}, h = 0x{hashes[i].ToString(16)}");
            var q = Secp256k1.Domain.G.Multiply(d).Normalize();
            var recovered = Secp256k1.Recover(hash, new BcBigInteger(1, r), new BcBigInteger(1, s), recoveryId);
            Assert.That(recovered, Is.Not.Null);
            Assert.That(recovered!.Equals(q), Is.True, $"recovery id {recoveryId} for d = 0x{d.ToString(16)}");
        }
    }

    [Test]
    public void ModInverse_MatchesBigIntegerModInverse_ForPAndN()
    {
        foreach (var (modulus, info) in new[] { (P, ModInverse.P), (N, ModInverse.N) })
        {
            var values = Raw256Values(3000).Select(v => v.Mod(modulus)).Where(v => v.SignValue != 0).ToList();
            values.Add(modulus.Subtract(BcBigInteger.One));
            values.Add(modulus.Subtract(BcBigInteger.Two));
            values.Add(modulus.ShiftRight(1));
            values.Add(modulus.ShiftRight(1).Add(BcBigInteger.One));
            foreach (var x in values)
            {
                var limbs = Sc(x);
                ModInverse.Invert(info, limbs.L0, limbs.L1, limbs.L2, limbs.L3, out ulong r0, out ulong r1, out ulong r2, out ulong r3);
                Assert.That(Bc(new Secp256k1Scalar.Sc(r0, r1, r2, r3)), Is.EqualTo(x.ModInverse(modulus)), $"0x{x.ToString(16)} mod 0x{modulus.ToString(16)}");
            }
        }
    }
}
