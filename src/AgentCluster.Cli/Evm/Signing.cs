using AgentCluster.Evm;
using Nethereum.Signer;

namespace AgentCluster.Cli.Evm;

/// <summary>
/// Every signature the CLI makes goes through here. Nethereum 6.1.0's fast path (<c>EthECKey.SignRecoverable = true</c>, which
/// AgentCluster.Evm turns on process-wide) throws "b32 should be of length 32" for a private key whose first byte is zero
/// (1 key in 256): <c>EthECKey</c> keeps the key as a 31-byte array and NBitcoin.Secp256k1 wants 32. For such keys the signature
/// is made on Nethereum's BouncyCastle path instead (byte-identical results, only slower). The switch is process-wide, so the
/// CLI's signings are serialised while it may be off.
/// </summary>
internal static class Signing
{
    private static readonly Lock Gate = new();

    public static T With<T>(EthECKey key, Func<T> sign)
    {
        bool shortKey = key.GetPrivateKeyAsBytes().Length < 32;
        lock (Gate)
        {
            EthECKey.SignRecoverable = !shortKey;
            try
            {
                return sign();
            }
            finally
            {
                FastSigning.EnsureEnabled();
            }
        }
    }
}
