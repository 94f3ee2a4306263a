using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace AgentCluster.Keepers.Attestation;

/// <summary>The result of verifying a quote: every named check, and the TCB status when collateral was given.</summary>
/// <param name="Quote">The quote.</param>
/// <param name="Checks">Each check in order.</param>
/// <param name="TcbStatus">The combined TCB status, or null when it was not evaluated ("TCB status not checked").</param>
/// <param name="AdvisoryIds">Intel security advisories that apply at that status.</param>
/// <param name="Pck">The PCK certificate's SGX extension values, when they could be read.</param>
public sealed record QuoteVerificationResult(DcapQuote Quote, IReadOnlyList<CheckResult> Checks, string? TcbStatus, IReadOnlyList<string> AdvisoryIds, PckExtensions? Pck)
{
    /// <summary>True when no check failed (skipped checks do not fail a quote; see <see cref="TcbChecked"/>).</summary>
    public bool IsValid => Checks.All(c => c.Outcome != CheckOutcome.Fail);

    /// <summary>Whether the TCB status was evaluated against collateral.</summary>
    public bool TcbChecked => TcbStatus is not null;

    /// <summary>The failed checks.</summary>
    public IEnumerable<CheckResult> Failures => Checks.Where(c => c.Outcome == CheckOutcome.Fail);

    /// <summary>The check named <paramref name="name"/>.</summary>
    /// <param name="name">One of <see cref="QuoteChecks"/>.</param>
    public CheckResult this[string name] => Checks.First(c => c.Name == name);
}

/// <summary>
/// Verifies Intel DCAP quotes completely against a pinned Intel SGX Root CA with .NET's cryptography (ECDsa, X509Chain):
/// the quote signature, the QE report and its binding of the attestation key, the PCK chain and certificate validity at a
/// given time, and with collateral the CRLs, TCB Info, QE Identity and the TCB status under an <see cref="AttestationPolicy"/>.
/// </summary>
public sealed class QuoteVerifier
{
    private readonly X509Certificate2 _root;
    private readonly AttestationPolicy _policy;

    /// <summary>Creates a verifier that trusts only <paramref name="pinnedRoot"/> as an anchor.</summary>
    /// <param name="pinnedRoot">The Intel SGX Root CA (or, in tests, another root to pin).</param>
    /// <param name="policy">The policy; <see cref="AttestationPolicy.Default"/> when null.</param>
    public QuoteVerifier(X509Certificate2 pinnedRoot, AttestationPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(pinnedRoot);
        _root = pinnedRoot;
        _policy = policy ?? AttestationPolicy.Default;
    }

    /// <summary>The pinned root.</summary>
    public X509Certificate2 PinnedRoot => _root;

    /// <summary>The policy.</summary>
    public AttestationPolicy Policy => _policy;

    /// <summary>SHA-256 fingerprint (hex) of Intel's SGX Root CA.</summary>
    public const string IntelSgxRootCaSha256 = "44A0196B2B99F889B8E149E95B807A350E7424964399E885A7CBB8CCFAB674D3";

