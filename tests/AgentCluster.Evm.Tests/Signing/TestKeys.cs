using System.Globalization;
using System.Numerics;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.Hex.HexConvertors.Extensions;

namespace AgentCluster.Evm.Tests.Signing;

/// <summary>
/// Private keys for the signing tests as their 32 bytes, with the keys that broke Nethereum's fast path well represented: a
/// quarter of the random keys are below 2^248 (first byte zero, or first two bytes zero), plus the edges 1 and n-1.
/// </summary>
internal static class TestKeys
{
    /// <summary>The secp256k1 group order n.</summary>
    public static readonly BigInteger Order = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", CultureInfo.InvariantCulture);

    /// <summary>The smallest key, 1.</summary>
    public static byte[] One => From(BigInteger.One);

    /// <summary>The largest key, n-1.</summary>
    public static byte[] OrderMinusOne => From(Order - 1);

    /// <summary>A valid random key; case i % 8 == 1 has a zero first byte, i % 8 == 3 two zero first bytes.</summary>
    public static byte[] Random(RandomAbi rng, int i)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            byte[] bytes = rng.Bytes(32);
            if (i % 8 is 1 or 3)
            {
                bytes[0] = 0;
            }

            if (i % 8 == 3)
            {
                bytes[1] = 0;
            }

            var k = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            if (k > 0 && k < Order)
            {
                return bytes;
            }
        }

        throw new InvalidOperationException("no valid key in 100 draws"); // each draw is valid with probability ~1 - 2^-128
    }

    /// <summary>Key 1, key n-1, then <paramref name="count"/> random keys (a quarter of them below 2^248).</summary>
    public static byte[][] Mix(RandomAbi rng, int count) => [One, OrderMinusOne, .. Enumerable.Range(0, count).Select(i => Random(rng, i))];

    /// <summary>The 32 bytes as 0x-hex (as cast and viem take a key).</summary>
    public static string Hex(byte[] key) => key.ToHex(true);

    private static byte[] From(BigInteger k)
    {
        byte[] bytes = k.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[32];
        bytes.CopyTo(padded, 32 - bytes.Length);
        return padded;
    }
}
