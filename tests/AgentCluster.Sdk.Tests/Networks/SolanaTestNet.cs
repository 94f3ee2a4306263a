using System.Diagnostics;
using System.Text.Json;
using AgentCluster.Sdk.Networks;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Programs;

namespace AgentCluster.Sdk.Tests.Networks;

/// <summary>
/// The real localnet server (scripts/solana-localnet: LiteSVM with the program deployed through the loader and through genesis) as a
/// child process on a free port with a temporary --dir, plus what the tests need around the SDK: SOL airdrops, ACC from the team
/// vault (localnet_fundAcc), the Clock moved (localnet_warpTime), the authority's network (set_attestor), and keeper steps sent
/// directly with the bindings' builders.
/// </summary>
internal sealed class SolanaTestNet : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly SolanaNetworkChain _rpc;

    private SolanaTestNet(Process process, string dir, SolanaDeployment deployment)
    {
        _process = process;
        _dir = dir;
        Deployment = deployment;
        _rpc = new SolanaNetworkChain(new Uri(deployment.RpcUrl!));
    }

    public SolanaDeployment Deployment { get; }

    public string DeploymentPath => Path.Combine(_dir, "solana-localnet.json");

    public string AuthorityKeypairPath => Deployment.AuthorityKeypairPath!;

    public PublicKey ProgramId => Deployment.ProgramId;

    public PublicKey Mint => Deployment.Mint!;

    public string RpcUrl => Deployment.RpcUrl!;

    public string Dir => _dir;

    public static async Task<SolanaTestNet> StartAsync(CancellationToken ct)
    {
        string root = RepoRoot();
        string dir = Directory.CreateTempSubdirectory("solsdk-").FullName;
        var info = new ProcessStartInfo(Path.Combine(root, "scripts", "solana-localnet"), ["--port", "0", "--dir", dir])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root,
        };
        info.Environment["PATH"] = Path.Combine(root, "node_modules", ".bin") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        Process process = Process.Start(info) ?? throw new InvalidOperationException("scripts/solana-localnet did not start.");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(120));
            while (true)
            {
                string? line = await process.StandardOutput.ReadLineAsync(bound.Token);
                if (line is null)
                {
                    throw new InvalidOperationException($"scripts/solana-localnet exited before 'ready': {stderr}");
                }

                if (line == "ready")
                {
                    break;
                }
            }

            return new SolanaTestNet(process, dir, SolanaDeployment.Load(Path.Combine(dir, "solana-localnet.json")));
        }
        catch
        {
            Kill(process);
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
    public Task<SolanaNetwork> ConnectAsync(Account signer, CancellationToken ct) => SolanaNetwork.ConnectAsync(new SolanaNetworkOptions
    {
        DeploymentPath = DeploymentPath, Account = signer, ReviewStorePath = Path.Combine(_dir, $"salts-{signer.PublicKey}.db"), Commitment = "confirmed",
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
        SolanaNativePrograms.TokenAmount(await _rpc.GetAccountAsync(tokenAccount, AgentCluster.Solana.Rpc.Commitment.Confirmed, ct));

    public async Task<ulong> MintSupplyAsync(CancellationToken ct) =>
        SolanaNativePrograms.MintSupply((await _rpc.GetAccountAsync(Mint, AgentCluster.Solana.Rpc.Commitment.Confirmed, ct))!);

    public static PublicKey AccAccount(PublicKey owner, PublicKey mint) => SolanaNativePrograms.AssociatedTokenAddress(owner, mint);

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        Kill(_process);
        await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token).ConfigureAwait(false);
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a salt store still open elsewhere: the temp directory is left
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "scripts", "solana-localnet")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("No scripts/solana-localnet above " + AppContext.BaseDirectory);
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

        string path = Path.Combine(_dir, $"deployment-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(edited));
        return path;
    }
}
