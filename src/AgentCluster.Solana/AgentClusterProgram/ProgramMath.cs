using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Numerics;

namespace AgentCluster.Solana.Programs;

/// <summary>The program's arithmetic that keepers and the SDK repeat off-chain: stake at a time, reputation decay, sortition.</summary>
public static class AgentClusterMath
{
    /// <summary>The reputation half-life in seconds (90 days).</summary>
    public const ulong ReputationHalfLife = 90UL * 86400;

    /// <summary>
    /// The active stake at the end of second <paramref name="time"/> (ac_stake_at): the latest point at or before it, 0 before the
    /// first. The program answers only for times strictly before now; here any time is answered from the history given.
    /// </summary>
    /// <param name="history">The stake history, in time order (<see cref="AgentAccount.StakeHistory"/>).</param>
    /// <param name="time">Unix seconds.</param>
    /// <returns>The stake.</returns>
    public static ulong StakeAt(IReadOnlyList<StakePoint> history, long time)
    {
        ArgumentNullException.ThrowIfNull(history);
        int lo = 0, hi = history.Count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (history[mid].Time <= time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo == 0 ? 0 : history[lo - 1].Stake;
    }

    /// <summary>The agent's active stake at <paramref name="time"/> from its decoded account.</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="time">Unix seconds.</param>
    /// <returns>The stake.</returns>
    public static ulong StakeAt(this AgentAccount agent, long time)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return StakeAt(agent.StakeHistory, time);
    }

    // floor(2^63 * 2^(-2^-k)) for k = 1..32, the program's table (src/support/math.c).
    private static readonly ulong[] Exp2NegPow2 =
    [
        0x5a827999fcef3242UL, 0x6ba27e656b4eb57aUL, 0x75606373ee921c97UL, 0x7a92be8a92436616UL, 0x7d41d96db915019dUL,
        0x7e9f06067a4360baUL, 0x7f4f08ae3dc7c425UL, 0x7fa765aca88f6452UL, 0x7fd3ab290e46d768UL, 0x7fe9d3a8e07bf085UL,
        0x7ff4e9597bed93aaUL, 0x7ffa748dff8dc61eUL, 0x7ffd3a3f50020332UL, 0x7ffe9d1dbc0a75a9UL, 0x7fff4e8e6306ed58UL,
        0x7fffa74712c3cdfdUL, 0x7fffd3a381b1fa28UL, 0x7fffe9d1beed0189UL, 0x7ffff4e8defb81d7UL, 0x7ffffa746f5f012fUL,
        0x7ffffd3a37a7d0a8UL, 0x7ffffe9d1bd1fc58UL, 0x7fffff4e8de8832dUL, 0x7fffffa746f422d6UL, 0x7fffffd3a37a09bbUL,
        0x7fffffe9d1bd02f1UL, 0x7ffffff4e8de80fdUL, 0x7ffffffa746f4060UL, 0x7ffffffd3a37a028UL, 0x7ffffffe9d1bd012UL,
        0x7fffffff4e8de808UL, 0x7fffffffa746f404UL,
    ];

    private static ulong MulQ63(ulong a, ulong b)
    {
        ulong hi = Math.BigMul(a, b, out ulong lo);
        return (hi << 1) | (lo >> 63);
    }

    /// <summary>2^-x for x in Q32.32, as Q63 (ac_exp2_neg_q32): 0 from 63 halvings on.</summary>
    /// <param name="xQ32">The exponent, Q32.32.</param>
    /// <returns>The factor, Q63.</returns>
    public static ulong Exp2NegQ32(ulong xQ32)
    {
        ulong whole = xQ32 >> 32;
        if (whole >= 63)
        {
            return 0;
        }

        ulong r = 1UL << 63;
        for (int k = 0; k < 32; k++)
        {
            if ((xQ32 & (1UL << (31 - k))) != 0)
            {
                r = MulQ63(r, Exp2NegPow2[k]);
            }
        }

        return r >> (int)whole;
    }

    /// <summary>A value after <paramref name="elapsed"/> seconds of decay with the given half-life, bit for bit as the program's ac_decay.</summary>
    /// <param name="value">The value as stored.</param>
    /// <param name="elapsed">Seconds since it was stored.</param>
    /// <param name="halfLife">The half-life in seconds (1..2^31).</param>
    /// <returns>The decayed value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The half-life is 0 or above 2^31.</exception>
    public static ulong Decay(ulong value, ulong elapsed, ulong halfLife = ReputationHalfLife)
    {
        if (halfLife == 0 || halfLife > (1UL << 31))
        {
            throw new ArgumentOutOfRangeException(nameof(halfLife), halfLife, "halfLife must be within 1..2^31 seconds.");
        }

        ulong whole = elapsed / halfLife;
        if (whole >= 63)
        {
            return 0;
        }

        ulong fraction = ((elapsed % halfLife) << 32) / halfLife;
        ulong factor = Exp2NegQ32((whole << 32) | fraction);
        ulong hi = Math.BigMul(value, factor, out ulong lo);
        return (hi << 1) | (lo >> 63);
    }

