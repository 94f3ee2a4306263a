using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Dashboard;

/// <summary>The dashboard as a self-contained Kestrel server on 127.0.0.1 (what <c>agentcluster localnet up</c> and the tests start).</summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The bound URL, e.g. <c>http://127.0.0.1:5173/</c>.</summary>
    public Uri Url { get; }

    /// <summary>The feed (snapshot, health history, alerts), e.g. for a terminal summary.</summary>
    public DashboardFeed Feed => _app.Services.GetRequiredService<DashboardFeed>();

    /// <summary>Starts the dashboard on 127.0.0.1:<see cref="DashboardOptions.Port"/> (0: a free port) and returns once it listens.</summary>
    /// <param name="options">What to read and where to listen; validated first.</param>
    /// <param name="configureLogging">Optional logging set-up (default: the console, warnings and above).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public static async Task<DashboardServer> StartAsync(DashboardOptions options, Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DashboardServer).Assembly.GetName().Name });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        builder.Services.AddAgentClusterDashboard(options);
        WebApplication app = builder.Build();
        app.MapAgentClusterDashboard();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(address.EndsWith('/') ? address : address + "/");
        DashboardLog.Listening(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<DashboardServer>(), url.ToString(), options.IndexDbPath);
        return new DashboardServer(app, url);
    }

    /// <summary>Stops the server (open WebSockets are closed) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
