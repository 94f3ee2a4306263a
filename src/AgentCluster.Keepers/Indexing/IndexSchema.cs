namespace AgentCluster.Keepers.Indexing;

/// <summary>The index's SQLite schema. Every table but <c>meta</c> has a <c>block_number</c> column: a rewind deletes above it.</summary>
internal static class IndexSchema
{
    public const int Version = 2;

    /// <summary>The tables a rewind clears above the fork point (raw logs, decoded events, block hashes).</summary>
    public static readonly string[] BlockTables =
    [
        "logs", "blocks", "tasks_submitted", "tasks_assigned", "results_posted", "seeds_requested", "seeds_fixed", "members_drawn",
        "members_evicted", "tasks_settled", "agents_registered", "attestations", "stake_changes", "block_times", "reputation_changes",
        "members_settled", // added for the settlement duty (additive: created empty in an older file, filled from its raw logs)
    ];

    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS blocks (block_number INTEGER PRIMARY KEY, block_hash TEXT NOT NULL, parent_hash TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS block_times (block_number INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS reputation_changes (
            agent_id TEXT NOT NULL, dimension INTEGER NOT NULL, delta TEXT NOT NULL, new_value TEXT NOT NULL, block_number INTEGER NOT NULL,
            log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS reputation_changes_agent ON reputation_changes (agent_id, dimension);
        CREATE TABLE IF NOT EXISTS logs (
            block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, block_hash TEXT NOT NULL, tx_hash TEXT NOT NULL, tx_index INTEGER NOT NULL,
            address TEXT NOT NULL, contract TEXT NOT NULL, topic0 TEXT, topic1 TEXT, topic2 TEXT, topic3 TEXT, data TEXT NOT NULL,
            PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS logs_address_topic0 ON logs (address, topic0);
        CREATE TABLE IF NOT EXISTS tasks_submitted (
            task_id TEXT NOT NULL, requester TEXT NOT NULL, requirements_hash TEXT NOT NULL, capabilities INTEGER NOT NULL, bounty TEXT NOT NULL,
            fee TEXT NOT NULL, deadline INTEGER NOT NULL, tx_hash TEXT NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
            PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS tasks_submitted_task ON tasks_submitted (task_id);
        CREATE TABLE IF NOT EXISTS tasks_assigned (
            task_id TEXT NOT NULL, agent_id TEXT NOT NULL, price TEXT NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
            PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS tasks_assigned_task ON tasks_assigned (task_id);
        CREATE TABLE IF NOT EXISTS results_posted (
            task_id TEXT NOT NULL, agent_id TEXT NOT NULL, result_hash TEXT NOT NULL, result_uri TEXT NOT NULL, block_number INTEGER NOT NULL,
            log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS results_posted_task ON results_posted (task_id);
        CREATE TABLE IF NOT EXISTS seeds_requested (
            task_id TEXT NOT NULL, source TEXT NOT NULL, request_id TEXT NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
            PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS seeds_requested_task ON seeds_requested (task_id);
        CREATE TABLE IF NOT EXISTS seeds_fixed (
            task_id TEXT NOT NULL, seed TEXT NOT NULL, draw_closes_at INTEGER NOT NULL, commit_ends_at INTEGER NOT NULL, reveal_ends_at INTEGER NOT NULL,
            block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS seeds_fixed_task ON seeds_fixed (task_id);
        CREATE TABLE IF NOT EXISTS members_drawn (
            task_id TEXT NOT NULL, agent_id TEXT NOT NULL, drawn_by TEXT NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
            PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS members_drawn_task ON members_drawn (task_id);
        CREATE TABLE IF NOT EXISTS members_evicted (
            task_id TEXT NOT NULL, agent_id TEXT NOT NULL, replaced_by TEXT NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
            PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS members_evicted_task ON members_evicted (task_id);
        CREATE TABLE IF NOT EXISTS tasks_settled (
            task_id TEXT NOT NULL, outcome INTEGER NOT NULL, approvals TEXT NOT NULL, reveals TEXT NOT NULL, settled_by TEXT NOT NULL,
            block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS tasks_settled_task ON tasks_settled (task_id);
        CREATE TABLE IF NOT EXISTS agents_registered (
            agent_id TEXT NOT NULL, owner TEXT NOT NULL, agent_key TEXT NOT NULL, agent_uri TEXT NOT NULL, bond TEXT NOT NULL,
            block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS agents_registered_agent ON agents_registered (agent_id);
        CREATE TABLE IF NOT EXISTS attestations (
            agent_id TEXT NOT NULL, attestor TEXT NOT NULL, measurement_hash TEXT NOT NULL, cpu_cores INTEGER NOT NULL, gpu_memory_mb INTEGER NOT NULL,
            tokens_per_second INTEGER NOT NULL, expires_at INTEGER NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
            PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS attestations_agent ON attestations (agent_id);
        CREATE TABLE IF NOT EXISTS stake_changes (
            agent_id TEXT NOT NULL, kind TEXT NOT NULL, amount TEXT NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
            PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS stake_changes_agent ON stake_changes (agent_id);
        CREATE TABLE IF NOT EXISTS members_settled (
            task_id TEXT NOT NULL, agent_id TEXT NOT NULL, owner TEXT NOT NULL, reward TEXT NOT NULL, aligned INTEGER NOT NULL, slashed INTEGER NOT NULL,
            block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)) STRICT;
        CREATE INDEX IF NOT EXISTS members_settled_task_agent ON members_settled (task_id, agent_id);
        """;
}
