using System.Diagnostics;
using AgentCluster.Solana;
using AgentCluster.Solana.Rpc;
using AgentCluster.Testing.Internal;

namespace AgentCluster.Testing.Solana;

/// <summary>The local Solana node could not be started (no checkout, no node, the script failed or never said ready).</summary>
public sealed class SolanaLocalnetException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A local Solana node for tests: the checkout's <c>scripts/solana-localnet --port 0 --dir &lt;temp&gt;</c> as a child process
/// (LiteSVM behind a JSON-RPC server on 127.0.0.1, the AgentCluster program deployed through the upgradeable loader and through
/// genesis), started by <see cref="StartAsync"/>, which returns once the script printed <c>ready</c>. Disposing kills the process
/// tree and deletes the directory. The repository is found as for anvil: AGENTCLUSTER_ROOT, else the nearest directory above the
/// test binaries (or the working directory) with scripts/deploy.
/// </summary>
public sealed class SolanaLocalnet : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private int _disposed;

    private SolanaLocalnet(Process process, string directory, string infoJson, LocalnetInfo info)
    {
        _process = process;
        Directory = directory;
        InfoJson = infoJson;
        Info = info;
    }

    /// <summary>The node's JSON-RPC URL (http://127.0.0.1:port).</summary>
    public Uri RpcUrl => Info.Rpc;

    /// <summary>The AgentCluster program's id.</summary>
    public PublicKey ProgramId => Info.ProgramId;

    /// <summary>The ACC mint.</summary>
    public PublicKey Mint => Info.Mint;

    /// <summary>The program's config account.</summary>
    public PublicKey Config => Info.Config;

    /// <summary>The upgrade and config authority's keypair file (Solana CLI format: a JSON array of 64 bytes).</summary>
    public string AuthorityKeypairPath => Info.AuthorityKeypairPath!;

    /// <summary>solana-localnet.json, parsed.</summary>
    public LocalnetInfo Info { get; }

    /// <summary>solana-localnet.json as the script wrote it.</summary>
    public string InfoJson { get; }

    /// <summary>The node's --dir (deleted on dispose).</summary>
    public string Directory { get; }

    /// <summary>The script's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the node's process has exited (or was killed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the node wrote (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    /// <summary>A client of this node (the caller disposes it).</summary>
    public SolanaRpcClient CreateClient(SolanaRpcOptions? options = null) => new(RpcUrl, options);

    /// <summary>
    /// Starts a node and waits (at most <paramref name="startTimeout"/>, default 2 minutes: the first start may build the program)
    /// for its ready line. Throws <see cref="SolanaLocalnetException"/> with the script's output when it fails.
    /// </summary>
    public static async Task<SolanaLocalnet> StartAsync(TimeSpan? startTimeout = null, CancellationToken cancellationToken = default)
    {
        TimeSpan timeout = startTimeout ?? TimeSpan.FromMinutes(2);
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(startTimeout), timeout, "The start timeout must be positive and at most one hour.");
        }

        string root;
        try
        {
            root = Locator.RepositoryRoot();
        }
        catch (AnvilException e)
        {
            throw new SolanaLocalnetException($"scripts/solana-localnet needs a checkout of the AgentCluster repository: {e.Message}", e);
        }

        string script = Path.Combine(root, "scripts", "solana-localnet");
        if (!File.Exists(script))
        {
            throw new SolanaLocalnetException($"{script} does not exist (this checkout predates the Solana localnet).");
        }

        string dir = Path.Combine(Path.GetTempPath(), "solana-localnet-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var info = new ProcessStartInfo(script)
        {
            ArgumentList = { "--port", "0", "--dir", dir },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        var nodeBin = Path.Combine(root, "node_modules", ".bin");
        info.Environment["PATH"] = nodeBin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        Process process = Process.Start(info) ?? throw new SolanaLocalnetException($"{script} did not start.");
        var lines = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add(e.Data);
                }
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new SolanaLocalnetException($"scripts/solana-localnet exited with code {SafeExitCode(process)} before it was ready."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            string json = await File.ReadAllTextAsync(Path.Combine(dir, "solana-localnet.json"), cancellationToken).ConfigureAwait(false);
            var node = new SolanaLocalnet(process, dir, json, LocalnetInfo.Parse(json));
            lock (lines)
            {
                node._output.AddRange(lines);
            }

            process.OutputDataReceived += (_, e) => node.Remember(e.Data);
            process.ErrorDataReceived += (_, e) => node.Remember(e.Data);
            return node;
        }
        catch (Exception e)
        {
            KillTree(process);
            process.Dispose();
            TryDelete(dir);
            string output;
            lock (lines)
            {
                output = string.Join('\n', lines.TakeLast(40));
            }

            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            string why = e is TimeoutException ? $"did not print ready within {timeout.TotalSeconds:0} s (killed)" : e.Message;
            throw new SolanaLocalnetException($"scripts/solana-localnet {why}\n{output}", e);
        }
    }

    /// <summary>Kills the node's process tree now (a test of an unreachable node); dispose still cleans up.</summary>
    public void Kill()
    {
        KillTree(_process);
        _process.WaitForExit(10_000);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        KillTree(_process);
        _process.WaitForExit(10_000);
        _process.Dispose();
        TryDelete(Directory);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"Solana localnet {RpcUrl} (program {ProgramId})";

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 200)
            {
                _output.RemoveRange(0, 100);
            }
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
