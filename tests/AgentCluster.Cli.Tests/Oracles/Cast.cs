using System.Diagnostics;

namespace AgentCluster.Cli.Tests.Oracles;

/// <summary>Foundry's <c>cast</c> (node_modules/.bin, installed by scripts/setup; CAST=/path overrides) as an independent oracle.</summary>
internal static class Cast
{
    private static readonly Lazy<string> Executable = new(Locate);

    public static string Run(params string[] args)
    {
        var info = new ProcessStartInfo(Executable.Value) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cast {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return stdout.Result.Trim();
    }

    /// <summary>Runs the invocations on a few threads (each is a process).</summary>
    public static string[] RunMany(IReadOnlyList<string[]> invocations)
    {
        var results = new string[invocations.Count];
        Parallel.For(0, invocations.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = Run(invocations[i]));
        return results;
    }

    private static string Locate()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("CAST");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "node_modules", ".bin", "cast");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("Foundry's cast was not found under node_modules/.bin (run scripts/setup) and CAST is not set; the differential tests need it.");
        return null!;
    }
}
