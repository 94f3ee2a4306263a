using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Abi;

namespace AgentCluster.Evm.Tests;

[Function("transfer", "bool")]
public sealed class TransferFunction : FunctionMessage
{
    [Parameter("address", "to", 1)]
    public Address To { get; set; }

    [Parameter("uint256", "amount", 2)]
    public BigInteger Amount { get; set; }
}

public sealed class Bid
{
    [Parameter("uint256", "taskId", 1)]
    public BigInteger TaskId { get; set; }

    [Parameter("bytes32[]", "tags", 2)]
    public List<Hash32> Tags { get; set; } = [];
}

[Function("submitBids", ReturnTypeDto = typeof(SubmitBidsOutput))]
public sealed class SubmitBidsFunction : FunctionMessage
{
    [Parameter("tuple[]", "bids", 1)]
    public List<Bid> Bids { get; set; } = [];

    [Parameter("string", "note", 2)]
    public string Note { get; set; } = "";
}

[FunctionOutput]
public sealed class SubmitBidsOutput
{
    [Parameter("uint256", "accepted", 1)]
    public ulong Accepted { get; set; }

    [Parameter("tuple", "best", 2)]
    public Bid? Best { get; set; }
}

[Event("Transfer")]
public sealed class TransferEventDto
{
    [Parameter("address", "from", 1, true)]
    public Address From { get; set; }

    [Parameter("address", "to", 2, true)]
    public string To { get; set; } = "";

    [Parameter("uint256", "value", 3)]
    public UInt256 Value { get; set; }
}

[Error("InsufficientBond")]
public sealed class InsufficientBondError
{
    [Parameter("uint256", "required", 1)]
    public BigInteger Required { get; set; }

    [Parameter("uint256", "provided", 2)]
    public BigInteger Provided { get; set; }
}

public class TypedMessageTests
{
    [Test]
    public void FunctionMessage_EncodesLikeTheSignature()
    {
        var message = new TransferFunction { To = Address.Parse("0x1111111111111111111111111111111111111111"), Amount = 5 };
        Assert.That(message.GetAbiFunction().Signature, Is.EqualTo("transfer(address,uint256)"));
        Assert.That(message.GetCallData(), Is.EqualTo(AbiFunction.Parse("transfer(address,uint256)").EncodeCall(message.To, message.Amount)));
        Assert.That(message.DecodeSimpleOutput<bool>(AbiEncoder.EncodeParameters("bool", true)), Is.True);
    }

    [Test]
    public void StructArraysAndOutputDtos_RoundTrip()
    {
        var message = new SubmitBidsFunction { Bids = [new Bid { TaskId = 7, Tags = [Keccak.HashUtf8("gpu")] }, new Bid { TaskId = 8 }], Note = "hi" };
        var function = message.GetAbiFunction();
        Assert.That(function.Signature, Is.EqualTo("submitBids((uint256,bytes32[])[],string)"));
        object?[] decoded = function.DecodeCall(message.GetCallData());
        Assert.That(((object?[])((object?[])decoded[0]!)[0]!)[0], Is.EqualTo(new BigInteger(7)));

        byte[] returnData = function.EncodeOutput(3, new object[] { 9, new[] { Keccak.HashUtf8("x") } });
        var output = message.DecodeOutput<SubmitBidsOutput>(returnData);
        Assert.That(output.Accepted, Is.EqualTo(3));
        Assert.That(output.Best!.TaskId, Is.EqualTo(new BigInteger(9)));
        Assert.That(output.Best.Tags, Is.EqualTo(new[] { Keccak.HashUtf8("x") }));
    }

    [Test]
    public void EventDto_DecodesALog()
    {
        var ev = TypedMessages.EventOf(typeof(TransferEventDto));
        Assert.That(ev.Topic0.ToString(), Is.EqualTo("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"));
        var from = Address.Parse("0x1111111111111111111111111111111111111111");
        var to = Address.Parse("0x2222222222222222222222222222222222222222");
        var (topics, data) = ev.EncodeLog(from, to, 42);
        var dto = TypedMessages.DecodeEvent<TransferEventDto>(topics, data);
        Assert.That(dto.From, Is.EqualTo(from));
        Assert.That(dto.To, Is.EqualTo(to.ToString()));
        Assert.That(dto.Value, Is.EqualTo((UInt256)42));
    }

