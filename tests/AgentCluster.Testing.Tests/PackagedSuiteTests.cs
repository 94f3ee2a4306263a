using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Sdk;
using AgentCluster.Testing.Internal;

namespace AgentCluster.Testing.Tests;

/// <summary>
/// The packaged mode of <see cref="AgentClusterSuite.StartAsync"/> (no checkout: the deployment packed into AgentCluster.Testing). A
/// packaged-deployment file is made here from a deployment of this checkout, in the format scripts/pack writes, and selected with
/// AGENTCLUSTER_SUITE=packaged + AGENTCLUSTER_SUITE_SNAPSHOT (the package itself is checked by AgentCluster.Packaging.Tests).
/// </summary>
[TestFixture]
[Category("Suite")]
[NonParallelizable]
public sealed class PackagedSuiteTests
{
    private string _directory = null!;
    private string _packaged = null!;
    private DeploymentManifest _manifest = null!;

    [OneTimeSetUp]
    public async Task MakePackagedDeployment()
    {
        _directory = Directory.CreateTempSubdirectory("agentcluster-packaged-").FullName;
        _packaged = Path.Combine(_directory, "packaged-deployment.json.gz");
        await using AgentClusterSuite checkout = await AgentClusterSuite.StartAsync();
        Assert.That(checkout.FromPackage, Is.False, "in a checkout the suite comes from scripts/deploy");
        _manifest = checkout.Manifest;
        string state = (await Rpc.CallAsync(checkout.Node.RpcUrl, "anvil_dumpState", TimeSpan.FromSeconds(60))).GetString()!;
        ulong block = Convert.ToUInt64((await Rpc.CallAsync(checkout.Node.RpcUrl, "eth_blockNumber", TimeSpan.FromSeconds(10))).GetString(), 16);
        PackagedDeployment.Write(_packaged, "anvil (test)", [(new Dictionary<string, string>(), block, ManifestJson(_manifest), state)]);
    }

    [OneTimeTearDown]
    public void Remove() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Packaged_mode_loads_the_deployment_into_a_fresh_node_that_takes_transactions()
    {
        using var env = Packaged(_packaged);
        await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync();
        Assert.That(suite.FromPackage, Is.True);
        Assert.That(suite.FromSnapshot, Is.True);
        Assert.That(suite.Manifest, Is.EqualTo(_manifest).Using<DeploymentManifest>(SameManifest));
        var token = new AccTokenService(suite.Web3, suite.Manifest.AddressOf("AccToken"));
        Assert.That(await token.TotalSupplyQueryAsync(), Is.EqualTo(BigInteger.Pow(10, 27)));

        // A chain of its own: funding account 3 works (emissions released, a transfer sent) and shows in the balance.
        BigInteger amount = BigInteger.Pow(10, 18);
        await suite.FundAsync(AnvilAccounts.Addresses[3], amount);
        Assert.That(await token.BalanceOfQueryAsync(AnvilAccounts.Addresses[3]), Is.EqualTo(amount));
    }

    [Test]
    public async Task Two_packaged_suites_are_independent_chains_with_the_same_addresses()
    {
        using var env = Packaged(_packaged);
        await using AgentClusterSuite first = await AgentClusterSuite.StartAsync();
        await using AgentClusterSuite second = await AgentClusterSuite.StartAsync();
        Assert.That(second.Node.RpcUrl, Is.Not.EqualTo(first.Node.RpcUrl));
        Assert.That(second.Manifest.AddressOf("TaskMarket"), Is.EqualTo(first.Manifest.AddressOf("TaskMarket")));
        await first.FundAsync(AnvilAccounts.Addresses[4], 5);
        var secondToken = new AccTokenService(second.Web3, second.Manifest.AddressOf("AccToken"));
        Assert.That(await secondToken.BalanceOfQueryAsync(AnvilAccounts.Addresses[4]), Is.EqualTo(BigInteger.Zero));
        Assert.That(await new AccTokenService(first.Web3, first.Manifest.AddressOf("AccToken")).BalanceOfQueryAsync(AnvilAccounts.Addresses[4]), Is.EqualTo(new BigInteger(5)));
    }

    [Test]
    public void Packaged_mode_refuses_a_deploy_environment_it_does_not_carry_and_says_it_needs_a_checkout()
    {
        using var env = Packaged(_packaged);
        var e = Assert.ThrowsAsync<ArgumentException>(() => AgentClusterSuite.StartAsync(AgentClusterSuiteOptions.WithTestAttestor()))!;
        Assert.That(e.Message, Does.Contain("AC_ATTESTORS=" + AnvilAccounts.Addresses[9]).And.Contain("checkout").And.Contain("scripts/deploy")
            .And.Contain("chain 31337 with the default deploy environment"));
    }

