using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentCluster.Sdk.Networks;
using AgentCluster.Solana;
using AgentCluster.Solana.Rpc;
using Org.BouncyCastle.Crypto.Parameters;

namespace AgentCluster.Swarm.Networks;

/// <summary>
/// <see cref="INetworkSwarmHost"/> on the Solana localnet server (scripts/solana-localnet): each participant's keypair is written as a
/// Solana CLI keypair file (the Ed25519 seed sha256(<c>agentcluster-network-swarm/solana/&lt;seed&gt;/&lt;role&gt;</c>), BouncyCastle derives the
/// public key) and the network is connected by the given delegate (the SDK's <c>SolanaNetwork</c>); SOL by <c>requestAirdrop</c>, ACC by
/// <c>localnet_fundAcc</c> (from the team vault), the clock by <c>localnet_warpTime</c> (<see cref="SolanaRpcClient"/> and its localnet
/// extensions, <see cref="SolanaLocalnetRpc"/>); the attestor is a new key approved by the given
/// delegate (the authority's <c>set_attestor</c>).
/// </summary>
public sealed class SolanaSwarmHost : INetworkSwarmHost
{
    /// <summary>SOL given to each participant for fees and rent (10 SOL).</summary>
    public const ulong Lamports = 10_000_000_000;

    private readonly SolanaRpcClient _rpc;
    private readonly int _seed;
    private readonly string _workDirectory;
    private readonly Func<SolanaParticipantFiles, CancellationToken, Task<IAgentClusterNetwork>> _connectAsync;
    private readonly Func<IAgentClusterNetwork, CancellationToken, Task<NetworkKey>> _attestorAsync;

    /// <summary>A host over <paramref name="rpc"/>.</summary>
    /// <param name="rpc">The localnet server's client (the caller keeps and disposes it).</param>
    /// <param name="seed">The seed of the participants' keys.</param>
    /// <param name="workDirectory">Where the keypair files and salt stores are written.</param>
    /// <param name="connectAsync">Connects a network whose signer is the keypair file given (the SDK's SolanaNetwork).</param>
    /// <param name="attestorAsync">Makes an attestor key and has the authority approve it (set_attestor).</param>
    /// <param name="windows">The verification windows (1 h each by default: the program's market parameters at genesis).</param>
    public SolanaSwarmHost(SolanaRpcClient rpc, int seed, string workDirectory,
        Func<SolanaParticipantFiles, CancellationToken, Task<IAgentClusterNetwork>> connectAsync,
        Func<IAgentClusterNetwork, CancellationToken, Task<NetworkKey>> attestorAsync, NetworkSwarmWindows? windows = null)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        _seed = seed;
        _workDirectory = workDirectory ?? throw new ArgumentNullException(nameof(workDirectory));
        _connectAsync = connectAsync ?? throw new ArgumentNullException(nameof(connectAsync));
        _attestorAsync = attestorAsync ?? throw new ArgumentNullException(nameof(attestorAsync));
        Windows = windows ?? new NetworkSwarmWindows(TimeSpan.FromHours(1), TimeSpan.FromHours(1), TimeSpan.FromHours(1));
    }

    /// <inheritdoc/>
    public NetworkKind Kind => NetworkKind.Solana;

    /// <inheritdoc/>
    public NetworkSwarmWindows Windows { get; }

    /// <summary>Writes the role's keypair file (Solana CLI format: a JSON array of the 32-byte seed then the 32-byte public key); its address.</summary>
    public SolanaParticipantFiles Files(string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        string path = Path.Combine(_workDirectory, $"{role}.json");
        string address = WriteKeypairFile(path, $"agentcluster-network-swarm/solana/{_seed}/{role}");
        return new SolanaParticipantFiles(role, path, Path.Combine(_workDirectory, $"salts-{role}.db"), address);
    }

    /// <summary>
    /// Writes a Solana CLI keypair file at <paramref name="path"/> (mode 0600) whose Ed25519 seed is sha256(<paramref name="seedText"/>)
    /// (BouncyCastle derives the public key); returns the address.
    /// </summary>
    public static string WriteKeypairFile(string path, string seedText)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(seedText);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        byte[] seed = SHA256.HashData(Encoding.UTF8.GetBytes(seedText));
        byte[] publicKey = new Ed25519PrivateKeyParameters(seed).GeneratePublicKey().GetEncoded();
        File.WriteAllText(path, JsonSerializer.Serialize(seed.Concat(publicKey).Select(b => (int)b).ToArray()));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return Base58.Encode(publicKey);
    }

    /// <inheritdoc/>
    public Task<IAgentClusterNetwork> ConnectAsync(string role, CancellationToken cancellationToken) => _connectAsync(Files(role), cancellationToken);

    /// <inheritdoc/>
    public async Task FundAsync(IAgentClusterNetwork participant, BigInteger acc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        if (acc.Sign <= 0 || acc > ulong.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(acc), acc, "ACC to fund is 1 to 2^64-1 base units (localnet_fundAcc's u64).");
        }

        var account = new PublicKey(participant.Account);
        await _rpc.RequestAirdropAsync(account, Lamports, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _rpc.FundAccAsync(account, (ulong)acc, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<NetworkKey> AttestorAsync(IAgentClusterNetwork network, CancellationToken cancellationToken) => _attestorAsync(network, cancellationToken);

    /// <inheritdoc/>
    public Task AdvanceClockAsync(TimeSpan by, CancellationToken cancellationToken)
    {
        if (by <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "The clock moves forward only: a positive time span.");
        }

        return _rpc.WarpTimeAsync((ulong)Math.Ceiling(by.TotalSeconds), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Nothing to do: the server's slots follow the wall clock (a slot every 400 ms), so the seed slot comes by itself.</remarks>
    public Task AfterResultsAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A Solana participant's files.</summary>
/// <param name="Role">The role (e.g. <c>owner-3</c>).</param>
/// <param name="KeypairPath">Its keypair file (Solana CLI format).</param>
/// <param name="ReviewStorePath">Its salt store.</param>
/// <param name="Address">Its address (base58).</param>
public sealed record SolanaParticipantFiles(string Role, string KeypairPath, string ReviewStorePath, string Address);
