using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Keepers.Tests.Attestation;

/// <summary>The real collateral: the TCB statuses EXPECTED_TCB.json states, signatures, freshness and revocation.</summary>
[TestFixture]
public sealed class CollateralTests
{
    private static readonly string[] SigningFiles = ["tcb_signing_chain_2018.pem", "tcb_signing_cert_2025.der"];

    private static IEnumerable<TestCaseData> Cases() => TeeData.ExpectedTcb().Select(e => new TestCaseData(
        e.GetProperty("quote").GetString(), e.GetProperty("tcb_info_file").GetString(), e.GetProperty("qe_identity_file").GetString())
        .SetArgDisplayNames(e.GetProperty("quote").GetString()!, e.GetProperty("tcb_info_file").GetString()!, e.GetProperty("qe_identity_file").GetString()!));

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    internal static QuoteCollateral Load(DcapQuote quote, DateTimeOffset at, params string[] files)
    {
        PckExtensions pck = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, at).Pck!;
        return QuoteCollateral.LoadFiles(files.Concat(SigningFiles).Distinct().Select(f => Path.Combine(TeeData.CollateralDir, f)), pck.Fmspc, quote.Header.Tee, at);
    }

    [TestCaseSource(nameof(Cases))]
    public void The_TCB_status_is_the_one_EXPECTED_TCB_states(string quoteFile, string tcbFile, string qeFile)
    {
        JsonElement expected = TeeData.ExpectedTcb().Single(e => e.GetProperty("quote").GetString() == quoteFile && e.GetProperty("tcb_info_file").GetString() == tcbFile && e.GetProperty("qe_identity_file").GetString() == qeFile);
        DcapQuote quote = TeeData.Parse(quoteFile);
        DateTimeOffset issued = Time(expected.GetProperty("tcb_info").GetProperty("issueDate").GetString()!);
        DateTimeOffset pckNotBefore = Time(expected.GetProperty("pck_not_before").GetString()!);
        DateTimeOffset at = (issued > pckNotBefore ? issued : pckNotBefore).AddHours(1);
        QuoteCollateral collateral = Load(quote, at, tcbFile, qeFile);
        Assert.That(collateral.TcbInfo, Is.Not.Null);
        Assert.That(collateral.QeIdentity, Is.Not.Null);
        Assert.That(collateral.TcbInfo!.IssueDate, Is.EqualTo(issued), "the TCB Info of the named file was used");

        QuoteVerificationResult result = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, at, collateral);
        foreach (string check in new[] { QuoteChecks.TcbInfoSignature, QuoteChecks.TcbInfoMatch, QuoteChecks.TcbInfoFreshness, QuoteChecks.QeIdentitySignature, QuoteChecks.QeIdentity })
        {
            Assert.That(result[check].Outcome, Is.EqualTo(CheckOutcome.Pass), $"{check}: {result[check].Detail}");
        }

        string converged = expected.GetProperty("converged_status_intel_qvl").GetString()!;
        Assert.That(result.TcbChecked, Is.True);
        if (converged.StartsWith("TCB_NOT_SUPPORTED", StringComparison.Ordinal))
        {
            Assert.That(result.TcbStatus, Is.EqualTo("TCB_NOT_SUPPORTED"));
            Assert.That(result[QuoteChecks.TcbStatus].Outcome, Is.EqualTo(CheckOutcome.Fail));
            Assert.That(result[QuoteChecks.TcbStatus].Detail, Does.Contain("no TCB level"));
            return;
        }

        Assert.That(result.TcbStatus, Is.EqualTo(converged));
        Assert.That(result.AdvisoryIds, Is.EquivalentTo(expected.GetProperty("converged_advisoryIDs").EnumerateArray().Select(a => a.GetString())));
        Assert.That(result[QuoteChecks.TcbStatus].Outcome, Is.EqualTo(converged == TcbStatuses.UpToDate ? CheckOutcome.Pass : CheckOutcome.Fail), "the default policy accepts only UpToDate");
        if (quote.TdBody is not null)
        {
            Assert.That(result[QuoteChecks.TdxModule].Outcome, Is.EqualTo(CheckOutcome.Pass), result[QuoteChecks.TdxModule].Detail);
        }

        QuoteVerificationResult lenient = new QuoteVerifier(TeeData.IntelRoot(), AttestationPolicy.Default.Accepting(converged)).Verify(quote, at, collateral);
        Assert.That(lenient[QuoteChecks.TcbStatus].Outcome, Is.EqualTo(CheckOutcome.Pass), "a policy that accepts the status passes it");
    }

    [Test]
    public void SGX_automata_with_the_whole_collateral_folder_at_its_PCK_issue_time()
    {
        DcapQuote quote = TeeData.Parse("sgx_v3_automata_quotev3.bin");
        DateTimeOffset at = Time("2024-03-07T16:00:00Z");
        PckExtensions pck = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, at).Pck!;
        QuoteCollateral collateral = QuoteCollateral.LoadDirectory(TeeData.CollateralDir, pck.Fmspc, quote.Header.Tee, at);
        Assert.That(collateral.TcbInfo!.Source, Is.EqualTo("sgx_tcbinfo_v2_00606a000000_2024-02-21.json"), "the newest TCB Info for the FMSPC issued by then");
        Assert.That(collateral.QeIdentity!.Source, Is.EqualTo("sgx_qe_identity_2024-02-21.json"));

        var policy = AttestationPolicy.Default.Accepting(TcbStatuses.SwHardeningNeeded);
        QuoteVerificationResult strict = new QuoteVerifier(TeeData.IntelRoot(), policy).Verify(quote, at, collateral);
        Assert.That(strict.TcbStatus, Is.EqualTo(TcbStatuses.SwHardeningNeeded));
        Assert.That(strict[QuoteChecks.TcbStatus].Outcome, Is.EqualTo(CheckOutcome.Pass));
        Assert.That(strict[QuoteChecks.QeIdentityFreshness].Outcome, Is.EqualTo(CheckOutcome.Pass));

        // The newest PCK Platform CA CRL by then (2024-01-25) was due for update on 2024-02-24: stale collateral fails.
        Assert.That(strict.Failures.Select(f => f.Name), Is.EqualTo(new[] { QuoteChecks.Revocation }));
        Assert.That(strict[QuoteChecks.Revocation].Detail, Does.Contain("PCK Platform CA").And.Contain("stale"));

        QuoteVerificationResult lenient = new QuoteVerifier(TeeData.IntelRoot(), policy with { AllowCollateralPastNextUpdate = true, MaxCollateralAge = null }).Verify(quote, at, collateral);
        Assert.That(lenient.Failures, Is.Empty, string.Join("\n", lenient.Failures));
        Assert.That(lenient[QuoteChecks.Revocation].Detail, Does.Contain("not revoked"));
    }

    [Test]
    public void Collateral_past_its_next_update_or_older_than_the_policy_allows_fails_freshness()
    {
        DcapQuote quote = TeeData.Parse("tdx_v4_phala.bin");
        QuoteCollateral collateral = Load(quote, Time("2025-06-20T00:00:00Z"), "tdx_bundle_b0c06f000000_2025-06-19.json");
        var verifier = new QuoteVerifier(TeeData.IntelRoot());
        QuoteVerificationResult fresh = verifier.Verify(quote, Time("2025-06-20T00:00:00Z"), collateral);
        Assert.That(fresh[QuoteChecks.TcbInfoFreshness].Outcome, Is.EqualTo(CheckOutcome.Pass));
        Assert.That(fresh.TcbStatus, Is.EqualTo(TcbStatuses.UpToDate));

        QuoteVerificationResult stale = verifier.Verify(quote, Time("2025-07-20T00:00:00Z"), collateral);
        Assert.That(stale[QuoteChecks.TcbInfoFreshness].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(stale[QuoteChecks.TcbInfoFreshness].Detail, Does.Contain("nextUpdate"));
        Assert.That(stale[QuoteChecks.QeIdentityFreshness].Outcome, Is.EqualTo(CheckOutcome.Fail));

        QuoteVerificationResult aged = new QuoteVerifier(TeeData.IntelRoot(), AttestationPolicy.Default with { MaxCollateralAge = TimeSpan.FromDays(7) }).Verify(quote, Time("2025-07-01T00:00:00Z"), collateral);
        Assert.That(aged[QuoteChecks.TcbInfoFreshness].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(aged[QuoteChecks.TcbInfoFreshness].Detail, Does.Contain("days old"));
    }

    [Test]
    public void A_flipped_bit_in_a_TCB_Info_or_QE_Identity_body_fails_its_signature()
    {
        DcapQuote quote = TeeData.Parse("sgx_v3_automata_quotev3.bin");
        DateTimeOffset at = Time("2024-03-07T16:00:00Z");
        QuoteCollateral good = Load(quote, at, "sgx_tcbinfo_v2_00606a000000_2024-02-21.json", "sgx_qe_identity_2024-02-21.json");
        byte[] tcbBody = (byte[])good.TcbInfo!.SignedBody.Clone();
        tcbBody[tcbBody.Length / 2] ^= 0x01;
        byte[] qeBody = (byte[])good.QeIdentity!.SignedBody.Clone();
        int digit = Array.IndexOf(qeBody, (byte)'8');
        qeBody[digit] ^= 0x01; // '8' -> '9': still valid JSON
        var tampered = new QuoteCollateral
        {
            TcbInfo = SignedCollateral.Create("tampered tcb", tcbBody, Convert.ToHexString(good.TcbInfo.Signature)),
            QeIdentity = SignedCollateral.Create("tampered qe", qeBody, Convert.ToHexString(good.QeIdentity.Signature)),
            TcbSigningCertificates = good.TcbSigningCertificates,
        };
        QuoteVerificationResult r = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, at, tampered);
        Assert.That(r[QuoteChecks.TcbInfoSignature].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(r[QuoteChecks.QeIdentitySignature].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, at, good)[QuoteChecks.TcbInfoSignature].Outcome, Is.EqualTo(CheckOutcome.Pass));
    }

    [Test]
    public void A_TCB_signing_certificate_not_yet_valid_at_the_check_time_fails_the_collateral_signature()
    {
        DcapQuote quote = TeeData.Parse("tdx_v4_automata_quotev4.bin");
        DateTimeOffset at = Time("2024-05-16T09:00:00Z");
        QuoteCollateral all = Load(quote, at, "tdx_tcbinfo_v3_00806f050000_2024-05-16.json", "tdx_td_qe_identity_2024-05-16.json");
        var only2025 = new QuoteCollateral
        {
            TcbInfo = all.TcbInfo,
            QeIdentity = all.QeIdentity,
            TcbSigningCertificates = [.. all.TcbSigningCertificates.Where(c => c.NotBefore.Year == 2025)],
        };
        Assert.That(only2025.TcbSigningCertificates, Has.Count.EqualTo(1));
        QuoteVerificationResult r = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, at, only2025);
        Assert.That(r[QuoteChecks.TcbInfoSignature].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(r[QuoteChecks.TcbInfoSignature].Detail, Does.Contain("does not chain to the pinned root"));
        Assert.That(new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, at, all)[QuoteChecks.TcbInfoSignature].Outcome, Is.EqualTo(CheckOutcome.Pass));
    }

    [Test]
    public void A_CA_certificate_under_the_pinned_root_is_never_accepted_as_the_collateral_signer()
    {
        // The tests' own PKI: its intermediate CA signs a TCB Info body; pinning the test root, the CA must still be refused.
        using var pki = new TestPki();
        DcapQuote quote = DcapQuote.Parse(pki.Quote(3, TeeKind.Sgx));
        byte[] body = System.Text.Encoding.UTF8.GetBytes("{\"id\":\"SGX\",\"version\":3,\"issueDate\":\"2026-06-01T00:00:00Z\",\"nextUpdate\":\"2026-07-01T00:00:00Z\",\"fmspc\":\"00906ea10000\",\"pceId\":\"0000\",\"tcbLevels\":[]}");
        using System.Security.Cryptography.ECDsa caKey = pki.Intermediate.GetECDsaPrivateKey()!;
        byte[] signature = caKey.SignData(body, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var collateral = new QuoteCollateral
        {
            TcbInfo = SignedCollateral.Create("ca-signed", body, Convert.ToHexString(signature)),
            TcbSigningCertificates = [pki.Intermediate],
        };
        QuoteVerificationResult r = new QuoteVerifier(pki.Root).Verify(quote, TestPki.Inside, collateral);
        Assert.That(r[QuoteChecks.TcbInfoSignature].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(r[QuoteChecks.TcbInfoSignature].Detail, Does.Contain("is a CA certificate"));
        Assert.That(r[QuoteChecks.TcbInfoMatch].Outcome, Is.EqualTo(CheckOutcome.Pass), r[QuoteChecks.TcbInfoMatch].Detail);
    }

    [Test]
    public void Malformed_collateral_fails_a_check_instead_of_throwing()
    {
        DcapQuote quote = TeeData.Parse("sgx_v3_automata_quotev3.bin");
        DateTimeOffset at = Time("2024-03-07T16:00:00Z");
        QuoteCollateral good = Load(quote, at, "sgx_tcbinfo_v2_00606a000000_2024-02-21.json", "sgx_qe_identity_2024-02-21.json");
        byte[] body = System.Text.Encoding.UTF8.GetBytes("{\"version\":2,\"issueDate\":\"2024-02-21T08:57:58Z\",\"nextUpdate\":\"2024-03-22T08:57:58Z\",\"fmspc\":\"00606a000000\",\"pceId\":\"0000\",\"tcbLevels\":[{\"tcb\":{\"pcesvn\":1}}]}");
        var broken = new QuoteCollateral
        {
            TcbInfo = SignedCollateral.Create("broken", body, Convert.ToHexString(good.TcbInfo!.Signature)),
            QeIdentity = good.QeIdentity,
            TcbSigningCertificates = good.TcbSigningCertificates,
        };
        QuoteVerificationResult r = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, at, broken);
        Assert.That(r[QuoteChecks.TcbInfoSignature].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(r[QuoteChecks.TcbStatus].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(r[QuoteChecks.TcbStatus].Detail, Does.Contain("malformed"));
        Assert.That(r.TcbStatus, Is.Null);
    }

    [Test]
    public void Without_collateral_the_TCB_checks_are_skipped_and_say_so_unless_the_policy_requires_collateral()
    {
        DcapQuote quote = TeeData.Parse("sgx_v3_phala.bin");
        QuoteVerificationResult none = new QuoteVerifier(TeeData.IntelRoot()).Verify(quote, TeeData.InsideValidity);
        Assert.That(none.IsValid, Is.True);
        Assert.That(none.TcbStatus, Is.Null);
        Assert.That(none.Checks.Where(c => c.Outcome == CheckOutcome.Skipped).Select(c => c.Detail), Has.All.Contain("not checked"));

        QuoteVerificationResult required = new QuoteVerifier(TeeData.IntelRoot(), AttestationPolicy.Default with { RequireCollateral = true }).Verify(quote, TeeData.InsideValidity);
        Assert.That(required.IsValid, Is.False);
        Assert.That(required.Failures.Select(f => f.Name), Does.Contain(QuoteChecks.TcbStatus));
    }

    [Test]
    public void A_CRL_listing_the_PCK_leaf_revokes_it()
    {
        using var pki = new TestPki();
        DcapQuote quote = DcapQuote.Parse(pki.Quote(3, TeeKind.Sgx));
        var builder = new System.Security.Cryptography.X509Certificates.CertificateRevocationListBuilder();
        builder.AddEntry(pki.Leaf);
        byte[] pckCrl = builder.Build(pki.Intermediate, 1, TestPki.Inside.AddDays(20), System.Security.Cryptography.HashAlgorithmName.SHA256, null, TestPki.Inside.AddDays(-1));
        var empty = new System.Security.Cryptography.X509Certificates.CertificateRevocationListBuilder();
        byte[] rootCrl = empty.Build(pki.Root, 1, TestPki.Inside.AddDays(20), System.Security.Cryptography.HashAlgorithmName.SHA256, null, TestPki.Inside.AddDays(-1));
        var verifier = new QuoteVerifier(pki.Root);
        QuoteVerificationResult revoked = verifier.Verify(quote, TestPki.Inside, new QuoteCollateral { Crls = [pckCrl, rootCrl] });
        Assert.That(revoked[QuoteChecks.Revocation].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(revoked[QuoteChecks.Revocation].Detail, Does.Contain("is revoked"));

        byte[] cleanPckCrl = empty.Build(pki.Intermediate, 2, TestPki.Inside.AddDays(20), System.Security.Cryptography.HashAlgorithmName.SHA256, null, TestPki.Inside.AddDays(-1));
        QuoteVerificationResult clean = verifier.Verify(quote, TestPki.Inside, new QuoteCollateral { Crls = [cleanPckCrl, rootCrl] });
        Assert.That(clean[QuoteChecks.Revocation].Outcome, Is.EqualTo(CheckOutcome.Pass), clean[QuoteChecks.Revocation].Detail);
        QuoteVerificationResult missingRootCrl = verifier.Verify(quote, TestPki.Inside, new QuoteCollateral { Crls = [cleanPckCrl] });
        Assert.That(missingRootCrl[QuoteChecks.Revocation].Outcome, Is.EqualTo(CheckOutcome.Fail));
        Assert.That(missingRootCrl[QuoteChecks.Revocation].Detail, Does.Contain("no CRL of 'Test SGX Root CA'"));
    }
}
