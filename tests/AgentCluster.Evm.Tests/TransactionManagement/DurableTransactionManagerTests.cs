using System.Numerics;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Testing;
using Nethereum.Contracts;
using Nethereum.Contracts.ContractHandlers;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Fee1559Suggestions;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Evm.Tests.TransactionManagement;

/// <summary>The durable transaction manager against a real anvil: nonces, journal, fees, replacement, resync, faults and restarts.</summary>
[Category("Anvil")]
[NonParallelizable]
public sealed class DurableTransactionManagerTests
{
    private static readonly TimeSpan Bound = TxmNode.Bound;
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
    public async Task FiftyConcurrentSends_ThroughNethereumsContractHandler_GetFiftyNonces_AndEachPingIsMinedOnce()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        // The factory's own path: AgentClusterRpc's resilient client under the Web3.
        await using AgentClusterWeb3 web3 = await AgentClusterWeb3.CreateAsync(anvil.Node.RpcUrl, TxmNode.SignerKey, anvil.Node.ChainId, Options("journal.db"));
        ContractHandler handler = web3.Eth.GetContractHandler(probe);

        string[] hashes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => handler.SendRequestAsync(new PingFunction { Id = i, Note = "concurrent" }))));
        TransactionReceipt[] receipts = await Task.WhenAll(hashes.Select(h => web3.TransactionManager.TransactionReceiptService.PollForReceiptAsync(h)));

        Assert.That(receipts.All(r => r.Status.Value == 1), Is.True);
        Assert.That(receipts.Select(r => r.TransactionHash).Distinct().Count(), Is.EqualTo(50));
        var nonces = new List<BigInteger>();
        foreach (TransactionReceipt receipt in receipts)
        {
            nonces.Add((await anvil.GetTransactionAsync(receipt.TransactionHash))!.Nonce.Value);
        }

        Assert.That(nonces.OrderBy(n => n), Is.EqualTo(Enumerable.Range(0, 50).Select(i => (BigInteger)i)));
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress), Is.EqualTo((BigInteger)50));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(Enumerable.Range(0, 50)));
    }

    [Test]
    public async Task EveryNethereumPath_DeploymentEtherTransferAndAndWaitForReceipt_GoesThroughTheManager()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        await using AgentClusterWeb3 web3 = await CreateWeb3Async(anvil, anvil.Client);

        TransactionReceipt deployed = await web3.Eth.GetContractDeploymentHandler<ProbeDeployment>().SendRequestAndWaitForReceiptAsync(new ProbeDeployment());
        TransactionReceipt transfer = await web3.Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(AnvilAccounts.Addresses[2], 0.5m);
        TransactionReceipt pinged = await web3.Eth.GetContractHandler(deployed.ContractAddress)
            .SendRequestAndWaitForReceiptAsync(new PingFunction { Id = 7, Note = "andwait" });

        foreach (TransactionReceipt receipt in new[] { deployed, transfer, pinged })
        {
            Assert.That(receipt.Status.Value, Is.EqualTo((BigInteger)1));
            Transaction tx = (await anvil.GetTransactionAsync(receipt.TransactionHash))!;
            Assert.That(tx.Type.Value, Is.EqualTo((BigInteger)2), "type-2 transaction");
            Assert.That(web3.DurableTransactionManager.FindIntent(receipt.TransactionHash), Is.Not.Null, "journaled by the manager");
        }

        Assert.That(web3.DurableTransactionManager.NextNonce, Is.EqualTo((BigInteger)3));
        Assert.That(await anvil.PingIdsAsync(deployed.ContractAddress, TxmNode.SignerAddress), Is.EqualTo(new[] { 7 }));
    }

    [Test]
    public async Task ExternalSigner_SignsEveryTransaction_ThroughNethereumsExternalAccount()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        var signer = new AgentCluster.Testing.InProcessExternalSigner(new Nethereum.Signer.EthECKey(TxmNode.SignerKey), Nethereum.Signer.ExternalSignerTransactionFormat.Hash);
        await using AgentClusterWeb3 web3 = await AgentClusterWeb3.CreateAsync(anvil.Client, new ExternalAccount(signer, 31337), Options("external.db"));
        Assert.That(web3.DurableTransactionManager.Address, Is.EqualTo(TxmNode.SignerAddress).IgnoreCase);

        TransactionReceipt[] receipts = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
            web3.Eth.GetContractHandler(probe).SendRequestAndWaitForReceiptAsync(new PingFunction { Id = i, Note = "external" })));
        Assert.That(receipts.All(r => r.Status.Value == 1 && string.Equals(r.From, TxmNode.SignerAddress, StringComparison.OrdinalIgnoreCase)), Is.True);
        Assert.That(signer.Signatures, Is.EqualTo(5));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(Enumerable.Range(0, 5)));
    }

    [Test]
    public async Task WaitForReceipt_WithConfirmations_ReturnsOnlyOnceEnoughBlocksAreOnTop_AndTimesOutOtherwise()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.Client);

        TransactionIntent intent = await manager.SendAsync(PingInput(probe, 1, "confirm"));
        TransactionReceipt mined = await intent.WaitForReceiptAsync(timeout: Bound);
        Task<TransactionReceipt> confirmed = intent.WaitForReceiptAsync(confirmations: 3, timeout: Bound);
        await Task.Delay(300);
        Assert.That(confirmed.IsCompleted, Is.False, "one block on the chain with it: 1 confirmation of 3");
        Assert.ThrowsAsync<TimeoutException>(() => intent.WaitForReceiptAsync(confirmations: 50, timeout: TimeSpan.FromMilliseconds(300)));

        await anvil.RequestAsync("evm_mine");
        await anvil.RequestAsync("evm_mine");
        TransactionReceipt receipt = await confirmed;
        Assert.That(receipt.TransactionHash, Is.EqualTo(mined.TransactionHash));
        Assert.That(await anvil.BlockNumberAsync(), Is.GreaterThanOrEqualTo(receipt.BlockNumber.Value + 2));
    }

    [Test]
    public async Task Fees_AreType2_FromTheStrategy_AndNeverAboveTheCap()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        var strategy = new SimpleFeeSuggestionStrategy(anvil.Client);
        Fee1559 suggested = await strategy.SuggestFeeAsync();
        BigInteger cap = suggested.MaxFeePerGas!.Value / 2;
        Assert.That(cap, Is.GreaterThan(BigInteger.Zero));

        DurableTransactionManagerOptions capped = Options("capped.db");
        capped.FeeSuggestionStrategy = strategy;
        capped.MaxFeePerGasCap = cap;
        await using DurableTransactionManager manager = await DurableTransactionManager.CreateAsync(anvil.Client, TxmNode.SignerKey, capped);

        TransactionIntent intent = await manager.SendAsync(PingInput(probe, 1, "fees"));
        await intent.WaitForReceiptAsync(timeout: Bound);
        Transaction tx = (await anvil.GetTransactionAsync(intent.TransactionHash))!;
        Assert.That(tx.Type.Value, Is.EqualTo((BigInteger)2));
        Assert.That(tx.MaxFeePerGas.Value, Is.EqualTo(cap), "the strategy's fee, capped");
        Assert.That(tx.MaxPriorityFeePerGas.Value, Is.LessThanOrEqualTo(cap));

        BigInteger nonceBefore = manager.NextNonce;
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => manager.SendAsync(
            new TransactionInput { To = probe, Data = PingInput(probe, 2, "x").Data, MaxFeePerGas = (cap + 1).Hex(), MaxPriorityFeePerGas = 1.Hex() }));
        Assert.ThrowsAsync<NotSupportedException>(() => manager.SendAsync(
            new TransactionInput { To = probe, Data = PingInput(probe, 2, "x").Data, GasPrice = 1.Hex() }));
        Assert.That(manager.NextNonce, Is.EqualTo(nonceBefore));
    }

    [Test]
    public async Task DefaultFees_ComeFromTheBaseStrategy_WithTheManagersCap()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.Client);
        Assert.That(manager.Fee1559SuggestionStrategy, Is.TypeOf<AgentCluster.Evm.Fees.BaseFeeSuggestionStrategy>());

        TransactionIntent intent = await manager.SendAsync(PingInput(probe, 1, "base fees"));
        await intent.WaitForReceiptAsync(timeout: Bound);
        Transaction tx = (await anvil.GetTransactionAsync(intent.TransactionHash))!;
        BigInteger tip = await new AgentCluster.Evm.Fees.BaseFeeSuggestionStrategy(anvil.Client).SuggestTipAsync();
        Assert.That(tx.MaxPriorityFeePerGas.Value, Is.EqualTo(tip), "the Base-tuned tip (node's suggestion clamped)");
        Assert.That(tx.MaxPriorityFeePerGas.Value, Is.LessThanOrEqualTo(AgentCluster.Evm.Fees.BaseFeeOptions.Default.MaxTip));

        DurableTransactionManagerOptions capped = Options("capped-default.db");
        capped.MaxFeePerGasCap = 1_500_000_000;
        await using DurableTransactionManager cappedManager = await DurableTransactionManager.CreateAsync(anvil.Client, AnvilAccounts.PrivateKeys[3], capped);
        Assert.That(((AgentCluster.Evm.Fees.BaseFeeSuggestionStrategy)cappedManager.Fee1559SuggestionStrategy).Options.MaxFeePerGasCap,
            Is.EqualTo((BigInteger)1_500_000_000));
        Assert.That((await cappedManager.SuggestFeesAsync()).MaxFeePerGas, Is.LessThanOrEqualTo((BigInteger)1_500_000_000));
    }

    [Test]
    public async Task RevertDuringEstimation_ThrowsTheTypedCustomError_AndUsesNoNonce()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        DurableTransactionManagerOptions options = Options("revert.db");
        options.RevertDecoder = new RevertDecoder([typeof(UnauthorizedError)]);
        await using AgentClusterWeb3 web3 = await AgentClusterWeb3.CreateAsync(anvil.Client, new Account(TxmNode.SignerKey, 31337), options);

        var direct = Assert.ThrowsAsync<ContractCustomErrorException<UnauthorizedError>>(() => web3.DurableTransactionManager.SendAsync(
            new TransactionInput { To = probe, Data = new FailCustomFunction { Code = 42 }.GetCallData().ToHex(true) }));
        Assert.That(direct!.Error.Code, Is.EqualTo((BigInteger)42));
        Assert.That(direct.Error.Caller, Is.EqualTo(TxmNode.SignerAddress).IgnoreCase);

        // Nethereum's contract handler catches the typed exception of the manager's EstimateGasAsync and repeats the call as an
        // eth_call, whose RpcResponseException escapes; the options' decoder still turns it into the typed error.
        Exception viaHandler = Assert.CatchAsync(() => web3.Eth.GetContractHandler(probe).SendRequestAsync(new FailCustomFunction { Code = 43 }))!;
        Assert.That(options.RevertDecoder.Translate(viaHandler), Is.TypeOf<ContractCustomErrorException<UnauthorizedError>>()
            .With.Property(nameof(ContractCustomErrorException<UnauthorizedError>.Error)).Property(nameof(UnauthorizedError.Code)).EqualTo((BigInteger)43));
        var viaEstimate = Assert.ThrowsAsync<ContractCustomErrorException<UnauthorizedError>>(() =>
            web3.DurableTransactionManager.EstimateGasAsync(new CallInput { To = probe, Data = new FailCustomFunction { Code = 44 }.GetCallData().ToHex(true) }));
        Assert.That(viaEstimate!.Error.Code, Is.EqualTo((BigInteger)44));

        Assert.That(web3.DurableTransactionManager.NextNonce, Is.EqualTo(BigInteger.Zero));
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress, pending: true), Is.EqualTo(BigInteger.Zero));
        TransactionIntent next = await web3.DurableTransactionManager.SendAsync(PingInput(probe, 1, "after revert"));
        Assert.That(next.Nonce, Is.EqualTo(BigInteger.Zero));
        await next.WaitForReceiptAsync(timeout: Bound);
    }

    [Test]
    public async Task PermanentRefusal_GivesTheNonceBack_AndTheNextSendIsNotStuckBehindAGap()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.Client);
        TransactionIntent first = await manager.SendAsync(PingInput(probe, 0, "before"));

        // More value than the account holds (10,000 ETH): the node refuses it for good. Gas given, so no estimation first.
        var tooMuch = new TransactionInput { To = AnvilAccounts.Addresses[2], Value = BigInteger.Parse("100000000000000000000000").Hex(), Gas = 21_000.Hex() };
        var refused = Assert.ThrowsAsync<TransactionRefusedException>(() => manager.SendAsync(tooMuch));
        Assert.That(refused!.Nonce, Is.EqualTo(BigInteger.One));
        Assert.That(refused.Message, Does.Contain("insufficient funds").IgnoreCase);
        Assert.That(manager.NextNonce, Is.EqualTo(BigInteger.One), "the nonce was given back");

        TransactionIntent next = await manager.SendAsync(PingInput(probe, 1, "after"));
        Assert.That(next.Nonce, Is.EqualTo(BigInteger.One));
        await Task.WhenAll(first.WaitForReceiptAsync(timeout: Bound), next.WaitForReceiptAsync(timeout: Bound));
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress), Is.EqualTo((BigInteger)2));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public async Task ForeignTransactionsFromTheSameKey_AreDetected_AndTheIntentIsResignedAtAFreshNonce()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.Client);
        await (await manager.SendAsync(PingInput(probe, 0, "ours"))).WaitForReceiptAsync(timeout: Bound);

        // Another process uses the same key through Nethereum's default stack: nonces 1 and 2 are taken behind the manager's back.
        var foreign = new Web3(new Account(TxmNode.SignerKey, 31337), anvil.Client);
        for (int i = 0; i < 2; i++)
        {
            string hash = await foreign.Eth.GetEtherTransferService().TransferEtherAsync(AnvilAccounts.Addresses[2], 0.001m);
            await TxmNode.PollAsync(() => anvil.GetReceiptAsync(hash), "the foreign transfer");
        }

        Assert.That(manager.NextNonce, Is.EqualTo(BigInteger.One), "the manager has not seen them yet");
        TransactionIntent intent = await manager.SendAsync(PingInput(probe, 1, "after foreign"));
        TransactionReceipt receipt = await intent.WaitForReceiptAsync(timeout: Bound);
        Assert.That((await anvil.GetTransactionAsync(receipt.TransactionHash))!.Nonce.Value, Is.EqualTo((BigInteger)3));
        Assert.That(intent.Nonce, Is.EqualTo((BigInteger)3));
        Assert.That(manager.NextNonce, Is.EqualTo((BigInteger)4));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public async Task LostAnswersAndConnectionErrorsUnderLoad_AreRetried_WithoutDuplicatingTransactions()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        var faults = new FaultInjectingHandler
        {
            // Of every three broadcasts one reaches the node but its answer is lost and one never reaches it; every third call of any
            // other method fails to connect.
            Decide = (method, n) => method == "eth_sendRawTransaction"
                ? (n % 3) switch { 1 => Fault.LoseResponse, 2 => Fault.ConnectionError, _ => Fault.None }
                : n % 3 == 0 ? Fault.ConnectionError : Fault.None,
        };
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.NewClient(faults));

        const int Count = 20;
        TransactionIntent[] intents = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => Task.Run(() => SendWithRetryAsync(manager, PingInput(probe, i, "faulty")))));
        await Task.WhenAll(intents.Select(h => h.WaitForReceiptAsync(timeout: Bound)));

        Assert.That(faults.Faults, Is.GreaterThan(Count / 2), "faults were injected");
        Assert.That(faults.Calls("eth_sendRawTransaction"), Is.GreaterThan(Count), "broadcasts that never reached the node were sent again");
        Assert.That(intents.Select(h => h.Nonce).Distinct().Count(), Is.EqualTo(Count));
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress), Is.EqualTo((BigInteger)Count));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(Enumerable.Range(0, Count)));
    }

    [Test]
    public async Task Journal_KeepsNoncesAndPendingTransactions_ForTheNextManager_AfterTheNodeDroppedItsPool()
    {
        await using TxmNode anvil = await TxmNode.StartAsync(new AnvilOptions { NoMining = true });
        string probe = await DeployWithoutMiningAsync(anvil);

        string[] sent;
        await using (DurableTransactionManager first = await CreateManagerAsync(anvil.Client))
        {
            var intents = new List<TransactionIntent>();
            for (int i = 0; i < 3; i++)
            {
                intents.Add(await first.SendAsync(PingInput(probe, i, "journal", gas: 100_000)));
            }

            sent = intents.Select(h => h.TransactionHash).ToArray();
            Assert.That(first.NextNonce, Is.EqualTo((BigInteger)3));
        }

        // The node forgets its pool (as a restart without state would): the chain's pending nonce is back to 0.
        await anvil.RequestAsync("anvil_dropAllTransactions");
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress, pending: true), Is.EqualTo(BigInteger.Zero));

        await using DurableTransactionManager second = await CreateManagerAsync(anvil.Client);
        Assert.That(second.NextNonce, Is.EqualTo((BigInteger)3), "the journal's nonce, not the chain's");
        IReadOnlyList<TransactionIntent> resumed = await second.GetPendingAsync();
        Assert.That(resumed.Select(h => h.TransactionHash), Is.EqualTo(sent));

        await TxmNode.WaitUntilAsync(async () => await anvil.NonceAsync(TxmNode.SignerAddress, pending: true) == 3, "re-broadcast of the journal's transactions");
        TransactionIntent next = await second.SendAsync(PingInput(probe, 3, "journal", gas: 100_000));
        Assert.That(next.Nonce, Is.EqualTo((BigInteger)3));

        await anvil.RequestAsync("evm_mine");
        TransactionReceipt[] receipts = await Task.WhenAll(resumed.Append(next).Select(h => h.WaitForReceiptAsync(timeout: Bound)));
        Assert.That(receipts.Select(r => r.TransactionHash).Take(3), Is.EqualTo(sent), "the same signed bytes were mined");
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress), Is.EqualTo((BigInteger)4));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(Enumerable.Range(0, 4)));
    }

    [Test]
    public async Task MinedTransactionsTheChainLost_AreSentAgain_AndTheNonceGapIsRepaired()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.Client);
        string snapshot = await anvil.Client.SendRequestAsync<string>(new RpcRequest(1, "evm_snapshot"));

        var intents = new List<TransactionIntent>();
        for (int i = 0; i < 3; i++)
        {
            intents.Add(await manager.SendAsync(PingInput(probe, i, "lost")));
        }

        await Task.WhenAll(intents.Select(h => h.WaitForReceiptAsync(timeout: Bound)));
        // The chain loses the three mined transactions (as a deep reorg or a node restored from an older state would).
        await anvil.RequestAsync("evm_revert", snapshot);
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress, pending: true), Is.EqualTo(BigInteger.Zero));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.Empty);

        await TxmNode.WaitUntilAsync(async () => await anvil.NonceAsync(TxmNode.SignerAddress) == 3, "the lost transactions mined again");
        TransactionIntent next = await manager.SendAsync(PingInput(probe, 3, "lost"));
        Assert.That(next.Nonce, Is.EqualTo((BigInteger)3));
        await next.WaitForReceiptAsync(timeout: Bound);
        foreach (TransactionIntent intent in intents)
        {
            Assert.That(await anvil.GetReceiptAsync(intent.TransactionHash), Is.Not.Null, "the same signed bytes, mined again");
        }

        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(Enumerable.Range(0, 4)));
    }

    [Test]
    public async Task SecondManagerOnTheSameJournal_IsRefused_UntilTheFirstIsDisposed()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        DurableTransactionManager first = await CreateManagerAsync(anvil.Client);
        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => CreateManagerAsync(anvil.Client));
        Assert.That(refused!.Message, Does.Contain("journal"));
        await first.DisposeAsync();
        await using DurableTransactionManager second = await CreateManagerAsync(anvil.Client);
        Assert.That(second.NextNonce, Is.EqualTo(BigInteger.Zero));
    }

    [Test]
    public async Task StuckTransaction_IsReplacedAtTheSameNonce_WithBumpedFees_AndTheReceiptServiceAnswersForTheOriginalHash()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        DurableTransactionManagerOptions options = Options("stuck.db");
        options.ReplaceAfter = TimeSpan.FromMilliseconds(500);
        await using AgentClusterWeb3 web3 = await AgentClusterWeb3.CreateAsync(anvil.Client, new Account(TxmNode.SignerKey, 31337), options);

        // Mining off; the transaction waits in the pool. Then a block with a base fee above its offer leaves it out.
        await anvil.RequestAsync("evm_setAutomine", false);
        string original = await web3.Eth.GetContractHandler(probe).SendRequestAsync(new PingFunction { Id = 77, Note = "stuck" });
        Transaction before = (await anvil.GetTransactionAsync(original))!;
        await anvil.RequestAsync("anvil_setNextBlockBaseFeePerGas", (before.MaxFeePerGas.Value * 4).Hex().HexValue);
        await anvil.RequestAsync("evm_mine");
        Assert.That(await anvil.GetReceiptAsync(original), Is.Null, "underpriced for the new base fee");

        Task<TransactionReceipt> receiptForOriginal = web3.TransactionManager.TransactionReceiptService.PollForReceiptAsync(original);
        TransactionIntent intent = web3.DurableTransactionManager.FindIntent(original)!;
        await TxmNode.WaitUntilAsync(() => Task.FromResult(intent.TransactionHash != original), "a replacement");
        Transaction replacement = (await anvil.GetTransactionAsync(intent.TransactionHash))!;
        Assert.That(replacement.Nonce.Value, Is.EqualTo(before.Nonce.Value));
        Assert.That(replacement.Input, Is.EqualTo(before.Input));
        Assert.That(replacement.To, Is.EqualTo(before.To).IgnoreCase);
        Assert.That(replacement.MaxFeePerGas.Value * 1000, Is.GreaterThanOrEqualTo(before.MaxFeePerGas.Value * 1125));
        Assert.That(replacement.MaxPriorityFeePerGas.Value * 1000, Is.GreaterThanOrEqualTo(before.MaxPriorityFeePerGas.Value * 1125));

        await anvil.RequestAsync("evm_mine");
        TransactionReceipt receipt = await receiptForOriginal.WaitAsync(Bound);
        Assert.That(receipt.TransactionHash, Is.Not.EqualTo(original), "the receipt of the replacement, asked for by the original hash");
        Assert.That(intent.TransactionHashes, Does.Contain(receipt.TransactionHash));
        Assert.That(await anvil.GetReceiptAsync(original), Is.Null);
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress), Is.EqualTo(BigInteger.One));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(new[] { 77 }));

        // After a restart the intent is no longer in memory: the journal still leads from the original hash to the mined one.
        await web3.DisposeAsync();
        await using DurableTransactionManager next = await DurableTransactionManager.CreateAsync(anvil.Client, TxmNode.SignerKey, options);
        Assert.That(next.FindIntent(original), Is.Null);
        TransactionReceipt again = await next.TransactionReceiptService.PollForReceiptAsync(original).WaitAsync(Bound);
        Assert.That(again.TransactionHash, Is.EqualTo(receipt.TransactionHash));
    }

    [Test]
    public async Task MinedIntents_LeaveMemoryAfterRetainMinedFor_AndTheirReceiptsStillComeFromTheJournal()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        DurableTransactionManagerOptions options = Options("retain.db");
        options.RetainMinedFor = TimeSpan.Zero;
        await using DurableTransactionManager manager = await DurableTransactionManager.CreateAsync(anvil.Client, TxmNode.SignerKey, options);

        TransactionIntent intent = await manager.SendAsync(PingInput(probe, 1, "retain"));
        TransactionReceipt mined = await intent.WaitForReceiptAsync(timeout: Bound);
        await TxmNode.WaitUntilAsync(() => Task.FromResult(manager.FindIntent(intent.TransactionHash) is null), "the mined intent to leave memory");
        TransactionReceipt receipt = await manager.TransactionReceiptService.PollForReceiptAsync(intent.TransactionHash).WaitAsync(Bound);
        Assert.That(receipt.TransactionHash, Is.EqualTo(mined.TransactionHash));
        Assert.That(await manager.FindMinedHashAsync(intent.TransactionHash), Is.EqualTo(mined.TransactionHash));
    }

    [Test]
    public async Task AnotherProcessHoldingTheJournalLock_IsDetected()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        DurableTransactionManagerOptions options = Options("locked.db");
        // What another process's manager holds: an exclusive lock (flock) on the journal's lock file.
        using (var held = new FileStream(options.JournalPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var refused = Assert.ThrowsAsync<InvalidOperationException>(() => DurableTransactionManager.CreateAsync(anvil.Client, TxmNode.SignerKey, options));
            Assert.That(refused!.Message, Does.Contain("another process"));
        }

        await using DurableTransactionManager manager = await DurableTransactionManager.CreateAsync(anvil.Client, TxmNode.SignerKey, options);
        Assert.That(manager.NextNonce, Is.EqualTo(BigInteger.Zero));
    }

    [Test]
    public async Task CancelledBeforeTheJournal_NothingIsSent_AndNoNonceIsUsed()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.Client);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => manager.SendAsync(PingInput(probe, 1, "cancelled", gas: 100_000), cancelled.Token));
        Assert.That(manager.NextNonce, Is.EqualTo(BigInteger.Zero));
        Assert.That((await manager.GetPendingAsync()).Count, Is.Zero);
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress, pending: true), Is.EqualTo(BigInteger.Zero));
    }

    [Test]
    public async Task ManagerRestartedWhileTransactionsArePending_TheNextManagerFinishesThem()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        await anvil.RequestAsync("evm_setAutomine", false);
        await using (DurableTransactionManager first = await CreateManagerAsync(anvil.Client))
        {
            for (int i = 0; i < 5; i++)
            {
                await first.SendAsync(PingInput(probe, i, "restart", gas: 100_000));
            }
        }

        await using DurableTransactionManager second = await CreateManagerAsync(anvil.Client);
        IReadOnlyList<TransactionIntent> resumed = await second.GetPendingAsync();
        Assert.That(resumed.Select(i => i.Nonce), Is.EqualTo(Enumerable.Range(0, 5).Select(i => (BigInteger)i)));
        await anvil.RequestAsync("evm_mine");
        await Task.WhenAll(resumed.Select(i => i.WaitForReceiptAsync(timeout: Bound)));
        Assert.That((await second.GetPendingAsync()).Count, Is.Zero);
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(Enumerable.Range(0, 5)));
    }

    [Test]
    public async Task NodeStoppedAndRestartedMidRun_EveryIntentIsMinedExactlyOnce()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.NewClient(timeout: TimeSpan.FromSeconds(3)));

        const int Count = 30;
        int done = 0;
        Task<TransactionIntent>[] sends = Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
        {
            await Task.Delay(i * 40);
            TransactionIntent intent = await SendWithRetryAsync(manager, PingInput(probe, i, "restart", gas: 100_000));
            Interlocked.Increment(ref done);
            return intent;
        })).ToArray();

        await TxmNode.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref done) >= 8), "the first sends");
        await anvil.Node.StopAsync();
        await Task.Delay(1000);
        int doneWhileDown = Volatile.Read(ref done);
        await anvil.Node.StartAsync();

        TransactionIntent[] intents = await Task.WhenAll(sends).WaitAsync(Bound);
        await Task.WhenAll(intents.Select(h => h.WaitForReceiptAsync(timeout: Bound)));
        Assert.That(doneWhileDown, Is.LessThan(Count), "some sends were still running when the node came back");
        Assert.That(intents.Select(h => h.Nonce).Distinct().Count(), Is.EqualTo(Count));
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress), Is.EqualTo((BigInteger)Count));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(Enumerable.Range(0, Count)));
    }

    [Test]
    public async Task NodePausedMidRun_AHungNode_EveryIntentIsMinedExactlyOnce()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        // Requests to the hung node time out after 1 s; some of them (broadcasts among them) are still executed once it resumes.
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.NewClient(timeout: TimeSpan.FromSeconds(1)));

        const int Count = 30;
        int done = 0;
        Task<TransactionIntent>[] sends = Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
        {
            await Task.Delay(i * 40);
            TransactionIntent intent = await SendWithRetryAsync(manager, PingInput(probe, i, "pause", gas: 100_000));
            Interlocked.Increment(ref done);
            return intent;
        })).ToArray();

        await TxmNode.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref done) >= 8), "the first sends");
        await anvil.Node.PauseAsync();
        await Task.Delay(2500);
        int doneWhilePaused = Volatile.Read(ref done);
        await anvil.Node.UnpauseAsync();

        TransactionIntent[] intents = await Task.WhenAll(sends).WaitAsync(Bound);
        await Task.WhenAll(intents.Select(h => h.WaitForReceiptAsync(timeout: Bound)));
        Assert.That(doneWhilePaused, Is.LessThan(Count), "some sends were still running when the node resumed");
        Assert.That(intents.Select(h => h.Nonce).Distinct().Count(), Is.EqualTo(Count));
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress), Is.EqualTo((BigInteger)Count));
        Assert.That(await anvil.PingIdsAsync(probe, TxmNode.SignerAddress), Is.EqualTo(Enumerable.Range(0, Count)));
    }

    [Test]
    public async Task BadInput_IsRefusedWithTypedExceptions_BeforeAnyNonceIsUsed()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        await using DurableTransactionManager manager = await CreateManagerAsync(anvil.Client);
        string to = AnvilAccounts.Addresses[2];
        Assert.ThrowsAsync<ArgumentException>(() => manager.SendAsync(new TransactionInput { To = to, From = AnvilAccounts.Addresses[0] }));
        Assert.ThrowsAsync<ArgumentException>(() => manager.SendAsync(new TransactionInput { To = to, Nonce = 5.Hex() }));
        Assert.ThrowsAsync<ArgumentException>(() => manager.SendAsync(new TransactionInput { To = to.ToLowerInvariant().Replace("0x3c", "0x3C") }));
        Assert.ThrowsAsync<ArgumentException>(() => manager.SendAsync(new TransactionInput { To = to, Data = "0xzz" }));
        Assert.ThrowsAsync<NotSupportedException>(() => manager.SendAsync(new TransactionInput { To = to, Type = 1.Hex() }));
        Assert.ThrowsAsync<ArgumentException>(() => manager.SignTransactionAsync(new TransactionInput { To = to }));
        var noJournal = Assert.ThrowsAsync<ArgumentException>(() => DurableTransactionManager.CreateAsync(anvil.Client, TxmNode.SignerKey, new DurableTransactionManagerOptions()));
        Assert.That(noJournal!.Message, Does.Contain("JournalPath"));
        Assert.ThrowsAsync<ArgumentException>(() => DurableTransactionManager.CreateAsync(anvil.Client, "0x1234", Options("other.db")));
        Assert.That(manager.NextNonce, Is.EqualTo(BigInteger.Zero));
        Assert.That(await anvil.NonceAsync(TxmNode.SignerAddress, pending: true), Is.EqualTo(BigInteger.Zero));
    }

    private DurableTransactionManagerOptions Options(string journal) => new()
    {
        JournalPath = Path.Combine(_directory, journal),
        ChainId = 31337,
        PollInterval = TimeSpan.FromMilliseconds(50),
        RebroadcastAfter = TimeSpan.FromSeconds(1),
        ReplaceAfter = TimeSpan.FromSeconds(8),
        ReceiptTimeout = Bound,
    };

    private Task<DurableTransactionManager> CreateManagerAsync(IClient client) =>
        DurableTransactionManager.CreateAsync(client, TxmNode.SignerKey, Options("journal.db"));

    private Task<AgentClusterWeb3> CreateWeb3Async(TxmNode anvil, IClient client) =>
        AgentClusterWeb3.CreateAsync(client, new Account(TxmNode.SignerKey, (BigInteger)anvil.Node.ChainId), Options("journal.db"));

    private static TransactionInput PingInput(string probe, int id, string note, int? gas = null) => new()
    {
        To = probe,
        Data = new PingFunction { Id = id, Note = note }.GetCallData().ToHex(true),
        Gas = gas is { } g ? g.Hex() : null,
    };

    /// <summary>
    /// A caller that retries what failed before the manager journaled it (node unreachable during estimation or fee lookup): safe,
    /// because SendAsync throws after journaling only for a permanent refusal.
    /// </summary>
    private static async Task<TransactionIntent> SendWithRetryAsync(DurableTransactionManager manager, TransactionInput input)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await manager.SendAsync(input);
            }
            catch (Exception e) when (e is not TransactionRefusedException and not ArgumentException and not ContractRevertException && attempt < 200)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<string> DeployWithoutMiningAsync(TxmNode anvil)
    {
        Task<string> deploy = anvil.DeployProbeAsync();
        await TxmNode.WaitUntilAsync(async () => await anvil.NonceAsync(AnvilAccounts.Addresses[0], pending: true) == 1, "the deployment in the pool");
        await anvil.RequestAsync("evm_mine");
        return await deploy;
    }
}
