using System.Diagnostics;
using System.Numerics;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Tests.Fixtures;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Evm.Tests.TransactionManagement;

/// <summary>The transaction manager against a real anvil: nonces, journal, fees, replacement, resync, faults and restarts.</summary>
[Category("Anvil")]
public sealed class TransactionManagerTests
{
    private static readonly ContractAbi ProbeAbi = ContractAbi.Parse(RpcProbeContract.Abi);
    private static readonly AbiFunction Ping = ProbeAbi.Function("ping");
    private static readonly AbiEvent PingEvent = ProbeAbi.Event("Ping");
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private string _directory = null!;

    [SetUp]
    public void CreateJournalDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "agentcluster-txm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

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
    public async Task SendAsync_FiftyConcurrentCallers_GetFiftyDistinctNonces_AllMined()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync();
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        Address probe = await anvil.DeployAsync(await anvil.CreateFundedKeyAsync(), RpcProbeContract.Bytecode);
        await using TransactionManager manager = await CreateManagerAsync(anvil.CreateResilientClient(), signer);

        TransactionHandle[] handles = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => manager.SendAsync(probe, Ping.EncodeCall(new BigInteger(i), "concurrent")))));

        Assert.That(handles.Select(h => h.Nonce).OrderBy(n => n), Is.EqualTo(Enumerable.Range(0, 50).Select(i => (ulong)i)));
        TransactionReceipt[] receipts = await Task.WhenAll(handles.Select(h => h.WaitForReceiptAsync(timeout: Bound)));
        Assert.That(receipts.All(r => r.Succeeded), Is.True);
        Assert.That(receipts.Select(r => r.TransactionHash).Distinct().Count(), Is.EqualTo(50));
        Assert.That(await anvil.Client.GetTransactionCountAsync(signer.Address, BlockParameter.Latest), Is.EqualTo(50UL));
        await AssertEachPingMinedOnceAsync(anvil, probe, signer.Address, 50);
    }

    [Test]
    public async Task WaitForReceipt_WithConfirmations_ReturnsOnlyOnceEnoughBlocksAreOnTop()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync();
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        await using TransactionManager manager = await CreateManagerAsync(anvil.CreateResilientClient(), signer);

        TransactionHandle handle = await manager.SendAsync(signer.Address, [], value: 1, gasLimit: 21_000);
        TransactionReceipt mined = await handle.WaitForReceiptAsync(timeout: Bound);
        Task<TransactionReceipt> confirmed = handle.WaitForReceiptAsync(confirmations: 3, timeout: Bound);

        await Task.Delay(300);
        Assert.That(confirmed.IsCompleted, Is.False, "only the including block exists so far");
        await anvil.RequestAsync("anvil_mine", "0x2");
        TransactionReceipt receipt = await confirmed;
        Assert.That(receipt.TransactionHash, Is.EqualTo(mined.TransactionHash));
        Assert.That(await anvil.Client.GetBlockNumberAsync(), Is.GreaterThanOrEqualTo(receipt.BlockNumber + 2));

        TimeoutException timeout = Assert.ThrowsAsync<TimeoutException>(() => handle.WaitForReceiptAsync(confirmations: 50, timeout: TimeSpan.FromMilliseconds(300)))!;
        Assert.That(timeout.Message, Does.Contain("50"));
    }

    [Test]
    public async Task Fees_AreEip1559_FromTheLatestBaseFee_AndRespectTheCap()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync();
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        await using TransactionManager manager = await CreateManagerAsync(anvil.CreateResilientClient(), signer);

        FeeEstimate fees = await manager.EstimateFeesAsync();
        Block latest = (await anvil.Client.GetBlockByNumberAsync(BlockParameter.Latest))!;
        Assert.That(fees.BaseFeePerGas, Is.EqualTo(latest.BaseFeePerGas!.Value));
        Assert.That(fees.MaxPriorityFeePerGas, Is.EqualTo(await anvil.Client.GetMaxPriorityFeePerGasAsync()));
        Assert.That(fees.MaxFeePerGas, Is.EqualTo(fees.BaseFeePerGas * 2UL + fees.MaxPriorityFeePerGas));

        TransactionHandle handle = await manager.SendAsync(signer.Address, [], gasLimit: 21_000);
        RpcTransaction tx = (await anvil.Client.GetTransactionByHashAsync(handle.Hash))!;
        Assert.That(tx.Type, Is.EqualTo(2));
        Assert.That(tx.MaxPriorityFeePerGas, Is.EqualTo(fees.MaxPriorityFeePerGas));

        var capped = new TransactionManagerOptions { JournalPath = Path.Combine(_directory, "capped.db"), MaxFeePerGasCap = 5_000UL, PollInterval = TimeSpan.FromMilliseconds(50) };
        await using TransactionManager cappedManager = await TransactionManager.CreateAsync(anvil.Client, await anvil.CreateFundedKeyAsync(), capped);
        FeeEstimate cappedFees = await cappedManager.EstimateFeesAsync();
        Assert.That(cappedFees.MaxFeePerGas, Is.EqualTo((UInt256)5_000UL));
        Assert.That(cappedFees.MaxPriorityFeePerGas, Is.LessThanOrEqualTo(cappedFees.MaxFeePerGas));
    }

    [Test]
    public async Task SendAsync_ThatWouldRevert_ThrowsTheDecodedError_AndUsesNoNonce()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync();
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        Address probe = await anvil.DeployAsync(await anvil.CreateFundedKeyAsync(), RpcProbeContract.Bytecode);
        var options = Options("revert.db");
        options.RevertDecoder = ProbeAbi.CreateRevertDecoder();
        await using TransactionManager manager = await TransactionManager.CreateAsync(anvil.CreateResilientClient(), signer, options);

        ContractRevertException revert = Assert.ThrowsAsync<ContractRevertException>(() =>
            manager.SendAsync(probe, ProbeAbi.Function("failCustom").EncodeCall(new BigInteger(9))))!;
        Assert.That(revert.ErrorName, Is.EqualTo("Unauthorized"));
        Assert.That(revert.Arguments, Is.EqualTo(new object[] { signer.Address, new BigInteger(9) }));
        Assert.That(manager.NextNonce, Is.EqualTo(0UL));

        TransactionHandle handle = await manager.SendAsync(probe, Ping.EncodeCall(BigInteger.One, "after revert"));
        Assert.That(handle.Nonce, Is.EqualTo(0UL));
        Assert.That((await handle.WaitForReceiptAsync(timeout: Bound)).Succeeded, Is.True);
    }

    [Test]
    public async Task SendAsync_RefusedForGood_GivesTheNonceBack()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync();
        EthECKey signer = EthECKey.GenerateKey();
        await using TransactionManager manager = await CreateManagerAsync(anvil.CreateResilientClient(), signer);

        RpcException refused = Assert.ThrowsAsync<RpcException>(() => manager.SendAsync(signer.Address, [], value: 1, gasLimit: 21_000))!;
        Assert.That(refused.IsInsufficientFunds, Is.True, refused.Message);
        Assert.That(manager.NextNonce, Is.EqualTo(0UL));
        Assert.That(await manager.GetPendingTransactionsAsync(), Is.Empty);

        await anvil.RequestAsync("anvil_setBalance", signer.Address.ToLowerHex(), "0x3635c9adc5dea00000");
        TransactionHandle handle = await manager.SendAsync(signer.Address, [], value: 1, gasLimit: 21_000);
        Assert.That(handle.Nonce, Is.EqualTo(0UL), "no gap was left");
        await handle.WaitForReceiptAsync(timeout: Bound);
    }

    [Test]
    public async Task SendAsync_AfterAnotherSenderUsedTheNonce_ResyncsAndKeepsTheIntent()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync();
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        Address probe = await anvil.DeployAsync(await anvil.CreateFundedKeyAsync(), RpcProbeContract.Bytecode);
        await using TransactionManager manager = await CreateManagerAsync(anvil.CreateResilientClient(), signer);
        TransactionHandle first = await manager.SendAsync(probe, Ping.EncodeCall(new BigInteger(0), "first"));
        await first.WaitForReceiptAsync(timeout: Bound);

        // The same key sends twice behind the manager's back: nonces 1 and 2 are taken.
        for (ulong nonce = 1; nonce <= 2; nonce++)
        {
            var foreign = new Eip1559Transaction
            {
                ChainId = 31337, Nonce = nonce, GasLimit = 21_000, To = signer.Address, MaxFeePerGas = 50_000_000_000UL, MaxPriorityFeePerGas = 1UL,
            };
            await anvil.WaitForReceiptAsync(await anvil.Client.SendRawTransactionAsync(foreign.Sign(signer)));
        }

        Assert.That(manager.NextNonce, Is.EqualTo(1UL), "the manager has not seen the foreign transactions");
        TransactionHandle second = await manager.SendAsync(probe, Ping.EncodeCall(new BigInteger(1), "second"));

        Assert.That(second.Nonce, Is.EqualTo(3UL));
        Assert.That(manager.NextNonce, Is.EqualTo(4UL));
        TransactionReceipt receipt = await second.WaitForReceiptAsync(timeout: Bound);
        Assert.That(receipt.Succeeded, Is.True);
        Assert.That((await anvil.Client.GetTransactionByHashAsync(receipt.TransactionHash))!.Nonce, Is.EqualTo(3UL));
        await AssertEachPingMinedOnceAsync(anvil, probe, signer.Address, 2);
    }

    [Test]
    public async Task LostBroadcastAnswers_AreRetried_WithoutDuplicatingTransactions()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync();
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        Address probe = await anvil.DeployAsync(await anvil.CreateFundedKeyAsync(), RpcProbeContract.Bytecode);
        var transport = new FaultInjectingTransport(new HttpEthRpcTransport(anvil.RpcUrl))
        {
            // Every other broadcast reaches the node but its answer is lost; every fifth request of any kind fails to connect.
            Decide = (method, n) => method == "eth_sendRawTransaction" && n % 2 == 1 ? Fault.LoseResponse : n % 5 == 0 ? Fault.ConnectionError : Fault.None,
        };
        await using TransactionManager manager = await CreateManagerAsync(anvil.CreateResilientClient(transport), signer);

        TransactionHandle[] handles = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => manager.SendAsync(probe, Ping.EncodeCall(new BigInteger(i), "faulty")))));
        await Task.WhenAll(handles.Select(h => h.WaitForReceiptAsync(timeout: Bound)));

        Assert.That(transport.Calls("eth_sendRawTransaction"), Is.GreaterThanOrEqualTo(15), "the lost answers were retried");
        Assert.That(handles.Select(h => h.Nonce).Distinct().Count(), Is.EqualTo(10));
        Assert.That(await anvil.Client.GetTransactionCountAsync(signer.Address, BlockParameter.Latest), Is.EqualTo(10UL));
        await AssertEachPingMinedOnceAsync(anvil, probe, signer.Address, 10);
    }

    [Test]
    public async Task Journal_KeepsNoncesAndPendingTransactions_ForTheNextManager()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync(new AnvilOptions { NoMining = true });
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        Address probe = await anvil.DeployAsync(await anvil.CreateFundedKeyAsync(), RpcProbeContract.Bytecode);

        Hash32[] sent;
        await using (TransactionManager first = await CreateManagerAsync(anvil.CreateResilientClient(), signer))
        {
            var handles = new List<TransactionHandle>();
            for (int i = 0; i < 3; i++)
            {
                handles.Add(await first.SendAsync(probe, Ping.EncodeCall(new BigInteger(i), "journal"), gasLimit: 100_000));
            }

            sent = handles.Select(h => h.Hash).ToArray();
            Assert.That(first.NextNonce, Is.EqualTo(3UL));
        }

        // The node forgets the pool (as a restart without state would): the chain's pending nonce is back to 0.
        await anvil.RequestAsync("anvil_dropAllTransactions");
        Assert.That(await anvil.Client.GetTransactionCountAsync(signer.Address, BlockParameter.Pending), Is.EqualTo(0UL));

        await using TransactionManager second = await CreateManagerAsync(anvil.CreateResilientClient(), signer);
        Assert.That(second.NextNonce, Is.EqualTo(3UL), "the journal's nonce, not the chain's");
        IReadOnlyList<TransactionHandle> resumed = await second.GetPendingTransactionsAsync();
        Assert.That(resumed.Select(h => h.Hash), Is.EqualTo(sent));

        await PollAsync(async () => await anvil.Client.GetTransactionCountAsync(signer.Address, BlockParameter.Pending) == 3, "re-broadcast of the journal's transactions");
        TransactionHandle next = await second.SendAsync(probe, Ping.EncodeCall(new BigInteger(3), "journal"), gasLimit: 100_000);
        Assert.That(next.Nonce, Is.EqualTo(3UL));

        await anvil.RequestAsync("evm_mine");
        await Task.WhenAll(resumed.Append(next).Select(h => h.WaitForReceiptAsync(timeout: Bound)));
        Assert.That(await anvil.Client.GetTransactionCountAsync(signer.Address, BlockParameter.Latest), Is.EqualTo(4UL));
        await AssertEachPingMinedOnceAsync(anvil, probe, signer.Address, 4);
    }

    [Test]
    public async Task StuckTransaction_IsReplacedWithTheSameNonceAndCalldata_AtABumpedFee_AndMinedOnce()
    {
        await using AnvilFixture anvil = await AnvilFixture.StartAsync(new AnvilOptions { NoMining = true });
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        Address probe = await anvil.DeployAsync(await anvil.CreateFundedKeyAsync(), RpcProbeContract.Bytecode);
        var options = Options("stuck.db");
        options.ReplaceAfter = TimeSpan.FromMilliseconds(500);
        await using TransactionManager manager = await TransactionManager.CreateAsync(anvil.CreateResilientClient(), signer, options);

        byte[] calldata = Ping.EncodeCall(new BigInteger(77), "stuck");
        TransactionHandle handle = await manager.SendAsync(probe, calldata, gasLimit: 100_000);
        Hash32 original = handle.Hash;
        RpcTransaction before = (await anvil.Client.GetTransactionByHashAsync(original))!;

        // The base fee jumps above what the transaction offers: the next block leaves it out.
        await anvil.RequestAsync("anvil_setNextBlockBaseFeePerGas", Hex.EncodeQuantity((BigInteger)before.MaxFeePerGas!.Value * 4));
        await anvil.RequestAsync("evm_mine");
        Assert.That(await anvil.Client.GetTransactionReceiptAsync(original), Is.Null, "underpriced for the new base fee");

        await PollAsync(() => Task.FromResult(handle.Hash != original), "a replacement");
        RpcTransaction replacement = (await anvil.Client.GetTransactionByHashAsync(handle.Hash))!;
        Assert.That(replacement.Nonce, Is.EqualTo(before.Nonce));
        Assert.That(replacement.Input, Is.EqualTo(calldata));
        Assert.That(replacement.To, Is.EqualTo(probe));
        Assert.That((BigInteger)replacement.MaxFeePerGas!.Value * 1000, Is.GreaterThanOrEqualTo((BigInteger)before.MaxFeePerGas!.Value * 1125));
        Assert.That((BigInteger)replacement.MaxPriorityFeePerGas!.Value * 1000, Is.GreaterThanOrEqualTo((BigInteger)before.MaxPriorityFeePerGas!.Value * 1125));

        await anvil.RequestAsync("evm_mine");
        TransactionReceipt receipt = await handle.WaitForReceiptAsync(timeout: Bound);
        Assert.That(receipt.TransactionHash, Is.EqualTo(handle.Hash));
        Assert.That(receipt.TransactionHash, Is.Not.EqualTo(original));
        Assert.That(await anvil.Client.GetTransactionReceiptAsync(original), Is.Null);
        Assert.That(await anvil.Client.GetTransactionCountAsync(signer.Address, BlockParameter.Latest), Is.EqualTo(1UL));
        await AssertEachPingMinedOnceAsync(anvil, probe, signer.Address, 1, firstId: 77);
    }

    [Test]
    public async Task AnvilStoppedAndRestartedMidRun_EveryIntentIsMinedExactlyOnce()
    {
        string state = Path.Combine(_directory, "anvil-state.json");
        await using AnvilFixture anvil = await AnvilFixture.StartAsync(new AnvilOptions { StateFile = state });
        EthECKey signer = await anvil.CreateFundedKeyAsync();
        Address probe = await anvil.DeployAsync(await anvil.CreateFundedKeyAsync(), RpcProbeContract.Bytecode);
        await using TransactionManager manager = await CreateManagerAsync(anvil.CreateResilientClient(), signer);

        const int Count = 30;
        int done = 0;
        int startedWhileDown = 0;
        bool down = false;
        Task<TransactionHandle>[] sends = Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
        {
            await Task.Delay(i * 40);
            if (Volatile.Read(ref down))
            {
                Interlocked.Increment(ref startedWhileDown);
            }

            TransactionHandle h = await manager.SendAsync(probe, Ping.EncodeCall(new BigInteger(i), "restart"), gasLimit: 100_000);
            Interlocked.Increment(ref done);
            return h;
        })).ToArray();

        await PollAsync(() => Task.FromResult(Volatile.Read(ref done) >= 8), "the first sends");
        await anvil.StopAsync();
        Volatile.Write(ref down, true);
        Assert.That(File.Exists(state), Is.True, "anvil dumped its state on SIGTERM");
        await PollAsync(() => Task.FromResult(Volatile.Read(ref startedWhileDown) >= 3), "sends started while the node is down");
        Volatile.Write(ref down, false);
        int doneBeforeRestart = Volatile.Read(ref done);
        await anvil.RestartAsync();

        TransactionHandle[] handles = await Task.WhenAll(sends);
        await Task.WhenAll(handles.Select(h => h.WaitForReceiptAsync(timeout: Bound)));

        Assert.That(doneBeforeRestart, Is.LessThan(Count), "some sends were still running when the node came back");
        Assert.That(handles.Select(h => h.Nonce).Distinct().Count(), Is.EqualTo(Count));
        Assert.That(await anvil.Client.GetTransactionCountAsync(signer.Address, BlockParameter.Latest), Is.EqualTo((ulong)Count));
        await AssertEachPingMinedOnceAsync(anvil, probe, signer.Address, Count);
    }

    private TransactionManagerOptions Options(string journal) => new()
    {
        JournalPath = Path.Combine(_directory, journal),
        PollInterval = TimeSpan.FromMilliseconds(50),
        RebroadcastAfter = TimeSpan.FromSeconds(1),
        ReplaceAfter = TimeSpan.FromSeconds(20),
    };

    private Task<TransactionManager> CreateManagerAsync(EthRpcClient client, EthECKey signer) =>
        TransactionManager.CreateAsync(client, signer, Options("journal.db"));

    /// <summary>Every Ping(id) for ids firstId..firstId+count-1 from <paramref name="sender"/> is on chain exactly once, and nothing else.</summary>
    private static async Task AssertEachPingMinedOnceAsync(AnvilFixture anvil, Address probe, Address sender, int count, int firstId = 0)
    {
        IReadOnlyList<LogEntry> logs = await anvil.Client.GetLogsAsync(new LogFilter
        {
            FromBlock = BlockParameter.Earliest,
            Addresses = [probe],
            Topics = [[PingEvent.Topic0], [AbiEvent.EncodeTopic(AbiType.Parse("address"), sender)]],
        });
        var ids = logs.Select(l => (int)(BigInteger)PingEvent.DecodeLog(l.Topics, l.Data)["id"]!).OrderBy(i => i).ToList();
        Assert.That(ids, Is.EqualTo(Enumerable.Range(firstId, count)), "each intent mined exactly once");
    }

    private static async Task PollAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > Bound)
            {
                Assert.Fail($"Timed out after {Bound.TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(25);
        }
    }
}
