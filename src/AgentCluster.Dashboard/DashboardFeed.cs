using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using AgentCluster.Keepers.Indexing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentCluster.Dashboard;

/// <summary>
/// The one reader of the index and the one broadcaster: polls the index every <see cref="DashboardOptions.PollInterval"/> for rows past the
/// last (block, log index) seen, refreshes the cached snapshot, and pushes the new events to every WebSocket client; every
/// <see cref="DashboardOptions.HealthInterval"/> takes a health sample, runs the anomaly detector and pushes the sample and alerts.
/// Each client has a bounded queue: a client that falls <see cref="DashboardOptions.ClientQueueLimit"/> messages behind is dropped.
/// </summary>
public sealed class DashboardFeed : BackgroundService
{
    private const int HistoryLimit = 720;
    private const int AlertLimit = 100;
    private const int RecentLimit = 50;
    private readonly DashboardOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, Client> _clients = new();
    private readonly AnomalyDetector _detector;
    private readonly Lock _healthLock = new();
    private readonly LinkedList<HealthSample> _history = new();
    private readonly LinkedList<HealthAlert> _alerts = new();
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<NetworkEvent> _recent = new();
    private NetworkView? _view;
    private IndexPosition? _lastSeen;
    private long _nextClient;
    private DateTimeOffset _nextHealth = DateTimeOffset.MinValue;

