namespace AgentCluster.Keepers.Indexing;

/// <summary>
/// Where the event indexer stands, for readiness and metrics: the last block whose events are all in the index, and the chain head it
/// last saw. Implemented by the indexer; read by the host's health checks and metrics (lag = head - indexed).
/// </summary>
public interface IIndexerStatus
{
    /// <summary>The highest block whose events are all indexed (null: nothing indexed yet).</summary>
    ulong? IndexedBlock { get; }

    /// <summary>The chain head the indexer last read (null: not read yet).</summary>
    ulong? HeadBlock { get; }

    /// <summary>When the indexer last completed a pass (null: never).</summary>
    DateTimeOffset? LastPassAt { get; }
}
