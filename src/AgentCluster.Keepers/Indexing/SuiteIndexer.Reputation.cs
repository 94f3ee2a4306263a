using System.Globalization;
using System.Numerics;
using AgentCluster.Evm.Bindings.Reputation;
using AgentCluster.Sdk.Reputation;
using Microsoft.Data.Sqlite;

namespace AgentCluster.Keepers.Indexing;

/// <summary>The reputation view of this index (see <see cref="ReputationView"/>).</summary>
public sealed partial class SuiteIndexer
{
    internal const string GenesisKey = "reputation_genesis";

    /// <summary>The indexed, decay-applied reputation view over this index's file.</summary>
    public ReputationView Reputation => _reputation ??= new ReputationView(_readConnectionString, _options.DatabasePath);

    private ReputationView? _reputation;

    /// <summary>The Reputation contract's genesis time (an immutable: read once, kept in the index's meta table).</summary>
    private async Task ReadReputationGenesisAsync(CancellationToken ct)
    {
        if (!_manifest.Contracts.TryGetValue("Reputation", out string? address) || ReadMeta(null, GenesisKey) is not null)
        {
            return;
        }

        ulong genesis = await Rpc(() => new ReputationService(_web3, address).GenesisTimeQueryAsync(), ct).ConfigureAwait(false);
        using SqliteCommand cmd = Command(null, "INSERT OR REPLACE INTO meta (key, value) VALUES ($k, $v)");
        cmd.Parameters.AddWithValue("$k", GenesisKey);
        cmd.Parameters.AddWithValue("$v", genesis.ToString(CultureInfo.InvariantCulture));
        cmd.ExecuteNonQuery();
    }
}

/// <summary>
/// The indexed, decay-applied reputation view: every <c>ReputationChanged</c> event with its block's time, read back as the value of any
/// dimension at any time by the contract's own arithmetic (<see cref="ReputationDecay"/>): equal to <c>reputationOf</c> at the same time,
/// without a node and without the contract's 8-day limit on past reads. Read-only: open it over a keeper's index file
/// (<see cref="Open"/>, e.g. from the CLI or the dashboard) or take <see cref="SuiteIndexer.Reputation"/>.
/// </summary>
public sealed class ReputationView
{
    private readonly string _connectionString;
    private readonly string _path;

    internal ReputationView(string readConnectionString, string path)
    {
        _connectionString = readConnectionString;
        _path = path;
    }

