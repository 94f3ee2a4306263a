using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.ABI;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace AgentCluster.Evm.Tests.Differential;

/// <summary>
/// Keccak, selectors and ABI encoding as Nethereum does them (Sha3Keccack, FunctionABI/EventABI, ParametersEncoder,
/// FunctionCallEncoder, ParameterDecoder, ABIEncode packed) against cast and viem, on seeded random types and values.
/// </summary>
[Category("Differential")]
[Parallelizable(ParallelScope.Children)]
public class AbiDifferentialTests
{
    [Test]
    public void Keccak_OfRandomBytesAndStrings_MatchesCast()
    {
        var rng = RandomAbi.ForTest(1);
        var bytes = Enumerable.Range(0, 40).Select(i => rng.Bytes(rng.Next(0, i < 20 ? 40 : 300))).ToArray();
        Diff.WithCast(bytes.Select(b => new[] { "keccak", b.ToHex(true) }).ToArray(), (i, cast) =>
        {
            string ours = Sha3Keccack.Current.CalculateHash(bytes[i]).ToHex(true);
            return ours == cast ? null : $"ours {ours}, cast {cast}";
        });

        // Text that does not start with 0x is hashed by cast as its UTF-8 bytes, as Sha3Keccack.CalculateHash(string) does.
        var texts = Enumerable.Range(0, 20).Select(_ => "t" + rng.Text()).ToArray();
        Diff.WithCast(texts.Select(t => new[] { "keccak", t }).ToArray(), (i, cast) =>
        {
            string ours = RandomAbi.Hex(Sha3Keccack.Current.CalculateHash(texts[i]));
            return ours == cast ? null : $"ours {ours}, cast {cast}";
        });
    }

    [Test]
    public void Keccak_OfRandomBytes_MatchesViem()
    {
        var rng = RandomAbi.ForTest(2);
        var inputs = Enumerable.Range(0, 400).Select(i => rng.Bytes(i < 300 ? i : rng.Next(300, 3000))).ToArray();
        Diff.WithViem(inputs.Select(b => new JsonObject { ["op"] = "keccak", ["hex"] = b.ToHex(true) }).ToArray(),
            inputs.Select(b => Sha3Keccack.Current.CalculateHash(b).ToHex(true)).ToArray());
    }

