using NBitcoin.Secp256k1;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Util;
using Account = Nethereum.Web3.Accounts.Account;

namespace AgentCluster.Evm.Signing;

/// <summary>
/// Signs Ethereum hashes and transactions with NBitcoin.Secp256k1 (the C# port of libsecp256k1 that Nethereum itself uses when
/// <c>EthECKey.SignRecoverable</c> is on), for every private key. Nethereum 6.1.0's own fast path hands NBitcoin the key as
/// <c>GetPrivateKeyAsBytes()</c>, which drops leading zero bytes, so about one key in 256 (those below 2^248) cannot sign at all
/// with it ("b32 should be of length 32"); this signer keeps the key as its 32 bytes. Signatures are RFC 6979 deterministic and
/// low-s, byte-identical to cast, viem and Nethereum's BouncyCastle path (the differential tests check it). The results are
/// Nethereum's types: <see cref="EthECDSASignature"/>, and <see cref="Transaction1559"/> signed in place.
/// Thread-safe; holds the key for its lifetime.
/// </summary>
public sealed class Secp256k1Signer
{
    private readonly ECPrivKey _key;

    /// <summary>A signer for a private key given as 64 hex digits (with or without 0x).</summary>
    /// <exception cref="ArgumentException">Not 32 bytes of hex, zero, or not below the curve order.</exception>
    public Secp256k1Signer(string privateKeyHex)
        : this(ParseKey(privateKeyHex))
    {
    }

    /// <summary>A signer for a 32-byte private key.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes, zero, or not below the curve order.</exception>
    public Secp256k1Signer(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new ArgumentException($"A secp256k1 private key is 32 bytes, not {privateKey.Length}.", nameof(privateKey));
        }

        if (!ECPrivKey.TryCreate(privateKey, out ECPrivKey? key) || key is null)
        {
            throw new ArgumentException("The private key must be between 1 and the secp256k1 group order minus 1.", nameof(privateKey));
        }

        _key = key;
        Span<byte> uncompressed = stackalloc byte[65];
        _key.CreatePubKey().WriteToSpan(compressed: false, uncompressed, out _);
        byte[] hash = Sha3Keccack.Current.CalculateHash(uncompressed[1..].ToArray());
        Address = new AddressUtil().ConvertToChecksumAddress(hash.AsSpan(12).ToArray().ToHex(false));
    }

    /// <summary>
    /// A signer for the private key of a Nethereum <see cref="Account"/>. <c>Account.PrivateKey</c> is
    /// <c>EthECKey.GetPrivateKey()</c>, which drops leading zero bytes (62 hex digits or fewer for a key below 2^248), so the hex is
    /// left-padded back to 32 bytes here; the result must have the account's address.
    /// </summary>
    /// <exception cref="ArgumentException">The account holds no private key, its key is not valid hex of at most 32 bytes, zero, not below the
    /// curve order, or not the key of the account's address.</exception>
    public static Secp256k1Signer FromAccount(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (string.IsNullOrEmpty(account.PrivateKey))
        {
            throw new ArgumentException("The account holds no private key.", nameof(account));
        }

        string digits = account.PrivateKey.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? account.PrivateKey[2..] : account.PrivateKey;
        if (digits.Length == 0 || digits.Length > 64 || !digits.All(Uri.IsHexDigit))
        {
            throw new ArgumentException("The account's private key is not hex of at most 32 bytes.", nameof(account));
        }

        var signer = new Secp256k1Signer(digits.PadLeft(64, '0'));
        if (!string.Equals(signer.Address, account.Address, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The account's address {account.Address} is not the address of its private key ({signer.Address}).", nameof(account));
        }

        return signer;
    }

    /// <summary>The signer's address, EIP-55 checksummed.</summary>
    public string Address { get; }

    /// <summary>Signs a 32-byte hash; <c>V</c> is 27 or 28 (as <c>EthECKey.SignAndCalculateV</c>: messages, EIP-712).</summary>
    public EthECDSASignature SignHash(ReadOnlySpan<byte> hash) => Sign(hash, 27);

    /// <summary>Signs a 32-byte hash; <c>V</c> is the y-parity, 0 or 1 (typed transactions).</summary>
    public EthECDSASignature SignHashYParity(ReadOnlySpan<byte> hash) => Sign(hash, 0);

    /// <summary>
    /// Signs a typed transaction in place (EIP-1559 <see cref="Transaction1559"/>, EIP-2930 <see cref="Transaction2930"/>): the
    /// signature covers keccak256(type || rlp(fields)), chain id included, and its <c>V</c> is the y-parity.
    /// </summary>
    public void Sign(SignedTypeTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        byte[] hash = Sha3Keccack.Current.CalculateHash(transaction.GetRLPEncodedRaw());
        EthECDSASignature signature = SignHashYParity(hash);
        transaction.SetSignature(new Signature(signature.R, signature.S, signature.V));
    }

    /// <summary>Signs an EIP-191 personal message (<c>"\x19Ethereum Signed Message:\n" + length + message</c>); returns the 65-byte hex signature.</summary>
    public string SignPersonalMessage(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        byte[] hash = new EthereumMessageSigner().HashPrefixedMessage(message); // keccak256 of the prefixed message
        return EthECDSASignature.CreateStringSignature(SignHash(hash));
    }

    private EthECDSASignature Sign(ReadOnlySpan<byte> hash, int vOffset)
    {
        if (hash.Length != 32)
        {
            throw new ArgumentException($"The hash to sign must be 32 bytes, not {hash.Length}.", nameof(hash));
        }

        if (!_key.TrySignRecoverable(hash, out SecpRecoverableECDSASignature? signature) || signature is null)
        {
            throw new InvalidOperationException("NBitcoin.Secp256k1 could not sign this hash."); // libsecp256k1 fails only on a nonce search that cannot fail in practice
        }

        Span<byte> compact = stackalloc byte[64];
        signature.WriteToSpanCompact(compact, out int recoveryId);
        return EthECDSASignatureFactory.FromComponents(compact[..32].ToArray(), compact[32..].ToArray(), (byte)(recoveryId + vOffset));
    }

    private static byte[] ParseKey(string privateKeyHex)
    {
        ArgumentNullException.ThrowIfNull(privateKeyHex);
        string digits = privateKeyHex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? privateKeyHex[2..] : privateKeyHex;
        if (digits.Length != 64 || !digits.All(Uri.IsHexDigit))
        {
            throw new ArgumentException("A private key is 64 hex digits (32 bytes), optionally after 0x.", nameof(privateKeyHex));
        }

        return Convert.FromHexString(digits);
    }
}
