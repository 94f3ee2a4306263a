using System.Text.Json.Nodes;
using AgentCluster.Evm.Tests.Differential;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.ABI.EIP712;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;

namespace AgentCluster.Evm.Tests.Eip712;

/// <summary>
/// EIP-712 as Nethereum does it (Eip712TypedDataSigner / Eip712TypedDataEncoder; the JSON path and the typed path
/// TypedData&lt;Domain&gt; + [Struct] classes) against `cast wallet sign --data` and viem's hashTypedData, on seeded random typed
/// data; the gaps found are pinned by tests named Gap_*, each saying why, so that a Nethereum fix shows up as a failure.
/// </summary>
[Category("Differential")]
[Parallelizable(ParallelScope.Children)]
public class Eip712DifferentialTests
{
    private static readonly Eip712TypedDataSigner Signer = Eip712TypedDataSigner.Current;
    private static readonly Eip712TypedDataEncoder Encoder = Eip712TypedDataEncoder.Current;

    private static string[] CastSign(EthECKey key, string json) => ["wallet", "sign", "--data", "--private-key", RandomAbi.KeyHex(key), json];

    private static JsonObject ViemHash(string json) => new() { ["op"] = "typedDataHash", ["json"] = json };

    [Test]
    public void JsonPath_RandomTypedData_MatchesCastSignature_AndRecovers()
    {
        var rng = RandomAbi.ForTest(41);
        var cases = Enumerable.Range(0, 40).Select(i => (Key: rng.Key(), Json: RandomTypedData.Json(rng, i, fixedBytesArrays: false))).ToArray();
        Diff.WithCast(cases.Select(c => CastSign(c.Key, c.Json)).ToArray(), (i, cast) =>
        {
            string ours = Signer.SignTypedDataV4(cases[i].Json, cases[i].Key).ToLowerInvariant();
            if (ours != cast)
            {
                return $"ours {ours}, cast {cast}";
            }

            string recovered = Signer.RecoverFromSignatureV4(cases[i].Json, cast);
            return recovered == cases[i].Key.GetPublicAddress() ? null : $"cast's signature recovers {recovered}";
        });
    }

    /// <summary>
    /// What the project signs EIP-712 with (the CLI's sign-typed-data): Secp256k1Signer over Nethereum's digest, on keys including
    /// those below 2^248, 1 and n-1, against cast; and the signature recovers to the signer through Nethereum.
    /// </summary>
    [Test]
    public void Secp256k1Signer_OverTheDigest_MatchesCastSignature_OnKeysIncludingLeadingZeroOnes_AndRecovers()
    {
        var rng = RandomAbi.ForTest(45);
        var cases = Signing.TestKeys.Mix(rng, 30).Select((k, i) => (Key: k, Json: RandomTypedData.Json(rng, i, fixedBytesArrays: false))).ToArray();
        Diff.WithCast(cases.Select(c => (string[])["wallet", "sign", "--data", "--private-key", Signing.TestKeys.Hex(c.Key), c.Json]).ToArray(), (i, cast) =>
        {
            var signer = new AgentCluster.Evm.Signing.Secp256k1Signer(cases[i].Key);
            string ours = EthECDSASignature.CreateStringSignature(signer.SignHash(Encoder.EncodeAndHashTypedData(cases[i].Json))).ToLowerInvariant();
            if (ours != cast)
            {
                return $"ours {ours}, cast {cast}";
            }

            string recovered = Signer.RecoverFromSignatureV4(cases[i].Json, ours);
            return recovered == signer.Address ? null : $"the signature recovers {recovered}, not {signer.Address}";
        });
    }

    [Test]
    public void JsonPath_RandomTypedData_MatchesViemHash()
    {
        var rng = RandomAbi.ForTest(42);
        var jsons = Enumerable.Range(0, 300).Select(i => RandomTypedData.Json(rng, i, fixedBytesArrays: false)).ToArray();
        Diff.WithViem(jsons.Select(ViemHash).ToArray(), jsons.Select(j => Encoder.EncodeAndHashTypedData(j).ToHex(true)).ToArray());
    }

    [Test]
    public void TypedPath_RandomOrders_WithNestedStructStructArrayAddressesBytesAndBytes32Array_MatchCastSignature()
    {
        var rng = RandomAbi.ForTest(43);
        var cases = Enumerable.Range(0, 25).Select(_ => (Key: rng.Key(), Domain: TypedPathJson.RandomDomain(rng), Order: TypedPathJson.RandomOrder(rng))).ToArray();
        Diff.WithCast(cases.Select(c => CastSign(c.Key, TypedPathJson.OrderJson(c.Domain, c.Order))).ToArray(), (i, cast) =>
        {
            var (key, domain, order) = cases[i];
            var typedData = TypedPathJson.TypedData(domain, order, "Order", typeof(Order), typeof(Asset), typeof(Fee));
            string ours = Signer.SignTypedDataV4(typedData, key).ToLowerInvariant();
            if (ours != cast)
            {
                return $"ours {ours}, cast {cast}";
            }

            string recovered = Signer.RecoverFromSignatureV4(typedData, cast);
            return recovered == key.GetPublicAddress() ? null : $"cast's signature recovers {recovered}";
        });
    }

