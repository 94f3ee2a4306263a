using System.Globalization;
using System.Numerics;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Gov = AgentCluster.Evm.Bindings.AgentClusterGovernor.ContractDefinition;
using Fees = AgentCluster.Evm.Bindings.IFeeRouter.ContractDefinition;
using Registry = AgentCluster.Evm.Bindings.IAgentRegistry.ContractDefinition;
using Vault = AgentCluster.Evm.Bindings.IScheduledVault.ContractDefinition;

namespace AgentCluster.Keepers.Indexing;

/// <summary>
/// The whole network as the index describes it, read-only over a keeper's index file (the dashboard's data source): agents with their
/// stake ledger, capability bits, attestation and reputation; tasks with the time of each stage; the collaboration edges; governance
/// proposals; fees burned, emissions released and escrow; and the raw event feed past a position. Events the indexer keeps raw only
/// (governance, fees, emissions, <c>CapabilitiesSet</c>) are decoded here from the <c>logs</c> table with the generated Nethereum event DTOs.
/// Never writes; WAL mode means it never blocks the keeper that writes the file.
/// </summary>
public sealed class NetworkView
{
    private static readonly Lazy<Dictionary<string, string>> EventNames = new(BuildEventNames);
    private readonly string _connectionString;
    private readonly string _path;

    private NetworkView(string connectionString, string path)
    {
        _connectionString = connectionString;
        _path = path;
        Reputation = ReputationView.Open(path);
    }

    /// <summary>The reputation view over the same file.</summary>
    public ReputationView Reputation { get; }