    /// <summary>Verifies <paramref name="quote"/> at <paramref name="at"/>.</summary>
    /// <param name="quote">The parsed quote.</param>
    /// <param name="at">The time certificates and collateral must be valid at.</param>
    /// <param name="collateral">TCB Info, QE Identity, signing certificates and CRLs; null: the TCB checks are skipped.</param>
    /// <returns>Each check's result.</returns>
    public QuoteVerificationResult Verify(DcapQuote quote, DateTimeOffset at, QuoteCollateral? collateral = null)
    {
        ArgumentNullException.ThrowIfNull(quote);
        var checks = new List<CheckResult>();
        void Add(string name, bool ok, string passDetail, string failDetail) =>
            checks.Add(new CheckResult(name, ok ? CheckOutcome.Pass : CheckOutcome.Fail, ok ? passDetail : failDetail));
        void Skip(string name, string why) => checks.Add(new CheckResult(name, CheckOutcome.Skipped, why));

        QuoteHeader h = quote.Header;
        Add(QuoteChecks.Header, true, $"version {h.Version}, attestation key type {h.AttestationKeyType} (ECDSA P-256), TEE {(h.Tee == TeeKind.Sgx ? "SGX" : "TDX")}", "");
        Add(QuoteChecks.QeVendor, h.QeVendorId.AsSpan().SequenceEqual(QuoteHeader.IntelQeVendorId), "Intel's QE",
            $"QE vendor id {Convert.ToHexStringLower(h.QeVendorId)} is not Intel's");

        // 1. The attestation key signed header + body.
        bool quoteSig = VerifyP256(quote.AttestationKey, quote.SignedBytes.Span, quote.Signature, out string? keyError);
        Add(QuoteChecks.QuoteSignature, quoteSig, $"the attestation key signed bytes 0..{quote.SignedLength}",
            keyError ?? "the quote signature does not verify with the attestation key over the header and body");

        // 2. The QE report binds the attestation key and auth data.
        byte[] expected = SHA256.HashData([.. quote.AttestationKey, .. quote.QeAuthData]);
        byte[] qeData = quote.QeReport.ReportData;
        bool binding = qeData.AsSpan(0, 32).SequenceEqual(expected) && qeData.AsSpan(32).IndexOfAnyExcept((byte)0) < 0;
        Add(QuoteChecks.QeReportData, binding, "QE report data = SHA-256(attestation key || auth data) || 32 zero bytes",
            "QE report data is not SHA-256(attestation key || auth data) followed by 32 zero bytes");

        // 3. The PCK chain to the pinned root.
        X509Certificate2Collection? pem = null;
        try
        {
            pem = new X509Certificate2Collection();
            pem.ImportFromPem(quote.PckChainPem);
            if (pem.Count == 0)
            {
                pem = null;
            }
        }
        catch (CryptographicException)
        {
            pem = null;
        }

        X509Certificate2? leaf = pem?[0];
        List<X509Certificate2> chainCerts = [];
        if (leaf is null)
        {
            Add(QuoteChecks.PckChain, false, "", "the PCK certificate chain in the quote is not readable PEM");
            Add(QuoteChecks.CertificateValidity, false, "", "no certificates to check");
        }
        else
        {
            (bool built, string detail, chainCerts) = BuildChain(leaf, pem!.Skip(1), at);
            Add(QuoteChecks.PckChain, built, detail, detail);
            if (chainCerts.Count == 0)
            {
                chainCerts = [.. pem!, _root];
            }

            var invalid = chainCerts.Where(c => at < c.NotBefore.ToUniversalTime() || at > c.NotAfter.ToUniversalTime()).ToList();
            Add(QuoteChecks.CertificateValidity, invalid.Count == 0,
                $"{chainCerts.Count} certificates valid at {at.UtcDateTime:O}; the PCK leaf until {leaf.NotAfter.ToUniversalTime():O}",
                string.Join("; ", invalid.Select(c => $"'{c.GetNameInfo(X509NameType.SimpleName, false)}' is valid {c.NotBefore.ToUniversalTime():O}..{c.NotAfter.ToUniversalTime():O}, not at {at.UtcDateTime:O}")));
        }

        // 4. The PCK leaf signed the QE report.
        if (leaf is null)
        {
            Add(QuoteChecks.QeReportSignature, false, "", "no PCK certificate to verify the QE report signature with");
        }
        else
        {
            using ECDsa? pckKey = leaf.GetECDsaPublicKey();
            bool ok = pckKey is not null && pckKey.VerifyData(quote.QeReportRaw, quote.QeReportSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            Add(QuoteChecks.QeReportSignature, ok, "the PCK leaf key signed the QE report", "the QE report signature does not verify with the PCK leaf's key");
        }

        PckExtensions? pck = null;
        if (leaf is not null)
        {
            try
            {
                pck = PckExtensions.Read(leaf);
                Add(QuoteChecks.PckExtensions, true, $"FMSPC {Convert.ToHexStringLower(pck.Fmspc)}, PCE id {Convert.ToHexStringLower(pck.PceId)}, PCESVN {pck.PceSvn}", "");
            }
            catch (FormatException e)
            {
                Add(QuoteChecks.PckExtensions, false, "", e.Message);
            }
        }
        else
        {
            Add(QuoteChecks.PckExtensions, false, "", "no PCK certificate");
        }

        // 5. Collateral.
        string? status = null;
        IReadOnlyList<string> advisories = [];
        if (collateral is null)
        {
            string why = "no collateral given: TCB status not checked";
            foreach (string name in new[] { QuoteChecks.Revocation, QuoteChecks.TcbInfoSignature, QuoteChecks.TcbInfoMatch, QuoteChecks.TcbInfoFreshness, QuoteChecks.QeIdentitySignature, QuoteChecks.QeIdentityFreshness, QuoteChecks.QeIdentity, QuoteChecks.TcbStatus })
            {
                if (_policy.RequireCollateral)
                {
                    checks.Add(new CheckResult(name, CheckOutcome.Fail, "the policy requires collateral and none was given"));
                }
                else
                {
                    Skip(name, why);
                }
            }
        }
        else
        {
            CheckRevocation(collateral, chainCerts.Count > 1 ? chainCerts : [], at, checks);
            var evaluator = new TcbEvaluator(quote, pck, collateral, at, _policy, _root, checks);
            try
            {
                (status, advisories) = evaluator.Run();
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or FormatException)
            {
                // Collateral whose JSON lacks a field or has the wrong shape: a failed check, never a crash.
                status = null;
                checks.RemoveAll(c => c.Name == QuoteChecks.TcbStatus);
                checks.Add(new CheckResult(QuoteChecks.TcbStatus, CheckOutcome.Fail, $"the collateral is malformed: {e.Message}"));
            }
        }

        return new QuoteVerificationResult(quote, checks, status, advisories, pck);
    }

    private (bool Ok, string Detail, List<X509Certificate2> Chain) BuildChain(X509Certificate2 leaf, IEnumerable<X509Certificate2> extra, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;

        // Validity in time is its own check (certificate_validity); here: signatures, names, CA constraints, the anchor.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;
        foreach (X509Certificate2 c in extra)
        {
            // The quote's own copy of the root (or any self-signed cert) must never become an anchor: only CustomTrustStore anchors.
            chain.ChainPolicy.ExtraStore.Add(c);
        }

        bool built = chain.Build(leaf);
        // Copies: the chain's own element certificates belong to the chain, which is disposed on return.
        List<X509Certificate2> certs = [.. chain.ChainElements.Select(e => X509CertificateLoader.LoadCertificate(e.Certificate.RawData))];
        X509Certificate2? anchor = certs.Count > 0 ? certs[^1] : null;
        bool pinned = anchor is not null && anchor.RawData.AsSpan().SequenceEqual(_root.RawData);
        if (built && pinned && certs.Count >= 2)
        {
            return (true, $"{string.Join(" -> ", certs.Select(c => c.GetNameInfo(X509NameType.SimpleName, false)))} (pinned root {_root.GetCertHashString(HashAlgorithmName.SHA256)})", certs);
        }

        string problems = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}").Distinct());
        return (false, $"the PCK chain does not build to the pinned root '{_root.GetNameInfo(X509NameType.SimpleName, false)}': {(problems.Length > 0 ? problems : "anchor is not the pinned root")}", certs);
    }

