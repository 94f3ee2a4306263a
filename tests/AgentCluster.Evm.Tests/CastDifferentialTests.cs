using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Eip712;
using AgentCluster.Evm.Tests.Oracles;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Evm.Tests;

/// <summary>
/// Differential tests: seeded random inputs, each checked byte-for-byte against Foundry's cast. The seeds are fixed, so a
/// failure is reproducible; set EVM_DIFF_SEED to explore other inputs. Invocations run on a few threads.
/// </summary>
[Category("Differential")]
[Parallelizable(ParallelScope.Children)]
public class CastDifferentialTests
{
    private static readonly int SeedOffset = int.TryParse(Environment.GetEnvironmentVariable("EVM_DIFF_SEED"), out int s) ? s : 0;

    private static RandomAbi Rng(int seed) => new(seed + SeedOffset);

    /// <summary>Runs the cast invocations and checks each output, reporting every mismatch with its inputs.</summary>
    private static void Check(IReadOnlyList<string[]> invocations, Func<int, string, string?> mismatch)
    {
        string[] outputs = Cast.RunMany(invocations);
        var failures = new List<string>();
        for (int i = 0; i < outputs.Length; i++)
        {
            string? problem;
            try
            {
                problem = mismatch(i, outputs[i]);
            }
            catch (Exception e)
            {
                problem = $"threw {e.GetType().Name}: {e.Message}";
            }

            if (problem is not null)
            {
                failures.Add($"case {i}: cast {string.Join(' ', invocations[i].Select(a => a.Length > 200 ? a[..200] + "..." : a))}\n  {problem}");
            }
        }

        Assert.That(failures, Is.Empty, $"{failures.Count} of {outputs.Length} cases differ from cast (seed offset {SeedOffset}):\n" + string.Join("\n", failures.Take(10)));
    }

    [Test]
    public void Keccak_MatchesCast()
    {
        var rng = Rng(1);
        var inputs = Enumerable.Range(0, 60).Select(i => rng.Bytes(rng.Random.Next(0, i < 30 ? 40 : 300))).ToArray();
        Check(inputs.Select(b => new[] { "keccak", Hex.Encode(b) }).ToArray(),
            (i, output) => Keccak.Hash(inputs[i]).ToString() == output ? null : $"ours {Keccak.Hash(inputs[i])}, cast {output}");
    }

    [Test]
    public void FunctionSelectorsAndEventTopics_MatchCast()
    {
        var rng = Rng(2);
        var signatures = Enumerable.Range(0, 40).Select(i =>
            "f" + i + "(" + string.Join(",", Enumerable.Range(0, rng.Random.Next(0, 4)).Select(_ => rng.Type(2).CanonicalName)) + ")").ToArray();
        Check(signatures.Select(sig => new[] { "sig", sig }).ToArray(),
            (i, output) => AbiFunction.Parse(signatures[i]).SelectorHex == output ? null : $"ours {AbiFunction.Parse(signatures[i]).SelectorHex}, cast {output}");
        Check(signatures.Select(sig => new[] { "sig-event", sig }).ToArray(),
            (i, output) => AbiEvent.Parse(signatures[i]).Topic0.ToString() == output ? null : $"ours {AbiEvent.Parse(signatures[i]).Topic0}, cast {output}");
    }

    [Test]
    public void AbiEncode_RandomTypesAndValues_MatchCastAndRoundTrip()
    {
        var rng = Rng(3);
        var cases = Enumerable.Range(0, 150).Select(_ =>
        {
            var types = Enumerable.Range(0, rng.Random.Next(1, 5)).Select(_ => rng.Type(2)).ToArray();
            return (Types: types, Values: types.Select(rng.Value).ToArray());
        }).ToArray();
        var invocations = cases.Select(c => (string[])["abi-encode", $"f({string.Join(",", c.Types.Select(t => t.CanonicalName))})", "--",
            .. c.Types.Select((t, j) => RandomAbi.CastArgument(t, c.Values[j]))]).ToArray();
        Check(invocations, (i, output) =>
        {
            var (types, values) = cases[i];
            string ours = Hex.Encode(AbiEncoder.Encode(types, values));
            if (ours != output)
            {
                return $"encoding differs\n  ours {ours}\n  cast {output}";
            }

            object?[] decoded = AbiDecoder.Decode(types, Hex.Decode(output));
            return RandomAbi.DeepEquals(decoded, values) ? null : $"decoded {RandomAbi.Describe(decoded)} != {RandomAbi.Describe(values)}";
        });
    }

