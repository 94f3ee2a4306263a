using Org.BouncyCastle.Crypto.Digests;

namespace AgentCluster.Evm;

/// <summary>Keccak-256 as Ethereum uses it (the original Keccak padding, not NIST SHA3-256).</summary>
public static class Keccak
{
    /// <summary>Keccak-256 of <paramref name="data"/>.</summary>
    public static Hash32 Hash(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data.ToArray(), 0, data.Length);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return new Hash32(output);
    }

    /// <summary>Keccak-256 of the UTF-8 bytes of <paramref name="text"/> (what <c>cast keccak "text"</c> does).</summary>
    public static Hash32 HashUtf8(string text) => Hash(System.Text.Encoding.UTF8.GetBytes(text));
}
