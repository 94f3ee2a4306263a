using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using static AgentCluster.Keepers.Attestation.QuoteVerifier;

namespace AgentCluster.Keepers.Attestation;

/// <summary>
/// Evaluates the TCB status from TCB Info and (TD) QE Identity, the way Intel's QVL does: the platform level is the first
/// TCB level whose SGX components and PCESVN (and, for TDX, TDX components, compared from index 2 when TEE_TCB_SVN[1] &gt; 0)
/// are all at or below the platform's; the QE level the first whose ISVSVN is at or below the QE's; for TDX the module level
/// from the TDX module identity "TDX_&lt;svn[1]&gt;" matched on svn[0]. An OutOfDate QE or module turns an UpToDate or
/// SWHardeningNeeded platform OutOfDate (and a configuration status OutOfDateConfigurationNeeded); Revoked wins.
/// </summary>
internal sealed class TcbEvaluator(DcapQuote quote, PckExtensions? pck, QuoteCollateral collateral, DateTimeOffset at, AttestationPolicy policy, X509Certificate2 root, List<CheckResult> checks)
{
    private void Add(string name, CheckOutcome outcome, string detail) => checks.Add(new CheckResult(name, outcome, detail));

    private void Add(string name, bool ok, string detail) => Add(name, ok ? CheckOutcome.Pass : CheckOutcome.Fail, detail);

    public (string? Status, IReadOnlyList<string> Advisories) Run()
    {
        var advisories = new List<string>();
        string? platform = null;
        SignedCollateral? tcb = collateral.TcbInfo;
        CheckOutcome missing = policy.RequireCollateral ? CheckOutcome.Fail : CheckOutcome.Skipped;
        if (tcb is null)
        {
            foreach (string n in new[] { QuoteChecks.TcbInfoSignature, QuoteChecks.TcbInfoMatch, QuoteChecks.TcbInfoFreshness })
            {
                Add(n, missing, "no TCB Info given for this platform: TCB status not checked");
            }
        }
        else
        {
            (bool sigOk, string sigDetail) = VerifyCollateralSignature(tcb, collateral, root, at);
            Add(QuoteChecks.TcbInfoSignature, sigOk, sigDetail);
            Match(tcb);
            string? stale = Stale(policy, tcb.IssueDate, tcb.NextUpdate, at);
            Add(QuoteChecks.TcbInfoFreshness, stale is null, stale is null
                ? $"{tcb.Source}: issued {tcb.IssueDate.UtcDateTime:O}, next update {tcb.NextUpdate.UtcDateTime:O}"
                : $"{tcb.Source} {stale}");
            if (pck is not null)
            {
                platform = PlatformLevel(tcb, advisories, out string detail);
                if (platform is null)
                {
                    Add(QuoteChecks.TcbStatus, CheckOutcome.Fail, detail);
                }
            }
        }

        string? qeStatus = null;
        SignedCollateral? qe = collateral.QeIdentity;
        if (qe is null)
        {
            foreach (string n in new[] { QuoteChecks.QeIdentitySignature, QuoteChecks.QeIdentityFreshness, QuoteChecks.QeIdentity })
            {
                Add(n, missing, "no QE Identity given: QE identity and its TCB status not checked");
            }
        }
        else
        {
            (bool sigOk, string sigDetail) = VerifyCollateralSignature(qe, collateral, root, at);
            Add(QuoteChecks.QeIdentitySignature, sigOk, sigDetail);
            string? stale = Stale(policy, qe.IssueDate, qe.NextUpdate, at);
            Add(QuoteChecks.QeIdentityFreshness, stale is null, stale is null
                ? $"{qe.Source}: issued {qe.IssueDate.UtcDateTime:O}, next update {qe.NextUpdate.UtcDateTime:O}"
                : $"{qe.Source} {stale}");
            qeStatus = QeLevel(qe, advisories);
        }

        string? module = null;
        if (tcb is not null && quote.TdBody is not null)
        {
            module = ModuleLevel(tcb, quote.TdBody, advisories);
        }

        if (tcb is null || pck is null)
        {
            if (!checks.Any(c => c.Name == QuoteChecks.TcbStatus))
            {
                Add(QuoteChecks.TcbStatus, pck is null ? CheckOutcome.Fail : missing,
                    pck is null ? "the PCK certificate's SGX extension could not be read" : "no TCB Info given: TCB status not checked");
            }

            return (null, advisories);
        }

        if (platform is null)
        {
            return ("TCB_NOT_SUPPORTED", advisories);
        }

        string status = Merge(Merge(platform, qeStatus), module);
        bool accepted = policy.AcceptedTcbStatuses.Contains(status);
        Add(QuoteChecks.TcbStatus, accepted,
            $"{status} (platform {platform}, QE {qeStatus ?? "not checked"}{(quote.TdBody is null ? "" : $", TDX module {module ?? "n/a"}")}); advisories [{string.Join(", ", advisories)}]; " +
            (accepted ? "accepted by the policy" : $"the policy accepts only {string.Join(", ", policy.AcceptedTcbStatuses)}"));
        return (status, advisories.Distinct().ToList());
    }

