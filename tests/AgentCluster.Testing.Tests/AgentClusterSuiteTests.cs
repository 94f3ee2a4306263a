using AgentCluster.Sdk;
using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Testing.Tests;

[TestFixture]
[Category("Suite")]
[NonParallelizable]
public sealed class AgentClusterSuiteTests
{
    private static readonly string[] SuiteContracts =
    [
        "AccToken", "AgentRegistry", "ComputePool", "CriticalProposalRegistry", "FallbackRandomness", "FeeRouter", "Governor",
        "MarketplacePool", "Randomness", "Reputation", "ReviewPool", "Staking", "TaskMarket", "TaskVerification", "TeamVesting",
        "Timelock", "Treasury", "ValidatorsPool",
    ];

    private AgentClusterSuite _suite = null!;

    [OneTimeSetUp]
    public async Task StartSuite()
    {
        _suite = await AgentClusterSuite.StartAsync();
        await TestContext.Progress.WriteLineAsync(
            $"suite on {_suite.Node.Kind} {_suite.Node.RpcUrl}: {_suite.StartTime.TotalSeconds:0.0} s ({(_suite.FromSnapshot ? "snapshot" : "deployed")})");
    }

    [OneTimeTearDown]
    public async Task StopSuite()
    {
        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }
    }

    [Test]
    public async Task The_manifest_has_all_18_contracts_and_each_has_code()
    {
        DeploymentManifest manifest = _suite.Manifest;
        Assert.That(manifest.ChainId, Is.EqualTo(_suite.Node.ChainId));
        Assert.That(manifest.Deployer, Is.EqualTo(AnvilAccounts.Addresses[0]));
        Assert.That(manifest.Contracts.Keys, Is.EquivalentTo(SuiteContracts));
        foreach ((string name, string address) in manifest.Contracts)
        {
            string code = await _suite.Web3.Eth.GetCode.SendRequestAsync(address);
            Assert.That(code.Length, Is.GreaterThan(2), $"{name} at {address} has no code");
        }
    }

    [Test]
    public async Task AccToken_total_supply_is_one_billion_tokens()
    {
        BigInteger supply = await _suite.Web3.Eth.GetContractQueryHandler<TotalSupplyFunction>()
            .QueryAsync<BigInteger>(_suite.Manifest.AddressOf("AccToken"), new TotalSupplyFunction());
        Assert.That(supply, Is.EqualTo(BigInteger.Pow(10, 27)));
    }

    [Test]
    public async Task The_web3_signs_as_the_deployer_and_sends()
    {
        string fresh = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        var receipt = await _suite.Web3.Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(fresh, 0.25m);
        Assert.That(receipt.Succeeded(), Is.True);
        Assert.That(receipt.From, Is.EqualTo(AnvilAccounts.Addresses[0]).IgnoreCase);
        Assert.That((await _suite.Web3.Eth.GetBalance.SendRequestAsync(fresh)).Value, Is.EqualTo(Web3.Convert.ToWei(0.25m)));
    }

    [Test]
    public async Task A_second_suite_is_restored_from_the_snapshot_and_is_an_independent_chain()
    {
        await using AgentClusterSuite second = await AgentClusterSuite.StartAsync();
        await TestContext.Progress.WriteLineAsync($"second suite: {second.StartTime.TotalMilliseconds:0} ms ({(second.FromSnapshot ? "snapshot" : "deployed")})");
        foreach ((TimeSpan deploy, TimeSpan dump, int chars) in AgentClusterSuite.SnapshotTimings)
        {
            await TestContext.Progress.WriteLineAsync($"snapshot: deploy {deploy.TotalSeconds:0.0} s, dump {dump.TotalMilliseconds:0} ms, {chars / 2 / 1024} KiB");
        }

        Assert.That(second.FromSnapshot, Is.True);
        Assert.That(second.Node.RpcUrl, Is.Not.EqualTo(_suite.Node.RpcUrl));
        Assert.That(second.Manifest, Is.SameAs(_suite.Manifest).Or.EqualTo(_suite.Manifest));
        BigInteger supply = await second.Web3.Eth.GetContractQueryHandler<TotalSupplyFunction>()
            .QueryAsync<BigInteger>(second.Manifest.AddressOf("AccToken"), new TotalSupplyFunction());
        Assert.That(supply, Is.EqualTo(BigInteger.Pow(10, 27)));

        // A transfer on one chain is not seen on the other, in either direction.
        string a = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        string b = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        Assert.That((await (await second.CreateWeb3Async(3)).Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(a, 1m)).Succeeded(), Is.True);
        Assert.That((await (await _suite.CreateWeb3Async(3)).Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(b, 2m)).Succeeded(), Is.True);
        Assert.That((await second.Web3.Eth.GetBalance.SendRequestAsync(a)).Value, Is.EqualTo(Web3.Convert.ToWei(1m)));
        Assert.That((await _suite.Web3.Eth.GetBalance.SendRequestAsync(a)).Value, Is.EqualTo(BigInteger.Zero));
        Assert.That((await _suite.Web3.Eth.GetBalance.SendRequestAsync(b)).Value, Is.EqualTo(Web3.Convert.ToWei(2m)));
        Assert.That((await second.Web3.Eth.GetBalance.SendRequestAsync(b)).Value, Is.EqualTo(BigInteger.Zero));
    }

    [Test]
    public void Bad_suite_options_give_an_ArgumentException_naming_the_option()
    {
        var noMining = Assert.ThrowsAsync<ArgumentException>(() => AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions { Anvil = new AnvilOptions { NoMining = true } }))!;
        Assert.That(noMining.Message, Does.Contain("NoMining"));
        var env = Assert.ThrowsAsync<ArgumentException>(() => AgentClusterSuite.StartAsync(
            new AgentClusterSuiteOptions { DeployEnvironment = new Dictionary<string, string> { ["PATH"] = "/x" } }))!;
        Assert.That(env.Message, Does.Contain("DeployEnvironment").And.Contain("PATH"));
        var chain = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => AgentClusterSuite.StartAsync(
            new AgentClusterSuiteOptions { Anvil = new AnvilOptions { ChainId = 0 } }))!;
        Assert.That(chain.ParamName, Is.EqualTo("ChainId"));
    }

    [Function("totalSupply", "uint256")]
    private sealed class TotalSupplyFunction : FunctionMessage
    {
    }
}
