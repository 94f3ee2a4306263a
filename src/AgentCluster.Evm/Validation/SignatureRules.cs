using System.Globalization;
using System.Numerics;
using Nethereum.Model;
using Nethereum.Signer;

namespace AgentCluster.Evm.Validation;

/// <summary>
/// Canonical-signature rules that Nethereum does not enforce when it decodes or recovers: r and s in [1, n-1] and, per EIP-2,
/// s in the lower half of the curve order (a high-s signature is the malleated twin of a valid one: same signer, different
/// transaction hash; every node refuses it).
/// </summary>
public static class SignatureRules
{
    /// <summary>The order n of the secp256k1 group.</summary>
    public static readonly BigInteger CurveOrder = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>n / 2: the largest s EIP-2 allows.</summary>
    public static readonly BigInteger HalfCurveOrder = CurveOrder / 2;

    /// <summary>Checks r and s of a signature given as big-endian bytes.</summary>
    /// <exception cref="FormatException">r or s is zero or not below n, or s is above n/2 (the message gives the low-s twin n - s).</exception>
    public static void EnsureLowS(byte[] r, byte[] s)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(s);
        EnsureLowS(new BigInteger(r, isUnsigned: true, isBigEndian: true), new BigInteger(s, isUnsigned: true, isBigEndian: true));
    }

    /// <inheritdoc cref="EnsureLowS(byte[], byte[])"/>
    public static void EnsureLowS(BigInteger r, BigInteger s)
    {
        if (r.Sign <= 0 || r >= CurveOrder)
        {
            throw new FormatException($"Signature r = 0x{Hex(r)} is outside 1..n-1 of secp256k1: not a valid signature.");
        }

        if (s.Sign <= 0 || s >= CurveOrder)
        {
            throw new FormatException($"Signature s = 0x{Hex(s)} is outside 1..n-1 of secp256k1: not a valid signature.");
        }

        if (s > HalfCurveOrder)
        {
            throw new FormatException(
                $"Signature s = 0x{Hex(s)} is in the upper half of the curve order; EIP-2 requires s <= n/2 (this is the malleated form of the signature with s = 0x{Hex(CurveOrder - s)}), and nodes refuse it.");
        }
    }

    /// <inheritdoc cref="EnsureLowS(byte[], byte[])"/>
    public static void EnsureLowS(ISignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        EnsureLowS(signature.R ?? [], signature.S ?? []);
    }

    /// <inheritdoc cref="EnsureLowS(byte[], byte[])"/>
    public static void EnsureLowS(EthECDSASignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        EnsureLowS(signature.R ?? [], signature.S ?? []);
    }

    /// <summary>Checks the signature of a decoded transaction (<c>TransactionFactory.CreateTransaction</c>).</summary>
    /// <exception cref="FormatException">The transaction is unsigned, or its signature breaks the rules above.</exception>
    public static void EnsureLowS(ISignedTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        EnsureLowS(transaction.Signature ?? throw new FormatException("The transaction carries no signature."));
    }

    private static string Hex(BigInteger value) => value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0') is { Length: > 0 } h ? h : "0";
}
