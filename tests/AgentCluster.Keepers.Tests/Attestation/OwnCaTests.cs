using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Keepers.Tests.Attestation;

/// <summary>Quotes made by the tests' own CA chain: rejected against Intel's root, accepted when the test root is pinned.</summary>
[TestFixture]
public sealed class OwnCaTests
{
    private static readonly object[] Shapes =
    [
        new object[] { 3, TeeKind.Sgx, 0 },
        new object[] { 4, TeeKind.Tdx, 0 },
        new object[] { 4, TeeKind.Sgx, 0 },
        new object[] { 5, TeeKind.Sgx, 2 },
        new object[] { 5, TeeKind.Tdx, 3 },
        new object[] { 5, TeeKind.Tdx, 4 },
    ];

    [TestCaseSource(nameof(Shapes))]
    public void A_quote_from_the_tests_own_CA_is_rejected_by_the_Intel_root_and_accepted_by_its_own(int version, TeeKind tee, int bodyType)
    {
        using var pki = new TestPki();
        byte[] reportData = new byte[64];
        reportData[0] = 0xAB;
        DcapQuote quote = DcapQuote.Parse(pki.Quote(version, tee, bodyType, reportData));
        Assert.That(quote.Header.Version, Is.EqualTo(version));
        Assert.That(quote.ReportData, Is.EqualTo(reportData));
        if (bodyType == 4)
        {
            Assert.That(quote.TdBody!.MrServiceTd, Has.Length.EqualTo(48));
        }

        QuoteVerificationResult intel = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, TestPki.Inside);
        Assert.That(intel.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.PckChain }));
        Assert.That(intel[QuoteChecks.PckChain].Detail, Does.Contain("Intel SGX Root CA"));

        QuoteVerificationResult own = new QuoteVerifier(pki.Root).Verify(quote, TestPki.Inside);
        Assert.That(own.Failures, Is.Empty, string.Join("\n", own.Failures));
        Assert.That(own.Pck!.Fmspc, Is.EqualTo(TestPki.Fmspc));
    }

    [Test]
    public void Pinning_an_intermediate_is_never_an_anchor_and_a_different_self_signed_root_of_the_same_name_is_rejected()
    {
        using var pki = new TestPki();
        DcapQuote quote = DcapQuote.Parse(pki.Quote(3, TeeKind.Sgx));
        Assert.That(new QuoteVerifier(pki.Intermediate).Verify(quote, TestPki.Inside)[QuoteChecks.PckChain].Outcome, Is.EqualTo(CheckOutcome.Fail));

        using var impostor = new TestPki("Test SGX Root CA");
        Assert.That(new QuoteVerifier(impostor.Root).Verify(quote, TestPki.Inside)[QuoteChecks.PckChain].Outcome, Is.EqualTo(CheckOutcome.Fail));
    }

    [Test]
    public void A_synthetic_quote_past_its_leaf_expiry_fails_certificate_validity_only()
    {
        using var pki = new TestPki();
        DcapQuote quote = DcapQuote.Parse(pki.Quote(4, TeeKind.Tdx));
        QuoteVerificationResult r = new QuoteVerifier(pki.Root).Verify(quote, TestPki.NotAfter.AddDays(1));
        Assert.That(r.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.CertificateValidity }));
        Assert.That(new QuoteVerifier(pki.Root).Verify(quote, TestPki.NotBefore.AddDays(-1)).Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.CertificateValidity }));
    }
}
