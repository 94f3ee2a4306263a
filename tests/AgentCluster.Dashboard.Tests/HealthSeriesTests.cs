using System.Numerics;
using AgentCluster.Keepers.Indexing;

namespace AgentCluster.Dashboard.Tests;

/// <summary>The network health series on hand-made inputs with known answers (no node, no browser).</summary>
public sealed class HealthSeriesTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Test]
    public void Gini_IsZeroForEqualShares_AndMeasuresConcentration()
    {
        Assert.That(HealthSeries.Gini([5, 5, 5, 5]), Is.EqualTo(0).Within(1e-12));
        Assert.That(HealthSeries.Gini([0, 0, 0, 1]), Is.EqualTo(0.75).Within(1e-12), "one of four holds everything: (n-1)/n");
        Assert.That(HealthSeries.Gini([1, 2, 3, 4]), Is.EqualTo(0.25).Within(1e-12), "mean absolute difference 1.25 over twice the mean 2.5");
        Assert.That(HealthSeries.Gini([]), Is.Zero);
        Assert.That(HealthSeries.Gini([0, 0]), Is.Zero);
        Assert.That(() => HealthSeries.Gini([1, -1]), Throws.ArgumentException.With.Message.Contains("non-negative"));
    }

    [Test]
    public void Fragmentation_IsOneMinusTheLargestComponentShare()
    {
        Assert.That(HealthSeries.FragmentationIndex(["a", "b", "c", "d"], [("a", "b"), ("b", "c")]), Is.EqualTo(0.25).Within(1e-12), "{a,b,c} and {d}");
        Assert.That(HealthSeries.FragmentationIndex(["a", "b"], [("a", "b")]), Is.Zero, "one connected network");
        Assert.That(HealthSeries.FragmentationIndex(["a", "b", "c", "d"], []), Is.EqualTo(0.75).Within(1e-12), "all apart");
        Assert.That(HealthSeries.FragmentationIndex([], []), Is.Zero);
        Assert.That(HealthSeries.FragmentationIndex(["a"], [("x", "y")]), Is.EqualTo(1 - 2.0 / 3).Within(1e-12), "edge ends are nodes too");
    }

    [Test]
    public void Throughput_CountsTheLastMinuteOfBlockTime()
    {
        BlockActivity[] blocks =
        [
            new(1, T0, 10, 5), // more than 60 s before the newest: outside
            new(2, T0.AddSeconds(61), 4, 2),
            new(3, T0.AddSeconds(90), 6, 3),
            new(4, null, 100, 100), // no time: ignored
        ];
        (double events, double txs) = HealthSeries.Throughput(blocks, TimeSpan.FromMinutes(1));
        Assert.That(events, Is.EqualTo(10));
        Assert.That(txs, Is.EqualTo(5));
        Assert.That(HealthSeries.Throughput([], TimeSpan.FromMinutes(1)), Is.EqualTo((0.0, 0.0)));
        Assert.That(HealthSeries.Throughput(blocks, TimeSpan.FromMinutes(2)).Events, Is.EqualTo(10), "per minute over two minutes: 20 / 2");
    }

    [Test]
    public void CompletionTime_AndUtilisation_ComeFromTheTasks()
    {
        NetworkTask Task(int id, int? settledAfter, BigInteger? executor, params BigInteger[] committee) => new(id, "0xr", 1, 10, 1, T0.AddDays(1), 1, executor,
            committee, settledAfter is null ? null : (byte)4, new TaskStages(T0, executor is null ? null : T0, null, null, settledAfter is { } s ? T0.AddSeconds(s) : null));
        NetworkTask[] tasks = [Task(1, 100, 1), Task(2, 300, 2), Task(3, null, 3, 4, 5), Task(4, null, null)];
        Assert.That(HealthSeries.MeanCompletionSeconds(tasks, 50), Is.EqualTo(200));
        Assert.That(HealthSeries.MeanCompletionSeconds(tasks, 1), Is.EqualTo(300), "the newest settled only");
        Assert.That(HealthSeries.MeanCompletionSeconds([], 50), Is.Zero);

        NetworkAgent Agent(int id, long reputation) => new(id, "0xo", "u", 1, T0, 1, null, false, new IndexedStake(0, 0, 0, 0, 0),
            new IndexedReputation(id, T0, reputation, 0, 0, 0));
        var snapshot = new NetworkSnapshot(new IndexHead(10, new IndexPosition(9, 0), T0, 1), T0, [.. Enumerable.Range(1, 8).Select(i => Agent(i, i == 1 ? 10 : 0))],
            tasks, [new NetworkEdge(NetworkEdgeKind.RequesterExecutor, "0xr", "1", 1)], [],
            new NetworkEconomy(0, 3 * BigInteger.Pow(10, 18), 0, 12 * BigInteger.Pow(10, 18), 11), []);
        HealthSample sample = HealthSeries.Compute(snapshot, T0);
        Assert.That(sample.Values[HealthSeries.Utilisation], Is.EqualTo(3.0 / 8), "agents 3, 4 and 5 work on the unsettled task 3");
        Assert.That(sample.Values[HealthSeries.BurnToEmission], Is.EqualTo(0.25));
        Assert.That(sample.Values[HealthSeries.ReputationGini], Is.EqualTo(7.0 / 8).Within(1e-12));
        Assert.That(sample.Values[HealthSeries.Fragmentation], Is.EqualTo(1 - 2.0 / 9).Within(1e-12), "8 agents and a requester; only requester-agent 1 connected");
        Assert.That(sample.Values.Keys, Is.EquivalentTo(HealthSeries.All));
    }
}
