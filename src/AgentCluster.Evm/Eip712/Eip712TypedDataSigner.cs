using AgentCluster.Evm.Crypto;

namespace AgentCluster.Evm.Eip712;

/// <summary>Signs and verifies EIP-712 typed data the way eth_signTypedData_v4 does (signature as r‖s‖v, v = 27/28).</summary>
public static class Eip712TypedDataSigner
{
    public static EthECDSASignature SignTypedData(TypedData typedData, EthECKey key) => key.Sign(Eip712TypedDataEncoder.Hash(typedData));

    /// <summary>Signs the eth_signTypedData_v4 JSON.</summary>
    public static EthECDSASignature SignTypedDataV4(string json, EthECKey key) => SignTypedData(TypedData.Parse(json), key);

    public static Address RecoverFromSignature(TypedData typedData, EthECDSASignature signature) =>
        EthECKey.RecoverAddress(Eip712TypedDataEncoder.Hash(typedData), signature);

    public static Address RecoverFromSignatureV4(string json, EthECDSASignature signature) => RecoverFromSignature(TypedData.Parse(json), signature);

    /// <summary>True when <paramref name="signature"/> over <paramref name="typedData"/> was made by <paramref name="signer"/>.</summary>
    public static bool Verify(TypedData typedData, EthECDSASignature signature, Address signer)
    {
        try
        {
            return RecoverFromSignature(typedData, signature) == signer;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
