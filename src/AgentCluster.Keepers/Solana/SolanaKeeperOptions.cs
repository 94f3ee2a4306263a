namespace AgentCluster.Keepers.Solana;

/// <summary>
/// The Solana keepers' settings, bound from <see cref="SectionName"/> and checked on start by <see cref="SolanaKeeperOptionsValidator"/>
/// (docs/keepers-solana.md).
/// </summary>
public sealed class SolanaKeeperOptions
{
    /// <summary>The configuration section: <c>AgentCluster:Keepers:Solana</c>.</summary>
    public const string SectionName = "AgentCluster:Keepers:Solana";

    /// <summary>The Solana JSON-RPC URL (http or https).</summary>
    public string? RpcUrl { get; set; }

    /// <summary>
    /// The deployment file: <c>solana-localnet.json</c> as <c>scripts/solana-localnet --dir</c> writes it, or any JSON object with the
    /// same <c>programId</c>, <c>config</c> and <c>mint</c> fields.
    /// </summary>
    public string? DeploymentPath { get; set; }

    /// <summary>The keeper's keypair: a Solana CLI keypair file (a JSON array of the 64 secret-key bytes).</summary>
    public string? KeypairPath { get; set; }

    /// <summary>Time between two passes (default 2 s; 100 ms .. 10 min).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many transactions are sent per pass (default 50; 1 .. 1,000).</summary>
    public int MaxActionsPerPass { get; set; } = 50;

    /// <summary>Readiness fails when the keeper's SOL balance is below this (default 0.05 SOL; at least 0).</summary>
    public decimal MinBalanceSol { get; set; } = 0.05m;
}
