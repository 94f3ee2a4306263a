// Shared by the keepers bench (bench/AgentCluster.Bench.Keepers) and the swarm bench (bench/AgentCluster.Bench.Swarm), linked into both.
namespace AgentCluster.Bench;

/// <summary>
/// Keeper lag in blocks as the benches define it: from the first block in which a task can be settled to the block of its
/// <c>TaskSettled</c>. A task can be settled once a block's timestamp reaches its reveal window's end (or, in the swarm bench, from the
/// block of its last reveal when every member revealed before that).
/// </summary>
internal static class SettlementLag
{
    /// <summary>The first block numbered at least <paramref name="from"/> whose timestamp is at least <paramref name="time"/> (unix s), or null.</summary>
    public static ulong? FirstBlockAtOrAfter(IReadOnlyDictionary<ulong, long> blockTimes, long time, ulong from)
    {
        ulong? first = null;
        foreach ((ulong block, long at) in blockTimes)
        {
            if (block >= from && at >= time && (first is null || block < first))
            {
                first = block;
            }
        }

        return first;
    }

    /// <summary>Lag in blocks: the settlement block less the block the task became settleable in.</summary>
    public static long Lag(ulong settleableBlock, ulong settledBlock) => (long)settledBlock - (long)settleableBlock;

    /// <summary>The nearest-rank percentile <paramref name="p"/> of an ascending list; -1 when it is empty.</summary>
    public static long Percentile(IReadOnlyList<long> sorted, int p) =>
        sorted.Count == 0 ? -1 : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The nearest-rank percentile <paramref name="p"/> of an ascending list; NaN when it is empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, int p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
