namespace AgentCluster.Cli.Tests;

/// <summary>Wrong command lines exit 2, wrong values exit 1; both say on stderr what was wrong and print nothing on stdout.</summary>
[Parallelizable(ParallelScope.All)]
public class BadInputTests
{
    private const string Key = EvmCommandTests.AnvilKey;
    private const string Hash = "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2";

    [TestCase(new[] { "evm" }, "Required command was not provided")]
    [TestCase(new[] { "evm", "nope" }, "Unrecognized command or argument 'nope'")]
    [TestCase(new[] { "nope" }, "Unrecognized command or argument 'nope'")]
    [TestCase(new[] { "evm", "keccak" }, "Required argument 'data' missing")]
    [TestCase(new[] { "evm", "keccak", "a", "b" }, "Unrecognized command or argument 'b'")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256)" }, "Required argument 'args' missing")]
    [TestCase(new[] { "evm", "sign-tx", "{}" }, "Option '--private-key' is required")]
    [TestCase(new[] { "evm", "recover", "--bogus", "0x", "0x" }, "Unrecognized option '--bogus'")]
    [TestCase(new[] { "evm", "keccak", "--bogus" }, "Unrecognized option '--bogus'")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", "0x01", "{}", "-x" }, "Unrecognized option '-x'")]
    public void UsageErrors_ExitTwo(string[] args, string message) => AssertFails(args, ExitCodes.Usage, message);

    [TestCase(new[] { "evm", "keccak", "0x123" }, "agentcluster evm keccak: <data>: ", "odd number of digits")]
    [TestCase(new[] { "evm", "keccak", "0xzz" }, "<data>: ", "non-hex character 'z' at index 2")]
    [TestCase(new[] { "evm", "selector", "transfer(address,uint257)" }, "<signature>: ", "uint257")]
    [TestCase(new[] { "evm", "selector", "transfer(address" }, "<signature>: ", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256", "[1]" }, "<signature>: ", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256)", "[1" }, "<args>: not valid JSON", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256)", "{}" }, "<args>: expected a JSON array of 1 argument(s)", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256,bool)", "[1]" }, "<args>: (uint256,bool) takes 2 argument(s), got 1", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint8)", "[256]" }, "<args>: ", "uint8")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256)", "[-1]" }, "<args>: ", "uint256")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256)", "[1.5]" }, "<args>: [0] (uint256): 1.5 is not an integer", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256)", "[\"12abc\"]" }, "<args>: [0] (uint256): '12abc' is not an integer", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(address)", "[\"0x1234\"]" }, "<args>: [0] (address): ", "exactly 40")]
    [TestCase(new[] { "evm", "abi-encode", "f(address)", "[\"0xF39fd6e51aad88f6f4ce6ab8827279cfffb92266\"]" }, "<args>: [0] (address): ", "checksum")]
    [TestCase(new[] { "evm", "abi-encode", "f(bool)", "[1]" }, "<args>: [0] (bool): expected true or false, got the number 1", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(bytes)", "[\"1234\"]" }, "<args>: [0] (bytes): bytes are written as 0x-hex", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(bytes2)", "[\"0x123456\"]" }, "<args>: ", "bytes2")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256[2])", "[[1]]" }, "<args>: ", "")]
    [TestCase(new[] { "evm", "abi-encode", "f((uint256,bool)[])", "[[[1,true],[2]]]" }, "<args>: [0][1] ((uint256,bool)): a tuple of 2 component(s), got an array of 1", "")]
    [TestCase(new[] { "evm", "abi-encode", "--calldata", "(uint256)", "[1]" }, "<signature>: --calldata needs a function signature", "")]
    [TestCase(new[] { "evm", "abi-encode", "f(uint256)", "@/nonexistent/args.json" }, "<args>: cannot read '/nonexistent/args.json'", "")]
    [TestCase(new[] { "evm", "abi-decode", "uint256", "0x1234" }, "<data>: ", "")]
    [TestCase(new[] { "evm", "abi-decode", "uint8", "0x0000000000000000000000000000000000000000000000000000000000000100" }, "<data>: ", "")]
    [TestCase(new[] { "evm", "abi-decode", "--calldata", "f(uint256)", "0x12345678" }, "<data>: Calldata does not start with the selector", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "[]" }, "<transaction>: expected a JSON object", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"nonce\":0,\"gas\":21000,\"gasPrice\":1}" }, "<transaction>: missing field 'chainId'", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"gas\":21000,\"gasPrice\":1}" }, "<transaction>: missing field 'nonce'", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":0,\"gasPrice\":1}" }, "<transaction>: missing field 'gas'", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":0,\"gas\":21000}" }, "<transaction>: no fee fields", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":0,\"gas\":21000,\"maxFeePerGas\":1}" }, "<transaction>: missing field 'maxPriorityFeePerGas'", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"type\":2,\"chainId\":1,\"nonce\":0,\"gas\":21000,\"gasPrice\":1}" }, "<transaction>: gasPrice does not belong in a type 2 transaction", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"type\":3,\"chainId\":1,\"nonce\":0,\"gas\":1,\"gasPrice\":1}" }, "<transaction>: type: 3 is not supported", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":-1,\"gas\":21000,\"gasPrice\":1}" }, "<transaction>: nonce: -1 is outside 0..2^64-1", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":0,\"gas\":21000,\"gasPrice\":1,\"to\":\"0x12\"}" }, "<transaction>: to: ", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":0,\"gas\":21000,\"gasPrice\":1,\"data\":\"abcd\"}" }, "<transaction>: data: expected a 0x-hex string", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":0,\"gas\":21000,\"gasPrice\":1,\"gasLimit\":22000}" }, "<transaction>: gas (21000) and gasLimit (22000) disagree", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":0,\"gas\":21000,\"gasPrice\":1,\"accessList\":[{\"address\":\"0x3535353535353535353535353535353535353535\",\"storageKeys\":[\"0x01\"]}]}" }, "<transaction>: accessList[0].storageKeys[0]: ", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", Key, "{\"chainId\":1,\"nonce\":0,\"gas\":21000,\"gasPrice\":1,\"gasprice\":1}" }, "<transaction>: unknown field 'gasprice'", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", "0x" + "00", "{}" }, "--private-key: expected 32 bytes as 64 hex digits (0x optional), got 2 character(s)", "")]
    [TestCase(new[] { "evm", "sign-tx", "--private-key", "0x0000000000000000000000000000000000000000000000000000000000000000", "{}" }, "--private-key: not a valid secp256k1 private key", "")]
    [TestCase(new[] { "evm", "decode-tx", "0x" }, "<raw>: A raw transaction cannot be empty", "")]
    [TestCase(new[] { "evm", "decode-tx", "0x03c0" }, "<raw>: Transaction type 3 is not supported", "")]
    [TestCase(new[] { "evm", "decode-tx", "0xc0" }, "<raw>: ", "9 fields")]
    [TestCase(new[] { "evm", "typed-data-hash", "{}" }, "<typed-data>: Typed data is missing 'types'", "")]
    [TestCase(new[] { "evm", "typed-data-hash", "not json" }, "<typed-data>: Typed data is not valid JSON", "")]
    [TestCase(new[] { "evm", "sign-typed-data", "--private-key", Key, "{\"types\":{\"A\":[{\"name\":\"x\",\"type\":\"uint256\"}]},\"primaryType\":\"A\",\"domain\":{},\"message\":{}}" }, "<typed-data>: ", "x")]
    [TestCase(new[] { "evm", "recover", "0x1234", "0x" }, "<hash>: Expected a 32-byte hash of 32 bytes", "")]
    [TestCase(new[] { "evm", "recover", Hash, "0x1234" }, "<signature>: ", "65 bytes")]
    public void BadValues_ExitOneAndNameTheArgument(string[] args, string message, string detail)
    {
        string stderr = AssertFails(args, ExitCodes.BadInput, message);
        Assert.That(stderr, Does.StartWith("agentcluster evm "));
        Assert.That(stderr, Does.Contain(detail));
    }

    [Test]
    public void Recover_BadVIsReportedOnTheSignature()
    {
        string signature = "0x" + new string('1', 128) + "05";
        AssertFails(["evm", "recover", Hash, signature], ExitCodes.BadInput, "<signature>: Signature v must be 27 or 28 (or 0 or 1), got 5.");
    }

    [Test]
    public void SignTx_MismatchedFromIsRefused() =>
        AssertFails(["evm", "sign-tx", "--private-key", Key, """{"from":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","chainId":1,"nonce":0,"gas":21000,"gasPrice":1}"""],
            ExitCodes.BadInput, $"<transaction>: from 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 is not the address of --private-key ({EvmCommandTests.AnvilAddress}).");

    [Test]
    public void PrivateKey_IsNeverEchoedInErrors()
    {
        string almostKey = Key[..^1];
        string stderr = AssertFails(["evm", "sign-typed-data", "--private-key", almostKey, EvmCommandTests.MailTypedData], ExitCodes.BadInput, "--private-key: ");
        Assert.That(stderr, Does.Not.Contain(almostKey[2..20]));
        stderr = AssertFails(["evm", "sign-typed-data", "--private-key", almostKey + "g", EvmCommandTests.MailTypedData], ExitCodes.BadInput, "--private-key: ");
        Assert.That(stderr, Does.Not.Contain(almostKey[2..20]));
    }

    private static string AssertFails(string[] args, int exitCode, string message)
    {
        CliResult result = Cli.Run(args);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), $"stderr: {result.Stderr}");
            Assert.That(result.Stdout, Is.Empty);
            Assert.That(result.Stderr, Does.Contain(message));
        });
        return result.Stderr;
    }
}
