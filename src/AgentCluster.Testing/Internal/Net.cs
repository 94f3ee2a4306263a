using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace AgentCluster.Testing.Internal;

/// <summary>Free loopback ports and a bare eth_chainId probe (no retries, short timeouts).</summary>
internal static class Net
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when anvil's output holds its "Listening on 127.0.0.1:PORT" line for <paramref name="rpcUrl"/>'s port.</summary>
    public static bool SaysListening(string output, Uri rpcUrl) =>
        output.Contains($"Listening on {rpcUrl.Host}:{rpcUrl.Port}", StringComparison.Ordinal);

    /// <summary>The chain id the node answers, or null when it does not answer within <paramref name="timeout"/>.</summary>
    public static async Task<ulong?> TryChainIdAsync(Uri rpcUrl, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}", Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await Http.PostAsync(rpcUrl, content, cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false));
            if (doc.RootElement.TryGetProperty("result", out JsonElement result) && result.GetString() is { } hex && hex.StartsWith("0x", StringComparison.Ordinal))
            {
                return ulong.Parse(hex.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            }

            return null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or IOException or FormatException
                                   && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Polls eth_chainId until it answers <paramref name="chainId"/>; false when <paramref name="timeout"/> passes first or <paramref name="stillAlive"/> says no.</summary>
    public static async Task<bool> WaitForChainIdAsync(Uri rpcUrl, ulong chainId, TimeSpan timeout, Func<bool> stillAlive, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            ct.ThrowIfCancellationRequested();
            if (!stillAlive())
            {
                return false;
            }

            if (await TryChainIdAsync(rpcUrl, TimeSpan.FromSeconds(2), ct).ConfigureAwait(false) is { } answered)
            {
                if (answered != chainId)
                {
                    throw new AnvilException($"The node at {rpcUrl} answers chain id {answered}, not {chainId}: is another node on that port?");
                }

                return true;
            }

            await Task.Delay(25, ct).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>One JSON-RPC call with raw JSON params (e.g. <c>["0x..."]</c>); the result, or an <see cref="AnvilException"/> naming the error.</summary>
    public static async Task<JsonElement> CallAsync(Uri rpcUrl, string method, string paramsJson, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        string body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":" + JsonSerializer.Serialize(method) + ",\"params\":" + paramsJson + "}";
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await Http.PostAsync(rpcUrl, content, cts.Token).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new AnvilException($"{method} on {rpcUrl}: HTTP {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
            }

            using JsonDocument doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("error", out JsonElement error))
            {
                throw new AnvilException($"{method} on {rpcUrl} failed: {error.GetRawText()}");
            }

            return doc.RootElement.GetProperty("result").Clone();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AnvilException($"{method} on {rpcUrl} did not answer within {timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException e)
        {
            throw new AnvilException($"{method} on {rpcUrl} failed: {e.Message}", e);
        }
    }
}
