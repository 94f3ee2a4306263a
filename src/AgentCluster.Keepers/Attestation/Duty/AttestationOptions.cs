using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AgentCluster.Keepers.Hosting;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Attestation.Duty;

/// <summary>
/// Settings of the attestation duty (section <c>AgentCluster:Keepers:Attestation</c>; the duty runs when
/// <c>AgentCluster:Keepers:Duties:Attestation</c> is true, default false: only a keeper whose signer governance approved as attestor runs
/// it). See docs/attestation.md, "Duty".
/// </summary>
public sealed class AttestationOptions
{
    /// <summary>The configuration section bound.</summary>
    public const string SectionName = KeeperOptions.SectionName + ":Attestation";

    /// <summary>The registry's longest attestation (<c>MAX_ATTESTATION_VALIDITY</c>, 30 days).</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(30);

    /// <summary>
    /// The inbox folder agents hand their evidence in to: <c>0x&lt;agent key address&gt;.quote</c> (raw or hex) and
    /// <c>0x&lt;agent key address&gt;.benchmark.json</c> (a <see cref="ComputeBenchmarkReport"/>). Processed submissions move to
    /// <c>done/</c> or <c>rejected/</c> (with a <c>reason.txt</c>). Created if missing.
    /// </summary>
    public string? InboxPath { get; set; }

    /// <summary>The pinned root CA (PEM): Intel's SGX Root CA in production; the only trust anchor of the quotes' PCK chains.</summary>
    public string? RootCaPath { get; set; }

    /// <summary>
    /// Folder of Intel collateral (TCB Info, QE Identity, TCB signing certificates, CRLs; the formats of <see cref="QuoteCollateral.LoadDirectory"/>),
    /// read again at every check so that an operator's refresh takes effect at once. Empty: TCB status not checked (unless
    /// <see cref="RequireCollateral"/>, then every quote fails).
    /// </summary>
    public string? CollateralPath { get; set; }

    /// <summary>The SQLite file of accepted evidence (re-verified before expiry for renewals).</summary>
    public string? StorePath { get; set; }

    /// <summary>TCB statuses accepted (default <c>UpToDate</c> only).</summary>
    public IList<string> AcceptedTcbStatuses { get; set; } = [];

    /// <summary>Oldest TCB Info / QE Identity accepted, from its issue date (default 30 days; <see cref="TimeSpan.Zero"/>: no limit).</summary>
    public TimeSpan MaxCollateralAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Accept collateral and CRLs past their nextUpdate (default false).</summary>
    public bool AllowStaleCollateral { get; set; }

    /// <summary>Fail quotes when no collateral is found (default false: TCB status then not checked, and the log says so).</summary>
    public bool RequireCollateral { get; set; }

    /// <summary>The measurements governance allows (settings: the registry keeps only the measurement hash; there is no allow-list contract).</summary>
    public AllowedMeasurements AllowedMeasurements { get; set; } = new();

    /// <summary>How long an attestation is valid (default and at most 30 days); shortened to what the certificates and collateral allow.</summary>
    public TimeSpan Validity { get; set; } = MaxValidity;

    /// <summary>How long before expiry the stored evidence is re-verified and a renewal posted (default 2 days; less than <see cref="Validity"/>).</summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(2);

    /// <summary>The oldest benchmark accepted (its <c>MeasuredAt</c> against chain time; default 1 day).</summary>
    public TimeSpan MaxBenchmarkAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The verification policy these settings stand for.</summary>
    public AttestationPolicy Policy() => new()
    {
        AcceptedTcbStatuses = AcceptedTcbStatuses.Count == 0
            ? AttestationPolicy.Default.AcceptedTcbStatuses
            : new HashSet<string>(AcceptedTcbStatuses, StringComparer.Ordinal),
        MaxCollateralAge = MaxCollateralAge == TimeSpan.Zero ? null : MaxCollateralAge,
        AllowCollateralPastNextUpdate = AllowStaleCollateral,
        RequireCollateral = RequireCollateral,
    };

    /// <summary>The allow-list these settings stand for.</summary>
    /// <exception cref="ArgumentException">An entry is not hex of the right length.</exception>
    public MeasurementAllowList AllowList()
    {
        var list = new MeasurementAllowList();
        foreach (string e in AllowedMeasurements.MrEnclaves)
        {
            list.AllowMrEnclave(e);
        }

        foreach (AllowedSigner s in AllowedMeasurements.Signers)
        {
            list.AllowSigner(s.MrSigner ?? "", s.IsvProdId, s.MinIsvSvn);
        }

        foreach (AllowedTd t in AllowedMeasurements.Tds)
        {
            list.AllowTd(t.MrTd ?? "", [.. t.Rtmrs.Select(r => string.IsNullOrEmpty(r) ? null : r)]);
        }

        return list;
    }

