using AgentCluster.Testing.Containers;
using AgentCluster.Testing.Internal;
using DotNet.Testcontainers.Containers;

namespace AgentCluster.Testing;

/// <summary>anvil in a container (Testcontainers), its state in a host temp directory bind-mounted at /state.</summary>
internal sealed class ContainerAnvilNode : AnvilNodeBase
{
    private readonly AnvilContainer _container;
    private bool _running;

    private ContainerAnvilNode(string image, AnvilOptions options)
        : base(options)
    {
        AnvilBuilder builder = new AnvilBuilder(image)
            .WithChainId(options.ChainId)
            .WithStateDirectory(StateDirectory)
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

        _container = builder.Build();
        RpcUrl = _container.GetRpcUrl();
    }

    public override Uri RpcUrl { get; }

    public override string Kind => AnvilKinds.Container;

    /// <summary>The container's id (for diagnostics).</summary>
    public string ContainerId => _container.Id;

    protected override bool IsRunning => _running;

    public static Task<ContainerAnvilNode> StartAsync(string image, AnvilOptions options, CancellationToken ct) =>
        StartNewAsync(() => new ContainerAnvilNode(image, options), options, ct);

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.StartTimeout + TimeSpan.FromSeconds(30)); // creation + the wait strategy's own bound
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
    }

    protected override async Task StopCoreAsync(bool paused, CancellationToken ct)
    {
        if (paused)
        {
            await _container.UnpauseAsync(ct).ConfigureAwait(false); // a frozen anvil cannot handle SIGTERM and dump its state
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await _container.StopAsync(timeout.Token).ConfigureAwait(false);
        _running = false;
        if (!File.Exists(Path.Combine(StateDirectory, "state.json")))
        {
            throw new AnvilException($"anvil stopped without writing its state to {StateDirectory}; a restart would lose the chain.\n{await LogsAsync().ConfigureAwait(false)}".TrimEnd());
        }
    }

    protected override Task PauseCoreAsync(CancellationToken ct) => _container.PauseAsync(ct);

    protected override Task UnpauseCoreAsync(CancellationToken ct) => _container.UnpauseAsync(ct);

    protected override ValueTask DisposeCoreAsync() => _container.DisposeAsync(); // removes the container (force), paused or not

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