    [Test]
    public void Calldata_MatchesCast()
    {
        var rng = Rng(4);
        var cases = Enumerable.Range(0, 50).Select(i =>
        {
            var types = Enumerable.Range(0, rng.Random.Next(0, 4)).Select(_ => rng.Type(1)).ToArray();
            var function = new AbiFunction("call" + i, types.Select(t => new AbiParameter(t)).ToArray());
            return (Function: function, Values: types.Select(rng.Value).ToArray());
        }).ToArray();
        var invocations = cases.Select(c => (string[])["calldata", c.Function.Signature, "--",
            .. c.Function.Inputs.Select((p, j) => RandomAbi.CastArgument(p.Type, c.Values[j]))]).ToArray();
        Check(invocations, (i, output) =>
        {
            string ours = Hex.Encode(cases[i].Function.EncodeCall(cases[i].Values));
            if (ours != output)
            {
                return $"ours {ours}\n  cast {output}";
            }

            return RandomAbi.DeepEquals(cases[i].Function.DecodeCall(Hex.Decode(output)), cases[i].Values) ? null : "DecodeCall did not round-trip";
        });
    }

    [Test]
    public void AbiEncodePacked_MatchesCast()
    {
        var rng = Rng(5);
        AbiType PackableType()
        {
            AbiType t;
            do
            {
                t = rng.Type(0);
            }
            while (t is ArrayType or TupleType);

            // cast (alloy) zero-extends intN and left-pads bytesN inside packed arrays, unlike Solidity and viem
            // (which sign-extend and right-pad); those element types are checked against viem instead.
            return rng.Random.Next(5) == 0 && t is UIntType or AddressType or BoolType ? new ArrayType(t) : t;
        }

        var cases = Enumerable.Range(0, 50).Select(_ =>
        {
            var types = Enumerable.Range(0, rng.Random.Next(1, 5)).Select(_ => PackableType()).ToArray();
            return (Types: types, Values: types.Select(rng.Value).ToArray());
        }).ToArray();
        var invocations = cases.Select(c => (string[])["abi-encode", "--packed", $"f({string.Join(",", c.Types.Select(t => t.CanonicalName))})", "--",
            .. c.Types.Select((t, j) => RandomAbi.CastArgument(t, c.Values[j]))]).ToArray();
        Check(invocations, (i, output) =>
        {
            string ours = Hex.Encode(AbiEncoder.EncodePacked(cases[i].Types, cases[i].Values));
            return ours == output ? null : $"ours {ours}\n  cast {output}";
        });
    }

    [Test]
    public void WalletAddress_MatchesCast()
    {
        var rng = Rng(6);
        var keys = Enumerable.Range(0, 40).Select(_ => NewKey(rng)).ToArray();
        Check(keys.Select(k => new[] { "wallet", "address", "--private-key", Hex.Encode(k.GetPrivateKeyBytes()) }).ToArray(),
            (i, output) => keys[i].Address.ToString() == output ? null : $"ours {keys[i].Address}, cast {output}");
    }

    [Test]
    public void PersonalSign_MatchesCastAndRecovers()
    {
        var rng = Rng(7);
        var cases = Enumerable.Range(0, 50).Select(i => (Key: NewKey(rng), Message: rng.Bytes(rng.Random.Next(1, 120)))).ToArray();
        Check(cases.Select(c => new[] { "wallet", "sign", "--private-key", Hex.Encode(c.Key.GetPrivateKeyBytes()), Hex.Encode(c.Message) }).ToArray(), (i, output) =>
        {
            var signature = EthereumMessageSigner.Sign(cases[i].Message, cases[i].Key);
            if (signature.ToHex() != output)
            {
                return $"ours {signature.ToHex()}, cast {output}";
            }

            return EthereumMessageSigner.Recover(cases[i].Message, EthECDSASignature.Parse(output)) == cases[i].Key.Address ? null : "recovered a different signer";
        });
    }

    [Test]
    public void SignRawHash_MatchesCast()
    {
        var rng = Rng(8);
        var cases = Enumerable.Range(0, 50).Select(_ => (Key: NewKey(rng), Hash: new Hash32(rng.Bytes(32)))).ToArray();
        Check(cases.Select(c => new[] { "wallet", "sign", "--no-hash", "--private-key", Hex.Encode(c.Key.GetPrivateKeyBytes()), c.Hash.ToString() }).ToArray(), (i, output) =>
        {
            var signature = cases[i].Key.Sign(cases[i].Hash);
            return signature.ToHex() == output ? null : $"ours {signature.ToHex()}, cast {output}";
        });
    }

