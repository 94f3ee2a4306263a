using System.CommandLine;
using System.Diagnostics;

namespace AgentCluster.Cli.Deploy;

/// <summary>
/// <c>agentcluster deploy ARGS...</c> is the repository's <c>scripts/deploy ARGS...</c>: the checkout is found from
/// <c>$AGENTCLUSTER_ROOT</c> or by walking up from the current directory to a directory with <c>scripts/deploy</c>; the arguments are
/// passed through untouched (<c>--help</c> included), its stdout and stderr are streamed, its exit code is returned.
/// </summary>
internal static class DeployCommand
{
    public const string RootVariable = "AGENTCLUSTER_ROOT";

    /// <summary>The entry in the command tree (for the root help); <see cref="Run"/> does the work before System.CommandLine parses.</summary>
    public static Command Build() =>
        new("deploy", "Deploys the suite and writes its manifest: runs the checkout's scripts/deploy with the same arguments (agentcluster deploy --help shows them).");

    /// <summary>Runs scripts/deploy with <paramref name="args"/>; 2 with a message when there is no checkout.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? root = FindRoot(out string? problem);
        if (root is null)
        {
            error.WriteLine($"agentcluster deploy: {problem}");
            return ExitCodes.Usage;
        }

        var info = new ProcessStartInfo(Path.Combine(root, "scripts", "deploy"))
        {
            WorkingDirectory = Directory.GetCurrentDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error.WriteLine($"agentcluster deploy: cannot run {info.FileName}: {e.Message}");
            return ExitCodes.BadInput;
        }

        Task outPump = PumpAsync(process.StandardOutput, output);
        Task errPump = PumpAsync(process.StandardError, error);
        process.WaitForExit();
        Task.WaitAll(outPump, errPump);
        return process.ExitCode;
    }

    /// <summary>The checkout's root: $AGENTCLUSTER_ROOT, else the nearest directory at or above the current one with scripts/deploy.</summary>
    internal static string? FindRoot(out string? problem)
    {
        problem = null;
        if (Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } given)
        {
            if (File.Exists(Path.Combine(given, "scripts", "deploy")))
            {
                return Path.GetFullPath(given);
            }

            problem = $"${RootVariable} is {given}, which has no scripts/deploy: it must name an AgentCluster checkout.";
            return null;
        }

        string start = Directory.GetCurrentDirectory();
        for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "deploy")))
            {
                return dir.FullName;
            }
        }

        problem = $"not inside an AgentCluster checkout: no scripts/deploy in {start} or any directory above it. Run it from a checkout, or set ${RootVariable} to one.";
        return null;
    }

    private static async Task PumpAsync(StreamReader from, TextWriter to)
    {
        char[] buffer = new char[4096];
        int n;
        while ((n = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (to)
            {
                to.Write(buffer, 0, n);
                to.Flush();
            }
        }
    }
}
