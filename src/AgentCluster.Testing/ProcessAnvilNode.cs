using System.Diagnostics;
using System.Globalization;
using AgentCluster.Testing.Internal;

namespace AgentCluster.Testing;

/// <summary>
/// anvil as a child process on 127.0.0.1. Stop sends SIGTERM (anvil writes <c>--state</c>) and waits at most 15 s before killing;
/// start relaunches on the same port from that state; pause/unpause are SIGSTOP/SIGCONT; dispose kills it.
/// </summary>
internal sealed class ProcessAnvilNode : IAnvilNode
{
    private readonly AnvilOptions _options;
    private readonly string _executable;
    private readonly string _stateDirectory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<string> _output = [];
    private Process? _process;
    private bool _paused;
    private bool _disposed;

    private ProcessAnvilNode(string executable, int port, AnvilOptions options)
    {
        _executable = executable;
        _options = options;
        Port = port;
        RpcUrl = new Uri($"http://127.0.0.1:{port}/");
        _stateDirectory = Directory.CreateTempSubdirectory("agentcluster-anvil-").FullName;
    }

    public Uri RpcUrl { get; }

    public int Port { get; }

    public string Kind => AnvilKinds.Process;

    public ulong ChainId => _options.ChainId;

    /// <summary>The process id while running (for diagnostics and tests).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public static async Task<ProcessAnvilNode> StartAsync(AnvilOptions options, CancellationToken ct)
    {
        string executable = Locator.AnvilExecutable();
        for (int attempt = 1; ; attempt++)
        {
            var node = new ProcessAnvilNode(executable, options.Port ?? Net.FreePort(), options);
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

    private string StateFile => Path.Combine(_stateDirectory, "state.json");

    public async Task StartAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is { HasExited: false })
            {
                return;
            }

            var info = new ProcessStartInfo(_executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { "--host", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--state", StateFile })
            {
                info.ArgumentList.Add(arg);
            }

            foreach (string arg in _options.ToArguments())
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["NO_COLOR"] = "1";
            var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => Record(e.Data);
            process.ErrorDataReceived += (_, e) => Record(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            _paused = false;

            bool ready = await Net.WaitForChainIdAsync(RpcUrl, ChainId, _options.StartTimeout, () => !process.HasExited, ct).ConfigureAwait(false);
            if (!ready)
            {
                if (process.HasExited)
                {
                    throw new AnvilException($"anvil exited with code {process.ExitCode} while starting on {RpcUrl}.\n{Output}".TrimEnd(), exitedWhileStarting: true);
                }

                KillNow();
                throw new AnvilException($"anvil did not answer eth_chainId on {RpcUrl} within {_options.StartTimeout.TotalSeconds:0.#} s.\n{Output}".TrimEnd());
            }
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
            if (_process is not { HasExited: false } process)
            {
                return;
            }

            Native.Signal(process.Id, Native.SigTerm);
            if (_paused)
            {
                Native.Signal(process.Id, Native.SigCont); // a stopped process handles the pending SIGTERM once continued
                _paused = false;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                KillNow();
                throw new AnvilException($"anvil did not stop within 15 s of SIGTERM (killed; its state may be lost).\n{Output}".TrimEnd());
            }

            process.Dispose();
            _process = null;
            if (!File.Exists(StateFile))
            {
                throw new AnvilException($"anvil stopped without writing its state to {StateFile}; a restart would lose the chain.\n{Output}".TrimEnd());
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
            if (_process is not { HasExited: false } process)
            {
                throw new InvalidOperationException("The anvil node is stopped; only a running node can be paused.");
            }

            Native.Signal(process.Id, Native.SigStop);
            _paused = true;
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
            if (_paused && _process is { HasExited: false } process)
            {
                Native.Signal(process.Id, Native.SigCont);
            }

            _paused = false;
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
            if (_process is { } process)
            {
                KillNow();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // SIGKILL was sent; the kernel reaps it. Nothing else can be done.
                }

                process.Dispose();
                _process = null;
            }

            try
            {
                Directory.Delete(_stateDirectory, recursive: true);
            }
            catch (IOException)
            {
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

    /// <summary>SIGKILL, without waiting (also used at process exit).</summary>
    internal void KillNow()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public override string ToString() => $"anvil process {RpcUrl} (chain {ChainId})";

    private string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 400)
            {
                _output.RemoveRange(0, 200);
            }
        }
    }
}