    /// <summary>Opens the view over the index file at <paramref name="databasePath"/>, read-only (the keeper may be writing it).</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    public static ReputationView Open(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        string path = Path.GetFullPath(databasePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No index at '{databasePath}': give the keeper's IndexDbPath.", path);
        }

        return new ReputationView(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString(), databasePath);
    }

    /// <summary>The time of the newest indexed block with a suite event (the natural "now" of an index that is not being followed live).</summary>
    /// <exception cref="InvalidDataException">The file is not an index of schema 2 or later.</exception>
    public async Task<DateTimeOffset?> LatestEventTimeAsync(CancellationToken cancellationToken = default)
    {
        await using SqliteConnection db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = "SELECT MAX(timestamp) FROM block_times";
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long t ? DateTimeOffset.FromUnixTimeSeconds(t) : null;
    }

    /// <summary>An agent's four dimensions at <paramref name="at"/> (zero for a dimension never written by then).</summary>
    /// <exception cref="InvalidOperationException">The index has not read the Reputation contract yet (before its first pass), or the deployment has none.</exception>
    public async Task<IndexedReputation> ReputationAsync(BigInteger agentId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (agentId.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(agentId), agentId, "Agent ids start at 1.");
        }

        IReadOnlyList<IndexedReputation> one = await ReputationsAsync(at, agentId, cancellationToken).ConfigureAwait(false);
        return one.Count == 1 ? one[0] : new IndexedReputation(agentId, at, 0, 0, 0, 0);
    }

    /// <summary>Every agent with a reputation change at or before <paramref name="at"/>, its four dimensions at that time, highest total first.</summary>
    /// <exception cref="InvalidOperationException">The index has not read the Reputation contract yet, or the deployment has none.</exception>
    public Task<IReadOnlyList<IndexedReputation>> ReputationsAsync(DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ReputationsAsync(at, null, cancellationToken);

    /// <summary>An agent's reputation changes, oldest first, with the value after each.</summary>
    public async Task<IReadOnlyList<IndexedReputationChange>> ReputationHistoryAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        var list = new List<IndexedReputationChange>();
        await foreach (IndexedReputationChange change in ChangesAsync(agentId, long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            list.Add(change);
        }

        return list;
    }

    private async Task<IReadOnlyList<IndexedReputation>> ReputationsAsync(DateTimeOffset at, BigInteger? agentId, CancellationToken ct)
    {
        long genesis = await GenesisAsync(ct).ConfigureAwait(false);
        long time = at.ToUnixTimeSeconds();
        var latest = new Dictionary<BigInteger, IndexedReputationChange?[]>();
        await foreach (IndexedReputationChange change in ChangesAsync(agentId, time, ct).ConfigureAwait(false))
        {
            IndexedReputationChange?[] dims = latest.TryGetValue(change.AgentId, out var d) ? d : latest[change.AgentId] = new IndexedReputationChange?[4];
            dims[(int)change.Dimension] = change; // rows come oldest first: the last one wins
        }

        BigInteger ValueOf(IndexedReputationChange? c) =>
            c is null ? BigInteger.Zero : ReputationDecay.ValueAt(c.NewValue, c.At.ToUnixTimeSeconds(), time, genesis);
        return [.. latest.Select(kv => new IndexedReputation(kv.Key, at, ValueOf(kv.Value[0]), ValueOf(kv.Value[1]), ValueOf(kv.Value[2]), ValueOf(kv.Value[3])))
            .OrderByDescending(r => r.Total).ThenBy(r => r.AgentId)];
    }

    private async IAsyncEnumerable<IndexedReputationChange> ChangesAsync(BigInteger? agentId, long until,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using SqliteConnection db = await OpenAsync(ct).ConfigureAwait(false);
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = $"""
            SELECT c.agent_id, c.dimension, c.delta, c.new_value, t.timestamp, c.block_number
            FROM reputation_changes c JOIN block_times t ON t.block_number = c.block_number
            WHERE t.timestamp <= $until {(agentId is null ? "" : "AND c.agent_id = $agent")}
            ORDER BY c.block_number, c.log_index
            """;
        cmd.Parameters.AddWithValue("$until", until);
        if (agentId is { } id)
        {
            cmd.Parameters.AddWithValue("$agent", DecodedEvents.Id(id));
        }

        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            yield return new IndexedReputationChange(Big(r.GetString(0)), (ReputationDimension)r.GetInt64(1), Big(r.GetString(2)), Big(r.GetString(3)),
                DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(4)), (ulong)r.GetInt64(5));
        }
    }

    private async Task<long> GenesisAsync(CancellationToken ct)
    {
        await using SqliteConnection db = await OpenAsync(ct).ConfigureAwait(false);
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", SuiteIndexer.GenesisKey);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is string text
            ? long.Parse(text, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"The index {_path} has not read the Reputation contract yet (no pass has run, or the deployment has none).");
    }

    private static BigInteger Big(string text) => BigInteger.Parse(text, CultureInfo.InvariantCulture);

    private Task<SqliteConnection> OpenAsync(CancellationToken ct) => IndexFile.OpenReadOnlyAsync(_connectionString, _path, ct);
}

/// <summary>An agent's four reputation dimensions at a time, decayed by the contract's arithmetic; 18 decimals.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="At">The time they are read at.</param>
/// <param name="Task">Task dimension.</param>
/// <param name="Validator">Validator dimension.</param>
/// <param name="Compute">Compute dimension.</param>
/// <param name="Social">Social dimension.</param>
public sealed record IndexedReputation(BigInteger AgentId, DateTimeOffset At, BigInteger Task, BigInteger Validator, BigInteger Compute, BigInteger Social)
{
    /// <summary>The sum of the four (as the contract's <c>getSummary</c> total).</summary>
    public BigInteger Total => Task + Validator + Compute + Social;

    /// <summary>One dimension.</summary>
    public BigInteger this[ReputationDimension dimension] => dimension switch
    {
        ReputationDimension.Task => Task,
        ReputationDimension.Validator => Validator,
        ReputationDimension.Compute => Compute,
        ReputationDimension.Social => Social,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Not a reputation dimension."),
    };
}

/// <summary>One <c>ReputationChanged</c> event.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Dimension">The dimension changed.</param>
/// <param name="Delta">The change (negative for a decrease), against the decayed value just before.</param>
/// <param name="NewValue">The value right after the change.</param>
/// <param name="At">Its block's time.</param>
/// <param name="Block">Its block.</param>
public sealed record IndexedReputationChange(BigInteger AgentId, ReputationDimension Dimension, BigInteger Delta, BigInteger NewValue, DateTimeOffset At, ulong Block);