    private static (FunctionABI Function, EventABI Event, string Canonical)[] RandomSignatures(RandomAbi rng, int count, int depth) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var types = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => rng.Type(depth)).ToArray();
            string name = (rng.Next(2) == 0 ? "f" : "Ev_") + i;
            var function = new FunctionABI(name, false) { InputParameters = RandomAbi.ToParameters(types) };
            var @event = new EventABI(name) { InputParameters = RandomAbi.ToParameters(types) };
            return (function, @event, $"{name}({string.Join(",", types.Select(t => t.Canonical))})");
        }).ToArray();

    [Test]
    public void FunctionSelectorsAndEventTopics_OfRandomSignatures_MatchCast()
    {
        var cases = RandomSignatures(RandomAbi.ForTest(3), 30, 2);
        Diff.WithCast(cases.Select(c => new[] { "sig", c.Canonical }).ToArray(), (i, cast) =>
        {
            var (function, _, canonical) = cases[i];
            if (function.Signature != canonical)
            {
                return $"Nethereum's signature text {function.Signature} != {canonical}";
            }

            return RandomAbi.Hex(function.Sha3Signature) == cast ? null : $"ours {function.Sha3Signature}, cast {cast}";
        });
        Diff.WithCast(cases.Select(c => new[] { "sig-event", c.Canonical }).ToArray(), (i, cast) =>
        {
            var (_, @event, canonical) = cases[i];
            if (@event.Signature != canonical)
            {
                return $"Nethereum's signature text {@event.Signature} != {canonical}";
            }

            return RandomAbi.Hex(@event.Sha3Signature) == cast ? null : $"ours {@event.Sha3Signature}, cast {cast}";
        });
    }

    [Test]
    public void FunctionSelectorsAndEventTopics_OfRandomSignatures_MatchViem()
    {
        var cases = RandomSignatures(RandomAbi.ForTest(4), 200, 3);
        Diff.WithViem(cases.Select(c => new JsonObject { ["op"] = "selector", ["signature"] = c.Canonical }).ToArray(),
            cases.Select(c => RandomAbi.Hex(c.Function.Sha3Signature)).ToArray());
        Diff.WithViem(cases.Select(c => new JsonObject { ["op"] = "eventTopic", ["signature"] = c.Canonical }).ToArray(),
            cases.Select(c => RandomAbi.Hex(c.Event.Sha3Signature)).ToArray());
    }

    private static (AbiT[] Types, object[] Values)[] RandomCases(RandomAbi rng, int count, int depth, int maxParameters = 5) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            var types = Enumerable.Range(0, rng.Next(1, maxParameters)).Select(_ => rng.Type(depth)).ToArray();
            return (types, types.Select(rng.Value).ToArray());
        }).ToArray();

    /// <summary>Encodes with ParametersEncoder; null when the encoding agrees with <paramref name="theirs"/> and decodes back to the values.</summary>
    private static string? EncodeAndDecodeMismatch(AbiT[] types, object[] values, string theirs)
    {
        string ours = new ParametersEncoder().EncodeParameters(RandomAbi.ToParameters(types), values).ToHex(true);
        if (ours != theirs)
        {
            return $"encoding differs\n  ours  {ours}\n  other {theirs}";
        }

        List<ParameterOutput> decoded = new ParameterDecoder().DecodeDefaultData(theirs.HexToByteArray(), RandomAbi.ToParameters(types));
        for (int j = 0; j < types.Length; j++)
        {
            if (RandomAbi.DecodedMismatch(types[j], decoded[j].Result, values[j], "p" + j) is { } problem)
            {
                return "ParameterDecoder: " + problem;
            }
        }

        return null;
    }

    [Test]
    public void AbiEncode_RandomNestedTypesAndValues_MatchCast_AndDecodeBack()
    {
        var cases = RandomCases(RandomAbi.ForTest(5), 120, 2);
        Diff.WithCast(cases.Select(c => (string[])["abi-encode", $"f({string.Join(",", c.Types.Select(t => t.Canonical))})", "--",
                .. c.Types.Select((t, j) => RandomAbi.CastArgument(t, c.Values[j]))]).ToArray(),
            (i, cast) => EncodeAndDecodeMismatch(cases[i].Types, cases[i].Values, cast));
    }

    [Test]
    public void AbiEncode_RandomNestedTypesAndValues_MatchViem_AndDecodeBack()
    {
        var cases = RandomCases(RandomAbi.ForTest(6), 400, 3);
        var requests = cases.Select(c => new JsonObject
        {
            ["op"] = "abi",
            ["types"] = new JsonArray(c.Types.Select(t => (JsonNode)t.Canonical).ToArray()),
            ["values"] = new JsonArray(c.Types.Select((t, j) => RandomAbi.Json(t, c.Values[j])).ToArray()),
        }).ToArray();
        Diff.WithViem(requests, (i, viem) => EncodeAndDecodeMismatch(cases[i].Types, cases[i].Values, viem));
    }

    [Test]
    public void Calldata_RandomFunctions_MatchesCast_AndDecodesBack()
    {
        var rng = RandomAbi.ForTest(7);
        var cases = RandomCases(rng, 50, 2, 4).Select((c, i) => (Name: "call" + i, c.Types, c.Values)).ToArray();
        Diff.WithCast(cases.Select(c => (string[])["calldata", $"{c.Name}({string.Join(",", c.Types.Select(t => t.Canonical))})",
                .. c.Types.Select((t, j) => RandomAbi.CastArgument(t, c.Values[j]))]).ToArray(), (i, cast) =>
        {
            var (name, types, values) = cases[i];
            var function = new FunctionABI(name, false) { InputParameters = RandomAbi.ToParameters(types) };
            string ours = RandomAbi.Hex(new FunctionCallEncoder().EncodeRequest(function.Sha3Signature, function.InputParameters, values));
            if (ours != cast)
            {
                return $"ours {ours}\n  cast {cast}";
            }

            List<ParameterOutput> decoded = new FunctionCallDecoder().DecodeFunctionInput(function.Sha3Signature, cast, RandomAbi.ToParameters(types));
            for (int j = 0; j < types.Length; j++)
            {
                if (RandomAbi.DecodedMismatch(types[j], decoded[j].Result, values[j], "p" + j) is { } problem)
                {
                    return "FunctionCallDecoder: " + problem;
                }
            }

            return null;
        });
    }

    [Test]
    public void AbiEncodePacked_AtomicTypesAndStaticArrays_MatchesViem()
    {
        // abi.encodePacked: atomic values unpadded, array elements padded to 32 bytes (sign-extended ints, right-padded bytesN),
        // as Solidity and viem do; cast zero-extends inside packed arrays, so viem is the oracle here.
        var rng = RandomAbi.ForTest(8);
        var cases = Enumerable.Range(0, 300).Select(_ =>
        {
            var types = Enumerable.Range(0, rng.Next(1, 5)).Select(_ =>
            {
                AbiT t = rng.AtomicType();
                return rng.Next(3) == 0 && !t.IsDynamic ? new ArrayT(t, rng.Next(2) == 0 ? null : rng.Next(1, 4)) : t;
            }).ToArray();
            return (Types: types, Values: types.Select(rng.Value).ToArray());
        }).ToArray();
        var requests = cases.Select(c => new JsonObject
        {
            ["op"] = "packed",
            ["types"] = new JsonArray(c.Types.Select(t => (JsonNode)t.Canonical).ToArray()),
            ["values"] = new JsonArray(c.Types.Select((t, j) => RandomAbi.Json(t, c.Values[j])).ToArray()),
        }).ToArray();
        Diff.WithViem(requests, (i, viem) =>
        {
            var (types, values) = cases[i];
            string ours = new ABIEncode().GetABIEncodedPacked(types.Select((t, j) => new ABIValue(t.Canonical, values[j])).ToArray()).ToHex(true);
            return ours == viem ? null : $"ours {ours}\n  viem {viem}";
        });
    }

    [Test]
    public void Utf8Strings_AreEncodedAsUtf8Bytes()
    {
        // The random strings include non-ASCII letters; this pins that they reach the encoders as UTF-8 (cast and viem agree above).
        byte[] encoded = new ParametersEncoder().EncodeParameters([new Parameter("string", "s", 1)], "日本€");
        Assert.That(encoded.Skip(64).Take(9).ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes("日本€")));
        Assert.That(encoded[63], Is.EqualTo(9), "the length is the UTF-8 byte count");
    }
}
