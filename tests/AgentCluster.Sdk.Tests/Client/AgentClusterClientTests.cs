using System.Net;
using System.Net.Sockets;
using System.Numerics;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Reviews;
using AgentCluster.Sdk.Tests.Agents;
using AgentCluster.Sdk.Tests.Identity;
using AgentCluster.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Sdk.Tests.Client;

/// <summary>The client core against anvil: connecting, the set-up failures a user meets, options, DI binding and the read-only guard.</summary>
[Category("Anvil")]
public sealed class AgentClusterClientTests
{
    private AgentClusterSuite _suite = null!;
    private string _journals = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _suite = await SdkTestChain.StartAsync();
        _journals = Directory.CreateTempSubdirectory("sdk-client-tests-").FullName;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }

        Directory.Delete(_journals, recursive: true);
    }

    [Test]
    public async Task Connect_WithRpcUrlAndAccount_ReportsChainAndChecksummedAddress_AndCanRead()
    {
        using var bound = SdkTestChain.Bound();
        var account = new Account(AnvilAccounts.PrivateKeys[3], _suite.Node.ChainId);
        await using AgentClusterClient client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
        {
            RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = _suite.Manifest, Account = account, JournalPath = Path.Combine(_journals, "a3.db"),
        }, cancellationToken: bound.Token);

        Assert.That(client.ChainId, Is.EqualTo(new BigInteger(_suite.Node.ChainId)));
        Assert.That(client.Address, Is.EqualTo(AnvilAccounts.Addresses[3]), "checksummed");
        Assert.That(client.IsReadOnly, Is.False);
        Assert.That(client.Manifest, Is.SameAs(_suite.Manifest));
        Assert.That(await client.Contracts.Token.SymbolQueryAsync(), Is.EqualTo("ACC"));
        Assert.That(await client.Agents.IsAttestorAsync(AnvilAccounts.Addresses[SdkTestChain.AttestorIndex], bound.Token), Is.True,
            "the suite approved account #6 as attestor, as localnet does");
        Assert.That(await client.Agents.IsAttestorAsync(AnvilAccounts.Addresses[3], bound.Token), Is.False);
    }

    [Test]
    public async Task Connect_WithoutAccount_IsReadOnly_AndEverySendRefusesBeforeAnythingElse()
    {
        using var bound = SdkTestChain.Bound();
        await using AgentClusterClient client = await SdkTestChain.ReadOnlyClientAsync(_suite, bound.Token);
        Assert.That(client.IsReadOnly, Is.True);
        Assert.That(client.Address, Is.Null);

        // RequireSigner comes first: even invalid input gets the read-only answer, and nothing is read or sent.
        var e = Assert.ThrowsAsync<ReadOnlyClientException>(() => client.Agents.RegisterAsync(SdkTestChain.NewKey(), "", 0, [], bound.Token))!;
        Assert.That(e.Message, Does.Contain("Agents.RegisterAsync").And.Contain("no signer"));
        Assert.That(Assert.ThrowsAsync<ReadOnlyClientException>(() => client.Staking.StakeAsync(1, 0, bound.Token))!.Message, Does.Contain("Staking.StakeAsync"));
        Assert.That(Assert.ThrowsAsync<ReadOnlyClientException>(() => client.Staking.RequestUnstakeAsync(1, 1, bound.Token))!.Message,
            Does.Contain("Staking.RequestUnstakeAsync"));
        Assert.That(Assert.ThrowsAsync<ReadOnlyClientException>(() => client.Staking.WithdrawAsync(1, bound.Token))!.Message, Does.Contain("Staking.WithdrawAsync"));
        Assert.That(Assert.ThrowsAsync<ReadOnlyClientException>(() => client.Agents.RequestExitAsync(1, bound.Token))!.Message, Does.Contain("Agents.RequestExitAsync"));
        Assert.That(Assert.ThrowsAsync<ReadOnlyClientException>(() => client.Earnings.WithdrawAsync(bound.Token))!.Message, Does.Contain("Earnings.WithdrawAsync"));

        // Reads work; earnings need an account named.
        Assert.That(await client.Earnings.GetAsync(AnvilAccounts.Addresses[1], bound.Token), Is.EqualTo(BigInteger.Zero));
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => client.Earnings.GetAsync(null, bound.Token))!.Message, Does.Contain("read-only"));
    }

    [Test]
    public void Connect_WithAManifestForAnotherChain_ThrowsWrongChain()
    {
        using var bound = SdkTestChain.Bound();
        DeploymentManifest other = _suite.Manifest with { ChainId = _suite.Manifest.ChainId + 1 };
        var e = Assert.ThrowsAsync<WrongChainException>(() => AgentClusterClient.ConnectAsync(
            new AgentClusterClientOptions { RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = other }, cancellationToken: bound.Token))!;
        Assert.That(e.Message, Does.Contain($"chain {_suite.Node.ChainId}").And.Contain($"chain {other.ChainId}"));

        var options = Assert.ThrowsAsync<WrongChainException>(() => AgentClusterClient.ConnectAsync(
            new AgentClusterClientOptions { RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = _suite.Manifest, ChainId = 1 }, cancellationToken: bound.Token))!;
        Assert.That(options.Message, Does.Contain("options ask for chain 1"));
    }

    [Test]
    public async Task Connect_ToANodeWithoutTheDeployment_ThrowsDeploymentNotFound()
    {
        using var bound = SdkTestChain.Bound();
        await using IAnvilNode bare = await Anvil.StartAsync(ct: bound.Token);
        var e = Assert.ThrowsAsync<DeploymentNotFoundException>(() => AgentClusterClient.ConnectAsync(
            new AgentClusterClientOptions { RpcUrl = bare.RpcUrl.ToString(), Manifest = _suite.Manifest }, cancellationToken: bound.Token))!;
        Assert.That(e.Message, Does.Contain(_suite.Manifest.AddressOf("AccToken")).And.Contain("no code"));
    }

    [Test]
    public void Connect_ToAClosedPort_ThrowsNodeUnreachable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var e = Assert.ThrowsAsync<NodeUnreachableException>(() => AgentClusterClient.ConnectAsync(
            new AgentClusterClientOptions { RpcUrl = $"http://127.0.0.1:{port}", Manifest = _suite.Manifest }))!;
        Assert.That(e.Message, Does.Contain("127.0.0.1").And.Contain("does not answer"));
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        DeploymentManifest manifest = DeploymentManifest.Parse("""
            {"chainId": 31337, "block": 1, "deployer": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
             "contracts": {"AccToken": "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853"}}
            """);
        var web3 = new Nethereum.Web3.Web3("http://127.0.0.1:1");
        var account = new Account(AnvilAccounts.PrivateKeys[1], 31337);
        yield return new TestCaseData(new AgentClusterClientOptions { Manifest = manifest }, "set RpcUrl").SetName("No RpcUrl nor Web3");
        yield return new TestCaseData(new AgentClusterClientOptions { RpcUrl = "http://x", Web3 = web3, Manifest = manifest }, "not both").SetName("RpcUrl and Web3");
        yield return new TestCaseData(new AgentClusterClientOptions { Web3 = web3, Account = account, Manifest = manifest }, "do not set Account")
            .SetName("Web3 and Account");
        yield return new TestCaseData(new AgentClusterClientOptions { RpcUrl = "ftp://node", Manifest = manifest }, "absolute http or https URL, not 'ftp://node'")
            .SetName("Not an http URL");
        yield return new TestCaseData(new AgentClusterClientOptions { RpcUrl = "node:8545x", Manifest = manifest }, "absolute http or https URL").SetName("Not a URL");
        yield return new TestCaseData(new AgentClusterClientOptions { RpcUrl = "http://node" }, "set Manifest or ManifestPath").SetName("No manifest");
        yield return new TestCaseData(new AgentClusterClientOptions { RpcUrl = "http://node", Manifest = manifest, ChainId = 0 }, "ChainId must be positive")
            .SetName("Chain id zero");
        yield return new TestCaseData(new AgentClusterClientOptions { RpcUrl = "http://node", Manifest = manifest, ReviewStorePath = " " }, "ReviewStorePath is empty")
            .SetName("Empty review store path");
        yield return new TestCaseData(new AgentClusterClientOptions { RpcUrl = "http://node", Manifest = manifest, TransactionPollInterval = TimeSpan.FromMilliseconds(1) },
            "TransactionPollInterval must be between 10 ms and 1 minute").SetName("Poll interval too short");
    }

    [TestCaseSource(nameof(BadOptions))]
    public void Connect_WithBadOptions_ThrowsArgumentExceptionSayingWhat(AgentClusterClientOptions options, string message)
    {
        var e = Assert.ThrowsAsync<ArgumentException>(() => AgentClusterClient.ConnectAsync(options))!;
        Assert.That(e.Message, Does.Contain(message));
    }

    [Test]
    public void Connect_WithAManifestPathThatIsNotAManifest_ThrowsFormatOrFileError()
    {
        string path = Path.Combine(_journals, "not-a-manifest.json");
        File.WriteAllText(path, "{\"chainId\": \"x\"}");
        Assert.That(() => AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { RpcUrl = "http://127.0.0.1:1", ManifestPath = path }),
            Throws.InstanceOf<FormatException>());
    }

    [Test]
    public async Task AddAgentCluster_BindsTheSectionFromConfiguration_AndTheProviderConnectsOnce()
    {
        using var bound = SdkTestChain.Bound();
        string manifestPath = Path.Combine(_journals, "manifest.json");
        await File.WriteAllTextAsync(manifestPath, ManifestJson(_suite.Manifest), bound.Token);
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCluster:RpcUrl"] = _suite.Node.RpcUrl.ToString(),
            ["AgentCluster:ChainId"] = _suite.Node.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AgentCluster:ManifestPath"] = manifestPath,
            ["AgentCluster:JournalPath"] = Path.Combine(_journals, "from-config.db"),
            ["AgentCluster:ReviewStorePath"] = Path.Combine(_journals, "config-reviews", "salts.db"),
            ["AgentCluster:TransactionPollInterval"] = "00:00:00.050",
        }).Build();

        var services = new ServiceCollection();
        bool configured = false;
        services.AddAgentCluster(configuration, o => configured = o.RpcUrl is not null);
        Assert.That(services.Any(d => d.ServiceType == typeof(AgentClusterClientProvider) && d.Lifetime == ServiceLifetime.Singleton), Is.True);

        // Microsoft.Extensions.DependencyInjection (the container) is not referenced by this project: the options are built from the registered
        // configure actions with Microsoft.Extensions.Options' own factory, as the container would.
        var setups = services.Where(d => d.ServiceType == typeof(IConfigureOptions<AgentClusterClientOptions>))
            .Select(d => (IConfigureOptions<AgentClusterClientOptions>)d.ImplementationInstance!).ToList();
        Assert.That(setups, Has.Count.EqualTo(2), "the section binding and the code action");
        AgentClusterClientOptions options = new OptionsFactory<AgentClusterClientOptions>(setups, []).Create(Options.DefaultName);
        Assert.That(configured, Is.True, "the code action runs after the binding");
        Assert.That((options.RpcUrl, options.ChainId, options.ManifestPath), Is.EqualTo((_suite.Node.RpcUrl.ToString(), (ulong?)_suite.Node.ChainId, manifestPath)));
        Assert.That(options.Account, Is.Null);
        Assert.That(options.ReviewStorePath, Is.EqualTo(Path.Combine(_journals, "config-reviews", "salts.db")));
        Assert.That(options.TransactionPollInterval, Is.EqualTo(TimeSpan.FromMilliseconds(50)));

        await using var provider = new AgentClusterClientProvider(Options.Create(options));
        AgentClusterClient first = await provider.GetClientAsync(bound.Token);
        Assert.That(await provider.GetClientAsync(bound.Token), Is.SameAs(first), "connected once, shared");
        Assert.That(first.IsReadOnly, Is.True);
        Assert.That(first.Manifest.AddressOf("AgentRegistry"), Is.EqualTo(_suite.Manifest.AddressOf("AgentRegistry")));
        Assert.That(first.Reviews.Store.Path, Is.EqualTo(Path.Combine(_journals, "config-reviews", "salts.db")), "the configured salt store, directories created");
        Assert.That(File.Exists(first.Reviews.Store.Path), Is.True);
    }

    [Test]
    public async Task Provider_DoesNotCacheAFailedConnection()
    {
        var options = new AgentClusterClientOptions { RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = _suite.Manifest with { ChainId = 5 } };
        await using var provider = new AgentClusterClientProvider(Options.Create(options));
        Assert.ThrowsAsync<WrongChainException>(() => provider.GetClientAsync());
        options.Manifest = _suite.Manifest;
        using var bound = SdkTestChain.Bound();
        Assert.That((await provider.GetClientAsync(bound.Token)).ChainId, Is.EqualTo(new BigInteger(_suite.Node.ChainId)));
    }

    private AgentClusterClientOptions SignerOptions(string name, string? reviewStorePath = null) => new()
    {
        RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = _suite.Manifest, Account = new Account(AnvilAccounts.PrivateKeys[4], _suite.Node.ChainId),
        JournalPath = Path.Combine(_journals, name + ".db"), ReviewStorePath = reviewStorePath,
    };

    [Test]
    public async Task Reviews_FromTheConfiguredStore_KeepTheSaltAcrossARestart_AndRefuseASecondVote()
    {
        using var bound = SdkTestChain.Bound();
        string store = Path.Combine(_journals, "reviews", "node-a", "salts.db");
        Secp256k1Signer agentKey = new(TestKeys.Hex(TestKeys.Random(new Random(77))));
        BigInteger agentId = new(agentKey.Address.HexToByteArray(), isUnsigned: true, isBigEndian: true);
        StoredCommitment first;
        await using (AgentClusterClient client = await AgentClusterClient.ConnectAsync(SignerOptions("reviews-a", store), cancellationToken: bound.Token))
        {
            Assert.That(client.ReviewStorePath, Is.EqualTo(Path.GetFullPath(store)));
            Assert.That(client.Reviews, Is.SameAs(client.Reviews), "one reviews client per client");
            client.Reviews.PrepareSignedCommit(taskId: 7, agentId, approve: true, agentKey); // the salt is stored before anything could be sent
            first = client.Reviews.Store.Find(client.ChainId, client.Contracts.TaskMarket.ContractAddress.ToLowerInvariant(), 7, agentId)!;
            Assert.That(first, Is.Not.Null);
            Assert.That((first.Approve, first.State, first.Salt.Length), Is.EqualTo((true, CommitmentState.Pending, 32)));
        } // the process "stops": the client and its store are disposed

        await using AgentClusterClient restarted = await AgentClusterClient.ConnectAsync(SignerOptions("reviews-b", store), cancellationToken: bound.Token);
        StoredCommitment? again = restarted.Reviews.Store.Find(restarted.ChainId, restarted.Contracts.TaskMarket.ContractAddress.ToLowerInvariant(), 7, agentId);
        Assert.That(again, Is.Not.Null, "the salt survived the restart");
        Assert.That((again!.Salt, again.Commitment, again.Approve), Is.EqualTo((first.Salt, first.Commitment, true)));

        BigInteger nonce = (await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(AnvilAccounts.Addresses[4])).Value;
        var e = Assert.ThrowsAsync<ReviewAlreadyCommittedException>(() => restarted.Reviews.CommitAsync(7, agentId, approve: false, bound.Token))!;
        Assert.That(e.Message, Does.Contain($"Agent {agentId} already committed a vote for task 7 (state Pending"));
        Assert.That((await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(AnvilAccounts.Addresses[4])).Value, Is.EqualTo(nonce), "nothing sent");
    }

    [Test]
    public async Task Reviews_WithoutAConfiguredStore_SayWhatToSet()
    {
        using var bound = SdkTestChain.Bound();
        await using AgentClusterClient client = await AgentClusterClient.ConnectAsync(SignerOptions("no-reviews"), cancellationToken: bound.Token);
        Assert.That(client.ReviewStorePath, Is.Null);
        Assert.That(() => client.Reviews, Throws.InvalidOperationException.With.Message.Contains("AgentClusterClientOptions.ReviewStorePath").And.Message.Contains("OpenReviews(path)"));
    }

    [Test]
    public async Task SignedCommit_WithAKeyThatIsNotTheAgents_IsRefused_AndNoSaltIsStored()
    {
        using var bound = SdkTestChain.Bound();
        string store = Path.Combine(_journals, "reviews", "wrong-key.db");
        await using AgentClusterClient client = await AgentClusterClient.ConnectAsync(SignerOptions("wrong-key", store), cancellationToken: bound.Token);
        Secp256k1Signer agent = new(TestKeys.Hex(TestKeys.Random(new Random(1))));
        Secp256k1Signer other = new(TestKeys.Hex(TestKeys.Random(new Random(2))));
        BigInteger agentId = new(agent.Address.HexToByteArray(), isUnsigned: true, isBigEndian: true);
        var e = Assert.Throws<ArgumentException>(() => client.Reviews.PrepareSignedCommit(3, agentId, true, other))!;
        Assert.That(e.Message, Does.Contain($"The key {other.Address} is not the key of agent {agentId}"));
        Assert.That(client.Reviews.Store.Find(client.ChainId, client.Contracts.TaskMarket.ContractAddress.ToLowerInvariant(), 3, agentId), Is.Null);
    }

    [Test]
    public void Connect_WithAManifestPathThatDoesNotExist_SaysWhichFile()
    {
        string missing = Path.Combine(_journals, "nowhere", "localnet.json");
        var e = Assert.ThrowsAsync<FormatException>(() => AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { RpcUrl = _suite.Node.RpcUrl.ToString(), ManifestPath = missing }))!;
        Assert.That(e.Message, Does.Contain($"Cannot read the deployment manifest {missing}"));
    }

    [Test]
    public async Task Connect_WithTheWrongKeystorePassword_SaysSo_WithoutEchoingIt_AndBeforeAnyJournalExists()
    {
        using var bound = SdkTestChain.Bound();
        string keystore = Path.Combine(_journals, "agent-keystore.json");
        await AgentKey.Generate().ExportKeystoreAsync(keystore, "right horse battery", new KeystoreOptions { ScryptN = KeystoreOptions.MinScryptN }, bound.Token);
        string journal = Path.Combine(_journals, "wrong-password.db");
        var e = Assert.ThrowsAsync<WrongKeystorePasswordException>(() => AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
        {
            RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = _suite.Manifest, Key = AgentKeySource.FromKeystore(keystore, "wrong staple 42"), JournalPath = journal,
        }, cancellationToken: bound.Token))!;
        Assert.That(e.Message, Does.Contain($"The password for the keystore {keystore} is wrong").And.Not.Contain("wrong staple 42"));
        Assert.That(File.Exists(journal), Is.False, "nothing was set up for sending");
    }

    [Test]
    public void Connect_WithAMalformedKeyInTheEnvironment_NamesTheVariable_WithoutEchoingTheValue()
    {
        string variable = "AC_SDK_BAD_KEY_" + Guid.NewGuid().ToString("N");
        const string value = "0xabcdef-not-a-key-31337";
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            var e = Assert.ThrowsAsync<AgentKeyException>(() => AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
            {
                RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = _suite.Manifest, Key = AgentKeySource.FromEnvironment(variable),
                JournalPath = Path.Combine(_journals, "bad-env.db"),
            }))!;
            Assert.That(e.Message, Does.Contain(variable).And.Not.Contain("abcdef"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private static string ManifestJson(DeploymentManifest m) => System.Text.Json.JsonSerializer.Serialize(new
    {
        chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts,
    });
}
