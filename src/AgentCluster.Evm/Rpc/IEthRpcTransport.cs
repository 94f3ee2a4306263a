using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AgentCluster.Evm.Rpc;

/// <summary>
/// The seam under <see cref="EthRpcClient"/>: sends one JSON-RPC payload (a single request object or a batch array) and returns
/// the response body. Implementations report failures as exceptions: <see cref="HttpRequestException"/> for connection faults,
/// <see cref="RpcTransportException"/> for HTTP error statuses. Decorate it to add faults, logging or metrics.
/// </summary>
public interface IEthRpcTransport
{
    Task<string> SendAsync(string payload, CancellationToken cancellationToken = default);
}

/// <summary>
/// A transport that also carries payloads as UTF-8 bytes, as they go over the wire. <see cref="EthRpcClient"/> uses this form
/// when the transport offers it, which saves transcoding each request and response to and from UTF-16 strings; decorators that
/// implement only <see cref="IEthRpcTransport"/> keep working through the string form. Both forms must behave the same.
/// </summary>
public interface IEthRpcUtf8Transport : IEthRpcTransport
{
    /// <summary>Sends a UTF-8 JSON-RPC payload; returns the response body's UTF-8 bytes. Failures as for <see cref="IEthRpcTransport.SendAsync"/>.</summary>
    Task<ReadOnlyMemory<byte>> SendUtf8Async(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
}

/// <summary>JSON-RPC over HTTP POST. Without an explicit <see cref="HttpClient"/> it uses one process-wide instance.</summary>
public sealed class HttpEthRpcTransport : IEthRpcUtf8Transport
{
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient(new SocketsHttpHandler
    {
        // Recycle pooled connections so DNS changes of the endpoint are picked up.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        // Per-attempt timeouts belong to the resilience pipeline, not to the shared client.
        Timeout = Timeout.InfiniteTimeSpan,
    });

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _httpClient;

    public HttpEthRpcTransport(Uri endpoint, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The JSON-RPC endpoint must be an http or https URL, got '{endpoint}'.", nameof(endpoint));
        }

        Endpoint = endpoint;
        _httpClient = httpClient ?? SharedClient.Value;
    }

    public Uri Endpoint { get; }

    public async Task<string> SendAsync(string payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        using var content = new StringContent(payload, Encoding.UTF8);
        return Encoding.UTF8.GetString((await PostAsync(content, cancellationToken).ConfigureAwait(false)).Span);
    }

    public async Task<ReadOnlyMemory<byte>> SendUtf8Async(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        using var content = new ReadOnlyMemoryContent(payload);
        return await PostAsync(content, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReadOnlyMemory<byte>> PostAsync(HttpContent content, CancellationToken cancellationToken)
    {
        content.Headers.ContentType = JsonContentType;
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        using HttpResponseMessage response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return body;
        }

        HttpStatusCode status = response.StatusCode;
        bool transient = (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
        string text = Encoding.UTF8.GetString(body);

        // Some nodes answer a well-formed JSON-RPC error with a 4xx status; the client reads it as an RpcException.
        if (!transient && text.TrimStart().StartsWith('{') && text.Contains("\"error\"", StringComparison.Ordinal))
        {
            return body;
        }

        throw new RpcTransportException(
            $"{Endpoint} answered HTTP {(int)status} {response.ReasonPhrase}: {Hex.Shorten(text.Trim())}", status, transient);
    }
}
