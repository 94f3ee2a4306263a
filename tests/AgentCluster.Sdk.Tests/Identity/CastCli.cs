using System.Diagnostics;

namespace AgentCluster.Sdk.Tests.Identity;

/// <summary>
/// Foundry's cast as an independent oracle for the identity tests: node_modules/.bin/cast found by walking up from the test
/// directory (or the CAST environment variable). Each run is bounded by <see cref="Timeout"/>.
/// </summary>
internal static class CastCli
{
    private static readonly Lazy<string> Executable = new(Locate);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs cast and returns stdout trimmed; fails the test with stderr on a non-zero exit.</summary>
    public static string Run(params string[] args)
    {
        var (code, stdout, stderr) = TryRun(args);
        if (code != 0)
        {
            Assert.Fail($"cast {string.Join(' ', args)} exited {code}: {stderr.Trim()}");
        }

        return stdout.Trim();
    }

    /// <summary>Runs cast and returns its exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) TryRun(params string[] args)
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
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"cast {args.FirstOrDefault()} {args.Skip(1).FirstOrDefault()} did not finish within {Timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
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

        Assert.Fail("Foundry's cast was not found under node_modules/.bin (run scripts/setup) and CAST is not set.");
        return null!;
    }
}

/// <summary>Test keys: random 32-byte keys (seeded), optionally below 2^248 (first byte zero), as hex.</summary>
internal static class TestKeys
{
    public static byte[] Random(Random rng, bool leadingZero = false)
    {
        var key = new byte[32];
        rng.NextBytes(key);
        key[0] = leadingZero ? (byte)0 : (byte)(key[0] | 1); // non-zero first byte, and well below the group order either way
        if (leadingZero)
        {
            key[1] |= 0x10; // a 31-byte key, still far from zero
        }

        return key;
    }

    public static string Hex(byte[] key) => "0x" + Convert.ToHexString(key).ToLowerInvariant();

    public static string NewDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ac-ident-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
