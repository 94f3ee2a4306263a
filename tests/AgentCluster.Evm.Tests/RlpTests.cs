using AgentCluster.Evm.Rlp;

namespace AgentCluster.Evm.Tests;

public class RlpTests
{
    private static RlpString S(string text) => RlpString.Of(System.Text.Encoding.ASCII.GetBytes(text));

    // The examples from the Ethereum wiki's RLP page (ethereum.org/developers/docs/data-structures-and-encoding/rlp).
    private static IEnumerable<TestCaseData> WikiExamples()
    {
        yield return new TestCaseData(S("dog"), "0x83646f67").SetName("Rlp_dog");
        yield return new TestCaseData(new RlpList(S("cat"), S("dog")), "0xc88363617483646f67").SetName("Rlp_catDogList");
        yield return new TestCaseData(RlpString.Empty, "0x80").SetName("Rlp_emptyString");
        yield return new TestCaseData(new RlpList(), "0xc0").SetName("Rlp_emptyList");
        yield return new TestCaseData(RlpString.OfInteger(0), "0x80").SetName("Rlp_integer0");
        yield return new TestCaseData(RlpString.Of([0x00]), "0x00").SetName("Rlp_byte00");
        yield return new TestCaseData(RlpString.Of([0x0f]), "0x0f").SetName("Rlp_byte0f");
        yield return new TestCaseData(RlpString.Of([0x04, 0x00]), "0x820400").SetName("Rlp_bytes0400");
        yield return new TestCaseData(RlpString.OfInteger(1024), "0x820400").SetName("Rlp_integer1024");
        yield return new TestCaseData(
            new RlpList(new RlpList(), new RlpList(new RlpList()), new RlpList(new RlpList(), new RlpList(new RlpList()))),
            "0xc7c0c1c0c3c0c1c0").SetName("Rlp_setTheoreticalThree");
        yield return new TestCaseData(
            S("Lorem ipsum dolor sit amet, consectetur adipisicing elit"),
            "0xb838" + Convert.ToHexStringLower(System.Text.Encoding.ASCII.GetBytes("Lorem ipsum dolor sit amet, consectetur adipisicing elit"))).SetName("Rlp_longString");
    }

    [TestCaseSource(nameof(WikiExamples))]
    public void EncodeAndDecode_MatchWikiExamples(RlpItem item, string hex)
    {
        Assert.That(Hex.Encode(RlpEncoder.Encode(item)), Is.EqualTo(hex));
        Assert.That(RlpEncoder.Decode(Hex.Decode(hex)), Is.EqualTo(item));
    }

    [Test]
    public void LongList_UsesLongForm()
    {
        var list = new RlpList(Enumerable.Range(0, 20).Select(i => (RlpItem)S("abc")).ToArray());
        byte[] encoded = RlpEncoder.Encode(list);
        Assert.That(encoded[0], Is.EqualTo(0xf8));
        Assert.That(encoded[1], Is.EqualTo(80));
        Assert.That(RlpEncoder.Decode(encoded), Is.EqualTo(list));
    }

    /// <summary>Long-form headers by the yellow paper's rule: 0xb7/0xf7 plus the count of big-endian length bytes, then the length.</summary>
    [TestCase(56, false, "b838")]
    [TestCase(255, false, "b8ff")]
    [TestCase(256, false, "b90100")]
    [TestCase(1024, false, "b90400")]
    [TestCase(65535, false, "b9ffff")]
    [TestCase(65536, false, "ba010000")]
    [TestCase(70000, false, "ba011170")]
    [TestCase(56, true, "f838")]
    [TestCase(256, true, "f90100")]
    [TestCase(70000, true, "fa011170")]
    public void LongForm_HeaderCarriesTheLengthBigEndian(int payloadLength, bool list, string header)
    {
        var bytes = new byte[payloadLength];
        new Random(payloadLength).NextBytes(bytes);

        // As a list: one single-byte item (< 0x80, encoded as itself) per byte, so the payload is payloadLength bytes.
        RlpItem item = list
            ? new RlpList(bytes.Select(b => (RlpItem)RlpString.Of([(byte)(b & 0x7f)])).ToArray())
            : RlpString.Of(bytes);
        byte[] encoded = RlpEncoder.Encode(item);
        Assert.That(Convert.ToHexStringLower(encoded[..(header.Length / 2)]), Is.EqualTo(header));
        Assert.That(encoded, Has.Length.EqualTo((header.Length / 2) + payloadLength));
        Assert.That(RlpEncoder.Decode(encoded), Is.EqualTo(item));
    }

    [TestCase("0x8100", "single byte 0x00 must be encoded as itself")]
    [TestCase("0xb80100", "must use the short form")]
    [TestCase("0xb9000100", "leading zero")]
    [TestCase("0x83646f", "declares 3 byte(s) but only 2 remain")]
    [TestCase("0x83646f6700", "1 trailing byte")]
    [TestCase("0xc283646f67", "enclosing list")]
    [TestCase("0x", "ended at offset 0")]
    public void Decode_RejectsMalformedOrNonCanonicalInput(string hex, string message)
    {
        var e = Assert.Throws<RlpException>(() => RlpEncoder.Decode(Hex.Decode(hex)));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void ToInteger_RejectsLeadingZeros()
    {
        var e = Assert.Throws<RlpException>(() => RlpString.Of([0, 1]).ToInteger("nonce"));
        Assert.That(e!.Message, Does.Contain("nonce has a leading zero"));
    }

    [Test]
    public void RandomRoundTrips_AreStable()
    {
        var random = new Random(1234);
        for (int i = 0; i < 300; i++)
        {
            RlpItem item = RandomItem(random, 3);
            Assert.That(RlpEncoder.Decode(RlpEncoder.Encode(item)), Is.EqualTo(item));
        }
    }

    internal static RlpItem RandomItem(Random random, int depth)
    {
        if (depth == 0 || random.Next(3) > 0)
        {
            int length = random.Next(4) switch { 0 => 0, 1 => 1, 2 => random.Next(2, 56), _ => random.Next(56, 300) };
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return RlpString.Of(bytes);
        }

        return new RlpList(Enumerable.Range(0, random.Next(0, 6)).Select(_ => RandomItem(random, depth - 1)).ToArray());
    }
}