    /// <summary>Opens the view over the index file at <paramref name="databasePath"/>, read-only.</summary>
    /// <exception cref="ArgumentException">No path given.</exception>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    public static NetworkView Open(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        string path = Path.GetFullPath(databasePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No index at '{databasePath}': give the keeper's IndexDbPath.", path);
        }

        string cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        return new NetworkView(cs, databasePath);
    }

    /// <summary>The newest stored log's position and the index's cursor (null position: no log yet).</summary>
    /// <exception cref="InvalidDataException">The file is not a keeper index of schema 2 or later.</exception>
    public async Task<IndexHead> HeadAsync(CancellationToken cancellationToken = default)
    {
        await using SqliteConnection db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await HeadAsync(db, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> raw events stored after <paramref name="after"/> (null: from the start), oldest first, named by
    /// the generated bindings' event signatures (unknown ones are named by their topic0).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not in 1..10,000.</exception>
    public async Task<IReadOnlyList<NetworkEvent>> EventsAfterAsync(IndexPosition? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        await using SqliteConnection db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT l.block_number, l.log_index, l.contract, l.topic0, l.topic1, l.tx_hash, t.timestamp FROM logs l
            LEFT JOIN block_times t ON t.block_number = l.block_number
            WHERE l.block_number > $b OR (l.block_number = $b AND l.log_index > $i)
            ORDER BY l.block_number, l.log_index LIMIT $n
            """;
        cmd.Parameters.AddWithValue("$b", after is null ? -1L : (long)after.Block);
        cmd.Parameters.AddWithValue("$i", after is null ? -1L : (long)after.LogIndex);
        cmd.Parameters.AddWithValue("$n", limit);
        var events = new List<NetworkEvent>();
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string? topic0 = r.IsDBNull(3) ? null : r.GetString(3);
            string name = topic0 is not null && EventNames.Value.TryGetValue(topic0, out string? n) ? n : topic0 ?? "anonymous";
            events.Add(new NetworkEvent(new IndexPosition((ulong)r.GetInt64(0), (ulong)r.GetInt64(1)), r.GetString(2), name,
                r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5), r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(6))));
        }

        return events;
    }

    /// <summary>
    /// Everything the dashboard shows, read in one read transaction (a consistent state of the index). Reputation is read at
    /// <paramref name="at"/> (default: the newest indexed block's time).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a keeper index of schema 2 or later.</exception>
    public async Task<NetworkSnapshot> SnapshotAsync(DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        await using SqliteConnection db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (SqliteCommand begin = db.CreateCommand())
        {
            // One read transaction over every query below (WAL: a consistent snapshot while the keeper keeps writing).
            begin.CommandText = "BEGIN DEFERRED";
            await begin.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        IndexHead head = await HeadAsync(db, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = at ?? head.LatestEventTime ?? DateTimeOffset.UnixEpoch;
        Dictionary<BigInteger, IndexedReputation> reputations = [];
        if (await HasMetaAsync(db, SuiteIndexer.GenesisKey, cancellationToken).ConfigureAwait(false))
        {
            foreach (IndexedReputation rep in await Reputation.ReputationsAsync(now, cancellationToken).ConfigureAwait(false))
            {
                reputations[rep.AgentId] = rep;
            }
        }

        List<NetworkTask> tasks = await TasksAsync(db, cancellationToken).ConfigureAwait(false);
        List<NetworkAgent> agents = await AgentsAsync(db, reputations, now, cancellationToken).ConfigureAwait(false);
        var edges = new List<NetworkEdge>();
        foreach (NetworkTask t in tasks)
        {
            if (t.Executor is { } executor)
            {
                edges.Add(new NetworkEdge(NetworkEdgeKind.RequesterExecutor, t.Requester, DecodedEvents.Id(executor), t.TaskId));
                edges.AddRange(t.Committee.Select(m => new NetworkEdge(NetworkEdgeKind.ReviewerTask, DecodedEvents.Id(m), DecodedEvents.Id(executor), t.TaskId)));
            }
        }

        IReadOnlyList<NetworkProposal> proposals = await ProposalsAsync(db, now, cancellationToken).ConfigureAwait(false);
        NetworkEconomy economy = await EconomyAsync(db, tasks, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<BlockActivity> activity = await ActivityAsync(db, cancellationToken).ConfigureAwait(false);
        return new NetworkSnapshot(head, now, agents, tasks, edges, proposals, economy, activity);
    }

    private static async Task<IndexHead> HeadAsync(SqliteConnection db, CancellationToken ct)
    {
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT (SELECT value FROM meta WHERE key = 'cursor'),
                   (SELECT block_number FROM logs ORDER BY block_number DESC, log_index DESC LIMIT 1),
                   (SELECT log_index FROM logs ORDER BY block_number DESC, log_index DESC LIMIT 1),
                   (SELECT MAX(timestamp) FROM block_times),
                   (SELECT COUNT(*) FROM logs)
            """;
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        ulong? cursor = r.IsDBNull(0) ? null : ulong.Parse(r.GetString(0), CultureInfo.InvariantCulture);
        IndexPosition? last = r.IsDBNull(1) ? null : new IndexPosition((ulong)r.GetInt64(1), (ulong)r.GetInt64(2));
        DateTimeOffset? time = r.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(3));
        return new IndexHead(cursor, last, time, r.GetInt64(4));
    }

    private static async Task<bool> HasMetaAsync(SqliteConnection db, string key, CancellationToken ct)
    {
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null;
    }

    private static async Task<List<NetworkTask>> TasksAsync(SqliteConnection db, CancellationToken ct)
    {
        const string Latest = "ORDER BY x.block_number DESC, x.log_index DESC LIMIT 1";
        string StageTime(string table) =>
            $"(SELECT t.timestamp FROM {table} x JOIN block_times t ON t.block_number = x.block_number WHERE x.task_id = s.task_id {Latest})";
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = $"""
            SELECT s.task_id, s.requester, s.capabilities, s.bounty, s.fee, s.deadline, s.block_number,
                (SELECT timestamp FROM block_times WHERE block_number = s.block_number),
                (SELECT x.agent_id FROM tasks_assigned x WHERE x.task_id = s.task_id {Latest}), {StageTime("tasks_assigned")},
                {StageTime("results_posted")}, {StageTime("seeds_fixed")},
                (SELECT x.outcome FROM tasks_settled x WHERE x.task_id = s.task_id {Latest}), {StageTime("tasks_settled")}
            FROM tasks_submitted s ORDER BY s.block_number, s.log_index
            """;
        var tasks = new List<NetworkTask>();
        await using (SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(i));
                tasks.Add(new NetworkTask(Big(r.GetString(0)), r.GetString(1), (ulong)r.GetInt64(2), Big(r.GetString(3)), Big(r.GetString(4)),
                    DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(5)), (ulong)r.GetInt64(6), r.IsDBNull(8) ? null : Big(r.GetString(8)), [],
                    r.IsDBNull(12) ? null : (byte)r.GetInt64(12), new TaskStages(T(7), T(9), T(10), T(11), T(13))));
            }
        }

        // Committees: drawn minus evicted, in chain order, for every task in one read.
        var committees = new Dictionary<string, List<BigInteger>>(StringComparer.Ordinal);
        await using (SqliteCommand c = db.CreateCommand())
        {
            c.CommandText = """
                SELECT task_id, agent_id, 1, block_number, log_index FROM members_drawn
                UNION ALL SELECT task_id, agent_id, 0, block_number, log_index FROM members_evicted ORDER BY 4, 5
                """;
            await using SqliteDataReader r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                List<BigInteger> members = committees.TryGetValue(r.GetString(0), out var m) ? m : committees[r.GetString(0)] = [];
                if (r.GetInt64(2) == 1)
                {
                    members.Add(Big(r.GetString(1)));
                }
                else
                {
                    members.Remove(Big(r.GetString(1)));
                }
            }
        }

        return [.. tasks.Select(t => committees.TryGetValue(DecodedEvents.Id(t.TaskId), out var m) ? t with { Committee = m } : t)];
    }

    private static async Task<List<NetworkAgent>> AgentsAsync(SqliteConnection db, Dictionary<BigInteger, IndexedReputation> reputations,
        DateTimeOffset now, CancellationToken ct)
    {
        var stakes = new Dictionary<string, BigInteger[]>(StringComparer.Ordinal);
        await using (SqliteCommand cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT agent_id, kind, amount FROM stake_changes";
            await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                BigInteger[] sums = stakes.TryGetValue(r.GetString(0), out BigInteger[]? s) ? s : stakes[r.GetString(0)] = new BigInteger[5];
                sums[Array.IndexOf(StakeKindOrder, r.GetString(1)) is var k and >= 0 ? k : 4] += Big(r.GetString(2));
            }
        }

        Dictionary<string, ulong> capabilities = await CapabilitiesAsync(db, ct).ConfigureAwait(false);
        var agents = new List<NetworkAgent>();
        await using (SqliteCommand cmd = db.CreateCommand())
        {
            cmd.CommandText = """
                SELECT g.agent_id, g.owner, g.agent_uri, g.block_number, (SELECT timestamp FROM block_times WHERE block_number = g.block_number),
                    (SELECT a.expires_at FROM attestations a WHERE a.agent_id = g.agent_id ORDER BY a.block_number DESC, a.log_index DESC LIMIT 1)
                FROM agents_registered g ORDER BY g.block_number, g.log_index
                """;
            await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                string id = r.GetString(0);
                BigInteger agentId = Big(id);
                BigInteger[] s = stakes.TryGetValue(id, out BigInteger[]? sums) ? sums : new BigInteger[5];
                DateTimeOffset? expires = r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(5));
                agents.Add(new NetworkAgent(agentId, r.GetString(1), r.GetString(2), (ulong)r.GetInt64(3),
                    r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(4)),
                    capabilities.TryGetValue(id, out ulong caps) ? caps : 0, expires, expires is { } e && e > now,
                    new IndexedStake(s[0], s[1], s[2], s[3], s[4]),
                    reputations.TryGetValue(agentId, out IndexedReputation? rep) ? rep : new IndexedReputation(agentId, now, 0, 0, 0, 0)));
            }
        }

        return agents;
    }

    /// <summary>The manifest names of the four emission vaults.</summary>
    private static readonly string[] EmissionPools = ["ValidatorsPool", "ComputePool", "MarketplacePool", "ReviewPool"];

    private static readonly string[] StakeKindOrder =
        [StakeKinds.Staked, StakeKinds.UnstakeRequested, StakeKinds.Withdrawn, StakeKinds.SlashBurned, StakeKinds.SlashReversed];

    /// <summary>The latest <c>CapabilitiesSet</c> of each agent (AgentRegistry, raw logs decoded here).</summary>
    private static async Task<Dictionary<string, ulong>> CapabilitiesAsync(SqliteConnection db, CancellationToken ct)
    {
        var caps = new Dictionary<string, ulong>(StringComparer.Ordinal);
        await foreach (Registry.CapabilitiesSetEventDTO e in DecodeAsync<Registry.CapabilitiesSetEventDTO>(db, "AgentRegistry", ct).ConfigureAwait(false))
        {
            caps[DecodedEvents.Id(e.AgentId)] = e.Capabilities; // oldest first: the last wins
        }

        return caps;
    }

    private static async Task<IReadOnlyList<NetworkProposal>> ProposalsAsync(SqliteConnection db, DateTimeOffset now, CancellationToken ct)
    {
        const string G = "Governor";
        var proposals = new Dictionary<BigInteger, NetworkProposal>();
        await foreach (Gov.ProposalCreatedEventDTO e in DecodeAsync<Gov.ProposalCreatedEventDTO>(db, G, ct).ConfigureAwait(false))
        {
            proposals[e.ProposalId] = new NetworkProposal(e.ProposalId, e.Proposer.ToLowerInvariant(), e.Description ?? "",
                DateTimeOffset.FromUnixTimeSeconds((long)e.VoteStart), DateTimeOffset.FromUnixTimeSeconds((long)e.VoteEnd), null, 0, 0, 0, 0,
                null, false, false, ProposalPhase.Pending);
        }

        void Update(BigInteger id, Func<NetworkProposal, NetworkProposal> change)
        {
            if (proposals.TryGetValue(id, out NetworkProposal? p))
            {
                proposals[id] = change(p);
            }
        }

        await foreach (Gov.ProposalClassifiedEventDTO e in DecodeAsync<Gov.ProposalClassifiedEventDTO>(db, G, ct).ConfigureAwait(false))
        {
            Update(e.ProposalId, p => p with { Critical = e.Critical });
        }

        await foreach (Gov.VoteCastEventDTO e in DecodeAsync<Gov.VoteCastEventDTO>(db, G, ct).ConfigureAwait(false))
        {
            Update(e.ProposalId, p => e.Support switch
            {
                0 => p with { Against = p.Against + e.Weight, Voters = p.Voters + 1 },
                1 => p with { For = p.For + e.Weight, Voters = p.Voters + 1 },
                _ => p with { Abstain = p.Abstain + e.Weight, Voters = p.Voters + 1 },
            });
        }

        await foreach (Gov.ProposalQueuedEventDTO e in DecodeAsync<Gov.ProposalQueuedEventDTO>(db, G, ct).ConfigureAwait(false))
        {
            Update(e.ProposalId, p => p with { QueuedEta = DateTimeOffset.FromUnixTimeSeconds((long)e.EtaSeconds) });
        }

        await foreach (Gov.ProposalExecutedEventDTO e in DecodeAsync<Gov.ProposalExecutedEventDTO>(db, G, ct).ConfigureAwait(false))
        {
            Update(e.ProposalId, p => p with { Executed = true });
        }

        await foreach (Gov.ProposalCanceledEventDTO e in DecodeAsync<Gov.ProposalCanceledEventDTO>(db, G, ct).ConfigureAwait(false))
        {
            Update(e.ProposalId, p => p with { Canceled = true });
        }

        return [.. proposals.Values.Select(p => p with
        {
            Phase = p.Canceled ? ProposalPhase.Canceled
                : p.Executed ? ProposalPhase.Executed
                : p.QueuedEta is not null ? ProposalPhase.Queued
                : now < p.VoteStart ? ProposalPhase.Pending
                : now <= p.VoteEnd ? ProposalPhase.Active
                : ProposalPhase.VotingEnded,
        }).OrderBy(p => p.VoteStart)];
    }

    private static async Task<NetworkEconomy> EconomyAsync(SqliteConnection db, List<NetworkTask> tasks, CancellationToken ct)
    {
        BigInteger routed = 0, burnedByRouter = 0, burnedByRegistry = 0, emissions = 0;
        await foreach (Fees.FeeRoutedEventDTO e in DecodeAsync<Fees.FeeRoutedEventDTO>(db, "FeeRouter", ct).ConfigureAwait(false))
        {
            routed += e.Amount;
            burnedByRouter += e.Burned;
        }

        await foreach (Registry.FeesBurnedEventDTO e in DecodeAsync<Registry.FeesBurnedEventDTO>(db, "AgentRegistry", ct).ConfigureAwait(false))
        {
            burnedByRegistry += e.Amount;
        }

        foreach (string pool in EmissionPools)
        {
            await foreach (Vault.ReleasedEventDTO e in DecodeAsync<Vault.ReleasedEventDTO>(db, pool, ct).ConfigureAwait(false))
            {
                emissions += e.Amount;
            }
        }

        BigInteger slashBurned = 0;
        await using (SqliteCommand cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT amount FROM stake_changes WHERE kind = $k";
            cmd.Parameters.AddWithValue("$k", StakeKinds.SlashBurned);
            await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                slashBurned += Big(r.GetString(0));
            }
        }

        BigInteger escrow = tasks.Where(t => t.Outcome is null).Aggregate(BigInteger.Zero, (sum, t) => sum + t.Bounty + t.Fee);
        return new NetworkEconomy(routed, burnedByRouter + burnedByRegistry, slashBurned, emissions, escrow);
    }

    private static async Task<IReadOnlyList<BlockActivity>> ActivityAsync(SqliteConnection db, CancellationToken ct)
    {
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT l.block_number, t.timestamp, COUNT(*), COUNT(DISTINCT l.tx_hash) FROM logs l LEFT JOIN block_times t ON t.block_number = l.block_number
            GROUP BY l.block_number ORDER BY l.block_number DESC LIMIT 2000
            """;
        var blocks = new List<BlockActivity>();
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            blocks.Add(new BlockActivity((ulong)r.GetInt64(0), r.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(1)),
                (int)r.GetInt64(2), (int)r.GetInt64(3)));
        }

        blocks.Reverse();
        return blocks;
    }

    /// <summary>Every stored log of <paramref name="contract"/> with <typeparamref name="TEvent"/>'s signature, decoded, in chain order.</summary>
    private static async IAsyncEnumerable<TEvent> DecodeAsync<TEvent>(SqliteConnection db, string contract,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        where TEvent : IEventDTO, new()
    {
        await using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT topic0, topic1, topic2, topic3, data FROM logs WHERE contract = $c AND topic0 = $t ORDER BY block_number, log_index
            """;
        cmd.Parameters.AddWithValue("$c", contract);
        cmd.Parameters.AddWithValue("$t", "0x" + ABITypedRegistry.GetEvent<TEvent>().Sha3Signature.ToLowerInvariant());
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var topics = new List<object>();
            for (int i = 0; i <= 3 && !r.IsDBNull(i); i++)
            {
                topics.Add(r.GetString(i));
            }

            var log = new FilterLog { Topics = [.. topics], Data = r.GetString(4), BlockNumber = new HexBigInteger(0), LogIndex = new HexBigInteger(0) };
            yield return log.DecodeEvent<TEvent>().Event;
        }
    }

    private static Dictionary<string, string> BuildEventNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        MethodInfo get = typeof(ABITypedRegistry).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == nameof(ABITypedRegistry.GetEvent) && m.IsGenericMethodDefinition && m.GetParameters().Length == 0);
        foreach (Type type in typeof(Registry.CapabilitiesSetEventDTO).Assembly.GetTypes())
        {
            if (type.IsAbstract || !typeof(IEventDTO).IsAssignableFrom(type) || type.GetCustomAttribute<EventAttribute>() is not { } attribute)
            {
                continue;
            }

            var abi = (Nethereum.ABI.Model.EventABI)get.MakeGenericMethod(type).Invoke(null, null)!;
            names.TryAdd("0x" + abi.Sha3Signature.ToLowerInvariant(), attribute.Name);
        }

        return names;
    }

    private static BigInteger Big(string text) => BigInteger.Parse(text, CultureInfo.InvariantCulture);

    private Task<SqliteConnection> OpenAsync(CancellationToken ct) => IndexFile.OpenReadOnlyAsync(_connectionString, _path, ct);
}

