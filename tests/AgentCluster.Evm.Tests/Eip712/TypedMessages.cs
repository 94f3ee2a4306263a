using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace AgentCluster.Evm.Tests.Eip712;

// Typed-path message classes (Nethereum's [Struct] + [Parameter] shape) for the EIP-712 differential tests. Their EIP-712
// type strings are written out by hand again in TypedPathJson, independently of Nethereum's MemberDescriptionFactory.

/// <summary>An order: nested struct, struct array, address[], bytes, bytes32[], odd-sized ints, bytes4, fixed-size array.</summary>
[Struct("Order")]
public class Order
{
    [Parameter("address", "maker", 1)]
    public string Maker { get; set; } = "";

    [Parameter("tuple", "asset", 2, "Asset")]
    public Asset Asset { get; set; } = new();

    [Parameter("tuple[]", "fees", 3, "Fee[]")]
    public List<Fee> Fees { get; set; } = [];

    [Parameter("address[]", "allowed", 4)]
    public List<string> Allowed { get; set; } = [];

    [Parameter("bytes", "data", 5)]
    public byte[] Data { get; set; } = [];

    [Parameter("bytes32[]", "proof", 6)]
    public List<byte[]> Proof { get; set; } = [];

    [Parameter("uint96", "amount", 7)]
    public BigInteger Amount { get; set; }

    [Parameter("int24", "tick", 8)]
    public BigInteger Tick { get; set; }

    [Parameter("bool", "flag", 9)]
    public bool Flag { get; set; }

    [Parameter("string", "memo", 10)]
    public string Memo { get; set; } = "";

    [Parameter("bytes4", "selector", 11)]
    public byte[] Selector { get; set; } = new byte[4];

    [Parameter("uint256[2]", "range", 12)]
    public List<BigInteger> Range { get; set; } = [];
}

/// <summary>A nested struct with a bytes32.</summary>
[Struct("Asset")]
public class Asset
{
    [Parameter("address", "token", 1)]
    public string Token { get; set; } = "";

    [Parameter("uint256", "id", 2)]
    public BigInteger Id { get; set; }

    [Parameter("bytes32", "kind", 3)]
    public byte[] Kind { get; set; } = new byte[32];
}

/// <summary>An element of a struct array.</summary>
[Struct("Fee")]
public class Fee
{
    [Parameter("address", "recipient", 1)]
    public string Recipient { get; set; } = "";

    [Parameter("uint16", "bps", 2)]
    public BigInteger Bps { get; set; }
}

/// <summary>A struct whose nested struct (Order) itself holds a struct array (Fee[]).</summary>
[Struct("Batch")]
public class Batch
{
    [Parameter("string", "label", 1)]
    public string Label { get; set; } = "";

    [Parameter("tuple", "order", 2, "Order")]
    public Order Order { get; set; } = new();
}
