using System.Diagnostics.Metrics;
using AgentCluster.Keepers.Solana;
using AgentCluster.Keepers.Tests.Hosting;
using AgentCluster.Solana.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Keepers.Tests.Solana;

/// <summary>
/// A real Generic Host running the Solana keeper (<c>AddAgentClusterSolanaKeepers</c>) against a world's localnet, with its log lines
/// and its meter's measurements captured.
/// </summary>
internal sealed class SolanaKeeperHost : IAsyncDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<(string Instrument, string Kind), long> _measurements = [];

    private SolanaKeeperHost(IHost host, Account keeper, KeeperHostTests.LogSink logs)
    {
        Host = host;
        Keeper = keeper;
        Logs = logs;
        Service = host.Services.GetRequiredService<SolanaKeeperService>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SolanaKeeperMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, host.Services.GetRequiredService<IMeterFactory>()))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string kind = "";
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "kind")
                {
                    kind = tag.Value as string ?? "";
                }
            }

            lock (_measurements)
            {
                _measurements[(instrument.Name, kind)] = _measurements.GetValueOrDefault((instrument.Name, kind)) + value;
            }
        });
        _listener.Start();
    }

    public IHost Host { get; }

    public Account Keeper { get; }

    public SolanaKeeperService Service { get; }

    public KeeperHostTests.LogSink Logs { get; }

    /// <summary>The sum of an instrument's measurements of one kind (e.g. agentcluster_solana_keeper_actions, settle_member).</summary>
    public long Measured(string instrument, string kind)
    {
        lock (_measurements)
        {
            return _measurements.GetValueOrDefault((instrument, kind));
        }
    }

    /// <summary>Waits (bounded) until the keepers' measurements of one kind add up to at least <paramref name="atLeast"/>: the keeper counts an
    /// action after its confirmation and the getTransaction that reads its compute units, so the chain shows the work first.</summary>
    public static Task WaitMeasuredAsync(IReadOnlyList<SolanaKeeperHost> keepers, string instrument, string kind, long atLeast) =>
        SolanaMarketWorld.WaitUntilAsync(() => Task.FromResult(keepers.Sum(k => k.Measured(instrument, kind)) >= atLeast), TimeSpan.FromSeconds(30),
            $"{atLeast} {kind} measured");

    public static async Task<SolanaKeeperHost> StartAsync(SolanaMarketWorld world, string name, ulong lamports = 100 * SolanaMarketWorld.Sol,
        TimeSpan? pollInterval = null, int maxActionsPerPass = 50, Uri? rpcUrl = null)
    {
        Account keeper = Account.Generate();
        await world.AirdropAsync(keeper.PublicKey, lamports);
        string keypair = world.WriteKeypair(keeper, name);
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:Solana:RpcUrl"] = (rpcUrl ?? world.Localnet.RpcUrl).ToString(),
            ["AgentCluster:Keepers:Solana:DeploymentPath"] = world.DeploymentPath,
            ["AgentCluster:Keepers:Solana:KeypairPath"] = keypair,
            ["AgentCluster:Keepers:Solana:PollInterval"] = (pollInterval ?? TimeSpan.FromMilliseconds(250)).ToString(),
            ["AgentCluster:Keepers:Solana:MaxActionsPerPass"] = maxActionsPerPass.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var logs = new KeeperHostTests.LogSink();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddAgentClusterSolanaKeepers(builder.Configuration);
        IHost host = builder.Build();
        var started = new SolanaKeeperHost(host, keeper, logs);
        await host.StartAsync();
        return started;
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Host.StopAsync(bound.Token);
        Host.Dispose();
        _listener.Dispose();
    }
}