    [Test]
    public void Packaged_mode_refuses_another_chain_id()
    {
        using var env = Packaged(_packaged);
        var e = Assert.ThrowsAsync<ArgumentException>(() => AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions { Anvil = new AnvilOptions { ChainId = 1337 } }))!;
        Assert.That(e.Message, Does.Contain("chain 1337").And.Contain("scripts/deploy"));
    }

    [Test]
    public async Task A_packaged_deployment_whose_contracts_are_not_in_its_state_is_refused()
    {
        // The state of a bare node with the real manifest: loading "works", but the token has no code.
        await using IAnvilNode bare = await Anvil.StartAsync();
        string state = (await Rpc.CallAsync(bare.RpcUrl, "anvil_dumpState", TimeSpan.FromSeconds(60))).GetString()!;
        string file = Path.Combine(_directory, "empty.json.gz");
        PackagedDeployment.Write(file, "anvil (test)", [(new Dictionary<string, string>(), 0, ManifestJson(_manifest), state)]);
        using var env = Packaged(file);
        var e = Assert.ThrowsAsync<AnvilException>(() => AgentClusterSuite.StartAsync())!;
        Assert.That(e.Message, Does.Contain("AccToken code 0 bytes").And.Contain("anvil (test)"));
    }

    [Test]
    public void A_missing_or_broken_packaged_deployment_is_named()
    {
        string missing = Path.Combine(_directory, "missing.json.gz");
        using (Packaged(missing))
        {
            Assert.That(Assert.ThrowsAsync<AnvilException>(() => AgentClusterSuite.StartAsync())!.Message, Does.Contain(missing).And.Contain("does not exist"));
        }

        string broken = Path.Combine(_directory, "broken.json.gz");
        File.WriteAllText(broken, "not gzip");
        using (Packaged(broken))
        {
            Assert.That(Assert.ThrowsAsync<AnvilException>(() => AgentClusterSuite.StartAsync())!.Message,
                Does.Contain(broken).And.Contain("is not a packaged AgentCluster deployment"));
        }
    }

    [Test]
    public void The_deployment_source_is_the_checkout_when_there_is_one_unless_packaged_is_forced()
    {
        using var env = new EnvScope(("AGENTCLUSTER_ROOT", null));
        string checkout = Locator.RepositoryRoot();
        string[] inCheckout = [AppContext.BaseDirectory];
        string[] outside = [_directory];
        Assert.That(Locator.SuiteRepositoryRoot(null, inCheckout), Is.EqualTo(checkout));
        Assert.That(Locator.SuiteRepositoryRoot("auto", inCheckout), Is.EqualTo(checkout));
        Assert.That(Locator.SuiteRepositoryRoot("repository", inCheckout), Is.EqualTo(checkout));
        Assert.That(Locator.SuiteRepositoryRoot("packaged", inCheckout), Is.Null);
        Assert.That(Locator.SuiteRepositoryRoot(null, outside), Is.Null, "no checkout: the packaged deployment");
        Assert.That(Assert.Throws<AnvilException>(() => Locator.SuiteRepositoryRoot("repository", outside))!.Message, Does.Contain("AGENTCLUSTER_SUITE=repository"));
        Assert.That(Assert.Throws<AnvilException>(() => Locator.SuiteRepositoryRoot("bundle", inCheckout))!.Message,
            Does.Contain("'repository', 'packaged' or 'auto'").And.Contain("bundle"));
    }

    [Test]
    public void Anvil_is_found_through_ANVIL_then_node_modules_above_then_the_PATH_and_otherwise_the_error_says_how_to_get_it()
    {
        string outside = Directory.CreateDirectory(Path.Combine(_directory, "no-checkout")).FullName;
        string pathDir = Directory.CreateDirectory(Path.Combine(_directory, "path-bin")).FullName;
        string onPath = Path.Combine(pathDir, "anvil");
        File.WriteAllText(onPath, "");
        string inCheckout = Locator.AnvilExecutable(null, [AppContext.BaseDirectory], null);
        Assert.That(inCheckout, Does.EndWith(Path.Combine("node_modules", ".bin", "anvil")));

        Assert.That(Locator.AnvilExecutable(onPath, [AppContext.BaseDirectory], null), Is.EqualTo(onPath), "ANVIL first");
        Assert.That(Locator.AnvilExecutable(null, [AppContext.BaseDirectory], pathDir), Is.EqualTo(inCheckout), "node_modules above before the PATH");
        Assert.That(Locator.AnvilExecutable(null, [outside], Path.Combine(_directory, "nothing") + Path.PathSeparator + pathDir), Is.EqualTo(onPath), "then the PATH");

        var none = Assert.Throws<AnvilException>(() => Locator.AnvilExecutable(null, [outside], Path.Combine(_directory, "nothing")))!;
        Assert.That(none.Message, Does.Contain("anvil was not found").And.Contain("https://getfoundry.sh").And.Contain("foundryup").And.Contain("ANVIL"));
        var wrong = Assert.Throws<AnvilException>(() => Locator.AnvilExecutable(Path.Combine(_directory, "nope"), [outside], null))!;
        Assert.That(wrong.Message, Does.Contain("ANVIL is set to").And.Contain("getfoundry.sh"));
    }

    private static EnvScope Packaged(string file) =>
        new((Locator.SuiteVariable, "packaged"), (PackagedDeployment.FileVariable, file), ("AGENTCLUSTER_ROOT", null));

    private static bool SameManifest(DeploymentManifest a, DeploymentManifest b) =>
        a.ChainId == b.ChainId && a.Block == b.Block && a.Deployer == b.Deployer
        && a.Contracts.Count == b.Contracts.Count && a.Contracts.All(kv => b.Contracts.TryGetValue(kv.Key, out string? v) && v == kv.Value);

    private static string ManifestJson(DeploymentManifest m) =>
        JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts });
}
