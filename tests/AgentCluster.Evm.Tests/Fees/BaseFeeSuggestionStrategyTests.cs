using System.Net;
using System.Numerics;
using AgentCluster.Evm.Fees;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Tests.Fixtures;
using AgentCluster.Testing;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Fee1559Suggestions;
using Nethereum.Web3;

namespace AgentCluster.Evm.Tests.Fees;

/// <summary>The Base fee strategy's numbers on anvil, with the base fee set by anvil_setNextBlockBaseFeePerGas.</summary>
[Category("Anvil")]
public sealed class BaseFeeSuggestionStrategyTests
{
    private static readonly BigInteger BaseFee = 50_000_000; // 0.05 gwei

    private IAnvilNode _node = null!;
    private IClient _client = null!;
    private BigInteger _nodeTip;

    [OneTimeSetUp]
    public async Task StartNode()
    {
        _node = await Anvil.StartAsync();
        _client = AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries);
        _nodeTip = (await new EthMaxPriorityFeePerGas(_client).SendRequestAsync()).Value;
        Assert.That(_nodeTip, Is.GreaterThan(new BigInteger(2)), "the clamping tests need anvil's suggested tip above 2 wei");
    }

    [OneTimeTearDown]
    public async Task StopNode() => await _node.DisposeAsync();

    [SetUp]
    public async Task SetLatestBaseFee()
    {
        await _client.SendRequestAsync<object>("anvil_setNextBlockBaseFeePerGas", null, new HexBigInteger(BaseFee).HexValue);
        await _client.SendRequestAsync<object>("evm_mine");
        BlockWithTransactionHashes latest = await new Nethereum.RPC.Eth.Blocks.EthGetBlockWithTransactionsHashesByNumber(_client)
            .SendRequestAsync(BlockParameter.CreateLatest());
        Assert.That(latest.BaseFeePerGas.Value, Is.EqualTo(BaseFee), "precondition: the latest block has the base fee set");
    }

    [Test]
    public async Task MaxFee_IsBaseFeeTimesMultiplierPlusTip_AndTheTipIsTheNodesClampedIntoRange()
    {
        var options = new BaseFeeOptions { MinTip = 0, MaxTip = _nodeTip * 2 };
        Fee1559 fee = await new BaseFeeSuggestionStrategy(_client, options).SuggestFeeAsync();
        Assert.That(fee.BaseFee, Is.EqualTo(BaseFee));
        Assert.That(fee.MaxPriorityFeePerGas, Is.EqualTo(_nodeTip), "inside the range: the node's tip");
        Assert.That(fee.MaxFeePerGas, Is.EqualTo(BaseFee * 2 + _nodeTip));

        Fee1559 raised = await new BaseFeeSuggestionStrategy(_client, options with { MinTip = _nodeTip + 1, MaxTip = _nodeTip + 5 }).SuggestFeeAsync();
        Assert.That(raised.MaxPriorityFeePerGas, Is.EqualTo(_nodeTip + 1), "below MinTip: MinTip");
        Assert.That(raised.MaxFeePerGas, Is.EqualTo(BaseFee * 2 + _nodeTip + 1));

        Fee1559 lowered = await new BaseFeeSuggestionStrategy(_client, options with { MaxTip = _nodeTip - 1 }).SuggestFeeAsync();
        Assert.That(lowered.MaxPriorityFeePerGas, Is.EqualTo(_nodeTip - 1), "above MaxTip: MaxTip");

        Fee1559 threeTimes = await new BaseFeeSuggestionStrategy(_client, options with { BaseFeeMultiplier = 3m }).SuggestFeeAsync();
        Assert.That(threeTimes.MaxFeePerGas, Is.EqualTo(BaseFee * 3 + _nodeTip));
    }

    [Test]
    public async Task Defaults_SuggestBaseSizedTips_NotMainnetOnes()
    {
        Fee1559 fee = await new BaseFeeSuggestionStrategy(_client).SuggestFeeAsync();
        BigInteger expectedTip = BigInteger.Clamp(_nodeTip, BaseFeeOptions.Default.MinTip, BaseFeeOptions.Default.MaxTip);
        Assert.That(fee.MaxPriorityFeePerGas, Is.EqualTo(expectedTip));
        Assert.That(fee.MaxPriorityFeePerGas, Is.LessThanOrEqualTo(BaseFeeOptions.Gwei / 10));
        Assert.That(fee.MaxFeePerGas, Is.EqualTo(BaseFee * 2 + expectedTip));
    }

    [Test]
    public async Task ATipGivenByTheCaller_IsUsedAsGiven()
    {
        Fee1559 fee = await new BaseFeeSuggestionStrategy(_client).SuggestFeeAsync(maxPriorityFeePerGas: 7);
        Assert.That(fee.MaxPriorityFeePerGas, Is.EqualTo(new BigInteger(7)));
        Assert.That(fee.MaxFeePerGas, Is.EqualTo(BaseFee * 2 + 7));
        Assert.That(() => new BaseFeeSuggestionStrategy(_client).SuggestFeeAsync(-1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("maxPriorityFeePerGas"));
    }

    [Test]
    public async Task MaxFee_IsNeverAboveTheCap()
    {
        BigInteger cap = BaseFee + BaseFee / 2;
        var options = new BaseFeeOptions { MinTip = 0, MaxTip = BigInteger.Min(_nodeTip, cap), MaxFeePerGasCap = cap };
        Fee1559 fee = await new BaseFeeSuggestionStrategy(_client, options).SuggestFeeAsync();
        Assert.That(fee.MaxFeePerGas, Is.EqualTo(cap));
        Assert.That(fee.MaxPriorityFeePerGas, Is.LessThanOrEqualTo(fee.MaxFeePerGas!.Value));
        Assert.That(fee.BaseFee, Is.EqualTo(BaseFee));
    }

    [Test]
    public void ABaseFeeAboveTheCap_IsATypedError_NotAnUnmineableTransaction()
    {
        BigInteger cap = BaseFee - 1;
        var options = new BaseFeeOptions { MinTip = 0, MaxTip = 0, MaxFeePerGasCap = cap };

        FeeCapExceededException e = Assert.ThrowsAsync<FeeCapExceededException>(() => new BaseFeeSuggestionStrategy(_client, options).SuggestFeeAsync())!;

        Assert.That(e.BaseFee, Is.EqualTo(BaseFee));
        Assert.That(e.Cap, Is.EqualTo(cap));
        Assert.That(e.Message, Does.Contain("MaxFeePerGasCap").And.Contain(BaseFee.ToString()).And.Contain("0.05 gwei"));
    }

    [Test]
    public async Task ANodeWithoutMaxPriorityFeePerGas_GetsMinTip()
    {
        var faults = new FaultInjectingHandler
        {
            Respond = (method, request) => method == "eth_maxPriorityFeePerGas"
                ? (HttpStatusCode.OK, $$$"""{"jsonrpc":"2.0","id":{{{request.GetProperty("id").GetRawText()}}},"error":{"code":-32601,"message":"the method eth_maxPriorityFeePerGas does not exist"}}""")
                : null,
        };
        IClient client = AgentClusterRpc.CreateClient(_node.RpcUrl, ProbeChain.FastRetries, transport: faults);

        Fee1559 fee = await new BaseFeeSuggestionStrategy(client).SuggestFeeAsync();

        Assert.That(faults.Calls("eth_maxPriorityFeePerGas"), Is.EqualTo(1));
        Assert.That(fee.MaxPriorityFeePerGas, Is.EqualTo(BaseFeeOptions.Default.MinTip));
        Assert.That(fee.MaxFeePerGas, Is.EqualTo(BaseFee * 2 + BaseFeeOptions.Default.MinTip));
    }

    [Test]
    public async Task PluggedIntoWeb3_TransactionsCarryItsFees_AndAreMined()
    {
        Web3 web3 = ProbeChain.Web3(_node, 2, _client);
        var strategy = new BaseFeeSuggestionStrategy(_client);
        web3.TransactionManager.Fee1559SuggestionStrategy = strategy;
        Fee1559 expected = await strategy.SuggestFeeAsync();

        TransactionReceipt receipt = await web3.TransactionManager.SendTransactionAndWaitForReceiptAsync(new TransactionInput
        {
            From = web3.TransactionManager.Account.Address,
            To = ProbeChain.Account(_node, 9).Address,
            Value = new HexBigInteger(1),
        });

        Assert.That(receipt.Succeeded(), Is.True);
        Transaction sent = await web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(receipt.TransactionHash);
        Assert.That(sent.MaxFeePerGas.Value, Is.EqualTo(expected.MaxFeePerGas));
        Assert.That(sent.MaxPriorityFeePerGas.Value, Is.EqualTo(expected.MaxPriorityFeePerGas));
    }
}

