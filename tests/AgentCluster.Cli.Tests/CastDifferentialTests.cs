using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Cli.Tests.Oracles;
using AgentCluster.Evm.Tests.Oracles;

namespace AgentCluster.Cli.Tests;

/// <summary>
/// Each subcommand against Foundry's cast on seeded random inputs (CLI_DIFF_SEED=n explores others). The CLI runs in-process;
/// cast runs a process per case, on a few threads. About a hundred cast invocations in all.
/// </summary>
[Category("Differential")]
[Parallelizable(ParallelScope.Children)]
public class CastDifferentialTests
{
    private static readonly int SeedOffset = int.TryParse(Environment.GetEnvironmentVariable("CLI_DIFF_SEED"), out int s) ? s : 0;

    private static RandomValues Rng(int seed) => new(seed + SeedOffset);

    [Test]
    public void Keccak_OfHexAndText_MatchesCast()
    {
        var rng = Rng(1);
        string[] inputs = Enumerable.Range(0, 10).Select(i => i % 2 == 0
            ? RandomValues.Hex(rng.Bytes(rng.Random.Next(0, 80)))
            : "text " + Convert.ToBase64String(rng.Bytes(rng.Random.Next(0, 40))) + " é").ToArray();
        Check(inputs.Select(i => new[] { "keccak", i }).ToArray(), i => Cli.Run("evm", "keccak", inputs[i]).Output);
    }

    [Test]
    public void Selector_MatchesCastSig()
    {
        var rng = Rng(2);
        string[] signatures = Enumerable.Range(0, 8).Select(i =>
            $"f{i}(" + string.Join(",", Enumerable.Range(0, rng.Random.Next(0, 4)).Select(_ => rng.Type().CanonicalName)) + ")").ToArray();
        Check(signatures.Select(sig => new[] { "sig", sig }).ToArray(), i => Cli.Run("evm", "selector", signatures[i]).Output);
    }

    [Test]
    public void AbiEncode_MatchesCastAbiEncodeAndCalldata()
    {
        var rng = Rng(3);
        var cases = Enumerable.Range(0, 16).Select(i => RandomCall(rng, i)).ToArray();
        Check(cases.Select(c => (string[])["abi-encode", c.Signature, .. c.CastArgs]).ToArray(),
            i => Cli.Run("evm", "abi-encode", cases[i].Signature, cases[i].Json).Output);
        Check(cases.Take(8).Select(c => (string[])["calldata", c.Signature, .. c.CastArgs]).ToArray(),
            i => Cli.Run("evm", "abi-encode", "--calldata", cases[i].Signature, cases[i].Json).Output);
    }

    [Test]
    public void AbiDecode_OfCastsEncoding_GivesBackTheValues()
    {
        var rng = Rng(4);
        var cases = Enumerable.Range(0, 12).Select(i => RandomCall(rng, i)).ToArray();
        string[] encoded = Cast.RunMany(cases.Select(c => (string[])["abi-encode", c.Signature, .. c.CastArgs]).ToArray());
        for (int i = 0; i < cases.Length; i++)
        {
            string typeList = cases[i].Signature[cases[i].Signature.IndexOf('(', StringComparison.Ordinal)..];
            JsonNode? decoded = JsonNode.Parse(Cli.Run("evm", "abi-decode", typeList, encoded[i]).Output);
            Assert.That(JsonNode.DeepEquals(decoded, cases[i].ExpectedDecoded), Is.True,
                $"case {i}: {cases[i].Signature} {cases[i].Json}\n  decoded {decoded?.ToJsonString()}\n  expected {cases[i].ExpectedDecoded.ToJsonString()}");
        }
    }

    [Test]
    public void SignTx_MatchesCastMktx()
    {
        var rng = Rng(5);
        var cases = Enumerable.Range(0, 14).Select(i => RandomTransaction(rng, i)).ToArray();
        Check(cases.Select(c => c.CastArgs).ToArray(), i => Cli.Run("evm", "sign-tx", "--private-key", cases[i].Key, cases[i].Json).Output);
    }

