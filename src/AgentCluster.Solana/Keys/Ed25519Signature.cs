using Bc = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace AgentCluster.Solana.Keys;

/// <summary>Ed25519 signature verification (BouncyCastle's RFC 8032 <c>Verify</c>).</summary>
public static class Ed25519Signature
{
    /// <summary>
    /// True when <paramref name="signature"/> (64 bytes) is <paramref name="publicKey"/>'s signature of <paramref name="message"/>;
    /// false for a wrong signature, a signature that is not 64 bytes, or a key that is not a curve point.
    /// </summary>
    /// <exception cref="ArgumentNullException">A null key.</exception>
    public static bool Verify(PublicKey publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (signature.Length != Account.SignatureLength)
        {
            return false;
        }

        byte[] m = message.ToArray();
        return Bc.Verify(signature.ToArray(), 0, publicKey.KeyBytes, 0, m, 0, m.Length);
    }
}