/// <summary>A log's place in the chain: (block, log index), ordered.</summary>
/// <param name="Block">The block number.</param>
/// <param name="LogIndex">The log's index in the block.</param>
public sealed record IndexPosition(ulong Block, ulong LogIndex) : IComparable<IndexPosition>
{
    /// <inheritdoc />
    public int CompareTo(IndexPosition? other) =>
        other is null ? 1 : Block != other.Block ? Block.CompareTo(other.Block) : LogIndex.CompareTo(other.LogIndex);
}

/// <summary>Where the index stands.</summary>
/// <param name="Cursor">The last block whose logs are all stored (null before the first pass).</param>
/// <param name="LastLog">The newest stored log (null: none).</param>
/// <param name="LatestEventTime">The newest indexed block's time (null: none).</param>
/// <param name="Logs">How many logs are stored.</param>
public sealed record IndexHead(ulong? Cursor, IndexPosition? LastLog, DateTimeOffset? LatestEventTime, long Logs);

/// <summary>One stored event, named.</summary>
/// <param name="Position">Its (block, log index).</param>
/// <param name="Contract">The manifest name of the emitting contract.</param>
/// <param name="Name">The event's name from the generated bindings (or its topic0 when unknown).</param>
/// <param name="Topic1">Its first indexed argument (hex), e.g. a task or agent id.</param>
/// <param name="TransactionHash">Its transaction.</param>
/// <param name="BlockTime">Its block's time.</param>
public sealed record NetworkEvent(IndexPosition Position, string Contract, string Name, string? Topic1, string TransactionHash, DateTimeOffset? BlockTime);