    [Test]
    public void DecodeTx_MatchesCastDecodeTx()
    {
        var rng = Rng(6);
        string[] raws = Enumerable.Range(0, 10).Select(i =>
        {
            var c = RandomTransaction(rng, i);
            return Cli.Run("evm", "sign-tx", "--private-key", c.Key, c.Json).Output;
        }).ToArray();
        string[] castOutputs = Cast.RunMany(raws.Select(r => new[] { "decode-tx", r }).ToArray());
        for (int i = 0; i < raws.Length; i++)
        {
            // cast prints the JSON as a JSON string.
            string castJson = castOutputs[i].StartsWith('"') ? JsonSerializer.Deserialize<string>(castOutputs[i])! : castOutputs[i];
            JsonObject theirs = JsonNode.Parse(castJson)!.AsObject();
            JsonObject ours = JsonNode.Parse(Cli.Run("evm", "decode-tx", raws[i]).Output)!.AsObject();
            Assert.That(Normalize(ours["from"]), Is.EqualTo(Normalize(theirs["signer"])), $"case {i} from");
            foreach (var (name, value) in theirs)
            {
                if (name is "signer")
                {
                    continue;
                }

                Assert.That(ours.ContainsKey(name), Is.True, $"case {i}: cast has {name}, we do not\n  ours {ours.ToJsonString()}\n  cast {castJson}");
                Assert.That(Normalize(ours[name]), Is.EqualTo(Normalize(value)), $"case {i}: field {name}");
            }
        }
    }

