using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace AgentCluster.Testing.Internal;

/// <summary>
/// A minimal Docker Engine API client (ping, image inspect, container list) over the engine's unix socket or tcp endpoint, pinned to
/// API 1.41. Used only to decide whether containers can run and to check that none is left behind; containers themselves are run
/// by Testcontainers.
/// </summary>
internal sealed class DockerEngine : IDisposable
{
    private readonly HttpClient _http;

    private DockerEngine(HttpClient http, string endpoint)
    {
        _http = http;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    /// <summary>The engine named by DOCKER_HOST, else the default unix socket; null with a reason when there is no endpoint to try.</summary>
    public static DockerEngine? TryCreate(out string reason)
    {
        string host = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } h ? h : "unix:///var/run/docker.sock";
        if (host.StartsWith("unix://", StringComparison.Ordinal))
        {
            string socket = host["unix://".Length..];
            if (!File.Exists(socket))
            {
                reason = $"no socket at {socket}";
                return null;
            }

            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct).ConfigureAwait(false);
                        return new NetworkStream(s, ownsSocket: true);
                    }
                    catch
                    {
                        s.Dispose();
                        throw;
                    }
                },
            };
            reason = "";
            return new DockerEngine(new HttpClient(handler) { BaseAddress = new Uri("http://docker/v1.41/"), Timeout = TimeSpan.FromSeconds(10) }, host);
        }

        if (host.StartsWith("tcp://", StringComparison.Ordinal))
        {
            reason = "";
            return new DockerEngine(
                new HttpClient { BaseAddress = new Uri("http://" + host["tcp://".Length..].TrimEnd('/') + "/v1.41/"), Timeout = TimeSpan.FromSeconds(10) }, host);
        }

        reason = $"DOCKER_HOST={host} is neither unix:// nor tcp://";
        return null;
    }

    /// <summary>null when the engine answers /_ping, else why not.</summary>
    public async Task<string?> PingAsync(CancellationToken ct)
    {
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(5));
            using HttpResponseMessage response = await _http.GetAsync("_ping", cts.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"{Endpoint} answered /_ping with HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or SocketException && !ct.IsCancellationRequested)
        {
            return $"{Endpoint} does not answer: {e.GetBaseException().Message}";
        }
    }

    public async Task<bool> ImageExistsAsync(string image, CancellationToken ct)
    {
        using HttpResponseMessage response = await _http.GetAsync($"images/{Uri.EscapeDataString(image)}/json", ct).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Ids of all containers (running or not) that carry label <paramref name="key"/>=<paramref name="value"/>.</summary>
    public async Task<IReadOnlyList<string>> ContainerIdsWithLabelAsync(string key, string value, CancellationToken ct)
    {
        string filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [$"{key}={value}"] });
        using HttpResponseMessage response = await _http.GetAsync($"containers/json?all=1&filters={Uri.EscapeDataString(filters)}", ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        JsonElement list = await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false);
        return list.EnumerateArray().Select(c => c.GetProperty("Id").GetString()!).ToList();
    }

    public void Dispose() => _http.Dispose();
}
