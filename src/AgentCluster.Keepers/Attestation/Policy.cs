namespace AgentCluster.Keepers.Attestation;

/// <summary>Intel's TCB status names as they appear in TCB Info and QE Identity.</summary>
public static class TcbStatuses
{
    /// <summary>The platform is patched.</summary>
    public const string UpToDate = "UpToDate";

    /// <summary>Patched, but software mitigations (in the enclave) are needed for some advisories.</summary>
    public const string SwHardeningNeeded = "SWHardeningNeeded";

    /// <summary>Patched, but the platform's configuration (e.g. BIOS settings) needs changing.</summary>
    public const string ConfigurationNeeded = "ConfigurationNeeded";

    /// <summary>Both of the above.</summary>
    public const string ConfigurationAndSwHardeningNeeded = "ConfigurationAndSWHardeningNeeded";

    /// <summary>A security update is missing.</summary>
    public const string OutOfDate = "OutOfDate";

    /// <summary>A security update is missing and the configuration needs changing.</summary>
    public const string OutOfDateConfigurationNeeded = "OutOfDateConfigurationNeeded";

    /// <summary>The platform's keys are revoked.</summary>
    public const string Revoked = "Revoked";
}

/// <summary>
/// What a keeper accepts. The defaults are strict: only <c>UpToDate</c>, collateral current at the check time (issued no more
/// than <see cref="MaxCollateralAge"/> before it and not past its <c>nextUpdate</c>), CRLs current too.
/// </summary>
public sealed record AttestationPolicy
{
    /// <summary>The strict default policy.</summary>
    public static AttestationPolicy Default { get; } = new();

    /// <summary>The TCB statuses accepted (default: only UpToDate). SWHardeningNeeded or ConfigurationNeeded only when listed.</summary>
    public IReadOnlySet<string> AcceptedTcbStatuses { get; init; } = new HashSet<string>(StringComparer.Ordinal) { TcbStatuses.UpToDate };

    /// <summary>
    /// How long after its issue date TCB Info and QE Identity are still accepted (default 30 days; null: no limit). CRLs are
    /// judged by their own nextUpdate only (the Root CA CRL is issued yearly).
    /// </summary>
    public TimeSpan? MaxCollateralAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Whether collateral and CRLs past their <c>nextUpdate</c> are accepted (default false: stale collateral fails its freshness check).</summary>
    public bool AllowCollateralPastNextUpdate { get; init; }

    /// <summary>Whether a quote with no collateral fails (default false: the TCB checks are reported as skipped, "TCB status not checked").</summary>
    public bool RequireCollateral { get; init; }

    /// <summary>A copy of this policy that also accepts <paramref name="statuses"/>.</summary>
    /// <param name="statuses">Statuses to accept in addition.</param>
    /// <returns>The new policy.</returns>
    public AttestationPolicy Accepting(params string[] statuses) =>
        this with { AcceptedTcbStatuses = new HashSet<string>(AcceptedTcbStatuses.Concat(statuses), StringComparer.Ordinal) };
}
