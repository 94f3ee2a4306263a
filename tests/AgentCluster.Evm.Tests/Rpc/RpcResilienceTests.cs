using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Tests.Fixtures;
using AgentCluster.Testing;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth;
using Nethereum.RPC.Eth.Blocks;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Evm.Tests.Rpc;

/// <summary>The resilience pipeline, the idempotent raw send and the cancellation scope, on Nethereum's RpcClient, against anvil.</summary>
[Category("Anvil")]
public sealed class RpcResilienceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private IAnvilNode _node = null!;

    [OneTimeSetUp]
    public async Task StartNode() => _node = await Anvil.StartAsync();

    [OneTimeTearDown]
    public async Task StopNode() => await _node.DisposeAsync();

    private (IClient Client, FaultInjectingHandler Faults) Client(Func<string, int, Fault> decide, RpcResilienceOptions? options = null)
    {
        var faults = new FaultInjectingHandler { Decide = decide };
        return (AgentClusterRpc.CreateClient(_node.RpcUrl, options ?? ProbeChain.FastRetries, transport: faults), faults);
    }

    [Test]
    public async Task TransientFaults_AreRetried_UntilTheCallSucceeds()
    {
        var (client, faults) = Client((method, n) => method == "eth_chainId" && n <= 2 ? (n == 1 ? Fault.ServiceUnavailable : Fault.ConnectionError) : Fault.None);

        HexBigInteger chainId = await new EthChainId(client).SendRequestAsync();

        Assert.That(chainId.Value, Is.EqualTo(new System.Numerics.BigInteger(_node.ChainId)));
        Assert.That(faults.Calls("eth_chainId"), Is.EqualTo(3), "503, connection error, then the node's answer");
    }

    [Test]
    public void JsonRpcError_IsNotRetried_AndKeepsTheNodesCode()
    {
        var (client, faults) = Client((_, _) => Fault.None);

        RpcResponseException e = Assert.ThrowsAsync<RpcResponseException>(() => client.SendRequestAsync<string>("eth_noSuchMethod"))!;

        Assert.That(e.RpcError.Code, Is.EqualTo(-32601), e.Message);
        Assert.That(faults.Calls("eth_noSuchMethod"), Is.EqualTo(1));
    }

    [Test]
    public void ExhaustedRetries_SurfaceAsRpcClientUnknownException_AfterOnePlusMaxRetryAttempts()
    {
        var (client, faults) = Client((_, _) => Fault.ServiceUnavailable, ProbeChain.FastRetries with { MaxRetryAttempts = 2 });

        RpcClientUnknownException e = Assert.ThrowsAsync<RpcClientUnknownException>(() => new EthBlockNumber(client).SendRequestAsync())!;

        Assert.That(e.InnerException, Is.InstanceOf<HttpRequestException>());
        Assert.That(((HttpRequestException)e.InnerException!).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(faults.Calls("eth_blockNumber"), Is.EqualTo(3));
    }

    [Test]
    public void ConnectionRefused_IsRetried_ThenRpcClientUnknownException()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var faults = new FaultInjectingHandler();
        IClient client = AgentClusterRpc.CreateClient(new Uri($"http://127.0.0.1:{closedPort}"), ProbeChain.FastRetries, transport: faults);

        RpcClientUnknownException e = Assert.ThrowsAsync<RpcClientUnknownException>(() => new EthChainId(client).SendRequestAsync())!;

        Assert.That(e.InnerException, Is.InstanceOf<HttpRequestException>());
        Assert.That(e.InnerException!.InnerException, Is.InstanceOf<SocketException>(), "refused by the operating system, not injected");
        Assert.That(faults.Calls("eth_chainId"), Is.EqualTo(1 + ProbeChain.FastRetries.MaxRetryAttempts));
    }

    [Test]
    public async Task EthSendTransaction_WhoseAnswerIsLost_IsNotRepeated()
    {
        var (client, faults) = Client((method, _) => method == "eth_sendTransaction" ? Fault.LoseResponse : Fault.None);
        var web3 = new Web3(client);
        string from = ProbeChain.Account(_node, 7).Address;
        HexBigInteger before = await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(from);

        Assert.ThrowsAsync<RpcClientUnknownException>(() => web3.Eth.Transactions.SendTransaction.SendRequestAsync(
            new TransactionInput { From = from, To = ProbeChain.Account(_node, 8).Address, Value = new HexBigInteger(1) }));

        Assert.That(faults.Calls("eth_sendTransaction"), Is.EqualTo(1));
        HexBigInteger after = await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(from);
        Assert.That(after.Value - before.Value, Is.EqualTo(System.Numerics.BigInteger.One), "the node got it once and mined it once");
    }

    [Test]
    public void TestNodeMethods_GetOneAttempt()
    {
        var (client, faults) = Client((_, _) => Fault.ServiceUnavailable);

        Assert.ThrowsAsync<RpcClientUnknownException>(() => client.SendRequestAsync<string>("evm_mine"));
        Assert.ThrowsAsync<RpcClientUnknownException>(() => client.SendRequestAsync<string>("anvil_mine"));
        Assert.ThrowsAsync<RpcClientUnknownException>(() => client.SendRequestAsync<string>("hardhat_mine"));

        Assert.That(faults.Calls("evm_mine"), Is.EqualTo(1));
        Assert.That(faults.Calls("anvil_mine"), Is.EqualTo(1));
        Assert.That(faults.Calls("hardhat_mine"), Is.EqualTo(1));
    }

    [Test]
    public async Task Batch_IsRetriedOnlyWhenEveryMemberMayRepeat()
    {
        var (client, faults) = Client((method, n) => method.StartsWith("batch:", StringComparison.Ordinal) && n == 1 ? Fault.ServiceUnavailable : Fault.None);
        var chainId = new EthChainId(client);
        var blockNumber = new EthBlockNumber(client);
        var batch = new RpcRequestResponseBatch();
        batch.BatchItems.Add(new RpcRequestResponseBatchItem<EthChainId, HexBigInteger>(chainId, chainId.BuildRequest(1)));
        batch.BatchItems.Add(new RpcRequestResponseBatchItem<EthBlockNumber, HexBigInteger>(blockNumber, blockNumber.BuildRequest(2)));

        await client.SendBatchRequestAsync(batch);

        Assert.That(((RpcRequestResponseBatchItem<EthChainId, HexBigInteger>)batch.BatchItems[0]).Response.Value,
            Is.EqualTo(new System.Numerics.BigInteger(_node.ChainId)));
        Assert.That(faults.Calls("batch:eth_chainId,eth_blockNumber"), Is.EqualTo(2));

        var mixed = new RpcRequestResponseBatch();
        mixed.BatchItems.Add(new RpcRequestResponseBatchItem<EthChainId, HexBigInteger>(chainId, chainId.BuildRequest(1)));
        mixed.BatchItems.Add(new RpcRequestResponseBatchItem<EthChainId, HexBigInteger>(chainId, new RpcRequest(2, "evm_mine")));
        Assert.ThrowsAsync<RpcClientUnknownException>(() => client.SendBatchRequestAsync(mixed));
        Assert.That(faults.Calls("batch:eth_chainId,evm_mine"), Is.EqualTo(1));
    }

    [Test]
    public void JsonRpcErrorUnderAnHttpErrorStatus_IsTheNodesError_NotATransportFault()
    {
        var faults = new FaultInjectingHandler
        {
            Respond = (method, request) => method == "eth_getBalance"
                ? (HttpStatusCode.BadRequest, $$$"""{"jsonrpc":"2.0","id":{{{request.GetProperty("id").GetRawText()}}},"error":{"code":-32602,"message":"invalid address"}}""")
                : method == "eth_gasPrice" ? (HttpStatusCode.BadRequest, "<html>bad request</html>") : null,
        };
        IClient client = AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries, transport: faults);

        RpcResponseException rpc = Assert.ThrowsAsync<RpcResponseException>(() => client.SendRequestAsync<string>("eth_getBalance", null, "0x00", "latest"))!;
        Assert.That(rpc.RpcError.Code, Is.EqualTo(-32602));
        Assert.That(rpc.RpcError.Message, Does.Contain("invalid address"));
        Assert.That(faults.Calls("eth_getBalance"), Is.EqualTo(1));

        RpcClientUnknownException http = Assert.ThrowsAsync<RpcClientUnknownException>(() => client.SendRequestAsync<string>("eth_gasPrice"))!;
        Assert.That(((HttpRequestException)http.InnerException!).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(faults.Calls("eth_gasPrice"), Is.EqualTo(1), "4xx is not transient");
    }

    [Test]
    public async Task AttemptTimeout_IsRetried_AndWhenEveryAttemptTimesOut_IsRpcClientTimeoutException()
    {
        RpcResilienceOptions shortAttempts = ProbeChain.FastRetries with { AttemptTimeout = TimeSpan.FromMilliseconds(300), MaxRetryAttempts = 2 };
        var (client, faults) = Client((method, n) => method == "eth_chainId" && n == 1 ? Fault.Hang : Fault.None, shortAttempts);
        Assert.That((await new EthChainId(client).SendRequestAsync()).Value, Is.EqualTo(new System.Numerics.BigInteger(_node.ChainId)));
        Assert.That(faults.Calls("eth_chainId"), Is.EqualTo(2));

        var (hung, hungFaults) = Client((_, _) => Fault.Hang, shortAttempts);
        Assert.ThrowsAsync<RpcClientTimeoutException>(() => new EthBlockNumber(hung).SendRequestAsync());
        Assert.That(hungFaults.Calls("eth_blockNumber"), Is.EqualTo(3));
    }

    [Test]
    public async Task Cancellation_AbandonsAHungRequest_WithOperationCanceledException_AndNoRetry()
    {
        RpcResilienceOptions patient = ProbeChain.FastRetries with { AttemptTimeout = TimeSpan.FromMinutes(1), TotalTimeout = TimeSpan.FromMinutes(5) };
        var (client, faults) = Client((_, _) => Fault.Hang, patient);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Task<HexBigInteger> call;
        using (RpcCancellation.Use(cts.Token))
        {
            call = new EthBlockNumber(client).SendRequestAsync();
        }

        Task first = await Task.WhenAny(call, Task.Delay(Bound));
        Assert.That(first, Is.SameAs(call), $"the cancelled call did not return within {Bound}");
        OperationCanceledException e = Assert.ThrowsAsync<OperationCanceledException>(() => call)!;
        Assert.That(e.CancellationToken, Is.EqualTo(cts.Token));
        Assert.That(faults.Calls("eth_blockNumber"), Is.EqualTo(1));

        // An already-cancelled scope sends nothing.
        using (RpcCancellation.Use(new CancellationToken(canceled: true)))
        {
            Assert.ThrowsAsync<OperationCanceledException>(() => new EthChainId(client).SendRequestAsync());
        }

        Assert.That(faults.Calls("eth_chainId"), Is.EqualTo(0));
        Assert.That(RpcCancellation.Current, Is.EqualTo(CancellationToken.None), "the scope ends with its using block");
    }

    [Test]
    public async Task Cancellation_OfARequestToAPausedNode_ReturnsPromptly()
    {
        IClient client = AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries with { AttemptTimeout = TimeSpan.FromSeconds(25) });
        var web3 = new Web3(client);
        Assert.That((await web3.Eth.ChainId.SendRequestAsync()).Value, Is.GreaterThan(System.Numerics.BigInteger.Zero), "connection is warm");
        await _node.PauseAsync();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            Task<HexBigInteger> call = RpcCancellation.RunAsync(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), cts.Token);
            Task first = await Task.WhenAny(call, Task.Delay(Bound));
            Assert.That(first, Is.SameAs(call), $"the cancelled call did not return within {Bound}");
            Assert.ThrowsAsync<OperationCanceledException>(() => call);
        }
        finally
        {
            await _node.UnpauseAsync();
        }

        Assert.That((await web3.Eth.ChainId.SendRequestAsync()).Value, Is.EqualTo(new System.Numerics.BigInteger(_node.ChainId)), "the client works after");
    }

    [Test]
    public async Task SendRawTransaction_WhoseAnswerIsLost_ReturnsTheHash_AndTheNodeHasOneTransaction()
    {
        var (client, faults) = Client((method, n) => method == "eth_sendRawTransaction" && n <= 2 ? Fault.LoseResponse : Fault.None);
        Web3 web3 = ProbeChain.Web3(_node, 3, client);
        string from = web3.TransactionManager.Account.Address;
        string raw = await SignTransferAsync(web3, 0);

        // Automine: the first copy is mined at once; the two retries hear "nonce too low" and find the hash.
        string hash = await web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(raw);

        Assert.That(hash, Is.EqualTo(IdempotentRawSendInterceptor.TransactionHash(raw)).IgnoreCase);
        Assert.That(faults.Calls("eth_sendRawTransaction"), Is.EqualTo(3));
        Assert.That((await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(from, BlockParameter.CreateLatest())).Value,
            Is.EqualTo(System.Numerics.BigInteger.One));
        TransactionReceipt? receipt = await WaitForReceiptAsync(web3, hash);
        Assert.That(receipt?.Succeeded(), Is.True);

        // Without mining, the retry hears "transaction already imported" for the copy in the pool.
        await client.SendRequestAsync<object>("evm_setAutomine", null, false);
        try
        {
            var (pooledClient, pooled) = Client((method, n) => method == "eth_sendRawTransaction" && n == 1 ? Fault.LoseResponse : Fault.None);
            Web3 pooledWeb3 = ProbeChain.Web3(_node, 3, pooledClient);
            string second = await SignTransferAsync(pooledWeb3, 1);
            Assert.That(await pooledWeb3.Eth.Transactions.SendRawTransaction.SendRequestAsync(second),
                Is.EqualTo(IdempotentRawSendInterceptor.TransactionHash(second)).IgnoreCase);
            Assert.That(pooled.Calls("eth_sendRawTransaction"), Is.EqualTo(2));
            Assert.That((await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(from, BlockParameter.CreatePending())).Value,
                Is.EqualTo(new System.Numerics.BigInteger(2)));
        }
        finally
        {
            await client.SendRequestAsync<object>("evm_setAutomine", null, true);
            await client.SendRequestAsync<object>("evm_mine");
        }

        Assert.That((await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(from, BlockParameter.CreateLatest())).Value,
            Is.EqualTo(new System.Numerics.BigInteger(2)));
    }

    [Test]
    public async Task NonceTooLow_ForATransactionTheNodeDoesNotHave_StaysAnError()
    {
        var (client, _) = Client((_, _) => Fault.None);
        Web3 web3 = ProbeChain.Web3(_node, 4, client);
        string first = await SignTransferAsync(web3, 0);
        string firstHash = await web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(first);
        Assert.That(await WaitForReceiptAsync(web3, firstHash), Is.Not.Null, "the first transaction is mined");
        string conflicting = await SignTransferAsync(web3, 0, value: 2);

        RpcResponseException e = Assert.ThrowsAsync<RpcResponseException>(() => web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(conflicting))!;

        Assert.That(e.IsNonceTooLow(), Is.True, e.Message);
    }

    [Test]
    public void CreateClient_RefusesBadUrlsAndOptions_NamingThem()
    {
        Assert.That(() => AgentClusterRpc.CreateClient(new Uri("ws://127.0.0.1:1")), Throws.ArgumentException.With.Message.Contains("http"));
        Assert.That(() => AgentClusterRpc.CreateClient(new Uri("/relative", UriKind.Relative)), Throws.ArgumentException);
        Assert.That(() => AgentClusterRpc.CreateClient(_node.RpcUrl, new RpcResilienceOptions { MaxRetryAttempts = -1 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxRetryAttempts").And.Message.Contains("MaxRetryAttempts"));
        Assert.That(() => new RpcResilienceOptions { RetryBaseDelay = TimeSpan.Zero }.Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("RetryBaseDelay"));
        Assert.That(() => new RpcResilienceOptions { RetryMaxDelay = TimeSpan.FromMilliseconds(1) }.Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("RetryMaxDelay"));
        Assert.That(() => new RpcResilienceOptions { AttemptTimeout = TimeSpan.Zero }.Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("AttemptTimeout"));
        Assert.That(() => new RpcResilienceOptions { TotalTimeout = TimeSpan.FromSeconds(1) }.Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("TotalTimeout").And.Message.Contains("AttemptTimeout"));
        Assert.That(() => RpcResilienceOptions.Default.Validate(), Throws.Nothing);
    }

    [Test]
    public void CreateClient_RaisesNethereumsConnectionTimeout_ToCoverTheTotalTimeout_NeverLowersIt()
    {
        AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries with { TotalTimeout = TimeSpan.FromSeconds(90) });
        Assert.That(ClientBase.ConnectionTimeout, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(95)));
        TimeSpan raised = ClientBase.ConnectionTimeout;

        AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries with { TotalTimeout = TimeSpan.FromSeconds(10) });
        Assert.That(ClientBase.ConnectionTimeout, Is.EqualTo(raised));
    }

    private static async Task<TransactionReceipt?> WaitForReceiptAsync(Web3 web3, string hash)
    {
        for (int i = 0; i < 200; i++)
        {
            if (await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash) is { } receipt)
            {
                return receipt;
            }

            await Task.Delay(50);
        }

        return null;
    }

    private async Task<string> SignTransferAsync(Web3 web3, long nonce, long value = 1) =>
        await web3.TransactionManager.SignTransactionAsync(new TransactionInput
        {
            From = web3.TransactionManager.Account.Address,
            To = ProbeChain.Account(_node, 9).Address,
            Value = new HexBigInteger(value),
            Nonce = new HexBigInteger(nonce),
            Gas = new HexBigInteger(21_000),
            MaxFeePerGas = new HexBigInteger(50_000_000_000),
            MaxPriorityFeePerGas = new HexBigInteger(1_000_000_000),
            Type = new HexBigInteger(2),
        });
}
