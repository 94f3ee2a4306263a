using System.Runtime.InteropServices;

namespace AgentCluster.Testing.Internal;

/// <summary>The few libc calls the process fallback needs (Linux signal numbers).</summary>
internal static class Native
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new AnvilException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastWin32Error()}.");
        }
    }

    /// <summary>Waits (bounded) until every thread of <paramref name="pid"/> is in the stopped state ('T' in /proc/pid/task/*/stat).</summary>
    public static async Task WaitUntilStoppedAsync(int pid, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (AllThreadsStopped(pid))
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new AnvilException($"anvil (pid {pid}) did not stop within {timeout.TotalSeconds:0} s of SIGSTOP.");
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    private static bool AllThreadsStopped(int pid)
    {
        try
        {
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                int close = stat.LastIndexOf(')');
                char state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
                if (state is not ('T' or 't'))
                {
                    return false;
                }
            }

            return true;
        }
        catch (IOException)
        {
            return false; // a thread came or went while reading: look again
        }
    }

    public static uint UserId() => getuid();

    public static uint GroupId() => getgid();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint getuid();

    [DllImport("libc")]
    private static extern uint getgid();
}
