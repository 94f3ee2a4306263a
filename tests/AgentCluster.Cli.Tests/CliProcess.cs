using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AgentCluster.Cli.Tests;

/// <summary>
/// <c>agentcluster</c> run as a real process (<c>dotnet agentcluster.dll ...</c>) for the tests that must signal it: its stderr
/// collected as it comes, its stdout read to the end, signals sent by pid, every wait bounded; disposing kills what is left.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly StringBuilder _stderr = new();
    private readonly List<(string Marker, TaskCompletionSource Seen)> _markers = [];

    private CliProcess(Process process)
    {
        Process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
                foreach ((string marker, TaskCompletionSource seen) in _markers)
                {
                    if (e.Data?.Contains(marker, StringComparison.Ordinal) == true)
                    {
                        seen.TrySetResult();
                    }
                }
            }
        };
        process.BeginErrorReadLine();
        Stdout = process.StandardOutput.ReadToEndAsync();
    }

    public Process Process { get; }

    /// <summary>Everything written on stdout, once the process has closed it.</summary>
    public Task<string> Stdout { get; }

    /// <summary>stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet agentcluster.dll args...</c> in <paramref name="workingDirectory"/>.</summary>
    public static CliProcess Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "agentcluster.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return new CliProcess(Process.Start(info)!);
    }

    /// <summary>True once a stderr line contains <paramref name="marker"/>; false when the process exits or <paramref name="limit"/> passes first.</summary>
    public async Task<bool> WaitForStderrAsync(string marker, TimeSpan limit)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stderr)
        {
            if (_stderr.ToString().Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            _markers.Add((marker, seen));
        }

        await Task.WhenAny(seen.Task, Process.WaitForExitAsync(), Task.Delay(limit)).ConfigureAwait(false);
        return seen.Task.IsCompleted;
    }

    /// <summary>Sends a signal (e.g. "-TERM", "-KILL") to the process with <c>kill</c>.</summary>
    public async Task SignalAsync(string signal)
    {
        using Process kill = Process.Start("kill", [signal, Process.Id.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>True when the process exited within <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan limit)
    {
        Task exited = Process.WaitForExitAsync();
        return await Task.WhenAny(exited, Task.Delay(limit)).ConfigureAwait(false) == exited;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }
}
