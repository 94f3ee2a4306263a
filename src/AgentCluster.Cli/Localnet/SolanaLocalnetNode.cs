using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentCluster.Cli.Localnet;

/// <summary>
/// The Solana side's node: <c>scripts/solana-localnet --port P --dir &lt;dir&gt;/solana</c> as a child process of <c>localnet up</c>
/// (docs/localnet.md, "As built: Solana"). Started, read until it prints <c>ready</c> (bounded), stopped with SIGTERM (killed after
/// 15 s) with the rest of the run; its pid is kept in <c>&lt;dir&gt;/solana/solana-localnet.pid</c> so that the next <c>up</c> stops one an
/// earlier command left running (<c>kill -9</c>), as it does anvil's.
/// </summary>
internal sealed class SolanaLocalnetNode : IAsyncDisposable
{
    /// <summary>How long the server may take to print <c>ready</c> (it may build the program first when a source changed).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly string _pidFile;

    private SolanaLocalnetNode(Process process, string directory, Uri rpcUrl, SolanaLocalnetInfo info)
    {
        _process = process;
        Directory = directory;
        RpcUrl = rpcUrl;
        Info = info;
        _pidFile = PidFileOf(directory);
    }

    /// <summary>The server's directory (<c>&lt;dir&gt;/solana</c>): solana-localnet.json, authority.json, the pid file.</summary>
    public string Directory { get; }

    /// <summary>The JSON-RPC endpoint on 127.0.0.1.</summary>
    public Uri RpcUrl { get; }

    /// <summary>What the server wrote to <c>solana-localnet.json</c>.</summary>
    public SolanaLocalnetInfo Info { get; }

    /// <summary>The path of <c>solana-localnet.json</c> (the deployment file for the SDK and the CLI's <c>--deployment</c>).</summary>
    public string InfoPath => Path.Combine(Directory, "solana-localnet.json");

    /// <summary>The path of the authority's keypair (Solana CLI format), which approves attestors with set_attestor.</summary>
    public string AuthorityKeypairPath => Path.Combine(Directory, "authority.json");

    /// <summary>The server process's id (node: the script execs it).</summary>
    public int Pid => _process.Id;

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>The pid file of a server started on <paramref name="directory"/>.</summary>
    public static string PidFileOf(string directory) => Path.Combine(directory, "solana-localnet.pid");

    /// <summary>
    /// Starts the server on <paramref name="port"/> (0: a free one) with <paramref name="directory"/>, and returns once it printed
    /// <c>ready</c>. Throws <see cref="InvalidOperationException"/> with its output when it exits first or does not get ready in time.
    /// </summary>
    public static async Task<SolanaLocalnetNode> StartAsync(string repositoryRoot, string directory, int port, CancellationToken cancellationToken)
    {
        string script = Path.Combine(repositoryRoot, "scripts", "solana-localnet");
        System.IO.Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo(script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryRoot,
        };
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--dir");
        info.ArgumentList.Add(directory);
        // node from the checkout's node_modules/.bin first (as scripts/localnet has it), then the PATH.
        string bin = Path.Combine(repositoryRoot, "node_modules", ".bin");
        info.Environment["PATH"] = $"{bin}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {script}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        Uri? rpc = null;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                ready.TrySetException(new InvalidOperationException("scripts/solana-localnet closed its output before printing ready"));
                return;
            }

            lock (stdout)
            {
                stdout.AppendLine(line);
            }

