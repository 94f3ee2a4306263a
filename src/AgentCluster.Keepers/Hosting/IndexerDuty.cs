using System.Numerics;
using AgentCluster.Keepers.Indexing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// The keeper's event indexer as a hosted service, when <see cref="KeeperOptions.IndexDbPath"/> is set: it connects through the shared
/// <see cref="KeeperClient"/> (retrying until the node answers), runs a <see cref="SuiteIndexer"/> on that file, reports its position as
/// <see cref="IIndexerStatus"/> (readiness and the lag metric), and gives <see cref="AssignmentDuty"/> its work from the index
/// (<see cref="IAssignableTasks"/>: the open tasks of the index, each confirmed on-chain) instead of the temporary scan of recent tasks.
/// </summary>
public sealed class IndexerDuty(KeeperClient client, IOptions<KeeperOptions> options, ILoggerFactory loggers) : BackgroundService, IIndexerStatus, IAssignableTasks
{
    private readonly ILogger _logger = loggers.CreateLogger<IndexerDuty>();
    private volatile SuiteIndexer? _indexer;

    /// <summary>The running index (the committee and settlement duties' source of work), null until the indexer has started or without <see cref="KeeperOptions.IndexDbPath"/>.</summary>
    public SuiteIndexer? Indexer => _indexer;

    /// <inheritdoc />
    public ulong? IndexedBlock => _indexer?.IndexedBlock;

    /// <inheritdoc />
    public ulong? HeadBlock => _indexer?.HeadBlock;

    /// <inheritdoc />
    public DateTimeOffset? LastPassAt => _indexer?.LastPassAt;

    /// <summary>
    /// Tasks the index holds as open (submitted, not assigned, not settled) whose bidding window has ended by the chain's time, each read
    /// once on-chain to confirm it is still Bidding. Empty until the indexer has started.
    /// </summary>
    public async Task<IReadOnlyList<BigInteger>> FindAssignableAsync(AgentClusterClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_indexer is not { } indexer)
        {
            return [];
        }

        IReadOnlyList<IndexedTask> open = await indexer.OpenTasksAsync(cancellationToken).ConfigureAwait(false);
        if (open.Count == 0)
        {
            return [];
        }

        DateTimeOffset now = await client.Tasks.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        var due = new List<BigInteger>();
        foreach (IndexedTask candidate in open.OrderBy(t => t.TaskId))
        {
            TaskInfo task = await client.Tasks.GetAsync(candidate.TaskId, cancellationToken).ConfigureAwait(false);
            if (task.Status == MarketTaskStatus.Bidding && task.BiddingEndsAt <= now)
            {
                due.Add(candidate.TaskId);
            }
        }

        return due;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        KeeperOptions o = options.Value;
        if (o.IndexDbPath is not { } path)
        {
            return;
        }

        SuiteIndexer? indexer = null;
        while (indexer is null && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                AgentClusterClient connected = await client.GetAsync(stoppingToken).ConfigureAwait(false);
                indexer = new SuiteIndexer(connected.Web3, connected.Manifest,
                    new SuiteIndexerOptions { DatabasePath = path, PollInterval = o.PollInterval }, loggers.CreateLogger<SuiteIndexer>());
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not IndexIntegrityException)
            {
                KeeperLog.IndexerWaiting(_logger, o.PollInterval, e.Message);
                try
                {
                    await Task.Delay(o.PollInterval, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        if (indexer is null)
        {
            return;
        }

        using (indexer)
        {
            _indexer = indexer;
            KeeperLog.IndexerStarted(_logger, path);
            try
            {
                await indexer.RunAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (IndexIntegrityException e)
            {
                // Not transient: the readiness check shows the indexer stuck and the log says why; the other duties carry on.
                KeeperLog.IndexerFailed(_logger, e.Message, e);
            }
        }
    }
}
