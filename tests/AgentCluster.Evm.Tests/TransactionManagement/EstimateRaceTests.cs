using System.Numerics;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Testing;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Evm.Tests.TransactionManagement;

/// <summary>
/// A transaction whose gas was estimated before another sender's transaction changed the state it runs on (found by the end-to-end
/// test: burns that write a new vote checkpoint). The contract below writes a new storage slot only once a flag is set, so its estimate
/// before the flag is ~22,000 gas too low for the block it lands in. anvil's automine is off so that the flag-setting transaction, with
/// the higher tip, is ordered first in the same block.
/// </summary>
[Category("Anvil")]
[NonParallelizable]
public sealed class EstimateRaceTests
{
    // Runtime: with calldata, sstore(0, 1); without, if sload(0) != 0 then sstore(caller, 1). Init code copies and returns it.
    private const string Runtime = "3615600b576001600055005b60005415601757600133555b00";
    private const string InitCode = "0x6019600c60003960196000f3" + Runtime;

    private string _directory = null!;

    [SetUp]
    public void CreateJournalDirectory() => _directory = Directory.CreateTempSubdirectory("agentcluster-race-").FullName;

    [TearDown]
    public void DeleteJournalDirectory()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Test]
    public async Task WithoutHeadroom_TheRaceRunsOutOfGas_AndSendAndWaitThrowsTransactionFailed_InsteadOfReturningTheReceipt()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        (string hash, AgentClusterWeb3 web3) = await RaceAsync(anvil, headroom: 0);
        await using (web3)
        {
            var e = Assert.ThrowsAsync<TransactionFailedException>(() =>
                web3.TransactionManager.TransactionReceiptService.SendRequestAndWaitForReceiptAsync(() => Task.FromResult(hash)));
            Assert.That(e!.OutOfGas, Is.True, e.Message);
            Assert.That(e.TransactionHash, Is.EqualTo(hash));
            Assert.That(e.Message, Does.Contain("ran out of gas").And.Contain(hash));
            Assert.That(e.Receipt.Status.Value, Is.EqualTo(BigInteger.Zero));
        }
    }

    [Test]
    public async Task WithTheDefaultHeadroom_TheSameRaceSucceeds()
    {
        Assert.That(new DurableTransactionManagerOptions().GasLimitHeadroom, Is.EqualTo(30_000));
        await using TxmNode anvil = await TxmNode.StartAsync();
        (string hash, AgentClusterWeb3 web3) = await RaceAsync(anvil, headroom: 30_000);
        await using (web3)
        {
            TransactionReceipt receipt = await web3.TransactionManager.TransactionReceiptService.SendRequestAndWaitForReceiptAsync(() => Task.FromResult(hash));
            Assert.That(receipt.Status.Value, Is.EqualTo(BigInteger.One));
        }
    }

    [Test]
    public void Headroom_OutOfRange_IsRefusedByName()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DurableTransactionManagerOptions { JournalPath = "x.db", GasLimitHeadroom = -1 }.Validate());
        Assert.That(e!.ParamName, Is.EqualTo("GasLimitHeadroom"));
    }

    /// <summary>
    /// The manager (account 1) sends the slot-writing call while the flag is unset (so its estimate is low), then account 0 sets the flag
    /// with a higher tip, and one block mines both, the flag first. Returns the manager's transaction hash, mined.
    /// </summary>
    private async Task<(string Hash, AgentClusterWeb3 Web3)> RaceAsync(TxmNode anvil, int headroom)
    {
        var deployer = new Web3(new Account(AnvilAccounts.PrivateKeys[0], (BigInteger)anvil.Node.ChainId), anvil.Client);
        TransactionReceipt deployed = await deployer.Eth.TransactionManager.SendTransactionAndWaitForReceiptAsync(
            new TransactionInput { From = AnvilAccounts.Addresses[0], Data = InitCode, Gas = new HexBigInteger(200_000) });
        string contract = deployed.ContractAddress;

        AgentClusterWeb3 web3 = await AgentClusterWeb3.CreateAsync(anvil.Node.RpcUrl, TxmNode.SignerKey, anvil.Node.ChainId, new DurableTransactionManagerOptions
        {
            JournalPath = Path.Combine(_directory, "journal.db"),
            ChainId = anvil.Node.ChainId,
            PollInterval = TimeSpan.FromMilliseconds(50),
            ReceiptTimeout = TxmNode.Bound,
            GasLimitHeadroom = headroom,
        });
        try
        {
            await anvil.RequestAsync("evm_setAutomine", false);
            var manager = (DurableTransactionManager)web3.TransactionManager;
            TransactionIntent intent = await manager.SendAsync(new TransactionInput { To = contract });
            string hash = intent.TransactionHash;
            Transaction? sent = await anvil.GetTransactionAsync(hash);
            Assert.That(sent!.Gas.Value, Is.LessThan(45_000 + headroom - 10_000), "the estimate was taken before the flag was set");

            BigInteger baseFee = (await deployer.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest())).BaseFeePerGas.Value;
            await deployer.Eth.TransactionManager.SendTransactionAsync(new TransactionInput
            {
                From = AnvilAccounts.Addresses[0], To = contract, Data = "0x01", Gas = new HexBigInteger(100_000),
                MaxPriorityFeePerGas = new HexBigInteger(50_000_000_000), MaxFeePerGas = new HexBigInteger(baseFee * 2 + 50_000_000_000),
                Type = new HexBigInteger(2),
            });
            await anvil.RequestAsync("evm_mine");
            await anvil.RequestAsync("evm_setAutomine", true);
            TransactionReceipt receipt = await TxmNode.PollAsync(() => anvil.GetReceiptAsync(hash), "the raced transaction");
            TransactionReceipt flagFirst = (await anvil.GetReceiptAsync(hash))!;
            Assert.That(flagFirst.TransactionIndex.Value, Is.EqualTo(BigInteger.One), "the flag-setting transaction was mined first in the block");
            return (receipt.TransactionHash, web3);
        }
        catch
        {
            await web3.DisposeAsync();
            throw;
        }
    }
}
