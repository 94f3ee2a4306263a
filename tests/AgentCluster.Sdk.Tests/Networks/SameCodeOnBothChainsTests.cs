using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Networks;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Solana.Keys;
using AgentCluster.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using AgentStatus = AgentCluster.Sdk.Agents.AgentStatus;

namespace AgentCluster.Sdk.Tests.Networks;

/// <summary>
/// Issue 15's "the same code on either chain by configuration": <see cref="AgentFlowAsync"/> is written against
/// <see cref="IAgentClusterNetwork"/> only (register, attest, stake, submit, find open, bid) and runs once on anvil (the Solidity suite)
/// and once on the Solana localnet, each network made by <see cref="AgentClusterNetwork.ConnectAsync"/> from options bound from the
/// configuration section <c>AgentCluster:Network</c>.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SameCodeOnBothChainsTests
{
    [Test]
    public async Task TheChainNeutralAgentFlow_RunsOnAnvil()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync(AgentClusterSuiteOptions.WithTestAttestor(), cts.Token);
        await suite.FundAsync(AnvilAccounts.Addresses[1], 100_000 * BigInteger.Pow(10, 18), cts.Token);
        await suite.FundAsync(AnvilAccounts.Addresses[2], 100_000 * BigInteger.Pow(10, 18), cts.Token);
        var config = new Dictionary<string, string?> { ["AgentCluster:Network:Chain"] = "evm" };
        await using IAgentClusterNetwork requester = await ConnectAsync(config, async o => o.Evm = new AgentClusterClientOptions
        {
            Web3 = await suite.CreateWeb3Async(1, cts.Token), Manifest = suite.Manifest,
        }, cts.Token);
        await using IAgentClusterNetwork worker = await ConnectAsync(config, async o => o.Evm = new AgentClusterClientOptions
        {
            Web3 = await suite.CreateWeb3Async(2, cts.Token), Manifest = suite.Manifest,
        }, cts.Token);
        Assert.That((requester.Kind, worker.Kind, requester.AccDecimals), Is.EqualTo((NetworkKind.Evm, NetworkKind.Evm, 18)));
        var attestor = new EvmNetworkKey(AgentKey.FromPrivateKey(AnvilAccounts.PrivateKeys[AgentClusterSuiteOptions.TestAttestorIndex]));

        await AgentFlowAsync(requester, worker, attestor, cts.Token);
    }

    [Test]
    public async Task TheChainNeutralAgentFlow_RunsOnTheSolanaLocalnet()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using SolanaTestNet localnet = await SolanaTestNet.StartAsync(cts.Token);
        SolanaNetworkKey attestor = await localnet.ApprovedAttestorAsync(cts.Token);
        Account requesterKey = await localnet.NewFundedAccountAsync(100_000_000_000_000, cts.Token);
        Account workerKey = await localnet.NewFundedAccountAsync(100_000_000_000_000, cts.Token);
        await using IAgentClusterNetwork requester = await ConnectAsync(SolanaConfig(localnet, requesterKey, "requester"), null, cts.Token);
        await using IAgentClusterNetwork worker = await ConnectAsync(SolanaConfig(localnet, workerKey, "worker"), null, cts.Token);
        Assert.That((requester.Kind, worker.Kind, requester.AccDecimals), Is.EqualTo((NetworkKind.Solana, NetworkKind.Solana, 9)));
        Assert.That(worker.Account, Is.EqualTo(workerKey.PublicKey.Key), "the signer is the keypair file's");

        await AgentFlowAsync(requester, worker, attestor, cts.Token);
    }

    [Test]
    public async Task TheProvider_ConnectsTheConfiguredSolanaNetworkOnceAndSharesIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using SolanaTestNet localnet = await SolanaTestNet.StartAsync(cts.Token);
        Account signer = Account.Generate();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(SolanaConfig(localnet, signer, "provided")).Build();
        var services = new ServiceCollection();
        services.AddAgentClusterNetwork(configuration);
        var setups = services.Where(d => d.ServiceType == typeof(IConfigureOptions<AgentClusterNetworkOptions>))
            .Select(d => (IConfigureOptions<AgentClusterNetworkOptions>)d.ImplementationInstance!).ToList();
        AgentClusterNetworkOptions options = new OptionsFactory<AgentClusterNetworkOptions>(setups, []).Create(Options.DefaultName);
        Assert.That((options.Kind, options.Solana!.Commitment, options.Solana.KeypairPath), Is.EqualTo((NetworkKind.Solana, "confirmed", Path.Combine(localnet.Dir, "provided.json"))));
        await using var provider = new AgentClusterNetworkProvider(Options.Create(options));
        IAgentClusterNetwork first = await provider.GetNetworkAsync(cts.Token);
        Assert.That(await provider.GetNetworkAsync(cts.Token), Is.SameAs(first), "connected once, shared");
        Assert.That((first.Kind, first.Account, first.Name), Is.EqualTo((NetworkKind.Solana, signer.PublicKey.Key, $"solana:{localnet.ProgramId}")));
    }

    [Test]
    public void TheFactory_RefusesAnUnknownChainAndAMissingSection()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => AgentClusterNetwork.ConnectAsync(new AgentClusterNetworkOptions { Chain = "cosmos" }),
                Throws.ArgumentException.With.Message.Contains("'evm' or 'solana'"));
            Assert.That(() => AgentClusterNetwork.ConnectAsync(new AgentClusterNetworkOptions { Chain = "solana" }),
                Throws.ArgumentException.With.Message.Contains("Solana section"));
            Assert.That(() => AgentClusterNetwork.ConnectAsync(new AgentClusterNetworkOptions { Chain = "EVM" }),
                Throws.ArgumentException.With.Message.Contains("Evm section"));
        });
    }

    /// <summary>The agent's and the requester's code, chain-neutral: nothing in it knows which chain it runs on.</summary>
    private static async Task AgentFlowAsync(IAgentClusterNetwork requester, IAgentClusterNetwork worker, NetworkKey attestor, CancellationToken ct)
    {
        NetworkKey key = worker.Agents.NewKey();
        Assert.That(key.Kind, Is.EqualTo(worker.Kind));
        AgentRef agent = await worker.Agents.RegisterAsync(key, 0b11, "ipfs://agent.json", ct);
        DateTimeOffset now = await worker.ChainTimeAsync(ct);
        await worker.Agents.AttestAsync(agent, new NetworkAttestation(SHA256.HashData("enclave"u8), 8, 16_384, 100, now.AddDays(7)), attestor, ct);
        NetworkMarketTerms terms = await requester.Tasks.GetTermsAsync(ct);
        BigInteger stake = BigInteger.Max(terms.MinStake, worker.Acc(1_000));
        Assert.That(await worker.Staking.StakeAsync(agent, stake, ct), Is.EqualTo(stake));
        NetworkAgent read = await worker.Agents.GetAsync(agent, ct);
        Assert.Multiple(() =>
        {
            Assert.That(read.Status, Is.EqualTo(AgentStatus.Active));
            Assert.That(read.Owner, Is.EqualTo(worker.Account).IgnoreCase);
            Assert.That(read.Stake, Is.EqualTo(stake));
        });

        TaskRef task = await requester.Tasks.SubmitAsync(new NetworkTaskSubmission
        {
            RequirementsHash = SHA256.HashData("requirements"u8), Capabilities = 0b01, Bounty = requester.Acc(100),
            Deadline = (await requester.ChainTimeAsync(ct)) + terms.BiddingWindow + TimeSpan.FromHours(1), CommitteeSize = terms.MinCommitteeSize,
        }, ct);
        IReadOnlyList<NetworkTask> open = await worker.Tasks.FindOpenAsync(0b11, ct);
        Assert.That(open.Select(t => t.Task), Does.Contain(task));
        Assert.That((await worker.Tasks.FindOpenAsync(0b10, ct)).Select(t => t.Task), Does.Not.Contain(task), "capability 0b01 is required");

        BigInteger price = worker.Acc(60);
        await worker.Tasks.BidAsync(task, agent, price, ct);
        NetworkTask bid = await requester.Tasks.GetAsync(task, ct);
        Assert.Multiple(() =>
        {
            Assert.That(bid.Status, Is.EqualTo(MarketTaskStatus.Bidding));
            Assert.That(bid.Executor, Is.EqualTo((AgentRef?)agent));
            Assert.That(bid.Price, Is.EqualTo(price));
            Assert.That(bid.Bounty, Is.EqualTo(requester.Acc(100)));
            Assert.That(bid.CommitteeSize, Is.EqualTo(terms.MinCommitteeSize));
        });
    }

    private static Dictionary<string, string?> SolanaConfig(SolanaTestNet localnet, Account signer, string name)
    {
        string keypair = Path.Combine(localnet.Dir, $"{name}.json");
        KeypairFile.Write(keypair, signer);
        return new Dictionary<string, string?>
        {
            ["AgentCluster:Network:Chain"] = "solana",
            ["AgentCluster:Network:Solana:DeploymentPath"] = localnet.DeploymentPath,
            ["AgentCluster:Network:Solana:KeypairPath"] = keypair,
            ["AgentCluster:Network:Solana:ReviewStorePath"] = Path.Combine(localnet.Dir, $"{name}-salts.db"),
            ["AgentCluster:Network:Solana:Commitment"] = "confirmed",
        };
    }

    /// <summary>
    /// Binds <c>AgentCluster:Network</c> through <see cref="NetworkServiceCollectionExtensions.AddAgentClusterNetwork"/> (the options built from
    /// the registered setups by Microsoft.Extensions.Options' own factory, as the container would), then connects with the factory.
    /// </summary>
    private static async Task<IAgentClusterNetwork> ConnectAsync(Dictionary<string, string?> settings, Func<AgentClusterNetworkOptions, Task>? inCode,
        CancellationToken ct)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddAgentClusterNetwork(configuration);
        Assert.That(services.Any(d => d.ServiceType == typeof(AgentClusterNetworkProvider) && d.Lifetime == ServiceLifetime.Singleton), Is.True);
        var setups = services.Where(d => d.ServiceType == typeof(IConfigureOptions<AgentClusterNetworkOptions>))
            .Select(d => (IConfigureOptions<AgentClusterNetworkOptions>)d.ImplementationInstance!).ToList();
        AgentClusterNetworkOptions options = new OptionsFactory<AgentClusterNetworkOptions>(setups, []).Create(Options.DefaultName);
        if (inCode is not null)
        {
            await inCode(options); // what cannot come from configuration (a Web3 object) is set in code
        }

        return await AgentClusterNetwork.ConnectAsync(options, cancellationToken: ct);
    }
}
