using System.Text.Json;
using AgentCluster.Sdk.Networks;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Programs;
using AgentCluster.Testing.Solana;

namespace AgentCluster.Sdk.Tests.Networks;

/// <summary>
/// The real localnet server (scripts/solana-localnet: LiteSVM with the program deployed through the loader and through genesis) through
/// AgentCluster.Testing's <see cref="SolanaLocalnet"/> fixture, plus what the tests need around the SDK: SOL airdrops, ACC from the team
/// vault (localnet_fundAcc), the Clock moved (localnet_warpTime), the authority's network (set_attestor), and keeper steps sent
/// directly with the bindings' builders.
/// </summary>
internal sealed class SolanaTestNet : IAsyncDisposable
{
    private readonly SolanaLocalnet _localnet;
    private readonly SolanaNetworkChain _rpc;

    private SolanaTestNet(SolanaLocalnet localnet, SolanaDeployment deployment)
    {
        _localnet = localnet;
        Deployment = deployment;
        _rpc = new SolanaNetworkChain(localnet.RpcUrl);
    }

    public SolanaDeployment Deployment { get; }

    /// <summary>A JSON-RPC client on the node.</summary>
    public AgentCluster.Solana.Rpc.SolanaRpcClient Rpc => _rpc.Rpc;

    public string DeploymentPath => Path.Combine(_localnet.Directory, "solana-localnet.json");

    public string AuthorityKeypairPath => _localnet.AuthorityKeypairPath;

    public PublicKey ProgramId => _localnet.ProgramId;

    public PublicKey Mint => _localnet.Mint;

    public string Dir => _localnet.Directory;

    /// <summary>Starts the node through AgentCluster.Testing's <see cref="SolanaLocalnet"/> fixture and reads the deployment file it wrote.</summary>
    public static async Task<SolanaTestNet> StartAsync(CancellationToken ct)
    {
        SolanaLocalnet localnet = await SolanaLocalnet.StartAsync(TimeSpan.FromMinutes(2), ct);
        try
        {
            return new SolanaTestNet(localnet, SolanaDeployment.Load(Path.Combine(localnet.Directory, "solana-localnet.json")));
        }
        catch
        {
            await localnet.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new signer with SOL for fees and <paramref name="acc"/> base units of ACC (0: none) in its associated token account.</summary>
    public async Task<Account> NewFundedAccountAsync(ulong acc, CancellationToken ct)
    {
        Account account = Account.Generate();
        await AirdropAsync(account.PublicKey, ct);
        if (acc > 0)
        {
            await _rpc.FundAccAsync(account.PublicKey, acc, ct);
        }

        return account;
    }

    public async Task AirdropAsync(PublicKey to, CancellationToken ct)
    {
        string signature = await _rpc.RequestAirdropAsync(to, 10_000_000_000, ct);
        for (int i = 0; i < 100 && await _rpc.GetSignatureStatusAsync(signature, ct) is null; i++)
        {
            await Task.Delay(100, ct);
        }
    }

    public Task FundAccAsync(PublicKey owner, ulong amount, CancellationToken ct) => _rpc.FundAccAsync(owner, amount, ct);

    public Task WarpAsync(long seconds, CancellationToken ct) => _rpc.WarpTimeAsync(seconds, ct);

    /// <summary>A network signing as <paramref name="signer"/> (its own salt store in the temporary directory).</summary>
    public Task<SolanaNetwork> ConnectAsync(Account signer, CancellationToken ct,
        AgentCluster.Solana.Messages.MessageVersion version = AgentCluster.Solana.Messages.MessageVersion.Legacy) => SolanaNetwork.ConnectAsync(new SolanaNetworkOptions
    {
        DeploymentPath = DeploymentPath, Account = signer, ReviewStorePath = Path.Combine(Dir, $"salts-{signer.PublicKey}.db"), Commitment = "confirmed",
        TransactionVersion = version,
    }, cancellationToken: ct);

    /// <summary>Approves a fresh attestor key through the config's authority (set_attestor); returns it.</summary>
    public async Task<SolanaNetworkKey> ApprovedAttestorAsync(CancellationToken ct)
    {
        Account authority = KeypairFile.Read(AuthorityKeypairPath);
        await AirdropAsync(authority.PublicKey, ct);
        Account attestor = Account.Generate();
        await using SolanaNetwork net = await ConnectAsync(authority, ct);
        await net.SendAsync("set_attestor", [AgentClusterProgram.SetAttestor(ProgramId, authority.PublicKey,
            AgentClusterProgram.AttestorAddress(ProgramId, attestor.PublicKey), attestor.PublicKey, true)], [], ct);
        return new SolanaNetworkKey(attestor);
    }

    public async Task<ulong> TokenBalanceAsync(PublicKey tokenAccount, CancellationToken ct) =>
        SolanaTokenReads.TokenAmount(await _rpc.GetAccountAsync(tokenAccount, AgentCluster.Solana.Rpc.Commitment.Confirmed, ct));

    public async Task<ulong> MintSupplyAsync(CancellationToken ct) =>
        SolanaTokenReads.MintSupply((await _rpc.GetAccountAsync(Mint, AgentCluster.Solana.Rpc.Commitment.Confirmed, ct))!);

    public static PublicKey AccAccount(PublicKey owner, PublicKey mint) => AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(owner, mint);

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        await _localnet.DisposeAsync();
    }

    /// <summary>The JSON of the deployment file, edited (for the connect-check tests).</summary>
    public string DeploymentWith(params (string Name, string? Value)[] edits)
    {
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(DeploymentPath))!;
        var edited = json.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
        foreach ((string name, string? value) in edits)
        {
            if (value is null)
            {
                edited.Remove(name);
            }
            else
            {
                edited[name] = value;
            }
        }

        string path = Path.Combine(Dir, $"deployment-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(edited));
        return path;
    }
}