    [Test]
    public void SignedTransactions_MatchCastMktxAndDecode()
    {
        var rng = Rng(9);
        var cases = Enumerable.Range(0, 100).Select(i => RandomTransaction(rng, i)).ToArray();
        Check(cases.Select(c => c.CastArgs).ToArray(), (i, output) =>
        {
            var (key, tx, _) = cases[i];
            SignedTransaction signed = tx.Sign(key);
            if (signed.RawHex != output)
            {
                return $"ours {signed.RawHex}\n  cast {output}";
            }

            SignedTransaction decoded = SignedTransaction.Parse(output);
            if (!decoded.Transaction.Equals(tx))
            {
                return $"decoded transaction differs: {decoded.Transaction}";
            }

            return decoded.RecoverSender() == key.Address && decoded.Hash == signed.Hash ? null : "sender or hash differs after decoding";
        });
    }

    [Test]
    public void TransactionHash_MatchesCastDecodeTransaction()
    {
        var rng = Rng(10);
        var cases = Enumerable.Range(0, 20).Select(i => RandomTransaction(rng, i)).Select(c => c.Transaction.Sign(c.Key)).ToArray();
        Check(cases.Select(c => new[] { "decode-transaction", c.RawHex }).ToArray(), (i, output) =>
        {
            using var json = JsonDocument.Parse(output.StartsWith('"') ? JsonSerializer.Deserialize<string>(output)! : output);
            string hash = json.RootElement.GetProperty("hash").GetString()!;
            string signer = json.RootElement.GetProperty("signer").GetString()!;
            return hash == cases[i].Hash.ToString() && Address.Parse(signer) == cases[i].RecoverSender() ? null : $"cast hash {hash} signer {signer}, ours {cases[i].Hash} {cases[i].RecoverSender()}";
        });
    }

    [Test]
    public void Eip712_RandomTypedData_MatchesCastSignature()
    {
        var rng = Rng(11);
        var cases = Enumerable.Range(0, 40).Select(i => (Key: NewKey(rng), Json: RandomTypedDataJson(rng, i))).ToArray();
        Check(cases.Select(c => new[] { "wallet", "sign", "--data", "--private-key", Hex.Encode(c.Key.GetPrivateKeyBytes()), c.Json }).ToArray(), (i, output) =>
        {
            var signature = Eip712TypedDataSigner.SignTypedDataV4(cases[i].Json, cases[i].Key);
            if (signature.ToHex() != output)
            {
                return $"ours {signature.ToHex()}, cast {output}\n  json {cases[i].Json}";
            }

            return Eip712TypedDataSigner.RecoverFromSignatureV4(cases[i].Json, signature) == cases[i].Key.Address ? null : "recovered a different signer";
        });
    }

    private static EthECKey NewKey(RandomAbi rng)
    {
        while (true)
        {
            try
            {
                return new EthECKey(rng.Bytes(32));
            }
            catch (ArgumentException)
            {
                // Out of the curve order: astronomically unlikely, but keep the generator total.
            }
        }
    }

    private static (EthECKey Key, Transaction Transaction, string[] CastArgs) RandomTransaction(RandomAbi rng, int i)
    {
        var r = rng.Random;
        EthECKey key = NewKey(rng);
        ulong chainId = r.Next(3) switch { 0 => 1UL, 1 => 8453UL, _ => (ulong)r.NextInt64(1, long.MaxValue) };
        ulong nonce = r.Next(3) == 0 ? 0 : (ulong)r.NextInt64(0, long.MaxValue);
        ulong gasLimit = (ulong)r.NextInt64(21000, 30_000_000);
        UInt256 value = r.Next(3) == 0 ? UInt256.Zero : new UInt256(rng.Edge(0, BigInteger.Pow(10, 24)));
        UInt256 fee = new(rng.Edge(1, BigInteger.Pow(10, 12)));
        UInt256 tip = new(rng.Edge(0, fee));
        bool create = r.Next(8) == 0;
        Address? to = create ? null : new Address(rng.Bytes(20));
        byte[] data = r.Next(3) == 0 ? [] : rng.Bytes(r.Next(1, 200));
        if (create && data.Length == 0)
        {
            data = [0x60, 0x00];
        }

        var args = new List<string>
        {
            "mktx", "--private-key", Hex.Encode(key.GetPrivateKeyBytes()), "--chain", chainId.ToString(CultureInfo.InvariantCulture),
            "--nonce", nonce.ToString(CultureInfo.InvariantCulture), "--gas-limit", gasLimit.ToString(CultureInfo.InvariantCulture),
            "--gas-price", fee.ToString(), "--value", value.ToString(),
        };
        Transaction tx;
        if (i % 3 == 0)
        {
            args.Add("--legacy");
            tx = new LegacyTransaction { ChainId = chainId, Nonce = nonce, GasPrice = fee, GasLimit = gasLimit, To = to, Value = value, Data = data };
        }
        else
        {
            var accessList = Enumerable.Range(0, r.Next(3) == 0 ? r.Next(1, 4) : 0)
                .Select(_ => new AccessListEntry(new Address(rng.Bytes(20)), Enumerable.Range(0, r.Next(0, 3)).Select(_ => new Hash32(rng.Bytes(32))).ToArray()))
                .ToArray();
            args.AddRange(["--priority-gas-price", tip.ToString()]);
            if (accessList.Length > 0)
            {
                args.AddRange(["--access-list", JsonSerializer.Serialize(accessList.Select(e => new { address = e.Address.ToLowerHex(), storageKeys = e.StorageKeys.Select(k => k.ToString()) }))]);
            }

            tx = new Eip1559Transaction
            {
                ChainId = chainId, Nonce = nonce, MaxPriorityFeePerGas = tip, MaxFeePerGas = fee, GasLimit = gasLimit,
                To = to, Value = value, Data = data, AccessList = accessList,
            };
        }

        if (create)
        {
            args.AddRange(["--create", Hex.Encode(data)]);
        }
        else
        {
            args.AddRange([to!.Value.ToLowerHex(), Hex.Encode(data)]);
        }

        return (key, tx, args.ToArray());
    }

