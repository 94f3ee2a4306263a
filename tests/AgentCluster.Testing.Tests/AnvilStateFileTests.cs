using System.Globalization;
using AgentCluster.Sdk;

namespace AgentCluster.Testing.Tests;

/// <summary>
/// The options a saved local chain needs (agentcluster localnet up --resume): a process node's state file that outlives the node, a fixed
/// block timestamp interval, and a suite that starts from a saved chain without deploying.
/// </summary>
[TestFixture, Category("Anvil")]
public sealed class AnvilStateFileTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("agentcluster-statefile-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private static async Task<long> BlockNumberAsync(IAnvilNode node) =>
        Convert.ToInt64((await Rpc.CallAsync(node.RpcUrl, "eth_blockNumber", TimeSpan.FromSeconds(5))).GetString(), 16);

    private static async Task<long> LatestTimestampAsync(IAnvilNode node) =>
        Convert.ToInt64((await Rpc.CallAsync(node.RpcUrl, "eth_getBlockByNumber", TimeSpan.FromSeconds(5), "latest", false)).GetProperty("timestamp").GetString(), 16);

    [Test]
    public async Task A_state_file_outlives_its_node_and_a_new_node_continues_the_chain()
    {
        using var env = EnvScope.Kind(AnvilKinds.Process); // a state file needs a process node, whatever the run forces (CI: containers)
        string file = Path.Combine(_dir, "chain.json");
        await using (IAnvilNode first = await Anvil.StartAsync(new AnvilOptions { StateFile = file }))
        {
            Assert.That(first.Kind, Is.EqualTo(AnvilKinds.Process), "a state file means a process node");
            for (int i = 0; i < 3; i++)
            {
                await Rpc.CallAsync(first.RpcUrl, "evm_mine", TimeSpan.FromSeconds(5));
            }

            await first.StopAsync();
        }

        Assert.That(File.Exists(file), Is.True, "the state file is kept when the node is disposed");
        await using IAnvilNode second = await Anvil.StartAsync(new AnvilOptions { StateFile = file });
        Assert.That(await BlockNumberAsync(second), Is.EqualTo(3), "the new node starts from the saved chain");
    }

    [Test]
    public void A_state_file_with_containers_forced_is_refused()
    {
        using var env = EnvScope.Kind(AnvilKinds.Container);
        var e = Assert.ThrowsAsync<ArgumentException>(() => Anvil.StartAsync(new AnvilOptions { StateFile = Path.Combine(_dir, "x.json") }));
        Assert.That(e!.Message, Does.Contain("StateFile").And.Contain("container"));
    }

    [Test]
    public async Task A_fixed_interval_gives_one_second_per_block_from_the_genesis_asked_and_IncreaseTime_still_moves_the_clock()
    {
        const long genesis = 1_767_225_600;
        var options = new AgentClusterSuiteOptions
        {
            Anvil = new AnvilOptions { BlockTimestampInterval = TimeSpan.FromSeconds(1), ExtraArguments = ["--timestamp", genesis.ToString(CultureInfo.InvariantCulture)] },
        };
        await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync(options);
        long block = await BlockNumberAsync(suite.Node);
        Assert.That(await LatestTimestampAsync(suite.Node), Is.EqualTo(genesis + block), "every block one second after the previous, from the genesis");

        await suite.IncreaseTimeAsync(TimeSpan.FromHours(6));
        Assert.That(await LatestTimestampAsync(suite.Node), Is.EqualTo(genesis + block + 6 * 3600), "the clock moved 6 h (evm_increaseTime is ignored in this mode)");
        await suite.MineAsync();
        Assert.That(await LatestTimestampAsync(suite.Node), Is.EqualTo(genesis + block + 6 * 3600 + 1));
    }

    [Test]
    public async Task A_suite_starts_from_a_saved_chain_without_deploying()
    {
        using var env = EnvScope.Kind(AnvilKinds.Process); // a state file needs a process node, whatever the run forces (CI: containers)
        string file = Path.Combine(_dir, "suite.json");
        DeploymentManifest manifest;
        string holder = AnvilAccounts.Addresses[3];
        await using (AgentClusterSuite first = await AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions { Anvil = new AnvilOptions { StateFile = file }, ReuseDeployment = false }))
        {
            manifest = first.Manifest;
            await first.FundAsync(holder, 7);
            await first.Node.StopAsync();
        }

        await using AgentClusterSuite again = await AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions
        {
            Anvil = new AnvilOptions { StateFile = file },
            ExistingDeployment = manifest,
        });
        Assert.That(again.Manifest, Is.SameAs(manifest));
        await using AgentClusterClient client = await again.CreateClientAsync(0);
        Assert.That(await client.Contracts.Token.BalanceOfQueryAsync(holder), Is.EqualTo(new System.Numerics.BigInteger(7)), "the saved chain's ACC transfer is there");
    }

    [Test]
    public void An_existing_deployment_without_a_saved_chain_is_refused()
    {
        DeploymentManifest manifest = DeploymentManifest.Parse(
            """{"chainId":31337,"block":1,"deployer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","contracts":{"AccToken":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}}""");
        var e = Assert.ThrowsAsync<ArgumentException>(() => AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions
        {
            Anvil = new AnvilOptions { StateFile = Path.Combine(_dir, "missing.json") },
            ExistingDeployment = manifest,
        }));
        Assert.That(e!.Message, Does.Contain("ExistingDeployment").And.Contain("StateFile"));
    }
}
