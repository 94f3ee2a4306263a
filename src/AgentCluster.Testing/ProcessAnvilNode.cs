using System.Diagnostics;
using System.Globalization;
using AgentCluster.Testing.Internal;

namespace AgentCluster.Testing;

/// <summary>
/// anvil as a child process on 127.0.0.1. Stop sends SIGTERM (anvil writes <c>--state</c>) and waits at most
/// <see cref="AnvilOptions.StopTimeout"/> (15 s by default) before killing;
/// start relaunches on the same port from that state; pause/unpause are SIGSTOP/SIGCONT; dispose kills it.
/// </summary>
internal sealed class ProcessAnvilNode : AnvilNodeBase
{
    private readonly string _executable;
    private readonly List<string> _output = [];
    private Process? _process;

    private ProcessAnvilNode(string executable, int port, AnvilOptions options)
        : base(options)
    {
        _executable = executable;
        Port = port;
        RpcUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    public override Uri RpcUrl { get; }

    public int Port { get; }

    public override string Kind => AnvilKinds.Process;

    protected override bool IsRunning => _process is { HasExited: false };

    /// <summary>The process id while running (for diagnostics and tests).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public static Task<ProcessAnvilNode> StartAsync(AnvilOptions options, CancellationToken ct)
    {
        string executable = Locator.AnvilExecutable();
        return StartNewAsync(() => new ProcessAnvilNode(executable, options.Port ?? Net.FreePort(), options), options, ct);
    }

    private string StateFile => Options.StateFile is { } file ? Path.GetFullPath(file) : Path.Combine(StateDirectory, "state.json");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
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

        foreach (string arg in Options.ToArguments())
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

        // Ready when the chain id answers AND this anvil said it listens on the port: the loopback is shared, and another node that took
        // the port after it was chosen would answer the same chain id (this anvil then exits, and the start is tried on another port).
        DateTime until = DateTime.UtcNow + Options.StartTimeout;
        bool ready = await Net.WaitForChainIdAsync(RpcUrl, ChainId, Options.StartTimeout, () => !process.HasExited, ct).ConfigureAwait(false);
        while (ready && !Net.SaysListening(Output, RpcUrl))
        {
            if (process.HasExited || DateTime.UtcNow > until)
            {
                ready = false;
                break;
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        if (!ready)
        {
            if (process.HasExited)
            {
                throw new AnvilException($"anvil exited with code {process.ExitCode} while starting on {RpcUrl}.\n{Output}".TrimEnd(), exitedWhileStarting: true);
            }

            KillNow();
            throw new AnvilException($"anvil did not answer eth_chainId on {RpcUrl} within {Options.StartTimeout.TotalSeconds:0.#} s.\n{Output}".TrimEnd());
        }
    }

    protected override async Task StopCoreAsync(bool paused, CancellationToken ct)
    {
        Process process = _process!;
        Native.Signal(process.Id, Native.SigTerm);
        if (paused)
        {
            Native.Signal(process.Id, Native.SigCont); // a stopped process handles the pending SIGTERM once continued
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.StopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            KillNow();
            throw new AnvilException($"anvil did not stop within {Options.StopTimeout.TotalSeconds:0} s of SIGTERM (killed; its state may be lost).\n{Output}".TrimEnd());
        }

        process.Dispose();
        _process = null;
        if (!File.Exists(StateFile))
        {
            throw new AnvilException($"anvil stopped without writing its state to {StateFile}; a restart would lose the chain.\n{Output}".TrimEnd());
        }
    }

    protected override async Task PauseCoreAsync(CancellationToken ct)
    {
        int pid = _process!.Id;
        Native.Signal(pid, Native.SigStop);
        // SIGSTOP takes effect when each thread is next scheduled: return only once every thread is stopped, so a request sent
        // after PauseAsync really meets a hung node.
        await Native.WaitUntilStoppedAsync(pid, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
    }

    protected override Task UnpauseCoreAsync(CancellationToken ct)
    {
        Native.Signal(_process!.Id, Native.SigCont);
        return Task.CompletedTask;
    }

    protected override async ValueTask DisposeCoreAsync()
    {
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
