using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.Hex.HexConvertors.Extensions;

namespace AgentCluster.Evm.Tests.Eip712;

/// <summary>Seeded random EIP-712 typed data as eth_signTypedData_v4 JSON (what cast, viem and Nethereum's JSON path read).</summary>
internal static class RandomTypedData
{
    /// <summary>
    /// 1-3 struct types (each may use later ones as fields or arrays of them), atomic fields of every kind, arrays of atomic
    /// types, random domain fields. <paramref name="fixedBytesArrays"/> allows bytesN[] fields (Nethereum's JSON path gets those wrong).
    /// </summary>
    public static string Json(RandomAbi rng, int index, bool fixedBytesArrays)
    {
        int structCount = rng.Next(1, 4);
        var structNames = Enumerable.Range(0, structCount).Select(k => $"Struct{index}x{k}").ToArray();
        var types = new JsonObject();
        var fieldsOf = new Dictionary<string, List<(string Name, string Type)>>();
        for (int k = structCount - 1; k >= 0; k--)
        {
            var fields = new List<(string, string)>();
            int fieldCount = rng.Next(1, 5);
            for (int f = 0; f < fieldCount; f++)
            {
                string type;
                bool isFixedBytes = false;
                if (k + 1 < structCount && rng.Next(3) == 0)
                {
                    type = structNames[rng.Next(k + 1, structCount)];
                }
                else
                {
                    AbiT atomic = rng.AtomicType();
                    isFixedBytes = atomic is FixedBytesT;
                    type = atomic.Canonical;
                }

                if (!isFixedBytes || fixedBytesArrays)
                {
                    type += rng.Next(5) switch { 0 => "[]", 1 => $"[{rng.Next(1, 3)}]", _ => "" };
                }

                fields.Add(($"field{f}", type));
            }

            fieldsOf[structNames[k]] = fields;
            types[structNames[k]] = new JsonArray(fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Item1, ["type"] = f.Item2 }).ToArray());
        }

        var domainFields = new (string Name, string Type, Func<JsonNode> Value)[]
        {
            ("name", "string", () => "Dapp " + index),
            ("version", "string", () => rng.Next(1, 9).ToString(CultureInfo.InvariantCulture)),
            ("chainId", "uint256", () => rng.Next(1, 100000)),
            ("verifyingContract", "address", () => rng.Address()),
            ("salt", "bytes32", () => rng.Bytes(32).ToHex(true)),
        }.Where(_ => rng.Next(4) > 0).ToArray();
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
                string length = type[(open + 1)..^1];
                int count = length.Length > 0 ? int.Parse(length, CultureInfo.InvariantCulture) : rng.Next(0, 3);
                return new JsonArray(Enumerable.Range(0, count).Select(_ => ValueOf(type[..open])).ToArray());
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

            return Atomic(rng, type);
        }

        return new JsonObject
        {
            ["types"] = types,
            ["primaryType"] = structNames[0],
            ["domain"] = domain,
            ["message"] = ValueOf(structNames[0]),
        }.ToJsonString();
    }

    /// <summary>A random JSON value for an atomic EIP-712 type; small integers sometimes as JSON numbers, else decimal strings.</summary>
    public static JsonNode? Atomic(RandomAbi rng, string type)
    {
        AbiT t = type switch
        {
            "address" => new AddressT(),
            "bool" => new BoolT(),
            "bytes" => new BytesT(),
            "string" => new StringT(),
            _ when type.StartsWith("uint", StringComparison.Ordinal) => new UIntT(int.Parse(type[4..], CultureInfo.InvariantCulture)),
            _ when type.StartsWith("int", StringComparison.Ordinal) => new IntT(int.Parse(type[3..], CultureInfo.InvariantCulture)),
            _ when type.StartsWith("bytes", StringComparison.Ordinal) => new FixedBytesT(int.Parse(type[5..], CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException(type),
        };
        object value = rng.Value(t);
        return value switch
        {
            BigInteger b => rng.Next(2) == 0 && BigInteger.Abs(b) < 1_000_000 ? (JsonNode)(long)b : b.ToString(CultureInfo.InvariantCulture),
            string s => s,
            bool f => f,
            byte[] bytes => bytes.ToHex(true),
            _ => throw new InvalidOperationException(type),
        };
    }
}
