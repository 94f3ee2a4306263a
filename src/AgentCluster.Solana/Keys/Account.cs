using Org.BouncyCastle.Security;
using Bc = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace AgentCluster.Solana.Keys;

/// <summary>
/// An Ed25519 keypair (Solnet's <c>Account</c>): the <see cref="PublicKey"/>, the 64-byte secret as the Solana CLI holds it
/// (the 32-byte seed, then the public key) and signing. All Ed25519 is BouncyCastle's (RFC 8032). <see cref="ToString"/> shows
/// the public key only.
/// </summary>
public sealed class Account
{
    /// <summary>The length of an Ed25519 seed (the private half) in bytes.</summary>
    public const int SeedLength = 32;

    /// <summary>The length of the secret key as the Solana CLI holds it (seed then public key) in bytes.</summary>
    public const int SecretKeyLength = 64;

    /// <summary>The length of an Ed25519 signature in bytes.</summary>
    public const int SignatureLength = 64;

    private readonly byte[] _seed;
    private readonly byte[] _publicKey;

    private Account(byte[] seed)
    {
        _seed = seed;
        _publicKey = new byte[Bc.PublicKeySize];
        Bc.GeneratePublicKey(_seed, 0, _publicKey, 0);
        PublicKey = new PublicKey(_publicKey);
    }

    /// <summary>The account's address (its Ed25519 public key).</summary>
    public PublicKey PublicKey { get; }

    /// <summary>A copy of the 64-byte secret key: the 32-byte seed, then the 32-byte public key (the Solana CLI's layout).</summary>
    public byte[] SecretKey => [.. _seed, .. _publicKey];

    /// <summary>A copy of the 32-byte seed (the private half).</summary>
    public byte[] Seed => (byte[])_seed.Clone();

    /// <summary>A new random keypair (BouncyCastle's key generation with a <see cref="SecureRandom"/>).</summary>
    public static Account Generate()
    {
        byte[] seed = new byte[SeedLength];
        Bc.GeneratePrivateKey(new SecureRandom(), seed);
        return new Account(seed);
    }

    /// <summary>The keypair of a 32-byte Ed25519 seed (copied).</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static Account FromSeed(ReadOnlySpan<byte> seed) =>
        seed.Length == SeedLength
            ? new Account(seed.ToArray())
            : throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes; got {seed.Length}.", nameof(seed));

    /// <summary>The keypair of a 64-byte secret key (seed then public key, as the Solana CLI holds it); the public half must match the seed.</summary>
    /// <exception cref="ArgumentException">Not 64 bytes, or the public half is not the seed's public key.</exception>
    public static Account FromSecretKey(ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != SecretKeyLength)
        {
            throw new ArgumentException($"A Solana secret key is {SecretKeyLength} bytes (seed then public key); got {secretKey.Length}.", nameof(secretKey));
        }

        var account = new Account(secretKey[..SeedLength].ToArray());
        if (!secretKey[SeedLength..].SequenceEqual(account._publicKey))
        {
            throw new ArgumentException(
                $"The secret key's public half {Base58.Encode(secretKey[SeedLength..])} is not the public key of its seed ({account.PublicKey}).",
                nameof(secretKey));
        }

        return account;
    }

    /// <summary>Signs <paramref name="message"/> (pure Ed25519, RFC 8032); returns the 64-byte signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        byte[] m = message.ToArray();
        byte[] signature = new byte[SignatureLength];
        Bc.Sign(_seed, 0, _publicKey, 0, m, 0, m.Length, signature, 0);
        return signature;
    }

    /// <summary>True when <paramref name="signature"/> is this account's signature of <paramref name="message"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => Ed25519Signature.Verify(PublicKey, message, signature);

    /// <summary>The public key in base58 (never the secret).</summary>
    public override string ToString() => PublicKey.Key;
}