    private void CheckRevocation(QuoteCollateral collateral, List<X509Certificate2> chain, DateTimeOffset at, List<CheckResult> checks)
    {
        if (collateral.Crls.Count == 0)
        {
            checks.Add(new CheckResult(QuoteChecks.Revocation, _policy.RequireCollateral ? CheckOutcome.Fail : CheckOutcome.Skipped, "no CRLs given: revocation not checked"));
            return;
        }

        if (chain.Count < 2)
        {
            checks.Add(new CheckResult(QuoteChecks.Revocation, CheckOutcome.Fail, "no verified chain to check revocation against"));
            return;
        }

        var crls = new List<Crl>();
        foreach (byte[] der in collateral.Crls)
        {
            try
            {
                crls.Add(Crl.Parse(der));
            }
            catch (FormatException)
            {
                // An unreadable CRL is not one of the issuer's: it cannot vouch for anything.
            }
        }

        var problems = new List<string>();
        var used = new List<string>();
        for (int i = 0; i < chain.Count - 1; i++)
        {
            X509Certificate2 cert = chain[i];
            X509Certificate2 issuer = chain[i + 1];
            string issuerName = issuer.GetNameInfo(X509NameType.SimpleName, false);
            Crl? crl = crls.Where(c => c.ThisUpdate <= at && c.IsSignedBy(issuer)).OrderBy(c => c.ThisUpdate).LastOrDefault();
            if (crl is null)
            {
                problems.Add($"no CRL of '{issuerName}' issued by {at.UtcDateTime:O} with a valid signature");
                continue;
            }

            if (crl.Revokes(cert))
            {
                problems.Add($"'{cert.GetNameInfo(X509NameType.SimpleName, false)}' (serial {cert.SerialNumber}) is revoked by '{issuerName}'");
            }

            // CRLs are judged by their own nextUpdate (the Root CA CRL is issued yearly, PCK CRLs monthly), not by MaxCollateralAge.
            string? stale = Stale(_policy with { MaxCollateralAge = null }, crl.ThisUpdate, crl.NextUpdate, at);
            if (stale is not null)
            {
                problems.Add($"the CRL of '{issuerName}' {stale}");
            }

            used.Add($"'{issuerName}' CRL of {crl.ThisUpdate.UtcDateTime:O} ({crl.RevokedCount} entries)");
        }

        checks.Add(new CheckResult(QuoteChecks.Revocation, problems.Count == 0 ? CheckOutcome.Pass : CheckOutcome.Fail,
            problems.Count == 0 ? "not revoked: " + string.Join(", ", used) : string.Join("; ", problems)));
    }

