using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Sdk;

namespace AgentCluster.Testing.Internal;

/// <summary>
/// The deployments packed into AgentCluster.Testing for users without a checkout: for each deploy environment scripts/pack
/// deploys with (the default one, and <c>AC_ATTESTORS</c> = anvil account 9 so that agents can be attested), an
/// <c>anvil_dumpState</c> of a fresh anvil (chain 31337) right after <c>scripts/deploy</c>, with its manifest and block. Stored as
/// gzip'd JSON <c>{"format": 1, "anvil", "deployments": [{"environment": {...}, "chainId", "block", "manifest": {...}, "state": "0x..."}]}</c>
/// (artifacts/suite/packaged-deployment.json.gz) and embedded as the resource <see cref="ResourceName"/>; the environment variable
/// <see cref="FileVariable"/> points at such a file instead.
/// </summary>
internal sealed record PackagedDeployment(
    IReadOnlyDictionary<string, string> Environment, ulong ChainId, ulong Block, DeploymentManifest Manifest, string State)
{
    /// <summary>The manifest resource name of the embedded deployments.</summary>
    public const string ResourceName = "AgentCluster.Testing.PackagedDeployment.json.gz";

    /// <summary>An environment variable naming a packaged-deployment file to use instead of the embedded one.</summary>
    public const string FileVariable = "AGENTCLUSTER_SUITE_SNAPSHOT";

    /// <summary>The only format this version reads.</summary>
    public const int Format = 1;

    private static readonly Lazy<PackagedDeployments?> Embedded = new(LoadEmbedded);

    /// <summary>Whether two deploy environments are the same deployment (names exact, values ignoring case: addresses).</summary>
    public bool Matches(IReadOnlyDictionary<string, string> environment) =>
        environment.Count == Environment.Count
        && environment.All(kv => Environment.TryGetValue(kv.Key, out string? v) && string.Equals(v, kv.Value, StringComparison.OrdinalIgnoreCase));

    /// <summary>The deployments of the file named by <see cref="FileVariable"/>, else the embedded ones.</summary>
    /// <exception cref="AnvilException">There are none, or they cannot be read (the message says which and why).</exception>
    public static PackagedDeployments Load()
    {
        string? file = System.Environment.GetEnvironmentVariable(FileVariable);
        if (!string.IsNullOrEmpty(file))
        {
            if (!File.Exists(file))
            {
                throw new AnvilException($"{FileVariable} is set to {file}, which does not exist.");
            }

            using FileStream stream = File.OpenRead(file);
            return Read(stream, file);
        }

        return Embedded.Value ?? throw new AnvilException(
            "This build of AgentCluster.Testing carries no packaged deployment (it was built without scripts/pack), and no AgentCluster "
            + $"checkout was found above {AppContext.BaseDirectory} (no scripts/deploy). Run the tests inside a checkout, set AGENTCLUSTER_ROOT "
            + $"to one, or set {FileVariable} to a packaged deployment (scripts/pack writes artifacts/suite/packaged-deployment.json.gz).");
    }

    private static PackagedDeployments? LoadEmbedded()
    {
        using Stream? stream = typeof(PackagedDeployment).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? null : Read(stream, "the deployment embedded in AgentCluster.Testing");
    }

    /// <summary>Reads the gzip'd JSON form.</summary>
    /// <exception cref="AnvilException">It is not a packaged deployment of a format this version reads.</exception>
    public static PackagedDeployments Read(Stream gzipped, string source)
    {
        try
        {
            using var gzip = new GZipStream(gzipped, CompressionMode.Decompress);
            using JsonDocument doc = JsonDocument.Parse(gzip);
            JsonElement root = doc.RootElement;
            int format = root.GetProperty("format").GetInt32();
            if (format != Format)
            {
                throw new AnvilException($"{source} has format {format}; this AgentCluster.Testing reads format {Format}.");
            }

            var deployments = new List<PackagedDeployment>();
            foreach (JsonElement d in root.GetProperty("deployments").EnumerateArray())
            {
                ulong chainId = d.GetProperty("chainId").GetUInt64();
                DeploymentManifest manifest = DeploymentManifest.Parse(d.GetProperty("manifest").GetRawText(), source + " (manifest)");
                if (manifest.ChainId != chainId)
                {
                    throw new AnvilException($"{source}: a manifest is for chain {manifest.ChainId}, its state for chain {chainId}.");
                }

                string state = d.GetProperty("state").GetString() ?? "";
                if (!state.StartsWith("0x", StringComparison.Ordinal) || state.Length < 4)
                {
                    throw new AnvilException($"{source}: a 'state' is not an anvil_dumpState hex string.");
                }

                var environment = d.GetProperty("environment").EnumerateObject()
                    .ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
                deployments.Add(new PackagedDeployment(environment, chainId, d.GetProperty("block").GetUInt64(), manifest, state));
            }

            if (deployments.Count == 0)
            {
                throw new AnvilException($"{source} holds no deployment.");
            }

            return new PackagedDeployments(deployments, root.TryGetProperty("anvil", out JsonElement anvil) ? anvil.GetString() ?? "" : "", source);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new AnvilException($"{source} is not a packaged AgentCluster deployment: {e.Message}", e);
        }
    }

    /// <summary>Writes the gzip'd JSON form (what scripts/pack writes; tests use it to make one from deployments of the checkout).</summary>
    public static void Write(string path, string anvil, IEnumerable<(IReadOnlyDictionary<string, string> Environment, ulong Block, string ManifestJson, string State)> deployments)
    {
        var array = new JsonArray();
        foreach ((IReadOnlyDictionary<string, string> environment, ulong block, string manifestJson, string state) in deployments)
        {
            var env = new JsonObject();
            foreach ((string name, string value) in environment)
            {
                env[name] = value;
            }

            array.Add(new JsonObject
            {
                ["environment"] = env,
                ["chainId"] = DeploymentManifest.Parse(manifestJson).ChainId,
                ["block"] = block,
                ["manifest"] = JsonNode.Parse(manifestJson),
                ["state"] = state,
            });
        }

        var json = new JsonObject { ["format"] = Format, ["anvil"] = anvil, ["deployments"] = array };
        using FileStream file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }
}

/// <summary>The deployments of one packaged-deployment file, the anvil they were taken with, and where they came from.</summary>
internal sealed record PackagedDeployments(IReadOnlyList<PackagedDeployment> Deployments, string Anvil, string Source)
{
    /// <summary>The environments there are, for messages.</summary>
    public string Describe() =>
        string.Join("; ", Deployments.Select(d =>
            $"chain {d.ChainId} with " + (d.Environment.Count == 0 ? "the default deploy environment" : string.Join(", ", d.Environment.Select(kv => kv.Key + "=" + kv.Value)))));
}
