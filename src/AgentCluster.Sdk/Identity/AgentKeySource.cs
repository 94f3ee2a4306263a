using System.Numerics;
using Nethereum.Signer;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Sdk.Identity;

/// <summary>
/// Where an agent's signing key comes from — a keystore file and its password, an environment variable, a hex private key, a
/// Nethereum <see cref="Account"/>, or an external signer (Nethereum's <see cref="IEthExternalSigner"/>: KMS, hardware wallet,
/// remote signer) — resolved, when the client starts, to what <c>AgentClusterWeb3.CreateAsync</c> takes. Sources hold no key
/// until resolved, and neither ToString nor any error message contains a key or a password.
/// </summary>
public abstract class AgentKeySource
{
    private AgentKeySource()
    {
    }

    /// <summary>A Web3 Secret Storage (v3) keystore file and its password (the file is read when resolved).</summary>
    /// <exception cref="ArgumentException">An empty path.</exception>
    public static AgentKeySource FromKeystore(string path, string password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(password);
        return new KeystoreSource(path, password);
    }

    /// <summary>The environment variable <paramref name="variable"/>, holding the private key as 64 hex digits (read when resolved).</summary>
    public static AgentKeySource FromEnvironment(string variable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        return new EnvironmentSource(variable);
    }

    /// <summary>A private key as 64 hex digits (0x optional), validated now.</summary>
    /// <exception cref="ArgumentException">Not a valid private key (the message does not contain it).</exception>
    public static AgentKeySource FromPrivateKey(string privateKeyHex) => new KeySource(AgentKey.FromPrivateKey(privateKeyHex), "a private key");

    /// <summary>A key already at hand.</summary>
    public static AgentKeySource FromKey(AgentKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new KeySource(key, "an agent key");
    }

    /// <summary>A Nethereum account holding a private key (keys below 2^248 included: their leading zeros are restored).</summary>
    /// <exception cref="ArgumentException">The account holds no private key, or one that is not its address's.</exception>
    public static AgentKeySource FromAccount(Account account) => new KeySource(AgentKey.FromAccount(account), "a Nethereum account");

    /// <summary>An external signer (it must support EIP-1559 transactions to send through AgentClusterWeb3).</summary>
    public static AgentKeySource FromExternalSigner(IEthExternalSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return new ExternalSource(signer);
    }

    /// <summary>Loads the key (or asks the external signer for its address) for <paramref name="chainId"/>.</summary>
    /// <exception cref="FileNotFoundException">The keystore file does not exist.</exception>
    /// <exception cref="WrongKeystorePasswordException">The keystore password is wrong.</exception>
    /// <exception cref="AgentKeyException">The keystore is unreadable, or the environment variable is missing, empty or not a key.</exception>
    public abstract Task<ResolvedAgentAccount> ResolveAsync(BigInteger? chainId, CancellationToken cancellationToken = default);

    private sealed class KeystoreSource(string path, string password) : AgentKeySource
    {
        public override async Task<ResolvedAgentAccount> ResolveAsync(BigInteger? chainId, CancellationToken cancellationToken = default) =>
            ResolvedAgentAccount.ForKey(await AgentKey.LoadKeystoreAsync(path, password, cancellationToken).ConfigureAwait(false), chainId);

        public override string ToString() => $"keystore {path}";
    }

    private sealed class EnvironmentSource(string variable) : AgentKeySource
    {
        public override Task<ResolvedAgentAccount> ResolveAsync(BigInteger? chainId, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(ResolvedAgentAccount.ForKey(AgentKey.FromEnvironment(variable), chainId));
        }

        public override string ToString() => $"environment variable {variable}";
    }

    private sealed class KeySource(AgentKey key, string what) : AgentKeySource
    {
        public override Task<ResolvedAgentAccount> ResolveAsync(BigInteger? chainId, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(ResolvedAgentAccount.ForKey(key, chainId));
        }

        public override string ToString() => $"{what} ({key.Address})";
    }

    private sealed class ExternalSource(IEthExternalSigner signer) : AgentKeySource
    {
        public override async Task<ResolvedAgentAccount> ResolveAsync(BigInteger? chainId, CancellationToken cancellationToken = default)
        {
            var account = new ExternalAccount(signer, chainId);
            await account.InitialiseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(account.Address))
            {
                throw new AgentKeyException("The external signer did not give an address.");
            }

            return new ResolvedAgentAccount(account.Address, null, null, account);
        }

        public override string ToString() => $"external signer {signer.GetType().Name}";
    }
}

/// <summary>
/// A resolved <see cref="AgentKeySource"/>: the address, and either the key with its Nethereum <see cref="Nethereum.Web3.Accounts.Account"/>
/// or an <see cref="Nethereum.Web3.Accounts.ExternalAccount"/> — the two overloads of <c>AgentClusterWeb3.CreateAsync</c>.
/// </summary>
/// <param name="Address">The signing address, EIP-55 checksummed when known locally.</param>
/// <param name="Key">The key (null for an external signer).</param>
/// <param name="Account">The Nethereum account for the chain (null for an external signer).</param>
/// <param name="ExternalAccount">The external account (null for a local key).</param>
public sealed record ResolvedAgentAccount(string Address, AgentKey? Key, Account? Account, ExternalAccount? ExternalAccount)
{
    /// <summary>True when the key is held locally (then <see cref="Key"/> and <see cref="Account"/> are set).</summary>
    public bool IsLocal => Key is not null;

    internal static ResolvedAgentAccount ForKey(AgentKey key, BigInteger? chainId) => new(key.Address, key, key.ToAccount(chainId), null);

    /// <summary>The address only (the record's default would print the account, and with it the key).</summary>
    public override string ToString() => IsLocal ? $"local key {Address}" : $"external signer {Address}";
}
