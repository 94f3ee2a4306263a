using System.Runtime.CompilerServices;
using Nethereum.Signer;

namespace AgentCluster.Evm;

/// <summary>
/// Nethereum signs with BouncyCastle unless told otherwise (about 470 signatures/s here); its supported fast path is
/// NBitcoin.Secp256k1, a port of libsecp256k1 (about 4,000/s, byte-identical signatures). The switch is process-wide, so this
/// layer turns it on as soon as any of its types is used. Key recovery stays on BouncyCastle (Nethereum's choice).
/// </summary>
public static class FastSigning
{
#pragma warning disable CA2255 // deliberate: the signing speed of every user of this layer depends on it
    [ModuleInitializer]
    internal static void Enable() => EthECKey.SignRecoverable = true;
#pragma warning restore CA2255

    /// <summary>True when Nethereum signs through NBitcoin.Secp256k1 (this layer's default).</summary>
    public static bool IsEnabled => EthECKey.SignRecoverable;

    /// <summary>Makes sure the fast path is on (for hosts that turned it off, or that sign before touching this layer).</summary>
    public static void EnsureEnabled() => Enable();
}
