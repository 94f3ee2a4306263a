using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentCluster.Evm.Rpc;

namespace AgentCluster.Evm.Tests.Fixtures;

/// <summary>What <see cref="FaultInjectingHandler"/> does to one attempt.</summary>
public enum Fault
{
    /// <summary>Forward to the node and return its answer.</summary>
    None,

    /// <summary>Answer HTTP 503 without forwarding.</summary>
    ServiceUnavailable,

    /// <summary>Throw HttpRequestException without forwarding (as a refused connection does).</summary>
    ConnectionError,

    /// <summary>Forward to the node, let it process the request, then drop its answer (HttpRequestException).</summary>
    LoseResponse,

    /// <summary>Never answer (until the attempt's token is cancelled), without forwarding.</summary>
    Hang,
}

/// <summary>
/// The innermost HTTP handler for tests (passed as the factory's transport): counts attempts per JSON-RPC method (a batch
/// counts under "batch:" + its methods joined by ","), injects faults, or answers in place of the node.
/// </summary>
public sealed class FaultInjectingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentDictionary<string, int> _calls = new();

    /// <summary>The fault for the n-th attempt (1-based) of a method.</summary>
    public Func<string, int, Fault> Decide { get; init; } = (_, _) => Fault.None;

    /// <summary>An answer in place of the node's (status and body), or null to go on; gets the method and the request JSON.</summary>
    public Func<string, JsonElement, (HttpStatusCode Status, string Body)?> Respond { get; init; } = (_, _) => null;

    /// <summary>Attempts that reached this handler for the method.</summary>
    public int Calls(string method) => _calls.GetValueOrDefault(method);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        IReadOnlyList<string> methods = RpcMethods.MethodsOf(body);
        string key = methods.Count == 1 ? methods[0] : "batch:" + string.Join(",", methods);
        int n = _calls.AddOrUpdate(key, 1, (_, c) => c + 1);

        using (JsonDocument doc = JsonDocument.Parse(body))
        {
            if (Respond(key, doc.RootElement) is { } answer)
            {
                return new HttpResponseMessage(answer.Status)
                {
                    Content = new StringContent(answer.Body, Encoding.UTF8, "application/json"),
                    RequestMessage = request,
                };
            }
        }

        switch (Decide(key, n))
        {
            case Fault.ServiceUnavailable:
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("busy"), RequestMessage = request };
            case Fault.ConnectionError:
                throw new HttpRequestException("injected: connection refused");
            case Fault.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                throw new InvalidOperationException("unreachable");
            case Fault.LoseResponse:
                using (HttpResponseMessage dropped = await base.SendAsync(request, cancellationToken))
                {
                    await dropped.Content.ReadAsByteArrayAsync(cancellationToken);
                }

                throw new HttpRequestException("injected: the connection dropped before the answer arrived");
            default:
                return await base.SendAsync(request, cancellationToken);
        }
    }
}
