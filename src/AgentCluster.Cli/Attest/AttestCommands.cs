using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Cli.Attest;

/// <summary>
/// <c>agentcluster attest verify-quote FILE --root PEM [--collateral DIR] [--at TIME] [--policy SPEC]</c>: verifies an Intel
/// DCAP quote (SGX v3, TDX v4/v5) against a pinned root and prints the measurement, report data and every check as JSON.
/// Exit 0 when no check failed, 3 when one did (each failed check named on stderr), 1 for unreadable input.
/// </summary>
internal static class AttestCommands
{
    public static Command Build()
    {
        var file = new Argument<string>("file") { Description = "The quote: raw bytes, or hex text (0x optional)." };
        var root = new Option<string>("--root") { Description = "PEM file of the root CA to pin (the Intel SGX Root CA); only it is trusted as an anchor.", Required = true };
        var collateral = new Option<string>("--collateral") { Description = "Folder of collateral: TCB Info, (TD) QE Identity, TCB signing certificates, CRLs. Without it the TCB status is not checked." };
        var at = new Option<string>("--at") { Description = "Check time: ISO 8601 (2026-12-06T00:00:00Z) or Unix seconds. Default: now." };
        var policy = new Option<string>("--policy")
        {
            Description = "Comma-separated: accept=STATUS[+STATUS...] (default UpToDate), max-age=DAYS|none (default 30), stale=allow, collateral=require.",
        };
        var verify = new Command("verify-quote", "Verify an Intel DCAP quote completely and print the measurement and each check as JSON.") { file, root, collateral, at, policy };
        verify.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            string path = parse.GetRequiredValue(file);
            X509Certificate2 pinned = ReadRoot(parse.GetRequiredValue(root));
            DateTimeOffset time = parse.GetValue(at) is { } text ? Time(text) : DateTimeOffset.UtcNow;
            AttestationPolicy rules = parse.GetValue(policy) is { } spec ? Policy(spec) : AttestationPolicy.Default;
            DcapQuote quote;
            try
            {
                quote = DcapQuote.Parse(ReadQuote(path));
            }
            catch (QuoteFormatException e)
            {
                throw new CliInputException("<file>", e.Message, e);
            }

            var verifier = new QuoteVerifier(pinned, rules);
            QuoteCollateral? material = null;
            if (parse.GetValue(collateral) is { } dir)
            {
                if (!Directory.Exists(dir))
                {
                    throw new CliInputException("--collateral", $"folder '{dir}' does not exist.");
                }

                // The collateral is chosen by the platform's FMSPC, read from the PCK certificate in the quote.
                PckExtensions? pck = verifier.Verify(quote, time).Pck;
                if (pck is not null)
                {
                    try
                    {
                        material = QuoteCollateral.LoadDirectory(dir, pck.Fmspc, quote.Header.Tee, time);
                    }
                    catch (FormatException e)
                    {
                        throw new CliInputException("--collateral", e.Message, e);
                    }
                }
                else
                {
                    material = new QuoteCollateral();
                }
            }

            QuoteVerificationResult result = verifier.Verify(quote, time, material);
            output.WriteLine(JsonSerializer.Serialize(Json(path, pinned, time, rules, result), new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            foreach (CheckResult failure in result.Failures)
            {
                error.WriteLine($"agentcluster attest verify-quote: check failed: {failure.Name}: {failure.Detail}");
            }

            return result.IsValid ? ExitCodes.Success : ExitCodes.VerificationFailed;
        });
        return new Command("attest", "TEE attestation: verify Intel DCAP quotes (SGX, TDX).") { verify };
    }

