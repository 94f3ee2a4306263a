using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// Serves <c>/health/live</c> (200 while the process runs its loop) and <c>/health/ready</c> (the checks tagged
/// <see cref="ReadyTag"/>: 200 when Healthy or Degraded, 503 when any is Unhealthy; the JSON body names each check, its status and
/// description) on <c>http://127.0.0.1:{HealthPort}/health/</c> with <see cref="HttpListener"/>. <c>/metrics</c> on the same port is the
/// OpenTelemetry Prometheus exporter's own listener.
/// </summary>
public sealed class KeeperHealthEndpoint(HealthCheckService health, IOptions<KeeperOptions> options, ILogger<KeeperHealthEndpoint> logger)
    : BackgroundService
{
    /// <summary>The tag of readiness checks.</summary>
    public const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly HttpListener _listener = new();

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        string prefix = $"http://127.0.0.1:{options.Value.HealthPort}/health/";
        _listener.Prefixes.Add(prefix);
        _listener.Start();
        KeeperLog.Listening(logger, $"http://127.0.0.1:{options.Value.HealthPort}/");
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using CancellationTokenRegistration stop = stoppingToken.Register(_listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (HttpListenerException e)
            {
                KeeperLog.EndpointFault(logger, e.Message);
                continue;
            }

            _ = Task.Run(() => ServeAsync(context, stoppingToken), CancellationToken.None);
        }
    }

    private async Task ServeAsync(HttpListenerContext context, CancellationToken ct)
    {
        try
        {
            string path = context.Request.Url?.AbsolutePath.TrimEnd('/') ?? "";
            (int status, object body) = path switch
            {
                "/health/live" => (200, new { status = "Healthy" }),
                "/health/ready" => await ReadyAsync(ct).ConfigureAwait(false),
                _ => (404, (object)new { error = $"no such endpoint {path}; try /health/live, /health/ready, /metrics" }),
            };
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(body, Json);
            await context.Response.OutputStream.WriteAsync(bytes, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            KeeperLog.EndpointFault(logger, e.Message);
            try
            {
                context.Response.StatusCode = 500;
            }
            catch (InvalidOperationException)
            {
                // Headers already sent: the client sees a cut response.
            }
        }
        finally
        {
            context.Response.Close();
        }
    }

    private async Task<(int, object)> ReadyAsync(CancellationToken ct)
    {
        HealthReport report = await health.CheckHealthAsync(r => r.Tags.Contains(ReadyTag), ct).ConfigureAwait(false);
        var checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description });
        return (report.Status == HealthStatus.Unhealthy ? 503 : 200, new
        {
            status = report.Status.ToString(),
            failing = report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => e.Key).ToArray(),
            checks,
        });
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        ((IDisposable)_listener).Dispose();
        base.Dispose();
    }
}
