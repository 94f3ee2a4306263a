namespace AgentCluster.Keepers.Indexing;

/// <summary>How <see cref="SuiteIndexer"/> reads the chain and where it keeps the index.</summary>
public sealed record SuiteIndexerOptions
{
    /// <summary>The SQLite file of the index (created when missing; its directory must exist).</summary>
    public required string DatabasePath { get; init; }

    /// <summary>The first block to index; null: the manifest's deployment block.</summary>
    public ulong? StartBlock { get; init; }

    /// <summary>Blocks a block must be buried under before it is indexed (0: index up to the head, as on anvil). Default 0.</summary>
    public int Confirmations { get; init; }

    /// <summary>How many of the newest indexed blocks' hashes are kept and compared with the chain to detect a reorganisation. Default 64.</summary>
    public int ReorgDepth { get; init; } = 64;

    /// <summary>The most blocks one pass indexes (a long catch-up takes several passes, each committed). Default 5,000.</summary>
    public int MaxBlocksPerPass { get; init; } = 5_000;

    /// <summary>The widest <c>eth_getLogs</c> window (halved while the node refuses it). Default 2,000 blocks.</summary>
    public int MaxBlockRange { get; init; } = 2_000;

    /// <summary>How long <see cref="SuiteIndexer.RunAsync"/> waits between passes when caught up or after a failed pass. Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new ArgumentException("SuiteIndexerOptions.DatabasePath is empty: name the SQLite file of the index.", nameof(DatabasePath));
        }

        string full = Path.GetFullPath(DatabasePath);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            throw new ArgumentException($"SuiteIndexerOptions.DatabasePath '{DatabasePath}': the directory '{directory}' does not exist.", nameof(DatabasePath));
        }

        if (Directory.Exists(full))
        {
            throw new ArgumentException($"SuiteIndexerOptions.DatabasePath '{DatabasePath}' is a directory, not a file.", nameof(DatabasePath));
        }

        if (Confirmations is < 0 or > 1_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Confirmations), Confirmations, "SuiteIndexerOptions.Confirmations must be between 0 and 1000.");
        }

        if (ReorgDepth is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(ReorgDepth), ReorgDepth, "SuiteIndexerOptions.ReorgDepth must be between 1 and 10000.");
        }

        if (MaxBlocksPerPass < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBlocksPerPass), MaxBlocksPerPass, "SuiteIndexerOptions.MaxBlocksPerPass must be at least 1.");
        }

        if (MaxBlockRange < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBlockRange), MaxBlockRange, "SuiteIndexerOptions.MaxBlockRange must be at least 1.");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "SuiteIndexerOptions.PollInterval must be between 10 ms and 5 minutes.");
        }
    }
}
