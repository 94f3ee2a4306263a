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

    public static uint UserId() => getuid();

    public static uint GroupId() => getgid();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint getuid();

    [DllImport("libc")]
    private static extern uint getgid();
}
