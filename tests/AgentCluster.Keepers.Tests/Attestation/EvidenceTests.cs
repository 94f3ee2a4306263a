using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AgentCluster.Keepers.Attestation;
using AgentCluster.Keepers.Attestation.Duty;

namespace AgentCluster.Keepers.Tests.Attestation;

/// <summary>The attestation duty's evidence checks and expiry limit, without a chain.</summary>
[TestFixture]
public sealed class EvidenceTests
{
    private const string Agent = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static readonly DateTimeOffset At = TestPki.Inside;
    private static readonly ComputeBenchmarkReport Benchmark = new(16, 24_576, 41, "Qwen2.5-7B-Instruct Q4_K_M", At.ToUnixTimeSeconds() - 3600);

    private static (DcapQuote Quote, MeasurementAllowList Allow) Evidence(TestPki pki, ComputeBenchmarkReport benchmark, ulong nonce = 1)
    {
        DcapQuote quote = DcapQuote.Parse(pki.Quote(3, TeeKind.Sgx, reportData: QuoteBinding.ExpectedReportData(31337, Agent, nonce, benchmark.Digest())));
        return (quote, new MeasurementAllowList().AllowMrEnclave(Convert.ToHexStringLower(quote.SgxBody!.MrEnclave)));
    }

    [Test]
    public void GoodEvidence_PassesEveryCheck_AndHoldsUntilTheLeafCertificateExpires()
    {
        using var pki = new TestPki();
        (DcapQuote quote, MeasurementAllowList allow) = Evidence(pki, Benchmark);
        EvidenceVerdict v = AttestationEvidence.Check(quote, Benchmark, Agent, 31337, 1, At, new QuoteVerifier(pki.Root), null, allow, TimeSpan.FromDays(1));
        Assert.That(v.Accepted, Is.True, v.Summary);
        Assert.That(v.Checks.Select(c => c.Name), Is.SupersetOf(new[] { "agent_binding", "measurement_allowed", "benchmark_fresh", "benchmark_plausible", QuoteChecks.QuoteSignature }));
        Assert.That(v.TcbStatus, Is.Null);
        Assert.That(v.Summary, Does.Contain("TCB not checked"));
        Assert.That(v.EvidenceValidUntil, Is.EqualTo(new DateTimeOffset(pki.Leaf.NotAfter.ToUniversalTime())));
        Assert.That(v.LimitedBy, Does.Contain("Test SGX PCK Certificate"));

        EvidenceVerdict renewal = AttestationEvidence.Check(quote, Benchmark, Agent, 31337, nonce: null, At.AddDays(300), new QuoteVerifier(pki.Root), null, allow, maxBenchmarkAge: null);
        Assert.That(renewal.Accepted, Is.True, "a renewal checks neither the binding nor the benchmark's age: " + renewal.Summary);
        Assert.That(renewal.Checks.Select(c => c.Name), Has.None.EqualTo("agent_binding").And.None.EqualTo("benchmark_fresh"));
    }

    [Test]
    public void TheBenchmark_MustBeRecent_NotInTheFuture_AndPlausible()
    {
        using var pki = new TestPki();
        var verifier = new QuoteVerifier(pki.Root);
        foreach ((ComputeBenchmarkReport b, string failing) in new[]
        {
            (Benchmark with { MeasuredAt = At.ToUnixTimeSeconds() - 2 * 86_400 }, "benchmark_fresh"),
            (Benchmark with { MeasuredAt = At.ToUnixTimeSeconds() + 3600 }, "benchmark_fresh"),
            (Benchmark with { CpuCores = 100_000 }, "benchmark_plausible"),
            (Benchmark with { TokensPerSecond = 2_000_000 }, "benchmark_plausible"),
        })
        {
            (DcapQuote quote, MeasurementAllowList allow) = Evidence(pki, b);
            EvidenceVerdict v = AttestationEvidence.Check(quote, b, Agent, 31337, 1, At, verifier, null, allow, TimeSpan.FromDays(1));
            Assert.That(v.Failures.Select(f => f.Name), Is.EqualTo(new[] { failing }), $"{b}: {v.Summary}");
        }

        // Zero cores has no digest to bind: the quote is checked, the benchmark fails by name (no exception).
        (DcapQuote q, MeasurementAllowList a) = Evidence(pki, Benchmark);
        EvidenceVerdict zero = AttestationEvidence.Check(q, Benchmark with { CpuCores = 0 }, Agent, 31337, 1, At, verifier, null, a, TimeSpan.FromDays(1));
        Assert.That(zero.Failures.Select(f => f.Name), Is.EqualTo(new[] { "benchmark_plausible" }));
    }

