using System.Text;
using System.Text.Json;

namespace AgentCluster.Testing.Tests;

/// <summary>A bare JSON-RPC call with its own timeout (for hung-node checks).</summary>
internal static class Rpc
{
    public static async Task<JsonElement> CallAsync(Uri url, string method, TimeSpan timeout, params object[] parameters)
    {
        using var http = new HttpClient { Timeout = timeout };
        string body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(url, content);
        response.EnsureSuccessStatusCode();
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (doc.RootElement.TryGetProperty("error", out JsonElement error))
        {
            throw new InvalidOperationException($"{method} failed: {error}");
        }

        return doc.RootElement.GetProperty("result").Clone();
    }
}
