using System.Net.Http;
using AgentCluster.Keepers.Hosting;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Keepers.Tests.Hosting;

/// <summary>Which faults a duty retries within its pass: never one whose retry would send a new transaction for refused work.</summary>
public sealed class TransientFaultTests
{
    [Test]
    public void AMinedAndFailedTransaction_IsNotRetried_ANetworkFaultIs()
    {
        var receipt = new TransactionReceipt { Status = new HexBigInteger(0), TransactionHash = "0x" + new string('a', 64), GasUsed = new HexBigInteger(21_000) };
        var evm = new AgentCluster.Evm.TransactionManagement.TransactionFailedException(receipt, 50_000);
        Assert.That(KeeperDuty.IsTransient(evm), Is.False, "the EVM layer's mined-and-failed");
        Assert.That(KeeperDuty.IsTransient(new AgentCluster.Sdk.Agents.TransactionFailedException("settleMembers", receipt, evm)), Is.False, "the SDK's");
        Assert.That(KeeperDuty.IsTransient(new ArgumentException("bad")), Is.False);
        Assert.That(KeeperDuty.IsTransient(new OperationCanceledException()), Is.False);
        Assert.That(KeeperDuty.IsTransient(new HttpRequestException("connection refused")), Is.True);
        Assert.That(KeeperDuty.IsTransient(new TimeoutException()), Is.True);
    }
}
