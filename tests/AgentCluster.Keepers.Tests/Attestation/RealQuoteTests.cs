using System.Text.Json;
using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Keepers.Tests.Attestation;

[TestFixture]
public sealed class RealQuoteTests
{
    private static IEnumerable<string> Files() => TeeData.QuoteFiles();

    [TestCaseSource(nameof(Files))]
    public void Real_quote_verifies_against_the_pinned_Intel_root_and_its_measurements_match_EXPECTED(string file)
    {
        JsonElement expected = TeeData.Expected(file);
        DcapQuote quote = TeeData.Parse(file);
        Assert.That(quote.Header.Version, Is.EqualTo(expected.GetProperty("version").GetInt32()));
        Assert.That($"0x{(uint)quote.Header.Tee:x}", Is.EqualTo(expected.GetProperty("tee_type").GetString()));
        Assert.That(Convert.ToHexStringLower(quote.ReportData), Is.EqualTo(expected.GetProperty("report_data").GetString()));
        var m = quote.Measurements().ToDictionary(kv => kv.Key, kv => kv.Value);
        if (expected.GetProperty("kind").GetString() == "SGX")
        {
            Assert.That(m["mrenclave"], Is.EqualTo(expected.GetProperty("mrenclave").GetString()));
            Assert.That(m["mrsigner"], Is.EqualTo(expected.GetProperty("mrsigner").GetString()));
        }
        else
        {
            Assert.That(m["mrtd"], Is.EqualTo(expected.GetProperty("mrtd").GetString()));
            Assert.That(m["rtmr0"], Is.EqualTo(expected.GetProperty("rtmr0").GetString()));
        }

        QuoteVerificationResult result = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, TeeData.InsideValidity);
        Assert.That(result.Failures, Is.Empty, string.Join("\n", result.Failures));
        foreach (string check in new[] { QuoteChecks.Header, QuoteChecks.QeVendor, QuoteChecks.QuoteSignature, QuoteChecks.QeReportData, QuoteChecks.PckChain, QuoteChecks.CertificateValidity, QuoteChecks.QeReportSignature, QuoteChecks.PckExtensions })
        {
            Assert.That(result[check].Outcome, Is.EqualTo(CheckOutcome.Pass), check);
        }

        Assert.That(result.TcbChecked, Is.False);
        Assert.That(result[QuoteChecks.TcbStatus].Outcome, Is.EqualTo(CheckOutcome.Skipped));
        Assert.That(result[QuoteChecks.TcbStatus].Detail, Does.Contain("TCB status not checked"));
    }

    [TestCaseSource(nameof(Files))]
    public void A_time_past_the_PCK_leaf_expiry_is_rejected_by_certificate_validity(string file)
    {
        DateTimeOffset notAfter = DateTimeOffset.Parse(TeeData.Expected(file).GetProperty("pck_not_after").GetString()!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var verifier = new QuoteVerifier(TeeData.IntelRoot());
        QuoteVerificationResult after = verifier.Verify(TeeData.Parse(file), notAfter.AddDays(2));
        Assert.That(after.IsValid, Is.False);
        Assert.That(after.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.CertificateValidity }));
        Assert.That(after[QuoteChecks.CertificateValidity].Detail, Does.Contain("SGX PCK Certificate"));
        Assert.That(verifier.Verify(TeeData.Parse(file), notAfter.AddDays(-2)).IsValid, Is.True, "the day before expiry still verifies");
    }

    [Test]
    public void Trailing_bytes_after_the_signature_data_are_ignored_and_dropped()
    {
        byte[] bytes = TeeData.Quote("tdx_v4_google_SPR_E4.bin");
        DcapQuote quote = DcapQuote.Parse(bytes);
        Assert.That(bytes.Length - quote.Raw.Length, Is.EqualTo(39));
    }
}