    /// <summary>Loads the pinned root (<see cref="RootCaPath"/>).</summary>
    /// <exception cref="ArgumentException">Not set, unreadable, or not a PEM certificate.</exception>
    public X509Certificate2 LoadRoot()
    {
        if (string.IsNullOrWhiteSpace(RootCaPath))
        {
            throw new ArgumentException($"{SectionName}:RootCaPath: not set; give the PEM file of the root CA to pin (Intel SGX Root CA).");
        }

        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(RootCaPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"{SectionName}:RootCaPath: '{RootCaPath}' is not a readable PEM certificate: {e.Message}", e);
        }
    }
}

/// <summary>The measurement allow-list in settings (<c>AgentCluster:Keepers:Attestation:AllowedMeasurements</c>).</summary>
public sealed class AllowedMeasurements
{
    /// <summary>SGX enclaves allowed by MRENCLAVE (64 hex digits each).</summary>
    public IList<string> MrEnclaves { get; set; } = [];

    /// <summary>SGX enclaves allowed by signer, product and minimum SVN.</summary>
    public IList<AllowedSigner> Signers { get; set; } = [];

    /// <summary>TDX TDs allowed by MRTD and optionally RTMR0-3.</summary>
    public IList<AllowedTd> Tds { get; set; } = [];

    /// <summary>How many entries the list has.</summary>
    public int Count => MrEnclaves.Count + Signers.Count + Tds.Count;
}

/// <summary>An SGX signer entry of the allow-list.</summary>
public sealed class AllowedSigner
{
    /// <summary>MRSIGNER (64 hex digits).</summary>
    public string? MrSigner { get; set; }

    /// <summary>ISVPRODID.</summary>
    public ushort IsvProdId { get; set; }

    /// <summary>Lowest ISVSVN accepted.</summary>
    public ushort MinIsvSvn { get; set; }
}

/// <summary>A TDX entry of the allow-list.</summary>
public sealed class AllowedTd
{
    /// <summary>MRTD (96 hex digits).</summary>
    public string? MrTd { get; set; }

    /// <summary>RTMR0..RTMR3 (96 hex digits each; empty or missing: any value).</summary>
    public IList<string?> Rtmrs { get; set; } = [];
}

/// <summary>
/// Checks <see cref="AttestationOptions"/> when the host starts, only when the attestation duty is enabled; each failure names its key.
/// </summary>
public sealed class AttestationOptionsValidator(IOptions<KeeperOptions> keeper) : IValidateOptions<AttestationOptions>
{
    private const string P = AttestationOptions.SectionName + ":";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AttestationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!keeper.Value.Duties.Attestation)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.InboxPath))
        {
            failures.Add($"{P}InboxPath: not set; give the folder agents hand their quote and benchmark in to.");
        }

        if (string.IsNullOrWhiteSpace(options.StorePath))
        {
            failures.Add($"{P}StorePath: not set; give the SQLite file that keeps accepted evidence for renewals.");
        }

        try
        {
            using X509Certificate2 root = options.LoadRoot();
        }
        catch (ArgumentException e)
        {
            failures.Add(e.Message);
        }

        if (!string.IsNullOrWhiteSpace(options.CollateralPath) && !Directory.Exists(options.CollateralPath))
        {
            failures.Add($"{P}CollateralPath: folder '{options.CollateralPath}' does not exist.");
        }

        string[] known = [TcbStatuses.UpToDate, TcbStatuses.SwHardeningNeeded, TcbStatuses.ConfigurationNeeded, TcbStatuses.ConfigurationAndSwHardeningNeeded,
            TcbStatuses.OutOfDate, TcbStatuses.OutOfDateConfigurationNeeded];
        foreach (string s in options.AcceptedTcbStatuses.Where(s => !known.Contains(s, StringComparer.Ordinal)))
        {
            failures.Add($"{P}AcceptedTcbStatuses: '{s}' is not a TCB status that can be accepted ({string.Join(", ", known)}).");
        }

        if (options.MaxCollateralAge < TimeSpan.Zero)
        {
            failures.Add($"{P}MaxCollateralAge: {options.MaxCollateralAge} is negative (0 means no limit).");
        }

        if (options.AllowedMeasurements.Count == 0)
        {
            failures.Add($"{P}AllowedMeasurements: empty; every submission would be rejected. List MrEnclaves, Signers or Tds.");
        }
        else
        {
            try
            {
                options.AllowList();
            }
            catch (ArgumentException e)
            {
                failures.Add($"{P}AllowedMeasurements: {e.Message}");
            }
        }

        if (options.Validity <= TimeSpan.Zero || options.Validity > AttestationOptions.MaxValidity)
        {
            failures.Add($"{P}Validity: {options.Validity} is not in (0, 30 days] (the registry's MAX_ATTESTATION_VALIDITY).");
        }

        if (options.RenewBefore <= TimeSpan.Zero || options.RenewBefore >= options.Validity)
        {
            failures.Add($"{P}RenewBefore: {options.RenewBefore} must be positive and less than Validity ({options.Validity}).");
        }

        if (options.MaxBenchmarkAge <= TimeSpan.Zero)
        {
            failures.Add($"{P}MaxBenchmarkAge: {options.MaxBenchmarkAge} must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
