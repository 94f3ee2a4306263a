using System.Numerics;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Tests.Fixtures;
using AgentCluster.Testing;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Evm.Tests.Errors;

/// <summary>Nethereum's revert exceptions from anvil, turned into typed reverts by <see cref="RevertDecoder"/>.</summary>
[Category("Anvil")]
public sealed class RevertDecoderAnvilTests
{
    /// <summary>How the call reaches the node.</summary>
    public enum Route
    {
        /// <summary>Web3.Eth.Transactions.Call (eth_call).</summary>
        EthCall,

        /// <summary>Web3.Eth.Transactions.EstimateGas (eth_estimateGas).</summary>
        EstimateGas,

        /// <summary>A ContractHandler query with a FunctionMessage (eth_call through Nethereum.Contracts).</summary>
        ContractQuery,
    }

    private static readonly RevertDecoder Decoder = new([typeof(UnauthorizedError)]);

    private IAnvilNode _node = null!;
    private Web3 _web3 = null!;
    private string _probe = null!;
    private string _from = null!;

    [OneTimeSetUp]
    public async Task StartNodeAndDeploy()
    {
        _node = await Anvil.StartAsync();
        _web3 = ProbeChain.Web3(_node, 0);
        _from = _web3.TransactionManager.Account.Address;
        _probe = await ProbeChain.DeployProbeAsync(_web3);
    }

    [OneTimeTearDown]
    public async Task StopNode() => await _node.DisposeAsync();

    [Test]
    public async Task CustomError_BecomesTheTypedExceptionWithItsDto([Values] Route route)
    {
        Exception thrown = await CatchAsync(route, new FailCustomFunction { Code = 7 });

        Assert.That(Decoder.TryTranslate(thrown, out ContractRevertException revert), Is.True, thrown.ToString());
        var typed = revert as ContractCustomErrorException<UnauthorizedError>;
        Assert.That(typed, Is.Not.Null, revert.GetType().Name + ": " + revert.Message);
        Assert.That(typed!.Error.Code, Is.EqualTo(new BigInteger(7)));
        Assert.That(typed.Error.Caller, Is.EqualTo(_from).IgnoreCase);
        Assert.That(typed.ErrorName, Is.EqualTo("Unauthorized"));
        Assert.That(typed.ErrorSignature, Is.EqualTo("Unauthorized(address,uint256)"));
        Assert.That(typed.Selector, Is.EqualTo(UnauthorizedSelector));
        Assert.That(typed.Arguments, Has.Count.EqualTo(2));
        Assert.That(typed.Arguments[1], Is.EqualTo(new BigInteger(7)));
        Assert.That(typed.Message, Does.Contain("Unauthorized").And.Contain("code: 7"));
        Assert.That(typed.InnerException, Is.SameAs(thrown));
        Assert.That(Decoder.Translate(thrown), Is.InstanceOf<ContractCustomErrorException<UnauthorizedError>>());
    }

    [Test]
    public async Task RequireWithAMessage_BecomesContractRevertReasonException([Values] Route route)
    {
        Exception thrown = await CatchAsync(route, new FailRequireFunction { X = 5 });

        Assert.That(Decoder.TryTranslate(thrown, out ContractRevertException revert), Is.True, thrown.ToString());
        Assert.That(revert, Is.InstanceOf<ContractRevertReasonException>(), revert.Message);
        Assert.That(((ContractRevertReasonException)revert).Reason, Is.EqualTo("probe: x too small"));
        Assert.That(revert.ErrorSignature, Is.EqualTo("Error(string)"));
        Assert.That(revert.InnerException, Is.SameAs(thrown));
    }

    [Test]
    public async Task DivisionByZero_BecomesContractPanicException_WithCodeAndDescription([Values] Route route)
    {
        Exception thrown = await CatchAsync(route, new FailPanicFunction { X = 0 });

        Assert.That(Decoder.TryTranslate(thrown, out ContractRevertException revert), Is.True, thrown.ToString());
        Assert.That(revert, Is.InstanceOf<ContractPanicException>(), revert.Message);
        var panic = (ContractPanicException)revert;
        Assert.That(panic.Code, Is.EqualTo(new BigInteger(0x12)));
        Assert.That(panic.Description, Is.EqualTo("division or modulo by zero"));
        Assert.That(panic.Message, Does.Contain("0x12").And.Contain("division or modulo by zero"));
    }

    [Test]
    public async Task BareRevert_BecomesAPlainContractRevertException_WithEmptyData([Values] Route route)
    {
        Exception thrown = await CatchAsync(route, new FailBareFunction());

        Assert.That(Decoder.TryTranslate(thrown, out ContractRevertException revert), Is.True, thrown.ToString());
        Assert.That(revert.GetType(), Is.EqualTo(typeof(ContractRevertException)), revert.Message);
        Assert.That(revert.RevertData, Is.Empty);
        Assert.That(revert.ErrorName, Is.Null);
        Assert.That(revert.Selector, Is.Null);
        Assert.That(revert.Message, Does.Contain("without data"));
    }

