using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.Model;

namespace AgentCluster.Cli.Tests;

/// <summary>
/// The four bugs a new user reported, each performed as they did it, plus the strict checks at the edge
/// (AgentCluster.Evm.Validation) as the CLI applies them.
/// </summary>
[Parallelizable(ParallelScope.All)]
public class NewUserBugTests
{
    private static string Nested(int depth) => "f(" + new string('(', depth) + "uint256" + new string(')', depth) + ")";

    // Bug 1: a signature nested 10,000 deep crashed the process with a stack overflow (exit 134).

    [Test]
    public void Bug1_DeepSignature_InItsOwnProcess_ExitsOneWithAClearError()
    {
        // A real process, as the user ran it: a stack overflow would kill it (exit 134) instead of failing an assertion in this one.
        string dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "agentcluster.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[dll, "evm", "selector", Nested(10_000)])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "agentcluster did not finish within 60 s");
        Assert.That(process.ExitCode, Is.EqualTo(ExitCodes.BadInput), stderr.Result);
        Assert.That(stdout.Result, Is.Empty);
        Assert.That(stderr.Result, Does.Contain("<signature>: ").And.Contain("more than 16 levels deep"));
    }

    [TestCase("evm", "abi-encode", "SIG", "[1]")]
    [TestCase("evm", "abi-decode", "SIG", "0x")]
    [TestCase("evm", "abi-encode", "LIST", "[1]")]
    [TestCase("evm", "abi-encode", "ARRAY", "[1]")]
    [TestCase("evm", "selector", "ARRAY")]
    public void Bug1_DeepSignatures_AreRefusedByEveryCommand(params string[] args)
    {
        string[] line = args.Select(a => a switch
        {
            "SIG" => Nested(10_000),
            "LIST" => new string('(', 10_000) + "uint256" + new string(')', 10_000),
            "ARRAY" => "f(uint256" + string.Concat(Enumerable.Repeat("[]", 10_000)) + ")",
            _ => a,
        }).ToArray();
        CliResult result = Cli.Run(line);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("more than 16 levels deep"));
    }

    [Test]
    public void Bug1_NestingUpToTheLimitStillWorks()
    {
        // 15 tuples inside the parameter list: 16 levels with the list itself.
        string signature = Nested(15);
        string args = new string('[', 16) + "7" + new string(']', 16);
        string encoded = Cli.Run("evm", "abi-encode", signature, args).Output;
        Assert.That(encoded, Is.EqualTo("0x" + new string('0', 63) + "7"));
        Assert.That(Compact(Cli.Run("evm", "abi-decode", signature, encoded).Output), Is.EqualTo(new string('[', 16) + "\"7\"" + new string(']', 16)));
        Assert.That(Cli.Run("evm", "selector", "f(uint256" + string.Concat(Enumerable.Repeat("[]", 15)) + ")").ExitCode, Is.EqualTo(ExitCodes.Success));
        Assert.That(Cli.Run("evm", "selector", "f(uint256" + string.Concat(Enumerable.Repeat("[]", 16)) + ")").ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(Cli.Run("evm", "abi-encode", Nested(16), "[1]").ExitCode, Is.EqualTo(ExitCodes.BadInput));
    }

    [Test]
    public void Bug1_DeepJsonAndDeepTypedData_AreRefusedToo()
    {
        CliResult json = Cli.Run("evm", "abi-encode", "f(uint256)", new string('[', 10_000) + new string(']', 10_000));
        Assert.That(json.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(json.Stderr, Does.Contain("<args>: not valid JSON"));

        // A struct chain S0 -> S1 -> ... 200 deep.
        var types = Enumerable.Range(0, 200).ToDictionary(i => $"S{i}", i => i < 199
            ? new object[] { new { name = "next", type = $"S{i + 1}" } }
            : new object[] { new { name = "x", type = "uint256" } });
        object message = new { x = 1 };
        for (int i = 198; i >= 0; i--)
        {
            message = new { next = message };
        }

        string typedData = JsonSerializer.Serialize(new { types, primaryType = "S0", domain = new { }, message }, new JsonSerializerOptions { MaxDepth = 1000 });
        CliResult deep = Cli.Run("evm", "typed-data-hash", typedData);
        Assert.That(deep.ExitCode, Is.EqualTo(ExitCodes.BadInput), deep.Stderr);
        Assert.That(deep.Stderr, Does.Contain("<typed-data>: "));
    }

    // Bug 2: abi-decode and decode-tx took no @file / stdin input.

    [Test]
    public void Bug2_AbiDecode_TakesDataFromStdinAndFromAFile()
    {
        string encoded = Cli.Run("evm", "abi-encode", "(uint256,string)", """[5, "hi"]""").Output;
        Assert.That(Compact(Cli.RunWithInput(encoded + "\n", "evm", "abi-decode", "(uint256,string)", "-").Output), Is.EqualTo("""["5","hi"]"""));
        string path = TempFile(encoded + "\n");
        try
        {
            Assert.That(Compact(Cli.Run("evm", "abi-decode", "(uint256,string)", "@" + path).Output), Is.EqualTo("""["5","hi"]"""));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Bug2_DecodeTx_TakesTheRawTransactionFromStdinAndFromAFile()
    {
        string direct = Cli.Run("evm", "decode-tx", Eip155Raw).Output;
        Assert.That(Cli.RunWithInput(Eip155Raw, "evm", "decode-tx", "-").Output, Is.EqualTo(direct));
        string path = TempFile("  " + Eip155Raw + "\n");
        try
        {
            Assert.That(Cli.Run("evm", "decode-tx", "@" + path).Output, Is.EqualTo(direct));
            CliResult missing = Cli.Run("evm", "decode-tx", "@" + path + ".missing");
            Assert.That(missing.ExitCode, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(missing.Stderr, Does.Contain("<raw>: cannot read"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Bug 3: hex without 0x was accepted where docs/cli.md says it is refused.

    [TestCase("abi-decode", "uint256", "0000000000000000000000000000000000000000000000000000000000000005")]
    [TestCase("decode-tx", "RAW")]
    [TestCase("recover", "HASH", "0xSIG")]
    [TestCase("recover", "0xHASH", "SIG")]
    public void Bug3_HexWithout0x_IsRefused(params string[] args)
    {
        string[] line = ["evm", .. args.Select(a => a switch
        {
            "RAW" => Eip155Raw[2..],
            "HASH" => MailDigest[2..],
            "0xHASH" => MailDigest,
            "SIG" => MailSignature[2..],
            "0xSIG" => MailSignature,
            _ => a,
        })];
        CliResult result = Cli.Run(line);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.Stderr);
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.Stderr, Does.Contain("must start with 0x"));
    }

    [TestCase("""{"chainId":1,"nonce":0,"gas":21000,"gasPrice":1,"to":"3535353535353535353535353535353535353535"}""", "to: Address")]
    [TestCase("""{"chainId":1,"nonce":0,"gas":21000,"gasPrice":1,"accessList":[{"address":"0x3535353535353535353535353535353535353535","storageKeys":["0000000000000000000000000000000000000000000000000000000000000001"]}]}""", "storageKeys[0]: ")]
    [TestCase("""{"chainId":1,"nonce":0,"gas":21000,"gasPrice":"ff"}""", "gasPrice: 'ff' is not an integer")]
    public void Bug3_HexWithout0x_IsRefusedInsideTransactions(string transaction, string message)
    {
        CliResult result = Cli.Run("evm", "sign-tx", "--private-key", EvmCommandTests.AnvilKey, transaction);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.Stderr);
        Assert.That(result.Stderr, Does.Contain(message));
    }

    [Test]
    public void Bug3_HexWithout0x_IsRefusedInTypedData()
    {
        string noPrefix = EvmCommandTests.MailTypedData.Replace("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", "CD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", StringComparison.Ordinal);
        CliResult result = Cli.Run("evm", "typed-data-hash", noPrefix);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("message.from.wallet (address)").And.Contain("must start with 0x"));
    }

    [Test]
    public void Bug3_ThePrivateKeyIsTheDocumentedException_0xOptional()
    {
        string with = Cli.Run("evm", "sign-typed-data", "--private-key", EvmCommandTests.AnvilKey, EvmCommandTests.MailTypedData).Output;
        string without = Cli.Run("evm", "sign-typed-data", "--private-key", EvmCommandTests.AnvilKey[2..], EvmCommandTests.MailTypedData).Output;
        Assert.That(without, Is.EqualTo(with));
    }

    // Bug 4: a bare 'agentcluster' errored instead of showing help.

    [Test]
    public void Bug4_BareAgentcluster_ShowsHelpAndExitsZero()
    {
        CliResult result = Cli.Run();
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Stderr);
        Assert.That(result.Stderr, Is.Empty);
        Assert.That(result.Stdout, Does.Contain("Usage:").And.Contain("agentcluster [command]").And.Contain("evm"));
    }

    // Strictness that Nethereum lacks, applied by the CLI.

    [TestCase("bool", "0000000000000000000000000000000000000000000000000000000000000002", "[0] (bool)")]
    [TestCase("address", "0000000000000000000000ff70997970c51812dc3a010c7d01b50e0d17dc79c8", "[0] (address)")]
    [TestCase("int8", "0000000000000000000000000000000000000000000000000000000000000080", "[0] (int8)")]
    [TestCase("bytes2", "1234560000000000000000000000000000000000000000000000000000000000", "[0] (bytes2)")]
    [TestCase("(uint256,bool)", "00000000000000000000000000000000000000000000000000000000000000050000000000000000000000000000000000000000000000000000000000000003", "[1] (bool)")]
    public void AbiDecode_RefusesDirtyValues(string types, string hex, string where)
    {
        CliResult result = Cli.Run("evm", "abi-decode", types, "0x" + hex);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("<data>: " + where));
    }

    [Test]
    public void DecodeTx_RefusesTheHighSTwinOfAValidTransaction()
    {
        var legacy = (LegacyTransactionChainId)TransactionFactory.CreateTransaction(Eip155Raw);
        BigInteger order = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337");
        byte[] highS = (order - new BigInteger(legacy.Signature.S, isUnsigned: true, isBigEndian: true)).ToByteArray(isUnsigned: true, isBigEndian: true);
        var twin = new LegacyTransactionChainId("0x3535353535353535353535353535353535353535", BigInteger.Pow(10, 18), 9, 20_000_000_000, 21000, "", 1,
            legacy.Signature.R, highS, [legacy.Signature.V[0] == 0x25 ? (byte)0x26 : (byte)0x25]);
        string raw = "0x" + Convert.ToHexStringLower(twin.GetRLPEncoded());

        CliResult result = Cli.Run("evm", "decode-tx", raw);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("<raw>: ").And.Contain("EIP-2"));
    }

    [Test]
    public void DecodeTx_RefusesBytesAfterOrMissingFromTheRlpList()
    {
        CliResult trailing = Cli.Run("evm", "decode-tx", Eip155Raw + "00");
        Assert.That(trailing.ExitCode, Is.EqualTo(ExitCodes.BadInput), trailing.Stderr);
        Assert.That(trailing.Stderr, Does.Contain("<raw>: A legacy transaction's RLP list takes 110 byte(s) but 111 were given"));
        CliResult truncated = Cli.Run("evm", "decode-tx", Eip155Raw[..^2]);
        Assert.That(truncated.ExitCode, Is.EqualTo(ExitCodes.BadInput), truncated.Stderr);
        Assert.That(truncated.Stderr, Does.Contain("bytes are missing or trail after it"));
    }

    [Test]
    public void AbiEncode_RefusesAnAddressWithAWrongChecksum_GivingTheRightOne()
    {
        CliResult result = Cli.Run("evm", "abi-encode", "f(address)", """["0x70997970C51812dc3A010C7d01b50e0d17dc79c8"]""");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stderr, Does.Contain("[0] (address): ").And.Contain("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
    }

    // EIP-712: Nethereum's JSON path reads hex inside bytes32[] as UTF-8; the CLI must agree with cast.

    [Test]
    public void TypedData_HexInsideBytesArrays_IsReadAsBytes_AsCastDoes()
    {
        const string typedData = """
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}],
             "Order":[{"name":"hashes","type":"bytes32[]"},{"name":"tags","type":"bytes4[]"},{"name":"blobs","type":"bytes[]"},{"name":"legs","type":"Leg[]"}],
             "Leg":[{"name":"proof","type":"bytes32[]"},{"name":"n","type":"uint256"}]},
             "primaryType":"Order","domain":{"name":"Exchange","chainId":8453},
             "message":{"hashes":["0x1111111111111111111111111111111111111111111111111111111111111111","0x00000000000000000000000000000000000000000000000000000000000000ff"],
              "tags":["0xdeadbeef","0x31323334"],"blobs":["0xabcd","0x"],
              "legs":[{"proof":["0x3333333333333333333333333333333333333333333333333333333333333333"],"n":"5"}]}}
            """;
        string signature = Cast.Run("wallet", "sign", "--data", "--private-key", EvmCommandTests.AnvilKey, typedData);
        Assert.That(Cli.Run("evm", "sign-typed-data", "--private-key", EvmCommandTests.AnvilKey, typedData).Output, Is.EqualTo(signature));
        string hash = Cli.Run("evm", "typed-data-hash", typedData).Output;
        Assert.That(Cli.Run("evm", "recover", hash, signature).Output, Is.EqualTo(EvmCommandTests.AnvilAddress));
    }

    private const string Eip155Raw = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
    private const string MailDigest = "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2";
    private const string MailSignature = "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c";

    private static string TempFile(string content)
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"input-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, content);
        return path;
    }

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}

/// <summary>Keys whose first byte is zero (1 in 256): Nethereum's fast signing path throws for them; the CLI must still sign as cast does.</summary>
[Parallelizable(ParallelScope.All)]
public class LeadingZeroKeyTests
{
    private const string Key = "0x00b1a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f";

    [Test]
    public void SignTx_WithALeadingZeroKey_MatchesCastMktx()
    {
        string ours = Cli.Run("evm", "sign-tx", "--private-key", Key,
            """{"chainId":8453,"nonce":3,"gas":21000,"maxFeePerGas":"1000000000","maxPriorityFeePerGas":1000,"to":"0x3535353535353535353535353535353535353535","value":"5"}""").Output;
        string cast = Cast.Run("mktx", "--private-key", Key, "--chain", "8453", "--nonce", "3", "--gas-limit", "21000", "--gas-price", "1000000000",
            "--priority-gas-price", "1000", "--value", "5", "0x3535353535353535353535353535353535353535");
        Assert.That(ours, Is.EqualTo(cast));
        string legacy = Cli.Run("evm", "sign-tx", "--private-key", Key, """{"chainId":1,"nonce":0,"gas":21000,"gasPrice":7}""").Output;
        Assert.That(legacy, Is.EqualTo(Cast.Run("mktx", "--private-key", Key, "--legacy", "--chain", "1", "--nonce", "0", "--gas-limit", "21000", "--gas-price", "7", "--create", "0x")));
    }

    [Test]
    public void SignTypedData_WithALeadingZeroKey_MatchesCast()
    {
        string cast = Cast.Run("wallet", "sign", "--data", "--private-key", Key, EvmCommandTests.MailTypedData);
        Assert.That(Cli.Run("evm", "sign-typed-data", "--private-key", Key, EvmCommandTests.MailTypedData).Output, Is.EqualTo(cast));
    }
}