    /// <summary>A reputation dimension's value at <paramref name="now"/> (ac_reputation_value: decayed since its last write).</summary>
    /// <param name="reputation">The decoded reputation account.</param>
    /// <param name="dimension">The dimension.</param>
    /// <param name="now">Unix seconds.</param>
    /// <returns>The value.</returns>
    public static ulong ReputationAt(this ReputationAccount reputation, ReputationDimension dimension, long now)
    {
        ArgumentNullException.ThrowIfNull(reputation);
        ProgramLayout.CheckDefined(dimension, nameof(dimension));
        ReputationEntry e = reputation.Dimensions[(int)dimension];
        ulong elapsed = now > e.UpdatedAt ? (ulong)(now - e.UpdatedAt) : 0;
        return Decay(e.Value, elapsed);
    }

    /// <summary>-log2(x / 2^64) in Q32.32 for x &gt; 0 (0 counts as 1), bit for bit as the program's ac_neg_log2_q32.</summary>
    /// <param name="x">The uniform draw's 64 bits.</param>
    /// <returns>-log2(u), Q32.32.</returns>
    public static ulong NegLog2Q32(ulong x)
    {
        if (x == 0)
        {
            x = 1;
        }

        int integer = 63 - BitOperations.LeadingZeroCount(x);
        ulong m = integer >= 62 ? x >> (integer - 62) : x << (62 - integer);
        ulong fraction = 0;
        for (int bit = 31; bit >= 0; bit--)
        {
            ulong hi = Math.BigMul(m, m, out ulong lo);
            m = (hi << 2) | (lo >> 62);
            if (m >= 1UL << 63)
            {
                fraction |= 1UL << bit;
                m >>= 1;
            }
        }

        ulong log2 = ((ulong)integer << 32) | fraction;
        return (64UL << 32) - log2;
    }

    /// <summary>A candidate's -log2(u) for a task's seed (ac_market_sortition): u from the first 8 bytes (LE) of sha256(seed, agent key).</summary>
    /// <param name="seed">The task's seed (32 bytes, <see cref="TaskAccount.Seed"/>).</param>
    /// <param name="agentKey">The candidate's agent key.</param>
    /// <returns>-log2(u), Q32.32 (the seat's NegLog2U).</returns>
    public static ulong SortitionNegLog2U(byte[] seed, PublicKey agentKey)
    {
        ProgramLayout.CheckHash(seed, nameof(seed));
        ArgumentNullException.ThrowIfNull(agentKey);
        byte[] digest = SHA256.HashData([.. seed, .. agentKey.Span]);
        return NegLog2Q32(BinaryPrimitives.ReadUInt64LittleEndian(digest));
    }

    /// <summary>Whether key a (negLog2A / weightA) is strictly better (smaller) than key b, compared exactly in 128 bits (ac_market_key_less).</summary>
    /// <param name="negLog2A">a's -log2(u).</param>
    /// <param name="weightA">a's weight (stake at the snapshot).</param>
    /// <param name="negLog2B">b's -log2(u).</param>
    /// <param name="weightB">b's weight.</param>
    /// <returns>True when a beats b.</returns>
    public static bool SortitionKeyLess(ulong negLog2A, ulong weightA, ulong negLog2B, ulong weightB) =>
        (UInt128)negLog2A * weightB < (UInt128)negLog2B * weightA;

    /// <summary>
    /// The committee the sortition picks among candidates: the <paramref name="size"/> best keys (-log2(u) / stake at the snapshot,
    /// compared exactly), candidates without stake skipped; ties keep the earlier candidate. Eligibility (Active, attested, no conflict
    /// of interest) is the caller's to check.
    /// </summary>
    /// <param name="seed">The task's seed.</param>
    /// <param name="candidates">Agent keys and their stake at the snapshot (result_posted_at - 1).</param>
    /// <param name="size">The committee size.</param>
    /// <returns>The chosen candidates, best key first, with their -log2(u).</returns>
    public static IReadOnlyList<(PublicKey AgentKey, ulong NegLog2U, ulong Weight)> Sortition(byte[] seed,
        IEnumerable<(PublicKey AgentKey, ulong Weight)> candidates, int size)
    {
        ProgramLayout.CheckHash(seed, nameof(seed));
        ArgumentNullException.ThrowIfNull(candidates);
        ProgramLayout.CheckRange((ulong)Math.Max(size, 0), 1, AgentClusterProgram.MaxCommittee, nameof(size));
        var keyed = candidates.Where(c => c.Weight > 0).Select(c => (c.AgentKey, NegLog2U: SortitionNegLog2U(seed, c.AgentKey), c.Weight)).ToList();
        var sorted = keyed.Select((c, i) => (c, i)).ToList();
        sorted.Sort((x, y) =>
            SortitionKeyLess(x.c.NegLog2U, x.c.Weight, y.c.NegLog2U, y.c.Weight) ? -1
            : SortitionKeyLess(y.c.NegLog2U, y.c.Weight, x.c.NegLog2U, x.c.Weight) ? 1
            : x.i.CompareTo(y.i));
        return sorted.Take(size).Select(x => x.c).ToList();
    }
}
