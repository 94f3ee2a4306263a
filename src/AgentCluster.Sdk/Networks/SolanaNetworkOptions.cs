using System.Text.Json;
using AgentCluster.Solana;

namespace AgentCluster.Sdk.Networks;

/// <summary>
/// How a <see cref="SolanaNetwork"/> reaches the cluster and signs: the node's <see cref="RpcUrl"/>, the deployment (at least the program
/// id) from <see cref="DeploymentPath"/> or <see cref="Deployment"/>, and the signer from <see cref="KeypairPath"/> (a Solana CLI keypair
/// file) or <see cref="Account"/>. Bound from configuration section <c>AgentCluster:Network:Solana</c> (see <see cref="AgentClusterNetworkOptions"/>).
/// </summary>
public sealed class SolanaNetworkOptions
{
    /// <summary>The node's JSON-RPC URL (http or https). Null: the deployment file's <c>rpc</c>.</summary>
    public string? RpcUrl { get; set; }

    /// <summary>The deployment file (as <c>scripts/solana-localnet --dir D</c> writes <c>D/solana-localnet.json</c>): at least <c>programId</c>.</summary>
    public string? DeploymentPath { get; set; }

    /// <summary>The deployment given in code instead of <see cref="DeploymentPath"/>.</summary>
    public SolanaDeployment? Deployment { get; set; }

    /// <summary>The signer's keypair file (the Solana CLI's JSON array of 64 bytes). Set this or <see cref="Account"/>.</summary>
    public string? KeypairPath { get; set; }

    /// <summary>The signer given in code instead of <see cref="KeypairPath"/>.</summary>
    public AgentCluster.Solana.Keys.Account? Account { get; set; }

    /// <summary>
    /// The SQLite salt store of commit-reveal votes (created with its directories on first use). Keep the file until every reveal is
    /// done. Null: <c>agentcluster-solana-&lt;signer&gt;.salts.db</c> in the current directory.
    /// </summary>
    public string? ReviewStorePath { get; set; }

    /// <summary>The commitment a sent transaction must reach before a call returns: <c>processed</c>, <c>confirmed</c> (default) or <c>finalized</c>.</summary>
    public string Commitment { get; set; } = "confirmed";

    /// <summary>The transactions' message format: <c>Legacy</c> (default) or <c>V0</c> (no lookup tables are needed: every instruction's accounts fit).</summary>
    public AgentCluster.Solana.Messages.MessageVersion TransactionVersion { get; set; } = AgentCluster.Solana.Messages.MessageVersion.Legacy;

    /// <summary>How long a send waits for its transaction to reach <see cref="Commitment"/> (1 s .. 10 min; default 60 s).</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(60);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(DeploymentPath) && Deployment is null)
        {
            throw new ArgumentException("Solana network options: set DeploymentPath (the deployment file, e.g. solana-localnet.json) or Deployment.");
        }

        if (!string.IsNullOrWhiteSpace(DeploymentPath) && Deployment is not null)
        {
            throw new ArgumentException("Solana network options: set DeploymentPath or Deployment, not both.");
        }

        if (string.IsNullOrWhiteSpace(KeypairPath) == (Account is null))
        {
            throw new ArgumentException("Solana network options: set exactly one of KeypairPath (a Solana CLI keypair file) and Account (the signer).");
        }

        if (ReviewStorePath is not null && string.IsNullOrWhiteSpace(ReviewStorePath))
        {
            throw new ArgumentException("Solana network options: ReviewStorePath is empty; give the salt store's file path or leave it unset.");
        }

        if (Commitment is not ("processed" or "confirmed" or "finalized"))
        {
            throw new ArgumentException($"Solana network options: Commitment must be processed, confirmed or finalized (got '{Commitment}').");
        }

        if (!Enum.IsDefined(TransactionVersion))
        {
            throw new ArgumentException($"Solana network options: TransactionVersion must be Legacy or V0 (got {TransactionVersion}).");
        }

        if (ConfirmTimeout < TimeSpan.FromSeconds(1) || ConfirmTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"Solana network options: ConfirmTimeout must be between 1 s and 10 min (got {ConfirmTimeout}).");
        }

        if (RpcUrl is not null && !(Uri.TryCreate(RpcUrl, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"Solana network options: RpcUrl must be an absolute http or https URL (got '{RpcUrl}').");
        }
    }
}

/// <summary>
/// An AgentCluster deployment on Solana: the program id, and what the deployer recorded alongside (the config and mint PDAs, the node's
/// URL, the authority). <see cref="SolanaNetwork"/> checks every recorded address against the chain when it connects.
/// </summary>
/// <param name="ProgramId">The AgentCluster program's address.</param>
/// <param name="Mint">ACC's mint as recorded (null: the program's mint PDA).</param>
/// <param name="Config">The config account as recorded (null: the program's config PDA).</param>
/// <param name="RpcUrl">The node the deployer used (null: none recorded).</param>
/// <param name="Authority">The config's authority as recorded (null: none recorded).</param>
/// <param name="AuthorityKeypairPath">The authority's keypair file, on a localnet (null: none).</param>
public sealed record SolanaDeployment(PublicKey ProgramId, PublicKey? Mint = null, PublicKey? Config = null, string? RpcUrl = null,
    PublicKey? Authority = null, string? AuthorityKeypairPath = null)
{
    /// <summary>Reads a deployment file (the localnet server's <c>solana-localnet.json</c> or any JSON object with <c>programId</c>).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">Not a JSON object, no <c>programId</c>, or a field that is not what it must be (the message names the file and the field).</exception>
    public static SolanaDeployment Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The Solana deployment file '{full}' does not exist.", full);
        }

        return Parse(File.ReadAllText(full), full);
    }

    /// <summary>Parses a deployment's JSON text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="FormatException">Not a JSON object, no <c>programId</c>, or a field that is not what it must be.</exception>
    public static SolanaDeployment Parse(string json, string source = "(text)")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Solana deployment '{source}' is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"Solana deployment '{source}' must be a JSON object, found a JSON {root.ValueKind.ToString().ToLowerInvariant()}.");
            }

            PublicKey programId = Key(root, "programId", source) ?? throw new FormatException($"Solana deployment '{source}' has no 'programId' (the AgentCluster program's address).");
            string? rpc = Text(root, "rpc", source);
            string? keypair = Text(root, "authorityKeypairPath", source);
            return new SolanaDeployment(programId, Key(root, "mint", source), Key(root, "config", source), rpc, Key(root, "authority", source), keypair);
        }
    }

    private static string? Text(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new FormatException($"Solana deployment '{source}': '{name}' must be a string, found a JSON {value.ValueKind.ToString().ToLowerInvariant()}.");
    }

    private static PublicKey? Key(JsonElement root, string name, string source)
    {
        string? text = Text(root, name, source);
        if (text is null)
        {
            return null;
        }

        return PublicKey.TryParse(text, out PublicKey? key) && key is not null
            ? key
            : throw new FormatException($"Solana deployment '{source}': '{name}' is '{text}', not a base58 address of 32 bytes.");
    }
}
