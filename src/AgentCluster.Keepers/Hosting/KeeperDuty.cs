using AgentCluster.Evm.Errors;
using AgentCluster.Sdk;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// The pattern every keeper duty follows: a <see cref="BackgroundService"/> that runs one bounded pass (<see cref="RunPassAsync"/>) every
/// <see cref="KeeperOptions.PollInterval"/>. A pass runs inside a Polly retry pipeline (transient faults: node unreachable, HTTP and
/// I/O errors, timeouts; 3 retries, exponential backoff with jitter), each retry logged; a pass that still fails is logged and counted
/// (<see cref="KeeperMetrics.Failure"/>) and the duty carries on at the next pass: a fault never stops the host.
/// </summary>
public abstract class KeeperDuty : BackgroundService
{
    private readonly KeeperClient _client;
    private readonly ResiliencePipeline _pipeline;
    private int _failedPasses;

    /// <summary>Creates the duty named <paramref name="name"/> (the metrics' and logs' <c>duty</c>).</summary>
    protected KeeperDuty(string name, KeeperClient client, IOptions<KeeperOptions> options, KeeperMetrics metrics, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        _client = client;
        Options = options.Value;
        Metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        Logger = logger ?? throw new ArgumentNullException(nameof(logger));
        TimeSpan baseDelay = TimeSpan.FromMilliseconds(Math.Clamp(Options.PollInterval.TotalMilliseconds / 4, 50, 2000));
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                OnRetry = args =>
                {
                    KeeperLog.Retrying(Logger, Name, args.AttemptNumber + 1, args.RetryDelay, Describe(args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The duty's name.</summary>
    public string Name { get; }

    /// <summary>The keeper options.</summary>
    protected KeeperOptions Options { get; }

    /// <summary>The keeper's instruments.</summary>
    protected KeeperMetrics Metrics { get; }

    /// <summary>The duty's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Passes completed without a fault (for tests and diagnostics).</summary>
    public long CompletedPasses => Interlocked.Read(ref _completedPasses);

    private long _completedPasses;

    /// <summary>One bounded pass: find the work due now and do it. Throwing ends the pass (retried if transient).</summary>
    protected abstract Task RunPassAsync(AgentClusterClient client, CancellationToken cancellationToken);

    /// <inheritdoc />
    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        KeeperLog.DutyStarted(Logger, Name, Options.PollInterval);
        using var timer = new PeriodicTimer(Options.PollInterval);
        do
        {
            try
            {
                await _pipeline.ExecuteAsync(async ct =>
                {
                    AgentClusterClient client = await _client.GetAsync(ct).ConfigureAwait(false);
                    await RunPassAsync(client, ct).ConfigureAwait(false);
                }, stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _completedPasses);
                if (_failedPasses > 0)
                {
                    KeeperLog.Recovered(Logger, Name, _failedPasses);
                    _failedPasses = 0;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _failedPasses++;
                Metrics.Failure(Name);
                KeeperLog.PassFailed(Logger, Name, Describe(e), e);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));

        KeeperLog.DutyStopped(Logger, Name);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> is worth retrying within the pass: not a revert (the chain said no), not a transaction that was mined
    /// and failed (retrying would send a new transaction for work the chain refused: the next pass looks again), not bad input, not our
    /// own cancellation; everything else (node unreachable, HTTP, I/O, timeouts, RPC errors) is.
    /// </summary>
    protected internal static bool IsTransient(Exception e) => e switch
    {
        ContractRevertException or ArgumentException or WrongChainException or DeploymentNotFoundException => false,
        AgentCluster.Evm.TransactionManagement.TransactionFailedException or AgentCluster.Sdk.Agents.TransactionFailedException => false,
        OperationCanceledException => false,
        _ => true,
    };

    private static string Describe(Exception? e) => e is null ? "(no exception)"
        : $"{e.GetType().Name}: {e.Message.Split('\n')[0]}" + (e.InnerException is { } inner ? $" ({inner.Message.Split('\n')[0]})" : "");
}
