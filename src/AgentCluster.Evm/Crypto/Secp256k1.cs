using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace AgentCluster.Evm.Crypto;

/// <summary>The secp256k1 curve math the key and signature classes share (BouncyCastle underneath).</summary>
internal static class Secp256k1
{
    internal static readonly X9ECParameters Curve = Org.BouncyCastle.Asn1.Sec.SecNamedCurves.GetByName("secp256k1");
    internal static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    internal static readonly BcBigInteger N = Curve.N;
    internal static readonly BcBigInteger HalfN = Curve.N.ShiftRight(1);

    internal static BcBigInteger ToBc(ReadOnlySpan<byte> bigEndian) => new(1, bigEndian.ToArray());

    internal static BcBigInteger ToBc(System.Numerics.BigInteger value) => new(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));

    internal static System.Numerics.BigInteger FromBc(BcBigInteger value) =>
        new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    internal static ECPoint PublicPoint(BcBigInteger d) => new FixedPointCombMultiplier().Multiply(Domain.G, d).Normalize();

    /// <summary>RFC 6979 (HMAC-SHA256) deterministic ECDSA, s normalised to the lower half, recovery id found by trial.</summary>
    internal static (BcBigInteger R, BcBigInteger S, int RecoveryId) Sign(BcBigInteger d, ECPoint publicKey, ReadOnlySpan<byte> hash32)
    {
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(d, Domain));
        BcBigInteger[] rs = signer.GenerateSignature(hash32.ToArray());
        BcBigInteger r = rs[0], s = rs[1];
        if (s.CompareTo(HalfN) > 0)
        {
            s = N.Subtract(s);
        }

        for (int recoveryId = 0; recoveryId < 4; recoveryId++)
        {
            ECPoint? candidate = Recover(hash32, r, s, recoveryId);
            if (candidate is not null && candidate.Equals(publicKey))
            {
                return (r, s, recoveryId);
            }
        }

        throw new InvalidOperationException("Could not compute the recovery id of a fresh signature; the key or curve arithmetic is broken.");
    }

    /// <summary>SEC 1 v2 section 4.1.6 public key recovery. Null when the inputs name no point.</summary>
    internal static ECPoint? Recover(ReadOnlySpan<byte> hash32, BcBigInteger r, BcBigInteger s, int recoveryId)
    {
        BcBigInteger x = r.Add(BcBigInteger.ValueOf(recoveryId / 2).Multiply(N));
        var prime = ((FpCurve)Curve.Curve).Q;
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

        if (!rPoint.Multiply(N).IsInfinity)
        {
            return null;
        }

        BcBigInteger e = new(1, hash32.ToArray());
        BcBigInteger rInv = r.ModInverse(N);
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
