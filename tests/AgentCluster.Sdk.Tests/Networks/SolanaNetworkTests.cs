using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Networks;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Programs;
using AgentStatus = AgentCluster.Sdk.Agents.AgentStatus;

namespace AgentCluster.Sdk.Tests.Networks;

/// <summary>SolanaNetwork against the real localnet server: connect checks, agents, stake, refusals (one server for the fixture).</summary>
[TestFixture]
[NonParallelizable]
public sealed class SolanaNetworkTests
{
    private const ulong Acc = 1_000_000_000; // 9 decimals
    private SolanaTestNet _net = null!;
    private SolanaNetworkKey _attestor = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = Bound();
        _net = await SolanaTestNet.StartAsync(cts.Token);
        _attestor = await _net.ApprovedAttestorAsync(cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_net is not null)
        {
            await _net.DisposeAsync();
        }
    }

    [Test]
    public async Task Connect_ChecksTheProgramTheConfigAndTheMint()
    {
        using var cts = Bound();
        Account signer = Account.Generate();
        await using SolanaNetwork net = await _net.ConnectAsync(signer, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(net.Kind, Is.EqualTo(NetworkKind.Solana));
            Assert.That(net.Name, Is.EqualTo($"solana:{_net.ProgramId}"));
            Assert.That(net.Account, Is.EqualTo(signer.PublicKey.Key));
            Assert.That(net.AccDecimals, Is.EqualTo(9));
            Assert.That(net.Mint, Is.EqualTo(_net.Mint));
            Assert.That(((IAgentClusterNetwork)net).Acc(1.5m), Is.EqualTo(new BigInteger(1_500_000_000)));
        });
    }

    [Test]
    public void Connect_AProgramIdWithNoAccount_IsADeploymentError()
    {
        using var cts = Bound();
        string path = _net.DeploymentWith(("programId", Account.Generate().PublicKey.Key), ("config", null), ("mint", null));
        var e = Assert.ThrowsAsync<SolanaDeploymentException>(() => SolanaNetwork.ConnectAsync(
            new SolanaNetworkOptions { DeploymentPath = path, Account = Account.Generate() }, cancellationToken: cts.Token));
        Assert.That(e!.Message, Does.Contain("No account at the program id"));
    }

    [Test]
    public void Connect_AProgramIdThatIsNotExecutable_IsADeploymentError()
    {
        using var cts = Bound();
        string path = _net.DeploymentWith(("programId", _net.Mint.Key), ("config", null), ("mint", null)); // the mint: an account, not a program
        var e = Assert.ThrowsAsync<SolanaDeploymentException>(() => SolanaNetwork.ConnectAsync(
            new SolanaNetworkOptions { DeploymentPath = path, Account = Account.Generate() }, cancellationToken: cts.Token));
        Assert.That(e!.Message, Does.Contain("not executable"));
    }

    [Test]
    public void Connect_AnotherMint_IsADeploymentError()
    {
        using var cts = Bound();
        string path = _net.DeploymentWith(("mint", Account.Generate().PublicKey.Key));
        var e = Assert.ThrowsAsync<SolanaDeploymentException>(() => SolanaNetwork.ConnectAsync(
            new SolanaNetworkOptions { DeploymentPath = path, Account = Account.Generate() }, cancellationToken: cts.Token));
        Assert.That(e!.Message, Does.Contain("mint"));
    }

    [Test]
    public void Connect_AConfigThatIsNotTheProgramsPda_IsADeploymentError()
    {
        using var cts = Bound();
        string path = _net.DeploymentWith(("config", _net.Mint.Key));
        var e = Assert.ThrowsAsync<SolanaDeploymentException>(() => SolanaNetwork.ConnectAsync(
            new SolanaNetworkOptions { DeploymentPath = path, Account = Account.Generate() }, cancellationToken: cts.Token));
        Assert.That(e!.Message, Does.Contain("config PDA"));
    }

    [Test]
    public void Connect_AnUnreachableUrl_IsNodeUnreachableNamingIt()
    {
        using var cts = Bound();
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        var e = Assert.ThrowsAsync<NodeUnreachableException>(() => SolanaNetwork.ConnectAsync(
            new SolanaNetworkOptions { DeploymentPath = _net.DeploymentPath, RpcUrl = url, Account = Account.Generate() }, cancellationToken: cts.Token));
        Assert.That(e!.Message, Does.Contain(url));
    }

    [Test]
    public void Connect_AMissingKeypairFile_IsFileNotFoundNamingIt()
    {
        using var cts = Bound();
        string missing = Path.Combine(_net.Dir, "no-such-keypair.json");
        var e = Assert.ThrowsAsync<FileNotFoundException>(() => SolanaNetwork.ConnectAsync(
            new SolanaNetworkOptions { DeploymentPath = _net.DeploymentPath, KeypairPath = missing }, cancellationToken: cts.Token));
        Assert.That(e!.Message, Does.Contain(missing));
    }

    [Test]
    public void Connect_AKeypairFileThatIsNotOne_IsAKeypairFileError()
    {
        using var cts = Bound();
        string bad = Path.Combine(_net.Dir, "bad-keypair.json");
        File.WriteAllText(bad, "[1,2,3]");
        var e = Assert.ThrowsAsync<KeypairFileException>(() => SolanaNetwork.ConnectAsync(
            new SolanaNetworkOptions { DeploymentPath = _net.DeploymentPath, KeypairPath = bad }, cancellationToken: cts.Token));
        Assert.That(e!.Message, Does.Contain(bad));
    }

    [Test]
    public void Options_AreCheckedBeforeAnythingIsRead()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => SolanaNetwork.ConnectAsync(new SolanaNetworkOptions { Account = Account.Generate() }),
                Throws.ArgumentException.With.Message.Contains("DeploymentPath"));
            Assert.That(() => SolanaNetwork.ConnectAsync(new SolanaNetworkOptions { DeploymentPath = "x.json" }),
                Throws.ArgumentException.With.Message.Contains("KeypairPath"));
            Assert.That(() => SolanaNetwork.ConnectAsync(new SolanaNetworkOptions { DeploymentPath = "x.json", Account = Account.Generate(), Commitment = "max" }),
                Throws.ArgumentException.With.Message.Contains("Commitment"));
            Assert.That(() => SolanaNetwork.ConnectAsync(new SolanaNetworkOptions { DeploymentPath = "x.json", Account = Account.Generate(), RpcUrl = "ftp://x" }),
                Throws.ArgumentException.With.Message.Contains("RpcUrl"));
        });
    }

    [Test]
    public void Deployment_AFileThatIsNotADeployment_IsAFormatErrorNamingTheField()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => SolanaDeployment.Parse("[]", "f.json"), Throws.TypeOf<FormatException>().With.Message.Contains("f.json"));
            Assert.That(() => SolanaDeployment.Parse("{\"mint\":\"x\"}", "f.json"), Throws.TypeOf<FormatException>().With.Message.Contains("'programId'"));
            Assert.That(() => SolanaDeployment.Parse("{\"programId\":\"abc\"}", "f.json"), Throws.TypeOf<FormatException>().With.Message.Contains("'programId' is 'abc'"));
            Assert.That(() => SolanaDeployment.Parse("{\"programId\":5}", "f.json"), Throws.TypeOf<FormatException>().With.Message.Contains("must be a string"));
            Assert.That(() => SolanaDeployment.Parse("{", "f.json"), Throws.TypeOf<FormatException>().With.Message.Contains("not valid JSON"));
        });
        Assert.That(SolanaDeployment.Load(_net.DeploymentPath).ProgramId, Is.EqualTo(_net.ProgramId));
    }

    [Test]
    public async Task RegisterAttestStake_ThenGet_ReadsTheAgentAsTheChainHoldsIt()
    {
        using var cts = Bound();
        Account owner = await _net.NewFundedAccountAsync(50_000 * Acc, cts.Token);
        await using SolanaNetwork net = await _net.ConnectAsync(owner, cts.Token);
        ConfigAccount config = await net.GetConfigAsync(cts.Token);
        BigInteger before = await net.GetAccBalanceAsync(cts.Token);
        Assert.That(before, Is.EqualTo(new BigInteger(50_000 * Acc)));

        NetworkKey key = net.Agents.NewKey();
        AgentRef agent = await net.Agents.RegisterAsync(key, 0b101, "ipfs://agent.json", cts.Token);
        Assert.That(agent.Value, Is.EqualTo(key.Address));
        Assert.That(await net.GetAccBalanceAsync(cts.Token), Is.EqualTo(before - config.RegistrationBond - config.RegistrationFee), "bond + fee paid");
        NetworkAgent pending = await net.Agents.GetAsync(agent, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(pending.Status, Is.EqualTo(AgentStatus.Pending));
            Assert.That(pending.Owner, Is.EqualTo(owner.PublicKey.Key));
            Assert.That(pending.AgentKey, Is.EqualTo(key.Address));
            Assert.That(pending.Capabilities, Is.EqualTo(0b101UL));
            Assert.That(pending.AttestedUntil, Is.Null);
            Assert.That(pending.Stake, Is.EqualTo(BigInteger.Zero));
        });

        DateTimeOffset now = await net.ChainTimeAsync(cts.Token);
        DateTimeOffset expires = DateTimeOffset.FromUnixTimeSeconds(now.AddDays(7).ToUnixTimeSeconds());
        await net.Agents.AttestAsync(agent, new NetworkAttestation(SHA256.HashData("enclave"u8), 8, 16_384, 100, expires), _attestor, cts.Token);
        BigInteger stake = await net.Staking.StakeAsync(agent, 1_000 * Acc, cts.Token);
        Assert.That(stake, Is.EqualTo(new BigInteger(1_000 * Acc)));

        NetworkAgent active = await net.Agents.GetAsync(agent, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(active.Status, Is.EqualTo(AgentStatus.Active));
            Assert.That(active.IsActive, Is.True);
            Assert.That(active.AttestedUntil, Is.EqualTo(expires));
            Assert.That(active.Stake, Is.EqualTo(new BigInteger(1_000 * Acc)));
        });
        Assert.That(await net.Staking.GetStakeAsync(agent, cts.Token), Is.EqualTo(new BigInteger(1_000 * Acc)));

        // A second attestation takes the next nonce; an expiry over 30 days is refused before sending.
        await net.Agents.AttestAsync(agent, new NetworkAttestation(SHA256.HashData("enclave"u8), 8, 16_384, 100, expires.AddDays(1)), _attestor, cts.Token);
        Assert.That((await net.Agents.GetAsync(agent, cts.Token)).AttestedUntil, Is.EqualTo(expires.AddDays(1)));
        Assert.That(() => net.Agents.AttestAsync(agent, new NetworkAttestation(new byte[32], 1, 1, 1, now.AddDays(31)), _attestor, cts.Token),
            Throws.ArgumentException.With.Message.Contains("30 days"));

        // Eight days on, the attestation has run out: Suspended, derived from attested_until against the Clock.
        await _net.WarpAsync((long)TimeSpan.FromDays(9).TotalSeconds, cts.Token);
        Assert.That((await net.Agents.GetAsync(agent, cts.Token)).Status, Is.EqualTo(AgentStatus.Suspended));

        // A key binds once.
        Assert.That(() => net.Agents.RegisterAsync(key, 1, "ipfs://again", cts.Token), Throws.ArgumentException.With.Message.Contains("already registered"));
    }

    [Test]
    public async Task KeysAndRefsOfTheOtherChain_AreRefusedByName()
    {
        using var cts = Bound();
        await using SolanaNetwork net = await _net.ConnectAsync(await _net.NewFundedAccountAsync(0, cts.Token), cts.Token);
        var evmKey = new EvmNetworkKey(AgentKey.Generate());
        Assert.Multiple(() =>
        {
            Assert.That(() => net.Agents.RegisterAsync(evmKey, 1, "ipfs://a", cts.Token),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("agentKey").And.Message.Contains("Evm key"));
            Assert.That(() => net.Agents.AttestAsync(new AgentRef(Account.Generate().PublicKey.Key), new NetworkAttestation(new byte[32], 1, 1, 1, DateTimeOffset.UtcNow), evmKey, cts.Token),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("attestor"));
            Assert.That(() => net.UseKey(evmKey), Throws.ArgumentException.With.Property("ParamName").EqualTo("key"));
            Assert.That(() => net.Agents.GetAsync(new AgentRef("12345"), cts.Token),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("agent").And.Message.Contains("another network"));
            Assert.That(() => net.Tasks.GetAsync(new TaskRef("7"), cts.Token),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("task").And.Message.Contains("another network"));
            Assert.That(() => net.Agents.GetAsync(new AgentRef(Account.Generate().PublicKey.Key), cts.Token), Throws.TypeOf<SolanaUnknownAgentException>());
            Assert.That(() => net.Tasks.GetAsync(new TaskRef(Account.Generate().PublicKey.Key), cts.Token), Throws.TypeOf<SolanaUnknownTaskException>());
        });
    }

    [Test]
    public async Task ABidByAnAgentThatIsNotEligible_IsRefusedWithTheProgramsNamedError()
    {
        using var cts = Bound();
        Account requester = await _net.NewFundedAccountAsync(50_000 * Acc, cts.Token);
        Account worker = await _net.NewFundedAccountAsync(50_000 * Acc, cts.Token);
        await using SolanaNetwork requesterNet = await _net.ConnectAsync(requester, cts.Token);
        await using SolanaNetwork workerNet = await _net.ConnectAsync(worker, cts.Token);
        NetworkMarketTerms terms = await requesterNet.Tasks.GetTermsAsync(cts.Token);
        DateTimeOffset now = await requesterNet.ChainTimeAsync(cts.Token);
        TaskRef task = await requesterNet.Tasks.SubmitAsync(new NetworkTaskSubmission
        {
            RequirementsHash = SHA256.HashData("req"u8), Bounty = 100 * Acc, Deadline = now + terms.BiddingWindow + TimeSpan.FromHours(2),
        }, cts.Token);

        AgentRef unattested = await workerNet.Agents.RegisterAsync(workerNet.Agents.NewKey(), 1, "ipfs://a", cts.Token);
        BigInteger balance = await workerNet.GetAccBalanceAsync(cts.Token);
        var e = Assert.ThrowsAsync<AgentClusterProgramException>(() => workerNet.Tasks.BidAsync(task, unattested, 50 * Acc, cts.Token));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Error, Is.EqualTo(AgentClusterProgramError.NotEligible));
            Assert.That(e.Logs, Has.Some.Contains("NotEligible"));
        });
        Assert.That((await workerNet.Tasks.GetAsync(task, cts.Token)).Executor, Is.Null, "nothing landed");
        Assert.That(await workerNet.GetAccBalanceAsync(cts.Token), Is.EqualTo(balance));

        // Bad input refused before anything is sent.
        Assert.Multiple(() =>
        {
            Assert.That(() => workerNet.Tasks.BidAsync(task, unattested, -1, cts.Token), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => requesterNet.Tasks.SubmitAsync(new NetworkTaskSubmission
            {
                RequirementsHash = new byte[32], Bounty = 1 * Acc, Deadline = now + terms.BiddingWindow + TimeSpan.FromHours(1), CommitteeSize = 101,
            }, cts.Token), Throws.ArgumentException.With.Message.Contains("3 and 100"));
            Assert.That(() => requesterNet.Tasks.SubmitAsync(new NetworkTaskSubmission
            {
                RequirementsHash = new byte[32], Bounty = 1 * Acc, Deadline = now + TimeSpan.FromMinutes(1),
            }, cts.Token), Throws.ArgumentException.With.Message.Contains("Deadline"));
            Assert.That(() => requesterNet.Tasks.PostResultAsync(task, unattested, new byte[32], "ipfs://r", cts.Token),
                Throws.ArgumentException.With.Message.Contains("UseKey"));
        });
    }

    internal static CancellationTokenSource Bound() => new(TimeSpan.FromSeconds(180));

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
