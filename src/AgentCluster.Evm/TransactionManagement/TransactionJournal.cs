using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>One signed version of an intent, as broadcast (the first one, each replacement, and each re-signing at a new nonce).</summary>
internal sealed record JournalAttempt(string Hash, byte[] Raw, ulong Nonce, BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas, DateTimeOffset CreatedAt);

/// <summary>A transaction the caller asked for: what to send, at which nonce, and every signed version of it.</summary>
internal sealed record JournalIntent(
    long Id,
    ulong Nonce,
    string? To,
    BigInteger Value,
    byte[] Data,
    ulong GasLimit,
    IReadOnlyList<JournalAttempt> Attempts);

/// <summary>
/// The durable state of a <see cref="DurableTransactionManager"/> in SQLite: the next nonce per (chain, sender) and every intent with
/// its signed attempts. Written before each broadcast (write-ahead), so a restart re-checks and re-broadcasts what was pending and
/// never hands out a nonce twice. WAL with synchronous=FULL: a commit survives a crash of the process or the machine.
/// Not thread-safe: the manager serialises access.
/// </summary>
internal sealed class TransactionJournal : IDisposable
{
    private const string Pending = "pending";
    private const string Mined = "mined";
    private const string Failed = "failed";

    private readonly SqliteConnection _connection;
    private readonly long _chainId;
    private readonly string _sender;