    private void Match(SignedCollateral tcb)
    {
        string wantId = quote.Header.Tee == TeeKind.Tdx ? "TDX" : "SGX";
        var problems = new List<string>();
        if (tcb.Id != wantId)
        {
            problems.Add($"TCB Info id {tcb.Id}, the quote is {wantId}");
        }

        if (pck is not null)
        {
            string fmspc = tcb.Body.TryGetProperty("fmspc", out JsonElement f) ? f.GetString() ?? "" : "";
            string pceId = tcb.Body.TryGetProperty("pceId", out JsonElement p) ? p.GetString() ?? "" : "";
            if (!fmspc.Equals(Convert.ToHexString(pck.Fmspc), StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"TCB Info FMSPC {fmspc}, the PCK certificate's {Convert.ToHexStringLower(pck.Fmspc)}");
            }

            if (!pceId.Equals(Convert.ToHexString(pck.PceId), StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"TCB Info PCE id {pceId}, the PCK certificate's {Convert.ToHexStringLower(pck.PceId)}");
            }
        }
        else
        {
            problems.Add("the PCK certificate's SGX extension could not be read");
        }

        Add(QuoteChecks.TcbInfoMatch, problems.Count == 0, problems.Count == 0 ? $"{tcb.Source}: {wantId}, FMSPC and PCE id match" : string.Join("; ", problems));
    }

    private string? PlatformLevel(SignedCollateral tcb, List<string> advisories, out string detail)
    {
        byte[]? teeTcbSvn = quote.TdBody?.TeeTcbSvn;
        int tdxStart = teeTcbSvn is not null && teeTcbSvn[1] > 0 ? 2 : 0;
        int index = 0;
        foreach (JsonElement level in tcb.Body.GetProperty("tcbLevels").EnumerateArray())
        {
            JsonElement t = level.GetProperty("tcb");
            bool ok = true;
            for (int i = 0; i < 16 && ok; i++)
            {
                int svn = t.TryGetProperty("sgxtcbcomponents", out JsonElement comps)
                    ? comps[i].GetProperty("svn").GetInt32()
                    : t.GetProperty($"sgxtcbcomp{i + 1:D2}svn").GetInt32();
                ok = pck!.CpuSvnComponents[i] >= svn;
            }

            ok = ok && pck!.PceSvn >= t.GetProperty("pcesvn").GetInt32();
            if (ok && teeTcbSvn is not null)
            {
                JsonElement tdx = t.GetProperty("tdxtcbcomponents");
                for (int i = tdxStart; i < 16 && ok; i++)
                {
                    ok = teeTcbSvn[i] >= tdx[i].GetProperty("svn").GetInt32();
                }
            }

            if (ok)
            {
                detail = $"TCB level {index}";
                advisories.AddRange(Advisories(level));
                return level.GetProperty("tcbStatus").GetString();
            }

            index++;
        }

        detail = $"TCB_NOT_SUPPORTED: no TCB level of {tcb.Source} is at or below the platform's (CPUSVN [{string.Join(",", pck!.CpuSvnComponents)}], PCESVN {pck.PceSvn}" +
            (teeTcbSvn is null ? ")" : $", TEE_TCB_SVN [{string.Join(",", teeTcbSvn)}])");
        return null;
    }

    private string? QeLevel(SignedCollateral qe, List<string> advisories)
    {
        SgxReportBody r = quote.QeReport;
        JsonElement b = qe.Body;
        var problems = new List<string>();
        string wantId = quote.Header.Tee == TeeKind.Tdx ? "TD_QE" : "QE";
        if (qe.Id != wantId)
        {
            problems.Add($"identity {qe.Id}, the quote needs {wantId}");
        }

        if (!Convert.ToHexString(r.MrSigner).Equals(b.GetProperty("mrsigner").GetString(), StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"QE MRSIGNER {Convert.ToHexStringLower(r.MrSigner)} is not {b.GetProperty("mrsigner").GetString()}");
        }

        if (r.IsvProdId != b.GetProperty("isvprodid").GetInt32())
        {
            problems.Add($"QE ISVPRODID {r.IsvProdId} is not {b.GetProperty("isvprodid").GetInt32()}");
        }

        if (!MaskedEqual(r.Raw.AsSpan(16, 4), b.GetProperty("miscselect").GetString()!, b.GetProperty("miscselectMask").GetString()!))
        {
            problems.Add("QE MISCSELECT does not match under the mask");
        }

        if (!MaskedEqual(r.Attributes, b.GetProperty("attributes").GetString()!, b.GetProperty("attributesMask").GetString()!))
        {
            problems.Add("QE ATTRIBUTES do not match under the mask");
        }

        string? status = null;
        foreach (JsonElement level in b.GetProperty("tcbLevels").EnumerateArray())
        {
            if (r.IsvSvn >= level.GetProperty("tcb").GetProperty("isvsvn").GetInt32())
            {
                status = level.GetProperty("tcbStatus").GetString();
                advisories.AddRange(Advisories(level));
                break;
            }
        }

        if (status is null)
        {
            problems.Add($"no QE TCB level at or below ISVSVN {r.IsvSvn}");
        }

        Add(QuoteChecks.QeIdentity, problems.Count == 0,
            problems.Count == 0 ? $"{qe.Source}: MRSIGNER, ISVPRODID {r.IsvProdId}, MISCSELECT, ATTRIBUTES match; ISVSVN {r.IsvSvn}: {status}" : string.Join("; ", problems));
        return problems.Count == 0 ? status : status ?? TcbStatuses.Revoked;
    }

