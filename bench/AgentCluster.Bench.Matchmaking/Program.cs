// Matchmaking bench (`scripts/bench matchmaking`, through bench/matchmaking/run.sh). For each size: seeded clustered capability
// vectors (--clusters centres, each vector a centre plus Gaussian noise of sigma uniform in [0.2, 0.6], so that cosines to
// the query spread across the 0.85 threshold), an ExactCapabilityIndex and an HnswCapabilityIndex built through the SDK, then
// --queries queries near random centres (k = 10). Prints one line per size:
//   agents=N exact_p50_ms exact_p95_ms hnsw_p50_ms hnsw_p95_ms recall_at_10 recall_at_10_threshold mean_matches_threshold
//   exact_build_s hnsw_build_s exact_bytes hnsw_bytes (+ parameters)
// recall_at_10: |HNSW top-10 ∩ exact top-10| / 10 without a threshold; recall_at_10_threshold: the same with threshold 0.85
// (over the exact matches above it). Bytes: the SDK's MemoryBytes (managed arrays; for HNSW USearch's reported native memory
// plus the id maps). Every loop is bounded by the sizes and --queries; an HNSW build longer than --max-build-s stops and
// reports hnsw_build=aborted.
using System.Diagnostics;
using System.Globalization;
using AgentCluster.Sdk.Matchmaking;

var opts = Options.Parse(args);
Console.Error.WriteLine($"# matchmaking bench: sizes={string.Join(',', opts.Sizes)} queries={opts.Queries} clusters={opts.Clusters} seed={opts.Seed} " +
    $"hnsw M={opts.Connectivity} ef_add={opts.ExpansionAdd} ef_search={opts.ExpansionSearch} quantization={opts.Quantization} cpus={Environment.ProcessorCount}");

foreach (int n in opts.Sizes)
    RunSize(n, opts);

static void RunSize(int n, Options o)
{
    var data = new Data(o.Seed, o.Clusters);
    var rng = new Random(o.Seed + 1);
    CapabilityVector[] queries = Enumerable.Range(0, o.Queries).Select(_ => data.Query(rng)).ToArray();

    var sw = Stopwatch.StartNew();
    using var exact = new ExactCapabilityIndex();
    for (int i = 0; i < n; i++)
        exact.Upsert(Data.Id(i), data.Vector(i));
    double exactBuild = sw.Elapsed.TotalSeconds;
    long exactBytes = exact.MemoryBytes;

    var hnswOptions = new HnswCapabilityIndexOptions
    {
        Connectivity = o.Connectivity,
        ExpansionAdd = o.ExpansionAdd,
        ExpansionSearch = o.ExpansionSearch,
        Quantization = o.Quantization,
    };
    using var hnsw = new HnswCapabilityIndex(hnswOptions);
    sw.Restart();
    bool aborted = false;
    for (int i = 0; i < n; i++)
    {
        hnsw.Upsert(Data.Id(i), data.Vector(i));
        if ((i & 1023) == 0 && sw.Elapsed.TotalSeconds > o.MaxBuildSeconds)
        {
            aborted = true;
            Console.WriteLine($"agents={n} hnsw_build=aborted hnsw_built={i + 1} after_s={sw.Elapsed.TotalSeconds:F0} max_build_s={o.MaxBuildSeconds}");
            break;
        }
        if (o.Verbose && i % 50_000 == 0 && i > 0)
            Console.Error.WriteLine($"#   hnsw {i}/{n} {sw.Elapsed.TotalSeconds:F0}s");
    }
    double hnswBuild = sw.Elapsed.TotalSeconds;
    long hnswBytes = hnsw.MemoryBytes;

    // Warm-up (JIT, caches), not measured.
    for (int q = 0; q < Math.Min(5, queries.Length); q++)
    {
        exact.Search(queries[q], 10, 0.85f);
        hnsw.Search(queries[q], 10, 0.85f);
    }

    var exactMs = new List<double>();
    var hnswMs = new List<double>();
    long hits = 0, wanted = 0, hitsT = 0, wantedT = 0;
    foreach (CapabilityVector q in queries)
    {
        long t0 = Stopwatch.GetTimestamp();
        var e = exact.Search(q, 10, 0.85f);
        exactMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        t0 = Stopwatch.GetTimestamp();
        var h = hnsw.Search(q, 10, 0.85f);
        hnswMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);

        var eIds = e.Select(m => m.AgentId).ToHashSet();
        hitsT += h.Count(m => eIds.Contains(m.AgentId));
        wantedT += eIds.Count;

        var eAll = exact.Search(q, 10, -1f).Select(m => m.AgentId).ToHashSet();
        hits += hnsw.Search(q, 10, -1f).Count(m => eAll.Contains(m.AgentId));
        wanted += eAll.Count;
    }

    string F(double x) => x.ToString("F3", CultureInfo.InvariantCulture);
    Console.WriteLine(
        $"agents={n} exact_p50_ms={F(Percentile(exactMs, 50))} exact_p95_ms={F(Percentile(exactMs, 95))} " +
        $"hnsw_p50_ms={F(Percentile(hnswMs, 50))} hnsw_p95_ms={F(Percentile(hnswMs, 95))} " +
        $"recall_at_10={(wanted == 0 ? "n/a" : F((double)hits / wanted))} " +
        $"recall_at_10_threshold={(wantedT == 0 ? "n/a" : F((double)hitsT / wantedT))} mean_matches_threshold={F((double)wantedT / queries.Length)} " +
        $"exact_build_s={F(exactBuild)} hnsw_build_s={F(hnswBuild)}{(aborted ? " (aborted, partial index)" : "")} " +
        $"exact_bytes={exactBytes} hnsw_bytes={hnswBytes} hnsw_native_bytes={hnsw.NativeMemoryBytes?.ToString(CultureInfo.InvariantCulture) ?? "n/a"} " +
        $"queries={queries.Length} quantization={o.Quantization} M={o.Connectivity} ef_add={o.ExpansionAdd} ef_search={o.ExpansionSearch}");
}

