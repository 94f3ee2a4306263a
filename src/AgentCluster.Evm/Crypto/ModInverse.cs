using System.Buffers.Binary;
using Org.BouncyCastle.Utilities;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace AgentCluster.Evm.Crypto;

/// <summary>
/// Constant-time modular inversion for the secp256k1 field prime p and group order n, on 4 little-endian 64-bit limbs:
/// BouncyCastle's <c>BigIntegers.ModOddInverse</c> (Bernstein–Yang safegcd with a fixed number of branch-free steps, the inversion
/// its own ECDSA uses for k), behind a byte conversion. About 2-3 µs per call here.
/// </summary>
internal static class ModInverse
{
    internal static readonly BcBigInteger P = Secp256k1.Curve.Curve.Field.Characteristic;

    internal static readonly BcBigInteger N = Secp256k1.N;

    /// <summary>x⁻¹ mod m for 0 &lt; x &lt; m, m one of <see cref="P"/> and <see cref="N"/>.</summary>
    internal static void Invert(BcBigInteger m, ulong x0, ulong x1, ulong x2, ulong x3, out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        var bytes = new byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(0, 8), x3);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8, 8), x2);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(16, 8), x1);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(24, 8), x0);
        byte[] inverse = BigIntegers.AsUnsignedByteArray(32, BigIntegers.ModOddInverse(m, new BcBigInteger(1, bytes)));
        Array.Clear(bytes);
        r3 = BinaryPrimitives.ReadUInt64BigEndian(inverse.AsSpan(0, 8));
        r2 = BinaryPrimitives.ReadUInt64BigEndian(inverse.AsSpan(8, 8));
        r1 = BinaryPrimitives.ReadUInt64BigEndian(inverse.AsSpan(16, 8));
        r0 = BinaryPrimitives.ReadUInt64BigEndian(inverse.AsSpan(24, 8));
        Array.Clear(inverse);
    }
}