    [Test]
    public void SignTypedData_MatchesCastWalletSignData_AndTheHashRecoversTheSigner()
    {
        var rng = Rng(7);
        var cases = Enumerable.Range(0, 8).Select(i => (Key: RandomValues.Hex(NewKey(rng)), Json: RandomTypedData(rng, i))).ToArray();
        string[] signatures = Cast.RunMany(cases.Select(c => new[] { "wallet", "sign", "--data", "--private-key", c.Key, c.Json }).ToArray());
        string[] addresses = Cast.RunMany(cases.Select(c => new[] { "wallet", "address", "--private-key", c.Key }).ToArray());
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.That(Cli.Run("evm", "sign-typed-data", "--private-key", cases[i].Key, cases[i].Json).Output, Is.EqualTo(signatures[i]), $"case {i}: {cases[i].Json}");
            string hash = Cli.Run("evm", "typed-data-hash", cases[i].Json).Output;
            Assert.That(Cli.Run("evm", "recover", hash, signatures[i]).Output, Is.EqualTo(addresses[i]), $"case {i}: our hash does not recover cast's signer");
        }
    }

    [Test]
    public void Recover_OfCastsRawHashSignatures_GivesCastsAddress()
    {
        var rng = Rng(8);
        var cases = Enumerable.Range(0, 8).Select(_ => (Key: RandomValues.Hex(NewKey(rng)), Hash: RandomValues.Hex(rng.Bytes(32)))).ToArray();
        string[] signatures = Cast.RunMany(cases.Select(c => new[] { "wallet", "sign", "--no-hash", "--private-key", c.Key, c.Hash }).ToArray());
        string[] addresses = Cast.RunMany(cases.Select(c => new[] { "wallet", "address", "--private-key", c.Key }).ToArray());
        for (int i = 0; i < cases.Length; i++)
        {
            string signature = i % 2 == 0 ? signatures[i] : signatures[i][..^2] + (signatures[i].EndsWith("1b", StringComparison.Ordinal) ? "00" : "01");
            Assert.That(Cli.Run("evm", "recover", cases[i].Hash, signature).Output, Is.EqualTo(addresses[i]), $"case {i}");
        }
    }

    /// <summary>Runs cast for each case and compares its output with ours.</summary>
    private static void Check(IReadOnlyList<string[]> castInvocations, Func<int, string> ours)
    {
        string[] expected = Cast.RunMany(castInvocations);
        var failures = new List<string>();
        for (int i = 0; i < expected.Length; i++)
        {
            string actual = ours(i);
            if (actual != expected[i])
            {
                failures.Add($"case {i}: cast {string.Join(' ', castInvocations[i])}\n  cast {expected[i]}\n  ours {actual}");
            }
        }

        Assert.That(failures, Is.Empty, $"{failures.Count} of {expected.Length} differ from cast (seed offset {SeedOffset}):\n" + string.Join("\n", failures.Take(5)));
    }

    private static (string Signature, string Json, string[] CastArgs, JsonNode ExpectedDecoded) RandomCall(RandomValues rng, int index)
    {
        TType[] types = Enumerable.Range(0, rng.Random.Next(1, 5)).Select(_ => rng.Type()).ToArray();
        object[] values = types.Select(rng.Value).ToArray();
        string signature = $"f{index}(" + string.Join(",", types.Select(t => t.CanonicalName)) + ")";
        string json = new JsonArray(types.Select((t, k) => rng.InputJson(t, values[k])).ToArray()).ToJsonString();
        string[] castArgs = types.Select((t, k) => RandomValues.CastArgument(t, values[k])).ToArray();
        var expected = new JsonArray(types.Select((t, k) => RandomValues.OutputJson(t, values[k])).ToArray());
        return (signature, json, castArgs, expected);
    }

    private static (string Key, string Json, string[] CastArgs) RandomTransaction(RandomValues rng, int index)
    {
        Random r = rng.Random;
        string key = RandomValues.Hex(NewKey(rng));
        ulong chainId = r.Next(3) switch { 0 => 1UL, 1 => 31337UL, _ => (ulong)r.NextInt64(1, 1L << 40) };
        ulong nonce = r.Next(3) == 0 ? 0 : (ulong)r.NextInt64(0, long.MaxValue);
        ulong gas = (ulong)r.NextInt64(21000, 30_000_000);
        BigInteger value = r.Next(3) == 0 ? 0 : rng.Edge(0, BigInteger.Pow(10, 24));
        BigInteger fee = rng.Edge(1, BigInteger.Pow(10, 12));
        BigInteger tip = rng.Edge(0, fee);
        bool create = index % 7 == 3;
        string? to = create ? null : RandomValues.Hex(rng.Bytes(20));
        byte[] data = create ? [0x60, 0x00, .. rng.Bytes(r.Next(0, 40))] : r.Next(3) == 0 ? [] : rng.Bytes(r.Next(1, 120));

        var json = new JsonObject
        {
            ["chainId"] = Quantity(rng, chainId),
            ["nonce"] = Quantity(rng, nonce),
            [r.Next(2) == 0 ? "gas" : "gasLimit"] = Quantity(rng, gas),
            ["to"] = to,
            ["value"] = Quantity(rng, value),
            [r.Next(2) == 0 ? "data" : "input"] = RandomValues.Hex(data),
        };
        var args = new List<string>
        {
            "mktx", "--private-key", key, "--chain", Dec(chainId), "--nonce", Dec(nonce), "--gas-limit", Dec(gas), "--gas-price", Dec(fee), "--value", Dec(value),
        };
        if (index % 3 == 0)
        {
            json["gasPrice"] = Quantity(rng, fee);
            args.Add("--legacy");
        }
        else
        {
            json["maxFeePerGas"] = Quantity(rng, fee);
            json["maxPriorityFeePerGas"] = Quantity(rng, tip);
            args.AddRange(["--priority-gas-price", Dec(tip)]);
            if (r.Next(2) == 0)
            {
                var accessList = new JsonArray(Enumerable.Range(0, r.Next(1, 3)).Select(_ => (JsonNode)new JsonObject
                {
                    ["address"] = RandomValues.Hex(rng.Bytes(20)),
                    ["storageKeys"] = new JsonArray(Enumerable.Range(0, r.Next(0, 3)).Select(_ => (JsonNode)JsonValue.Create(RandomValues.Hex(rng.Bytes(32)))).ToArray()),
                }).ToArray());
                json["accessList"] = accessList;
                args.AddRange(["--access-list", accessList.ToJsonString()]);
            }
        }

        if (r.Next(2) == 0)
        {
            json["type"] = index % 3 == 0 ? "0x0" : "eip1559";
        }

        args.AddRange(create ? ["--create", RandomValues.Hex(data)] : [to!, RandomValues.Hex(data)]);
        return (key, json.ToJsonString(), args.ToArray());
    }

    /// <summary>Random typed data: a primary struct with random atomic fields, a nested struct and an array; random domain fields.</summary>
    private static string RandomTypedData(RandomValues rng, int index)
    {
        Random r = rng.Random;
        string[] atomic = ["uint256", "uint32", "int64", "address", "bool", "bytes32", "bytes4", "bytes", "string"];
        JsonNode AtomicValue(string type) => type switch
        {
            "uint256" => rng.Edge(0, (BigInteger.One << 256) - 1).ToString(CultureInfo.InvariantCulture),
            "uint32" => JsonValue.Create((long)rng.Edge(0, uint.MaxValue)),
            "int64" => rng.Edge(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture),
            "address" => RandomValues.Hex(rng.Bytes(20)),
            "bool" => JsonValue.Create(r.Next(2) == 0),
            "bytes32" => RandomValues.Hex(rng.Bytes(32)),
            "bytes4" => RandomValues.Hex(rng.Bytes(4)),
            "bytes" => RandomValues.Hex(rng.Bytes(r.Next(0, 50))),
            _ => "s" + Convert.ToHexString(rng.Bytes(r.Next(0, 12))),
        };

        var innerFields = Enumerable.Range(0, r.Next(1, 4)).Select(k => (Name: $"i{k}", Type: atomic[r.Next(atomic.Length)])).ToArray();
        var outerFields = Enumerable.Range(0, r.Next(1, 5)).Select(k => (Name: $"o{k}", Type: atomic[r.Next(atomic.Length)])).ToList();
        string inner = $"Inner{index}";
        string arrayType = atomic[r.Next(atomic.Length)];
        outerFields.Add(("inner", inner));
        outerFields.Add(("list", arrayType + "[]"));

        JsonArray Members(IEnumerable<(string Name, string Type)> fields) =>
            new(fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type }).ToArray());
        var innerValue = new JsonObject(innerFields.Select(f => KeyValuePair.Create(f.Name, (JsonNode?)AtomicValue(f.Type))));
        var message = new JsonObject(outerFields.Take(outerFields.Count - 2).Select(f => KeyValuePair.Create(f.Name, (JsonNode?)AtomicValue(f.Type))))
        {
            ["inner"] = innerValue,
            ["list"] = new JsonArray(Enumerable.Range(0, r.Next(0, 3)).Select(_ => AtomicValue(arrayType)).ToArray()),
        };

        var domainFields = new List<(string Name, string Type)>();
        var domain = new JsonObject();
        if (r.Next(4) > 0) { domainFields.Add(("name", "string")); domain["name"] = $"App{index}"; }
        if (r.Next(2) > 0) { domainFields.Add(("version", "string")); domain["version"] = "1"; }
        if (r.Next(4) > 0) { domainFields.Add(("chainId", "uint256")); domain["chainId"] = r.Next(1, 100000); }
        if (r.Next(2) > 0) { domainFields.Add(("verifyingContract", "address")); domain["verifyingContract"] = RandomValues.Hex(rng.Bytes(20)); }
        if (r.Next(4) == 0) { domainFields.Add(("salt", "bytes32")); domain["salt"] = RandomValues.Hex(rng.Bytes(32)); }

        var typedData = new JsonObject
        {
            ["types"] = new JsonObject
            {
                ["EIP712Domain"] = Members(domainFields),
                [$"Outer{index}"] = Members(outerFields),
                [inner] = Members(innerFields),
            },
            ["primaryType"] = $"Outer{index}",
            ["domain"] = domain,
            ["message"] = message,
        };
        return typedData.ToJsonString();
    }

    private static byte[] NewKey(RandomValues rng)
    {
        // A random 32-byte string is a valid key except with probability ~2^-128; take the top byte down to be certain.
        byte[] key = rng.Bytes(32);
        key[0] = (byte)Math.Min(key[0], (byte)0xfe);
        key[31] |= 1;
        return key;
    }

    private static JsonNode Quantity(RandomValues rng, BigInteger value) => rng.Random.Next(3) switch
    {
        0 when value < 1L << 53 => JsonValue.Create((long)value),
        1 => JsonValue.Create(RandomValues.Quantity(value)),
        _ => JsonValue.Create(Dec(value)),
    };

    private static string Dec(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Dec(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Normalize(JsonNode? node) => node?.ToJsonString().ToLowerInvariant() ?? "null";
}
