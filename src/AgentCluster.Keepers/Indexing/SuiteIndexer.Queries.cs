using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;

namespace AgentCluster.Keepers.Indexing;

/// <summary>The views the duties read, derived from the decoded events only (never from contract storage).</summary>
public sealed partial class SuiteIndexer
{
    private const string TaskSelect = """
        SELECT * FROM (
            SELECT s.task_id, s.requester, s.capabilities, s.bounty, s.fee, s.deadline, s.block_number, s.log_index,
                (SELECT a.agent_id FROM tasks_assigned a WHERE a.task_id = s.task_id ORDER BY a.block_number DESC, a.log_index DESC LIMIT 1) AS executor,
                EXISTS (SELECT 1 FROM results_posted r WHERE r.task_id = s.task_id) AS result_posted,
                EXISTS (SELECT 1 FROM seeds_requested q WHERE q.task_id = s.task_id) AS seed_requested,
                f.seed, f.draw_closes_at, f.commit_ends_at, f.reveal_ends_at,
                (SELECT t.outcome FROM tasks_settled t WHERE t.task_id = s.task_id ORDER BY t.block_number DESC, t.log_index DESC LIMIT 1) AS outcome
            FROM tasks_submitted s
            LEFT JOIN seeds_fixed f ON f.rowid =
                (SELECT f2.rowid FROM seeds_fixed f2 WHERE f2.task_id = s.task_id ORDER BY f2.block_number DESC, f2.log_index DESC LIMIT 1))
        """;

    /// <summary>Every indexed task, in submission order.</summary>
    public Task<IReadOnlyList<IndexedTask>> TasksAsync(CancellationToken cancellationToken = default) =>
        QueryTasksAsync("", null, cancellationToken);

    /// <summary>One task, or null when its <c>TaskSubmitted</c> is not indexed.</summary>
    public async Task<IndexedTask?> GetTaskAsync(BigInteger taskId, CancellationToken cancellationToken = default) =>
        (await QueryTasksAsync("WHERE task_id = $x", DecodedEvents.Id(taskId), cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>Tasks submitted and neither assigned nor settled (open for bids).</summary>
    public Task<IReadOnlyList<IndexedTask>> OpenTasksAsync(CancellationToken cancellationToken = default) =>
        QueryTasksAsync("WHERE executor IS NULL AND outcome IS NULL", null, cancellationToken);

    /// <summary>
    /// Tasks whose committee seed was requested (the result is posted), that are not settled, and whose draw is not closed at
    /// <paramref name="now"/> (chain time): either the seed is not fixed yet (the first draw fixes it) or the draw window is open. The
    /// committee duty's work; <see cref="IndexedTask.Committee"/> says who is drawn so far (the seat count is the task's, read on-chain).
    /// </summary>
    public Task<IReadOnlyList<IndexedTask>> TasksAwaitingCommitteeAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        QueryTasksAsync("WHERE seed_requested AND outcome IS NULL AND (seed IS NULL OR draw_closes_at >= $x)", now.ToUnixTimeSeconds(), cancellationToken);

    /// <summary>Tasks whose seed is fixed, whose reveal window has ended by <paramref name="now"/> (chain time), and that are not settled: the
    /// settlement duty's work.</summary>
    public Task<IReadOnlyList<IndexedTask>> TasksSettleableAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        QueryTasksAsync("WHERE seed IS NOT NULL AND outcome IS NULL AND reveal_ends_at <= $x", now.ToUnixTimeSeconds(), cancellationToken);

    /// <summary>Registered agents with their latest attestation expiry and stake ledger, in registration order.</summary>
    public async Task<IReadOnlyList<IndexedAgent>> AgentsAsync(CancellationToken cancellationToken = default)
    {
        await using SqliteConnection db = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        var stakes = new Dictionary<string, BigInteger[]>(StringComparer.Ordinal);
        await using (SqliteCommand cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT agent_id, kind, amount FROM stake_changes";
            await using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                BigInteger[] sums = stakes.TryGetValue(r.GetString(0), out BigInteger[]? s) ? s : stakes[r.GetString(0)] = new BigInteger[5];
                int slot = r.GetString(1) switch
                {
                    StakeKinds.Staked => 0,
                    StakeKinds.UnstakeRequested => 1,
                    StakeKinds.Withdrawn => 2,
                    StakeKinds.SlashBurned => 3,
                    _ => 4,
                };
                sums[slot] += ParseId(r.GetString(2));
            }
        }

        var agents = new List<IndexedAgent>();
        await using (SqliteCommand cmd = db.CreateCommand())
        {
            cmd.CommandText = """
                SELECT g.agent_id, g.owner, g.agent_key, g.agent_uri, g.block_number,
                    (SELECT a.expires_at FROM attestations a WHERE a.agent_id = g.agent_id ORDER BY a.block_number DESC, a.log_index DESC LIMIT 1)
                FROM agents_registered g ORDER BY g.block_number, g.log_index
                """;
            await using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                BigInteger[] s = stakes.TryGetValue(r.GetString(0), out BigInteger[]? sums) ? sums : new BigInteger[5];
                agents.Add(new IndexedAgent(ParseId(r.GetString(0)), r.GetString(1), r.GetString(2), r.GetString(3), (ulong)r.GetInt64(4),
                    r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(5)), new IndexedStake(s[0], s[1], s[2], s[3], s[4])));
            }
        }

