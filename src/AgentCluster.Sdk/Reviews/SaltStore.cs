using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;

namespace AgentCluster.Sdk.Reviews;

/// <summary>Where a stored commitment stands.</summary>
public enum CommitmentState
{
    /// <summary>Written before the commit transaction was sent; the transaction may or may not have been mined.</summary>
    Pending = 0,

    /// <summary>The commit transaction succeeded; the reveal is still to do.</summary>
    Committed = 1,

    /// <summary>The reveal succeeded.</summary>
    Revealed = 2,
}

/// <summary>A vote commitment as the salt store keeps it.</summary>
/// <param name="ChainId">Chain id.</param>
/// <param name="Market">Market address (lower case).</param>
/// <param name="TaskId">Task id.</param>
/// <param name="AgentId">The committee member.</param>
/// <param name="Approve">The vote.</param>
/// <param name="Salt">The 32-byte salt.</param>
/// <param name="Commitment">keccak256(abi.encode(taskId, agentId, approve, salt)).</param>
/// <param name="State">Where it stands.</param>
public sealed record StoredCommitment(BigInteger ChainId, string Market, BigInteger TaskId, BigInteger AgentId, bool Approve, byte[] Salt,
    byte[] Commitment, CommitmentState State);

/// <summary>
/// The durable store of commit-reveal salts: SQLite (WAL, <c>synchronous=FULL</c>), one row per (chain id, market, task, agent).
/// A row is written, and the write committed to disk, before the commit transaction is sent, and kept (marked revealed) after the
/// reveal, so a restart between commit and reveal still reveals and a second commit is refused. One process at a time per file is
/// the intended use; SQLite's locking keeps concurrent writers consistent (busy timeout 5 s).
/// </summary>
public sealed class SaltStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public SaltStore(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The salt store needs a file path.", nameof(path));
        }

        Path = System.IO.Path.GetFullPath(path);
        string? dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        SQLitePCL.Batteries_V2.Init();
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=FULL;");
        Execute("PRAGMA busy_timeout=5000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS commitments (
              chain_id TEXT NOT NULL, market TEXT NOT NULL, task_id TEXT NOT NULL, agent_id TEXT NOT NULL,
              approve INTEGER NOT NULL, salt BLOB NOT NULL, commitment BLOB NOT NULL, state INTEGER NOT NULL,
              created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
              PRIMARY KEY (chain_id, market, task_id, agent_id));
            """);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The commitment of (chain, market, task, agent), or null.</summary>
    public StoredCommitment? Find(BigInteger chainId, string market, BigInteger taskId, BigInteger agentId)
    {
        lock (_gate)
        {
            using SqliteCommand cmd = Command("SELECT chain_id, market, task_id, agent_id, approve, salt, commitment, state FROM commitments WHERE chain_id=$c AND market=$m AND task_id=$t AND agent_id=$a;",
                chainId, market, taskId, agentId);
            using SqliteDataReader r = cmd.ExecuteReader();
            return r.Read() ? Read(r) : null;
        }
    }

    /// <summary>Every commitment of a chain and market in the given states.</summary>
    public IReadOnlyList<StoredCommitment> List(BigInteger chainId, string market, params CommitmentState[] states)
    {
        lock (_gate)
        {
            using SqliteCommand cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT chain_id, market, task_id, agent_id, approve, salt, commitment, state FROM commitments WHERE chain_id=$c AND market=$m ORDER BY created_at;";
            cmd.Parameters.AddWithValue("$c", chainId.ToString(CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue("$m", market.ToLowerInvariant());
            using SqliteDataReader r = cmd.ExecuteReader();
            var all = new List<StoredCommitment>();
            while (r.Read())
            {
                StoredCommitment c = Read(r);
                if (states.Length == 0 || states.Contains(c.State))
                {
                    all.Add(c);
                }
            }

            return all;
        }
    }

    /// <summary>Inserts a new pending commitment and commits it to disk; false if the key already has a row (nothing written).</summary>
    public bool TryAddPending(StoredCommitment commitment)
    {
        ArgumentNullException.ThrowIfNull(commitment);
        lock (_gate)
        {
            using SqliteTransaction tx = _connection.BeginTransaction();
            using SqliteCommand cmd = Command("""
                INSERT OR IGNORE INTO commitments (chain_id, market, task_id, agent_id, approve, salt, commitment, state, created_at, updated_at)
                VALUES ($c, $m, $t, $a, $v, $s, $h, 0, $now, $now);
                """, commitment.ChainId, commitment.Market, commitment.TaskId, commitment.AgentId);
            cmd.Transaction = tx;
            cmd.Parameters.AddWithValue("$v", commitment.Approve ? 1 : 0);
            cmd.Parameters.AddWithValue("$s", commitment.Salt);
            cmd.Parameters.AddWithValue("$h", commitment.Commitment);
            cmd.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            int rows = cmd.ExecuteNonQuery();
            tx.Commit(); // WAL + synchronous=FULL: the commit returns after the WAL is fsync'ed
            return rows == 1;
        }
    }

    /// <summary>Moves a commitment to <paramref name="state"/>.</summary>
    public void SetState(BigInteger chainId, string market, BigInteger taskId, BigInteger agentId, CommitmentState state)
    {
        lock (_gate)
        {
            using SqliteCommand cmd = Command("UPDATE commitments SET state=$st, updated_at=$now WHERE chain_id=$c AND market=$m AND task_id=$t AND agent_id=$a;",
                chainId, market, taskId, agentId);
            cmd.Parameters.AddWithValue("$st", (int)state);
            cmd.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Deletes a commitment (only for one whose commit transaction was refused by the contract: its salt can never be needed).</summary>
    public void Remove(BigInteger chainId, string market, BigInteger taskId, BigInteger agentId)
    {
        lock (_gate)
        {
            using SqliteCommand cmd = Command("DELETE FROM commitments WHERE chain_id=$c AND market=$m AND task_id=$t AND agent_id=$a AND state=0;",
                chainId, market, taskId, agentId);
            cmd.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private SqliteCommand Command(string sql, BigInteger chainId, string market, BigInteger taskId, BigInteger agentId)
    {
        SqliteCommand cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$c", chainId.ToString(CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$m", market.ToLowerInvariant());
        cmd.Parameters.AddWithValue("$t", taskId.ToString(CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$a", agentId.ToString(CultureInfo.InvariantCulture));
        return cmd;
    }

    private static StoredCommitment Read(SqliteDataReader r) => new(
        BigInteger.Parse(r.GetString(0), CultureInfo.InvariantCulture), r.GetString(1), BigInteger.Parse(r.GetString(2), CultureInfo.InvariantCulture),
        BigInteger.Parse(r.GetString(3), CultureInfo.InvariantCulture), r.GetInt64(4) != 0, (byte[])r[5], (byte[])r[6], (CommitmentState)r.GetInt64(7));

    private void Execute(string sql)
    {
        using SqliteCommand cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
