using System.Globalization;
using System.Text.Json;
using AgentCluster.Sdk;

namespace AgentCluster.Cli.Localnet;

/// <summary>
/// What a localnet keeps in its directory between two <c>up</c>s (docs/localnet.md, "As built: lifecycle"): the chain
/// (<c>anvil-state.json</c>, written by anvil when it is stopped), the manifest, the run's seed and size (<c>localnet.json</c>), the
/// keepers' journal and index, the swarm's journals and salts (<c>swarm/</c>), and <c>anvil.pid</c> while anvil runs.
/// </summary>
internal sealed class LocalnetState(string root)
{
    /// <summary>The directory.</summary>
    public string Root { get; } = root;

    /// <summary>anvil's saved chain (anvil <c>--state</c>).</summary>
    public string AnvilStateFile => Path.Combine(Root, "anvil-state.json");

    /// <summary>The deployment manifest of the saved chain.</summary>
    public string ManifestFile => Path.Combine(Root, "manifest.json");

    /// <summary>The saved run's seed, agents and chain id.</summary>
    public string RunFile => Path.Combine(Root, "localnet.json");

    /// <summary>The pid of the anvil of the <c>up</c> running now (deleted at a clean stop).</summary>
    public string PidFile => Path.Combine(Root, "anvil.pid");

    /// <summary>The size of the saved chain (0: none).</summary>
    public long SavedChainBytes() => File.Exists(AnvilStateFile) ? new FileInfo(AnvilStateFile).Length : 0;

    /// <summary>The saved run, or null when there is nothing to resume (no saved chain, run or manifest).</summary>
    public SavedRun? Saved()
    {
        if (!File.Exists(AnvilStateFile) || !File.Exists(RunFile) || !File.Exists(ManifestFile))
        {
            return null;
        }

        try
        {
            SavedRun? run = JsonSerializer.Deserialize<SavedRun>(File.ReadAllText(RunFile));
            return run is { Agents: >= 11, ChainId: > 0 } ? run : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The saved chain's deployment.</summary>
    public DeploymentManifest Manifest() => DeploymentManifest.Load(ManifestFile);

    /// <summary>Records the run of a fresh chain (after its deployment).</summary>
    public void Save(SavedRun run) => File.WriteAllText(RunFile, JsonSerializer.Serialize(run));

    /// <summary>Deletes everything of a previous chain: its state, run, manifest, the keepers' journal and index, the swarm's files.</summary>
    public void Clear()
    {
        foreach (string file in new[] { AnvilStateFile, RunFile, ManifestFile, PidFile }.Concat(Directory.EnumerateFiles(Root, "*.db*")))
        {
            File.Delete(file);
        }

        if (Directory.Exists(Path.Combine(Root, "swarm")))
        {
            Directory.Delete(Path.Combine(Root, "swarm"), recursive: true);
        }
    }

    /// <summary>Writes the pids of this run's anvil.</summary>
    public void WritePids(IEnumerable<int> pids) =>
        File.WriteAllLines(PidFile, pids.Select(p => p.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Deletes the pid file (a clean stop).</summary>
    public void ForgetPids() => File.Delete(PidFile);

    /// <summary>
    /// An anvil an earlier <c>up</c> on this directory left running (its command was killed, e.g. <c>kill -9</c>): every pid of
    /// <c>anvil.pid</c> whose process is named anvil and whose command line names this directory's state file. It is sent SIGTERM (so it
    /// writes its chain) and killed if it has not exited within 3 minutes (a large chain takes a while to write). Returns the pids
    /// stopped. A pid reused by another process is left.
    /// </summary>
    public async Task<IReadOnlyList<int>> StopOrphansAsync(CancellationToken ct)
    {
        if (!File.Exists(PidFile))
        {
            return [];
        }

        var stopped = new List<int>();
        foreach (string line in File.ReadAllLines(PidFile))
        {
            if (!int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || !IsOurAnvil(pid))
            {
                continue;
            }

            System.Diagnostics.Process process;
            try
            {
                process = System.Diagnostics.Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                continue; // exited meanwhile
            }

            using var owned = process;
            if (Posix.Kill(pid, Posix.SigTerm) != 0)
            {
                continue;
            }

            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromMinutes(3));
            try
            {
                // Not our child: WaitForExitAsync works for any process on Linux (it polls the pid).
                await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                process.Kill();
            }

            stopped.Add(pid);
        }

        File.Delete(PidFile);
        return stopped;
    }

    /// <summary>True when <paramref name="pid"/> runs anvil with this directory's state file on its command line.</summary>
    internal bool IsOurAnvil(int pid)
    {
        try
        {
            string proc = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture));
            if (File.ReadAllText(Path.Combine(proc, "comm")).Trim() != "anvil")
            {
                return false;
            }

            string[] args = File.ReadAllText(Path.Combine(proc, "cmdline")).Split('\0');
            return args.Contains(Path.GetFullPath(AnvilStateFile), StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return false; // gone
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>What <c>localnet.json</c> records of the run that deployed a saved chain.</summary>
/// <param name="Seed">The <c>--seed</c>.</param>
/// <param name="Agents">The <c>--agents</c>.</param>
/// <param name="ChainId">The chain id.</param>
/// <param name="Created">When the chain was deployed (UTC).</param>
internal sealed record SavedRun(int Seed, int Agents, ulong ChainId, DateTimeOffset Created);

/// <summary>kill(2), for a process that is not our child.</summary>
internal static class Posix
{
    /// <summary>SIGTERM.</summary>
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/>; 0 on success.</summary>
    public static int Kill(int pid, int signal) => kill(pid, signal);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
