using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using AgentCluster.Evm.Rpc;

namespace AgentCluster.Evm.Tests.Fixtures;

/// <summary>What to do to one request.</summary>
internal enum Fault
{
    None,

    /// <summary>Fail with a connection error before the node sees the request.</summary>
    ConnectionError,

    /// <summary>Forward to the node, then lose its answer (the node acted; the caller does not know).</summary>
    LoseResponse,

    /// <summary>Answer HTTP 503 without forwarding.</summary>
    ServiceUnavailable,

    /// <summary>Never answer (until cancelled).</summary>
    Hang,
}

/// <summary>A transport decorator over the real one that injects faults per request and counts requests per method.</summary>
internal sealed class FaultInjectingTransport(IEthRpcTransport inner) : IEthRpcTransport
{
    private readonly ConcurrentDictionary<string, int> _calls = new();

    /// <summary>Chooses a fault from the method and the 1-based count of requests for that method so far.</summary>
    public Func<string, int, Fault> Decide { get; set; } = (_, _) => Fault.None;

    /// <summary>Answers a request itself instead of the node when it returns a body.</summary>
    public Func<string, JsonElement, string?>? Respond { get; set; }

    public int Calls(string method) => _calls.GetValueOrDefault(method);

    public async Task<string> SendAsync(string payload, CancellationToken cancellationToken = default)
    {
        using JsonDocument document = JsonDocument.Parse(payload);
        JsonElement root = document.RootElement;
        string method = root.ValueKind == JsonValueKind.Array ? "batch" : root.GetProperty("method").GetString()!;
        int count = _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        if (Respond?.Invoke(method, root) is { } fake)
        {
            return fake;
        }

        switch (Decide(method, count))
        {
            case Fault.ConnectionError:
                throw new HttpRequestException("injected: connection refused");
            case Fault.ServiceUnavailable:
                throw new RpcTransportException("injected: HTTP 503", HttpStatusCode.ServiceUnavailable, isTransient: true);
            case Fault.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                break;
            case Fault.LoseResponse:
                await inner.SendAsync(payload, cancellationToken).ConfigureAwait(false);
                throw new HttpRequestException("injected: connection reset after the request was sent");
        }

        return await inner.SendAsync(payload, cancellationToken).ConfigureAwait(false);
    }
}
