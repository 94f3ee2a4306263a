namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// How a keeper host reaches the chain, signs, and runs its duties. Bound by <c>services.AddAgentClusterKeepers(configuration)</c> from the
/// section <c>AgentCluster:Keepers</c> (appsettings.json, environment <c>AGENTCLUSTER__KEEPERS__RPCURL</c>, command line
/// <c>--AgentCluster:Keepers:RpcUrl=...</c>), validated when the host starts (<see cref="KeeperOptionsValidator"/>).
/// </summary>
public sealed class KeeperOptions
{
    /// <summary>The configuration section bound.</summary>
    public const string SectionName = "AgentCluster:Keepers";

    /// <summary>The chain's JSON-RPC URL (http or https).</summary>
    public string? RpcUrl { get; set; }

    /// <summary>The deployment manifest written by <c>scripts/deploy</c>; its chain id must be the node's.</summary>
    public string? ManifestPath { get; set; }

    /// <summary>The signer's encrypted keystore (Web3 Secret Storage); with <see cref="KeystorePasswordVariable"/>. Or <see cref="PrivateKeyVariable"/>.</summary>
    public string? KeystorePath { get; set; }

    /// <summary>With <see cref="KeystorePath"/>: the environment variable holding the keystore's password (never the password itself).</summary>
    public string? KeystorePasswordVariable { get; set; }

    /// <summary>The environment variable holding the signer's private key (instead of a keystore); the key is never logged.</summary>
    public string? PrivateKeyVariable { get; set; }

    /// <summary>
    /// The signer as a key source set in code (e.g. an external signer: <c>AgentKeySource.FromExternalSigner(kms)</c>), instead of
    /// <see cref="KeystorePath"/> or <see cref="PrivateKeyVariable"/>; not bindable from configuration.
    /// </summary>
    public AgentCluster.Sdk.Identity.AgentKeySource? Key { get; set; }

    /// <summary>The durable transaction manager's SQLite journal (nonces and pending transactions survive a restart).</summary>
    public string? JournalPath { get; set; }

    /// <summary>The indexer's SQLite database (read by the indexer; optional until the indexer is registered).</summary>
    public string? IndexDbPath { get; set; }

    /// <summary>How long a duty waits between passes (100 ms .. 10 min; default 5 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Which duties run.</summary>
    public KeeperDutyOptions Duties { get; set; } = new();

    /// <summary>Below this signer balance (ETH) readiness is Degraded and a warning is logged (default 0.05).</summary>
    public decimal MinBalanceWarningEth { get; set; } = 0.05m;

    /// <summary>Below this signer balance (ETH) readiness is Unhealthy (default 0.01); at most <see cref="MinBalanceWarningEth"/>.</summary>
    public decimal MinBalanceFailureEth { get; set; } = 0.01m;

    /// <summary>Readiness fails when the indexer (if registered) is more than this many blocks behind the head (default 20).</summary>
    public ulong MaxIndexerLagBlocks { get; set; } = 20;

    /// <summary>The port of the health (<c>/health/live</c>, <c>/health/ready</c>) and metrics (<c>/metrics</c>) endpoint on 127.0.0.1 (default 9464).</summary>
    public int HealthPort { get; set; } = 9464;

    /// <summary>
    /// Temporary work discovery (until the indexer implements <see cref="IAssignableTasks"/>): how many of the newest tasks
    /// <see cref="RecentTasksScanner"/> reads per pass (1 .. 10,000; default 200).
    /// </summary>
    public int RecentTasksWindow { get; set; } = 200;

    /// <summary>
    /// The addresses of every keeper sharing this chain's work, this one included (docs/keepers.md, "Several keepers"); empty (the
    /// default): this keeper is alone and acts on all due work at once.
    /// </summary>
    public IList<string> Peers { get; set; } = [];

    /// <summary>
    /// With <see cref="Peers"/>: how long work must have been due before the next keeper in its order takes it over from the owner
    /// (rank x this; default 30 s; at least two poll intervals, so that a healthy owner's transaction is mined first).
    /// </summary>
    public TimeSpan TakeOverAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many settlement transactions of independent tasks the settlement duty sends at once before waiting for their receipts
    /// (1 .. 64; default 8), so that tasks due in the same block are settled in the next block rather than one block per task. 1: one at a
    /// time. (The assignment and committee duties send one at a time: see docs/keepers.md.)
    /// </summary>
    public int MaxInFlight { get; set; } = 8;

    /// <summary>
    /// The settlement duty: at most this many members per <c>settleMembers</c> transaction (1 .. 100; default 50), so that one
    /// transaction stays well inside a block's gas limit whatever the committee size.
    /// </summary>
    public int MembersPerSettlement { get; set; } = 50;

    /// <summary>
    /// The settlement duty reads the market's accrued protocol fees at most once per this interval and flushes them when they are not
    /// zero (1 s .. 7 days; default 1 h). <c>flushProtocolFees</c> pays its caller nothing, so it is done rarely, in one transaction for
    /// every task settled since.
    /// </summary>
    public TimeSpan FlushProtocolFeesEvery { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Which duties a keeper host runs (section <c>AgentCluster:Keepers:Duties</c>).</summary>
public sealed class KeeperDutyOptions
{
    /// <summary>Close the bidding of tasks whose bidding window ended (<c>assign</c>: best bid assigned, or the requester refunded); paid keeper work. Default on.</summary>
    public bool Assignment { get; set; } = true;

    /// <summary>Fix committee seeds, draw committees by sortition (the best keys), claim seats for better keys, retry overdue seeds; paid keeper work. Default on; needs <see cref="KeeperOptions.IndexDbPath"/>.</summary>
    public bool Committee { get; set; } = true;

    /// <summary>Settle tasks, settle their members, report missed deadlines (paid), flush protocol fees (unpaid, rarely). Default on; needs <see cref="KeeperOptions.IndexDbPath"/>.</summary>
    public bool Settlement { get; set; } = true;

    /// <summary>
    /// Verify agents' TEE evidence and post the registry's attestations, renewing them before expiry (settings in
    /// <c>AgentCluster:Keepers:Attestation</c>). Default off: only a keeper whose signer governance approved as attestor runs it.
    /// </summary>
    public bool Attestation { get; set; }
}