    public TransactionJournal(string path, ulong chainId, string sender)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _chainId = (long)chainId;
        _sender = sender.ToLowerInvariant();
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=FULL;");
        Execute("PRAGMA busy_timeout=5000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS nonces (
                chain_id INTEGER NOT NULL, sender TEXT NOT NULL, next_nonce INTEGER NOT NULL,
                PRIMARY KEY (chain_id, sender));
            CREATE TABLE IF NOT EXISTS intents (
                id INTEGER PRIMARY KEY AUTOINCREMENT, chain_id INTEGER NOT NULL, sender TEXT NOT NULL, nonce INTEGER NOT NULL,
                recipient TEXT NULL, value TEXT NOT NULL, data BLOB NOT NULL, gas_limit INTEGER NOT NULL,
                status TEXT NOT NULL, mined_hash TEXT NULL, mined_block INTEGER NULL, created_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS intents_by_sender ON intents (chain_id, sender, status, nonce);
            CREATE TABLE IF NOT EXISTS attempts (
                id INTEGER PRIMARY KEY AUTOINCREMENT, intent_id INTEGER NOT NULL REFERENCES intents(id), hash TEXT NOT NULL,
                raw BLOB NOT NULL, nonce INTEGER NOT NULL, max_fee TEXT NOT NULL, priority_fee TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS attempts_by_intent ON attempts (intent_id);
            CREATE INDEX IF NOT EXISTS attempts_by_hash ON attempts (hash);
            """);
    }

    public ulong? GetNextNonce()
    {
        using SqliteCommand command = Command("SELECT next_nonce FROM nonces WHERE chain_id = $chain AND sender = $sender;");
        object? value = command.ExecuteScalar();
        return value is null or DBNull ? null : (ulong)(long)value;
    }

    public void SetNextNonce(ulong nextNonce)
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        WriteNextNonce(tx, nextNonce);
        tx.Commit();
    }

    public IReadOnlyList<JournalIntent> LoadPending()
    {
        var ids = new List<long>();
        using (SqliteCommand command = Command("SELECT id FROM intents WHERE chain_id = $chain AND sender = $sender AND status = 'pending' ORDER BY nonce;"))
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        return ids.Select(id => Load(id)!).ToList();
    }

    /// <summary>The hash that was mined for the intent that had an attempt with <paramref name="hash"/>, if that intent is mined.</summary>
    public string? FindMinedHash(string hash)
    {
        using SqliteCommand command = Command("""
            SELECT i.mined_hash FROM attempts a JOIN intents i ON i.id = a.intent_id
            WHERE a.hash = $hash AND i.chain_id = $chain AND i.sender = $sender AND i.status = 'mined' LIMIT 1;
            """);
        command.Parameters.AddWithValue("$hash", hash.ToLowerInvariant());
        return command.ExecuteScalar() as string;
    }

    /// <summary>The intent that was recorded as mined at <paramref name="nonce"/>, if any.</summary>
    public JournalIntent? FindMinedAt(ulong nonce)
    {
        using SqliteCommand command = Command("SELECT id FROM intents WHERE chain_id = $chain AND sender = $sender AND status = 'mined' AND nonce = $nonce ORDER BY id DESC LIMIT 1;");
        command.Parameters.AddWithValue("$nonce", (long)nonce);
        return command.ExecuteScalar() is long id ? Load(id) : null;
    }

    /// <summary>Records a new intent with its first attempt and advances the next nonce, atomically.</summary>
    public long Insert(string? to, BigInteger value, byte[] data, ulong gasLimit, JournalAttempt attempt, ulong nextNonce)
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        long id;
        using (SqliteCommand command = Command("""
            INSERT INTO intents (chain_id, sender, nonce, recipient, value, data, gas_limit, status, created_at)
            VALUES ($chain, $sender, $nonce, $to, $value, $data, $gas, 'pending', $now) RETURNING id;
            """, tx))
        {
            command.Parameters.AddWithValue("$nonce", (long)attempt.Nonce);
            command.Parameters.AddWithValue("$to", to is null ? DBNull.Value : to.ToLowerInvariant());
            command.Parameters.AddWithValue("$value", value.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$data", data);
            command.Parameters.AddWithValue("$gas", (long)gasLimit);
            command.Parameters.AddWithValue("$now", attempt.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
            id = (long)command.ExecuteScalar()!;
        }

        InsertAttempt(tx, id, attempt);
        WriteNextNonce(tx, nextNonce);
        tx.Commit();
        return id;
    }

    /// <summary>Adds a replacement (same nonce, higher fees).</summary>
    public void AddAttempt(long intentId, JournalAttempt attempt)
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        InsertAttempt(tx, intentId, attempt);
        tx.Commit();
    }

    /// <summary>Moves an intent whose nonce was taken by another transaction to a fresh nonce (old attempts are kept, for their hashes).</summary>
    public void Renonce(long intentId, JournalAttempt attempt, ulong nextNonce)
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        using (SqliteCommand update = Command("UPDATE intents SET nonce = $nonce WHERE id = $id;", tx))
        {
            update.Parameters.AddWithValue("$id", intentId);
            update.Parameters.AddWithValue("$nonce", (long)attempt.Nonce);
            update.ExecuteNonQuery();
        }

        InsertAttempt(tx, intentId, attempt);
        WriteNextNonce(tx, nextNonce);
        tx.Commit();
    }

    public void MarkMined(long intentId, string hash, ulong blockNumber) =>
        SetStatus(intentId, Mined, hash.ToLowerInvariant(), (long)blockNumber, null);

    /// <summary>A mined intent whose block was lost (reorg, node restored from older state) goes back to pending.</summary>
    public void Reopen(long intentId) => SetStatus(intentId, Pending, null, null, null);

    /// <summary>The node refused a fresh intent for good; its nonce (the last one handed out) is given back.</summary>
    public void MarkFailed(long intentId, ulong nextNonce) => SetStatus(intentId, Failed, null, null, nextNonce);

    public void Dispose() => _connection.Dispose();

    private JournalIntent? Load(long id)
    {
        JournalIntent? intent;
        using (SqliteCommand command = Command("SELECT nonce, recipient, value, data, gas_limit FROM intents WHERE id = $id;"))
        {
            command.Parameters.AddWithValue("$id", id);
            using SqliteDataReader reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            intent = new JournalIntent(
                id,
                (ulong)reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                BigInteger.Parse(reader.GetString(2), CultureInfo.InvariantCulture),
                (byte[])reader.GetValue(3),
                (ulong)reader.GetInt64(4),
                []);
        }

        var attempts = new List<JournalAttempt>();
        using (SqliteCommand command = Command("SELECT hash, raw, nonce, max_fee, priority_fee, created_at FROM attempts WHERE intent_id = $id ORDER BY id;"))
        {
            command.Parameters.AddWithValue("$id", id);
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                attempts.Add(new JournalAttempt(
                    reader.GetString(0),
                    (byte[])reader.GetValue(1),
                    (ulong)reader.GetInt64(2),
                    BigInteger.Parse(reader.GetString(3), CultureInfo.InvariantCulture),
                    BigInteger.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
                    DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
            }
        }

        return intent with { Attempts = attempts };
    }

    private void SetStatus(long intentId, string status, string? minedHash, long? minedBlock, ulong? nextNonce)
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        using (SqliteCommand command = Command("UPDATE intents SET status = $status, mined_hash = $hash, mined_block = $block WHERE id = $id;", tx))
        {
            command.Parameters.AddWithValue("$id", intentId);
            command.Parameters.AddWithValue("$status", status);
            command.Parameters.AddWithValue("$hash", (object?)minedHash ?? DBNull.Value);
            command.Parameters.AddWithValue("$block", (object?)minedBlock ?? DBNull.Value);
            command.ExecuteNonQuery();
        }

        if (nextNonce is { } next)
        {
            WriteNextNonce(tx, next);
        }

        tx.Commit();
    }

    private void InsertAttempt(SqliteTransaction tx, long intentId, JournalAttempt attempt)
    {
        using SqliteCommand command = Command("""
            INSERT INTO attempts (intent_id, hash, raw, nonce, max_fee, priority_fee, created_at)
            VALUES ($id, $hash, $raw, $nonce, $maxFee, $tip, $now);
            """, tx);
        command.Parameters.AddWithValue("$id", intentId);
        command.Parameters.AddWithValue("$hash", attempt.Hash.ToLowerInvariant());
        command.Parameters.AddWithValue("$raw", attempt.Raw);
        command.Parameters.AddWithValue("$nonce", (long)attempt.Nonce);
        command.Parameters.AddWithValue("$maxFee", attempt.MaxFeePerGas.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$tip", attempt.MaxPriorityFeePerGas.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$now", attempt.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    private void WriteNextNonce(SqliteTransaction tx, ulong nextNonce)
    {
        using SqliteCommand command = Command("""
            INSERT INTO nonces (chain_id, sender, next_nonce) VALUES ($chain, $sender, $next)
            ON CONFLICT (chain_id, sender) DO UPDATE SET next_nonce = excluded.next_nonce;
            """, tx);
        command.Parameters.AddWithValue("$next", (long)nextNonce);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.Parameters.AddWithValue("$chain", _chainId);
        command.Parameters.AddWithValue("$sender", _sender);
        return command;
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
