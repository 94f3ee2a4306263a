using System.Text;

namespace AgentCluster.Evm.Crypto;

/// <summary>EIP-191 version 0x45 (<c>personal_sign</c>): keccak256("\x19Ethereum Signed Message:\n" + len(message) + message).</summary>
public static class EthereumMessageSigner
{
    /// <summary>The hash that personal_sign signs for these message bytes.</summary>
    public static Hash32 HashMessage(ReadOnlySpan<byte> message)
    {
        byte[] prefix = Encoding.ASCII.GetBytes("\x19" + "Ethereum Signed Message:\n" + message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Keccak.Hash([.. prefix, .. message]);
    }

    /// <summary>Signs the message bytes the way personal_sign / <c>cast wallet sign</c> does.</summary>
    public static EthECDSASignature Sign(ReadOnlySpan<byte> message, EthECKey key) => key.Sign(HashMessage(message));

    /// <summary>Signs the UTF-8 bytes of a text message.</summary>
    public static EthECDSASignature EncodeUTF8AndSign(string message, EthECKey key) => Sign(Encoding.UTF8.GetBytes(message), key);

    /// <summary>The address that signed these message bytes.</summary>
    public static Address Recover(ReadOnlySpan<byte> message, EthECDSASignature signature) => EthECKey.RecoverAddress(HashMessage(message), signature);

    /// <summary>The address that signed this UTF-8 text.</summary>
    public static Address EncodeUTF8AndRecover(string message, EthECDSASignature signature) => Recover(Encoding.UTF8.GetBytes(message), signature);
}
