using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
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
    /// RFC 6979 (HMAC-SHA256) deterministic ECDSA, s normalised to the lower half. This is BouncyCastle's ECDsaSigner loop
    /// (same k, same r and s), written out so the recovery id comes from the nonce point R = kG itself: the parity of R.y,
    /// plus 2 when R.x overflowed the curve order; normalising s to the lower half negates R and so flips the parity.
    /// </summary>
    internal static (BcBigInteger R, BcBigInteger S, int RecoveryId) Sign(BcBigInteger d, ECPoint publicKey, ReadOnlySpan<byte> hash32)
    {
        byte[] hash = hash32.ToArray();
        var kCalculator = new HMacDsaKCalculator(new Sha256Digest());
        kCalculator.Init(N, d, hash);
        BcBigInteger e = new(1, hash);
        while (true)
        {
            BcBigInteger k = kCalculator.NextK();
            var (x, yOdd) = NoncePoint(k);
            BcBigInteger r = x.Mod(N);
            if (r.SignValue == 0)
            {
                continue;
            }

            BcBigInteger s = BigIntegers.ModOddInverse(N, k).Multiply(e.Add(d.Multiply(r))).Mod(N);
            if (s.SignValue == 0)
            {
                continue;
            }

            int recoveryId = (yOdd ? 1 : 0) | (x.CompareTo(N) >= 0 ? 2 : 0);
            if (s.CompareTo(HalfN) > 0)
            {
                s = N.Subtract(s);
                recoveryId ^= 1;
            }

            return (r, s, recoveryId);
        }
    }

    /// <summary>The affine x of R = kG and the parity of its y: the 64-bit fixed-base tables, or BouncyCastle's comb in their rare fallback case.</summary>
    private static (BcBigInteger X, bool YOdd) NoncePoint(BcBigInteger k)
    {
        Span<byte> k32 = stackalloc byte[32];
        Span<byte> x32 = stackalloc byte[32];
        BigIntegers.AsUnsignedByteArray(k).CopyTo(k32[(32 - ((k.BitLength + 7) / 8))..]);
        if (Secp256k1BaseMultiplier.TryMultiply(k32, x32, out bool yOdd))
        {
            return (new BcBigInteger(1, x32.ToArray()), yOdd);
        }

        ECPoint nonce = BaseMultiplier.Multiply(Domain.G, k).Normalize();
        return (nonce.AffineXCoord.ToBigInteger(), nonce.AffineYCoord.TestBitZero());
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
