using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Cli.Tests;

/// <summary>Every <c>agentcluster evm</c> subcommand on published vectors, plus help and input sources.</summary>
[Parallelizable(ParallelScope.All)]
public class EvmCommandTests
{
    // Anvil's first dev account.
    internal const string AnvilKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    internal const string AnvilAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    // EIP-712's example (eip-712.md, Example.js): the Mail struct signed by keccak256("cow").
    internal const string MailTypedData = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
        "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
        "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
        "primaryType":"Mail",
        "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
        "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},"to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}
        """;

    private const string MailDigest = "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2";
    private const string CowKey = "0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4";
    private const string CowAddress = "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826";
    private const string MailSignature = "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c";

    // EIP-155's example transaction.
    private const string Eip155Key = "0x4646464646464646464646464646464646464646464646464646464646464646";
    private const string Eip155Raw = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

    [TestCase("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [TestCase("0x", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [TestCase("hello", "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8")]
    [TestCase("0x68656c6c6f", "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8")]
    [TestCase("transfer(address,uint256)", "0xa9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b")]
    public void Keccak_HashesHexAsBytesAndEverythingElseAsUtf8(string data, string expected) =>
        Assert.That(Cli.Run("evm", "keccak", data).Output, Is.EqualTo(expected));

    [Test]
    public void Keccak_TextStartingWithADashFollowsDoubleDash() =>
        Assert.That(Cli.Run("evm", "keccak", "--", "-hello").Output, Is.EqualTo(Cli.Run("evm", "keccak", "0x2d68656c6c6f").Output));

    [Test]
    public void AbiEncode_NegativeNumbersAreValuesNotOptions() =>
        Assert.That(Cli.Run("evm", "abi-decode", "int8", Cli.Run("evm", "abi-encode", "int8", "[-5]").Output).Output.Replace("\n", "").Replace(" ", ""), Is.EqualTo("[\"-5\"]"));

    [Test]
    public void Selector_PrintsFunctionSelectorAndEventTopic()
    {
        Assert.That(Cli.Run("evm", "selector", "transfer(address,uint256)").Output, Is.EqualTo("0xa9059cbb"));
        Assert.That(Cli.Run("evm", "selector", "function transfer(address to, uint amount) returns (bool)").Output, Is.EqualTo("0xa9059cbb"));
        Assert.That(Cli.Run("evm", "selector", "--event", "Transfer(address indexed from, address indexed to, uint256 value)").Output,
            Is.EqualTo("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"));
    }

    [Test]
    public void AbiEncode_AcceptsEverySignatureFormAndCalldataAddsTheSelector()
    {
        const string args = """["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "1000000000000000000"]""";
        const string parameters = "0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c80000000000000000000000000000000000000000000000000de0b6b3a7640000";
        Assert.That(Cli.Run("evm", "abi-encode", "transfer(address,uint256)", args).Output, Is.EqualTo(parameters));
        Assert.That(Cli.Run("evm", "abi-encode", "(address,uint256)", args).Output, Is.EqualTo(parameters));
        Assert.That(Cli.Run("evm", "abi-encode", "address, uint256", args).Output, Is.EqualTo(parameters));
        Assert.That(Cli.Run("evm", "abi-encode", "--calldata", "transfer(address,uint256)", args).Output, Is.EqualTo("0xa9059cbb" + parameters[2..]));
        Assert.That(Cli.Run("evm", "abi-encode", "", "[]").Output, Is.EqualTo("0x"));
    }

    [Test]
    public void AbiEncode_TakesIntegersInEveryFormAndNamedTupleComponentsAsObjects()
    {
        string asStrings = Cli.Run("evm", "abi-encode", "uint256,int8", """["255", "-1"]""").Output;
        Assert.That(Cli.Run("evm", "abi-encode", "uint256,int8", """[255, -1]""").Output, Is.EqualTo(asStrings));
        Assert.That(Cli.Run("evm", "abi-encode", "uint256,int8", """["0xff", -1]""").Output, Is.EqualTo(asStrings));

        string positional = Cli.Run("evm", "abi-encode", "f((uint256 amount, address to))", """[[7, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]]""").Output;
        string named = Cli.Run("evm", "abi-encode", "f((uint256 amount, address to))", """[{"to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "amount": 7}]""").Output;
        Assert.That(named, Is.EqualTo(positional));
    }

    [Test]
    public void AbiDecode_PrintsJsonThatAbiEncodeTakesBack()
    {
        const string signature = "(uint256,int16,address,bool,bytes4,bytes,string,(uint8,string)[],uint256[2])";
        const string args = """["115792089237316195423570985008687907853269984665640564039457584007913129639935", "-300", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", true, "0xdeadbeef", "0x0102", "héllo, \"world\"", [["1", "a"], ["2", "b"]], ["3", "4"]]""";
        string encoded = Cli.Run("evm", "abi-encode", signature, args).Output;
        string decoded = Cli.Run("evm", "abi-decode", signature, encoded).Output;
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(decoded), JsonNode.Parse(args)), Is.True, decoded);
        Assert.That(Cli.Run("evm", "abi-encode", signature, decoded).Output, Is.EqualTo(encoded));
    }

    [Test]
    public void AbiDecode_FunctionSignaturesDecodeOutputsOrCalldata()
    {
        string word = "0x" + new string('0', 63) + "5";
        Assert.That(Compact(Cli.Run("evm", "abi-decode", "balanceOf(address)(uint256)", word).Output), Is.EqualTo("""["5"]"""));
        Assert.That(Compact(Cli.Run("evm", "abi-decode", "f(uint256)", word).Output), Is.EqualTo("""["5"]"""));
        string calldata = Cli.Run("evm", "abi-encode", "--calldata", "f(uint256)", "[5]").Output;
        Assert.That(Compact(Cli.Run("evm", "abi-decode", "--calldata", "f(uint256)", calldata).Output), Is.EqualTo("""["5"]"""));
    }

    [Test]
    public void SignTx_ReproducesTheEip155Example()
    {
        const string tx = """{"type":"0x0","chainId":1,"nonce":9,"gasPrice":"20000000000","gas":"0x5208","to":"0x3535353535353535353535353535353535353535","value":"1000000000000000000"}""";
        Assert.That(Cli.Run("evm", "sign-tx", "--private-key", Eip155Key, tx).Output, Is.EqualTo(Eip155Raw));
    }

    [Test]
    public void SignTx_InfersTheTypeFromTheFeeFields()
    {
        string eip1559 = Cli.Run("evm", "sign-tx", "--private-key", AnvilKey, """{"chainId":31337,"nonce":0,"gas":21000,"maxFeePerGas":2,"maxPriorityFeePerGas":1,"to":null}""").Output;
        string eip2930 = Cli.Run("evm", "sign-tx", "--private-key", AnvilKey, """{"chainId":31337,"nonce":0,"gas":21000,"gasPrice":2,"accessList":[]}""").Output;
        string legacy = Cli.Run("evm", "sign-tx", "--private-key", AnvilKey, """{"chainId":31337,"nonce":0,"gasLimit":21000,"gasPrice":2,"from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"}""").Output;
        Assert.That(eip1559, Does.StartWith("0x02"));
        Assert.That(eip2930, Does.StartWith("0x01"));
        Assert.That(Convert.ToByte(legacy[2..4], 16), Is.GreaterThanOrEqualTo(0xc0), "a legacy transaction is a bare RLP list");
    }

    [Test]
    public void DecodeTx_PrintsTheTransactionWithSenderAndHash()
    {
        using JsonDocument json = JsonDocument.Parse(Cli.Run("evm", "decode-tx", Eip155Raw).Output);
        JsonElement tx = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(tx.GetProperty("type").GetString(), Is.EqualTo("0x0"));
            Assert.That(tx.GetProperty("chainId").GetString(), Is.EqualTo("0x1"));
            Assert.That(tx.GetProperty("nonce").GetString(), Is.EqualTo("0x9"));
            Assert.That(tx.GetProperty("from").GetString(), Is.EqualTo("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"));
            Assert.That(tx.GetProperty("to").GetString(), Is.EqualTo("0x3535353535353535353535353535353535353535"));
            Assert.That(tx.GetProperty("value").GetString(), Is.EqualTo("0xde0b6b3a7640000"));
            Assert.That(tx.GetProperty("gas").GetString(), Is.EqualTo("0x5208"));
            Assert.That(tx.GetProperty("gasPrice").GetString(), Is.EqualTo("0x4a817c800"));
            Assert.That(tx.GetProperty("v").GetString(), Is.EqualTo("0x25"));
            Assert.That(tx.GetProperty("hash").GetString(), Is.EqualTo("0x33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788"));
            Assert.That(tx.TryGetProperty("yParity", out _), Is.False);
        });
    }

    [Test]
    public void SignTxThenDecodeTx_RoundTripsAnEip2930TransactionWithAccessList()
    {
        const string tx = """
            {"type":1,"chainId":"8453","nonce":"0x10","gasPrice":"1000000000","gas":50000,"to":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","value":"0x1","input":"0xabcdef",
             "accessList":[{"address":"0x3535353535353535353535353535353535353535","storageKeys":["0x0000000000000000000000000000000000000000000000000000000000000001"]}]}
            """;
        using JsonDocument json = JsonDocument.Parse(Cli.Run("evm", "decode-tx", Cli.Run("evm", "sign-tx", "--private-key", AnvilKey, tx).Output).Output);
        JsonElement decoded = json.RootElement;
        Assert.That(decoded.GetProperty("type").GetString(), Is.EqualTo("0x1"));
        Assert.That(decoded.GetProperty("chainId").GetString(), Is.EqualTo("0x2105"));
        Assert.That(decoded.GetProperty("from").GetString(), Is.EqualTo(AnvilAddress));
        Assert.That(decoded.GetProperty("input").GetString(), Is.EqualTo("0xabcdef"));
        Assert.That(decoded.GetProperty("accessList")[0].GetProperty("storageKeys")[0].GetString(), Does.EndWith("01"));
    }

    [Test]
    public void TypedData_HashSignAndRecoverTheEip712MailExample()
    {
        Assert.That(Cli.Run("evm", "typed-data-hash", MailTypedData).Output, Is.EqualTo(MailDigest));
        Assert.That(Cli.Run("evm", "sign-typed-data", "--private-key", CowKey, MailTypedData).Output, Is.EqualTo(MailSignature));
        Assert.That(Cli.Run("evm", "recover", MailDigest, MailSignature).Output, Is.EqualTo(CowAddress));
    }

    [Test]
    public void Recover_AcceptsVAs0Or1()
    {
        string zeroOne = MailSignature[..^2] + "01";
        Assert.That(Cli.Run("evm", "recover", MailDigest, zeroOne).Output, Is.EqualTo(CowAddress));
    }

    [Test]
    public void JsonArguments_ComeFromStdinOrAFile()
    {
        Assert.That(Cli.RunWithInput(MailTypedData, "evm", "typed-data-hash", "-").Output, Is.EqualTo(MailDigest));
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"mail-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, MailTypedData);
        try
        {
            Assert.That(Cli.Run("evm", "typed-data-hash", "@" + path).Output, Is.EqualTo(MailDigest));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase]
    [TestCase("evm")]
    [TestCase("evm", "keccak")]
    [TestCase("evm", "selector")]
    [TestCase("evm", "abi-encode")]
    [TestCase("evm", "abi-decode")]
    [TestCase("evm", "sign-tx")]
    [TestCase("evm", "decode-tx")]
    [TestCase("evm", "typed-data-hash")]
    [TestCase("evm", "sign-typed-data")]
    [TestCase("evm", "recover")]
    public void Help_OnEveryLevelPrintsUsageAndSucceeds(params string[] path)
    {
        CliResult result = Cli.Run([.. path, "--help"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Contain("Usage:").And.Contain(string.Join(' ', ["agentcluster", .. path])));
    }

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
