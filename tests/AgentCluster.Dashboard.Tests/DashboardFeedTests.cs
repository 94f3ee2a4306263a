using System.Net.WebSockets;
using AgentCluster.Keepers.Indexing;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Dashboard.Tests;

/// <summary>The broadcaster's bound: a client that stops reading is dropped, not buffered without end (no node, no browser).</summary>
public sealed class DashboardFeedTests
{
    [Test]
    public async Task ASlowClient_IsDropped_OnceItsQueueIsFull_AndOthersKeepGoing()
    {
        var log = new ListLogger();
        using var factory = LoggerFactory.Create(b => b.AddProvider(log));
        var feed = new DashboardFeed(new DashboardOptions { IndexDbPath = "unused.db", ClientQueueLimit = 4 }, factory.CreateLogger<DashboardFeed>());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stuck = new FakeSocket(stuck: true);
        var reader = new FakeSocket(stuck: false);
        Task stuckServe = feed.ServeAsync(stuck, cts.Token);
        Task readerServe = feed.ServeAsync(reader, cts.Token);
        while (feed.ClientCount < 2)
        {
            await Task.Delay(10, cts.Token);
        }

        DateTimeOffset t = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var snapshot = new NetworkSnapshot(new IndexHead(1, null, t, 0), t, [], [], [], [], new NetworkEconomy(0, 0, 0, 0, 0), []);
        for (int i = 0; i < 10; i++)
        {
            feed.SampleHealth(snapshot);
            await Task.Delay(20, cts.Token); // the reading client keeps up
        }

        await stuckServe.WaitAsync(cts.Token);
        Assert.That(stuck.Aborted, Is.True, "the stuck client's socket was aborted");
        Assert.That(feed.ClientCount, Is.EqualTo(1), "only the stuck client was dropped");
        Assert.That(reader.Sent, Is.GreaterThanOrEqualTo(11), "the reading client got the hello and every sample");
        Assert.That(log.Entries.Select(e => e.Id.Id), Does.Contain(4304));
        await cts.CancelAsync();
        await readerServe.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>A WebSocket whose sends never complete (stuck) or complete at once; its receive waits until cancelled.</summary>
    private sealed class FakeSocket(bool stuck) : WebSocket
    {
        private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _sent;

        public bool Aborted => _aborted.Task.IsCompleted;

        public int Sent => Volatile.Read(ref _sent);

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => Aborted ? WebSocketState.Aborted : WebSocketState.Open;

        public override string? SubProtocol => null;

        public override void Abort() => _aborted.TrySetResult();

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Dispose()
        {
        }

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            await Task.WhenAny(_aborted.Task, Task.Delay(Timeout.Infinite, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
        }

        public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            if (stuck)
            {
                await Task.WhenAny(_aborted.Task, Task.Delay(Timeout.Infinite, cancellationToken));
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
            }

            Interlocked.Increment(ref _sent);
        }
    }
}
