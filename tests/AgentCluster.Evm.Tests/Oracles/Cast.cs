using System.Diagnostics;

namespace AgentCluster.Evm.Tests.Oracles;

/// <summary>Runs Foundry's <c>cast</c> (installed by scripts/setup under node_modules/.bin) as an independent oracle.</summary>
internal static class Cast
{
    private static readonly Lazy<string> Executable = new(Locate);

    /// <summary>The longest one cast invocation may take (cast answers offline commands in ~10-20 ms; scrypt keystores take longer).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string Path => Executable.Value;

    /// <summary>Runs cast with the arguments and returns stdout, trimmed; throws with stderr on a non-zero exit.</summary>
    public static string Run(params string[] args)
    {
        var (code, stdout, stderr) = TryRun(args);
        if (code != 0)
        {
            throw new InvalidOperationException($"cast {string.Join(' ', args)} exited {code}: {stderr.Trim()}");
        }

        return stdout.Trim();
    }

    /// <summary>Runs cast and returns its exit code, stdout and stderr (untrimmed), for commands expected to fail.</summary>
    public static (int ExitCode, string Stdout, string Stderr) TryRun(params string[] args)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cast {string.Join(' ', args.Select(a => a.Length > 80 ? a[..80] + "..." : a))} did not finish within {Timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs many cast invocations on a few threads (cast is a separate process each time).</summary>
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
            string candidate = System.IO.Path.Combine(dir.FullName, "node_modules", ".bin", "cast");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("Foundry's cast was not found under node_modules/.bin (run scripts/setup) and CAST is not set; the differential tests need it.");
        return null!;
    }
}