    [Test]
    public void TypedPath_RandomOrders_MatchViemHash()
    {
        var rng = RandomAbi.ForTest(44);
        var cases = Enumerable.Range(0, 200).Select(_ => (Domain: TypedPathJson.RandomDomain(rng), Order: TypedPathJson.RandomOrder(rng))).ToArray();
        Diff.WithViem(cases.Select(c => ViemHash(TypedPathJson.OrderJson(c.Domain, c.Order))).ToArray(),
            cases.Select(c => Encoder.EncodeAndHashTypedData(TypedPathJson.TypedData(c.Domain, c.Order, "Order", typeof(Order), typeof(Asset), typeof(Fee))).ToHex(true)).ToArray());
    }

    private static string Typed(string types, string primaryType, string message) =>
        ("{'types':{'EIP712Domain':[{'name':'name','type':'string'},{'name':'chainId','type':'uint256'}]," + types + "},'primaryType':'" + primaryType +
         "','domain':{'name':'Gap','chainId':1},'message':" + message + "}").Replace('\'', '"');

    private static readonly EthECKey GapKey = new("0x4646464646464646464646464646464646464646464646464646464646464646");

    /// <summary>
    /// GAP (Nethereum 6.1.0, in NOTES.md): the JSON path hands the hex strings inside a bytesN[] to the ABI encoder as they
    /// are: for bytes32[] the encoder takes the string's UTF-8 bytes (a full-length hex value is 66 bytes of text, so it
    /// throws; a short string would silently give a wrong digest); for the other sizes it wants a byte[] and throws. cast
    /// and viem sign both. The typed path
    /// (TypedData&lt;Domain&gt; + [Struct] classes with List&lt;byte[]&gt;) is right: TypedPath_* above cover bytes32[].
    /// If this test fails, Nethereum fixed the JSON path.
    /// </summary>
    [TestCase("bytes32[]", "'0x1111111111111111111111111111111111111111111111111111111111111111','0x00000000000000000000000000000000000000000000000000000000000000ff'", "UTF8 bytes for the string")]
    [TestCase("bytes4[]", "'0xa9059cbb'", "byte[] value expected")]
    public void Gap_JsonPath_CannotReadHexInsideFixedBytesArrays(string type, string items, string reason)
    {
        string json = Typed("'M':[{'name':'v','type':'" + type + "'}]", "M", "{'v':[" + items + "]}");
        string cast = Cast.Run(CastSign(GapKey, json));
        Assert.That(cast, Does.Match("^0x[0-9a-f]{130}$"), "cast signs it");
        var e = Assert.Throws<AbiEncodingException>(() => Signer.SignTypedDataV4(json, GapKey), "Nethereum's JSON path no longer refuses " + type);
        Assert.That(e!.InnerException?.Message, Does.Contain(reason), "the encoder got the hex string itself, not its bytes");
    }

    /// <summary>
    /// GAP (Nethereum 6.1.0, found here): on the typed path, MemberValueFactory.CreateFromTuple drops a struct-array field
    /// of a NESTED struct (Batch.order.fees here: the value is built but never added), so the digest is silently wrong. A
    /// struct array directly in the primary type is fine (TypedPath_* above), and the JSON path gets this message right.
    /// Workaround: keep struct arrays in the primary type, or sign such messages through the JSON path. If this test
    /// fails, Nethereum fixed it.
    /// </summary>
    [Test]
    public void Gap_TypedPath_DropsAStructArrayInsideANestedStruct()
    {
        var rng = RandomAbi.ForTest(45);
        Domain domain = TypedPathJson.RandomDomain(rng);
        Order order = TypedPathJson.RandomOrder(rng);
        order.Proof = []; // keeps the JSON path (which cannot read bytes32[] values) usable as the control
        var batch = new Batch { Label = "batch", Order = order };
        string json = TypedPathJson.BatchJson(domain, batch);
        string viem = Viem.Run([ViemHash(json)])[0];
        string cast = Cast.Run(CastSign(GapKey, json));

        Assert.That(Encoder.EncodeAndHashTypedData(json).ToHex(true), Is.EqualTo(viem), "control: the JSON path gets the nested struct array right");
        Assert.That(Signer.SignTypedDataV4(json, GapKey).ToLowerInvariant(), Is.EqualTo(cast), "control: the JSON path signs as cast does");

        var typedData = TypedPathJson.TypedData(domain, batch, "Batch", typeof(Batch), typeof(Order), typeof(Asset), typeof(Fee));
        Assert.That(Encoder.GetEncodedType("Batch", typeof(Domain), typeof(Batch), typeof(Order), typeof(Asset), typeof(Fee)),
            Is.EqualTo("Batch(string label,Order order)Asset(address token,uint256 id,bytes32 kind)Fee(address recipient,uint16 bps)Order(address maker,Asset asset,Fee[] fees,address[] allowed,bytes data,bytes32[] proof,uint96 amount,int24 tick,bool flag,string memo,bytes4 selector,uint256[2] range)"),
            "the type string is right; the values are what goes wrong");
        Assert.That(Encoder.EncodeAndHashTypedData(typedData).ToHex(true), Is.Not.EqualTo(viem), "the typed path now hashes a nested struct array correctly: Nethereum fixed it");
        Assert.That(Signer.SignTypedDataV4(typedData, GapKey).ToLowerInvariant(), Is.Not.EqualTo(cast));
    }

