using AgentCluster.Testing.Internal;

namespace AgentCluster.Testing;

/// <summary>
/// What the container node and the process node share: one gate around every state change, the running/paused/disposed rules
/// (start and stop are idempotent, only a running node can be paused, a paused node is continued before it is stopped so that
/// anvil can write its state, dispose works in any state), the retry of a start whose free port was taken meanwhile, and the
/// node's state directory. Each kind supplies the few operations that differ.
/// </summary>
internal abstract class AnvilNodeBase : IAnvilNode
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _paused;
    private bool _disposed;

    protected AnvilNodeBase(AnvilOptions options)
    {
        Options = options;
        StateDirectory = Directory.CreateTempSubdirectory("agentcluster-anvil-").FullName;
    }

    public abstract Uri RpcUrl { get; }

    public abstract string Kind { get; }

    public ulong ChainId => Options.ChainId;

    protected AnvilOptions Options { get; }

    /// <summary>A host directory of the node's own where anvil keeps its chain across stop/start (deleted on dispose).</summary>
    protected string StateDirectory { get; }

    protected abstract bool IsRunning { get; }

    /// <summary>True when block timestamps follow <see cref="AnvilOptions.BlockTimestampInterval"/> (evm_increaseTime is ignored then).</summary>
    internal bool FixesTimestamps => Options.BlockTimestampInterval is not null;

    protected abstract Task StartCoreAsync(CancellationToken ct);

    /// <summary>Stops anvil so that it writes its state; <paramref name="paused"/> says the node must be continued first.</summary>
    protected abstract Task StopCoreAsync(bool paused, CancellationToken ct);

    protected abstract Task PauseCoreAsync(CancellationToken ct);

    protected abstract Task UnpauseCoreAsync(CancellationToken ct);

    /// <summary>Kills/removes anvil whatever its state.</summary>
    protected abstract ValueTask DisposeCoreAsync();

    /// <summary>Creates and starts a node, choosing another free port (up to 3 attempts) when the chosen one was taken meanwhile.</summary>
    protected static async Task<T> StartNewAsync<T>(Func<T> create, AnvilOptions options, CancellationToken ct)
        where T : AnvilNodeBase
    {
        for (int attempt = 1; ; attempt++)
        {
            T node = create();
            LiveNodes.Add(node);
            try
            {
                await node.StartAsync(ct).ConfigureAwait(false);
                return node;
            }
            catch (AnvilException e) when (options.Port is null && attempt < 3 && e.ExitedWhileStarting)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    public Task StartAsync(CancellationToken ct = default) => UnderGateAsync(async () =>
    {
        if (!IsRunning)
        {
            await StartCoreAsync(ct).ConfigureAwait(false);
            _paused = false;
            if (Options.BlockTimestampInterval is { } interval)
            {
                await Net.CallAsync(RpcUrl, "anvil_setBlockTimestampInterval", $"[{(long)interval.TotalSeconds}]", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            }
        }
    }, ct);

    public Task StopAsync(CancellationToken ct = default) => UnderGateAsync(async () =>
    {
        if (IsRunning)
        {
            bool paused = _paused;
            _paused = false;
            await StopCoreAsync(paused, ct).ConfigureAwait(false);
        }
    }, ct);

    public Task PauseAsync(CancellationToken ct = default) => UnderGateAsync(async () =>
    {
        if (!IsRunning)
        {
            throw new InvalidOperationException("The anvil node is stopped; only a running node can be paused.");
        }

        if (!_paused)
        {
            await PauseCoreAsync(ct).ConfigureAwait(false);
            _paused = true;
        }
    }, ct);

    public Task UnpauseAsync(CancellationToken ct = default) => UnderGateAsync(async () =>
    {
        if (_paused && IsRunning)
        {
            await UnpauseCoreAsync(ct).ConfigureAwait(false);
        }

        _paused = false;
    }, ct);

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
            await DisposeCoreAsync().ConfigureAwait(false);
            try
            {
                Directory.Delete(StateDirectory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover temp directory is harmless.
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task UnderGateAsync(Func<Task> action, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await action().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
