using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Signer.Crypto;

namespace AgentCluster.Testing;

/// <summary>
/// Nethereum's external-signer seam (<see cref="EthExternalSignerBase"/>) with the key in this process: it stands in for a KMS, a
/// hardware wallet or a remote signer in tests, so that code taking an <see cref="IEthExternalSigner"/> (the SDK's
/// <c>AgentKeySource.FromExternalSigner</c>, the keeper host's <c>KeeperOptions.Key</c>) runs for real against anvil. EIP-1559
/// transactions only. <paramref name="format"/>: <see cref="ExternalSignerTransactionFormat.Transaction"/> signs the whole transaction
/// (as a wallet does), <see cref="ExternalSignerTransactionFormat.Hash"/> signs its hash only and lets Nethereum compute the recovery id
/// (as a KMS does). <paramref name="claimedAddress"/> makes a misconfigured signer that claims one address and signs with another key.
/// </summary>
/// <param name="key">The key that signs.</param>
/// <param name="format">What the signer is given to sign.</param>
/// <param name="claimedAddress">The address it reports (default: the key's).</param>
public sealed class InProcessExternalSigner(EthECKey key, ExternalSignerTransactionFormat format = ExternalSignerTransactionFormat.Transaction,
    string? claimedAddress = null) : EthExternalSignerBase
{
    private int _signatures;
    private int _hashSignatures;

    /// <summary>Transactions signed.</summary>
    public int Signatures => Volatile.Read(ref _signatures);

    /// <summary>Hashes signed (typed data, messages, and transaction hashes in <see cref="ExternalSignerTransactionFormat.Hash"/> format).</summary>
    public int HashSignatures => Volatile.Read(ref _hashSignatures);

    /// <inheritdoc />
    public override bool CalculatesV { get; protected set; } = format == ExternalSignerTransactionFormat.Transaction;

    /// <inheritdoc />
    public override ExternalSignerTransactionFormat ExternalSignerTransactionFormat { get; protected set; } = format;

    /// <inheritdoc />
    public override bool Supported1559 => true;

    /// <inheritdoc />
    public override Task<string> GetAddressAsync() => claimedAddress is not null ? Task.FromResult(claimedAddress) : base.GetAddressAsync();

    /// <inheritdoc />
    protected override Task<byte[]> GetPublicKeyAsync() => Task.FromResult(key.GetPubKey(false));

    /// <inheritdoc />
    protected override Task<ECDSASignature> SignExternallyAsync(byte[] bytes)
    {
        Interlocked.Increment(ref _hashSignatures);
        EthECDSASignature sig = key.SignAndCalculateV(bytes);
        var signature = new ECDSASignature(new Org.BouncyCastle.Math.BigInteger(1, sig.R), new Org.BouncyCastle.Math.BigInteger(1, sig.S));
        if (CalculatesV)
        {
            signature.V = sig.V;
        }

        return Task.FromResult(signature);
    }

    /// <inheritdoc />
    public override Task SignAsync(Transaction1559 transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Interlocked.Increment(ref _signatures);
        if (ExternalSignerTransactionFormat == ExternalSignerTransactionFormat.Hash)
        {
            return SignHashTransactionAsync(transaction);
        }

        new Transaction1559Signer().SignTransaction(key, transaction);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task SignAsync(LegacyTransaction transaction) => throw new NotSupportedException("EIP-1559 transactions only.");

    /// <inheritdoc />
    public override Task SignAsync(LegacyTransactionChainId transaction) => throw new NotSupportedException("EIP-1559 transactions only.");

    /// <inheritdoc />
    public override Task SignAsync(Transaction7702 transaction) => throw new NotSupportedException("EIP-1559 transactions only.");
}