/// <summary>The fee rule and its options, without a node.</summary>
public sealed class BaseFeeRuleTests
{
    [Test]
    public void Compute_RoundsTheBaseFeeHeadroomUp_AndCaps()
    {
        var options = new BaseFeeOptions { MinTip = 0, MaxTip = 0, BaseFeeMultiplier = 1.5m, MaxFeePerGasCap = 1_000 };
        Assert.That(BaseFeeSuggestionStrategy.Compute(3, 1, options).MaxFeePerGas, Is.EqualTo(new BigInteger(5 + 1)), "ceil(3 x 1.5) + 1");
        Assert.That(BaseFeeSuggestionStrategy.Compute(1_000, 0, options).MaxFeePerGas, Is.EqualTo(new BigInteger(1_000)), "at the cap");
        Assert.That(BaseFeeSuggestionStrategy.Compute(1_000, 5, options).MaxPriorityFeePerGas, Is.EqualTo(new BigInteger(5)));
        Assert.That(() => BaseFeeSuggestionStrategy.Compute(1_001, 0, options), Throws.InstanceOf<FeeCapExceededException>());
        Assert.That(() => BaseFeeSuggestionStrategy.Compute(-1, 0, options), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Options_AreValidated_WithMessagesNamingTheOption()
    {
        static void Refused(BaseFeeOptions options, string name) =>
            Assert.That(() => new BaseFeeSuggestionStrategy(new RpcClient(new Uri("http://127.0.0.1:1")), options),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo(name).And.Message.Contains(name), name);

        Refused(new BaseFeeOptions { MinTip = -1 }, "MinTip");
        Refused(new BaseFeeOptions { MinTip = 10, MaxTip = 9 }, "MaxTip");
        Refused(new BaseFeeOptions { BaseFeeMultiplier = 0.5m }, "BaseFeeMultiplier");
        Refused(new BaseFeeOptions { BaseFeeMultiplier = 101m }, "BaseFeeMultiplier");
        Refused(new BaseFeeOptions { BaseFeeMultiplier = 1.0000001m }, "BaseFeeMultiplier");
        Refused(new BaseFeeOptions { MaxFeePerGasCap = 0 }, "MaxFeePerGasCap");
        Refused(new BaseFeeOptions { MaxTip = 100, MaxFeePerGasCap = 99, MinTip = 0 }, "MaxTip");
        Assert.That(() => BaseFeeOptions.Default.Validate(), Throws.Nothing);
        Assert.That(BaseFeeOptions.Default.MinTip, Is.EqualTo(BaseFeeOptions.Gwei / 1000), "Base's usual tip, 0.001 gwei");
    }
}
