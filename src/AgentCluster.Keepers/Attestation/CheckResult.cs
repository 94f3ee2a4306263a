namespace AgentCluster.Keepers.Attestation;

/// <summary>The outcome of one named check.</summary>
public enum CheckOutcome
{
    /// <summary>The check held.</summary>
    Pass,

    /// <summary>The check did not hold: the quote is rejected.</summary>
    Fail,

    /// <summary>The check could not run (e.g. no collateral); <see cref="CheckResult.Detail"/> says why.</summary>
    Skipped,
}

/// <summary>One named check of a quote and its outcome.</summary>
/// <param name="Name">The check (one of <see cref="QuoteChecks"/>).</param>
/// <param name="Outcome">Pass, fail or skipped.</param>
/// <param name="Detail">What was found, or why it failed or was skipped.</param>
public sealed record CheckResult(string Name, CheckOutcome Outcome, string Detail);

/// <summary>The names of the checks <see cref="QuoteVerifier"/> runs, in order.</summary>
public static class QuoteChecks
{
    /// <summary>Header: version, attestation key type (ECDSA P-256), TEE type (checked while parsing; reported).</summary>
    public const string Header = "header";

    /// <summary>The QE vendor id is Intel's.</summary>
    public const string QeVendor = "qe_vendor_id";

    /// <summary>The attestation key's ECDSA P-256 signature over header and body.</summary>
    public const string QuoteSignature = "quote_signature";

    /// <summary>QE report data[0..32] = SHA-256(attestation key || QE auth data), data[32..64] zero.</summary>
    public const string QeReportData = "qe_report_data_binding";

    /// <summary>The PCK certificate chain builds to the pinned Intel SGX Root CA (signatures, CA constraints).</summary>
    public const string PckChain = "pck_chain";

    /// <summary>Every certificate of the chain (leaf, intermediate, root) is valid at the check time.</summary>
    public const string CertificateValidity = "certificate_validity";

    /// <summary>The PCK leaf's key signed the QE report.</summary>
    public const string QeReportSignature = "qe_report_signature";

    /// <summary>The PCK leaf carries Intel's SGX extension (FMSPC, PCE id, TCB).</summary>
    public const string PckExtensions = "pck_sgx_extensions";

    /// <summary>No certificate of the chain is on a current, correctly signed CRL of its issuer.</summary>
    public const string Revocation = "revocation";

    /// <summary>TCB Info is signed by an Intel SGX TCB Signing certificate that chains to the pinned root and is valid at the check time.</summary>
    public const string TcbInfoSignature = "tcb_info_signature";

    /// <summary>TCB Info is for this TEE, this FMSPC and this PCE id.</summary>
    public const string TcbInfoMatch = "tcb_info_match";

    /// <summary>TCB Info is current by the policy (issue date, next update, max age).</summary>
    public const string TcbInfoFreshness = "tcb_info_freshness";

    /// <summary>(TD) QE Identity is signed like TCB Info.</summary>
    public const string QeIdentitySignature = "qe_identity_signature";

    /// <summary>(TD) QE Identity is current by the policy.</summary>
    public const string QeIdentityFreshness = "qe_identity_freshness";

    /// <summary>The QE report's MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES match the QE Identity.</summary>
    public const string QeIdentity = "qe_identity";

    /// <summary>TDX: the TDX module (MRSIGNERSEAM, SEAM attributes) matches TCB Info.</summary>
    public const string TdxModule = "tdx_module";

    /// <summary>The TCB status (platform level, QE level and TDX module level combined) is accepted by the policy.</summary>
    public const string TcbStatus = "tcb_status";
}
