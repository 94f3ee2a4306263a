using System.Buffers.Binary;
using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Keepers.Tests.Attestation;

[TestFixture]
public sealed class FormatTests
{
    private static IEnumerable<string> Files() => TeeData.QuoteFiles();

    [TestCaseSource(nameof(Files))]
    public void Every_truncation_is_a_QuoteFormatException_never_an_index_crash(string file)
    {
        byte[] raw = DcapQuote.Parse(TeeData.Quote(file)).Raw;
        for (int length = 0; length < raw.Length; length += length < 700 ? 1 : 13)
        {
            QuoteFormatException e = Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(raw.AsSpan(0, length)), $"length {length}")!;
            Assert.That(e.Message, Does.Contain(e.Field).And.Contain($"offset {e.Offset}"));
        }
    }

    [Test]
    public void Garbage_is_a_QuoteFormatException_naming_the_field()
    {
        var random = new Random(12);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 6000)];
            random.NextBytes(bytes);
            Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(bytes));
        }

        QuoteFormatException e = Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(new byte[5000]))!;
        Assert.That(e.Field, Is.EqualTo("header.version"));
        Assert.That(e.Offset, Is.EqualTo(0));
    }

    [TestCase(2, 2, "header.attestation_key_type", 2, (ushort)3)]
    [TestCase(0, 2, "header.version", 0, (ushort)2)]
    [TestCase(4, 2, "header.tee_type", 4, (ushort)0x80)]
    public void A_wrong_header_field_is_named(int at, int size, string field, int offset, ushort value)
    {
        byte[] raw = TeeData.Quote("tdx_v4_phala.bin");
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(at, size), value);
        QuoteFormatException e = Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(raw))!;
        Assert.That(e.Field, Is.EqualTo(field));
        Assert.That(e.Offset, Is.EqualTo(offset));
    }

    [Test]
    public void A_signature_data_length_past_the_end_is_named()
    {
        byte[] raw = TeeData.Quote("sgx_v3_phala.bin");
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(432), 100_000);
        QuoteFormatException e = Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(raw))!;
        Assert.That(e.Field, Is.EqualTo("signature_data.length"));
        Assert.That(e.Offset, Is.EqualTo(432));
    }

    [Test]
    public void A_TDX_certification_data_type_other_than_6_is_named()
    {
        byte[] raw = TeeData.Quote("tdx_v4_phala.bin");
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(636 + 128), 5);
        QuoteFormatException e = Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(raw))!;
        Assert.That(e.Field, Is.EqualTo("signature_data.certification_data.type"));
        Assert.That(e.Offset, Is.EqualTo(636 + 128));
    }

    [Test]
    public void An_SGX_v3_quote_with_TDX_tee_type_is_rejected()
    {
        byte[] raw = TeeData.Quote("sgx_v3_phala.bin");
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(4), 0x81);
        Assert.That(Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(raw))!.Field, Is.EqualTo("header.tee_type"));
    }
}
