using System.Security.Cryptography;
using System.Text;
using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Keepers.Tests.Attestation;

[TestFixture]
public sealed class BindingTests
{
    private const string Agent = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static readonly ComputeBenchmarkReport Benchmark = new(16, 24_576, 41, "Qwen2.5-7B-Instruct Q4_K_M", 1_780_000_000);

    [Test]
    public void A_quote_whose_report_data_commits_to_the_agent_and_benchmark_binds_and_any_other_does_not()
    {
        byte[] digest = Benchmark.Digest();
        byte[] reportData = QuoteBinding.ExpectedReportData(8453, Agent, 7, digest);
        using var pki = new TestPki();
        DcapQuote quote = DcapQuote.Parse(pki.Quote(4, TeeKind.Tdx, reportData: reportData));
        Assert.That(new QuoteVerifier(pki.Root).Verify(quote, TestPki.Inside).IsValid, Is.True);

        Assert.That(QuoteBinding.Check(quote.ReportData, 8453, Agent, 7, digest).Outcome, Is.EqualTo(CheckOutcome.Pass));
        Assert.That(QuoteBinding.Check(quote.ReportData, 8453, Agent.ToLowerInvariant(), 7, digest).Outcome, Is.EqualTo(CheckOutcome.Pass), "the address is bytes, not text");
        Assert.That(QuoteBinding.Check(quote.ReportData, 8453, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", 7, digest).Outcome, Is.EqualTo(CheckOutcome.Fail), "another agent");
        Assert.That(QuoteBinding.Check(quote.ReportData, 1, Agent, 7, digest).Outcome, Is.EqualTo(CheckOutcome.Fail), "another chain");
        Assert.That(QuoteBinding.Check(quote.ReportData, 8453, Agent, 8, digest).Outcome, Is.EqualTo(CheckOutcome.Fail), "a later nonce: no replay");
        byte[] otherDigest = (Benchmark with { TokensPerSecond = 42 }).Digest();
        Assert.That(QuoteBinding.Check(quote.ReportData, 8453, Agent, 7, otherDigest).Outcome, Is.EqualTo(CheckOutcome.Fail), "other benchmark figures");
    }

    [Test]
    public void The_report_data_is_SHA256_of_the_documented_encoding_then_32_zero_bytes()
    {
        byte[] digest = Benchmark.Digest();
        byte[] input = [.. Encoding.ASCII.GetBytes("AgentCluster.Attestation.v1"), 0, 0, 0, 0, 0, 0, 0x21, 0x05, .. Convert.FromHexString(Agent[2..]), 0, 0, 0, 0, 0, 0, 0, 7, .. digest];
        byte[] data = QuoteBinding.ExpectedReportData(8453, Agent, 7, digest);
        Assert.That(data[..32], Is.EqualTo(SHA256.HashData(input)));
        Assert.That(data[32..], Is.EqualTo(new byte[32]));
    }

    [Test]
    public void The_benchmark_digest_covers_every_figure()
    {
        byte[] d = Benchmark.Digest();
        Assert.That((Benchmark with { CpuCores = 15 }).Digest(), Is.Not.EqualTo(d));
        Assert.That((Benchmark with { GpuMemoryMb = 1 }).Digest(), Is.Not.EqualTo(d));
        Assert.That((Benchmark with { TokensPerSecond = 1 }).Digest(), Is.Not.EqualTo(d));
        Assert.That((Benchmark with { Model = "other" }).Digest(), Is.Not.EqualTo(d));
        Assert.That((Benchmark with { MeasuredAt = 1 }).Digest(), Is.Not.EqualTo(d));
        Assert.That(Benchmark.Digest(), Is.EqualTo(d));
        Assert.Throws<ArgumentException>(() => (Benchmark with { CpuCores = 0 }).Digest());
        Assert.Throws<ArgumentException>(() => (Benchmark with { Model = " " }).Digest());
    }

    [Test]
    public void Bad_binding_input_is_an_ArgumentException_that_says_what()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => QuoteBinding.ExpectedReportData(1, "0x1234", 1, new byte[32]))!.Message, Does.Contain("40 hex digits"));
        Assert.That(Assert.Throws<ArgumentException>(() => QuoteBinding.ExpectedReportData(1, Agent, 1, new byte[31]))!.Message, Does.Contain("32 bytes"));
    }

    [Test]
    public void The_measurement_hash_follows_the_measurement()
    {
        DcapQuote sgx = TeeData.Parse("sgx_v3_phala.bin");
        byte[] expected = SHA256.HashData([.. Encoding.ASCII.GetBytes("AgentCluster.Measurement.v1"), 0, 0, 0, 0, .. sgx.SgxBody!.MrEnclave, .. sgx.SgxBody.MrSigner,
            (byte)(sgx.SgxBody.IsvProdId >> 8), (byte)sgx.SgxBody.IsvProdId, (byte)(sgx.SgxBody.IsvSvn >> 8), (byte)sgx.SgxBody.IsvSvn]);
        Assert.That(sgx.MeasurementHash(), Is.EqualTo(expected));
        DcapQuote a = TeeData.Parse("tdx_v4_phala.bin");
        DcapQuote b = TeeData.Parse("tdx_v4_google_SPR_E4.bin");
        Assert.That(a.MeasurementHash(), Is.Not.EqualTo(b.MeasurementHash()));
        Assert.That(a.MeasurementHash(), Is.EqualTo(TeeData.Parse("tdx_v4_phala.bin").MeasurementHash()));
    }

    [Test]
    public void The_allow_list_accepts_listed_measurements_only()
    {
        DcapQuote sgx = TeeData.Parse("sgx_v3_phala.bin");
        DcapQuote tdx = TeeData.Parse("tdx_v4_phala.bin");
        string mrEnclave = Convert.ToHexStringLower(sgx.SgxBody!.MrEnclave);
        string mrSigner = Convert.ToHexStringLower(sgx.SgxBody.MrSigner);
        string mrTd = Convert.ToHexStringLower(tdx.TdBody!.MrTd);
        string rtmr0 = Convert.ToHexStringLower(tdx.TdBody.Rtmrs[0]);

        Assert.That(new MeasurementAllowList().Check(sgx).Outcome, Is.EqualTo(CheckOutcome.Fail), "empty list");
        Assert.That(new MeasurementAllowList().AllowMrEnclave(mrEnclave).Check(sgx).Outcome, Is.EqualTo(CheckOutcome.Pass));
        Assert.That(new MeasurementAllowList().AllowSigner(mrSigner, sgx.SgxBody.IsvProdId, sgx.SgxBody.IsvSvn).Check(sgx).Outcome, Is.EqualTo(CheckOutcome.Pass));
        Assert.That(new MeasurementAllowList().AllowSigner(mrSigner, sgx.SgxBody.IsvProdId, (ushort)(sgx.SgxBody.IsvSvn + 1)).Check(sgx).Outcome, Is.EqualTo(CheckOutcome.Fail), "below the minimum SVN");
        Assert.That(new MeasurementAllowList().AllowTd(mrTd, rtmr0).Check(tdx).Outcome, Is.EqualTo(CheckOutcome.Pass));
        Assert.That(new MeasurementAllowList().AllowTd(mrTd, new string('0', 96)).Check(tdx).Outcome, Is.EqualTo(CheckOutcome.Fail), "another RTMR0");
        Assert.That(new MeasurementAllowList().AllowMrEnclave(mrEnclave).Check(tdx).Outcome, Is.EqualTo(CheckOutcome.Fail), "an SGX entry never admits a TD");
        Assert.Throws<ArgumentException>(() => new MeasurementAllowList().AllowMrEnclave("abc"));
    }
}