    [Test]
    public void ErrorDto_FeedsTheRevertDecoder()
    {
        var error = TypedMessages.ErrorOf(typeof(InsufficientBondError));
        var revert = new RevertDecoder([error]).Decode(error.Encode(10, 1));
        Assert.That(revert.ErrorName, Is.EqualTo("InsufficientBond"));
        var dto = TypedMessages.Decode<InsufficientBondError>(revert.Arguments);
        Assert.That(dto.Required, Is.EqualTo(new BigInteger(10)));
    }
}

public class ContractAbiTests
{
    private const string Json = """
    [
      {"type":"constructor","inputs":[{"name":"owner","type":"address"}]},
      {"type":"function","name":"submit","inputs":[{"name":"bids","type":"tuple[2][]","components":[{"name":"id","type":"uint256"},{"name":"who","type":"address"}]}],"outputs":[{"name":"","type":"bool"}],"stateMutability":"nonpayable"},
      {"type":"event","name":"Submitted","inputs":[{"name":"id","type":"uint256","indexed":true},{"name":"note","type":"string","indexed":false}],"anonymous":false},
      {"type":"error","name":"InsufficientBond","inputs":[{"name":"required","type":"uint256"},{"name":"provided","type":"uint256"}]}
    ]
    """;

    [Test]
    public void Parse_ReadsFunctionsEventsErrorsAndTupleArrays()
    {
        var abi = ContractAbi.Parse(Json);
        Assert.That(abi.Function("submit").Signature, Is.EqualTo("submit((uint256,address)[2][])"));
        Assert.That(abi.Event("Submitted").Inputs[0].Indexed, Is.True);
        Assert.That(abi.ConstructorInputs.Single().Name, Is.EqualTo("owner"));
        var revert = abi.CreateRevertDecoder().Decode(abi.Errors[0].Encode(2, 1));
        Assert.That(revert.Arguments, Is.EqualTo(new object[] { new BigInteger(2), new BigInteger(1) }));
    }

    [Test]
    public void Parse_RejectsNonArray()
    {
        Assert.That(Assert.Throws<FormatException>(() => ContractAbi.Parse("{\"x\":1}"))!.Message, Does.Contain("must be an array"));
        Assert.That(Assert.Throws<FormatException>(() => ContractAbi.Parse("["))!.Message, Does.Contain("not valid JSON"));
    }

    [Test]
    public void FoundryArtifacts_SelectorsMatchSolcMethodIdentifiers()
    {
        // Foundry's out/ is built by forge (scripts/setup, CI); solc's methodIdentifiers are the oracle.
        string? outDir = null;
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null && outDir is null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "out")) && File.Exists(Path.Combine(dir.FullName, "foundry.toml")))
            {
                outDir = Path.Combine(dir.FullName, "out");
            }
        }

        if (outDir is null)
        {
            Assert.Ignore("No Foundry out/ directory (run forge build) - nothing to compare against.");
        }

        int checkedFunctions = 0;
        foreach (string file in Directory.EnumerateFiles(outDir!, "*.json", SearchOption.AllDirectories))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            if (!document.RootElement.TryGetProperty("methodIdentifiers", out JsonElement ids))
            {
                continue;
            }

            var abi = ContractAbi.Parse(document.RootElement.GetRawText());
            var ours = abi.Functions.ToDictionary(f => f.Signature, f => f.SelectorHex[2..]);
            foreach (JsonProperty id in ids.EnumerateObject())
            {
                Assert.That(ours.TryGetValue(id.Name, out string? selector) ? selector : "missing", Is.EqualTo(id.Value.GetString()), $"{Path.GetFileName(file)}: {id.Name}");
                checkedFunctions++;
            }
        }

        Assert.That(checkedFunctions, Is.GreaterThan(0));
        TestContext.Out.WriteLine($"{checkedFunctions} function selectors match solc's methodIdentifiers.");
    }
}