    /// <summary>Null when a document issued at <paramref name="issued"/> and due for update at <paramref name="next"/> is current at <paramref name="at"/> by the policy; else why not.</summary>
    internal static string? Stale(AttestationPolicy policy, DateTimeOffset issued, DateTimeOffset? next, DateTimeOffset at)
    {
        if (at < issued)
        {
            return $"was issued {issued.UtcDateTime:O}, after the check time {at.UtcDateTime:O}";
        }

        if (next is { } n && at > n && !policy.AllowCollateralPastNextUpdate)
        {
            return $"is stale: its nextUpdate {n.UtcDateTime:O} is before the check time {at.UtcDateTime:O}";
        }

        if (policy.MaxCollateralAge is { } max && at - issued > max)
        {
            return $"is {(at - issued).TotalDays:F1} days old, more than the policy's {max.TotalDays:F1}";
        }

        return null;
    }

    internal static bool VerifyP256(byte[] publicKey, ReadOnlySpan<byte> data, byte[] signature, out string? error)
    {
        error = null;
        try
        {
            using ECDsa key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = publicKey[..32], Y = publicKey[32..] } });
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException e)
        {
            error = $"the attestation key is not a valid P-256 point: {e.Message}";
            return false;
        }
    }

    internal static (bool Ok, string Detail) VerifyCollateralSignature(SignedCollateral doc, QuoteCollateral collateral, X509Certificate2 root, DateTimeOffset at)
    {
        if (collateral.TcbSigningCertificates.Count == 0)
        {
            return (false, $"{doc.Source}: no TCB signing certificate given");
        }

        var reasons = new List<string>();
        foreach (X509Certificate2 signer in collateral.TcbSigningCertificates)
        {
            // A signing certificate is an end entity: a CA under the same root (e.g. a PCK CA) is never accepted as a collateral signer.
            if (signer.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            {
                reasons.Add($"'{signer.GetNameInfo(X509NameType.SimpleName, false)}' is a CA certificate, not a TCB signing certificate");
                continue;
            }

            using ECDsa? key = signer.GetECDsaPublicKey();
            if (key is null || !key.VerifyData(doc.SignedBody, doc.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                reasons.Add($"'{signer.GetNameInfo(X509NameType.SimpleName, false)}' (valid until {signer.NotAfter.ToUniversalTime():O}) did not sign it");
                continue;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.ChainPolicy.VerificationTime = at.UtcDateTime;
            if (chain.Build(signer) && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData))
            {
                return (true, $"{doc.Source}: signed by '{signer.GetNameInfo(X509NameType.SimpleName, false)}' valid {signer.NotBefore.ToUniversalTime():yyyy-MM-dd}..{signer.NotAfter.ToUniversalTime():yyyy-MM-dd}, chained to the pinned root");
            }

            reasons.Add($"its signer (valid {signer.NotBefore.ToUniversalTime():O}..{signer.NotAfter.ToUniversalTime():O}) does not chain to the pinned root at {at.UtcDateTime:O}: {string.Join("; ", chain.ChainStatus.Select(s => s.Status).Distinct())}");
        }

        return (false, $"{doc.Source}: " + string.Join("; ", reasons));
    }

    internal static JsonElement? Prop(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) ? v : null;
}
