using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AgentCluster.Keepers.Hosting;
using AgentCluster.Keepers.Tests.Hosting;
using AgentCluster.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Keepers.Tests.Duties;

/// <summary>A keeper host started against a suite with an index file of its own, its logs captured, its /metrics readable.</summary>
internal sealed class DutyHost : IAsyncDisposable
{
    private readonly string _variable;
    private bool _stopped;

    private DutyHost(IHost host, int port, KeeperHostTests.LogSink logs, string variable, string address)
    {
        Host = host;
        Port = port;
        Sink = logs;
        _variable = variable;
        Address = address;
    }

    public IHost Host { get; }

    public int Port { get; }

    public string Address { get; }

    private KeeperHostTests.LogSink Sink { get; }

    public IReadOnlyCollection<KeeperHostTests.LogLine> Logs => Sink.Lines;

    public int Count(int eventId) => Sink.Lines.Count(l => l.EventId == eventId);

    public static async Task<DutyHost> StartAsync(AgentClusterSuite suite, string dir, string manifestPath, int account, CancellationToken ct,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        string variable = $"AGENTCLUSTER_TEST_DUTIES_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, AnvilAccounts.PrivateKeys[account]);
        int port = FreePort();
        var logs = new KeeperHostTests.LogSink();
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:RpcUrl"] = suite.Node.RpcUrl.ToString(),
            ["AgentCluster:Keepers:ManifestPath"] = manifestPath,
            ["AgentCluster:Keepers:PrivateKeyVariable"] = variable,
            ["AgentCluster:Keepers:JournalPath"] = Path.Combine(dir, $"journal-{variable}.db"),
            ["AgentCluster:Keepers:IndexDbPath"] = Path.Combine(dir, $"index-{variable}.db"),
            ["AgentCluster:Keepers:PollInterval"] = "00:00:00.250",
            ["AgentCluster:Keepers:FlushProtocolFeesEvery"] = "00:00:01",
            ["AgentCluster:Keepers:HealthPort"] = port.ToString(CultureInfo.InvariantCulture),
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.AddProvider(logs);
        builder.Services.AddAgentClusterKeepers(builder.Configuration);
        IHost host = builder.Build();
        await host.StartAsync(ct);
        return new DutyHost(host, port, logs, variable, AnvilAccounts.Addresses[account]);
    }

    /// <summary>The sample of <paramref name="metric"/> tagged <c>duty="<paramref name="duty"/>"</c> on /metrics (0 when absent).</summary>
    public async Task<double> MetricAsync(string metric, string duty, CancellationToken ct)
    {
        using var http = new HttpClient();
        string text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{Port}/metrics"), ct);
        string? line = text.Split('\n').SingleOrDefault(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"duty=\"{duty}\"", StringComparison.Ordinal));
        return line is null ? 0d : double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Stops the host (its duties end); idempotent.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Host.StopAsync(bound.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
        Environment.SetEnvironmentVariable(_variable, null);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
