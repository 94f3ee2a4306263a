using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;

namespace AgentCluster.Keepers.Attestation.Duty;

/// <summary>The state of a stored piece of evidence.</summary>
public enum EvidenceState
{
    /// <summary>Backs the agent's current attestation; re-verified and renewed before expiry.</summary>
    Active,

    /// <summary>No longer verifies (or cannot extend the attestation): left to expire; the agent must hand in new evidence.</summary>
    Lapsed,

    /// <summary>The on-chain attestation is no longer this evidence's (another attestor's, another measurement): not renewed.</summary>
    Superseded,
}

/// <summary>Evidence the duty accepted for an agent (one row per agent: the newest accepted).</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="AgentKey">Its key address.</param>
/// <param name="Quote">The quote as handed in (raw bytes).</param>
/// <param name="BenchmarkJson">The benchmark report as handed in.</param>
/// <param name="MeasurementHash">The quote's measurement hash (as posted).</param>
/// <param name="BoundNonce">The nonce the quote's report data binds (its first attestation).</param>
/// <param name="LastNonce">The nonce of the last attestation this keeper posted from it.</param>
/// <param name="ExpiresAt">That attestation's expiry (Unix seconds).</param>
/// <param name="State">Whether it is still renewed.</param>
/// <param name="Reason">Why it lapsed or was superseded (or the last renewal note).</param>
public sealed record StoredEvidence(BigInteger AgentId, string AgentKey, byte[] Quote, string BenchmarkJson, byte[] MeasurementHash, ulong BoundNonce,
    ulong LastNonce, ulong ExpiresAt, EvidenceState State, string? Reason);

/// <summary>
/// The attestation duty's SQLite file (its own, <see cref="AttestationOptions.StorePath"/>): accepted evidence per agent, so that the duty
/// re-verifies it before expiry, after a restart too. WAL, synchronous=FULL (as the indexer's database).
/// </summary>
public sealed class AttestationStore : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    public AttestationStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 }.ToString());
        _db.Open();
        Execute("""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;
            CREATE TABLE IF NOT EXISTS evidence (
                agent_id TEXT PRIMARY KEY,
                agent_key TEXT NOT NULL,
                quote BLOB NOT NULL,
                benchmark TEXT NOT NULL,
                measurement_hash BLOB NOT NULL,
                bound_nonce INTEGER NOT NULL,
                last_nonce INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                state TEXT NOT NULL,
                reason TEXT,
                updated_at INTEGER NOT NULL);
            """);
    }

    /// <summary>Stores (replacing) the evidence behind a new attestation.</summary>
    public void Put(StoredEvidence e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_gate)
        {
            using SqliteCommand c = _db.CreateCommand();
            c.CommandText = """
                INSERT OR REPLACE INTO evidence (agent_id, agent_key, quote, benchmark, measurement_hash, bound_nonce, last_nonce, expires_at, state, reason, updated_at)
                VALUES ($id, $key, $quote, $bench, $mh, $bound, $last, $exp, $state, $reason, $now)
                """;
            c.Parameters.AddWithValue("$id", e.AgentId.ToString(CultureInfo.InvariantCulture));
            c.Parameters.AddWithValue("$key", e.AgentKey);
            c.Parameters.AddWithValue("$quote", e.Quote);
            c.Parameters.AddWithValue("$bench", e.BenchmarkJson);
            c.Parameters.AddWithValue("$mh", e.MeasurementHash);
            c.Parameters.AddWithValue("$bound", checked((long)e.BoundNonce));
            c.Parameters.AddWithValue("$last", checked((long)e.LastNonce));
            c.Parameters.AddWithValue("$exp", checked((long)e.ExpiresAt));
            c.Parameters.AddWithValue("$state", e.State.ToString());
            c.Parameters.AddWithValue("$reason", (object?)e.Reason ?? DBNull.Value);
            c.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            c.ExecuteNonQuery();
        }
    }

    /// <summary>The evidence stored for <paramref name="agentId"/>, or null.</summary>
    public StoredEvidence? Get(BigInteger agentId) => Query("WHERE agent_id = $id", ("$id", agentId.ToString(CultureInfo.InvariantCulture))).SingleOrDefault();

    /// <summary>Every piece of evidence in <paramref name="state"/>.</summary>
    public IReadOnlyList<StoredEvidence> InState(EvidenceState state) => Query("WHERE state = $s ORDER BY expires_at", ("$s", state.ToString()));

    private List<StoredEvidence> Query(string where, (string Name, object Value) parameter)
    {
        lock (_gate)
        {
            using SqliteCommand c = _db.CreateCommand();
            c.CommandText = $"SELECT agent_id, agent_key, quote, benchmark, measurement_hash, bound_nonce, last_nonce, expires_at, state, reason FROM evidence {where}";
            c.Parameters.AddWithValue(parameter.Name, parameter.Value);
            using SqliteDataReader r = c.ExecuteReader();
            var rows = new List<StoredEvidence>();
            while (r.Read())
            {
                rows.Add(new StoredEvidence(BigInteger.Parse(r.GetString(0), CultureInfo.InvariantCulture), r.GetString(1), (byte[])r[2], r.GetString(3), (byte[])r[4],
                    (ulong)r.GetInt64(5), (ulong)r.GetInt64(6), (ulong)r.GetInt64(7), Enum.Parse<EvidenceState>(r.GetString(8)), r.IsDBNull(9) ? null : r.GetString(9)));
            }

            return rows;
        }
    }

    private void Execute(string sql)
    {
        using SqliteCommand c = _db.CreateCommand();
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose() => _db.Dispose();
}
