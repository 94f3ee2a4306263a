using System.Globalization;
using System.Net;
using System.Numerics;
using System.Reflection;
using System.Text.RegularExpressions;
using AgentCluster.Keepers.Indexing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Dashboard;

/// <summary>Hosting the dashboard in an ASP.NET Core application (e.g. <c>agentcluster localnet up</c>).</summary>
public static partial class DashboardEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Registers the dashboard's feed (the index reader and WebSocket broadcaster) as a hosted service.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public static IServiceCollection AddAgentClusterDashboard(this IServiceCollection services, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<DashboardFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardFeed>());
        services.AddHttpClient(nameof(DashboardEndpoints), c => c.Timeout = TimeSpan.FromSeconds(3));
        services.AddSingleton<SolanaDashboardSource>();
        services.AddHostedService(sp => sp.GetRequiredService<SolanaDashboardSource>());
        return services;
    }

    /// <summary>
    /// Adds the dashboard's middleware (error page without details, WebSockets, status pages) and maps its routes: <c>/</c>,
    /// <c>/agents/{id}</c>, <c>/static/*</c>, <c>/api/snapshot</c>, <c>/api/agents/{id}</c>, <c>/api/health</c>, <c>/api/keepers</c>, <c>/ws</c>
    /// and, with <see cref="DashboardOptions.EnableTestEndpoints"/>, <c>POST /api/test/anomaly</c>. Any other route answers 404.
    /// </summary>
    public static WebApplication MapAgentClusterDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            Exception? e = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (e is not null)
            {
                DashboardLog.RequestFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AgentCluster.Dashboard"), context.Request.Path, e);
            }

            await WritePageAsync(context, 500, "Something went wrong", "The dashboard could not answer this request; the error is in its log.").ConfigureAwait(false);
        }));
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        DashboardOptions options = app.Services.GetRequiredService<DashboardOptions>();
        DashboardFeed feed = app.Services.GetRequiredService<DashboardFeed>();

        app.MapGet("/", (HttpContext c) => Embedded(c, "index.html"));
        app.MapGet("/static/{**path}", (HttpContext c, string path) => Embedded(c, path));
        app.MapGet("/agents/{id}", async (HttpContext c, string id) =>
        {
            if (!TryParseId(id, out BigInteger agentId))
            {
                await WritePageAsync(c, 400, "Bad agent id", $"'{id}' is not an agent id: give a decimal number or 0x-hex of at most 256 bits.").ConfigureAwait(false);
                return;
            }

            if (feed.Snapshot is { } s && s.Agents.All(a => a.AgentId != agentId))
            {
                await WritePageAsync(c, 404, "No such agent", $"Agent {agentId} is not registered (in the index up to block {s.Head.Cursor}).").ConfigureAwait(false);
                return;
            }

            await Embedded(c, "agent.html").ExecuteAsync(c).ConfigureAwait(false);
        });

        app.MapGet("/api/snapshot", (HttpContext c) => feed.SnapshotJson is { } json
            ? Results.Bytes(json, "application/json")
            : Problem(503, "The index is not readable yet", options.HasEvm ? $"No keeper index at '{options.IndexDbPath}' yet, or it has no pass." : "No EVM chain on this dashboard (Solana only): there is no keeper index to read."));
        app.MapGet("/api/agents/{id}", async (string id, CancellationToken ct) =>
        {
            if (!TryParseId(id, out BigInteger agentId))
            {
                return Problem(400, "Bad agent id", $"'{id}' is not an agent id: give a decimal number or 0x-hex of at most 256 bits.");
            }

            if (feed.Snapshot is not { } s || feed.View is not { } view)
            {
                return Problem(503, "The index is not readable yet", options.HasEvm ? $"No keeper index at '{options.IndexDbPath}' yet." : "No EVM chain on this dashboard (Solana only).");
            }

            NetworkAgent? agent = s.Agents.FirstOrDefault(a => a.AgentId == agentId);
            if (agent is null)
            {
                return Problem(404, "No such agent", $"Agent {agentId} is not registered (in the index up to block {s.Head.Cursor}).");
            }

            return Results.Bytes(DashboardJson.Serialize(await AgentPageAsync(view, s, agent, ct).ConfigureAwait(false)), "application/json");
        });
        app.MapGet("/api/chains", () => Results.Bytes(DashboardJson.Serialize(new { evm = options.HasEvm, solana = options.SolanaProgramId is not null }), "application/json"));
        app.MapGet("/api/solana", (SolanaDashboardSource solana) => options.SolanaProgramId is null
            ? Problem(404, "No Solana source", "This dashboard shows one EVM chain only (no Solana RPC and program configured).")
            : solana.View is { } view
                ? Results.Bytes(DashboardJson.Serialize(view), "application/json")
                : Problem(503, "The Solana source has not read yet", $"No answer from {options.SolanaRpcUrl} yet."));
        app.MapGet("/api/health", () => Results.Bytes(DashboardJson.Serialize(new { series = HealthSeries.All, history = feed.History, alerts = feed.Alerts }), "application/json"));
        app.MapGet("/api/keepers", async (IHttpClientFactory http, CancellationToken ct) =>
        {
            HttpClient client = http.CreateClient(nameof(DashboardEndpoints));
            var keepers = await Task.WhenAll(options.KeeperHealthUrls.Select(async url =>
            {
                try
                {
                    using HttpResponseMessage response = await client.GetAsync(url, ct).ConfigureAwait(false);
                    string body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                    return new KeeperHealth(url.ToString(), (int)response.StatusCode, response.IsSuccessStatusCode ? "ready" : "not ready", body.Length > 16_384 ? body[..16_384] : body);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return new KeeperHealth(url.ToString(), null, "unreachable", e.Message);
                }
            })).ConfigureAwait(false);
            return Results.Bytes(DashboardJson.Serialize(keepers), "application/json");
        });
        app.Map("/ws", async (HttpContext c) =>
        {
            if (!c.WebSockets.IsWebSocketRequest)
            {
                await WritePageAsync(c, 400, "WebSocket only", "/ws is the dashboard's live feed: open it as a WebSocket.").ConfigureAwait(false);
                return;
            }

            using System.Net.WebSockets.WebSocket socket = await c.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            await feed.ServeAsync(socket, c.RequestAborted).ConfigureAwait(false);
        });
        if (options.EnableTestEndpoints)
        {
            app.MapPost("/api/test/anomaly", (string? series, string? value) =>
            {
                if (series is null || value is null || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                {
                    return Problem(400, "Bad anomaly", "Give ?series=NAME&value=NUMBER.");
                }

                try
                {
                    HealthAlert? alert = feed.Inject(series, v);
                    return Results.Bytes(DashboardJson.Serialize(new { alert }), "application/json");
                }
                catch (ArgumentException e)
                {
                    return Problem(400, "Bad anomaly", e.Message);
                }
            });
        }

        app.MapFallback(c => WritePageAsync(c, 404, "Not found", $"There is no page at {c.Request.Path}. The dashboard is at /."));
        return app;
    }

    /// <summary>Parses an agent id: decimal, or 0x-hex, of at most 256 bits, positive.</summary>
    internal static bool TryParseId(string text, out BigInteger id)
    {
        id = default;
        if (string.IsNullOrEmpty(text) || text.Length > 80)
        {
            return false;
        }

        bool ok = HexId().IsMatch(text)
            ? BigInteger.TryParse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id)
            : DecimalId().IsMatch(text) && BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
        return ok && id.Sign > 0 && id.GetBitLength() <= 256;
    }

    [GeneratedRegex("^0x[0-9a-fA-F]{1,64}$")]
    private static partial Regex HexId();

    [GeneratedRegex("^[0-9]{1,78}$")]
    private static partial Regex DecimalId();

    [GeneratedRegex("^[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$")]
    private static partial Regex SafePath();

    private static async Task<object> AgentPageAsync(NetworkView view, NetworkSnapshot s, NetworkAgent agent, CancellationToken ct)
    {
        IReadOnlyList<IndexedReputationChange> history = await view.Reputation.ReputationHistoryAsync(agent.AgentId, ct).ConfigureAwait(false);

        // The decay curve: the four dimensions from the first change to 30 days after the snapshot's time, 40 points.
        var curve = new List<IndexedReputation>();
        if (history.Count > 0)
        {
            DateTimeOffset from = history[0].At, to = s.At.AddDays(30);
            for (int i = 0; i <= 40; i++)
            {
                curve.Add(await view.Reputation.ReputationAsync(agent.AgentId, from + (to - from) * i / 40, ct).ConfigureAwait(false));
            }
        }

        var tasks = s.Tasks.Where(t => t.Executor == agent.AgentId || t.Committee.Contains(agent.AgentId))
            .Select(t => new { task = t, role = t.Executor == agent.AgentId ? "executor" : "reviewer" }).ToList();
        return new { agent, history, curve, tasks, at = s.At, block = s.Head.LastLog?.Block };
    }

    private static IResult Embedded(HttpContext context, string path)
    {
        if (!SafePath().IsMatch(path) || path.Contains("..", StringComparison.Ordinal))
        {
            return Problem(404, "Not found", $"There is no file at /static/{path}.");
        }

        Stream? stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("wwwroot/" + path);
        if (stream is null)
        {
            return Problem(404, "Not found", $"There is no file at /static/{path}.");
        }

        context.Response.Headers.CacheControl = "no-cache";
        return Results.Stream(stream, ContentTypes.TryGetContentType(path, out string? type) ? type : "application/octet-stream");
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(detail, statusCode: status, title: title);

    /// <summary>A small HTML page for errors (never a stack trace), or problem JSON when the client asks for JSON.</summary>
    internal static async Task WritePageAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        if (context.Request.Headers.Accept.Any(a => a is not null && a.Contains("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            await Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>{status} {WebUtility.HtmlEncode(title)} · AgentCluster</title>
            <link rel="stylesheet" href="/static/style.css"></head>
            <body><main class="error"><h1>{status} · {WebUtility.HtmlEncode(title)}</h1><p id="detail">{WebUtility.HtmlEncode(detail)}</p>
            <p><a href="/">Back to the network</a></p></main></body></html>
            """).ConfigureAwait(false);
    }
}

/// <summary>One keeper's readiness as its <c>/health/ready</c> answered.</summary>
/// <param name="Url">The URL asked.</param>
/// <param name="Status">The HTTP status (null: unreachable).</param>
/// <param name="State">ready, not ready, or unreachable.</param>
/// <param name="Body">The JSON body (or the error), at most 16 KiB.</param>
public sealed record KeeperHealth(string Url, int? Status, string State, string Body);
