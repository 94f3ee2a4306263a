using System.Text.Json;

namespace AgentCluster.Cli.Tests.Attest;

/// <summary><c>agentcluster attest verify-quote</c> run in-process on the real quotes (tests/AgentCluster.Keepers.Tests/TestData).</summary>
[TestFixture]
public sealed class AttestCommandTests
{
    private static readonly string Data = FindData();
    private static readonly string Root = Path.Combine(Data, "intel_sgx_root_ca.pem");

    private static string FindData()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "AgentCluster.Keepers.Tests", "TestData", "tee-quotes");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/AgentCluster.Keepers.Tests/TestData/tee-quotes not found above " + AppContext.BaseDirectory);
    }

    private static string Quote(string name) => Path.Combine(Data, name);

    private static JsonElement Expected(string file)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Data, "EXPECTED.json")));
        return doc.RootElement.EnumerateArray().Single(e => e.GetProperty("file").GetString() == file).Clone();
    }

    private static JsonElement Json(CliResult r)
    {
        using JsonDocument doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    private static string Check(JsonElement json, string name) =>
        json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("result").GetString()!;

    [TestCase("sgx_v3_phala.bin")]
    [TestCase("sgx_v3_automata_quotev3.bin")]
    [TestCase("tdx_v4_phala.bin")]
    [TestCase("tdx_v4_google_SPR_E4.bin")]
    [TestCase("tdx_v4_automata_quotev4.bin")]
    public void A_real_quote_verifies_exit_0_and_prints_its_measurement(string file)
    {
        CliResult r = Cli.Run("attest", "verify-quote", Quote(file), "--root", Root, "--at", "2026-12-06T00:00:00Z");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stderr, Is.Empty);
        JsonElement json = Json(r);
        JsonElement expected = Expected(file);
        Assert.That(json.GetProperty("valid").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("report_data").GetString(), Is.EqualTo(expected.GetProperty("report_data").GetString()));
        JsonElement m = json.GetProperty("measurement");
        if (expected.GetProperty("kind").GetString() == "SGX")
        {
            Assert.That(m.GetProperty("mrenclave").GetString(), Is.EqualTo(expected.GetProperty("mrenclave").GetString()));
            Assert.That(m.GetProperty("mrsigner").GetString(), Is.EqualTo(expected.GetProperty("mrsigner").GetString()));
            Assert.That(m.TryGetProperty("isvprodid", out _) && m.TryGetProperty("isvsvn", out _), Is.True);
        }
        else
        {
            Assert.That(m.GetProperty("mrtd").GetString(), Is.EqualTo(expected.GetProperty("mrtd").GetString()));
            Assert.That(m.GetProperty("rtmr0").GetString(), Is.EqualTo(expected.GetProperty("rtmr0").GetString()));
            Assert.That(m.TryGetProperty("rtmr3", out _) && m.TryGetProperty("mrseam", out _), Is.True);
        }

        Assert.That(Check(json, "quote_signature"), Is.EqualTo("pass"));
        Assert.That(Check(json, "pck_chain"), Is.EqualTo("pass"));
        Assert.That(Check(json, "tcb_status"), Is.EqualTo("skipped"));
        Assert.That(json.GetProperty("tcb").GetProperty("note").GetString(), Is.EqualTo("TCB status not checked"));
        Assert.That(json.GetProperty("pinned_root").GetProperty("is_intel_sgx_root_ca").GetBoolean(), Is.True);
        byte[] raw = File.ReadAllBytes(Quote(file));
        Assert.That(json.GetProperty("measurement_hash").GetString(),
            Is.EqualTo(Convert.ToHexStringLower(AgentCluster.Keepers.Attestation.DcapQuote.Parse(raw).MeasurementHash())));
    }

    [Test]
    public void A_time_past_expiry_exits_3_and_names_the_check_on_stderr()
    {
        CliResult r = Cli.Run("attest", "verify-quote", Quote("sgx_v3_phala.bin"), "--root", Root, "--at", "2034-01-01T00:00:00Z");
        Assert.That(r.ExitCode, Is.EqualTo(3));
        Assert.That(r.Stderr, Does.StartWith("agentcluster attest verify-quote: check failed: certificate_validity: "));
        JsonElement json = Json(r);
        Assert.That(json.GetProperty("valid").GetBoolean(), Is.False);
        Assert.That(Check(json, "certificate_validity"), Is.EqualTo("fail"));
    }

    [Test]
    public void A_flipped_bit_in_the_quote_signature_exits_3_naming_quote_signature()
    {
        byte[] bytes = File.ReadAllBytes(Quote("tdx_v4_phala.bin"));
        bytes[636 + 10] ^= 0x01;
        string path = Path.Combine(Path.GetTempPath(), $"tampered-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, bytes);
        try
        {
            CliResult r = Cli.Run("attest", "verify-quote", path, "--root", Root, "--at", "1796515200");
            Assert.That(r.ExitCode, Is.EqualTo(3));
            Assert.That(r.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(r.Stderr, Does.Contain("check failed: quote_signature:"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void With_collateral_the_TCB_status_is_checked_and_the_policy_decides()
    {
        string collateral = Path.Combine(Data, "collateral");
        CliResult tdx = Cli.Run("attest", "verify-quote", Quote("tdx_v4_phala.bin"), "--root", Root, "--collateral", collateral, "--at", "2025-06-20T00:00:00Z");
        Assert.That(tdx.ExitCode, Is.EqualTo(0), tdx.Stderr);
        JsonElement json = Json(tdx);
        Assert.That(json.GetProperty("tcb").GetProperty("status").GetString(), Is.EqualTo("UpToDate"));
        Assert.That(Check(json, "revocation"), Is.EqualTo("pass"));
        Assert.That(Check(json, "tcb_info_signature"), Is.EqualTo("pass"));

        string[] sgx = ["attest", "verify-quote", Quote("sgx_v3_phala.bin"), "--root", Root, "--collateral", collateral, "--at", "2025-06-19T12:00:00Z"];
        CliResult strict = Cli.Run(sgx);
        Assert.That(strict.ExitCode, Is.EqualTo(3));
        Assert.That(Json(strict).GetProperty("tcb").GetProperty("status").GetString(), Is.EqualTo("ConfigurationAndSWHardeningNeeded"));
        Assert.That(strict.Stderr, Does.Contain("check failed: tcb_status:"));

        CliResult lenient = Cli.Run([.. sgx, "--policy", "accept=UpToDate+ConfigurationAndSWHardeningNeeded"]);
        Assert.That(Check(Json(lenient), "tcb_status"), Is.EqualTo("pass"), lenient.Stderr);
    }

    [Test]
    public void Another_root_pinned_rejects_the_Intel_chain()
    {
        string chain = File.ReadAllText(Path.Combine(Data, "collateral", "tcb_signing_chain_2018.pem"));
        string signingOnly = chain[..(chain.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + 25)];
        string path = Path.Combine(Path.GetTempPath(), $"other-root-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, signingOnly);
        try
        {
            CliResult r = Cli.Run("attest", "verify-quote", Quote("sgx_v3_phala.bin"), "--root", path, "--at", "2024-01-01T00:00:00Z");
            Assert.That(r.ExitCode, Is.EqualTo(3));
            Assert.That(r.Stderr, Does.Contain("check failed: pck_chain:"));
            Assert.That(Json(r).GetProperty("pinned_root").GetProperty("is_intel_sgx_root_ca").GetBoolean(), Is.False);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Unreadable_input_exits_1_naming_the_argument()
    {
        CliResult garbage = Cli.Run("attest", "verify-quote", Path.Combine(Data, "README.md"), "--root", Root);
        Assert.That(garbage.ExitCode, Is.EqualTo(1));
        Assert.That(garbage.Stderr, Does.Contain("<file>: Malformed DCAP quote: header.version at offset 0"));

        CliResult root = Cli.Run("attest", "verify-quote", Quote("sgx_v3_phala.bin"), "--root", Path.Combine(Data, "README.md"));
        Assert.That(root.ExitCode, Is.EqualTo(1));
        Assert.That(root.Stderr, Does.Contain("--root:"));

        CliResult at = Cli.Run("attest", "verify-quote", Quote("sgx_v3_phala.bin"), "--root", Root, "--at", "tomorrow");
        Assert.That(at.ExitCode, Is.EqualTo(1));
        Assert.That(at.Stderr, Does.Contain("--at:"));

        CliResult policy = Cli.Run("attest", "verify-quote", Quote("sgx_v3_phala.bin"), "--root", Root, "--policy", "accept=Fine");
        Assert.That(policy.ExitCode, Is.EqualTo(1));
        Assert.That(policy.Stderr, Does.Contain("--policy: accept=Fine"));

        CliResult missing = Cli.Run("attest", "verify-quote", Quote("sgx_v3_phala.bin"));
        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Stderr, Does.Contain("--root"));
    }
}
