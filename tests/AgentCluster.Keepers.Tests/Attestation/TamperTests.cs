using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Keepers.Tests.Attestation;

/// <summary>One bit flipped in each part of each real quote: rejected, and the failing check names the part.</summary>
[TestFixture]
public sealed class TamperTests
{
    private static IEnumerable<string> Files() => TeeData.QuoteFiles();

    private static QuoteVerificationResult VerifyFlipped(byte[] original, int offset, int bit = 0)
    {
        byte[] copy = (byte[])original.Clone();
        copy[offset] ^= (byte)(1 << bit);
        return new QuoteVerifier(TeeData.IntelRoot()).Verify(DcapQuote.Parse(copy), TeeData.InsideValidity);
    }

    private static int OffsetOf(byte[] raw, byte[] part) => raw.AsSpan().IndexOf(part);

    [TestCaseSource(nameof(Files))]
    public void A_flip_anywhere_in_the_signed_header_and_body_is_rejected(string file)
    {
        byte[] raw = TeeData.Quote(file);
        int signed = DcapQuote.Parse(raw).SignedLength;
        int rejected = 0;
        for (int offset = 0; offset < signed; offset += 7)
        {
            byte[] copy = (byte[])raw.Clone();
            copy[offset] ^= 0x10;
            DcapQuote quote;
            try
            {
                quote = DcapQuote.Parse(copy);
            }
            catch (QuoteFormatException)
            {
                rejected++;
                continue;
            }

            QuoteVerificationResult result = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, TeeData.InsideValidity);
            Assert.That(result.IsValid, Is.False, $"flip at {offset}");
            Assert.That(result.Failures.Select(f => f.Name), Does.Contain(QuoteChecks.QuoteSignature).Or.Contain(QuoteChecks.QeVendor), $"flip at {offset}");
            rejected++;
        }

        Assert.That(rejected, Is.EqualTo((signed + 6) / 7));
    }

    [TestCaseSource(nameof(Files))]
    public void A_flip_in_the_report_data_fails_the_quote_signature_only(string file)
    {
        byte[] raw = TeeData.Quote(file);
        DcapQuote q = DcapQuote.Parse(raw);
        QuoteVerificationResult r = VerifyFlipped(raw, q.SignedLength - 1, 3);
        Assert.That(r.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.QuoteSignature }));
    }

    [TestCaseSource(nameof(Files))]
    public void A_flip_in_the_quote_signature_is_rejected(string file)
    {
        byte[] raw = TeeData.Quote(file);
        DcapQuote q = DcapQuote.Parse(raw);
        QuoteVerificationResult r = VerifyFlipped(raw, OffsetOf(raw, q.Signature) + 40);
        Assert.That(r.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.QuoteSignature }));
    }

    [TestCaseSource(nameof(Files))]
    public void A_flip_in_the_attestation_key_breaks_the_signature_and_the_QE_binding(string file)
    {
        byte[] raw = TeeData.Quote(file);
        DcapQuote q = DcapQuote.Parse(raw);
        QuoteVerificationResult r = VerifyFlipped(raw, OffsetOf(raw, q.AttestationKey) + 5);
        Assert.That(r.Failures.Select(f => f.Name), Is.EquivalentTo(new[] { QuoteChecks.QuoteSignature, QuoteChecks.QeReportData }));
    }

    [TestCaseSource(nameof(Files))]
    public void A_flip_in_the_QE_report_fails_the_QE_report_signature(string file)
    {
        byte[] raw = TeeData.Quote(file);
        DcapQuote q = DcapQuote.Parse(raw);
        QuoteVerificationResult r = VerifyFlipped(raw, OffsetOf(raw, q.QeReportRaw) + 70);
        Assert.That(r.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.QeReportSignature }));
    }

    [TestCaseSource(nameof(Files))]
    public void A_flip_in_the_QE_report_data_fails_its_signature_and_the_binding(string file)
    {
        byte[] raw = TeeData.Quote(file);
        DcapQuote q = DcapQuote.Parse(raw);
        QuoteVerificationResult r = VerifyFlipped(raw, OffsetOf(raw, q.QeReportRaw) + 330);
        Assert.That(r.Failures.Select(f => f.Name), Is.EquivalentTo(new[] { QuoteChecks.QeReportSignature, QuoteChecks.QeReportData }));
    }

    [TestCaseSource(nameof(Files))]
    public void A_flip_in_the_QE_report_signature_is_rejected(string file)
    {
        byte[] raw = TeeData.Quote(file);
        DcapQuote q = DcapQuote.Parse(raw);
        QuoteVerificationResult r = VerifyFlipped(raw, OffsetOf(raw, q.QeReportRaw) + 384 + 10);
        Assert.That(r.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.QeReportSignature }));
    }

    [TestCaseSource(nameof(Files))]
    public void A_flip_in_the_QE_auth_data_fails_the_binding(string file)
    {
        byte[] raw = TeeData.Quote(file);
        DcapQuote q = DcapQuote.Parse(raw);
        Assert.That(q.QeAuthData, Is.Not.Empty);
        int authAt = OffsetOf(raw, q.QeReportRaw) + 384 + 64 + 2;
        QuoteVerificationResult r = VerifyFlipped(raw, authAt + q.QeAuthData.Length / 2);
        Assert.That(r.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.QeReportData }));
    }

    [TestCaseSource(nameof(Files))]
    public void A_flip_in_the_PCK_chain_PEM_fails_the_chain(string file)
    {
        byte[] raw = TeeData.Quote(file);
        DcapQuote q = DcapQuote.Parse(raw);
        int pemAt = OffsetOf(raw, System.Text.Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----"));

        // Inside the leaf's base64, near the end of the leaf (its signature): 'A'..'Z' flipped at bit 5 is still base64 ('a'..'z').
        int leafEnd = OffsetOf(raw, System.Text.Encoding.ASCII.GetBytes("-----END CERTIFICATE-----"));
        int at = leafEnd - 20;
        while (!char.IsAsciiLetterUpper((char)raw[at]))
        {
            at--;
        }

        Assert.That(at, Is.GreaterThan(pemAt));
        QuoteVerificationResult r = VerifyFlipped(raw, at, 5);
        Assert.That(r.Failures.Select(f => f.Name), Does.Contain(QuoteChecks.PckChain));
        Assert.That(r.IsValid, Is.False);
    }
}