    [Test]
    public async Task ATransactionThatWouldRevert_IsTranslatedFromItsGasEstimation()
    {
        Exception thrown = await CatchAsync(() => _web3.Eth.GetContractTransactionHandler<FailCustomFunction>()
            .SendRequestAsync(_probe, new FailCustomFunction { Code = 9 }));

        Assert.That(Decoder.Translate(thrown), Is.InstanceOf<ContractCustomErrorException<UnauthorizedError>>()
            .With.Property("Error").With.Property("Code").EqualTo(new BigInteger(9)));
    }

    [Test]
    public async Task UnknownSelector_IsAContractRevertException_WithTheRawData()
    {
        Exception thrown = await CatchAsync(Route.EthCall, new FailCustomFunction { Code = 7 });

        Assert.That(RevertDecoder.Default.TryTranslate(thrown, out ContractRevertException revert), Is.True);
        Assert.That(revert.GetType(), Is.EqualTo(typeof(ContractRevertException)));
        Assert.That(revert.ErrorName, Is.Null);
        Assert.That(revert.Selector, Is.EqualTo(UnauthorizedSelector));
        Assert.That(revert.RevertData, Has.Length.EqualTo(4 + 32 + 32));
        Assert.That(revert.Message, Does.Contain("unknown error").And.Contain(UnauthorizedSelector));
    }

    [Test]
    public async Task ErrorKnownOnlyByAbi_IsContractCustomErrorException_WithDecodedArguments()
    {
        ErrorABI[] errors = ABIDeserialiserFactory.DeserialiseContractABI(RpcProbeContract.Abi).Errors;
        var byAbi = new RevertDecoder(errorAbis: errors);
        Exception thrown = await CatchAsync(Route.ContractQuery, new FailCustomFunction { Code = 11 });

        Assert.That(byAbi.TryTranslate(thrown, out ContractRevertException revert), Is.True);
        Assert.That(revert.GetType(), Is.EqualTo(typeof(ContractCustomErrorException)));
        Assert.That(revert.ErrorSignature, Is.EqualTo("Unauthorized(address,uint256)"));
        Assert.That(revert.Arguments[0] as string, Is.EqualTo(_from).IgnoreCase);
        Assert.That(revert.Arguments[1], Is.EqualTo(new BigInteger(11)));
        Assert.That(byAbi.With([typeof(UnauthorizedError)]).Translate(thrown), Is.InstanceOf<ContractCustomErrorException<UnauthorizedError>>());
    }

    [Test]
    public async Task NonRevertErrors_AreNotTranslated()
    {
        var failures = new List<Exception>
        {
            await CatchAsync(() => _web3.Client.SendRequestAsync<string>("eth_noSuchMethod")),
            await CatchAsync(() => _web3.Eth.Transactions.SendRawTransaction.SendRequestAsync("0x02f8")),
            await CatchAsync(() => _web3.Eth.Transactions.Call.SendRequestAsync(
                new CallInput("0x", _probe) { From = _from, Gas = new Nethereum.Hex.HexTypes.HexBigInteger(1) })),
            await CatchAsync(() => new Web3(AgentClusterRpc.CreateClient(new Uri("http://127.0.0.1:1"), ProbeChain.FastRetries with { MaxRetryAttempts = 0 }))
                .Eth.ChainId.SendRequestAsync()),
        };

        foreach (Exception failure in failures)
        {
            Assert.That(Decoder.TryTranslate(failure, out _), Is.False, failure.ToString());
            Assert.That(Decoder.Translate(failure), Is.SameAs(failure));
        }

        Assert.That(failures[0], Is.InstanceOf<RpcResponseException>());
        Assert.That(failures[3], Is.InstanceOf<RpcClientUnknownException>());
    }

    private static string UnauthorizedSelector => new Error(typeof(UnauthorizedError)).ErrorABI.Sha3Signature.EnsureHexPrefix().ToLowerInvariant();

    private Task<Exception> CatchAsync<TFunction>(Route route, TFunction function)
        where TFunction : FunctionMessage, new()
    {
        function.FromAddress = _from;
        return route switch
        {
            Route.EthCall => CatchAsync(() => _web3.Eth.Transactions.Call.SendRequestAsync(function.CreateCallInput(_probe))),
            Route.EstimateGas => CatchAsync(() => _web3.Eth.Transactions.EstimateGas.SendRequestAsync(function.CreateCallInput(_probe))),
            _ => CatchAsync(() => _web3.Eth.GetContractQueryHandler<TFunction>().QueryRawAsync(_probe, function)),
        };
    }