/// <summary>The network at one state of the index.</summary>
/// <param name="Head">Where the index stood.</param>
/// <param name="At">The time reputation was read at.</param>
/// <param name="Agents">Agents, in registration order.</param>
/// <param name="Tasks">Tasks, in submission order.</param>
/// <param name="Edges">Collaboration edges.</param>
/// <param name="Proposals">Governance proposals, by vote start.</param>
/// <param name="Economy">Fee, emission and escrow totals.</param>
/// <param name="Activity">Events per block, the newest 2,000 blocks with an event, oldest first.</param>
public sealed record NetworkSnapshot(IndexHead Head, DateTimeOffset At, IReadOnlyList<NetworkAgent> Agents, IReadOnlyList<NetworkTask> Tasks,
    IReadOnlyList<NetworkEdge> Edges, IReadOnlyList<NetworkProposal> Proposals, NetworkEconomy Economy, IReadOnlyList<BlockActivity> Activity);

/// <summary>An agent as the index describes it.</summary>
/// <param name="AgentId">The agent id.</param>
/// <param name="Owner">Its owner (lower-case hex).</param>
/// <param name="AgentUri">Its URI at registration.</param>
/// <param name="RegisteredBlock">The block of <c>AgentRegistered</c>.</param>
/// <param name="RegisteredAt">That block's time.</param>
/// <param name="Capabilities">Capability bits of its latest <c>CapabilitiesSet</c>.</param>
/// <param name="AttestationExpiresAt">Expiry of its latest attestation, null when never attested.</param>
/// <param name="Attested">Whether that attestation is still valid at the snapshot's time.</param>
/// <param name="Stake">Its stake ledger.</param>
/// <param name="Reputation">Its four dimensions at the snapshot's time.</param>
public sealed record NetworkAgent(BigInteger AgentId, string Owner, string AgentUri, ulong RegisteredBlock, DateTimeOffset? RegisteredAt, ulong Capabilities,
    DateTimeOffset? AttestationExpiresAt, bool Attested, IndexedStake Stake, IndexedReputation Reputation);

