using AgentCluster.Evm.Signing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;

namespace AgentCluster.Cli.Evm;

/// <summary>
/// Every signature the CLI makes goes through here, for every valid key (including the 1 key in 256 below 2^248 that Nethereum
/// 6.1.0's own fast path cannot sign with). Hashes (EIP-712 digests) and typed transactions (EIP-2930, EIP-1559) are signed by
/// <see cref="Secp256k1Signer"/> (NBitcoin.Secp256k1 with the key's 32 bytes); legacy EIP-155 transactions, which it does not
/// cover, by Nethereum's <see cref="LegacyTransactionSigner"/> on its default BouncyCastle path. Nothing process-wide is switched.
/// </summary>
internal sealed class Signing
{
    private readonly byte[] _privateKey;
    private readonly Secp256k1Signer _signer;

    /// <summary>A signer for a checked 32-byte key (1 &lt;= k &lt; n).</summary>
    public Signing(byte[] privateKey)
    {
        _privateKey = privateKey;
        _signer = new Secp256k1Signer(privateKey);
    }

    /// <summary>The key's address, EIP-55 checksummed.</summary>
    public string Address => _signer.Address;

    /// <summary>The 65-byte signature r||s||v (v = 27/28) of a 32-byte hash, as 0x-hex.</summary>
    public string SignHash(byte[] hash) => EthECDSASignature.CreateStringSignature(_signer.SignHash(hash));

    /// <summary>Signs a legacy transaction per EIP-155; returns the raw transaction as hex.</summary>
    public string Sign(LegacyTransactionChainId transaction) => new LegacyTransactionSigner().SignTransaction(_privateKey, transaction);

    /// <summary>Signs a typed transaction (EIP-2930, EIP-1559); returns the raw transaction as 0x-hex.</summary>
    public string Sign(SignedTypeTransaction transaction)
    {
        _signer.Sign(transaction);
        return transaction.GetRLPEncoded().ToHex(true);
    }
}
