using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.ABI.EIP712;
using Nethereum.Hex.HexConvertors.Extensions;

namespace AgentCluster.Evm.Tests.Eip712;

/// <summary>Random typed-path messages, and the eth_signTypedData_v4 JSON of the same data, written here by hand for cast and viem.</summary>
internal static class TypedPathJson
{
    public static Domain RandomDomain(RandomAbi rng) => new()
    {
        Name = "Dapp " + rng.Text(),
        Version = rng.Next(1, 9).ToString(CultureInfo.InvariantCulture),
        ChainId = rng.Next(3) == 0 ? 8453 : rng.Edge(1, BigInteger.Pow(2, 64)),
        VerifyingContract = rng.Address(),
    };

    public static Order RandomOrder(RandomAbi rng) => new()
    {
        Maker = rng.Address(),
        Asset = new Asset { Token = rng.Address(), Id = rng.Edge(0, BigInteger.Pow(2, 256) - 1), Kind = rng.Bytes(32) },
        Fees = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => new Fee { Recipient = rng.Address(), Bps = rng.Edge(0, 65535) }).ToList(),
        Allowed = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => rng.Address()).ToList(),
        Data = rng.Bytes(rng.Next(3) switch { 0 => 0, 1 => rng.Next(1, 33), _ => rng.Next(33, 200) }),
        Proof = Enumerable.Range(0, rng.Next(0, 5)).Select(_ => rng.Bytes(32)).ToList(),
        Amount = rng.Edge(0, BigInteger.Pow(2, 96) - 1),
        Tick = rng.Edge(-(BigInteger.One << 23), (BigInteger.One << 23) - 1),
        Flag = rng.Next(2) == 1,
        Memo = rng.Text(),
        Selector = rng.Bytes(4),
        Range = [rng.Edge(0, BigInteger.Pow(2, 256) - 1), rng.Edge(0, BigInteger.Pow(2, 256) - 1)],
    };

    private static JsonArray Fields(params (string Name, string Type)[] fields) =>
        new(fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type }).ToArray());

    private static JsonObject Types(bool withBatch)
    {
        var types = new JsonObject
        {
            ["EIP712Domain"] = Fields(("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address")),
            ["Order"] = Fields(("maker", "address"), ("asset", "Asset"), ("fees", "Fee[]"), ("allowed", "address[]"), ("data", "bytes"),
                ("proof", "bytes32[]"), ("amount", "uint96"), ("tick", "int24"), ("flag", "bool"), ("memo", "string"), ("selector", "bytes4"),
                ("range", "uint256[2]")),
            ["Asset"] = Fields(("token", "address"), ("id", "uint256"), ("kind", "bytes32")),
            ["Fee"] = Fields(("recipient", "address"), ("bps", "uint16")),
        };
        if (withBatch)
        {
            types["Batch"] = Fields(("label", "string"), ("order", "Order"));
        }

        return types;
    }

    private static string Dec(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static JsonObject DomainJson(Domain d) => new()
    {
        ["name"] = d.Name,
        ["version"] = d.Version,
        ["chainId"] = Dec(d.ChainId!.Value),
        ["verifyingContract"] = d.VerifyingContract,
    };

    private static JsonObject OrderValue(Order o) => new()
    {
        ["maker"] = o.Maker,
        ["asset"] = new JsonObject { ["token"] = o.Asset.Token, ["id"] = Dec(o.Asset.Id), ["kind"] = o.Asset.Kind.ToHex(true) },
        ["fees"] = new JsonArray(o.Fees.Select(f => (JsonNode)new JsonObject { ["recipient"] = f.Recipient, ["bps"] = Dec(f.Bps) }).ToArray()),
        ["allowed"] = new JsonArray(o.Allowed.Select(a => (JsonNode)a).ToArray()),
        ["data"] = o.Data.ToHex(true),
        ["proof"] = new JsonArray(o.Proof.Select(p => (JsonNode)p.ToHex(true)).ToArray()),
        ["amount"] = Dec(o.Amount),
        ["tick"] = Dec(o.Tick),
        ["flag"] = o.Flag,
        ["memo"] = o.Memo,
        ["selector"] = o.Selector.ToHex(true),
        ["range"] = new JsonArray(o.Range.Select(r => (JsonNode)Dec(r)).ToArray()),
    };

    public static string OrderJson(Domain domain, Order order) => new JsonObject
    {
        ["types"] = Types(withBatch: false),
        ["primaryType"] = "Order",
        ["domain"] = DomainJson(domain),
        ["message"] = OrderValue(order),
    }.ToJsonString();

    public static string BatchJson(Domain domain, Batch batch) => new JsonObject
    {
        ["types"] = Types(withBatch: true),
        ["primaryType"] = "Batch",
        ["domain"] = DomainJson(domain),
        ["message"] = new JsonObject { ["label"] = batch.Label, ["order"] = OrderValue(batch.Order) },
    }.ToJsonString();

    /// <summary>Nethereum's typed path: TypedData&lt;Domain&gt; with the types from MemberDescriptionFactory and the message from the class.</summary>
    public static TypedData<Domain> TypedData<TMessage>(Domain domain, TMessage message, string primaryType, params Type[] structTypes)
    {
        var typedData = new TypedData<Domain>
        {
            Domain = domain,
            Types = MemberDescriptionFactory.GetTypesMemberDescription([typeof(Domain), .. structTypes]),
            PrimaryType = primaryType,
        };
        typedData.SetMessage(message);
        return typedData;
    }
}
