using System.Numerics;

namespace AgentCluster.Evm.Crypto;

/// <summary>
/// A secp256k1 ECDSA signature with its recovery id. <see cref="RecoveryId"/> is 0 or 1 (the parity of R's y);
/// how it is written on the wire depends on context: <see cref="V"/> (27/28) for personal_sign/EIP-712 and legacy
/// pre-EIP-155 transactions, <c>chainId*2+35+recoveryId</c> for EIP-155, the bare parity for typed transactions.
/// </summary>
public sealed record EthECDSASignature
{
    private static readonly BigInteger CurveOrder = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337");

    /// <exception cref="ArgumentOutOfRangeException">r or s not in 1..n-1, or a recovery id other than 0..3.</exception>
    public EthECDSASignature(UInt256 r, UInt256 s, int recoveryId)
    {
        if (r.IsZero || r.Value >= CurveOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(r), r, "Signature r must be between 1 and the curve order n-1.");
        }

        if (s.IsZero || s.Value >= CurveOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(s), s, "Signature s must be between 1 and the curve order n-1.");
        }

        if (recoveryId is < 0 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(recoveryId), recoveryId, "Recovery id must be 0 or 1 (2 and 3 are possible in theory, never in practice).");
        }

        R = r;
        S = s;
        RecoveryId = recoveryId;
    }

    public UInt256 R { get; }

    public UInt256 S { get; }

    /// <summary>0 or 1: the parity of the y coordinate of the nonce point.</summary>
    public int RecoveryId { get; }

    /// <summary>27 + recovery id, as in the 65-byte <c>r||s||v</c> form of personal_sign and eth_signTypedData.</summary>
    public byte V => (byte)(27 + RecoveryId);

    /// <summary>True when s is in the lower half of the curve order, as EIP-2 requires for transactions.</summary>
    public bool IsLowS => S.Value <= CurveOrder / 2;

    /// <summary>The 65-byte <c>r||s||v</c> form with v = 27/28.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[65];
        R.ToBigEndian32().CopyTo(bytes, 0);
        S.ToBigEndian32().CopyTo(bytes, 32);
        bytes[64] = V;
        return bytes;
    }

    public string ToHex() => Hex.Encode(ToBytes());

    /// <summary>Parses 65-byte <c>r||s||v</c>; v may be 27/28 or 0/1.</summary>
    /// <exception cref="ArgumentException">Wrong length, or v not one of 0, 1, 27, 28.</exception>
    public static EthECDSASignature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 65)
        {
            throw new ArgumentException($"A signature is 65 bytes (r||s||v), got {bytes.Length}.", nameof(bytes));
        }

        int v = bytes[64];
        int recoveryId = v switch
        {
            0 or 1 => v,
            27 or 28 => v - 27,
            _ => throw new ArgumentException($"Signature v must be 27 or 28 (or 0 or 1), got {v}.", nameof(bytes)),
        };
        return new EthECDSASignature(UInt256.FromBigEndian(bytes[..32]), UInt256.FromBigEndian(bytes[32..64]), recoveryId);
    }

    /// <summary>Parses the 0x-hex of a 65-byte signature.</summary>
    public static EthECDSASignature Parse(string hex) => FromBytes(Hex.DecodeExact(hex, 65, "a signature"));

    public override string ToString() => ToHex();
}
