using AgentCluster.Evm.Signing;
using Nethereum.ABI.EIP712;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;

namespace AgentCluster.Sdk.Identity;

/// <summary>
/// Signs EIP-712 typed data with a client's own signer, whatever it is: a local key (<c>Secp256k1Signer</c> over Nethereum's encoder) or an
/// external signer (KMS, hardware wallet, remote signer) through Nethereum's <see cref="IEthExternalSigner.SignTypedDataJsonAsync"/>. The
/// signature is normalised to 65 bytes with v = 27/28 and checked to recover to the signer before it is returned, so a misconfigured
/// signer (one that claims an address and signs with another key) is caught here, not by a revert.
/// </summary>
internal static class ClientTypedDataSigner
{
    /// <exception cref="InvalidOperationException">The client's account can sign neither locally nor externally, the signer returned
    /// something other than 65 bytes, or the signature does not recover to <paramref name="expectedSigner"/>.</exception>
    public static async Task<byte[]> SignAsync<TMessage>(AgentClusterClient client, TypedData<Domain> typedData, TMessage message, string expectedSigner,
        string what, CancellationToken ct)
    {
        Nethereum.RPC.Accounts.IAccount? account = client.Web3.TransactionManager?.Account;
        byte[] sig;
        if (account is Nethereum.Web3.Accounts.Account { PrivateKey: { Length: > 0 } } local)
        {
            byte[] digest = Eip712TypedDataEncoder.Current.EncodeAndHashTypedData(message, typedData);
            sig = EthECDSASignature.CreateStringSignature(Secp256k1Signer.FromAccount(local).SignHash(digest)).HexToByteArray();
        }
        else if (account is Nethereum.Web3.Accounts.ExternalAccount external)
        {
            string json = typedData.ToJson(message);
            sig = (await external.ExternalSigner.SignTypedDataJsonAsync(json, "message").WaitAsync(ct).ConfigureAwait(false)).HexToByteArray();
        }
        else
        {
            throw new InvalidOperationException(
                $"Signing {what} needs the signer's key or an external signer (IEthExternalSigner); this client's account is a {account?.GetType().Name ?? "null"}.");
        }

        if (sig.Length != 65)
        {
            throw new InvalidOperationException($"The signer returned a {sig.Length}-byte signature of {what}; 65 bytes (r, s, v) were expected.");
        }

        if (sig[64] < 27)
        {
            sig[64] += 27; // some signers give the y-parity (0/1); the contracts take 27/28
        }

        string recovered = Eip712TypedDataSigner.Current.RecoverFromSignatureV4(message, typedData, sig.ToHex(prefix: true));
        if (!string.Equals(recovered, expectedSigner, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The signature of {what} recovers to {recovered}, not to the signer {expectedSigner}: the signer signed with another key.");
        }

        return sig;
    }
}
