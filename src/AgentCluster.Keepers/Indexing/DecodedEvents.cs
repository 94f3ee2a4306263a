using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Market = AgentCluster.Evm.Bindings.ITaskMarket.ContractDefinition;
using Registry = AgentCluster.Evm.Bindings.IAgentRegistry.ContractDefinition;
using Staking = AgentCluster.Evm.Bindings.IStaking.ContractDefinition;
using Rep = AgentCluster.Evm.Bindings.IReputation.ContractDefinition;

namespace AgentCluster.Keepers.Indexing;

/// <summary>
/// The events decoded into typed tables, keyed by (manifest contract name, topic0), decoded with the generated Nethereum event DTOs.
/// Every other log is kept raw only.
/// </summary>
internal static class DecodedEvents
{
    private delegate void Writer(SqliteConnection db, SqliteTransaction tx, FilterLog log);

    private static readonly Dictionary<(string Contract, string Topic0), Writer> Writers = Build();

    /// <summary>Writes <paramref name="log"/> into its decoded table, if it has one; returns whether it did.</summary>
    public static bool TryWrite(SqliteConnection db, SqliteTransaction tx, string contract, FilterLog log)
    {
        string? topic0 = log.Topics is { Length: > 0 } ? log.Topics[0]?.ToString()?.ToLowerInvariant() : null;
        if (topic0 is null || !Writers.TryGetValue((contract, topic0), out Writer? write))
        {
            return false;
        }

        write(db, tx, log);
        return true;
    }