            if (line.StartsWith("rpc: ", StringComparison.Ordinal) && Uri.TryCreate(line[5..].Trim(), UriKind.Absolute, out Uri? url))
            {
                rpc = url;
            }
            else if (line.Trim() == "ready")
            {
                if (rpc is { } u)
                {
                    ready.TrySetResult(u);
                }
                else
                {
                    ready.TrySetException(new InvalidOperationException("scripts/solana-localnet printed ready without an rpc: line"));
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (stderr)
                {
                    stderr.AppendLine(line);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        File.WriteAllText(PidFileOf(directory), process.Id.ToString(CultureInfo.InvariantCulture));

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(StartTimeout);
        Uri rpcUrl;
        try
        {
            Task exited = process.WaitForExitAsync(bound.Token);
            Task first = await Task.WhenAny(ready.Task, exited).ConfigureAwait(false);
            if (first != ready.Task)
            {
                await exited.ConfigureAwait(false); // an exit, or the bound's cancellation
                throw new InvalidOperationException(
                    $"scripts/solana-localnet exited with code {process.ExitCode} before it was ready:\n{Output(stdout, stderr)}");
            }

            rpcUrl = await ready.Task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await StopProcessAsync(process).ConfigureAwait(false);
            File.Delete(PidFileOf(directory));
            process.Dispose();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException(
                    $"scripts/solana-localnet was not ready within {StartTimeout.TotalMinutes:F0} minutes:\n{Output(stdout, stderr)}", e);
            }

            throw;
        }

        SolanaLocalnetInfo parsed = SolanaLocalnetInfo.Load(Path.Combine(directory, "solana-localnet.json"));
        var node = new SolanaLocalnetNode(process, directory, rpcUrl, parsed);
        lock (stderr)
        {
            node._stderr.Append(stderr);
        }

        return node;
    }

    /// <summary>SIGTERM, then a kill after 15 s; the pid file is deleted. Returns true when the process is gone.</summary>
    public async Task<bool> StopAsync()
    {
        await StopProcessAsync(_process).ConfigureAwait(false);
        File.Delete(_pidFile);
        return _process.HasExited;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>
    /// A server an earlier <c>up</c> on <paramref name="directory"/> left running (its command was killed): the pid of the pid file when
    /// that process is node running scripts/solana/server.mjs with this <c>--dir</c>; it is sent SIGTERM (killed after 15 s). Returns the
    /// pids stopped; a pid reused by another process is left.
    /// </summary>
    public static async Task<IReadOnlyList<int>> StopOrphansAsync(string directory, CancellationToken cancellationToken)
    {
        string pidFile = PidFileOf(directory);
        if (!File.Exists(pidFile))
        {
            return [];
        }

        var stopped = new List<int>();
        foreach (string line in File.ReadAllLines(pidFile))
        {
            if (!int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || !IsOurServer(pid, directory))
            {
                continue;
            }

            Process process;
            try
            {
                process = Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                continue;
            }

            using var owned = process;
            if (Posix.Kill(pid, Posix.SigTerm) != 0)
            {
                continue;
            }

            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill();
            }

            stopped.Add(pid);
        }

        File.Delete(pidFile);
        return stopped;
    }

    /// <summary>True when <paramref name="pid"/> is node running the localnet server with <c>--dir <paramref name="directory"/></c>.</summary>
    internal static bool IsOurServer(int pid, string directory)
    {
        try
        {
            string proc = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture));
            if (File.ReadAllText(Path.Combine(proc, "comm")).Trim() != "node")
            {
                return false;
            }

            string[] args = File.ReadAllText(Path.Combine(proc, "cmdline")).Split('\0');
            int dir = Array.IndexOf(args, "--dir");
            return args.Any(a => a.Contains("scripts/solana/server.mjs", StringComparison.Ordinal))
                   && dir >= 0 && dir + 1 < args.Length && args[dir + 1] == directory;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The checkout that has scripts/solana-localnet: AGENTCLUSTER_ROOT, else the nearest directory above the binaries or the working directory.</summary>
    public static string RepositoryRoot()
    {
        if (Environment.GetEnvironmentVariable("AGENTCLUSTER_ROOT") is { Length: > 0 } root)
        {
            return File.Exists(Path.Combine(root, "scripts", "solana-localnet"))
                ? Path.GetFullPath(root)
                : throw new CliInputException("--chain", $"AGENTCLUSTER_ROOT={root} has no scripts/solana-localnet.");
        }

        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "scripts", "solana-localnet")))
                {
                    return d.FullName;
                }
            }
        }

        throw new CliInputException("--chain",
            "the Solana localnet runs from a checkout of AgentCluster (scripts/solana-localnet); none was found above the binaries or the working directory (set AGENTCLUSTER_ROOT).");
    }

    /// <summary>What the server said on stderr while starting.</summary>
    public string StartupErrors => _stderr.ToString();

    private static async Task StopProcessAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        _ = Posix.Kill(process.Id, Posix.SigTerm);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string Output(StringBuilder stdout, StringBuilder stderr)
    {
        lock (stdout)
        {
            lock (stderr)
            {
                return $"{stdout}{stderr}".Trim();
            }
        }
    }
}

/// <summary>What the Solana localnet server writes to <c>solana-localnet.json</c> (localnet_info).</summary>
/// <param name="Rpc">The JSON-RPC endpoint.</param>
/// <param name="ProgramId">The AgentCluster program.</param>
/// <param name="Config">The config PDA.</param>
/// <param name="Mint">The ACC mint.</param>
/// <param name="Authority">The upgrade and config authority.</param>
/// <param name="Vaults">The vaults by name.</param>
internal sealed record SolanaLocalnetInfo(string Rpc, string ProgramId, string Config, string Mint, string Authority, IReadOnlyDictionary<string, string> Vaults)
{
    /// <summary>Reads the file; a <see cref="FormatException"/> names what is missing.</summary>
    public static SolanaLocalnetInfo Load(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement r = doc.RootElement;
        string Text(string name) => r.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"{path}: no \"{name}\"");
        var vaults = new Dictionary<string, string>(StringComparer.Ordinal);
        if (r.TryGetProperty("vaults", out JsonElement vs) && vs.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty p in vs.EnumerateObject())
            {
                vaults[p.Name] = p.Value.GetString() ?? "";
            }
        }

        return new SolanaLocalnetInfo(Text("rpc"), Text("programId"), Text("config"), Text("mint"), Text("authority"), vaults);
    }
}
