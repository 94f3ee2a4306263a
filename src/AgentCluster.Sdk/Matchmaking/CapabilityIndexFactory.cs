namespace AgentCluster.Sdk.Matchmaking;

/// <summary>Chooses the capability index for a network's size: exact below <see cref="DefaultExactLimit"/> agents, HNSW at or above.</summary>
public static class CapabilityIndexFactory
{
    /// <summary>
    /// 20,000 agents. Below it the exact index answers a query in a few milliseconds on one core (docs/sdk-matchmaking.md
    /// gives the measured figures: 0.8 ms p50 at 10,000 agents, 45 ms at 100,000) with recall 1 and no build; above it its O(n) scan grows
    /// past what an interactive lookup should cost and the HNSW index's O(log n) queries are worth its build time and its
    /// recall below 1.
    /// </summary>
    public const int DefaultExactLimit = 20_000;

    /// <summary>Creates the index for a network of about <paramref name="expectedAgents"/> agents.</summary>
    /// <param name="expectedAgents">The number of agents expected (0 or more).</param>
    /// <param name="exactLimit">The size from which HNSW is chosen; <see cref="DefaultExactLimit"/> when null.</param>
    /// <param name="hnswOptions">Options for the HNSW index when it is chosen.</param>
    /// <exception cref="ArgumentException">A count is negative.</exception>
    public static ICapabilityIndex Create(int expectedAgents, int? exactLimit = null, HnswCapabilityIndexOptions? hnswOptions = null)
    {
        if (expectedAgents < 0)
            throw new ArgumentException($"The expected number of agents cannot be negative; got {expectedAgents}.", nameof(expectedAgents));
        int limit = exactLimit ?? DefaultExactLimit;
        if (limit < 0)
            throw new ArgumentException($"The exact-index limit cannot be negative; got {limit}.", nameof(exactLimit));
        return expectedAgents < limit ? new ExactCapabilityIndex() : new HnswCapabilityIndex(hnswOptions);
    }
}
