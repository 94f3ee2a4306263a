using System.Net;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Tests.Fixtures;
using AgentCluster.Testing;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Evm.Tests.Rpc;

/// <summary>Paged eth_getLogs against anvil, with a transport that refuses wide ranges the way providers do.</summary>
[Category("Anvil")]
public sealed class LogPagingTests
{
    private const int Pings = 12;

    private IAnvilNode _node = null!;
    private Web3 _web3 = null!;
    private string _probe = null!;
    private BigInteger _first;
    private BigInteger _last;

    [OneTimeSetUp]
    public async Task StartNodeAndPing()
    {
        _node = await Anvil.StartAsync();
        _web3 = ProbeChain.Web3(_node, 1);
        _probe = await ProbeChain.DeployProbeAsync(_web3);
        var handler = _web3.Eth.GetContractTransactionHandler<PingFunction>();
        _first = (await _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value + 1;
        for (int i = 0; i < Pings; i++)
        {
            TransactionReceipt receipt = await handler.SendRequestAndWaitForReceiptAsync(_probe, new PingFunction { Id = i, Note = "page" });
            Assert.That(receipt.Succeeded(), Is.True);
        }

        _last = (await _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        Assert.That(_last - _first + 1, Is.EqualTo(new BigInteger(Pings)), "automine: one block per transaction");
    }

    [OneTimeTearDown]
    public async Task StopNode() => await _node.DisposeAsync();

    private NewFilterInput Filter => _web3.Eth.GetEvent<PingEvent>(_probe).CreateFilterInput();

    [Test]
    public async Task LongRanges_ArePagedByMaxRange_InBlockOrder()
    {
        var faults = new FaultInjectingHandler();
        var web3 = new Web3(AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries, transport: faults));
        var pages = new List<FilterLog[]>();
        await foreach (FilterLog[] page in web3.GetLogsPagedAsync(Filter, _first, _last, maxRange: 5))
        {
            pages.Add(page);
        }

        Assert.That(pages.Select(p => p.Length), Is.EqualTo(new[] { 5, 5, 2 }));
        Assert.That(faults.Calls("eth_getLogs"), Is.EqualTo(3));
        List<EventLog<PingEvent>> events = pages.SelectMany(p => p).ToList().DecodeAllEvents<PingEvent>();
        Assert.That(events.Select(e => (int)e.Event.Id), Is.EqualTo(Enumerable.Range(0, Pings)));
        Assert.That(events.Select(e => e.Log.BlockNumber.Value), Is.EqualTo(Enumerable.Range(0, Pings).Select(i => _first + i)));
    }

    [Test]
    public async Task RangesTheNodeRefuses_AreHalved_UntilTheyPass()
    {
        const int Allowed = 3;
        var refusing = new FaultInjectingHandler { Respond = (method, request) => RefuseWiderThan(Allowed, method, request) };
        var web3 = new Web3(AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries, transport: refusing));

        List<FilterLog> all = await web3.Eth.GetAllLogsPagedAsync(Filter, _first, _last);

        Assert.That(all.DecodeAllEvents<PingEvent>().Select(e => (int)e.Event.Id), Is.EqualTo(Enumerable.Range(0, Pings)));
        // 12 blocks refused, 6 refused, then 3 + 3 + 3 + 3.
        Assert.That(refusing.Calls("eth_getLogs"), Is.EqualTo(6));
    }

    [Test]
    public void ANodeThatRefusesEvenOneBlock_GivesLogRangeRefusedException_AfterBoundedRequests()
    {
        var refusing = new FaultInjectingHandler { Respond = (method, request) => RefuseWiderThan(0, method, request) };
        var web3 = new Web3(AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries, transport: refusing));

        LogRangeRefusedException e = Assert.ThrowsAsync<LogRangeRefusedException>(() => web3.Eth.GetAllLogsPagedAsync(Filter, _first, _last, maxRange: 8))!;

        Assert.That(e.Block, Is.EqualTo(_first));
        Assert.That(refusing.Calls("eth_getLogs"), Is.EqualTo(4), "8, 4, 2, 1 blocks");
    }

    [Test]
    public void OtherRpcErrors_AreNotTakenForARangeRefusal()
    {
        var failing = new FaultInjectingHandler
        {
            Respond = (method, request) => method == "eth_getLogs"
                ? (HttpStatusCode.OK, $$$"""{"jsonrpc":"2.0","id":{{{request.GetProperty("id").GetRawText()}}},"error":{"code":-32000,"message":"header not found"}}""")
                : null,
        };
        var web3 = new Web3(AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries, transport: failing));

        Assert.ThrowsAsync<Nethereum.JsonRpc.Client.RpcResponseException>(() => web3.Eth.GetAllLogsPagedAsync(Filter, _first, _last));
        Assert.That(failing.Calls("eth_getLogs"), Is.EqualTo(1));
    }

    [Test]
    public void Cancellation_StopsTheWalk()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.That(async () => await _web3.Eth.GetAllLogsPagedAsync(Filter, _first, _last, maxRange: 1, ct: cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void BadRanges_AreRefusedNamingTheArgument()
    {
        Assert.That(async () => await _web3.Eth.GetAllLogsPagedAsync(Filter, 10, 9),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("toBlock").And.Message.Contains("before fromBlock"));
        Assert.That(async () => await _web3.Eth.GetAllLogsPagedAsync(Filter, -1, 9),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("fromBlock"));
        Assert.That(async () => await _web3.Eth.GetAllLogsPagedAsync(Filter, 0, 9, maxRange: 0),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("maxRange"));
        Assert.That(async () => await _web3.Eth.GetAllLogsPagedAsync(null!, 0, 9), Throws.ArgumentNullException);
    }

    /// <summary>The way providers refuse: -32005 "query returned more than 10000 results" for spans wider than allowed.</summary>
    private static (HttpStatusCode, string)? RefuseWiderThan(int allowed, string method, JsonElement request)
    {
        if (method != "eth_getLogs")
        {
            return null;
        }

        JsonElement filter = request.GetProperty("params")[0];
        BigInteger span = filter.GetProperty("toBlock").GetString()!.HexToBigInteger(false)
            - filter.GetProperty("fromBlock").GetString()!.HexToBigInteger(false) + 1;
        return span > allowed
            ? (HttpStatusCode.OK, $$$"""{"jsonrpc":"2.0","id":{{{request.GetProperty("id").GetRawText()}}},"error":{"code":-32005,"message":"query returned more than 10000 results"}}""")
            : null;
    }
}