    /// <summary>A feed over <paramref name="options"/> (validated here).</summary>
    public DashboardFeed(DashboardOptions options, ILogger<DashboardFeed>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _detector = new AnomalyDetector(options.Anomalies);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The newest snapshot (null until the index could be read).</summary>
    public NetworkSnapshot? Snapshot { get; private set; }

    /// <summary>The newest snapshot as the page's JSON (null until the index could be read).</summary>
    internal byte[]? SnapshotJson { get; private set; }

    /// <summary>The view over the index (null until the file exists).</summary>
    public NetworkView? View => _view;

    /// <summary>The chain head read from <see cref="DashboardOptions.RpcUrl"/> (null without one or before the first read).</summary>
    public ulong? ChainHead { get; private set; }

    /// <summary>How many WebSocket clients are connected.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>The health samples taken so far (the newest 720), oldest first.</summary>
    public IReadOnlyList<HealthSample> History
    {
        get
        {
            lock (_healthLock)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>The alerts raised so far (the newest 100), oldest first.</summary>
    public IReadOnlyList<HealthAlert> Alerts
    {
        get
        {
            lock (_healthLock)
            {
                return [.. _alerts];
            }
        }
    }

    /// <summary>
    /// Feeds <paramref name="value"/> into <paramref name="series"/>' detector as if it had been sampled (the test endpoint's path):
    /// an alert it raises is logged and pushed like any other.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown series, or a value that is not finite.</exception>
    public HealthAlert? Inject(string series, double value)
    {
        if (!HealthSeries.All.Contains(series))
        {
            throw new ArgumentException($"Unknown health series '{series}'; known: {string.Join(", ", HealthSeries.All)}.", nameof(series));
        }

        HealthAlert? alert;
        lock (_healthLock)
        {
            alert = _detector.Observe(series, value, _time.GetUtcNow());
            if (alert is not null)
            {
                Remember(alert);
            }
        }

        if (alert is not null)
        {
            Broadcast(new { type = "alerts", alerts = new[] { alert } });
        }

        return alert;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.PollInterval, _time);
        Nethereum.Web3.Web3? rpc = _options.RpcUrl is { } url ? new Nethereum.Web3.Web3(url.ToString()) : null;
        do
        {
            try
            {
                await PollAsync(stoppingToken).ConfigureAwait(false);
                if (_time.GetUtcNow() >= _nextHealth && Snapshot is { } snapshot)
                {
                    _nextHealth = _time.GetUtcNow() + _options.HealthInterval;
                    if (rpc is not null)
                    {
                        try
                        {
                            ChainHead = (ulong)(await rpc.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false)).Value;
                        }
                        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                        {
                            DashboardLog.HeadReadFailed(_logger, e.Message);
                        }
                    }

                    SampleHealth(snapshot);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is InvalidDataException or Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
            {
                DashboardLog.IndexReadFailed(_logger, e.Message, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One poll: new events past the last seen position, and a fresh snapshot when there are any.</summary>
    internal async Task PollAsync(CancellationToken ct)
    {
        if (_view is null)
        {
            if (!_options.HasEvm || !File.Exists(_options.IndexDbPath))
            {
                return;
            }

            _view = NetworkView.Open(_options.IndexDbPath);
        }

        IndexHead head = await _view.HeadAsync(ct).ConfigureAwait(false);
        bool rewound = _lastSeen is not null && (head.LastLog is null || head.LastLog.CompareTo(_lastSeen) < 0);
        if (!rewound && Snapshot is not null && Equals(head.LastLog, _lastSeen) && head.Cursor == Snapshot.Head.Cursor)
        {
            return;
        }

        var fresh = new List<NetworkEvent>();
        if (rewound)
        {
            _lastSeen = head.LastLog;
        }
        else
        {
            while (true)
            {
                IReadOnlyList<NetworkEvent> page = await _view.EventsAfterAsync(_lastSeen, 1_000, ct).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }

                fresh.AddRange(page);
                _lastSeen = page[^1].Position;
                if (fresh.Count >= 5_000)
                {
                    break; // a long catch-up: the rest comes with the next poll
                }
            }
        }

        foreach (NetworkEvent e in fresh.Count > RecentLimit ? fresh[^RecentLimit..] : fresh)
        {
            _recent.Enqueue(e);
        }

        if (rewound)
        {
            _recent.Clear();
        }

        while (_recent.Count > RecentLimit && _recent.TryDequeue(out _))
        {
        }

        NetworkSnapshot snapshot = await _view.SnapshotAsync(null, ct).ConfigureAwait(false);
        Snapshot = snapshot;
        SnapshotJson = DashboardJson.Serialize(new { snapshot, chainHead = ChainHead });
        if (rewound)
        {
            Broadcast(new { type = "reset", head = snapshot.Head });
        }

        // Only the newest events are sent one by one (a catch-up of thousands is summarised by the snapshot the page refetches).
        List<NetworkEvent> tail = fresh.Count > _options.MaxEventsPerMessage * 5 ? fresh[^(_options.MaxEventsPerMessage * 5)..] : fresh;
        for (int i = 0; i < tail.Count; i += _options.MaxEventsPerMessage)
        {
            List<NetworkEvent> chunk = tail.GetRange(i, Math.Min(_options.MaxEventsPerMessage, tail.Count - i));
            Broadcast(new { type = "events", events = chunk, head = snapshot.Head, skipped = fresh.Count - tail.Count, last = i + chunk.Count == tail.Count });
        }
    }

    /// <summary>One health sample from <paramref name="snapshot"/>, checked for anomalies.</summary>
    internal HealthSample SampleHealth(NetworkSnapshot snapshot)
    {
        HealthSample sample = HealthSeries.Compute(snapshot, _time.GetUtcNow());
        var raised = new List<HealthAlert>();
        lock (_healthLock)
        {
            foreach ((string series, double value) in sample.Values)
            {
                if (_detector.Observe(series, value, sample.At) is { } alert)
                {
                    raised.Add(alert);
                    Remember(alert);
                }
            }

            _history.AddLast(sample);
            if (_history.Count > HistoryLimit)
            {
                _history.RemoveFirst();
            }
        }

        Broadcast(new { type = "health", sample, alerts = raised, chainHead = ChainHead });
        return sample;
    }

    private void Remember(HealthAlert alert)
    {
        if (alert.Level == AlertLevel.Critical)
        {
            DashboardLog.AnomalyCritical(_logger, alert.Series, alert.Value, alert.Expected, alert.Z);
        }
        else
        {
            DashboardLog.AnomalyWarning(_logger, alert.Series, alert.Value, alert.Expected, alert.Z);
        }

        _alerts.AddLast(alert);
        if (_alerts.Count > AlertLimit)
        {
            _alerts.RemoveFirst();
        }
    }

    private void Broadcast(object message)
    {
        if (_clients.IsEmpty)
        {
            return;
        }

        byte[] bytes = DashboardJson.Serialize(message);
        foreach ((long id, Client client) in _clients)
        {
            if (!client.Queue.Writer.TryWrite(bytes))
            {
                // Slow client: drop it rather than buffer without bound.
                if (_clients.TryRemove(id, out _))
                {
                    DashboardLog.SlowClientDropped(_logger, _options.ClientQueueLimit);
                    client.Queue.Writer.TryComplete();
                    client.Socket.Abort();
                }
            }
        }
    }

    /// <summary>Serves one WebSocket client until it closes, is dropped, or the feed stops.</summary>
    internal async Task ServeAsync(WebSocket socket, CancellationToken ct)
    {
        var client = new Client(socket, Channel.CreateBounded<byte[]>(new BoundedChannelOptions(_options.ClientQueueLimit)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the broadcaster drops the client
        }));
        long id = Interlocked.Increment(ref _nextClient);
        _clients[id] = client;
        client.Queue.Writer.TryWrite(DashboardJson.Serialize(new { type = "hello", head = Snapshot?.Head, events = _recent.ToArray() }));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task receive = ReceiveUntilClosedAsync(socket, stop);
        try
        {
            await foreach (byte[] message in client.Queue.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, true, stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // closed by the client, dropped, or shutting down
        }
        finally
        {
            _clients.TryRemove(id, out _);
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await receive.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
            }

            if (socket.State == WebSocketState.Open)
            {
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
                {
                }
            }
        }
    }

    private static async Task ReceiveUntilClosedAsync(WebSocket socket, CancellationTokenSource stop)
    {
        byte[] buffer = new byte[1024];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                WebSocketReceiveResult r = await socket.ReceiveAsync(buffer, stop.Token).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private sealed record Client(WebSocket Socket, Channel<byte[]> Queue);
}
