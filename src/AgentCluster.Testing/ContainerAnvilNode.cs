using AgentCluster.Testing.Containers;
using AgentCluster.Testing.Internal;
using DotNet.Testcontainers.Containers;

namespace AgentCluster.Testing;

/// <summary>anvil in a container (Testcontainers), its state in a host temp directory bind-mounted at /state.</summary>
internal sealed class ContainerAnvilNode : IAnvilNode
{
    private readonly AnvilContainer _container;
    private readonly string _stateDirectory;
    private readonly AnvilOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _running;
    private bool _paused;
    private bool _disposed;

    private ContainerAnvilNode(AnvilContainer container, string stateDirectory, AnvilOptions options)
    {
        _container = container;
        _stateDirectory = stateDirectory;
        _options = options;
        RpcUrl = container.GetRpcUrl();
    }

    public Uri RpcUrl { get; }

    public string Kind => AnvilKinds.Container;

    public ulong ChainId => _options.ChainId;

    /// <summary>The container's id (for diagnostics).</summary>
    public string ContainerId => _container.Id;

    public static async Task<ContainerAnvilNode> StartAsync(string image, AnvilOptions options, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            ContainerAnvilNode node = Create(image, options);
            LiveNodes.Add(node);
            try
            {
                await node.StartAsync(ct).ConfigureAwait(false);
                return node;
            }
            catch (AnvilException e) when (options.Port is null && attempt < 3 && e.ExitedWhileStarting)
            {
                // The free port was taken between choosing and binding it: try another one.
                await node.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static ContainerAnvilNode Create(string image, AnvilOptions options)
    {
        string stateDirectory = Directory.CreateTempSubdirectory("agentcluster-anvil-").FullName;
        AnvilBuilder builder = new AnvilBuilder(image)
            .WithChainId(options.ChainId)
            .WithStateDirectory(stateDirectory)
            .WithStartTimeout(options.StartTimeout);
        if (options.Port is { } port)
        {
            builder = builder.WithAnvilPort(port);
        }

        string[] rest = options.ToArguments().Skip(2).ToArray(); // --chain-id is set by WithChainId
        if (rest.Length > 0)
        {
            builder = builder.WithCommand(rest);
        }

        return new ContainerAnvilNode(builder.Build(), stateDirectory, options);
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_running)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.StartTimeout + TimeSpan.FromSeconds(30)); // creation + the wait strategy's own bound
            try
            {
                await _container.StartAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (AnvilException)
            {
                throw;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                throw new AnvilException($"The anvil container did not start on {RpcUrl}: {e.Message}\n{await LogsAsync().ConfigureAwait(false)}".TrimEnd(), e);
            }

            _running = true;
            _paused = false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_running)
            {
                return;
            }

            if (_paused)
            {
                await _container.UnpauseAsync(ct).ConfigureAwait(false); // a frozen anvil cannot handle SIGTERM and dump its state
                _paused = false;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await _container.StopAsync(timeout.Token).ConfigureAwait(false);
            _running = false;
            if (!File.Exists(Path.Combine(_stateDirectory, "state.json")))
            {
                throw new AnvilException($"anvil stopped without writing its state to {_stateDirectory}; a restart would lose the chain.\n{await LogsAsync().ConfigureAwait(false)}".TrimEnd());
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task PauseAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_running)
            {
                throw new InvalidOperationException("The anvil node is stopped; only a running node can be paused.");
            }

            if (!_paused)
            {
                await _container.PauseAsync(ct).ConfigureAwait(false);
                _paused = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task UnpauseAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_paused)
            {
                await _container.UnpauseAsync(ct).ConfigureAwait(false);
                _paused = false;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            LiveNodes.Remove(this);
            await _container.DisposeAsync().ConfigureAwait(false); // removes the container (force), paused or not
            try
            {
                Directory.Delete(_stateDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override string ToString() => $"anvil container {RpcUrl} (chain {ChainId})";

    private async Task<string> LogsAsync()
    {
        try
        {
            if (_container.State is TestcontainersStates.Undefined)
            {
                return "";
            }

            (string stdout, string stderr) = await _container.GetLogsAsync().ConfigureAwait(false);
            return string.Join('\n', (stdout + stderr).Split('\n').TakeLast(40));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"(no logs: {e.Message})";
        }
    }
}
