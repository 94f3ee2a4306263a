using System.Buffers.Binary;
using System.Security.Cryptography;
using AgentCluster.Solana;
using AgentCluster.Solana.Programs;

namespace AgentCluster.Keepers.Solana;

/// <summary>
/// The committee sortition as the program computes it (docs/solana-program.md, "Sortition"): a candidate's key is
/// <c>-log2(u) / weight</c>, <c>u</c> the first 8 bytes (little-endian) of <c>sha256(seed, agent key)</c> over 2^64, <c>-log2(u)</c> in
/// Q32.32 by 32 squarings (the program's <c>ac_neg_log2_q32</c>), the weight the stake at the snapshot; keys compared exactly as
/// <c>nl_a x w_b &lt; nl_b x w_a</c> in 128 bits.
/// </summary>
public static class SolanaSortition
{
    /// <summary>A candidate's sortition values.</summary>
    /// <param name="NegLog2U">-log2(u) in Q32.32.</param>
    /// <param name="Weight">The stake at the snapshot (positive).</param>
    public readonly record struct Key(ulong NegLog2U, ulong Weight)
    {
        /// <summary>Whether this key is strictly smaller (better) than <paramref name="other"/>, compared exactly.</summary>
        public bool IsBetterThan(Key other) => KeyLess(NegLog2U, Weight, other.NegLog2U, other.Weight);
    }

    /// <summary>-log2(x / 2^64) in Q32.32, exactly as the program's <c>ac_neg_log2_q32</c> (x = 0 counts as 1).</summary>
    public static ulong NegLog2Q32(ulong x)
    {
        if (x == 0)
        {
            x = 1;
        }

        int integer = 63 - System.Numerics.BitOperations.LeadingZeroCount(x);
        ulong m = integer >= 62 ? x >> (integer - 62) : x << (62 - integer); // the mantissa in [1, 2) as Q62
        ulong fraction = 0;
        for (int bit = 31; bit >= 0; bit--)
        {
            UInt128 p = (UInt128)m * m;
            m = (ulong)(p >> 62); // m^2 in Q62: in [2^62, 2^64)
            if (m >= 1UL << 63)
            {
                fraction |= 1UL << bit;
                m >>= 1;
            }
        }

        ulong log2Q32 = ((ulong)integer << 32) | fraction;
        return (64UL << 32) - log2Q32;
    }

    /// <summary>-log2(u) of <paramref name="agentKey"/> for a task's <paramref name="seed"/> (32 bytes).</summary>
    public static ulong NegLog2U(ReadOnlySpan<byte> seed, PublicKey agentKey)
    {
        ArgumentNullException.ThrowIfNull(agentKey);
        if (seed.Length != 32)
        {
            throw new ArgumentException($"A task seed is 32 bytes; got {seed.Length}.", nameof(seed));
        }

        Span<byte> input = stackalloc byte[64];
        seed.CopyTo(input);
        agentKey.KeyBytes.CopyTo(input[32..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        return NegLog2Q32(BinaryPrimitives.ReadUInt64LittleEndian(digest));
    }

    /// <summary>Whether key a (<paramref name="nlA"/> / <paramref name="wA"/>) is strictly smaller than key b, compared exactly in 128 bits.</summary>
    public static bool KeyLess(ulong nlA, ulong wA, ulong nlB, ulong wB) => (UInt128)nlA * wB < (UInt128)nlB * wA;

    /// <summary>An agent's active stake at <paramref name="time"/> from its stake history (the program's <c>ac_stake_at</c>: the latest change at or before it, 0 before the first).</summary>
    public static ulong StakeAt(AgentAccount agent, long time)
    {
        ArgumentNullException.ThrowIfNull(agent);
        IReadOnlyList<StakePoint> points = agent.StakeHistory;
        int lo = 0, hi = points.Count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (points[mid].Time <= time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo == 0 ? 0 : points[lo - 1].Stake;
    }
}
