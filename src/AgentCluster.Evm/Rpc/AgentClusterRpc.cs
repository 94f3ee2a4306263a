using Microsoft.Extensions.Logging;
using Nethereum.JsonRpc.Client;
using Nethereum.JsonRpc.Client.RpcMessages;
using Polly.Timeout;

namespace AgentCluster.Evm.Rpc;

/// <summary>
/// Makes Nethereum JSON-RPC clients with AgentCluster's resilience: <c>new Web3(account, AgentClusterRpc.CreateClient(url))</c>.
/// </summary>
public static class AgentClusterRpc
{
    private static readonly object TimeoutLock = new();

    /// <summary>
    /// A Nethereum <see cref="RpcClient"/> over an HttpClient whose handler is <see cref="RpcResilienceHandler"/> (retry of
    /// transient faults, per-attempt and total timeouts, one attempt for requests that must not repeat, cancellation by
    /// <see cref="RpcCancellation"/>), with <see cref="IdempotentRawSendInterceptor"/> in its interceptor slot.
    /// Raises the process-wide <see cref="ClientBase.ConnectionTimeout"/> to at least <see cref="RpcResilienceOptions.TotalTimeout"/>
    /// + 5 s (never lowers it). <paramref name="transport"/> replaces the innermost HTTP handler (default a SocketsHttpHandler).
    /// </summary>
    /// <exception cref="ArgumentException">The URL is not absolute http(s), or an option is out of range (the message names it).</exception>
    public static IClient CreateClient(Uri url, RpcResilienceOptions? options = null, ILogger? logger = null, HttpMessageHandler? transport = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The RPC URL must be an absolute http or https URL; got \"{url}\".", nameof(url));
        }

        options ??= RpcResilienceOptions.Default;
        options.Validate();
        var handler = new RpcResilienceHandler(options, logger, transport) { Host = url.Authority };
        var httpClient = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        EnsureConnectionTimeoutCovers(options.TotalTimeout + TimeSpan.FromSeconds(5));
        var client = new ResilientRpcClient(url, httpClient, options);
        client.OverridingRequestInterceptor = new IdempotentRawSendInterceptor(client, logger);
        return client;
    }

    /// <summary>Raises Nethereum's static <see cref="ClientBase.ConnectionTimeout"/> to <paramref name="atLeast"/> if it is lower.</summary>
    internal static void EnsureConnectionTimeoutCovers(TimeSpan atLeast)
    {
        lock (TimeoutLock)
        {
            if (ClientBase.ConnectionTimeout < atLeast)
            {
                ClientBase.ConnectionTimeout = atLeast;
            }
        }
    }

    /// <summary>
    /// Nethereum's <see cref="RpcClient"/>, telling cancellation and timeouts apart: Nethereum reports any cancelled request as
    /// <see cref="RpcClientTimeoutException"/>; here a request cancelled by the caller's <see cref="RpcCancellation"/> token
    /// throws <see cref="OperationCanceledException"/>, and a request whose attempts all timed out throws
    /// <see cref="RpcClientTimeoutException"/> (Polly's timeout would otherwise surface as <see cref="RpcClientUnknownException"/>).
    /// </summary>
    private sealed class ResilientRpcClient(Uri url, HttpClient httpClient, RpcResilienceOptions options) : RpcClient(url, httpClient)
    {
        public override async Task<RpcResponseMessage> SendAsync(RpcRequestMessage request, string? route = null)
        {
            CancellationToken caller = RpcCancellation.Current;
            caller.ThrowIfCancellationRequested();
            try
            {
                return await base.SendAsync(request, route!).ConfigureAwait(false);
            }
            catch (Exception e) when (Translate(e, caller, request.Method) is { } translated)
            {
                throw translated;
            }
        }

        protected override async Task<RpcResponseMessage[]> SendAsync(RpcRequestMessage[] requests)
        {
            CancellationToken caller = RpcCancellation.Current;
            caller.ThrowIfCancellationRequested();
            try
            {
                return await base.SendAsync(requests).ConfigureAwait(false);
            }
            catch (Exception e) when (Translate(e, caller, $"batch of {requests.Length}") is { } translated)
            {
                throw translated;
            }
        }

        private Exception? Translate(Exception e, CancellationToken caller, string what)
        {
            if (e is not (RpcClientTimeoutException or RpcClientUnknownException))
            {
                return null;
            }

            if (caller.IsCancellationRequested)
            {
                return new OperationCanceledException($"JSON-RPC {what} was cancelled by the caller.", e, caller);
            }

            for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
            {
                if (inner is TimeoutRejectedException)
                {
                    return new RpcClientTimeoutException(
                        $"JSON-RPC {what} got no answer: attempts time out after {options.AttemptTimeout.TotalSeconds:0.###} s "
                        + $"(total bound {options.TotalTimeout.TotalSeconds:0.###} s).", e);
                }
            }

            return null;
        }
    }
}
