using System.Security.Cryptography;

namespace AgentCluster.Testing.Internal;

/// <summary>Finds the repository (the directory with scripts/deploy), anvil and the image tag derived from anvil's binary.</summary>
internal static class Locator
{
    private static readonly Lazy<string> AnvilTagLazy = new(() => ComputeImageTag(AnvilExecutable()));

    /// <summary>anvil: env ANVIL, else node_modules/.bin/anvil in the nearest directory above the test binaries that has it.</summary>
    public static string AnvilExecutable()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("ANVIL");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            if (!File.Exists(fromEnv))
            {
                throw new AnvilException($"ANVIL is set to {fromEnv}, which does not exist.");
            }

            return fromEnv;
        }

        foreach (string start in StartDirectories())
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

        throw new AnvilException(
            $"Foundry's anvil was not found: no node_modules/.bin/anvil above {AppContext.BaseDirectory} (run scripts/setup), and ANVIL is not set.");
    }

    /// <summary>The repository root: env AGENTCLUSTER_ROOT, else the nearest directory above the test binaries with scripts/deploy.</summary>
    public static string RepositoryRoot()
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

        foreach (string start in StartDirectories())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "scripts", "deploy")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new AnvilException(
            $"The AgentCluster repository was not found: no scripts/deploy above {AppContext.BaseDirectory}; set AGENTCLUSTER_ROOT to the repository root.");
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

    private static IEnumerable<string> StartDirectories()
    {
        yield return AppContext.BaseDirectory;
        yield return Directory.GetCurrentDirectory();
    }
}
