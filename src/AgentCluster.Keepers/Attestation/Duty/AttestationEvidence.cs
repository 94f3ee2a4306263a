using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace AgentCluster.Keepers.Attestation.Duty;

/// <summary>
/// What the attestation duty decides about one piece of evidence (a quote and a benchmark for an agent key): every check, and, when
/// all pass, the latest expiry the evidence supports.
/// </summary>
/// <param name="Checks">The quote's checks (<see cref="QuoteChecks"/>), then <c>agent_binding</c>, <c>measurement_allowed</c>,
/// <c>benchmark_fresh</c>, <c>benchmark_plausible</c>.</param>
/// <param name="TcbStatus">The TCB status when collateral was checked, else null ("TCB status not checked").</param>
/// <param name="EvidenceValidUntil">The earliest of the PCK chain's notAfter and the collateral's (and CRLs') nextUpdate / maximum age.</param>
/// <param name="LimitedBy">What sets <paramref name="EvidenceValidUntil"/>.</param>
public sealed record EvidenceVerdict(IReadOnlyList<CheckResult> Checks, string? TcbStatus, DateTimeOffset EvidenceValidUntil, string LimitedBy)
{
    /// <summary>True when no check failed.</summary>
    public bool Accepted => Checks.All(c => c.Outcome != CheckOutcome.Fail);

    /// <summary>The check named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">No such check.</exception>
    public CheckResult this[string name] => Checks.First(c => c.Name == name);

    /// <summary>The failed checks.</summary>
    public IEnumerable<CheckResult> Failures => Checks.Where(c => c.Outcome == CheckOutcome.Fail);

    /// <summary>One line: the failed checks with their reasons, or "all checks passed".</summary>
    public string Summary => Accepted
        ? $"all {Checks.Count} checks passed (TCB {TcbStatus ?? "not checked"})"
        : string.Join("; ", Failures.Select(f => $"{f.Name}: {f.Detail}"));
}

/// <summary>
/// The attestation duty's checks of an agent's evidence, without the chain: the quote verified completely under the pinned root,
/// collateral and policy at the given time; its report data bound to the agent key, chain, nonce and benchmark
/// (<see cref="QuoteBinding"/>); its measurement on the allow-list; the benchmark recent and plausible.
/// </summary>
public static class AttestationEvidence
{
    /// <summary>Largest plausible figures (a sanity bound, not a measurement): cores, GPU MiB, tokens/s.</summary>
    public const uint MaxCpuCores = 4096, MaxGpuMemoryMb = 16 * 1024 * 1024, MaxTokensPerSecond = 1_000_000;

    /// <summary>How far in the future (chain time) a benchmark's <c>MeasuredAt</c> may be (clock skew).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);