    private static Dictionary<(string, string), Writer> Build()
    {
        var map = new Dictionary<(string, string), Writer>();
        void On<TEvent>(string contract, string table, Func<TEvent, object[]> columns)
            where TEvent : IEventDTO, new()
        {
            string topic0 = "0x" + ABITypedRegistry.GetEvent<TEvent>().Sha3Signature.ToLowerInvariant();
            map.Add((contract, topic0), (db, tx, log) => Insert(db, tx, table, log, columns(log.DecodeEvent<TEvent>().Event)));
        }

        const string M = "TaskMarket";
        On<Market.TaskSubmittedEventDTO>(M, "tasks_submitted(task_id, requester, requirements_hash, capabilities, bounty, fee, deadline, tx_hash", e =>
            [Id(e.TaskId), Addr(e.Requester), e.RequirementsHash.ToHex(true), (long)e.Capabilities, Id(e.Bounty), Id(e.Fee), (long)e.Deadline, TxHashMarker]);
        On<Market.TaskAssignedEventDTO>(M, "tasks_assigned(task_id, agent_id, price", e => [Id(e.TaskId), Id(e.AgentId), Id(e.Price)]);
        On<Market.ResultPostedEventDTO>(M, "results_posted(task_id, agent_id, result_hash, result_uri", e =>
            [Id(e.TaskId), Id(e.AgentId), e.ResultHash.ToHex(true), e.ResultURI ?? ""]);
        On<Market.SeedRequestedEventDTO>(M, "seeds_requested(task_id, source, request_id", e => [Id(e.TaskId), Addr(e.Source), Id(e.RequestId)]);
        On<Market.SeedFixedEventDTO>(M, "seeds_fixed(task_id, seed, draw_closes_at, commit_ends_at, reveal_ends_at", e =>
            [Id(e.TaskId), e.Seed.ToHex(true), (long)e.DrawClosesAt, (long)e.CommitEndsAt, (long)e.RevealEndsAt]);
        On<Market.MemberDrawnEventDTO>(M, "members_drawn(task_id, agent_id, drawn_by", e => [Id(e.TaskId), Id(e.AgentId), Addr(e.DrawnBy)]);
        On<Market.MemberEvictedEventDTO>(M, "members_evicted(task_id, agent_id, replaced_by", e => [Id(e.TaskId), Id(e.AgentId), Id(e.ReplacedBy)]);
        On<Market.TaskSettledEventDTO>(M, "tasks_settled(task_id, outcome, approvals, reveals, settled_by", e =>
            [Id(e.TaskId), (long)e.Outcome, Id(e.Approvals), Id(e.Reveals), Addr(e.SettledBy)]);
        On<Market.MemberSettledEventDTO>(M, "members_settled(task_id, agent_id, owner, reward, aligned, slashed", e =>
            [Id(e.TaskId), Id(e.AgentId), Addr(e.Owner), Id(e.Reward), e.Aligned ? 1L : 0L, e.Slashed ? 1L : 0L]);

        const string R = "AgentRegistry";
        On<Registry.AgentRegisteredEventDTO>(R, "agents_registered(agent_id, owner, agent_key, agent_uri, bond", e =>
            [Id(e.AgentId), Addr(e.Owner), Addr(e.AgentKey), e.AgentURI ?? "", Id(e.Bond)]);
        On<Registry.AttestedEventDTO>(R, "attestations(agent_id, attestor, measurement_hash, cpu_cores, gpu_memory_mb, tokens_per_second, expires_at", e =>
            [Id(e.AgentId), Addr(e.Attestor), e.MeasurementHash.ToHex(true), (long)e.CpuCores, (long)e.GpuMemoryMb, (long)e.TokensPerSecond, (long)e.ExpiresAt]);

        const string S = "Staking";
        const string Changes = "stake_changes(agent_id, kind, amount";
        On<Staking.StakedEventDTO>(S, Changes, e => [Id(e.AgentId), StakeKinds.Staked, Id(e.Amount)]);
        On<Staking.UnstakeRequestedEventDTO>(S, Changes, e => [Id(e.AgentId), StakeKinds.UnstakeRequested, Id(e.Amount)]);
        On<Staking.WithdrawnEventDTO>(S, Changes, e => [Id(e.AgentId), StakeKinds.Withdrawn, Id(e.Amount)]);
        On<Staking.SlashFinalizedEventDTO>(S, Changes, e => [Id(e.AgentId), StakeKinds.SlashBurned, Id(e.Burned)]);
        On<Staking.SlashReversedEventDTO>(S, Changes, e => [Id(e.AgentId), StakeKinds.SlashReversed, Id(e.Amount)]);

        On<Rep.ReputationChangedEventDTO>("Reputation", "reputation_changes(agent_id, dimension, delta, new_value", e =>
            [Id(e.AgentId), (long)e.Dimension, Id(e.Delta), Id(e.NewValue)]);
        return map;
    }

    /// <summary>Stands for the log's transaction hash in a column list (the DTO does not carry it).</summary>
    private static readonly object TxHashMarker = new();

    private static void Insert(SqliteConnection db, SqliteTransaction tx, string tableAndColumns, FilterLog log, object[] values)
    {
        using SqliteCommand cmd = db.CreateCommand();
        cmd.Transaction = tx;
        var names = new List<string>();
        for (int i = 0; i < values.Length; i++)
        {
            names.Add("$p" + i.ToString(CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue(names[i], ReferenceEquals(values[i], TxHashMarker) ? log.TransactionHash : values[i]);
        }

        cmd.CommandText = $"INSERT INTO {tableAndColumns}, block_number, log_index) VALUES ({string.Join(", ", names)}, $block, $index)";
        cmd.Parameters.AddWithValue("$block", (long)log.BlockNumber.Value);
        cmd.Parameters.AddWithValue("$index", (long)log.LogIndex.Value);
        cmd.ExecuteNonQuery();
    }

    internal static string Id(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Addr(string? address) => (address ?? "").ToLowerInvariant();
}

/// <summary>The kinds of rows in the stake ledger.</summary>
internal static class StakeKinds
{
    public const string Staked = "staked";
    public const string UnstakeRequested = "unstake_requested";
    public const string Withdrawn = "withdrawn";
    public const string SlashBurned = "slash_burned";
    public const string SlashReversed = "slash_reversed";
}
