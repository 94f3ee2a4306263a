using System.Numerics;
using Microsoft.Data.Sqlite;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Market = AgentCluster.Evm.Bindings.ITaskMarket.ContractDefinition;

namespace AgentCluster.Keepers.Indexing;

/// <summary>A committee member of a settled task whose own settlement (<c>MemberSettled</c>) is not indexed yet.</summary>
/// <param name="TaskId">The settled task.</param>
/// <param name="AgentId">The member (drawn, not evicted).</param>
public sealed record IndexedMemberToSettle(BigInteger TaskId, BigInteger AgentId);

/// <summary>The latest committee seed request of a task (<c>SeedRequested</c>): the randomness source asked and its request id.</summary>
/// <param name="Source">The randomness source (lower-case hex): the primary, or the fallback after <c>retrySeed</c>.</param>
/// <param name="RequestId">The source's request id.</param>
public sealed record IndexedSeedRequest(string Source, BigInteger RequestId);

/// <summary>The committee and settlement duties' queries (work found in the index only, never by scanning contract storage).</summary>
public sealed partial class SuiteIndexer
{
    private static readonly string MemberSettledTopic = "0x" + ABITypedRegistry.GetEvent<Market.MemberSettledEventDTO>().Sha3Signature.ToLowerInvariant();
    private int _membersBackfilled;

    /// <summary>
    /// Tasks in verification: the committee seed was requested (the result is posted) and the task is not settled. The settlement
    /// duty's candidates for <c>settle</c> (reveal window over, every member revealed, a committee not full when its fill phase closed,
    /// or a seed that lapsed); which of them can settle now is the contract's rule, read from the task on-chain.
    /// </summary>
    public Task<IReadOnlyList<IndexedTask>> TasksInVerificationAsync(CancellationToken cancellationToken = default) =>
        QueryTasksAsync("WHERE seed_requested AND outcome IS NULL", null, cancellationToken);

    /// <summary>
    /// Tasks assigned, with no result posted and not settled, whose deadline is before <paramref name="now"/> (chain time): the work of
    /// <c>reportMissedDeadline</c>.
    /// </summary>
    public Task<IReadOnlyList<IndexedTask>> TasksPastDeadlineAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        QueryTasksAsync("WHERE executor IS NOT NULL AND NOT result_posted AND outcome IS NULL AND deadline < $x", now.ToUnixTimeSeconds(), cancellationToken);

    /// <summary>The latest seed request of <paramref name="taskId"/>, or null when none is indexed.</summary>
    public async Task<IndexedSeedRequest?> SeedRequestOfAsync(BigInteger taskId, CancellationToken cancellationToken = default)
    {
        await using SqliteConnection db = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = "SELECT source, request_id FROM seeds_requested WHERE task_id = $t ORDER BY block_number DESC, log_index DESC LIMIT 1";
        cmd.Parameters.AddWithValue("$t", DecodedEvents.Id(taskId));
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await r.ReadAsync(cancellationToken).ConfigureAwait(false) ? new IndexedSeedRequest(r.GetString(0), ParseId(r.GetString(1))) : null;
    }

    /// <summary>
    /// Members of settled tasks (seed fixed, so a committee was drawn) that are drawn and not evicted and have no <c>MemberSettled</c>
    /// yet, oldest settlement first, at most <paramref name="max"/>: the work of <c>settleMembers</c>. An index file written before
    /// <c>MemberSettled</c> was decoded is filled from its raw logs on the first call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is not positive.</exception>
    public async Task<IReadOnlyList<IndexedMemberToSettle>> MembersToSettleAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        await BackfillMembersSettledAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteConnection db = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT d.task_id, d.agent_id FROM members_drawn d
            JOIN tasks_settled t ON t.rowid = (SELECT t2.rowid FROM tasks_settled t2 WHERE t2.task_id = d.task_id ORDER BY t2.block_number, t2.log_index LIMIT 1)
            WHERE EXISTS (SELECT 1 FROM seeds_fixed f WHERE f.task_id = d.task_id)
              AND NOT EXISTS (SELECT 1 FROM members_evicted e WHERE e.task_id = d.task_id AND e.agent_id = d.agent_id
                  AND (e.block_number > d.block_number OR (e.block_number = d.block_number AND e.log_index > d.log_index)))
              AND NOT EXISTS (SELECT 1 FROM members_settled s WHERE s.task_id = d.task_id AND s.agent_id = d.agent_id)
            ORDER BY t.block_number, t.log_index, d.block_number, d.log_index
            """;
        var members = new List<IndexedMemberToSettle>();
        var seen = new HashSet<(string, string)>();
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (members.Count < max && await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add((r.GetString(0), r.GetString(1))))
            {
                members.Add(new IndexedMemberToSettle(ParseId(r.GetString(0)), ParseId(r.GetString(1))));
            }
        }

        return members;
    }

    /// <summary>Once per instance: decodes the raw <c>MemberSettled</c> logs that have no row yet (an index written by an older version).</summary>
    private async Task BackfillMembersSettledAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _membersBackfilled) == 1)
        {
            return;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_membersBackfilled == 1)
            {
                return;
            }

            using SqliteTransaction tx = _db.BeginTransaction();
            var logs = new List<FilterLog>();
            using (SqliteCommand cmd = Command(tx, """
                SELECT l.block_number, l.log_index, l.block_hash, l.tx_hash, l.address, l.topic0, l.topic1, l.topic2, l.topic3, l.data FROM logs l
                WHERE l.contract = 'TaskMarket' AND l.topic0 = $t
                  AND NOT EXISTS (SELECT 1 FROM members_settled s WHERE s.block_number = l.block_number AND s.log_index = l.log_index)
                """))
            {
                cmd.Parameters.AddWithValue("$t", MemberSettledTopic);
                using SqliteDataReader r = cmd.ExecuteReader();
                while (r.Read())
                {
                    var topics = new List<object>();
                    for (int i = 5; i <= 8 && !r.IsDBNull(i); i++)
                    {
                        topics.Add(r.GetString(i));
                    }

                    logs.Add(new FilterLog
                    {
                        BlockNumber = new HexBigInteger(r.GetInt64(0)), LogIndex = new HexBigInteger(r.GetInt64(1)), BlockHash = r.GetString(2),
                        TransactionHash = r.GetString(3), Address = r.GetString(4), Topics = [.. topics], Data = r.GetString(9),
                    });
                }
            }

            foreach (FilterLog log in logs)
            {
                DecodedEvents.TryWrite(_db, tx, "TaskMarket", log);
            }

            tx.Commit();
            Volatile.Write(ref _membersBackfilled, 1);
        }
        finally
        {
            _gate.Release();
        }
    }
}
