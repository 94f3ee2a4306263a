using System.Diagnostics.Metrics;

namespace AgentCluster.Keepers.Solana;

/// <summary>
/// The Solana keeper's instruments on the meter <see cref="MeterName"/>: <c>agentcluster_solana_keeper_actions</c> (program instructions
/// confirmed, tagged <c>kind</c>), <c>agentcluster_solana_keeper_failures</c> (tagged <c>kind</c>; <c>pass</c> for a whole pass),
/// <c>agentcluster_solana_keeper_skipped</c> (work someone else did first, tagged <c>kind</c>) and
/// <c>agentcluster_solana_keeper_compute_units</c> (consumed by the keeper's transactions, tagged <c>kind</c>).
/// </summary>
public sealed class SolanaKeeperMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "AgentCluster.Keepers.Solana";

    /// <summary>The <c>kind</c> tag of a whole pass's failure.</summary>
    public const string PassKind = "pass";

    private readonly Meter _meter;
    private readonly Counter<long> _actions;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _computeUnits;

    /// <summary>Creates the instruments through <paramref name="meterFactory"/>.</summary>
    public SolanaKeeperMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _actions = _meter.CreateCounter<long>("agentcluster_solana_keeper_actions", "{instruction}", "Keeper instructions confirmed on chain.");
        _failures = _meter.CreateCounter<long>("agentcluster_solana_keeper_failures", "{failure}", "Keeper transactions or passes that failed (logged, carried on).");
        _skipped = _meter.CreateCounter<long>("agentcluster_solana_keeper_skipped", "{transaction}", "Keeper transactions refused because the work was already done.");
        _computeUnits = _meter.CreateCounter<long>("agentcluster_solana_keeper_compute_units", "{cu}", "Compute units consumed by the keeper's transactions.");
    }

    /// <summary>The <c>kind</c> tag of <paramref name="kind"/> (snake case, as the program's instruction names).</summary>
    public static string KindTag(SolanaKeeperActionKind kind) => kind switch
    {
        SolanaKeeperActionKind.FixSeed => "fix_seed",
        SolanaKeeperActionKind.DrawSeat => "draw_seat",
        SolanaKeeperActionKind.ClaimSeat => "claim_seat",
        SolanaKeeperActionKind.Assign => "assign_task",
        SolanaKeeperActionKind.ReportMissedDeadline => "report_missed_deadline",
        SolanaKeeperActionKind.SettleTask => "settle_task",
        SolanaKeeperActionKind.SettleExecutor => "settle_executor",
        SolanaKeeperActionKind.SettleMember => "settle_member",
        _ => kind.ToString(),
    };

    /// <summary>Counts <paramref name="instructions"/> confirmed instructions of <paramref name="kind"/> and the transaction's compute units.</summary>
    public void Action(SolanaKeeperActionKind kind, int instructions, ulong? computeUnits)
    {
        var tag = new KeyValuePair<string, object?>("kind", KindTag(kind));
        _actions.Add(instructions, tag);
        if (computeUnits is { } cu)
        {
            _computeUnits.Add((long)cu, tag);
        }
    }

    /// <summary>Counts one transaction of <paramref name="kind"/> refused because the work was already done.</summary>
    public void Skipped(SolanaKeeperActionKind kind) => _skipped.Add(1, new KeyValuePair<string, object?>("kind", KindTag(kind)));

    /// <summary>Counts one failure of <paramref name="kind"/> (a transaction), or of a whole pass when null.</summary>
    public void Failure(SolanaKeeperActionKind? kind) =>
        _failures.Add(1, new KeyValuePair<string, object?>("kind", kind is { } k ? KindTag(k) : PassKind));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