    /// <summary>Reads a quote file: raw bytes, or hex text (optionally 0x-prefixed) as some tools write them.</summary>
    /// <exception cref="QuoteFormatException">Malformed.</exception>
    public static DcapQuote ParseQuoteFile(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        string text = System.Text.Encoding.ASCII.GetString(bytes).Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        return DcapQuote.Parse(text.Length > 96 && text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit) ? Convert.FromHexString(text) : bytes);
    }

    /// <summary>Reads a benchmark report (JSON: <c>cpuCores</c>, <c>gpuMemoryMb</c>, <c>tokensPerSecond</c>, <c>model</c>, <c>measuredAt</c>).</summary>
    /// <exception cref="FormatException">Not such a JSON object.</exception>
    public static ComputeBenchmarkReport ParseBenchmark(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<ComputeBenchmarkReport>(json, JsonOptions)
                ?? throw new FormatException("the benchmark file is JSON null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"the benchmark file is not a benchmark report ({e.Message})", e);
        }
    }

    /// <summary>The JSON form of a benchmark report (camelCase), as <see cref="ParseBenchmark"/> reads it.</summary>
    public static string ToJson(ComputeBenchmarkReport report) => JsonSerializer.Serialize(report, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { RespectRequiredConstructorParameters = true };

    /// <summary>Checks the evidence completely.</summary>
    /// <param name="quote">The agent's quote.</param>
    /// <param name="benchmark">The benchmark it claims.</param>
    /// <param name="agentKey">The agent key address (0x + 40 hex).</param>
    /// <param name="chainId">The chain.</param>
    /// <param name="nonce">The nonce the report data must bind; null skips the binding (a renewal: it was checked when accepted).</param>
    /// <param name="at">The check time (chain time: the registry's clock).</param>
    /// <param name="verifier">The verifier with the pinned root and policy.</param>
    /// <param name="collateralPath">Folder of collateral, or null.</param>
    /// <param name="allowList">The measurement allow-list.</param>
    /// <param name="maxBenchmarkAge">The oldest benchmark accepted; null skips the age (a renewal).</param>
    /// <returns>The verdict.</returns>
    public static EvidenceVerdict Check(DcapQuote quote, ComputeBenchmarkReport benchmark, string agentKey, ulong chainId, ulong? nonce, DateTimeOffset at,
        QuoteVerifier verifier, string? collateralPath, MeasurementAllowList allowList, TimeSpan? maxBenchmarkAge)
    {
        ArgumentNullException.ThrowIfNull(quote);
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(allowList);
        QuoteCollateral? collateral = null;
        var extra = new List<CheckResult>();
        if (!string.IsNullOrWhiteSpace(collateralPath))
        {
            // The collateral is chosen by the platform's FMSPC, read from the PCK certificate in the quote (as the CLI does).
            PckExtensions? pck = verifier.Verify(quote, at).Pck;
            try
            {
                collateral = pck is null ? new QuoteCollateral() : QuoteCollateral.LoadDirectory(collateralPath, pck.Fmspc, quote.Header.Tee, at);
            }
            catch (Exception e) when (e is FormatException or IOException)
            {
                extra.Add(new CheckResult("collateral_readable", CheckOutcome.Fail, e.Message));
                collateral = new QuoteCollateral();
            }
        }

        QuoteVerificationResult result = verifier.Verify(quote, at, collateral);
        var checks = new List<CheckResult>(result.Checks);
        checks.AddRange(extra);
        byte[]? digest = null;
        try
        {
            digest = benchmark.Digest();
        }
        catch (ArgumentException e)
        {
            checks.Add(new CheckResult("benchmark_plausible", CheckOutcome.Fail, e.Message));
        }

        if (nonce is { } n && digest is not null)
        {
            checks.Add(QuoteBinding.Check(quote.ReportData, chainId, agentKey, n, digest));
        }

        checks.Add(allowList.Check(quote));
        if (maxBenchmarkAge is { } maxAge)
        {
            DateTimeOffset measured = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(benchmark.MeasuredAt, 0, 253_402_300_799));
            bool fresh = measured >= at - maxAge && measured <= at + MaxClockSkew;
            checks.Add(new CheckResult("benchmark_fresh", fresh ? CheckOutcome.Pass : CheckOutcome.Fail,
                $"measured at {measured.UtcDateTime:O}, check time {at.UtcDateTime:O}, at most {maxAge} old" + (fresh ? "" : measured > at ? " (in the future)" : " (too old)")));
        }

        if (digest is not null)
        {
            bool plausible = benchmark.CpuCores <= MaxCpuCores && benchmark.GpuMemoryMb <= MaxGpuMemoryMb && benchmark.TokensPerSecond <= MaxTokensPerSecond;
            checks.Add(new CheckResult("benchmark_plausible", plausible ? CheckOutcome.Pass : CheckOutcome.Fail,
                $"{benchmark.CpuCores} cores, {benchmark.GpuMemoryMb} MiB GPU, {benchmark.TokensPerSecond} tokens/s ({benchmark.Model})"
                + (plausible ? "" : $": above the sanity bounds {MaxCpuCores} cores, {MaxGpuMemoryMb} MiB, {MaxTokensPerSecond} tokens/s")));
        }

        (DateTimeOffset until, string limitedBy) = Limit(quote, collateral, verifier.Policy);
        return new EvidenceVerdict(checks, result.TcbStatus, until, limitedBy);
    }

    /// <summary>The earliest time the evidence stops verifying by itself: certificates' notAfter, collateral's nextUpdate and maximum age, CRLs' nextUpdate.</summary>
    internal static (DateTimeOffset Until, string LimitedBy) Limit(DcapQuote quote, QuoteCollateral? collateral, AttestationPolicy policy)
    {
        var limits = new List<(DateTimeOffset, string)>();
        try
        {
            var pem = new X509Certificate2Collection();
            pem.ImportFromPem(quote.PckChainPem);
            foreach (X509Certificate2 c in pem)
            {
                limits.Add((new DateTimeOffset(c.NotAfter.ToUniversalTime()), $"certificate '{c.GetNameInfo(X509NameType.SimpleName, false)}' notAfter"));
            }
        }
        catch (CryptographicException)
        {
            // An unreadable chain failed verification already.
        }

        if (collateral is not null)
        {
            foreach (SignedCollateral? doc in new[] { collateral.TcbInfo, collateral.QeIdentity })
            {
                if (doc is null)
                {
                    continue;
                }

                if (!policy.AllowCollateralPastNextUpdate)
                {
                    limits.Add((doc.NextUpdate, $"{doc.Source} nextUpdate"));
                }

                if (policy.MaxCollateralAge is { } age)
                {
                    limits.Add((doc.IssueDate + age, $"{doc.Source} issueDate + maximum age {age.TotalDays:0.#} days"));
                }
            }

            if (!policy.AllowCollateralPastNextUpdate)
            {
                foreach (byte[] der in collateral.Crls)
                {
                    try
                    {
                        if (Crl.Parse(der) is { NextUpdate: { } next } crl)
                        {
                            limits.Add((next, $"CRL of '{crl.Issuer.Name}' nextUpdate"));
                        }
                    }
                    catch (Exception e) when (e is FormatException or CryptographicException or System.Formats.Asn1.AsnContentException)
                    {
                        // An unreadable CRL failed the revocation check already.
                    }
                }
            }
        }

        return limits.Count == 0 ? (DateTimeOffset.MaxValue, "nothing") : limits.MinBy(l => l.Item1);
    }
}
