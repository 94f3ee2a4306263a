using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Sdk;

namespace AgentCluster.Testing.Internal;

/// <summary>
/// The deployment packed into AgentCluster.Testing for users without a checkout: an <c>anvil_dumpState</c> of a fresh anvil right
/// after <c>scripts/deploy</c> (chain 31337, default deploy environment), its manifest and its block, as gzip'd JSON
/// <c>{"format": 1, "chainId", "block", "anvil", "manifest": {...}, "state": "0x..."}</c>. scripts/pack writes it
/// (artifacts/suite/packaged-deployment.json.gz) and the package embeds it as the resource <see cref="ResourceName"/>;
/// the environment variable <see cref="FileVariable"/> points at such a file instead.
/// </summary>
internal sealed record PackagedDeployment(ulong ChainId, ulong Block, string Anvil, DeploymentManifest Manifest, string State, string Source)
{
    /// <summary>The manifest resource name of the embedded deployment.</summary>
    public const string ResourceName = "AgentCluster.Testing.PackagedDeployment.json.gz";

    /// <summary>An environment variable naming a packaged-deployment file to use instead of the embedded one.</summary>
    public const string FileVariable = "AGENTCLUSTER_SUITE_SNAPSHOT";

    /// <summary>The only format this version reads.</summary>
    public const int Format = 1;

    private static readonly Lazy<PackagedDeployment?> Embedded = new(LoadEmbedded);

    /// <summary>The file named by <see cref="FileVariable"/>, else the embedded one.</summary>
    /// <exception cref="AnvilException">There is none, or it cannot be read (the message says which and why).</exception>
    public static PackagedDeployment Load()
    {
        string? file = Environment.GetEnvironmentVariable(FileVariable);
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

    /// <summary>Whether this assembly embeds a deployment.</summary>
    public static bool IsEmbedded => Embedded.Value is not null;

    private static PackagedDeployment? LoadEmbedded()
    {
        using Stream? stream = typeof(PackagedDeployment).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? null : Read(stream, "the deployment embedded in AgentCluster.Testing");
    }

    /// <summary>Reads the gzip'd JSON form.</summary>
    /// <exception cref="AnvilException">It is not a packaged deployment of a format this version reads.</exception>
    public static PackagedDeployment Read(Stream gzipped, string source)
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

            ulong chainId = root.GetProperty("chainId").GetUInt64();
            DeploymentManifest manifest = DeploymentManifest.Parse(root.GetProperty("manifest").GetRawText(), source + " (manifest)");
            if (manifest.ChainId != chainId)
            {
                throw new AnvilException($"{source}: the manifest is for chain {manifest.ChainId}, the state for chain {chainId}.");
            }

            string state = root.GetProperty("state").GetString() ?? "";
            if (!state.StartsWith("0x", StringComparison.Ordinal) || state.Length < 4)
            {
                throw new AnvilException($"{source}: 'state' is not an anvil_dumpState hex string.");
            }

            return new PackagedDeployment(chainId, root.GetProperty("block").GetUInt64(),
                root.TryGetProperty("anvil", out JsonElement anvil) ? anvil.GetString() ?? "" : "", manifest, state, source);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new AnvilException($"{source} is not a packaged AgentCluster deployment: {e.Message}", e);
        }
    }

    /// <summary>Writes the gzip'd JSON form (what scripts/pack writes; tests use it to make one from a deployment of the checkout).</summary>
    public static void Write(string path, ulong block, string anvil, string manifestJson, string state)
    {
        DeploymentManifest manifest = DeploymentManifest.Parse(manifestJson);
        var json = new JsonObject
        {
            ["format"] = Format,
            ["chainId"] = manifest.ChainId,
            ["block"] = block,
            ["anvil"] = anvil,
            ["manifest"] = JsonNode.Parse(manifestJson),
            ["state"] = state,
        };
        using FileStream file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }
}
