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

    [Test]
    public async Task VersionedTransactions_LandAsV0()
    {
        using var cts = Bound();
        Account owner = await _net.NewFundedAccountAsync(50_000 * Acc, cts.Token);
        await using SolanaNetwork net = await _net.ConnectAsync(owner, cts.Token, AgentCluster.Solana.Messages.MessageVersion.V0);
        AgentRef agent = await net.Agents.RegisterAsync(net.Agents.NewKey(), 1, "ipfs://a", cts.Token);
        AgentCluster.Solana.PublicKey agentKey = new(agent.Value);
        string signature = await net.SendAsync("stake", [AgentClusterProgram.Stake(_net.ProgramId, owner.PublicKey,
            AgentClusterProgram.AgentAddress(_net.ProgramId, agentKey), net.SignerAccAccount, 7 * Acc)], [], cts.Token);
        AgentCluster.Solana.Rpc.TransactionInfo? tx = await _net.Rpc.GetTransactionAsync(signature, AgentCluster.Solana.Rpc.Commitment.Confirmed, cts.Token);
        Assert.That(tx, Is.Not.Null);
        Assert.That(tx!.Version, Is.EqualTo(0));
        Assert.That(await net.Staking.GetStakeAsync(agent, cts.Token), Is.EqualTo(new BigInteger(7 * Acc)));
    }

    [Test]
    public async Task ATaskWithoutBids_IsRefundedAndTheRequesterWithdrawsExactlyItsCredit()
    {
        using var cts = Bound();
        Account requester = await _net.NewFundedAccountAsync(50_000 * Acc, cts.Token);
        Account keeper = await _net.NewFundedAccountAsync(1, cts.Token);
        await using SolanaNetwork net = await _net.ConnectAsync(requester, cts.Token);
        await using SolanaNetwork keeperNet = await _net.ConnectAsync(keeper, cts.Token);
        NetworkMarketTerms terms = await net.Tasks.GetTermsAsync(cts.Token);
        DateTimeOffset now = await net.ChainTimeAsync(cts.Token);
        TaskRef task = await net.Tasks.SubmitAsync(new NetworkTaskSubmission
        {
            RequirementsHash = SHA256.HashData("nobody"u8), Bounty = 100 * Acc, Deadline = now + terms.BiddingWindow + TimeSpan.FromHours(1),
        }, cts.Token);
        Assert.That(await net.Tasks.GetEarningsAsync(cts.Token), Is.EqualTo(BigInteger.Zero), "nothing owed while the task runs");
        await _net.WarpAsync((long)terms.BiddingWindow.TotalSeconds + 2, cts.Token);
        AgentCluster.Solana.PublicKey address = new(task.Value), vault = AgentClusterProgram.TaskVaultAddress(_net.ProgramId, address);
        await keeperNet.SendAsync("assign_task", [AgentClusterProgram.AssignTask(_net.ProgramId, keeper.PublicKey, address, vault, keeperNet.SignerAccAccount)], [],
            cts.Token);
        NetworkTask refunded = await net.Tasks.GetAsync(task, cts.Token);
        TaskAccount account = await net.GetTaskAccountAsync(task, cts.Token);
        Assert.That((refunded.Status, refunded.Stage), Is.EqualTo((AgentCluster.Sdk.Tasks.MarketTaskStatus.Refunded, (AgentCluster.Sdk.Tasks.TaskStage?)AgentCluster.Sdk.Tasks.TaskStage.Settled)));
        Assert.That(account.RequesterCredit, Is.GreaterThan(0UL));
        Assert.That(await net.Tasks.GetEarningsAsync(cts.Token), Is.EqualTo(new BigInteger(account.RequesterCredit)));
        BigInteger before = await net.GetAccBalanceAsync(cts.Token);
        Assert.That(await net.Tasks.WithdrawEarningsAsync(cts.Token), Is.EqualTo(new BigInteger(account.RequesterCredit)));
        Assert.That(await net.GetAccBalanceAsync(cts.Token), Is.EqualTo(before + account.RequesterCredit));
        Assert.That(await net.Tasks.GetEarningsAsync(cts.Token), Is.EqualTo(BigInteger.Zero));
        Assert.That(await _net.TokenBalanceAsync(vault, cts.Token), Is.EqualTo(0UL), "the vault paid the keeper and the refund: empty");
    }

    [Test]
    public async Task ACommitteeOver64_IsSubmittedWithTheReservationInTheSameTransaction()
    {
        using var cts = Bound();
        Account requester = await _net.NewFundedAccountAsync(50_000 * Acc, cts.Token);
        await using SolanaNetwork net = await _net.ConnectAsync(requester, cts.Token);
        NetworkMarketTerms terms = await net.Tasks.GetTermsAsync(cts.Token);
        Assert.That((terms.MinCommitteeSize, terms.MaxCommitteeSize, terms.MinStake), Is.EqualTo((3, 100, BigInteger.One)));
        DateTimeOffset now = await net.ChainTimeAsync(cts.Token);
        TaskRef task = await net.Tasks.SubmitAsync(new NetworkTaskSubmission
        {
            RequirementsHash = SHA256.HashData("large"u8), Bounty = 100 * Acc, Deadline = now + terms.BiddingWindow + TimeSpan.FromHours(1), CommitteeSize = 100,
        }, cts.Token);
        NetworkTask read = await net.Tasks.GetAsync(task, cts.Token);
        ConfigAccount config = await net.GetConfigAsync(cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(read.CommitteeSize, Is.EqualTo(100));
            Assert.That(read.Status, Is.EqualTo(AgentCluster.Sdk.Tasks.MarketTaskStatus.Bidding));
            Assert.That(read.Fee, Is.EqualTo(SolanaNetwork.MinimumFee(config, 100 * Acc, 100)));
        });
    }

    [Test]
    public async Task ASendWhoseAnswersAreLost_IsConfirmedBySignatureAndLandsOnce()
    {
        using var cts = Bound();
        Account owner = await _net.NewFundedAccountAsync(50_000 * Acc, cts.Token);
        await using SolanaNetwork direct = await _net.ConnectAsync(owner, cts.Token);
        AgentRef agent = await direct.Agents.RegisterAsync(direct.Agents.NewKey(), 1, "ipfs://a", cts.Token);

        // A proxy that passes every call to the node but answers each sendTransaction with HTTP 503 after the node took it: the client
        // retries the same bytes, gives up, and the network must learn from the signature's status that the stake landed, once.
        await using var proxy = await LossyProxy.StartAsync(new Uri(_net.Deployment.RpcUrl!), cts.Token);
        await using SolanaNetwork net = await SolanaNetwork.ConnectAsync(new SolanaNetworkOptions
        {
            DeploymentPath = _net.DeploymentPath, RpcUrl = proxy.Url, Account = owner, ReviewStorePath = Path.Combine(_net.Dir, "lossy.db"),
        }, cancellationToken: cts.Token);
        BigInteger stake = await net.Staking.StakeAsync(agent, 5 * Acc, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(proxy.SendsSeen, Is.GreaterThanOrEqualTo(1));
            Assert.That(stake, Is.EqualTo(new BigInteger(5 * Acc)), "staked once, whatever the number of sends");
        });
        Assert.That(await direct.Staking.GetStakeAsync(agent, cts.Token), Is.EqualTo(new BigInteger(5 * Acc)));
    }

    /// <summary>A JSON-RPC proxy on 127.0.0.1 that forwards every request and loses the answers of sendTransaction (HTTP 503).</summary>
    private sealed class LossyProxy : IAsyncDisposable
    {
        private readonly System.Net.HttpListener _listener = new();
        private readonly HttpClient _http = new();
        private readonly Uri _node;
        private readonly Task _loop;
        private int _sends;

        private LossyProxy(Uri node, int port)
        {
            _node = node;
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public int SendsSeen => Volatile.Read(ref _sends);

        public static Task<LossyProxy> StartAsync(Uri node, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(new LossyProxy(node, FreePort()));
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromSeconds(5)));
            _http.Dispose();
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                System.Net.HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                string body = await reader.ReadToEndAsync();
                using HttpResponseMessage answer = await _http.PostAsync(_node, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                byte[] bytes = await answer.Content.ReadAsByteArrayAsync();
                if (body.Contains("\"sendTransaction\"", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _sends);
                    context.Response.StatusCode = 503; // the node took it; the answer is lost
                    context.Response.Close();
                    continue;
                }

                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }
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