/// <summary>The time each stage of a task was reached (null: not yet).</summary>
/// <param name="Submitted"><c>TaskSubmitted</c>.</param>
/// <param name="Assigned"><c>TaskAssigned</c>.</param>
/// <param name="ResultPosted"><c>ResultPosted</c>.</param>
/// <param name="CommitteeSeeded"><c>SeedFixed</c> (the committee's seed is fixed, the draw runs).</param>
/// <param name="Settled"><c>TaskSettled</c>.</param>
public sealed record TaskStages(DateTimeOffset? Submitted, DateTimeOffset? Assigned, DateTimeOffset? ResultPosted, DateTimeOffset? CommitteeSeeded, DateTimeOffset? Settled);

/// <summary>A task as the index describes it.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Requester">The requester (lower-case hex).</param>
/// <param name="Capabilities">Capability bits required.</param>
/// <param name="Bounty">Bounty, ACC wei.</param>
/// <param name="Fee">Protocol fee, ACC wei.</param>
/// <param name="Deadline">Result deadline.</param>
/// <param name="SubmittedBlock">The block of <c>TaskSubmitted</c>.</param>
/// <param name="Executor">The assigned agent, null before assignment.</param>
/// <param name="Committee">Reviewers drawn and not evicted.</param>
/// <param name="Outcome">The settled outcome (the market's status code), null while unsettled.</param>
/// <param name="Stages">When each stage was reached.</param>
public sealed record NetworkTask(BigInteger TaskId, string Requester, ulong Capabilities, BigInteger Bounty, BigInteger Fee, DateTimeOffset Deadline,
    ulong SubmittedBlock, BigInteger? Executor, IReadOnlyList<BigInteger> Committee, byte? Outcome, TaskStages Stages);

