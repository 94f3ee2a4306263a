using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentCluster.Sdk.Networks;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Rpc;
using AgentCluster.Testing.Solana;

namespace AgentCluster.Cli.Tests.Keepers;

/// <summary><c>agentcluster keepers run --chain solana|both</c>: the Solana keeper from the command line (docs/keepers-solana.md).</summary>
[NonParallelizable]
public sealed class KeepersSolanaTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("keepers-cli-solana-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Run_WithBothChains_NamesEveryBadSettingOfEitherChain()
    {
        CliResult result = Cli.Run("keepers", "run", "--chain", "both", "--rpc-url", "ftp://x", "--solana-rpc-url", "ftp://y",
            "--solana-deployment", Path.Combine(_dir, "none.json"), "--solana-poll-interval", "00:00:00.001");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.Stderr, Does.Contain("agentcluster keepers run: AgentCluster:Keepers:RpcUrl: 'ftp://x' is not an http(s) URL."));
        Assert.That(result.Stderr, Does.Contain("agentcluster keepers run: AgentCluster:Keepers:Solana:RpcUrl: 'ftp://y' is not an http(s) URL."));
        Assert.That(result.Stderr, Does.Contain($"agentcluster keepers run: AgentCluster:Keepers:Solana:DeploymentPath: no file at '{Path.Combine(_dir, "none.json")}'."));
        Assert.That(result.Stderr, Does.Contain("agentcluster keepers run: AgentCluster:Keepers:Solana:KeypairPath: not set"));
        Assert.That(result.Stderr, Does.Contain("agentcluster keepers run: AgentCluster:Keepers:Solana:PollInterval: 00:00:00.0010000 is outside"));
    }

    [Test]
    public void Run_WithSolanaOnly_ChecksOnlyTheSolanaSettings()
    {
        CliResult result = Cli.Run("keepers", "run", "--chain", "solana", "--solana-rpc-url", "http://127.0.0.1:1");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stderr, Does.Contain("AgentCluster:Keepers:Solana:DeploymentPath: not set"));
        Assert.That(result.Stderr, Does.Not.Contain("AgentCluster:Keepers:RpcUrl"), "the EVM keepers are not run, so their settings are not asked for");
    }

    [TestCase("--chain", "tron", "--chain: 'tron' is not a chain the keepers serve: evm, solana or both.")]
    [TestCase("--solana-keypair", "k.json", "--solana-keypair: is a Solana setting, but --chain is evm: add --chain solana or --chain both.")]
    public void Run_RefusesAnUnknownChainAndSolanaSettingsWithoutSolana(string option, string value, string message)
    {
        CliResult result = Cli.Run("keepers", "run", option, value);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stderr, Is.EqualTo($"agentcluster keepers run: {message}\n"));
    }

    /// <summary>
    /// The keeper run as a process from the command line against a real localnet does the market's work: a task nobody bid on is
    /// assigned after its bidding window (the program refunds it) without anyone else sending anything; SIGTERM stops it with exit 0.
    /// </summary>
    [Test]
    public async Task Run_AsAProcess_DoesTheSolanaMarketsWork_AndStopsOnSigterm()
    {
        await using SolanaLocalnet localnet = await SolanaLocalnet.StartAsync();
        using SolanaRpcClient rpc = localnet.CreateClient();
        Account keeper = Account.Generate(), requester = Account.Generate();
        string keeperFile = Path.Combine(_dir, "keeper.json"), requesterFile = Path.Combine(_dir, "requester.json");
        KeypairFile.Write(keeperFile, keeper);
        KeypairFile.Write(requesterFile, requester);
        foreach (Account a in new[] { keeper, requester })
        {
            await rpc.ConfirmTransactionAsync(await rpc.RequestAirdropAsync(a.PublicKey, 10_000_000_000), Commitment.Confirmed, TimeSpan.FromSeconds(30));
        }

        await rpc.FundAccAsync(requester.PublicKey, 10_000UL * 1_000_000_000);
        string deployment = Path.Combine(localnet.Directory, "solana-localnet.json");
        await using IAgentClusterNetwork network = await AgentClusterNetwork.ConnectAsync(new AgentClusterNetworkOptions
        {
            Chain = "solana",
            Solana = new SolanaNetworkOptions { RpcUrl = localnet.RpcUrl.ToString(), DeploymentPath = deployment, KeypairPath = requesterFile },
        });
        NetworkMarketTerms terms = await network.Tasks.GetTermsAsync();
        DateTimeOffset now = await network.ChainTimeAsync();
        TaskRef task = await network.Tasks.SubmitAsync(new NetworkTaskSubmission
        {
            RequirementsHash = new byte[32], Bounty = network.Acc(100m), Deadline = now + terms.BiddingWindow + TimeSpan.FromHours(2),
        });
        await rpc.WarpTimeAsync((ulong)terms.BiddingWindow.TotalSeconds + 1);

        using CliProcess keepers = CliProcess.Start(_dir, "keepers", "run", "--chain", "solana", "--solana-rpc-url", localnet.RpcUrl.ToString(),
            "--solana-deployment", deployment, "--solana-keypair", keeperFile, "--solana-poll-interval", "00:00:00.500");
        NetworkTask seen;
        DateTime until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        do
        {
            await Task.Delay(500);
            seen = await network.Tasks.GetAsync(task);
        }
        while (seen.Status == MarketTaskStatus.Bidding && DateTime.UtcNow < until && !keepers.Process.HasExited);

        await keepers.SignalAsync("-TERM");
        Assert.That(await keepers.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.True, "it stopped within 60 s of SIGTERM");
        string output = keepers.Stderr + await keepers.Stdout;
        TestContext.Out.WriteLine(output);
        Assert.That(seen.Status, Is.EqualTo(MarketTaskStatus.Refunded), "the keeper assigned the task without bids, which refunds it: " + output);
        Assert.That(keepers.Process.ExitCode, Is.EqualTo(0), output);
        PublicKey keeperAcc = AgentCluster.Solana.Programs.AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(keeper.PublicKey, localnet.Mint);
        RpcResponse<TokenAmount> reward = await rpc.GetTokenAccountBalanceAsync(keeperAcc);
        Assert.That(reward.Value.Amount, Is.GreaterThan(0UL), "the keeper was paid for the assignment into its own ACC account");
    }
}
