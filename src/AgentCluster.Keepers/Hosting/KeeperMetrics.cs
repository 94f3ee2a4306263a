using System.Diagnostics.Metrics;
using System.Numerics;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// The keeper's instruments on the meter <see cref="MeterName"/> (exported on <c>/metrics</c> by OpenTelemetry's Prometheus exporter):
/// <c>agentcluster_keeper_actions</c>, <c>agentcluster_keeper_failures</c> (tagged <c>duty</c>), <c>agentcluster_keeper_gas_spent</c>
/// (wei of ETH), <c>agentcluster_keeper_rewards_earned</c> (wei of ACC credited by the market) and <c>agentcluster_keeper_indexer_lag</c>
/// (blocks, when an indexer is registered).
/// </summary>
public sealed class KeeperMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "AgentCluster.Keepers";

    private readonly Meter _meter;
    private readonly Counter<long> _actions;
    private readonly Counter<long> _failures;
    private readonly Counter<double> _gas;
    private readonly Counter<double> _rewards;

    /// <summary>Creates the instruments through <paramref name="meterFactory"/>; <paramref name="lag"/> is observed when scraped.</summary>
    public KeeperMetrics(IMeterFactory meterFactory, IndexerLag lag)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(lag);
        _meter = meterFactory.Create(MeterName);
        _actions = _meter.CreateCounter<long>("agentcluster_keeper_actions", "{action}", "Keeper actions sent and mined successfully.");
        _failures = _meter.CreateCounter<long>("agentcluster_keeper_failures", "{failure}", "Faults a duty rode out (after its retries).");
        _gas = _meter.CreateCounter<double>("agentcluster_keeper_gas_spent", "wei", "ETH spent on gas by keeper actions.");
        _rewards = _meter.CreateCounter<double>("agentcluster_keeper_rewards_earned", "wei", "ACC credited to the keeper by the market for its actions.");
        _meter.CreateObservableGauge("agentcluster_keeper_indexer_lag", () => lag.Blocks is { } b ? [new Measurement<long>((long)b)] : Array.Empty<Measurement<long>>(),
            "{block}", "Blocks between the chain head and the last fully indexed block.");
    }

    /// <summary>Counts one successful action of <paramref name="duty"/>, its gas (wei) and the reward it earned (wei).</summary>
    public void Action(string duty, BigInteger gasWei, BigInteger rewardWei)
    {
        var tag = new KeyValuePair<string, object?>("duty", duty);
        _actions.Add(1, tag);
        _gas.Add((double)gasWei, tag);
        _rewards.Add((double)rewardWei, tag);
    }

    /// <summary>Counts one fault <paramref name="duty"/> rode out.</summary>
    public void Failure(string duty) => _failures.Add(1, new KeyValuePair<string, object?>("duty", duty));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

/// <summary>The indexer's lag in blocks, from <see cref="Indexing.IIndexerStatus"/> when one is registered (null otherwise or before its first pass).</summary>
public sealed class IndexerLag(Indexing.IIndexerStatus? status = null)
{
    /// <summary>Whether an indexer is registered.</summary>
    public bool HasIndexer => status is not null;

    /// <summary>head - indexed, or null when unknown.</summary>
    public ulong? Blocks => status is { HeadBlock: { } head, IndexedBlock: { } indexed } ? (head > indexed ? head - indexed : 0) : null;
}