    /// <summary>
    /// GAP (Nethereum 6.1.0, found here): EIP-712 orders the referenced struct types by name as plain code points (cast and
    /// viem: "Zeta" before "alpha"); Eip712TypedDataEncoder sorts them with the culture-aware default string comparer
    /// ("alpha" before "Zeta"), so the type hash, and with it the digest, differs whenever referenced type names differ in
    /// case at the position that decides the order (culture-aware and ordinal order agree for same-case names). Keep
    /// struct names in one case convention (PascalCase). If this test fails, Nethereum fixed it (or the process runs with
    /// invariant globalization, where the default comparer is ordinal).
    /// </summary>
    [Test]
    public void Gap_ReferencedTypesAreSortedCultureAwareNotByCodePoint()
    {
        string mixed = Typed("'Mail':[{'name':'a','type':'Zeta'},{'name':'b','type':'alpha'}],'Zeta':[{'name':'x','type':'uint8'}],'alpha':[{'name':'y','type':'uint8'}]",
            "Mail", "{'a':{'x':1},'b':{'y':2}}");
        string sameCase = Typed("'Mail':[{'name':'a','type':'Zeta'},{'name':'b','type':'Alpha'}],'Zeta':[{'name':'x','type':'uint8'}],'Alpha':[{'name':'y','type':'uint8'}]",
            "Mail", "{'a':{'x':1},'b':{'y':2}}");
        string[] cast = Cast.RunMany([CastSign(GapKey, mixed), CastSign(GapKey, sameCase)]);
        Assert.That(Signer.SignTypedDataV4(sameCase, GapKey).ToLowerInvariant(), Is.EqualTo(cast[1]), "control: same-case names agree");
        Assert.That(Signer.SignTypedDataV4(mixed, GapKey).ToLowerInvariant(), Is.Not.EqualTo(cast[0]), "mixed-case struct names now sort by code point: Nethereum fixed it");
    }

    /// <summary>
    /// GAP (Nethereum 6.1.0, found here): a struct whose name contains intN/uintN/bytesN (Point2, Mint1, Bytes32Holder...) is
    /// taken for an atomic type (Eip712TypedDataEncoder.IsReferenceType matches those patterns anywhere in the name) and
    /// Nethereum throws "Unknown type" where cast signs. Avoid such struct names. If this test fails, Nethereum fixed it.
    /// </summary>
    [TestCase("Point2")]
    [TestCase("Mint1")]
    public void Gap_StructNamesContainingIntNAreTakenForAtomicTypes(string name)
    {
        string json = Typed("'Mail':[{'name':'p','type':'" + name + "'}],'" + name + "':[{'name':'x','type':'uint8'}]", "Mail", "{'p':{'x':1}}");
        Assert.That(Cast.Run(CastSign(GapKey, json)), Does.Match("^0x[0-9a-f]{130}$"), "cast signs it");
        Assert.That(() => Signer.SignTypedDataV4(json, GapKey), Throws.ArgumentException.With.Message.Contains("Unknown type: " + name));
    }

    /// <summary>
    /// GAP (Nethereum 6.1.0, found here): the JSON path cannot read an array of struct arrays (Fee[][]): the inner arrays stay
    /// raw JSON objects and encoding throws InvalidCastException where cast signs. Arrays of atomic arrays (uint8[][]) work
    /// (control). If this test fails, Nethereum fixed it.
    /// </summary>
    [Test]
    public void Gap_JsonPath_CannotReadAnArrayOfStructArrays()
    {
        string nested = Typed("'Mail':[{'name':'p','type':'Fee[][]'}],'Fee':[{'name':'x','type':'uint8'}]", "Mail", "{'p':[[{'x':1}],[{'x':2},{'x':3}]]}");
        string atomic = Typed("'Mail':[{'name':'p','type':'uint8[][]'}]", "Mail", "{'p':[[1,2],[3]]}");
        string[] cast = Cast.RunMany([CastSign(GapKey, nested), CastSign(GapKey, atomic)]);
        Assert.That(Signer.SignTypedDataV4(atomic, GapKey).ToLowerInvariant(), Is.EqualTo(cast[1]), "control: uint8[][] agrees");
        Assert.That(cast[0], Does.Match("^0x[0-9a-f]{130}$"), "cast signs Fee[][]");
        Assert.That(() => Signer.SignTypedDataV4(nested, GapKey), Throws.InstanceOf<InvalidCastException>());
    }
}
