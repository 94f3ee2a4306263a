using System.Numerics;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.TransactionManagement;
using Microsoft.Extensions.Logging;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Evm;

/// <summary>
/// A Nethereum <see cref="Nethereum.Web3.Web3"/> whose <c>TransactionManager</c> is a <see cref="DurableTransactionManager"/>: every
/// transaction sent through it (generated contract services, <c>ContractHandler</c>, <c>Eth.GetEtherTransferService()</c>,
/// deployments, <c>*AndWaitForReceiptAsync</c>) is journaled, nonce-ordered, re-broadcast and replaced when stuck, and receipts are
/// awaited on every version of a transaction. (The <see cref="Account"/>'s own <c>TransactionManager</c> stays Nethereum's
/// default: send through this Web3, not through the account.) Dispose it to stop the manager's monitor and release its journal.
/// </summary>
public sealed class AgentClusterWeb3 : Nethereum.Web3.Web3, IAsyncDisposable
{
    private AgentClusterWeb3(IClient client, DurableTransactionManager manager)
        : base(client)
    {
        DurableTransactionManager = manager;
        TransactionManager = manager;
        manager.TransactionVerificationAndRecovery ??= new Nethereum.Signer.TransactionVerificationAndRecoveryImp();
    }

    /// <summary>The durable manager (also <c>TransactionManager</c>), for its intent handles and pending list.</summary>
    public DurableTransactionManager DurableTransactionManager { get; }

    /// <summary>Creates the Web3 over <paramref name="client"/> for <paramref name="account"/>, opening the manager's journal and reading the chain.</summary>
    /// <param name="client">Nethereum's client (e.g. <c>AgentClusterRpc.CreateClient(url)</c>).</param>
    /// <param name="account">The signer.</param>
    /// <param name="options">The manager's options (journal path required). Its ChainId, when set, wins over the account's.</param>
    /// <param name="logger">The manager's logger.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<AgentClusterWeb3> CreateAsync(IClient client, Account account, DurableTransactionManagerOptions options,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        DurableTransactionManager manager = await DurableTransactionManager.CreateAsync(client, account, options, logger, cancellationToken).ConfigureAwait(false);
        return new AgentClusterWeb3(client, manager);
    }

    /// <summary>Creates the Web3 over <paramref name="client"/> for an external signer (Nethereum's <see cref="ExternalAccount"/>: KMS, hardware wallet, remote signer).</summary>
    public static async Task<AgentClusterWeb3> CreateAsync(IClient client, ExternalAccount account, DurableTransactionManagerOptions options,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        DurableTransactionManager manager = await DurableTransactionManager.CreateAsync(client, account, options, logger, cancellationToken).ConfigureAwait(false);
        return new AgentClusterWeb3(client, manager);
    }

    /// <summary>
    /// Creates the Web3 for a hex private key over an RPC URL (http/https), with AgentCluster's resilient client
    /// (<see cref="AgentClusterRpc.CreateClient"/>: retries, timeouts, idempotent raw sends).
    /// </summary>
    public static Task<AgentClusterWeb3> CreateAsync(Uri rpcUrl, string privateKey, BigInteger? chainId, DurableTransactionManagerOptions options,
        ILogger? logger = null, RpcResilienceOptions? rpcOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpcUrl);
        ArgumentNullException.ThrowIfNull(options);
        if (!rpcUrl.IsAbsoluteUri || (rpcUrl.Scheme != Uri.UriSchemeHttp && rpcUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The RPC URL must be an absolute http or https URL, not '{rpcUrl}'.", nameof(rpcUrl));
        }

        DurableTransactionManagerOptions own = options.Clone();
        own.ChainId ??= chainId;
        return CreateAsync(AgentClusterRpc.CreateClient(rpcUrl, rpcOptions, logger), CreateAccount(privateKey, own.ChainId), own, logger, cancellationToken);
    }

    /// <summary>Creates the Web3 for a hex private key over an RPC URL given as a string (see the <see cref="Uri"/> overload).</summary>
    public static Task<AgentClusterWeb3> CreateAsync(string rpcUrl, string privateKey, BigInteger? chainId, DurableTransactionManagerOptions options,
        ILogger? logger = null, RpcResilienceOptions? rpcOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rpcUrl);
        if (!Uri.TryCreate(rpcUrl, UriKind.Absolute, out Uri? uri))
        {
            throw new ArgumentException($"'{rpcUrl}' is not an absolute URL.", nameof(rpcUrl));
        }

        return CreateAsync(uri, privateKey, chainId, options, logger, rpcOptions, cancellationToken);
    }

    /// <summary>Stops the manager's monitor and closes its journal (pending intents resume with the next manager).</summary>
    public ValueTask DisposeAsync() => DurableTransactionManager.DisposeAsync();

    internal static Account CreateAccount(string privateKey, BigInteger? chainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(privateKey);
        string hex = privateKey.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? privateKey[2..] : privateKey;
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            throw new ArgumentException("The private key must be 32 bytes of hex (64 hex digits, optionally 0x-prefixed).", nameof(privateKey));
        }

        return new Account(privateKey, chainId);
    }
}
