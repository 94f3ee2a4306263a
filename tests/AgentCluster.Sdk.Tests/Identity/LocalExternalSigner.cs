using AgentCluster.Sdk.Identity;
using Nethereum.Model;
using Nethereum.Signer;

namespace AgentCluster.Sdk.Tests.Identity;

/// <summary>
/// An <see cref="IEthExternalSigner"/> for tests, through Nethereum's <see cref="EthExternalSignerBase"/>: it holds a key in
/// process and signs hashes with <see cref="AgentKey.Signer"/>, as a KMS or a hardware wallet would sign them remotely. Typed data
/// (EIP-712) goes through Nethereum's base class, which encodes it and hands the digest to <see cref="SignExternallyAsync"/>.
/// <paramref name="claimedAddress"/> makes a misconfigured signer: it claims one address and signs with another key.
/// </summary>
internal sealed class LocalExternalSigner(AgentKey key, string? claimedAddress = null) : EthExternalSignerBase
{
    /// <summary>Transactions signed.</summary>
    public int Signatures { get; private set; }

    /// <summary>Hashes signed (typed data, messages).</summary>
    public int HashSignatures { get; private set; }

    public override bool CalculatesV { get; protected set; } = true;

    public override ExternalSignerTransactionFormat ExternalSignerTransactionFormat { get; protected set; } = ExternalSignerTransactionFormat.Transaction;

    public override bool Supported1559 => true;

    protected override Task<byte[]> GetPublicKeyAsync() => throw new NotSupportedException("Address is given directly.");

    public override Task<string> GetAddressAsync() => Task.FromResult(claimedAddress ?? key.Address);

    protected override Task<Nethereum.Signer.Crypto.ECDSASignature> SignExternallyAsync(byte[] bytes)
    {
        HashSignatures++;
        EthECDSASignature sig = key.Signer.SignHash(bytes);
        return Task.FromResult(new Nethereum.Signer.Crypto.ECDSASignature(
            new Org.BouncyCastle.Math.BigInteger(1, sig.R), new Org.BouncyCastle.Math.BigInteger(1, sig.S)) { V = sig.V });
    }

    public override Task SignAsync(LegacyTransaction transaction) => throw new NotSupportedException();

    public override Task SignAsync(LegacyTransactionChainId transaction) => throw new NotSupportedException();

    public override Task SignAsync(Transaction1559 transaction)
    {
        Signatures++;
        key.Signer.Sign(transaction);
        return Task.CompletedTask;
    }

    public override Task SignAsync(Transaction7702 transaction) => throw new NotSupportedException();
}
