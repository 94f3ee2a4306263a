using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AgentCluster.Keepers.Tests.Faults;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the node, for "RPC unreachable": while <see cref="Down"/> it resets every open connection and every
/// new one at once (SO_LINGER 0: the client sees a connection reset, as when a network path or a load balancer drops it); up, it pipes bytes
/// both ways. The node itself keeps running (and keeps serving the test's own agents, which talk to it directly).
/// </summary>
internal sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly Task _accepting;
    private volatile bool _down;

    public LoopbackProxy(Uri upstream)
    {
        _upstream = upstream;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The proxy's URL: give it to the keepers as their RPC URL.</summary>
    public Uri Url { get; }

    /// <summary>Connections reset while down (for the test's record).</summary>
    public int Resets => _resets;

    private int _resets;

    /// <summary>Whether connections are being reset.</summary>
    public bool Down
    {
        get => _down;
        set
        {
            _down = value;
            if (value)
            {
                foreach (TcpClient c in _open.Keys)
                {
                    Reset(c);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (TcpClient c in _open.Keys)
        {
            Reset(c);
        }

        try
        {
            await _accepting.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_down)
            {
                Reset(client);
                continue;
            }

            _ = Task.Run(() => PipeAsync(client));
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        var server = new TcpClient();
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            await server.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
            NetworkStream a = client.GetStream(), b = server.GetStream();
            Task up = a.CopyToAsync(b, _stop.Token), down = b.CopyToAsync(a, _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // reset by Down, or the node went away: the client sees the connection end
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(server, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    private void Reset(TcpClient c)
    {
        try
        {
            if (c.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                Interlocked.Increment(ref _resets);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
