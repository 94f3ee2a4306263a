using System.Numerics;
using AgentCluster.Sdk.Matchmaking;

namespace AgentCluster.Sdk.Tests.Matchmaking;

/// <summary>Seeded test vectors: uniform-ish Gaussian vectors and clustered ones (centre + noise of varying size, so that the
/// cosine to the centre spreads across 0.85).</summary>
internal static class VectorData
{
    internal static float[] Gaussian(Random rng)
    {
        var v = new float[CapabilityVector.Dimensions];
        for (int i = 0; i < v.Length; i++)
            v[i] = (float)NextGaussian(rng);
        return v;
    }

    internal static CapabilityVector Random(Random rng) => CapabilityVector.FromValues(Gaussian(rng));

    /// <summary>count vectors around `clusters` centres; noise sigma uniform in [0.2, 0.6] per vector.</summary>
    internal static (float[][] Centres, CapabilityVector[] Vectors) Clustered(int seed, int count, int clusters)
    {
        var rng = new Random(seed);
        float[][] centres = Enumerable.Range(0, clusters).Select(_ => Gaussian(rng)).ToArray();
        var vectors = new CapabilityVector[count];
        for (int i = 0; i < count; i++)
            vectors[i] = Near(rng, centres[rng.Next(clusters)]);
        return (centres, vectors);
    }

    internal static CapabilityVector Near(Random rng, float[] centre)
    {
        double sigma = 0.2 + 0.4 * rng.NextDouble();
        var v = new float[centre.Length];
        for (int d = 0; d < v.Length; d++)
            v[d] = centre[d] + (float)(sigma * NextGaussian(rng));
        return CapabilityVector.FromValues(v);
    }

    internal static BigInteger Id(int i) => new BigInteger(1_000_000) + i;

    /// <summary>The naive reference: cosine in double precision over every vector, best first, ties by id.</summary>
    internal static List<(BigInteger Id, double Similarity)> Naive(IReadOnlyList<(BigInteger Id, CapabilityVector V)> all, CapabilityVector q, int k, double threshold)
    {
        var scored = new List<(BigInteger Id, double Similarity)>();
        foreach ((BigInteger id, CapabilityVector v) in all)
        {
            ReadOnlySpan<float> a = v.Values.Span, b = q.Values.Span;
            double dot = 0, na = 0, nb = 0;
            for (int d = 0; d < a.Length; d++)
            {
                dot += (double)a[d] * b[d];
                na += (double)a[d] * a[d];
                nb += (double)b[d] * b[d];
            }
            double s = dot / Math.Sqrt(na * nb);
            if (s >= threshold)
                scored.Add((id, s));
        }
        return scored.OrderByDescending(x => x.Similarity).ThenBy(x => x.Id).Take(k).ToList();
    }

    private static double NextGaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
