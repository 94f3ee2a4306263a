using System.Numerics;

namespace AgentCluster.Sdk.Matchmaking;

/// <summary>One search result: an agent and the cosine similarity of its capability vector to the query.</summary>
/// <param name="AgentId">The agent id.</param>
/// <param name="Similarity">Cosine similarity in [-1, 1] (exact for <see cref="ExactCapabilityIndex"/>; as computed by the
/// HNSW index, i.e. with its quantisation, for <see cref="HnswCapabilityIndex"/>).</param>
public readonly record struct CapabilityMatch(BigInteger AgentId, float Similarity);

/// <summary>
/// A similarity index over agents' capability vectors. Searches may run concurrently with each other; a mutation
/// (<see cref="Upsert(BigInteger, CapabilityVector)"/>, <see cref="Remove"/>) waits for running searches and blocks new ones
/// while it runs.
/// </summary>
public interface ICapabilityIndex : IDisposable
{
    /// <summary>The default similarity threshold of the seed: 0.85.</summary>
    const float DefaultThreshold = 0.85f;

    /// <summary>The number of agents in the index.</summary>
    int Count { get; }

    /// <summary>Bytes the index holds: managed arrays plus, for the HNSW index, the native memory USearch reports.</summary>
    long MemoryBytes { get; }

    /// <summary>Adds an agent or replaces its vector. Trusts the caller: use
    /// <see cref="Upsert(CapabilityRegistrationFile, ReadOnlySpan{byte})"/> for a file fetched from an agent.</summary>
    /// <param name="agentId">A positive uint256.</param>
    /// <param name="vector">The agent's capability vector.</param>
    void Upsert(BigInteger agentId, CapabilityVector vector);

    /// <summary>Adds or replaces the agent a registration file describes, after checking that its vector hashes to the value
    /// addressed on-chain (AgentRegistry.capabilitiesOf).</summary>
    /// <param name="file">The parsed registration file.</param>
    /// <param name="onChainHash">The agent's 32-byte capabilityVectorHash read on-chain.</param>
    /// <exception cref="CapabilityHashMismatchException">The vector does not hash to <paramref name="onChainHash"/>; nothing is added.</exception>
    void Upsert(CapabilityRegistrationFile file, ReadOnlySpan<byte> onChainHash);

    /// <summary>Removes an agent.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <returns>Whether the agent was in the index.</returns>
    bool Remove(BigInteger agentId);

    /// <summary>Whether the agent is in the index.</summary>
    /// <param name="agentId">The agent id.</param>
    bool Contains(BigInteger agentId);

    /// <summary>The at most <paramref name="k"/> agents most similar to <paramref name="query"/> whose similarity is at least
    /// <paramref name="threshold"/>, most similar first (ties by ascending agent id).</summary>
    /// <param name="query">The capability vector sought.</param>
    /// <param name="k">The most results wanted: 1 to 10,000.</param>
    /// <param name="threshold">The least similarity accepted, in [-1, 1]; 0.85 by default.</param>
    /// <exception cref="ArgumentException"><paramref name="k"/> or <paramref name="threshold"/> is out of range.</exception>
    IReadOnlyList<CapabilityMatch> Search(CapabilityVector query, int k = 10, float threshold = DefaultThreshold);
}

internal static class CapabilityIndexGuards
{
    internal const int MaxK = 10_000;

    internal static void ValidateSearch(CapabilityVector query, int k, float threshold)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (k < 1 || k > MaxK)
            throw new ArgumentException($"k must be between 1 and {MaxK}; got {k}.", nameof(k));
        if (!float.IsFinite(threshold) || threshold < -1f || threshold > 1f)
            throw new ArgumentException($"The similarity threshold must be a number in [-1, 1]; got {threshold}.", nameof(threshold));
    }

    internal static int CompareMatches(CapabilityMatch a, CapabilityMatch b)
    {
        int c = b.Similarity.CompareTo(a.Similarity);
        return c != 0 ? c : a.AgentId.CompareTo(b.AgentId);
    }
}