/// <summary>The kinds of collaboration edges.</summary>
public enum NetworkEdgeKind
{
    /// <summary>From a requester (an address) to the agent that executes its task.</summary>
    RequesterExecutor,

    /// <summary>From a committee member (agent) to the executor (agent) whose task it reviews.</summary>
    ReviewerTask,
}

/// <summary>One collaboration edge (one per task and pair).</summary>
/// <param name="Kind">What kind of collaboration.</param>
/// <param name="From">The source node: an address (requester) or an agent id (decimal).</param>
/// <param name="To">The target agent id (decimal).</param>
/// <param name="TaskId">The task it came from.</param>
public sealed record NetworkEdge(NetworkEdgeKind Kind, string From, string To, BigInteger TaskId);

/// <summary>A governance proposal's phase as far as events tell (quorum and success are the governor's to judge).</summary>
public enum ProposalPhase
{
    /// <summary>Created, voting not started.</summary>
    Pending,

    /// <summary>Voting open.</summary>
    Active,

    /// <summary>Voting closed, not queued (succeeded or defeated: ask the governor).</summary>
    VotingEnded,

    /// <summary>Queued in the timelock.</summary>
    Queued,

    /// <summary>Executed.</summary>
    Executed,

    /// <summary>Canceled.</summary>
    Canceled,
}