    private static async Task<Exception> CatchAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e)
        {
            return e;
        }

        Assert.Fail("the call was expected to fail");
        throw new InvalidOperationException("unreachable");
    }
}

/// <summary><see cref="RevertDecoder.Decode"/> on data made here, without a node.</summary>
public sealed class RevertDecoderDataTests
{
    private static readonly RevertDecoder Decoder = new([typeof(UnauthorizedError)]);

    [Test]
    public void MalformedData_NeverThrows_AndKeepsTheRawBytes()
    {
        var random = new Random(20261206);
        byte[][] selectors =
        [
            "0x08c379a0".HexToByteArray(), "0x4e487b71".HexToByteArray(),
            new Error(typeof(UnauthorizedError)).ErrorABI.Sha3Signature.HexToByteArray()[..4], [0xde, 0xad, 0xbe, 0xef],
        ];
        for (int i = 0; i < 4_000; i++)
        {
            byte[] selector = selectors[i % selectors.Length];
            byte[] tail = new byte[random.Next(0, 200)];
            random.NextBytes(tail);
            if (i % 3 == 0 && tail.Length >= 32)
            {
                tail[28] = 0xff; // a huge offset or length word
            }

            byte[] data = i % 17 == 0 ? selector[..random.Next(0, 4)] : [.. selector, .. tail];

            ContractRevertException revert = null!;
            Assert.That(() => revert = Decoder.Decode(data), Throws.Nothing, data.ToHex(true));
            Assert.That(revert.RevertData, Is.EqualTo(data));
        }
    }

    [Test]
    public void TruncatedArguments_AreReportedAsUndecodable()
    {
        byte[] data = [.. "0x08c379a0".HexToByteArray(), .. new byte[31]];
        ContractRevertException revert = Decoder.Decode(data);
        Assert.That(revert.GetType(), Is.EqualTo(typeof(ContractRevertException)));
        Assert.That(revert.Message, Does.Contain("0x08c379a0").And.Contain("do not decode"));

        byte[] lengthPastTheEnd = [.. "0x08c379a0".HexToByteArray(), .. new byte[64]];
        lengthPastTheEnd[4 + 31] = 0x20; // offset 32
        lengthPastTheEnd[4 + 63] = 0x05; // length 5, but no bytes follow
        Assert.That(Decoder.Decode(lengthPastTheEnd).GetType(), Is.EqualTo(typeof(ContractRevertException)));
        Assert.That(Decoder.Decode(lengthPastTheEnd).Message, Does.Contain("past the end"));

        byte[] customMissingAWord = [.. new Error(typeof(UnauthorizedError)).ErrorABI.Sha3Signature.HexToByteArray()[..4], .. new byte[32]];
        Assert.That(Decoder.Decode(customMissingAWord).GetType(), Is.EqualTo(typeof(ContractRevertException)));
        Assert.That(Decoder.Decode(customMissingAWord).Message, Does.Contain("at least 64 bytes"));

        byte[] panicShort = [.. "0x4e487b71".HexToByteArray(), .. new byte[31]];
        Assert.That(Decoder.Decode(panicShort).GetType(), Is.EqualTo(typeof(ContractRevertException)));

        ContractRevertException tooShort = Decoder.Decode([0x08, 0xc3]);
        Assert.That(tooShort.Message, Does.Contain("too short"));
        Assert.That(tooShort.Selector, Is.Null);
    }

    [Test]
    public void EncodedErrorsRoundTrip()
    {
        byte[] reason = [.. "0x08c379a0".HexToByteArray(), .. new ParametersEncoder().EncodeParameters([new Parameter("string", "r", 1)], "héllo")];
        Assert.That(((ContractRevertReasonException)Decoder.Decode(reason)).Reason, Is.EqualTo("héllo"));

        byte[] panic = [.. "0x4e487b71".HexToByteArray(), .. new ParametersEncoder().EncodeParameters([new Parameter("uint256", "c", 1)], new BigInteger(0x32))];
        Assert.That(((ContractPanicException)Decoder.Decode(panic)).Description, Is.EqualTo("array index out of bounds"));
        Assert.That(ContractPanicException.Describe(0x99), Is.EqualTo("unknown panic code"));
        Assert.That(ContractPanicException.Describe(BigInteger.Pow(2, 255)), Is.EqualTo("unknown panic code"));
    }

    [Test]
    public void ATypeWithoutTheErrorAttribute_IsRefused_NamingIt()
    {
        Assert.That(() => new RevertDecoder([typeof(string)]),
            Throws.ArgumentException.With.Message.Contains("System.String").And.Message.Contains("[Error]"));
    }
}