        return agents;
    }

    /// <summary>The raw logs stored for blocks <paramref name="fromBlock"/>..<paramref name="toBlock"/>, in chain order.</summary>
    /// <exception cref="ArgumentException">The range is inverted.</exception>
    public async Task<IReadOnlyList<IndexedLog>> LogsAsync(ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default)
    {
        if (toBlock < fromBlock)
        {
            throw new ArgumentException($"toBlock ({toBlock}) is before fromBlock ({fromBlock}).", nameof(toBlock));
        }

        await using SqliteConnection db = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT block_number, block_hash, tx_hash, log_index, address, contract, topic0, topic1, topic2, topic3, data FROM logs
            WHERE block_number BETWEEN $from AND $to ORDER BY block_number, log_index
            """;
        cmd.Parameters.AddWithValue("$from", (long)Math.Min(fromBlock, long.MaxValue));
        cmd.Parameters.AddWithValue("$to", (long)Math.Min(toBlock, long.MaxValue));
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var logs = new List<IndexedLog>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var topics = new List<string>();
            for (int i = 6; i <= 9 && !r.IsDBNull(i); i++)
            {
                topics.Add(r.GetString(i));
            }

            logs.Add(new IndexedLog((ulong)r.GetInt64(0), r.GetString(1), r.GetString(2), (ulong)r.GetInt64(3), r.GetString(4), r.GetString(5), topics, r.GetString(10)));
        }

        return logs;
    }

    private async Task<IReadOnlyList<IndexedTask>> QueryTasksAsync(string where, object? arg, CancellationToken ct)
    {
        await using SqliteConnection db = await OpenReaderAsync(ct).ConfigureAwait(false);
        var rows = new List<IndexedTask>();
        await using (SqliteCommand cmd = db.CreateCommand())
        {
            cmd.CommandText = $"{TaskSelect} {where} ORDER BY block_number, log_index";
            if (arg is not null)
            {
                cmd.Parameters.AddWithValue("$x", arg);
            }

            await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                rows.Add(new IndexedTask(
                    ParseId(r.GetString(0)), r.GetString(1), (ulong)r.GetInt64(2), ParseId(r.GetString(3)), ParseId(r.GetString(4)),
                    DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(5)), (ulong)r.GetInt64(6),
                    r.IsDBNull(8) ? null : ParseId(r.GetString(8)), r.GetInt64(9) != 0, r.GetInt64(10) != 0,
                    r.IsDBNull(11) ? null : r.GetString(11),
                    r.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(12)),
                    r.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(13)),
                    r.IsDBNull(14) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(14)),
                    [], r.IsDBNull(15) ? null : (byte)r.GetInt64(15)));
            }
        }

        for (int i = 0; i < rows.Count; i++)
        {
            rows[i] = rows[i] with { Committee = await CommitteeAsync(db, DecodedEvents.Id(rows[i].TaskId), ct).ConfigureAwait(false) };
        }

        return rows;
    }

    private static async Task<IReadOnlyList<BigInteger>> CommitteeAsync(SqliteConnection db, string taskId, CancellationToken ct)
    {
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT agent_id, 1, block_number, log_index FROM members_drawn WHERE task_id = $t
            UNION ALL SELECT agent_id, 0, block_number, log_index FROM members_evicted WHERE task_id = $t
            ORDER BY 3, 4
            """;
        cmd.Parameters.AddWithValue("$t", taskId);
        var members = new List<BigInteger>();
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            BigInteger agent = ParseId(r.GetString(0));
            if (r.GetInt64(1) == 1)
            {
                members.Add(agent);
            }
            else
            {
                members.Remove(agent);
            }
        }

        return members;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var db = new SqliteConnection(_readConnectionString);
        await db.OpenAsync(ct).ConfigureAwait(false);
        return db;
    }
}