    /// <summary>Random typed data: 1-3 struct types (each may use later ones, as fields or arrays), every atomic kind, random domain fields.</summary>
    internal static string RandomTypedDataJson(RandomAbi rng, int index)
    {
        var r = rng.Random;
        int structCount = r.Next(1, 4);
        var structNames = Enumerable.Range(0, structCount).Select(k => $"Struct{index}x{k}").ToArray();
        var types = new JsonObject();
        var fieldsOf = new Dictionary<string, List<(string Name, string Type)>>();
        for (int k = structCount - 1; k >= 0; k--)
        {
            var fields = new List<(string, string)>();
            int fieldCount = r.Next(1, 5);
            for (int f = 0; f < fieldCount; f++)
            {
                string type;
                if (k + 1 < structCount && r.Next(3) == 0)
                {
                    type = structNames[r.Next(k + 1, structCount)];
                }
                else
                {
                    AbiType atomic;
                    do
                    {
                        atomic = rng.Type(0);
                    }
                    while (atomic is ArrayType or TupleType);

                    type = atomic.CanonicalName;
                }

                type += r.Next(5) switch { 0 => "[]", 1 => $"[{r.Next(1, 3)}]", _ => "" };
                fields.Add(($"field{f}", type));
            }

            fieldsOf[structNames[k]] = fields;
            types[structNames[k]] = new JsonArray(fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Item1, ["type"] = f.Item2 }).ToArray());
        }

        var domainFields = new (string Name, string Type, Func<JsonNode> Value)[]
        {
            ("name", "string", () => "Dapp " + index),
            ("version", "string", () => r.Next(1, 9).ToString(CultureInfo.InvariantCulture)),
            ("chainId", "uint256", () => r.Next(1, 100000)),
            ("verifyingContract", "address", () => new Address(rng.Bytes(20)).ToLowerHex()),
            ("salt", "bytes32", () => Hex.Encode(rng.Bytes(32))),
        }.Where(_ => r.Next(4) > 0).ToArray();
        types["EIP712Domain"] = new JsonArray(domainFields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type }).ToArray());
        var domain = new JsonObject();
        foreach (var f in domainFields)
        {
            domain[f.Name] = f.Value();
        }

        JsonNode? ValueOf(string type)
        {
            if (type.EndsWith(']'))
            {
                int open = type.LastIndexOf('[');
                string element = type[..open];
                string length = type[(open + 1)..^1];
                int count = length.Length > 0 ? int.Parse(length, CultureInfo.InvariantCulture) : r.Next(0, 3);
                return new JsonArray(Enumerable.Range(0, count).Select(_ => ValueOf(element)).ToArray());
            }

            if (fieldsOf.TryGetValue(type, out var fields))
            {
                var obj = new JsonObject();
                foreach (var (name, fieldType) in fields)
                {
                    obj[name] = ValueOf(fieldType);
                }

                return obj;
            }

            AbiType abiType = AbiType.Parse(type);
            object? value = rng.Value(abiType);
            return abiType switch
            {
                UIntType or IntType => r.Next(2) == 0 && BigInteger.Abs((BigInteger)value!) < 1_000_000 ? (JsonNode)(long)(BigInteger)value! : ((BigInteger)value!).ToString(CultureInfo.InvariantCulture),
                AddressType => ((Address)value!).ToLowerHex(),
                BoolType => (bool)value!,
                FixedBytesType or BytesType => Hex.Encode((byte[])value!),
                StringType => (string)value!,
                _ => throw new InvalidOperationException(type),
            };
        }

        var root = new JsonObject
        {
            ["types"] = types,
            ["primaryType"] = structNames[0],
            ["domain"] = domain,
            ["message"] = ValueOf(structNames[0]),
        };
        return root.ToJsonString();
    }
}
