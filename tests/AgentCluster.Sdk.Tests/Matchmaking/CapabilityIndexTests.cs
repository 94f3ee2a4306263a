using System.Numerics;
using AgentCluster.Sdk.Matchmaking;

namespace AgentCluster.Sdk.Tests.Matchmaking;

public class CapabilityIndexTests
{
    private static ICapabilityIndex Make(string kind) => kind == "exact" ? new ExactCapabilityIndex() : new HnswCapabilityIndex();

    private static List<(BigInteger Id, CapabilityVector V)> Fill(ICapabilityIndex index, CapabilityVector[] vectors)
    {
        var all = new List<(BigInteger, CapabilityVector)>();
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Upsert(VectorData.Id(i), vectors[i]);
            all.Add((VectorData.Id(i), vectors[i]));
        }
        return all;
    }

    [TestCase(-1.0)]
    [TestCase(0.85)]
    public void Exact_index_returns_what_a_naive_loop_returns(double threshold)
    {
        (float[][] centres, CapabilityVector[] vectors) = VectorData.Clustered(seed: 11, count: 3000, clusters: 30);
        using var index = new ExactCapabilityIndex();
        var all = Fill(index, vectors);
        var rng = new Random(12);
        int nonEmpty = 0;
        for (int q = 0; q < 25; q++)
        {
            CapabilityVector query = VectorData.Near(rng, centres[rng.Next(centres.Length)]);
            var expected = VectorData.Naive(all, query, 10, threshold);
            var actual = index.Search(query, 10, (float)threshold);
            Assert.That(actual.Select(m => m.AgentId), Is.EqualTo(expected.Select(e => e.Id)), $"query {q}");
            Assert.That(actual.Select(m => (double)m.Similarity), Is.EqualTo(expected.Select(e => e.Similarity)).Within(1e-5), $"query {q}");
            if (actual.Count > 0)
                nonEmpty++;
        }
        Assert.That(nonEmpty, Is.GreaterThan(0), "the data must put some agents above the threshold");
    }

    [TestCase("exact")]
    [TestCase("hnsw")]
    public void Threshold_drops_every_agent_below_it_and_keeps_those_above(string kind)
    {
        (float[][] centres, CapabilityVector[] vectors) = VectorData.Clustered(seed: 21, count: 2000, clusters: 20);
        using ICapabilityIndex index = Make(kind);
        var all = Fill(index, vectors);
        var rng = new Random(22);
        int partial = 0;
        for (int q = 0; q < 20; q++)
        {
            CapabilityVector query = VectorData.Near(rng, centres[rng.Next(centres.Length)]);
            var above = VectorData.Naive(all, query, int.MaxValue, 0.85);
            var result = index.Search(query, 100, 0.85f);
            Assert.That(result.All(m => m.Similarity >= 0.85f), Is.True);
            var unfiltered = VectorData.Naive(all, query, 100, -1);
            if (above.Count < 100 && unfiltered.Count > above.Count)
            {
                partial++; // the threshold, not k, cut the list
                if (kind == "exact")
                    Assert.That(result.Select(m => m.AgentId), Is.EquivalentTo(above.Select(a => a.Id)));
                else
                    Assert.That(result.Count, Is.LessThanOrEqualTo(above.Count));
            }
        }
        Assert.That(partial, Is.GreaterThan(0), "some queries must be cut by the threshold");
        // A query unlike every agent (a fresh random direction) finds no one at 0.85.
        Assert.That(index.Search(VectorData.Random(new Random(23)), 10), Is.Empty);
    }

    [TestCase("exact")]
    [TestCase("hnsw")]
    public void Add_update_and_remove_change_what_is_found(string kind)
    {
        var rng = new Random(31);
        CapabilityVector[] vectors = Enumerable.Range(0, 200).Select(_ => VectorData.Random(rng)).ToArray();
        using ICapabilityIndex index = Make(kind);
        Fill(index, vectors);
        Assert.That(index.Count, Is.EqualTo(200));

        CapabilityVector target = vectors[50];
        var first = index.Search(target, 1, 0.99f);
        Assert.That(first.Single().AgentId, Is.EqualTo(VectorData.Id(50)));
        Assert.That(first.Single().Similarity, Is.EqualTo(1f).Within(1e-3f));

        // Update agent 7 to agent 50's vector: both now match.
        index.Upsert(VectorData.Id(7), target);
        Assert.That(index.Count, Is.EqualTo(200));
        Assert.That(index.Search(target, 5, 0.99f).Select(m => m.AgentId), Is.EquivalentTo(new[] { VectorData.Id(7), VectorData.Id(50) }));
        // Agent 7's old vector no longer finds it.
        Assert.That(index.Search(vectors[7], 5, 0.99f), Is.Empty);

        Assert.That(index.Remove(VectorData.Id(50)), Is.True);
        Assert.That(index.Remove(VectorData.Id(50)), Is.False);
        Assert.That(index.Contains(VectorData.Id(50)), Is.False);
        Assert.That(index.Count, Is.EqualTo(199));
        Assert.That(index.Search(target, 5, 0.99f).Select(m => m.AgentId), Is.EqualTo(new[] { VectorData.Id(7) }));

        // Removing everything leaves an empty index that still answers.
        for (int i = 0; i < 200; i++)
            index.Remove(VectorData.Id(i));
        Assert.That(index.Count, Is.Zero);
        Assert.That(index.Search(target, 5, -1f), Is.Empty);
        index.Upsert(VectorData.Id(1), target);
        Assert.That(index.Search(target, 5, 0.99f).Single().AgentId, Is.EqualTo(VectorData.Id(1)));
    }

    [TestCase("exact")]
    [TestCase("hnsw")]
    public void Bad_search_arguments_and_ids_are_refused(string kind)
    {
        using ICapabilityIndex index = Make(kind);
        var v = VectorData.Random(new Random(41));
        Assert.That(Assert.Throws<ArgumentException>(() => index.Search(v, 0))!.Message, Does.Contain("k must be"));
        Assert.That(Assert.Throws<ArgumentException>(() => index.Search(v, 10, float.NaN))!.Message, Does.Contain("threshold"));
        Assert.That(Assert.Throws<ArgumentException>(() => index.Search(v, 10, 1.5f))!.Message, Does.Contain("threshold"));
        Assert.That(Assert.Throws<ArgumentException>(() => index.Upsert(BigInteger.Zero, v))!.Message, Does.Contain("positive uint256"));
        Assert.That(Assert.Throws<ArgumentException>(() => index.Upsert(BigInteger.One << 256, v))!.Message, Does.Contain("positive uint256"));
    }

    [Test]
    public void Hnsw_recall_at_10_against_exact_on_10k_clustered_agents_is_at_least_0_95()
    {
        (float[][] centres, CapabilityVector[] vectors) = VectorData.Clustered(seed: 51, count: 10_000, clusters: 200);
        using var exact = new ExactCapabilityIndex();
        using var hnsw = new HnswCapabilityIndex();
        Fill(exact, vectors);
        Fill(hnsw, vectors);
        var rng = new Random(52);
        int hits = 0, wanted = 0;
        for (int q = 0; q < 200; q++)
        {
            CapabilityVector query = VectorData.Near(rng, centres[rng.Next(centres.Length)]);
            var truth = exact.Search(query, 10, -1f).Select(m => m.AgentId).ToHashSet();
            var approx = hnsw.Search(query, 10, -1f);
            hits += approx.Count(m => truth.Contains(m.AgentId));
            wanted += truth.Count;
        }
        double recall = (double)hits / wanted;
        TestContext.Out.WriteLine($"recall@10 = {recall:F4}");
        Assert.That(recall, Is.GreaterThanOrEqualTo(0.95));
    }

    [TestCase("exact")]
    [TestCase("hnsw")]
    public async Task Concurrent_searches_return_what_sequential_searches_return(string kind)
    {
        (float[][] centres, CapabilityVector[] vectors) = VectorData.Clustered(seed: 61, count: 3000, clusters: 30);
        using ICapabilityIndex index = Make(kind);
        Fill(index, vectors);
        var rng = new Random(62);
        CapabilityVector[] queries = Enumerable.Range(0, 40).Select(_ => VectorData.Near(rng, centres[rng.Next(centres.Length)])).ToArray();
        var sequential = queries.Select(q => index.Search(q, 10, 0.8f)).ToArray();

        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int round = 0; round < 5; round++)
            {
                for (int i = 0; i < queries.Length; i++)
                {
                    int qi = (i + t * 5) % queries.Length;
                    var r = index.Search(queries[qi], 10, 0.8f);
                    if (!r.SequenceEqual(sequential[qi]))
                        throw new InvalidOperationException($"thread {t}: query {qi} differs from its sequential result");
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(2));
    }

    [TestCase("exact")]
    [TestCase("hnsw")]
    public async Task Searches_run_safely_while_agents_are_added_and_removed(string kind)
    {
        using ICapabilityIndex index = Make(kind);
        var rng = new Random(71);
        CapabilityVector[] vectors = Enumerable.Range(0, 600).Select(_ => VectorData.Random(rng)).ToArray();
        for (int i = 0; i < 300; i++)
            index.Upsert(VectorData.Id(i), vectors[i]);
        var writer = Task.Run(() =>
        {
            for (int i = 300; i < 600; i++)
            {
                index.Upsert(VectorData.Id(i), vectors[i]);
                index.Remove(VectorData.Id(i - 300));
            }
        });
        var readers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 300; i++)
            {
                var r = index.Search(vectors[(i * 7 + t) % 600], 5, -1f);
                if (r.Count == 0)
                    throw new InvalidOperationException("an index of 300 agents returned nothing");
            }
        })).ToArray();
        await Task.WhenAll(readers.Append(writer)).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.That(index.Count, Is.EqualTo(300));
        Assert.That(index.Search(vectors[599], 1, 0.99f).Single().AgentId, Is.EqualTo(VectorData.Id(599)));
        Assert.That(index.Contains(VectorData.Id(0)), Is.False);
    }

    [Test]
    public void Factory_chooses_exact_below_the_limit_and_hnsw_from_it()
    {
        using (var small = CapabilityIndexFactory.Create(CapabilityIndexFactory.DefaultExactLimit - 1))
            Assert.That(small, Is.InstanceOf<ExactCapabilityIndex>());
        using (var large = CapabilityIndexFactory.Create(CapabilityIndexFactory.DefaultExactLimit))
            Assert.That(large, Is.InstanceOf<HnswCapabilityIndex>());
        using (var custom = CapabilityIndexFactory.Create(50, exactLimit: 10))
            Assert.That(custom, Is.InstanceOf<HnswCapabilityIndex>());
        Assert.That(Assert.Throws<ArgumentException>(() => CapabilityIndexFactory.Create(-1))!.Message, Does.Contain("negative"));
        Assert.That(Assert.Throws<ArgumentException>(() => new HnswCapabilityIndex(new HnswCapabilityIndexOptions { Connectivity = 1 }))!.Message, Does.Contain("connectivity"));
    }

    [TestCase(CapabilityQuantization.Float32)]
    [TestCase(CapabilityQuantization.Int8)]
    public void Hnsw_reports_native_memory_that_grows_with_the_agents(CapabilityQuantization quantization)
    {
        using var hnsw = new HnswCapabilityIndex(new HnswCapabilityIndexOptions { Quantization = quantization });
        var rng = new Random(81);
        for (int i = 0; i < 100; i++)
            hnsw.Upsert(VectorData.Id(i), VectorData.Random(rng));
        long? before = hnsw.NativeMemoryBytes;
        Assert.That(before, Is.Not.Null.And.GreaterThan(0));
        for (int i = 100; i < 3000; i++)
            hnsw.Upsert(VectorData.Id(i), VectorData.Random(rng));
        long? after = hnsw.NativeMemoryBytes;
        // USearch allocates in arenas, so the figure grows in steps; it covers at least the vectors themselves:
        // 3,000 x 512 bytes (int8) or x 2,048 bytes (float32).
        long perVector = quantization == CapabilityQuantization.Int8 ? 512 : 2048;
        Assert.That(after!.Value, Is.GreaterThanOrEqualTo(before!.Value));
        Assert.That(after.Value, Is.GreaterThanOrEqualTo(3000 * perVector));
        Assert.That(hnsw.MemoryBytes, Is.GreaterThan(after.Value));
        // The quantised index still finds an agent by its own vector.
        var probe = VectorData.Random(new Random(82));
        hnsw.Upsert(VectorData.Id(5000), probe);
        Assert.That(hnsw.Search(probe, 1, 0.95f).Single().AgentId, Is.EqualTo(VectorData.Id(5000)));
    }
}