    private static object Json(string path, X509Certificate2 root, DateTimeOffset time, AttestationPolicy policy, QuoteVerificationResult r)
    {
        DcapQuote q = r.Quote;
        return new Dictionary<string, object?>
        {
            ["file"] = Path.GetFileName(path),
            ["valid"] = r.IsValid,
            ["tee"] = q.Header.Tee == TeeKind.Sgx ? "SGX" : "TDX",
            ["version"] = q.Header.Version,
            ["at"] = time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["measurement"] = q.Measurements().ToDictionary(kv => kv.Key, kv => kv.Value),
            ["report_data"] = Convert.ToHexStringLower(q.ReportData),
            ["measurement_hash"] = Convert.ToHexStringLower(q.MeasurementHash()),
            ["pinned_root"] = new Dictionary<string, object?>
            {
                ["subject"] = root.Subject,
                ["sha256"] = root.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
                ["is_intel_sgx_root_ca"] = root.GetCertHashString(HashAlgorithmName.SHA256).Equals(QuoteVerifier.IntelSgxRootCaSha256, StringComparison.OrdinalIgnoreCase),
            },
            ["pck"] = r.Pck is null ? null : new Dictionary<string, object?>
            {
                ["fmspc"] = Convert.ToHexStringLower(r.Pck.Fmspc),
                ["pce_id"] = Convert.ToHexStringLower(r.Pck.PceId),
                ["pcesvn"] = r.Pck.PceSvn,
                ["cpusvn_components"] = r.Pck.CpuSvnComponents,
            },
            ["tcb"] = new Dictionary<string, object?>
            {
                ["checked"] = r.TcbChecked,
                ["status"] = r.TcbStatus,
                ["advisory_ids"] = r.AdvisoryIds,
                ["note"] = r.TcbChecked ? null : "TCB status not checked",
                ["accepted_statuses"] = policy.AcceptedTcbStatuses.Order(StringComparer.Ordinal).ToArray(),
                ["max_collateral_age_days"] = policy.MaxCollateralAge?.TotalDays,
            },
            ["checks"] = r.Checks.Select(c => new Dictionary<string, string>
            {
                ["name"] = c.Name,
                ["result"] = c.Outcome switch { CheckOutcome.Pass => "pass", CheckOutcome.Fail => "fail", _ => "skipped" },
                ["detail"] = c.Detail,
            }).ToArray(),
        };
    }

    private static byte[] ReadQuote(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException("<file>", $"cannot read '{path}': {e.Message}", e);
        }

        // A hex text file (as some repositories publish quotes) is accepted too.
        string text = System.Text.Encoding.ASCII.GetString(bytes).Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        return text.Length > 96 && text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit) ? Convert.FromHexString(text) : bytes;
    }

    private static X509Certificate2 ReadRoot(string path)
    {
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new CliInputException("--root", $"cannot read a PEM certificate from '{path}': {e.Message}", e);
        }
    }

    private static DateTimeOffset Time(string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t)
            ? t
            : throw new CliInputException("--at", $"'{text}' is neither ISO 8601 (2026-12-06T00:00:00Z) nor Unix seconds.");
    }

    private static AttestationPolicy Policy(string spec)
    {
        AttestationPolicy policy = AttestationPolicy.Default;
        string[] known = [TcbStatuses.UpToDate, TcbStatuses.SwHardeningNeeded, TcbStatuses.ConfigurationNeeded, TcbStatuses.ConfigurationAndSwHardeningNeeded, TcbStatuses.OutOfDate, TcbStatuses.OutOfDateConfigurationNeeded];
        foreach (string part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            string key = kv[0];
            string value = kv.Length == 2 ? kv[1] : "";
            switch (key)
            {
                case "accept":
                    string[] statuses = value.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    string? unknown = statuses.FirstOrDefault(s => !known.Contains(s, StringComparer.Ordinal));
                    if (statuses.Length == 0 || unknown is not null)
                    {
                        throw new CliInputException("--policy", $"accept={value}: expected statuses joined by '+' from {string.Join(", ", known)}.");
                    }

                    policy = policy with { AcceptedTcbStatuses = new HashSet<string>(statuses, StringComparer.Ordinal) };
                    break;
                case "max-age":
                    if (value == "none")
                    {
                        policy = policy with { MaxCollateralAge = null };
                    }
                    else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double days) && days > 0)
                    {
                        policy = policy with { MaxCollateralAge = TimeSpan.FromDays(days) };
                    }
                    else
                    {
                        throw new CliInputException("--policy", $"max-age={value}: expected a positive number of days or 'none'.");
                    }

                    break;
                case "stale" when value == "allow":
                    policy = policy with { AllowCollateralPastNextUpdate = true };
                    break;
                case "collateral" when value == "require":
                    policy = policy with { RequireCollateral = true };
                    break;
                default:
                    throw new CliInputException("--policy", $"'{part}' is not understood: expected accept=STATUS[+STATUS], max-age=DAYS|none, stale=allow, collateral=require.");
            }
        }

        return policy;
    }
}