    private string? ModuleLevel(SignedCollateral tcb, TdReportBody td, List<string> advisories)
    {
        JsonElement b = tcb.Body;
        var problems = new List<string>();
        string? status = null;
        JsonElement? identity = null;
        if (td.TeeTcbSvn[1] > 0)
        {
            string id = $"TDX_{td.TeeTcbSvn[1]:D2}";
            if (b.TryGetProperty("tdxModuleIdentities", out JsonElement ids))
            {
                identity = ids.EnumerateArray().Where(e => e.GetProperty("id").GetString() == id).Select(e => (JsonElement?)e).FirstOrDefault();
            }

            if (identity is null)
            {
                problems.Add($"TCB Info has no TDX module identity {id}");
            }
            else
            {
                foreach (JsonElement level in identity.Value.GetProperty("tcbLevels").EnumerateArray())
                {
                    if (td.TeeTcbSvn[0] >= level.GetProperty("tcb").GetProperty("isvsvn").GetInt32())
                    {
                        status = level.GetProperty("tcbStatus").GetString();
                        advisories.AddRange(Advisories(level));
                        break;
                    }
                }

                if (status is null)
                {
                    problems.Add($"no level of {id} at or below the module SVN {td.TeeTcbSvn[0]}");
                }
            }
        }

        JsonElement? module = identity ?? (b.TryGetProperty("tdxModule", out JsonElement m) ? m : null);
        if (module is { } mod)
        {
            if (!Convert.ToHexString(td.MrSignerSeam).Equals(mod.GetProperty("mrsigner").GetString(), StringComparison.OrdinalIgnoreCase))
            {
                problems.Add("MRSIGNERSEAM does not match the TDX module's mrsigner");
            }

            if (!MaskedEqual(td.SeamAttributes, mod.GetProperty("attributes").GetString()!, mod.GetProperty("attributesMask").GetString()!))
            {
                problems.Add("SEAM attributes do not match under the mask");
            }
        }
        else
        {
            problems.Add("TCB Info has no tdxModule");
        }

        Add(QuoteChecks.TdxModule, problems.Count == 0,
            problems.Count == 0 ? $"TDX module signer and attributes match; module status {status ?? "n/a (TEE_TCB_SVN[1] = 0)"}" : string.Join("; ", problems));
        return problems.Count == 0 ? status : status ?? TcbStatuses.Revoked;
    }

    private static IEnumerable<string> Advisories(JsonElement level) =>
        level.TryGetProperty("advisoryIDs", out JsonElement a) ? a.EnumerateArray().Select(x => x.GetString()!) : [];

    private static bool MaskedEqual(ReadOnlySpan<byte> actual, string expectedHex, string maskHex)
    {
        byte[] expected = Convert.FromHexString(expectedHex);
        byte[] mask = Convert.FromHexString(maskHex);
        if (expected.Length != actual.Length || mask.Length != actual.Length)
        {
            return false;
        }

        for (int i = 0; i < actual.Length; i++)
        {
            if ((actual[i] & mask[i]) != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Combines the platform status with a QE or module status (Intel QVL's rules).</summary>
    internal static string Merge(string platform, string? other)
    {
        if (other is null || other == TcbStatuses.UpToDate)
        {
            return platform;
        }

        if (other == TcbStatuses.Revoked || platform == TcbStatuses.Revoked)
        {
            return TcbStatuses.Revoked;
        }

        if (other is TcbStatuses.OutOfDate or TcbStatuses.OutOfDateConfigurationNeeded)
        {
            return platform switch
            {
                TcbStatuses.UpToDate or TcbStatuses.SwHardeningNeeded => TcbStatuses.OutOfDate,
                TcbStatuses.ConfigurationNeeded or TcbStatuses.ConfigurationAndSwHardeningNeeded => TcbStatuses.OutOfDateConfigurationNeeded,
                _ => platform,
            };
        }

        return platform;
    }
}
