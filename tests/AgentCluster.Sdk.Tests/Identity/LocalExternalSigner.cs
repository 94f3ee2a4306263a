using AgentCluster.Sdk.Identity;
using Nethereum.Model;
using Nethereum.Signer;

namespace AgentCluster.Sdk.Tests.Identity;

/// <summary>
/// An <see cref="IEthExternalSigner"/> for tests, through Nethereum's <see cref="EthExternalSignerBase"/>: it holds a key in
/// process and signs hashes with <see cref="AgentKey.Signer"/>, as a KMS or a hardware wallet would sign them remotely.
/// </summary>
internal sealed class LocalExternalSigner(AgentKey key) : EthExternalSignerBase
{
    public int Signatures { get; private set; }

    public override bool CalculatesV { get; protected set; } = true;

    public override ExternalSignerTransactionFormat ExternalSignerTransactionFormat { get; protected set; } = ExternalSignerTransactionFormat.Transaction;

    public override bool Supported1559 => true;

    protected override Task<byte[]> GetPublicKeyAsync() => throw new NotSupportedException("Address is given directly.");

    public override Task<string> GetAddressAsync() => Task.FromResult(key.Address);

    protected override Task<Nethereum.Signer.Crypto.ECDSASignature> SignExternallyAsync(byte[] bytes) => throw new NotSupportedException();

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
