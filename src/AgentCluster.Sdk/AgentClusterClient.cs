using System.Numerics;
using AgentCluster.Evm;
using AgentCluster.Evm.TransactionManagement;
using Microsoft.Extensions.Logging;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;

namespace AgentCluster.Sdk;

/// <summary>
/// The entry point of the SDK: one chain, one deployment, one signer (or none: read-only). Built by <see cref="ConnectAsync"/>,
/// which checks before anything is sent that the node answers, that its chain id is the manifest's (and the options', if given), and
/// that the manifest's contracts have code there. The sub-clients (agents, staking, tasks, reviews, reputation, earnings,
/// governance) hang off it; <see cref="Contracts"/> gives the generated Nethereum services for anything else. Dispose it to stop the
/// durable transaction manager it created (a Web3 passed in options is not disposed).
/// </summary>
public sealed partial class AgentClusterClient : IAsyncDisposable
{
    private readonly IAsyncDisposable? _owned;

    private AgentClusterClient(IWeb3 web3, DeploymentManifest manifest, BigInteger chainId, string? address, IAsyncDisposable? owned, string? reviewStorePath)
    {
        _reviewStorePath = reviewStorePath;
        Web3 = web3;
        Manifest = manifest;
        ChainId = chainId;
        Address = address;
        _owned = owned;
        Contracts = new SuiteContracts(web3, manifest);
    }

    /// <summary>The Nethereum Web3 every call goes through.</summary>
    public IWeb3 Web3 { get; }

    /// <summary>The deployment.</summary>
    public DeploymentManifest Manifest { get; }

    /// <summary>The chain id (checked against the node and the manifest).</summary>
    public BigInteger ChainId { get; }

    /// <summary>The signer's address (checksummed), or null for a read-only client.</summary>
    public string? Address { get; }

    /// <summary>True when the client cannot send transactions.</summary>
    public bool IsReadOnly => Address is null;

    /// <summary>The suite's generated services at the manifest's addresses.</summary>
    public SuiteContracts Contracts { get; }

    /// <summary>Connects: builds or takes the Web3, loads the manifest, and checks the chain before returning.</summary>
    /// <exception cref="ArgumentException">The options are incomplete or contradictory (the message says which).</exception>
    /// <exception cref="FormatException">The manifest file is not a valid manifest.</exception>
    /// <exception cref="NodeUnreachableException">The node does not answer.</exception>
    /// <exception cref="WrongChainException">Node, manifest and options disagree on the chain id.</exception>
    /// <exception cref="DeploymentNotFoundException">The manifest's contracts have no code on this chain.</exception>
    public static async Task<AgentClusterClient> ConnectAsync(AgentClusterClientOptions options, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DeploymentManifest manifest = options.Manifest ?? DeploymentManifest.Load(options.ManifestPath!);
        if (options.ChainId is { } wanted && wanted != manifest.ChainId)
        {
            throw new WrongChainException($"The options ask for chain {wanted} but the manifest is for chain {manifest.ChainId}.");
        }

        IWeb3 web3;
        AgentClusterWeb3? owned = null;
        string? address;
        if (options.Web3 is { } given)
        {
            web3 = given;
            address = given.TransactionManager?.Account?.Address;
        }
        else
        {
            Uri url = new(options.RpcUrl!);
            IClient client = Evm.Rpc.AgentClusterRpc.CreateClient(url, logger: loggerFactory?.CreateLogger("AgentCluster.Rpc"));
            BigInteger nodeChain = await NodeChainIdAsync(new Nethereum.Web3.Web3(client), url.Host, cancellationToken).ConfigureAwait(false);
            CheckChain(nodeChain, manifest);
            Identity.ResolvedAgentAccount? signer = options.Key is { } source
                ? await source.ResolveAsync(manifest.ChainId, cancellationToken).ConfigureAwait(false)
                : options.Account is { } given2 ? new Identity.ResolvedAgentAccount(given2.Address, null, given2, null) : null;
            if (signer is not null)
            {
                var txm = new DurableTransactionManagerOptions
                {
                    JournalPath = options.JournalPath ?? Path.GetFullPath($"agentcluster-{signer.Address.ToLowerInvariant()}-{manifest.ChainId}.db"),
                    ChainId = manifest.ChainId,
                };
                if (options.TransactionPollInterval is { } poll)
                {
                    txm.PollInterval = poll;
                }

                ILogger? txLogger = loggerFactory?.CreateLogger("AgentCluster.Transactions");
                owned = signer.ExternalAccount is { } external
                    ? await AgentClusterWeb3.CreateAsync(client, external, txm, txLogger, cancellationToken).ConfigureAwait(false)
                    : await AgentClusterWeb3.CreateAsync(client, signer.Account!, txm, txLogger, cancellationToken).ConfigureAwait(false);
                web3 = owned;
                address = signer.Address;
            }
            else
            {
                web3 = new Nethereum.Web3.Web3(client);
                address = null;
            }
        }

        try
        {
            if (options.Web3 is not null)
            {
                CheckChain(await NodeChainIdAsync(web3, "the given Web3", cancellationToken).ConfigureAwait(false), manifest);
            }

            string token = manifest.AddressOf("AccToken");
            string code = await Evm.Rpc.RpcCancellation.RunAsync(() => web3.Eth.GetCode.SendRequestAsync(token), cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(code) || code == "0x")
            {
                throw new DeploymentNotFoundException(
                    $"No AgentCluster deployment at the manifest's addresses on chain {manifest.ChainId}: AccToken {token} has no code (wrong RPC URL or manifest, or the node was reset).");
            }

            return new AgentClusterClient(web3, manifest, manifest.ChainId, address is null ? null : Nethereum.Util.AddressUtil.Current.ConvertToChecksumAddress(address), owned,
                options.ReviewStorePath is null ? null : Path.GetFullPath(options.ReviewStorePath));
        }
        catch
        {
            if (owned is not null)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Throws <see cref="ReadOnlyClientException"/> when no signer is configured; returns the signer's address.</summary>
    internal string RequireSigner(string operation) =>
        Address ?? throw new ReadOnlyClientException($"{operation} sends a transaction, but this client has no signer: set AgentClusterClientOptions.Account (or a Web3 with an account).");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        DisposeReviews();
        if (_owned is not null)
        {
            await _owned.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<BigInteger> NodeChainIdAsync(IWeb3 web3, string where, CancellationToken ct)
    {
        try
        {
            return (await Evm.Rpc.RpcCancellation.RunAsync(() => web3.Eth.ChainId.SendRequestAsync(), ct).ConfigureAwait(false)).Value;
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException)
        {
            throw new NodeUnreachableException($"The node at {where} does not answer eth_chainId: {e.Message}", e);
        }
    }

    private static void CheckChain(BigInteger nodeChain, DeploymentManifest manifest)
    {
        if (nodeChain != manifest.ChainId)
        {
            throw new WrongChainException($"The node is on chain {nodeChain} but the manifest is for chain {manifest.ChainId}: wrong RPC URL or wrong manifest.");
        }
    }
}
