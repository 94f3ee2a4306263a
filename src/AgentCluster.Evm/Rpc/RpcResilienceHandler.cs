using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AgentCluster.Evm.Rpc;

/// <summary>
/// An HttpClient handler that runs each JSON-RPC POST through a Polly 8 pipeline: a total timeout around exponential retry with
/// jitter around a per-attempt timeout. Only transient faults are retried (connection errors, per-attempt timeouts, HTTP
/// 5xx/408/429); a JSON-RPC error (an HTTP 200 answer) is never retried, nor is anything once the caller's
/// <see cref="RpcCancellation"/> token is cancelled. Requests that must not repeat (<see cref="RpcMethods.MayRepeat"/>; a batch
/// when any member must not) get one attempt. The body is read to find the method, so every attempt sends the same bytes.
/// The caller's token (<see cref="RpcCancellation.Current"/>) cancels the request in flight at once.
/// </summary>
public sealed class RpcResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<string> MethodKey = new("AgentCluster.Rpc.Method");

    private readonly ResiliencePipeline<HttpResponseMessage> _repeating;
    private readonly ResiliencePipeline<HttpResponseMessage> _once;
    private readonly ILogger _logger;

    /// <summary>A handler with the given options (validated), logging each retry to <paramref name="logger"/>.</summary>
    public RpcResilienceHandler(RpcResilienceOptions? options = null, ILogger? logger = null, HttpMessageHandler? innerHandler = null)
        : base(innerHandler ?? new SocketsHttpHandler())
    {
        Options = options ?? RpcResilienceOptions.Default;
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _once = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(Options.TotalTimeout)
            .AddTimeout(Options.AttemptTimeout)
            .Build();
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>().AddTimeout(Options.TotalTimeout);
        if (Options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = Options.RetryBaseDelay,
                MaxDelay = Options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(!args.Context.CancellationToken.IsCancellationRequested && IsTransient(args.Outcome)),
                OnRetry = args =>
                {
                    string method = args.Context.Properties.GetValue(MethodKey, "?");
                    string fault = args.Outcome.Exception is { } e
                        ? e.GetType().Name + ": " + e.Message
                        : "HTTP " + (int)args.Outcome.Result!.StatusCode + " " + args.Outcome.Result.ReasonPhrase;
                    RpcLog.Retrying(_logger, method, Host, args.AttemptNumber + 1, fault, args.RetryDelay.TotalMilliseconds);
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }

        _repeating = builder.AddTimeout(Options.AttemptTimeout).Build();
    }

    /// <summary>The options in force.</summary>
    public RpcResilienceOptions Options { get; }

    /// <summary>The node's host, for log lines (set by the factory; never the full URL, which may carry an API key).</summary>
    public string Host { get; set; } = "?";

    /// <summary>
    /// True for outcomes where the same request may succeed later: connection and I/O failures, a per-attempt timeout,
    /// HTTP 5xx, 408 and 429. False for every other answer, JSON-RPC errors included (they come with HTTP 200).
    /// </summary>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null => outcome.Result is { } response && IsTransientStatus(response.StatusCode),
        HttpRequestException or TimeoutRejectedException or IOException => true,
        _ => false,
    };

    /// <summary>HTTP 5xx, 408 Request Timeout and 429 Too Many Requests.</summary>
    public static bool IsTransientStatus(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        CancellationToken caller = RpcCancellation.Current;
        caller.ThrowIfCancellationRequested();
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> methods = RpcMethods.MethodsOf(body);
        ResiliencePipeline<HttpResponseMessage> pipeline = RpcMethods.MayRepeatAll(methods) ? _repeating : _once;

        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, caller);
        ResilienceContext context = ResilienceContextPool.Shared.Get(linked.Token);
        context.Properties.Set(MethodKey, methods.Count switch
        {
            0 => "(not JSON-RPC)",
            1 => methods[0],
            _ => $"batch of {methods.Count} ({string.Join(", ", methods.Distinct().Take(4))})",
        });
        try
        {
            HttpResponseMessage response = await pipeline.ExecuteAsync(
                async (ctx, state) => await base.SendAsync(Copy(state.Request, state.Body), ctx.CancellationToken).ConfigureAwait(false),
                context, (Request: request, Body: body)).ConfigureAwait(false);
            return await PassJsonRpcErrorsThrough(response, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Some providers send a JSON-RPC error object under an HTTP 4xx/5xx status. Nethereum would see only the status; the
    /// node's code and message are the news, so such an answer is handed on as HTTP 200 (Nethereum then throws
    /// <c>RpcResponseException</c> with the node's error).
    /// </summary>
    private static async Task<HttpResponseMessage> PassJsonRpcErrorsThrough(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode || response.Content is null)
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(ct).ConfigureAwait(false);
        byte[] answer = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (IsJsonRpcError(answer))
        {
            response.StatusCode = HttpStatusCode.OK;
        }

        return response;
    }

    private static bool IsJsonRpcError(byte[] answer)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(answer);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out JsonElement error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out JsonElement code) && code.ValueKind == JsonValueKind.Number;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage original, byte[] body)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri)
        {
            Version = original.Version,
            VersionPolicy = original.VersionPolicy,
        };
        foreach (KeyValuePair<string, IEnumerable<string>> header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (original.Content is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (KeyValuePair<string, IEnumerable<string>> header in original.Content.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }
}
