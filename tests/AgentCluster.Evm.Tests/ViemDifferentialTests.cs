using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Eip712;
using AgentCluster.Evm.Tests.Oracles;

namespace AgentCluster.Evm.Tests;

/// <summary>Differential tests against viem, run in one node process per test so that hundreds of cases stay cheap.</summary>
[Category("Differential")]
[Parallelizable(ParallelScope.Children)]
public class ViemDifferentialTests
{
    private static readonly int SeedOffset = int.TryParse(Environment.GetEnvironmentVariable("EVM_DIFF_SEED"), out int s) ? s : 0;

    private static void Compare(IReadOnlyList<JsonObject> requests, IReadOnlyList<string> ours)
    {
        string[] theirs = Viem.Run(requests);
        var failures = Enumerable.Range(0, requests.Count).Where(i => theirs[i] != ours[i])
            .Select(i => $"case {i}: {requests[i].ToJsonString()}\n  ours {ours[i]}\n  viem {theirs[i]}").ToList();
        Assert.That(failures, Is.Empty, $"{failures.Count} of {requests.Count} cases differ from viem (seed offset {SeedOffset}):\n" + string.Join("\n", failures.Take(10)));
    }

    private static JsonNode? Json(AbiType type, object? value) => type switch
    {
        UIntType or IntType => ((BigInteger)value!).ToString(CultureInfo.InvariantCulture),
        AddressType => ((Address)value!).ToLowerHex(),
        BoolType => (bool)value!,
        FixedBytesType or BytesType => Hex.Encode((byte[])value!),
        StringType => (string)value!,
        ArrayType a => new JsonArray(((object?[])value!).Select(v => Json(a.Element, v)).ToArray()),
        TupleType t => new JsonArray(((object?[])value!).Select((v, i) => Json(t.Components[i].Type, v)).ToArray()),
        _ => throw new ArgumentException(type.ToString()),
    };

    [Test]
    public void AbiEncode_RandomTypesAndValues_MatchViem()
    {
        var rng = new RandomAbi(101 + SeedOffset);
        var cases = Enumerable.Range(0, 300).Select(_ =>
        {
            var types = Enumerable.Range(0, rng.Random.Next(1, 5)).Select(_ => rng.Type(3)).ToArray();
            return (Types: types, Values: types.Select(rng.Value).ToArray());
        }).ToArray();
        var requests = cases.Select(c => new JsonObject
        {
            ["op"] = "abi",
            ["types"] = new JsonArray(c.Types.Select(t => (JsonNode)t.CanonicalName).ToArray()),
            ["values"] = new JsonArray(c.Types.Select((t, i) => Json(t, c.Values[i])).ToArray()),
        }).ToArray();
        Compare(requests, cases.Select(c => Hex.Encode(AbiEncoder.Encode(c.Types, c.Values))).ToArray());
        foreach (var (types, values) in cases)
        {
            Assert.That(RandomAbi.DeepEquals(AbiDecoder.Decode(types, AbiEncoder.Encode(types, values)), values), Is.True);
        }
    }

    [Test]
    public void AbiEncodePacked_IncludingSignedAndFixedBytesArrays_MatchesViem()
    {
        var rng = new RandomAbi(102 + SeedOffset);
        var cases = Enumerable.Range(0, 150).Select(_ =>
        {
            var types = Enumerable.Range(0, rng.Random.Next(1, 5)).Select(_ =>
            {
                AbiType t;
                do
                {
                    t = rng.Type(0);
                }
                while (t is ArrayType or TupleType);

                return rng.Random.Next(3) == 0 && !t.IsDynamic ? new ArrayType(t) : t;
            }).ToArray();
            return (Types: types, Values: types.Select(rng.Value).ToArray());
        }).ToArray();
        var requests = cases.Select(c => new JsonObject
        {
            ["op"] = "packed",
            ["types"] = new JsonArray(c.Types.Select(t => (JsonNode)t.CanonicalName).ToArray()),
            ["values"] = new JsonArray(c.Types.Select((t, i) => Json(t, c.Values[i])).ToArray()),
        }).ToArray();
        Compare(requests, cases.Select(c => Hex.Encode(AbiEncoder.EncodePacked(c.Types, c.Values))).ToArray());
    }

    [Test]
    public void Eip712_RandomTypedDataHash_MatchesViem()
    {
        var rng = new RandomAbi(103 + SeedOffset);
        var jsons = Enumerable.Range(0, 200).Select(i => CastDifferentialTests.RandomTypedDataJson(rng, i)).ToArray();
        var requests = jsons.Select(j => new JsonObject { ["op"] = "typedDataHash", ["json"] = j }).ToArray();
        Compare(requests, jsons.Select(j => Eip712TypedDataEncoder.Hash(TypedData.Parse(j)).ToString()).ToArray());
    }
}
