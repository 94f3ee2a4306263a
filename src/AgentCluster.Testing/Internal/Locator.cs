using System.Security.Cryptography;

namespace AgentCluster.Testing.Internal;

/// <summary>Finds the repository (the directory with scripts/deploy), anvil and the image tag derived from anvil's binary.</summary>
internal static class Locator
{
    private static readonly Lazy<string> AnvilTagLazy = new(() => ComputeImageTag(AnvilExecutable()));

    /// <summary>What <see cref="AnvilExecutable()"/> says when there is no anvil: how to get one.</summary>
    internal const string HowToGetAnvil =
        "Install Foundry (https://getfoundry.sh: `curl -L https://foundry.paradigm.xyz | bash`, then `foundryup`) so that anvil is on the PATH, "
        + "or set ANVIL to the anvil executable (in a checkout of AgentCluster, scripts/setup installs it in node_modules/.bin).";

    /// <summary>
    /// anvil: env ANVIL, else node_modules/.bin/anvil in the nearest directory above the test binaries (or the working directory)
    /// that has it, else <c>anvil</c> on the PATH.
    /// </summary>
    public static string AnvilExecutable() =>
        AnvilExecutable(Environment.GetEnvironmentVariable("ANVIL"), StartDirectories(), Environment.GetEnvironmentVariable("PATH"));

    /// <summary>The lookup of <see cref="AnvilExecutable()"/> with its inputs given (tests).</summary>
    internal static string AnvilExecutable(string? fromEnv, IEnumerable<string> startDirectories, string? path)
    {
        if (!string.IsNullOrEmpty(fromEnv))
        {
            if (!File.Exists(fromEnv))
            {
                throw new AnvilException($"ANVIL is set to {fromEnv}, which does not exist. {HowToGetAnvil}");
            }

            return fromEnv;
        }

        foreach (string start in startDirectories)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "node_modules", ".bin", "anvil");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        foreach (string directory in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "anvil.exe" : "anvil");
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new AnvilException(
            $"Foundry's anvil was not found: ANVIL is not set, there is no node_modules/.bin/anvil above {AppContext.BaseDirectory}, and no anvil on the PATH. {HowToGetAnvil}");
    }

    /// <summary>The environment variable that picks where the suite's deployment comes from: <c>repository</c>, <c>packaged</c>, or unset/<c>auto</c>.</summary>
    public const string SuiteVariable = "AGENTCLUSTER_SUITE";

    /// <summary>
    /// The repository root: env AGENTCLUSTER_ROOT, else the nearest directory above the test binaries (or the working directory) with
    /// scripts/deploy.
    /// </summary>
    public static string RepositoryRoot() =>
        TryRepositoryRoot(StartDirectories())
        ?? throw new AnvilException(
            $"The AgentCluster repository was not found: no scripts/deploy above {AppContext.BaseDirectory}; set AGENTCLUSTER_ROOT to the repository root.");

    /// <summary>The repository root as <see cref="RepositoryRoot"/> finds it, or null when there is none (AGENTCLUSTER_ROOT set but wrong throws).</summary>
    internal static string? TryRepositoryRoot(IEnumerable<string> startDirectories)
    {
        string? fromEnv = Environment.GetEnvironmentVariable("AGENTCLUSTER_ROOT");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            if (!File.Exists(Path.Combine(fromEnv, "scripts", "deploy")))
            {
                throw new AnvilException($"AGENTCLUSTER_ROOT is set to {fromEnv}, which has no scripts/deploy.");
            }

            return Path.GetFullPath(fromEnv);
        }

        foreach (string start in startDirectories)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "scripts", "deploy")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Where the suite's deployment comes from: the repository root (its scripts/deploy deploys), or null for the deployment packed into
    /// AgentCluster.Testing. AGENTCLUSTER_SUITE=repository requires a checkout, =packaged never looks for one, unset/auto takes the
    /// checkout when there is one.
    /// </summary>
    public static string? SuiteRepositoryRoot() => SuiteRepositoryRoot(Environment.GetEnvironmentVariable(SuiteVariable), StartDirectories());

    /// <summary><see cref="SuiteRepositoryRoot()"/> with its inputs given (tests).</summary>
    internal static string? SuiteRepositoryRoot(string? mode, IEnumerable<string> startDirectories)
    {
        switch ((mode ?? "").Trim().ToLowerInvariant())
        {
            case "packaged":
                return null;
            case "repository":
                return TryRepositoryRoot(startDirectories)
                       ?? throw new AnvilException(
                           $"{SuiteVariable}=repository, but the AgentCluster repository was not found: no scripts/deploy above {AppContext.BaseDirectory}; set AGENTCLUSTER_ROOT to the repository root.");
            case "":
            case "auto":
                return TryRepositoryRoot(startDirectories);
            default:
                throw new AnvilException($"{SuiteVariable} must be 'repository', 'packaged' or 'auto' (or unset), not '{mode}'.");
        }
    }

    /// <summary>agentcluster/anvil:&lt;first 12 hex digits of sha256(anvil binary)&gt;, as docker/anvil/build.sh tags it; env AGENTCLUSTER_ANVIL_IMAGE overrides.</summary>
    public static string AnvilImage()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("AGENTCLUSTER_ANVIL_IMAGE");
        return !string.IsNullOrEmpty(fromEnv) ? fromEnv : "agentcluster/anvil:" + AnvilTagLazy.Value;
    }

    private static string ComputeImageTag(string anvil)
    {
        string real = new FileInfo(anvil).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(anvil);
        using FileStream stream = File.OpenRead(real);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
    }

    internal static IEnumerable<string> StartDirectories()
    {
        yield return AppContext.BaseDirectory;
        yield return Directory.GetCurrentDirectory();
    }
}
