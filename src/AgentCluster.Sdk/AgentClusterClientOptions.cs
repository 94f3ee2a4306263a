using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Sdk;

/// <summary>
/// How an <see cref="AgentClusterClient"/> reaches the chain and signs. Give either <see cref="RpcUrl"/> (the client builds a Nethereum
/// Web3 on the project's resilient RPC client and durable transaction manager) or an existing <see cref="Web3"/>; the deployment as
/// <see cref="Manifest"/> or <see cref="ManifestPath"/>; and, to send transactions, an <see cref="Account"/> (without one the client
/// is read-only). Bound from configuration by <c>services.AddAgentCluster(configuration)</c> (section <c>AgentCluster</c>).
/// </summary>
public sealed class AgentClusterClientOptions
{
    /// <summary>The configuration section <c>AddAgentCluster</c> binds.</summary>
    public const string SectionName = "AgentCluster";

    /// <summary>JSON-RPC URL of the chain (http or https).</summary>
    public string? RpcUrl { get; set; }

    /// <summary>An existing Nethereum Web3 to use instead of <see cref="RpcUrl"/> (its transaction manager signs).</summary>
    public IWeb3? Web3 { get; set; }

    /// <summary>The chain id expected; checked against the node and the manifest at connect time. Null: the manifest's.</summary>
    public ulong? ChainId { get; set; }

    /// <summary>The deployment to use.</summary>
    public DeploymentManifest? Manifest { get; set; }

    /// <summary>Path of the deployment manifest written by <c>scripts/deploy</c> (used when <see cref="Manifest"/> is null).</summary>
    public string? ManifestPath { get; set; }

    /// <summary>The signer as a Nethereum account, with <see cref="RpcUrl"/>. Null (and no <see cref="Key"/>): read-only.</summary>
    public Account? Account { get; set; }

    /// <summary>
    /// The signer's key source (keystore file + password, environment variable, private key, account or external signer), with
    /// <see cref="RpcUrl"/>; resolved when the client connects. Set this or <see cref="Account"/>, not both.
    /// </summary>
    public Identity.AgentKeySource? Key { get; set; }

    /// <summary>
    /// The SQLite journal of the durable transaction manager (nonces and pending transactions survive a restart), with
    /// <see cref="RpcUrl"/> and <see cref="Account"/>. Null: <c>agentcluster-&lt;address&gt;-&lt;chain&gt;.db</c> in the current directory.
    /// </summary>
    public string? JournalPath { get; set; }

    /// <summary>
    /// The SQLite salt store of commit-reveal reviews (<see cref="AgentClusterClient.Reviews"/>): the salts of commits not yet revealed,
    /// kept across restarts. Keep the file until every reveal is done: losing it before the reveal costs stake. Created (with its
    /// directories) on first use. Null: <see cref="AgentClusterClient.Reviews"/> is not available (use <c>OpenReviews(path)</c>).
    /// </summary>
    public string? ReviewStorePath { get; set; }

    /// <summary>
    /// How often the durable transaction manager the client creates (with <see cref="RpcUrl"/> and a signer) looks for its
    /// transactions' receipts: a send returns at most this long after its block (10 ms .. 1 min). Null: the manager's default, 1 s
    /// (a block-time chain gains nothing from faster polling; a local node such as anvil does).
    /// </summary>
    public TimeSpan? TransactionPollInterval { get; set; }

    internal void Validate()
    {
        if (ReviewStorePath is not null && string.IsNullOrWhiteSpace(ReviewStorePath))
        {
            throw new ArgumentException("AgentCluster options: ReviewStorePath is empty; give the salt store's file path or leave it unset.");
        }

        if (Web3 is null && string.IsNullOrWhiteSpace(RpcUrl))
        {
            throw new ArgumentException("AgentCluster options: set RpcUrl (the chain's JSON-RPC URL) or Web3 (an existing Nethereum Web3).");
        }

        if (Web3 is not null && !string.IsNullOrWhiteSpace(RpcUrl))
        {
            throw new ArgumentException("AgentCluster options: set RpcUrl or Web3, not both.");
        }

        if (Web3 is not null && (Account is not null || Key is not null))
        {
            throw new ArgumentException("AgentCluster options: with an existing Web3, its transaction manager signs; do not set Account or Key as well.");
        }

        if (Account is not null && Key is not null)
        {
            throw new ArgumentException("AgentCluster options: set Account or Key, not both.");
        }

        if (RpcUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"AgentCluster options: RpcUrl must be an absolute http or https URL, not '{url}'.");
        }

        if (Manifest is null && string.IsNullOrWhiteSpace(ManifestPath))
        {
            throw new ArgumentException("AgentCluster options: set Manifest or ManifestPath (the deployment manifest scripts/deploy writes).");
        }

        if (TransactionPollInterval is { } poll && (poll < TimeSpan.FromMilliseconds(10) || poll > TimeSpan.FromMinutes(1)))
        {
            throw new ArgumentException($"AgentCluster options: TransactionPollInterval must be between 10 ms and 1 minute, not {poll}.");
        }

        if (ChainId is 0)
        {
            throw new ArgumentException("AgentCluster options: ChainId must be positive.");
        }
    }
}
