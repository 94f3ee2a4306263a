using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;

namespace AgentCluster.Keepers.Tests.Faults;

/// <summary>One line of a keeper process's log (the JSON console formatter: one object per line).</summary>
internal sealed record KeeperLogLine(int EventId, string Level, string Category, string Message, DateTimeOffset At);

/// <summary>
/// What a keeper process needs to start: the chain, the manifest, its key, its journal and index database (kept across restarts of the
/// same keeper), its peers and the duties' poll interval.
/// </summary>
internal sealed record KeeperProcessSettings(
    string Name, Uri RpcUrl, string ManifestPath, string PrivateKey, string JournalPath, string? IndexDbPath, IReadOnlyList<string> Peers,
    TimeSpan PollInterval, TimeSpan TakeOverAfter);

/// <summary>
/// A real keeper process: <c>dotnet agentcluster.dll keepers run</c> (the CLI built beside these tests, see the test project's reference to
/// AgentCluster.Cli), bound to 127.0.0.1 (its health port is a free local port; the node is the suite's loopback anvil), its settings from
/// the environment (<c>AgentCluster__Keepers__*</c>), its log read from stdout as JSON lines. <see cref="KillAsync"/> is SIGKILL (the
/// process tree): the journal and the index database stay as the dead process left them, as after a crash. Disposing kills it too.
/// </summary>
internal sealed class KeeperProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(15);
    private readonly Process _process;
    private readonly ConcurrentQueue<KeeperLogLine> _lines;
    private readonly ConcurrentQueue<string> _raw = new();

    private KeeperProcess(KeeperProcessSettings settings, Process process, ConcurrentQueue<KeeperLogLine> lines, int healthPort)
    {
        Settings = settings;
        _process = process;
        _lines = lines;
        HealthPort = healthPort;
    }

    /// <summary>The settings it was started with.</summary>
    public KeeperProcessSettings Settings { get; }

    /// <summary>The port of its /health and /metrics endpoint on 127.0.0.1.</summary>
    public int HealthPort { get; }

    /// <summary>Its operating-system process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether it has exited (or was killed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Every log line read so far (shared by the restarts of one keeper when started through <see cref="KeeperFleet"/>).</summary>
    public IReadOnlyCollection<KeeperLogLine> Logs => _lines;

    /// <summary>The built CLI (agentcluster.dll) of this checkout, in the same configuration as these tests.</summary>
    public static string CliPath()
    {
        string configuration = typeof(KeeperProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string? override_ = Environment.GetEnvironmentVariable("AGENTCLUSTER_CLI_DLL");
        if (!string.IsNullOrEmpty(override_))
        {
            return File.Exists(override_) ? override_ : throw new FileNotFoundException($"AGENTCLUSTER_CLI_DLL names {override_}, which does not exist.");
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "AgentCluster.Cli", "bin", configuration, "net10.0", "agentcluster.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"agentcluster.dll ({configuration}) was not found under src/AgentCluster.Cli/bin above {AppContext.BaseDirectory}; build src/AgentCluster.Cli (the test project references it) or set AGENTCLUSTER_CLI_DLL.");
    }

    /// <summary>Starts the keeper and waits (bounded) until its duties have started, so that a test knows it is running.</summary>
    public static async Task<KeeperProcess> StartAsync(KeeperProcessSettings s, ConcurrentQueue<KeeperLogLine> lines, CancellationToken ct)
    {
        // The health port is found free and then released for the keeper to bind: another process (tests run in parallel) may take it
        // in between, and the host then stops with "HttpListener could not be started". Only that start is tried again, on a new port.
        for (int attempt = 1; ; attempt++)
        {
            KeeperProcess? keeper = null;
            try
            {
                return await StartOnceAsync(s, lines, k => keeper = k, ct).ConfigureAwait(false);
            }
            catch (Exception) when (attempt < 3 && keeper is not null && keeper._raw.Any(l => l.Contains("HttpListener could not be started", StringComparison.Ordinal)))
            {
                TestContext.Progress.WriteLine($"[{s.Name}] its health port {keeper.HealthPort} was taken before it bound it; starting again on another port");
            }
        }
    }

    private static async Task<KeeperProcess> StartOnceAsync(KeeperProcessSettings s, ConcurrentQueue<KeeperLogLine> lines, Action<KeeperProcess> created,
        CancellationToken ct)
    {
        int port = FreePort();
        string work = Directory.CreateTempSubdirectory("keeper-proc-").FullName;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { CliPath(), "keepers", "run" })
        {
            info.ArgumentList.Add(arg);
        }

        string keyVariable = "AGENTCLUSTER_FAULTS_KEEPER_KEY";
        var env = info.Environment;
        foreach (string name in env.Keys.Where(k => k.StartsWith("AgentCluster__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            env.Remove(name);
        }

        env[keyVariable] = s.PrivateKey;
        env["DOTNET_ENVIRONMENT"] = "Production";
        env["AgentCluster__Keepers__RpcUrl"] = s.RpcUrl.ToString();
        env["AgentCluster__Keepers__ManifestPath"] = s.ManifestPath;
        env["AgentCluster__Keepers__PrivateKeyVariable"] = keyVariable;
        env["AgentCluster__Keepers__JournalPath"] = s.JournalPath;
        env["AgentCluster__Keepers__PollInterval"] = s.PollInterval.ToString("c", CultureInfo.InvariantCulture);
        env["AgentCluster__Keepers__HealthPort"] = port.ToString(CultureInfo.InvariantCulture);
        env["AgentCluster__Keepers__TakeOverAfter"] = s.TakeOverAfter.ToString("c", CultureInfo.InvariantCulture);
        if (s.IndexDbPath is not null)
        {
            env["AgentCluster__Keepers__IndexDbPath"] = s.IndexDbPath;
        }

        for (int i = 0; i < s.Peers.Count; i++)
        {
            env[$"AgentCluster__Keepers__Peers__{i}"] = s.Peers[i];
        }

        // One JSON object per log line; the transaction manager's sends (Debug) too, so that a re-broadcast shows in the log.
        env["Logging__Console__FormatterName"] = "json";
        env["Logging__Console__FormatterOptions__TimestampFormat"] = "O";
        env["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
        env["Logging__LogLevel__Default"] = "Information";
        env["Logging__LogLevel__AgentCluster.Transactions"] = "Debug";
        env["Logging__LogLevel__System.Net.Http"] = "Warning";
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Warning";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var keeper = new KeeperProcess(s, process, lines, port);
        created(keeper);
        process.OutputDataReceived += (_, e) => keeper.Read(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                keeper._raw.Enqueue(line);
                TestContext.Progress.WriteLine($"[{s.Name} stderr] {line}");
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        TestContext.Progress.WriteLine($"[{s.Name}] started pid {process.Id}, health port {port}");
        try
        {
            await keeper.WaitForLogAsync(l => l.EventId == 1000, "its duties started", TimeSpan.FromSeconds(60), ct, since: DateTimeOffset.MinValue);
        }
        catch
        {
            await keeper.KillAsync();
            throw;
        }

        return keeper;
    }

    /// <summary>
    /// Waits (bounded by <paramref name="limit"/>) for a log line matching <paramref name="match"/>, written at or after <paramref name="since"/>
    /// (default: any). Fails the test naming <paramref name="what"/> and the keeper's last lines when it does not come, or when the process exits.
    /// </summary>
    public async Task<KeeperLogLine> WaitForLogAsync(Func<KeeperLogLine, bool> match, string what, TimeSpan limit, CancellationToken ct,
        DateTimeOffset? since = null)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(limit);
        DateTimeOffset from = since ?? DateTimeOffset.MinValue;
        while (true)
        {
            if (_lines.FirstOrDefault(l => l.At >= from && match(l)) is { } found)
            {
                return found;
            }

            if (_process.HasExited)
            {
                Assert.Fail($"{Settings.Name} exited (code {_process.ExitCode}) before {what}.\n{Tail()}");
            }

            try
            {
                await Task.Delay(50, bound.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{Settings.Name}: timed out after {limit.TotalSeconds:0} s waiting for {what}.\n{Tail()}");
            }
        }
    }

    /// <summary>The last lines it wrote (for failure messages).</summary>
    public string Tail(int count = 25) =>
        string.Join('\n', _lines.TakeLast(count).Select(l => $"  {l.At:HH:mm:ss.fff} {l.Level} {l.EventId} {l.Message}")
            .Concat(_raw.TakeLast(10).Select(r => "  (raw) " + r)));

    /// <summary>SIGKILL of the process tree (no shutdown: as a crash or an OOM kill); returns once it is gone (bounded).</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(ExitWait);
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        catch (TimeoutException)
        {
            TestContext.Progress.WriteLine($"[{Settings.Name}] pid {_process.Id} did not exit within {ExitWait.TotalSeconds} s of SIGKILL");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Read(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        if (!line.StartsWith('{'))
        {
            _raw.Enqueue(line);
            return;
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            DateTimeOffset at = root.TryGetProperty("Timestamp", out JsonElement ts) && DateTimeOffset.TryParse(ts.GetString(), CultureInfo.InvariantCulture, out DateTimeOffset t)
                ? t : DateTimeOffset.UtcNow;
            string message = root.TryGetProperty("Message", out JsonElement m) ? m.GetString() ?? "" : "";
            if (root.TryGetProperty("Exception", out JsonElement ex) && ex.GetString() is { Length: > 0 } exception)
            {
                message += " | " + exception.Split('\n')[0];
            }

            var entry = new KeeperLogLine(root.TryGetProperty("EventId", out JsonElement id) ? id.GetInt32() : 0,
                root.TryGetProperty("LogLevel", out JsonElement lv) ? lv.GetString() ?? "" : "",
                root.TryGetProperty("Category", out JsonElement c) ? c.GetString() ?? "" : "", message, at);
            _lines.Enqueue(entry);
            if (entry.Level is not "Debug" and not "Trace")
            {
                TestContext.Progress.WriteLine($"[{Settings.Name}] {entry.Level} {entry.EventId} {entry.Message}");
            }
        }
        catch (JsonException)
        {
            _raw.Enqueue(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
