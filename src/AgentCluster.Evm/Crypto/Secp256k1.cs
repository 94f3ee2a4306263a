using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Utilities;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace AgentCluster.Evm.Crypto;

/// <summary>The secp256k1 curve math the key and signature classes share (BouncyCastle underneath).</summary>
internal static class Secp256k1
{
    // CustomNamedCurves: BouncyCastle's specialised secp256k1 (fixed-width field arithmetic, GLV endomorphism), about 7x faster than
    // the generic Fp curve SecNamedCurves returns. Same curve, same points.
    internal static readonly X9ECParameters Curve = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256k1");
    internal static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    internal static readonly BcBigInteger N = Curve.N;
    internal static readonly BcBigInteger HalfN = Curve.N.ShiftRight(1);

    internal static BcBigInteger ToBc(ReadOnlySpan<byte> bigEndian) => new(1, bigEndian.ToArray());

    internal static BcBigInteger ToBc(System.Numerics.BigInteger value) => new(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));

    internal static System.Numerics.BigInteger FromBc(BcBigInteger value) =>
        new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    private static readonly FixedPointCombMultiplier BaseMultiplier = new();

    internal static ECPoint PublicPoint(BcBigInteger d) => BaseMultiplier.Multiply(Domain.G, d).Normalize();

    /// <summary>
    /// RFC 6979 (HMAC-SHA256) deterministic ECDSA, s normalised to the lower half; writes r and s (32 bytes big-endian each) and
    /// returns the recovery id. The same k, r and s as BouncyCastle's ECDsaSigner with HMacDsaKCalculator, but with the nonces from
    /// <see cref="Rfc6979"/>, R = kG from <see cref="Secp256k1BaseMultiplier"/> and s = k⁻¹(z + r·d) mod n in
    /// <see cref="Secp256k1Scalar"/> with k⁻¹ from <see cref="ModInverse"/> (BouncyCastle's constant-time safegcd). The recovery id comes from the nonce point R itself: the parity of R.y, plus 2 when R.x
    /// overflowed the curve order; normalising s to the lower half negates R and so flips the parity.
    /// </summary>
    internal static int Sign(ReadOnlySpan<byte> privateKey32, ReadOnlySpan<byte> hash32, Span<byte> r32, Span<byte> s32)
    {
        var generator = new Rfc6979(privateKey32, hash32);
        Span<byte> k32 = stackalloc byte[32];
        Span<byte> x32 = stackalloc byte[32];
        var z = Secp256k1Scalar.Reduce(Secp256k1Scalar.Sc.FromBigEndian(hash32));
        var d = Secp256k1Scalar.Sc.FromBigEndian(privateKey32);
        try
        {
            while (true)
            {
                generator.NextK(k32);
                bool yOdd = NoncePoint(k32, x32);
                var r = Secp256k1Scalar.Reduce(Secp256k1Scalar.Sc.FromBigEndian(x32), out bool xOverflowed);
                if (r.IsZero)
                {
                    continue;
                }

                var kInverse = ModInverseN(k32);
                var s = Secp256k1Scalar.Mul(in kInverse, Secp256k1Scalar.Add(in z, Secp256k1Scalar.Mul(in r, in d)));
                if (s.IsZero)
                {
                    continue;
                }

                bool high = Secp256k1Scalar.IsHigh(in s);
                s = Secp256k1Scalar.NegateIf(in s, high);
                r.WriteBigEndian(r32);
                s.WriteBigEndian(s32);
                return ((yOdd ? 1 : 0) ^ (high ? 1 : 0)) | (xOverflowed ? 2 : 0);
            }
        }
        finally
        {
            generator.Clear();
            k32.Clear();
        }
    }

    /// <summary>k⁻¹ mod n, constant-time (<see cref="ModInverse"/>); 1 &lt;= k &lt; n.</summary>
    private static Secp256k1Scalar.Sc ModInverseN(ReadOnlySpan<byte> k32)
    {
        var k = Secp256k1Scalar.Sc.FromBigEndian(k32);
        ModInverse.Invert(ModInverse.N, k.L0, k.L1, k.L2, k.L3, out ulong r0, out ulong r1, out ulong r2, out ulong r3);
        return new Secp256k1Scalar.Sc(r0, r1, r2, r3);
    }

    /// <summary>Writes the affine x of R = kG and returns the parity of its y: the fixed-base tables, or BouncyCastle's comb in their rare fallback case.</summary>
    private static bool NoncePoint(ReadOnlySpan<byte> k32, Span<byte> x32)
    {
        if (Secp256k1BaseMultiplier.TryMultiply(k32, x32, out bool yOdd))
        {
            return yOdd;
        }

        ECPoint nonce = BaseMultiplier.Multiply(Domain.G, new BcBigInteger(1, k32.ToArray())).Normalize();
        BigIntegers.AsUnsignedByteArray(32, nonce.AffineXCoord.ToBigInteger()).CopyTo(x32);
        return nonce.AffineYCoord.TestBitZero();
    }

    /// <summary>SEC 1 v2 section 4.1.6 public key recovery. Null when the inputs name no point.</summary>
    internal static ECPoint? Recover(ReadOnlySpan<byte> hash32, BcBigInteger r, BcBigInteger s, int recoveryId)
    {
        BcBigInteger x = r.Add(BcBigInteger.ValueOf(recoveryId / 2).Multiply(N));
        var prime = Curve.Curve.Field.Characteristic;
        if (x.CompareTo(prime) >= 0)
        {
            return null;
        }

        byte[] compressed = new byte[33];
        compressed[0] = (byte)(0x02 + (recoveryId & 1));
        byte[] xBytes = x.ToByteArrayUnsigned();
        xBytes.CopyTo(compressed, 33 - xBytes.Length);
        ECPoint rPoint;
        try
        {
            rPoint = Curve.Curve.DecodePoint(compressed);
        }
        catch (ArgumentException)
        {
            return null;
        }

        // No n*R == infinity check: secp256k1 has cofactor 1, so every point on the curve has order n.
        BcBigInteger e = new(1, hash32.ToArray());
        BcBigInteger rInv = BigIntegers.ModOddInverse(N, r);
        BcBigInteger u1 = N.Subtract(e).Multiply(rInv).Mod(N);
        BcBigInteger u2 = s.Multiply(rInv).Mod(N);
        ECPoint q = ECAlgorithms.SumOfTwoMultiplies(Domain.G, u1, rPoint, u2).Normalize();
        return q.IsInfinity ? null : q;
    }

    internal static bool Verify(ECPoint publicKey, ReadOnlySpan<byte> hash32, BcBigInteger r, BcBigInteger s)
    {
        var signer = new ECDsaSigner();
        signer.Init(false, new ECPublicKeyParameters(publicKey, Domain));
        return signer.VerifySignature(hash32.ToArray(), r, s);
    }
}
