using System.Text.Json;
using AgentCluster.Solana.Rpc;

namespace AgentCluster.Solana.Tests.Rpc;

/// <summary>The RPC's transaction error shapes, decoded (the shapes are the real node's serde forms).</summary>
public class TransactionErrorTests
{
    private static TransactionError? Parse(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return TransactionError.FromJson(doc.RootElement);
    }

    [Test]
    public void Shapes_are_decoded_into_kind_index_and_custom_code()
    {
        Assert.That(Parse("null"), Is.Null);
        Assert.That(Parse("\"BlockhashNotFound\""), Is.EqualTo(new TransactionError("BlockhashNotFound", null, null, null, "\"BlockhashNotFound\"")));
        TransactionError custom = Parse("""{"InstructionError":[2,{"Custom":6001}]}""")!;
        Assert.That((custom.Kind, custom.InstructionIndex, custom.InstructionErrorKind, custom.CustomCode), Is.EqualTo(("InstructionError", (int?)2, "Custom", (uint?)6001)));
        TransactionError named = Parse("""{"InstructionError":[0,"InvalidArgument"]}""")!;
        Assert.That((named.InstructionIndex, named.InstructionErrorKind, named.CustomCode), Is.EqualTo(((int?)0, "InvalidArgument", (uint?)null)));
        TransactionError rent = Parse("""{"InsufficientFundsForRent":{"account_index":1}}""")!;
        Assert.That((rent.Kind, rent.InstructionIndex, rent.Json), Is.EqualTo(("InsufficientFundsForRent", (int?)null, """{"InsufficientFundsForRent":{"account_index":1}}""")));
    }
}
