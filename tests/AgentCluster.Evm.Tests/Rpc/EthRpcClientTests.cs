using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Tests.Fixtures;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Evm.Tests.Rpc;

/// <summary>The JSON-RPC client against a real anvil.</summary>
[Category("Anvil")]
public sealed class EthRpcClientTests
{
    private static readonly ContractAbi ProbeAbi = ContractAbi.Parse(RpcProbeContract.Abi);

    private AnvilFixture _anvil = null!;
    private EthECKey _deployer = null!;
    private Address _probe;

    [OneTimeSetUp]
    public async Task StartAnvil()
    {
        _anvil = await AnvilFixture.StartAsync();
        _deployer = await _anvil.CreateFundedKeyAsync();
        _probe = await _anvil.DeployAsync(_deployer, RpcProbeContract.Bytecode);
    }

    [OneTimeTearDown]
    public async Task StopAnvil() => await _anvil.DisposeAsync();

    [Test]
    public async Task ReadCalls_ReturnWhatTheNodeHas()
    {
        EthRpcClient client = _anvil.Client;
        EthECKey fresh = await _anvil.CreateFundedKeyAsync();

        Assert.That(await client.GetChainIdAsync(), Is.EqualTo(31337UL));
        ulong head = await client.GetBlockNumberAsync();
        Assert.That(head, Is.GreaterThanOrEqualTo(1UL), "the deployment mined a block");
        Assert.That(await client.GetBalanceAsync(fresh.Address), Is.EqualTo(UInt256.Parse("1000000000000000000000")));
        Assert.That(await client.GetTransactionCountAsync(_deployer.Address, BlockParameter.Latest), Is.EqualTo(1UL));
        Assert.That(await client.GetTransactionCountAsync(_deployer.Address, BlockParameter.Pending), Is.EqualTo(1UL));
        Assert.That(await client.GetCodeAsync(_probe), Is.Not.Empty);
        Assert.That(await client.GetCodeAsync(fresh.Address), Is.Empty);
        Assert.That((await client.GetGasPriceAsync()).IsZero, Is.False);
        Assert.That(await client.GetMaxPriorityFeePerGasAsync(), Is.EqualTo((UInt256)1_000_000_000UL), "anvil's default tip is 1 gwei");

        Block latest = (await client.GetBlockByNumberAsync(BlockParameter.Latest))!;
        Assert.That(latest.Number, Is.EqualTo(head));
        Assert.That(latest.BaseFeePerGas, Is.Not.Null);
        Block genesis = (await client.GetBlockByNumberAsync(BlockParameter.At(0)))!;
        Assert.That(latest.Number == 1 ? latest.ParentHash : (await client.GetBlockByNumberAsync(1UL))!.ParentHash, Is.EqualTo(genesis.Hash));
        Assert.That(await client.GetBlockByNumberAsync(head + 1000), Is.Null);

        FeeHistory history = await client.GetFeeHistoryAsync(1, BlockParameter.Latest, [50]);
        Assert.That(history.OldestBlock, Is.EqualTo(head));
        Assert.That(history.BaseFeePerGas, Has.Count.EqualTo(2), "the block's base fee and the next one's");
        Assert.That(history.BaseFeePerGas[0], Is.EqualTo(latest.BaseFeePerGas!.Value));
        Assert.That(history.Reward, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SendRawTransaction_ThenReceiptTransactionAndLogs_DecodeThePingEvent()
    {
        EthRpcClient client = _anvil.Client;
        EthECKey sender = await _anvil.CreateFundedKeyAsync();
        byte[] calldata = ProbeAbi.Function("ping").EncodeCall(new BigInteger(42), "hello");
        ulong gas = await client.EstimateGasAsync(new CallRequest { From = sender.Address, To = _probe, Data = calldata });
        SignedTransaction signed = Sign(sender, 0, calldata, gas + 10_000);

        Hash32 hash = await client.SendRawTransactionAsync(signed);
        Assert.That(hash, Is.EqualTo(signed.Hash));

        TransactionReceipt receipt = await _anvil.WaitForReceiptAsync(hash);
        Assert.That(receipt.Succeeded, Is.True);
        Assert.That(receipt.From, Is.EqualTo(sender.Address));
        Assert.That(receipt.To, Is.EqualTo(_probe));
        Assert.That(receipt.Type, Is.EqualTo(2));
        Assert.That(receipt.Logs, Has.Count.EqualTo(1));

        RpcTransaction tx = (await client.GetTransactionByHashAsync(hash))!;
        Assert.That(tx.Nonce, Is.EqualTo(0UL));
        Assert.That(tx.Input, Is.EqualTo(calldata));
        Assert.That(tx.BlockNumber, Is.EqualTo(receipt.BlockNumber));
        Assert.That(tx.MaxFeePerGas, Is.EqualTo(signed.Transaction is Eip1559Transaction t ? t.MaxFeePerGas : default));
        Assert.That(await client.GetTransactionByHashAsync(Keccak.HashUtf8("no such transaction")), Is.Null);
        Assert.That(await client.GetTransactionReceiptAsync(Keccak.HashUtf8("no such transaction")), Is.Null);

        AbiEvent ping = ProbeAbi.Event("Ping");
        DecodedEvent decoded = ping.DecodeLog(receipt.Logs[0].Topics, receipt.Logs[0].Data);
        Assert.That(decoded["from"], Is.EqualTo(sender.Address));
        Assert.That(decoded["id"], Is.EqualTo(new BigInteger(42)));
        Assert.That(decoded["note"], Is.EqualTo("hello"));

        IReadOnlyList<LogEntry> logs = await client.GetLogsAsync(new LogFilter
        {
            FromBlock = receipt.BlockNumber,
            ToBlock = BlockParameter.Latest,
            Addresses = [_probe],
            Topics = [[ping.Topic0], [AbiEvent.EncodeTopic(AbiType.Parse("address"), sender.Address)]],
        });
        Assert.That(logs, Has.Count.EqualTo(1));
        Assert.That(logs[0].TransactionHash, Is.EqualTo(hash));
        Assert.That(logs[0], Is.EqualTo(receipt.Logs[0]).Using<LogEntry>((a, b) => a.Data.AsSpan().SequenceEqual(b.Data) && a.Topics.SequenceEqual(b.Topics) && a.LogIndex == b.LogIndex));
    }

    [Test]
    public async Task Batch_ReturnsEachResultOrErrorInRequestOrder()
    {
        IReadOnlyList<RpcResponse> responses = await _anvil.Client.SendBatchAsync(
        [
            new RpcRequest("eth_chainId"),
            new RpcRequest("eth_noSuchMethod"),
            new RpcRequest("eth_getBalance", _deployer.Address, "latest"),
            new RpcRequest("eth_getCode", _probe, BlockParameter.Latest),
        ]);

        Assert.That(responses, Has.Count.EqualTo(4));
        Assert.That(RpcJson.Quantity(responses[0].GetResult()), Is.EqualTo(31337UL));
        Assert.That(responses[1].IsSuccess, Is.False);
        Assert.That(responses[1].Error!.Code, Is.EqualTo(-32601));
        Assert.Throws<RpcException>(() => responses[1].GetResult());
        Assert.That(RpcJson.BigQuantity(responses[2].GetResult()), Is.EqualTo(await _anvil.Client.GetBalanceAsync(_deployer.Address)));
        Assert.That(RpcJson.Data(responses[3].GetResult()), Is.EqualTo(await _anvil.Client.GetCodeAsync(_probe)));
    }

    [Test]
    public async Task Call_ReturnsData_AndDecodesEveryKindOfRevert()
    {
        EthRpcClient client = _anvil.Client;
        Address caller = _deployer.Address;
        AbiFunction failRequire = ProbeAbi.Function("failRequire");

        byte[] ok = await client.CallAsync(new CallRequest { To = _probe, Data = failRequire.EncodeCall(new BigInteger(101)) });
        Assert.That(failRequire.DecodeOutput(ok)[0], Is.EqualTo(new BigInteger(101)));

        var custom = CallRequest(caller, "failCustom", new BigInteger(7));
        ContractRevertException withAbi = Assert.ThrowsAsync<ContractRevertException>(() => client.CallAsync(custom, revertDecoder: ProbeAbi.CreateRevertDecoder()))!;
        Assert.That(withAbi.ErrorName, Is.EqualTo("Unauthorized"));
        Assert.That(withAbi.ErrorSignature, Is.EqualTo("Unauthorized(address,uint256)"));
        Assert.That(withAbi.Arguments, Is.EqualTo(new object[] { caller, new BigInteger(7) }));

        ContractRevertException withoutAbi = Assert.ThrowsAsync<ContractRevertException>(() => client.CallAsync(custom))!;
        Assert.That(withoutAbi.ErrorName, Is.Null);
        Assert.That(withoutAbi.RevertData, Is.EqualTo(withAbi.RevertData), "an unknown error still carries the raw data");

        ContractRevertException estimate = Assert.ThrowsAsync<ContractRevertException>(() => client.EstimateGasAsync(custom, ProbeAbi.CreateRevertDecoder()))!;
        Assert.That(estimate.ErrorName, Is.EqualTo("Unauthorized"));

        var reason = Assert.ThrowsAsync<ContractRevertReasonException>(() => client.CallAsync(CallRequest(caller, "failRequire", new BigInteger(7))))!;
        Assert.That(reason.Reason, Is.EqualTo("probe: x too small"));

        var panic = Assert.ThrowsAsync<ContractPanicException>(() => client.EstimateGasAsync(CallRequest(caller, "failPanic", BigInteger.Zero)))!;
        Assert.That(panic.Code, Is.EqualTo(new BigInteger(0x12)));

        ContractRevertException bare = Assert.ThrowsAsync<ContractRevertException>(() => client.CallAsync(CallRequest(caller, "failBare")))!;
        Assert.That(bare.RevertData, Is.Empty);
    }

    [Test]
    public void RpcErrors_AreTypedWithCodeMessageAndData_AndAreNotReverts()
    {
        RpcException unknown = Assert.ThrowsAsync<RpcException>(() => _anvil.Client.RequestAsync("eth_noSuchMethod", []))!;
        Assert.That(unknown.Code, Is.EqualTo(-32601));
        Assert.That(unknown.Method, Is.EqualTo("eth_noSuchMethod"));
        Assert.That(unknown.RpcMessage, Is.Not.Empty);
        Assert.That(unknown, Is.Not.InstanceOf<ContractRevertException>());

        RpcException invalid = Assert.ThrowsAsync<RpcException>(() => _anvil.Client.RequestAsync("eth_getBalance", ["not an address", "latest"]))!;
        Assert.That(invalid.Code, Is.EqualTo(-32602));

        // A transaction the node refuses is an RpcException too, with the helper that says why.
        EthECKey broke = EthECKey.GenerateKey();
        RpcException funds = Assert.ThrowsAsync<RpcException>(() => _anvil.Client.SendRawTransactionAsync(Sign(broke, 0, [], 21_000, to: broke.Address)))!;
        Assert.That(funds.IsInsufficientFunds, Is.True, funds.Message);
    }

    [Test]
    public async Task Cancellation_StopsARequestPromptly_AndIsNotRetried()
    {
        var transport = new FaultInjectingTransport(new HttpEthRpcTransport(_anvil.RpcUrl)) { Decide = (_, _) => Fault.Hang };
        var client = new EthRpcClient(transport, new EthRpcClientOptions { MaxRetryAttempts = 5, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        Assert.That(async () => await client.GetBlockNumberAsync(cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        Assert.That(transport.Calls("eth_blockNumber"), Is.EqualTo(1));

        Assert.That(async () => await client.GetChainIdAsync(new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task TransientFaults_AreRetried_ButJsonRpcErrorsAreNot()
    {
        var transport = new FaultInjectingTransport(new HttpEthRpcTransport(_anvil.RpcUrl))
        {
            Decide = (method, n) => method == "eth_chainId" && n <= 2 ? (n == 1 ? Fault.ServiceUnavailable : Fault.ConnectionError) : Fault.None,
        };
        var client = new EthRpcClient(transport, new EthRpcClientOptions { MaxRetryAttempts = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(5) });

        Assert.That(await client.GetChainIdAsync(), Is.EqualTo(31337UL));
        Assert.That(transport.Calls("eth_chainId"), Is.EqualTo(3));

        Assert.ThrowsAsync<RpcException>(() => client.RequestAsync("eth_noSuchMethod", []));
        Assert.That(transport.Calls("eth_noSuchMethod"), Is.EqualTo(1));

        var exhausted = new FaultInjectingTransport(new HttpEthRpcTransport(_anvil.RpcUrl)) { Decide = (_, _) => Fault.ServiceUnavailable };
        var giveUp = new EthRpcClient(exhausted, new EthRpcClientOptions { MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(5) });
        RpcTransportException last = Assert.ThrowsAsync<RpcTransportException>(() => giveUp.GetBlockNumberAsync())!;
        Assert.That(last.IsTransient, Is.True);
        Assert.That(exhausted.Calls("eth_blockNumber"), Is.EqualTo(3));

        // Test-node methods that change state are never repeated.
        Assert.ThrowsAsync<RpcTransportException>(() => giveUp.RequestAsync("evm_mine", []));
        Assert.That(exhausted.Calls("evm_mine"), Is.EqualTo(1));
    }

    [Test]
    public async Task SendRawTransaction_WhoseAnswerIsLost_IsRetriedAsTheSameTransaction_MinedOnce()
    {
        EthECKey sender = await _anvil.CreateFundedKeyAsync();
        var transport = new FaultInjectingTransport(new HttpEthRpcTransport(_anvil.RpcUrl))
        {
            Decide = (method, n) => method == "eth_sendRawTransaction" && n <= 2 ? Fault.LoseResponse : Fault.None,
        };
        var client = new EthRpcClient(transport, new EthRpcClientOptions { MaxRetryAttempts = 4, RetryBaseDelay = TimeSpan.FromMilliseconds(5) });
        SignedTransaction signed = Sign(sender, 0, [], 21_000, to: _deployer.Address, value: 12345);

        // Automine: the first copy is mined at once, the retries hear "nonce too low" and find our hash mined.
        Hash32 hash = await client.SendRawTransactionAsync(signed);

        Assert.That(hash, Is.EqualTo(signed.Hash));
        Assert.That(transport.Calls("eth_sendRawTransaction"), Is.EqualTo(3));
        Assert.That(await _anvil.Client.GetTransactionCountAsync(sender.Address, BlockParameter.Latest), Is.EqualTo(1UL));
        Assert.That((await _anvil.WaitForReceiptAsync(hash)).Succeeded, Is.True);

        // Without mining, the retry hears "already known" for the copy in the pool.
        await _anvil.RequestAsync("evm_setAutomine", false);
        try
        {
            var pooled = new FaultInjectingTransport(new HttpEthRpcTransport(_anvil.RpcUrl))
            {
                Decide = (method, n) => method == "eth_sendRawTransaction" && n == 1 ? Fault.LoseResponse : Fault.None,
            };
            var pooledClient = new EthRpcClient(pooled, new EthRpcClientOptions { MaxRetryAttempts = 4, RetryBaseDelay = TimeSpan.FromMilliseconds(5) });
            SignedTransaction second = Sign(sender, 1, [], 21_000, to: _deployer.Address, value: 1);
            Assert.That(await pooledClient.SendRawTransactionAsync(second), Is.EqualTo(second.Hash));
            Assert.That(pooled.Calls("eth_sendRawTransaction"), Is.EqualTo(2));
            Assert.That(await _anvil.Client.GetTransactionCountAsync(sender.Address, BlockParameter.Pending), Is.EqualTo(2UL));
        }
        finally
        {
            await _anvil.RequestAsync("evm_setAutomine", true);
            await _anvil.RequestAsync("evm_mine");
        }

        Assert.That(await _anvil.Client.GetTransactionCountAsync(sender.Address, BlockParameter.Latest), Is.EqualTo(2UL));
    }

    [Test]
    public async Task GetLogs_PagesLongRanges_AndHalvesRangesTheNodeRefuses()
    {
        EthECKey sender = await _anvil.CreateFundedKeyAsync();
        ulong first = await _anvil.Client.GetBlockNumberAsync() + 1;
        byte[] calldata = ProbeAbi.Function("ping").EncodeCall(new BigInteger(1), "page");
        for (ulong nonce = 0; nonce < 12; nonce++)
        {
            Hash32 hash = await _anvil.Client.SendRawTransactionAsync(Sign(sender, nonce, calldata, 100_000));
            await _anvil.WaitForReceiptAsync(hash);
        }

        ulong last = await _anvil.Client.GetBlockNumberAsync();
        Assert.That(last - first + 1, Is.EqualTo(12UL), "automine: one block per transaction");
        var filter = new LogFilter { FromBlock = first, ToBlock = BlockParameter.Latest, Addresses = [_probe] };

        var paging = new FaultInjectingTransport(new HttpEthRpcTransport(_anvil.RpcUrl));
        var pagingClient = new EthRpcClient(paging, new EthRpcClientOptions { MaxLogBlockRange = 5 });
        var pages = new List<IReadOnlyList<LogEntry>>();
        await foreach (IReadOnlyList<LogEntry> page in pagingClient.GetLogPagesAsync(filter))
        {
            pages.Add(page);
        }

        Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 5, 5, 2 }));
        Assert.That(pages.SelectMany(p => p).Select(l => l.BlockNumber!.Value), Is.EqualTo(Enumerable.Range(0, 12).Select(i => first + (ulong)i)));

        // A node that refuses more than 3 blocks per request, the way providers say "query returned more than N results".
        var refusing = new FaultInjectingTransport(new HttpEthRpcTransport(_anvil.RpcUrl))
        {
            Respond = (method, request) =>
            {
                if (method != "eth_getLogs")
                {
                    return null;
                }

                JsonElement f = request.GetProperty("params")[0];
                BigInteger span = Hex.DecodeQuantity(f.GetProperty("toBlock").GetString()!) - Hex.DecodeQuantity(f.GetProperty("fromBlock").GetString()!) + 1;
                return span > 3
                    ? $$$"""{"jsonrpc":"2.0","id":{{{request.GetProperty("id").GetInt64()}}},"error":{"code":-32005,"message":"query returned more than 10000 results"}}"""
                    : null;
            },
        };
        var refusedClient = new EthRpcClient(refusing, new EthRpcClientOptions { MaxLogBlockRange = null });
        IReadOnlyList<LogEntry> all = await refusedClient.GetLogsAsync(filter);
        Assert.That(all.Select(l => l.BlockNumber!.Value), Is.EqualTo(Enumerable.Range(0, 12).Select(i => first + (ulong)i)));
        Assert.That(refusing.Calls("eth_getLogs"), Is.GreaterThan(4), "12 blocks -> 6 -> 3 per request after two refusals");
    }

    private CallRequest CallRequest(Address from, string function, params object?[] args) =>
        new() { From = from, To = _probe, Data = ProbeAbi.Function(function).EncodeCall(args) };

    private SignedTransaction Sign(EthECKey key, ulong nonce, byte[] data, ulong gas, Address? to = null, ulong value = 0) =>
        new Eip1559Transaction
        {
            ChainId = 31337, Nonce = nonce, GasLimit = gas, To = to ?? _probe, Data = data, Value = value,
            MaxFeePerGas = 50_000_000_000UL, MaxPriorityFeePerGas = 1_000_000_000UL,
        }.Sign(key);
}