static double Percentile(List<double> xs, double p)
{
    var sorted = xs.OrderBy(x => x).ToArray();
    if (sorted.Length == 0)
        return double.NaN;
    double rank = p / 100 * (sorted.Length - 1);
    int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/// <summary>Deterministic clustered vectors: vector i depends only on (seed, i), so both indexes see the same data without
/// keeping it all in memory.</summary>
sealed class Data
{
    private readonly float[][] _centres;
    private readonly int _seed;

    public Data(int seed, int clusters)
    {
        _seed = seed;
        var rng = new Random(seed);
        _centres = Enumerable.Range(0, clusters).Select(_ => Gaussian(rng, null, 1)).ToArray();
    }

    public static System.Numerics.BigInteger Id(int i) => 1_000_000 + (System.Numerics.BigInteger)i;

    public CapabilityVector Vector(int i)
    {
        var rng = new Random(HashCode.Combine(_seed, i, 0x5eed));
        return Near(rng);
    }

    public CapabilityVector Query(Random rng) => Near(rng);

    private CapabilityVector Near(Random rng)
    {
        float[] centre = _centres[rng.Next(_centres.Length)];
        double sigma = 0.2 + 0.4 * rng.NextDouble();
        return CapabilityVector.FromValues(Gaussian(rng, centre, sigma));
    }

    private static float[] Gaussian(Random rng, float[]? centre, double sigma)
    {
        var v = new float[CapabilityVector.Dimensions];
        for (int d = 0; d < v.Length; d += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)) * sigma;
            v[d] = (centre?[d] ?? 0) + (float)(r * Math.Cos(2 * Math.PI * u2));
            v[d + 1] = (centre?[d + 1] ?? 0) + (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return v;
    }
}

sealed record Options(int[] Sizes, int Queries, int Clusters, int Seed, int Connectivity, int ExpansionAdd, int ExpansionSearch,
    CapabilityQuantization Quantization, double MaxBuildSeconds, bool Verbose)
{
    public static Options Parse(string[] args)
    {
        var o = new Options([10_000, 100_000], 200, 300, 42, 16, 128, 128, CapabilityQuantization.Float32, 1800,
            Environment.GetEnvironmentVariable("AGENTCLUSTER_BENCH_VERBOSE") == "1");
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(string s, int min, int max) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
                ? v : throw new ArgumentException($"{args[i - 1]}: expected an integer in [{min}, {max}], got '{s}'");
            o = args[i] switch
            {
                "--sizes" => o with { Sizes = Next().Split(',').Select(s => Int(s, 1, 10_000_000)).ToArray() },
                "--queries" => o with { Queries = Int(Next(), 1, 100_000) },
                "--clusters" => o with { Clusters = Int(Next(), 1, 1_000_000) },
                "--seed" => o with { Seed = Int(Next(), 0, int.MaxValue) },
                "--connectivity" => o with { Connectivity = Int(Next(), 2, 256) },
                "--expansion-add" => o with { ExpansionAdd = Int(Next(), 1, 4096) },
                "--expansion-search" => o with { ExpansionSearch = Int(Next(), 1, 4096) },
                "--max-build-s" => o with { MaxBuildSeconds = Int(Next(), 1, 86_400) },
                "--quantization" => o with
                {
                    Quantization = Next() switch
                    {
                        "f32" => CapabilityQuantization.Float32,
                        "f16" => CapabilityQuantization.Float16,
                        "i8" => CapabilityQuantization.Int8,
                        var q => throw new ArgumentException($"--quantization: f32, f16 or i8, got '{q}'"),
                    },
                },
                _ => throw new ArgumentException($"unknown option {args[i]}; options: --sizes 10000,100000,1000000 --queries N --clusters N --seed N " +
                    "--connectivity M --expansion-add N --expansion-search N --quantization f32|f16|i8 --max-build-s N"),
            };
        }
        return o;
    }
}