    [Test]
    public void TheExpiryLimit_IsTheEarliestOfCertificates_CrlsAndCollateral_AsThePolicySays()
    {
        using var pki = new TestPki();
        (DcapQuote quote, MeasurementAllowList allow) = Evidence(pki, Benchmark);
        string dir = Directory.CreateTempSubdirectory("evidence-crl-").FullName;
        try
        {
            var empty = new CertificateRevocationListBuilder();
            File.WriteAllBytes(Path.Combine(dir, "root_ca_crl.der"), empty.Build(pki.Root, 1, At.AddDays(10), HashAlgorithmName.SHA256, null, At.AddDays(-1)));
            File.WriteAllBytes(Path.Combine(dir, "pck_crl.der"), empty.Build(pki.Intermediate, 1, At.AddDays(40), HashAlgorithmName.SHA256, null, At.AddDays(-1)));
            EvidenceVerdict v = AttestationEvidence.Check(quote, Benchmark, Agent, 31337, 1, At, new QuoteVerifier(pki.Root), dir, allow, TimeSpan.FromDays(1));
            Assert.That(v.Accepted, Is.True, v.Summary);
            Assert.That(v[QuoteChecks.Revocation].Outcome, Is.EqualTo(CheckOutcome.Pass));
            Assert.That(v.EvidenceValidUntil, Is.EqualTo(At.AddDays(10)), "the root CRL's nextUpdate comes first");
            Assert.That(v.LimitedBy, Does.Contain("CRL of 'CN=Test SGX Root CA"));

            var stale = new QuoteVerifier(pki.Root, AttestationPolicy.Default with { AllowCollateralPastNextUpdate = true });
            Assert.That(AttestationEvidence.Check(quote, Benchmark, Agent, 31337, 1, At, stale, dir, allow, TimeSpan.FromDays(1)).EvidenceValidUntil,
                Is.EqualTo(new DateTimeOffset(pki.Leaf.NotAfter.ToUniversalTime())), "stale collateral allowed: the CRLs do not limit it");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        // Intel's collateral for a real quote: its TCB Info / QE Identity's nextUpdate (and issue date + maximum age) limit it.
        DcapQuote real = TeeData.Parse("sgx_v3_automata_quotev3.bin");
        DateTimeOffset at = new(2024, 3, 7, 16, 0, 0, TimeSpan.Zero);
        QuoteCollateral collateral = CollateralTests.Load(real, at, "sgx_tcbinfo_v2_00606a000000_2024-02-21.json", "sgx_qe_identity_2024-02-21.json");
        (DateTimeOffset until, string by) = AttestationEvidence.Limit(real, collateral, AttestationPolicy.Default);
        Assert.That(until, Is.EqualTo(new DateTimeOffset(2024, 3, 22, 8, 36, 57, TimeSpan.Zero)), "the QE Identity's nextUpdate");
        Assert.That(by, Does.Contain("nextUpdate"));
        (DateTimeOffset noLimit, string certs) = AttestationEvidence.Limit(real, collateral, AttestationPolicy.Default with { MaxCollateralAge = null, AllowCollateralPastNextUpdate = true });
        Assert.That(noLimit, Is.GreaterThan(new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero)), "only the certificates then");
        Assert.That(certs, Does.Contain("certificate"));
    }

    [Test]
    public void EvidenceFiles_AreReadStrictly()
    {
        using var pki = new TestPki();
        byte[] raw = pki.Quote(3, TeeKind.Sgx);
        Assert.That(AttestationEvidence.ParseQuoteFile(Encoding.ASCII.GetBytes("0x" + Convert.ToHexStringLower(raw) + "\n")).Raw, Is.EqualTo(raw), "hex text");
        Assert.That(AttestationEvidence.ParseQuoteFile(raw).Raw, Is.EqualTo(raw), "raw bytes");
        Assert.Throws<QuoteFormatException>(() => AttestationEvidence.ParseQuoteFile([1, 2, 3]));

        Assert.That(AttestationEvidence.ParseBenchmark(AttestationEvidence.ToJson(Benchmark)), Is.EqualTo(Benchmark));
        Assert.That(AttestationEvidence.ToJson(Benchmark), Does.Contain("\"cpuCores\":16").And.Contain("\"measuredAt\":"));
        Assert.That(Assert.Throws<FormatException>(() => AttestationEvidence.ParseBenchmark("{\"cpuCores\":16}"))!.Message, Does.Contain("not a benchmark report"));
        Assert.Throws<FormatException>(() => AttestationEvidence.ParseBenchmark("not json"));
        Assert.Throws<FormatException>(() => AttestationEvidence.ParseBenchmark("null"));
    }

    [Test]
    public void TheInbox_PairsFilesByAgentKey_AndMovesProcessedSubmissionsWithTheirReason()
    {
        string dir = Directory.CreateTempSubdirectory("inbox-").FullName;
        try
        {
            var inbox = new AttestationInbox(dir);
            string key = Agent.ToLowerInvariant();
            File.WriteAllBytes(Path.Combine(dir, Agent + ".quote"), [1]);
            Assert.That(inbox.Scan().Complete, Is.Empty, "a quote alone waits for its benchmark");
            File.WriteAllText(Path.Combine(dir, Agent + ".benchmark.json"), "{}");
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "ignored");
            File.WriteAllText(Path.Combine(dir, "bob.benchmark.json"), "{}");
            (IReadOnlyList<AttestationSubmission> complete, IReadOnlyList<string> misnamed) = inbox.Scan();
            Assert.That(complete.Single().AgentKey, Is.EqualTo(key));
            Assert.That(misnamed.Select(Path.GetFileName), Is.EqualTo(new[] { "bob.benchmark.json" }));

            string folder = inbox.Reject(complete.Single(), "rejected: because")!;
            Assert.That(Path.GetFileName(folder), Does.StartWith(key + "-"));
            Assert.That(Directory.GetParent(folder)!.Name, Is.EqualTo("rejected"));
            Assert.That(File.ReadAllText(Path.Combine(folder, AttestationInbox.ReasonFile)), Is.EqualTo("rejected: because\n"));
            Assert.That(Directory.EnumerateFiles(folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { Agent + ".quote", Agent + ".benchmark.json", "reason.txt" }));
            Assert.That(inbox.Reject(complete.Single(), "again"), Is.Null, "already taken: nothing moved, no empty folder");
            Assert.That(Directory.EnumerateDirectories(Path.Combine(dir, "rejected")).Count(), Is.EqualTo(1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
