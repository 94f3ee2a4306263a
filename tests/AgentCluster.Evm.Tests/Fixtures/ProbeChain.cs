using AgentCluster.Evm.Rpc;
using AgentCluster.Testing;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Evm.Tests.Fixtures;

/// <summary>Helpers for tests against anvil: a Web3 for one of anvil's accounts, the probe contract deployed through Nethereum.</summary>
internal static class ProbeChain
{
    /// <summary>Fast retries for tests (the delays are not under test).</summary>
    public static readonly RpcResilienceOptions FastRetries = new()
    {
        MaxRetryAttempts = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(10),
        TotalTimeout = TimeSpan.FromSeconds(30),
    };

    public static Account Account(IAnvilNode node, int index) => new(AnvilAccounts.PrivateKeys[index], node.ChainId);

    public static Web3 Web3(IAnvilNode node, int account, IClient? client = null) =>
        new(Account(node, account), client ?? AgentClusterRpc.CreateClient(node.RpcUrl, FastRetries));

    public static async Task<string> DeployProbeAsync(Web3 web3)
    {
        TransactionReceipt receipt = await web3.Eth.GetContractDeploymentHandler<RpcProbeDeployment>()
            .SendRequestAndWaitForReceiptAsync(new RpcProbeDeployment());
        Assert.That(receipt.Succeeded(), Is.True, "probe deployment");
        return receipt.ContractAddress;
    }
}