/// <summary>A governance proposal from the governor's events.</summary>
/// <param name="ProposalId">The proposal id.</param>
/// <param name="Proposer">Who proposed it.</param>
/// <param name="Description">Its description.</param>
/// <param name="VoteStart">Voting opens (the governor's clock is timestamps).</param>
/// <param name="VoteEnd">Voting closes.</param>
/// <param name="Critical">Whether it was classified critical (null: not classified).</param>
/// <param name="For">Votes for.</param>
/// <param name="Against">Votes against.</param>
/// <param name="Abstain">Abstentions.</param>
/// <param name="Voters">How many votes were cast.</param>
/// <param name="QueuedEta">When it may execute, once queued.</param>
/// <param name="Executed">Whether it was executed.</param>
/// <param name="Canceled">Whether it was canceled.</param>
/// <param name="Phase">Its phase at the snapshot's time.</param>
public sealed record NetworkProposal(BigInteger ProposalId, string Proposer, string Description, DateTimeOffset VoteStart, DateTimeOffset VoteEnd,
    bool? Critical, BigInteger For, BigInteger Against, BigInteger Abstain, int Voters, DateTimeOffset? QueuedEta, bool Executed, bool Canceled, ProposalPhase Phase);

/// <summary>Economic totals from events, ACC wei.</summary>
/// <param name="FeesRouted">Fees through the FeeRouter (<c>FeeRouted.amount</c>).</param>
/// <param name="FeesBurned">Fees burned (<c>FeeRouted.burned</c> and the registry's <c>FeesBurned</c>).</param>
/// <param name="SlashesBurned">Stake burned by finalised slashes.</param>
/// <param name="EmissionsReleased">Emissions released by the four emission pools (<c>Released.amount</c> of ValidatorsPool, ComputePool, MarketplacePool, ReviewPool).</param>
/// <param name="Escrow">Bounties and fees of unsettled tasks (event-derived).</param>
public sealed record NetworkEconomy(BigInteger FeesRouted, BigInteger FeesBurned, BigInteger SlashesBurned, BigInteger EmissionsReleased, BigInteger Escrow);

/// <summary>Events in one block.</summary>
/// <param name="Block">The block.</param>
/// <param name="Time">Its time.</param>
/// <param name="Events">Suite events in it.</param>
/// <param name="Transactions">Distinct transactions with a suite event in it.</param>
public sealed record BlockActivity(ulong Block, DateTimeOffset? Time, int Events, int Transactions);
