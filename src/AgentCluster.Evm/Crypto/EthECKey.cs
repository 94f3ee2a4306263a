using RandomNumberGenerator = System.Security.Cryptography.RandomNumberGenerator;
using Org.BouncyCastle.Math.EC;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace AgentCluster.Evm.Crypto;

/// <summary>
/// A secp256k1 key: a private key (can sign) or a public key only (can verify; what recovery returns).
/// Signing is deterministic (RFC 6979 with HMAC-SHA256) and always produces low-s signatures.
/// </summary>
public sealed class EthECKey
{
    private readonly byte[]? _privateKeyBytes; // 32 bytes, big-endian; null for a public-only key
    private readonly ECPoint _publicKey;

    /// <summary>A signing key from 32 private key bytes.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes, zero, or not below the curve order.</exception>
    public EthECKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new ArgumentException($"A private key is 32 bytes, got {privateKey.Length}.", nameof(privateKey));
        }

        BcBigInteger d = Secp256k1.ToBc(privateKey);
        if (d.SignValue == 0 || d.CompareTo(Secp256k1.N) >= 0)
        {
            throw new ArgumentException("A private key must be between 1 and the secp256k1 curve order n-1.", nameof(privateKey));
        }

        _privateKeyBytes = privateKey.ToArray();
        _publicKey = Secp256k1.PublicPoint(d);
        Address = Address.FromPublicKey(GetPublicKey());
    }

    /// <summary>A signing key from 64 hex digits (with or without 0x).</summary>
    /// <exception cref="FormatException">Malformed hex or not 32 bytes.</exception>
    public EthECKey(string privateKeyHex)
        : this(Hex.DecodeExact(privateKeyHex, 32, "a private key"))
    {
    }

    private EthECKey(ECPoint publicKey)
    {
        _publicKey = publicKey;
        Address = Address.FromPublicKey(GetPublicKey());
    }

    /// <summary>The account address of this key.</summary>
    public Address Address { get; }

    /// <summary>False for a public-only key (from <see cref="FromPublicKey"/> or recovery).</summary>
    public bool HasPrivateKey => _privateKeyBytes is not null;

    /// <summary>A fresh random key from the OS CSPRNG.</summary>
    public static EthECKey GenerateKey()
    {
        Span<byte> bytes = stackalloc byte[32];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            BcBigInteger d = Secp256k1.ToBc(bytes);
            if (d.SignValue != 0 && d.CompareTo(Secp256k1.N) < 0)
            {
                return new EthECKey(bytes);
            }
        }
    }

    /// <summary>A verify-only key from a public key: 64 bytes (x||y), 65 bytes (0x04||x||y) or 33 bytes compressed.</summary>
    /// <exception cref="ArgumentException">Wrong length or not a point on the curve.</exception>
    public static EthECKey FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        byte[] encoded = publicKey.Length == 64 ? [0x04, .. publicKey] : publicKey.ToArray();
        if (encoded.Length is not (65 or 33))
        {
            throw new ArgumentException($"A public key is 64, 65 or 33 bytes, got {publicKey.Length}.", nameof(publicKey));
        }

        try
        {
            return new EthECKey(Secp256k1.Curve.Curve.DecodePoint(encoded).Normalize());
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The public key is not a point on secp256k1: {e.Message}", nameof(publicKey), e);
        }
    }

    /// <summary>Same as <see cref="Address"/> (Nethereum's name).</summary>
    public Address GetPublicAddress() => Address;

    /// <summary>The 32-byte private key.</summary>
    /// <exception cref="InvalidOperationException">A public-only key.</exception>
    public byte[] GetPrivateKeyBytes()
    {
        byte[] d = _privateKeyBytes ?? throw new InvalidOperationException("This key has no private part (it was built from a public key or recovered).");
        return (byte[])d.Clone();
    }

    /// <summary>The uncompressed public key without the 0x04 prefix: 64 bytes x||y.</summary>
    public byte[] GetPublicKey() => _publicKey.GetEncoded(false)[1..];

    /// <summary>The public key in SEC1 form: 65 bytes 0x04||x||y, or 33 bytes when <paramref name="compressed"/>.</summary>
    public byte[] GetPublicKeySec1(bool compressed = false) => _publicKey.GetEncoded(compressed);

    /// <summary>Signs a 32-byte hash (no hashing or prefixing is done here).</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    /// <exception cref="InvalidOperationException">A public-only key.</exception>
    public EthECDSASignature SignAndCalculateV(ReadOnlySpan<byte> hash32)
    {
        byte[] d = _privateKeyBytes ?? throw new InvalidOperationException("This key has no private part and cannot sign.");
        RequireHash(hash32);
        Span<byte> r = stackalloc byte[32];
        Span<byte> s = stackalloc byte[32];
        int recoveryId = Secp256k1.Sign(d, hash32, r, s);
        return new EthECDSASignature(UInt256.FromBigEndian(r), UInt256.FromBigEndian(s), recoveryId);
    }

    public EthECDSASignature Sign(Hash32 hash)
    {
        Span<byte> bytes = stackalloc byte[Hash32.Length];
        hash.WriteTo(bytes);
        return SignAndCalculateV(bytes);
    }

    /// <summary>Verifies a signature over a 32-byte hash against this key (either s half is accepted).</summary>
    public bool Verify(ReadOnlySpan<byte> hash32, EthECDSASignature signature)
    {
        RequireHash(hash32);
        return Secp256k1.Verify(_publicKey, hash32, Secp256k1.ToBc(signature.R.Value), Secp256k1.ToBc(signature.S.Value));
    }

    public bool Verify(Hash32 hash, EthECDSASignature signature) => Verify(hash.ToArray(), signature);

    /// <summary>Recovers the signer's public key from a 32-byte hash and a signature with its recovery id.</summary>
    /// <exception cref="ArgumentException">The signature names no valid public key for this hash.</exception>
    public static EthECKey RecoverFromSignature(EthECDSASignature signature, ReadOnlySpan<byte> hash32)
    {
        RequireHash(hash32);
        ECPoint? point = Secp256k1.Recover(hash32, Secp256k1.ToBc(signature.R.Value), Secp256k1.ToBc(signature.S.Value), signature.RecoveryId);
        return point is null
            ? throw new ArgumentException("The signature does not recover to any public key for this hash.", nameof(signature))
            : new EthECKey(point);
    }

    /// <summary>Recovers the signer's address from a 32-byte hash and a signature.</summary>
    public static Address RecoverAddress(Hash32 hash, EthECDSASignature signature) => RecoverFromSignature(signature, hash.ToArray()).Address;

    public override string ToString() => $"EthECKey({Address}{(HasPrivateKey ? ", private" : ", public only")})";

    private static void RequireHash(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"ECDSA here signs 32-byte hashes; got {hash32.Length} bytes. Hash the message first (Keccak.Hash).", nameof(hash32));
        }
    }
}
