using System.Globalization;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.Signing;
using AgentCluster.Keepers.Hosting;
using AgentCluster.Keepers.Sharing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Keepers.Attestation.Duty;

/// <summary>
/// The keepers' attestation duty (issue 12, "Attestation checks"; docs/attestation.md, "Duty"). Each pass, when the signer is an approved
/// attestor: every complete submission in the inbox (<see cref="AttestationInbox"/>) is checked (agent registered; the quote verified
/// completely under the pinned root, collateral and policy at chain time; its report data bound to the agent key, this chain, the next
/// attestation nonce and the benchmark; its measurement on the allow-list; the benchmark recent and plausible), and, when every check
/// passes, the registry's EIP-712 <c>Attestation</c> is signed with the keeper's key and posted (nonce = last + 1, expiry = the earliest
/// of now + <see cref="AttestationOptions.Validity"/> and what the certificates and collateral allow); the submission moves to
/// <c>done/</c> or <c>rejected/</c> with the reason, and accepted evidence is kept in the <see cref="AttestationStore"/>. Then every stored
/// attestation within <see cref="AttestationOptions.RenewBefore"/> of expiry is re-verified (current collateral, chain time) and renewed with
/// nonce + 1; evidence that no longer verifies is not renewed (the log says why) and the registry suspends the agent at expiry by itself.
/// Work is shared through the <see cref="KeeperRota"/> (kind <see cref="WorkKind"/>, keyed by agent id); a nonce another attestor posted
/// first reverts <c>StaleAttestation</c> at gas estimation and counts as done.
/// </summary>
public sealed class AttestationDuty : KeeperDuty
{
    /// <summary>The duty's name in logs and metrics.</summary>
    public const string DutyName = "attestation";

    /// <summary>The work kind in the <see cref="KeeperRota"/> (keyed by agent id).</summary>
    public const string WorkKind = "attest";

    private readonly KeeperRota _rota;
    private readonly AttestationOptions _settings;
    private readonly AttestationMetrics _attestationMetrics;
    private readonly AttestationInbox _inbox;
    private readonly AttestationStore _store;
    private readonly QuoteVerifier _verifier;
    private readonly MeasurementAllowList _allowList;
    private Secp256k1Signer? _signer;
    private bool? _wasAttestor;
    private bool _reportedNoKey;

    /// <summary>Creates the duty (opening its inbox and store; the options were validated on start).</summary>
    public AttestationDuty(KeeperClient client, KeeperRota rota, IOptions<KeeperOptions> options, IOptions<AttestationOptions> attestation, KeeperMetrics metrics,
        AttestationMetrics attestationMetrics, ILogger<AttestationDuty> logger)
        : base(DutyName, client, options, metrics, logger)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        _rota = rota ?? throw new ArgumentNullException(nameof(rota));
        _settings = attestation.Value;
        _attestationMetrics = attestationMetrics ?? throw new ArgumentNullException(nameof(attestationMetrics));
        _inbox = new AttestationInbox(_settings.InboxPath!);
        _store = new AttestationStore(_settings.StorePath!);
        _verifier = new QuoteVerifier(_settings.LoadRoot(), _settings.Policy());
        _allowList = _settings.AllowList();
    }

    /// <summary>The store of accepted evidence (for diagnostics and tests).</summary>
    public AttestationStore Store => _store;

    /// <summary>The inbox.</summary>
    public AttestationInbox Inbox => _inbox;

    /// <inheritdoc />
    protected override async Task RunPassAsync(AgentClusterClient client, CancellationToken cancellationToken)
    {
        Secp256k1Signer? signer = await SignerAsync(client, cancellationToken).ConfigureAwait(false);
        if (signer is null)
        {
            return;
        }

        bool attestor = await client.Agents.IsAttestorAsync(client.Address!, cancellationToken).ConfigureAwait(false);
        if (attestor != _wasAttestor)
        {
            if (attestor)
            {
                KeeperLog.AttestorReady(Logger, client.Address!, _inbox.Path, _verifier.PinnedRoot.GetNameInfo(X509NameType.SimpleName, false),
                    string.IsNullOrWhiteSpace(_settings.CollateralPath) ? "none (TCB status not checked)" : _settings.CollateralPath);
            }
            else
            {
                KeeperLog.NotAnAttestor(Logger, client.Address!);
            }

            _wasAttestor = attestor;
        }

        if (!attestor)
        {
            return; // submissions stay in the inbox until governance approves this keeper
        }

        DateTimeOffset now = await ChainTimeAsync(client, cancellationToken).ConfigureAwait(false);
        (IReadOnlyList<AttestationSubmission> complete, IReadOnlyList<string> misnamed) = _inbox.Scan();
        foreach (string file in misnamed)
        {
            string reason = $"the file name is not 0x<agent key address>{AttestationInbox.QuoteSuffix} or 0x<agent key address>{AttestationInbox.BenchmarkSuffix}";
            if (_inbox.RejectFile(file, reason) is { } folder)
            {
                _attestationMetrics.Count("rejected");
                KeeperLog.EvidenceRejected(Logger, Path.GetFileName(file), reason, folder);
            }
        }

        foreach (AttestationSubmission submission in complete)
        {
            await ProcessAsync(client, signer, submission, now, cancellationToken).ConfigureAwait(false);
        }

        // Only evidence whose attestation is due for renewal (or past it) as this keeper last knew it costs a read of the chain.
        foreach (StoredEvidence stored in _store.InState(EvidenceState.Active)
            .Where(e => DateTimeOffset.FromUnixTimeSeconds((long)e.ExpiresAt) - now <= _settings.RenewBefore))
        {
            await RenewAsync(client, signer, stored, now, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(AgentClusterClient client, Secp256k1Signer signer, AttestationSubmission submission, DateTimeOffset now, CancellationToken ct)
    {
        BigInteger agentId = AgentsClient.AgentIdOf(submission.AgentKey);
        if (!_rota.ShouldAct(client.Address!, agentId, WorkKind))
        {
            return; // another attestor's, until its take-over delay passes
        }

        byte[] quoteBytes;
        string benchmarkJson;
        try
        {
            quoteBytes = await File.ReadAllBytesAsync(submission.QuotePath, ct).ConfigureAwait(false);
            benchmarkJson = await File.ReadAllTextAsync(submission.BenchmarkPath, ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return; // another keeper sharing the inbox took it
        }

        DcapQuote quote;
        ComputeBenchmarkReport benchmark;
        try
        {
            quote = AttestationEvidence.ParseQuoteFile(quoteBytes);
        }
        catch (QuoteFormatException e)
        {
            Reject(submission, agentId, $"quote: {e.Message}");
            return;
        }

        try
        {
            benchmark = AttestationEvidence.ParseBenchmark(benchmarkJson);
        }
        catch (FormatException e)
        {
            Reject(submission, agentId, $"benchmark: {e.Message}");
            return;
        }

        AgentStatus status = await client.Agents.GetStatusAsync(agentId, ct).ConfigureAwait(false);
        if (status is AgentStatus.None or AgentStatus.Exited)
        {
            Reject(submission, agentId, status == AgentStatus.None
                ? $"agent_registered: the agent key {submission.AgentKey} is not registered in the registry"
                : $"agent_registered: agent {submission.AgentKey} has exited the network");
            return;
        }

        AgentAttestation onChain = await client.Agents.GetAttestationAsync(agentId, ct).ConfigureAwait(false);
        ulong nonce = onChain.Nonce + 1;
        ulong chainId = (ulong)client.ChainId;
        EvidenceVerdict verdict = AttestationEvidence.Check(quote, benchmark, submission.AgentKey, chainId, nonce, now, _verifier, _settings.CollateralPath,
            _allowList, _settings.MaxBenchmarkAge);
        if (!verdict.Accepted)
        {
            // Another attestor may have posted this very evidence already (its nonce is then the on-chain one).
            if (onChain.Nonce > 0 && SameEvidence(onChain, quote, benchmark) && verdict.Failures.All(f => f.Name == "agent_binding")
                && QuoteBinding.Check(quote.ReportData, chainId, submission.AgentKey, onChain.Nonce, benchmark.Digest()).Outcome == CheckOutcome.Pass)
            {
                AlreadyPosted(submission, agentId, quoteBytes, benchmarkJson, quote, onChain, "the registry's last attestation is this evidence's");
                return;
            }

            Reject(submission, agentId, verdict.Summary, verdict);
            return;
        }

        KeeperLog.EvidenceVerified(Logger, submission.AgentKey, nonce, verdict.Summary, Convert.ToHexStringLower(quote.MeasurementHash()));
        (ulong expiresAt, string limitedBy) = Expiry(now, verdict);
        if (expiresAt <= (ulong)now.ToUnixTimeSeconds())
        {
            Reject(submission, agentId, $"expiry: the evidence holds only until {verdict.EvidenceValidUntil:O} ({verdict.LimitedBy}), not after the chain's time {now:O}", verdict);
            return;
        }

        var attestation = new AgentAttestation(agentId, quote.MeasurementHash(), benchmark.CpuCores, benchmark.GpuMemoryMb, benchmark.TokensPerSecond, expiresAt, nonce);
        TransactionReceipt receipt;
        try
        {
            receipt = await client.Agents.SubmitAttestationAsync(attestation, client.Agents.SignAttestation(attestation, signer), ct).ConfigureAwait(false);
        }
        catch (ContractRevertException e) when (e.ErrorName == "StaleAttestation")
        {
            AgentAttestation now2 = await client.Agents.GetAttestationAsync(agentId, ct).ConfigureAwait(false);
            if (now2.Nonce == nonce && SameEvidence(now2, quote, benchmark))
            {
                AlreadyPosted(submission, agentId, quoteBytes, benchmarkJson, quote, now2, e.Message.Split('\n')[0]);
            }
            else
            {
                Reject(submission, agentId, $"agent_binding: the quote binds nonce {nonce}, which another attestation used first (the registry's nonce is now {now2.Nonce}); hand in a quote bound to nonce {now2.Nonce + 1}");
            }

            return;
        }
        catch (ContractRevertException e) when (e.ErrorName != "UnknownAttestor")
        {
            // The registry refused it for a reason of the evidence's (not this keeper's approval, which the next pass re-reads): say so
            // rather than retrying the same submission every pass.
            Reject(submission, agentId, $"registry: attest reverted {e.ErrorName ?? "without a reason"}: {e.Message.Split('\n')[0]}", verdict);
            return;
        }

        _store.Put(new StoredEvidence(agentId, submission.AgentKey, quoteBytes, benchmarkJson, attestation.MeasurementHash, nonce, nonce, expiresAt, EvidenceState.Active, null));
        BigInteger gas = Gas(receipt);
        DateTimeOffset expires = DateTimeOffset.FromUnixTimeSeconds((long)expiresAt);
        _inbox.Accept(submission, $"accepted: attestation nonce {nonce} posted in tx {receipt.TransactionHash}, expires {expires:O} (limit: {limitedBy})\n{Lines(verdict)}");
        _rota.Done(agentId, WorkKind);
        Metrics.Action(Name, gas, BigInteger.Zero);
        _attestationMetrics.Count("accepted");
        KeeperLog.Attested(Logger, submission.AgentKey, nonce, expires, limitedBy, receipt.TransactionHash, gas.ToString(CultureInfo.InvariantCulture));
    }

    private async Task RenewAsync(AgentClusterClient client, Secp256k1Signer signer, StoredEvidence stored, DateTimeOffset now, CancellationToken ct)
    {
        AgentAttestation onChain = await client.Agents.GetAttestationAsync(stored.AgentId, ct).ConfigureAwait(false);
        ComputeBenchmarkReport benchmark = AttestationEvidence.ParseBenchmark(stored.BenchmarkJson);
        DcapQuote quote = AttestationEvidence.ParseQuoteFile(stored.Quote);
        if (onChain.Nonce != stored.LastNonce)
        {
            if (onChain.Nonce > stored.LastNonce && SameEvidence(onChain, quote, benchmark))
            {
                // Another attestor renewed from the same evidence: follow it.
                _store.Put(stored with { LastNonce = onChain.Nonce, ExpiresAt = onChain.ExpiresAt });
                _rota.Done(stored.AgentId, WorkKind);
            }
            else
            {
                Retire(stored, EvidenceState.Superseded, $"the registry's attestation (nonce {onChain.Nonce}) is no longer the one this evidence backs (nonce {stored.LastNonce})");
            }

            return;
        }

        DateTimeOffset expires = DateTimeOffset.FromUnixTimeSeconds((long)onChain.ExpiresAt);
        if (expires <= now)
        {
            Retire(stored, EvidenceState.Lapsed, $"expired at {expires:O} without a renewal" + (stored.Reason is null ? "" : $" ({stored.Reason})"));
            return;
        }

        if (expires - now > _settings.RenewBefore || !_rota.ShouldAct(client.Address!, stored.AgentId, WorkKind))
        {
            return;
        }

        EvidenceVerdict verdict = AttestationEvidence.Check(quote, benchmark, stored.AgentKey, (ulong)client.ChainId, nonce: null, now, _verifier, _settings.CollateralPath,
            _allowList, maxBenchmarkAge: null);
        if (!verdict.Accepted)
        {
            string failed = "failed " + string.Join(", ", verdict.Failures.Select(f => f.Name));
            Refuse(stored, failed, $"{failed}: {verdict.Summary}", () => KeeperLog.RenewalRefused(Logger, stored.AgentKey, expires, verdict.Summary));
            return;
        }

        (ulong expiresAt, string limitedBy) = Expiry(now, verdict);
        if (expiresAt <= onChain.ExpiresAt)
        {
            Refuse(stored, "cannot extend", $"cannot extend past {expires:O}: the evidence holds only until {verdict.EvidenceValidUntil:O} ({verdict.LimitedBy})",
                () => KeeperLog.RenewalCannotExtend(Logger, stored.AgentKey, expires, verdict.EvidenceValidUntil, verdict.LimitedBy));
            return;
        }

        KeeperLog.RenewalVerified(Logger, stored.AgentKey, now, verdict.Summary);
        ulong nonce = onChain.Nonce + 1;
        var attestation = new AgentAttestation(stored.AgentId, stored.MeasurementHash, benchmark.CpuCores, benchmark.GpuMemoryMb, benchmark.TokensPerSecond, expiresAt, nonce);
        TransactionReceipt receipt;
        try
        {
            receipt = await client.Agents.SubmitAttestationAsync(attestation, client.Agents.SignAttestation(attestation, signer), ct).ConfigureAwait(false);
        }
        catch (ContractRevertException e) when (e.ErrorName == "StaleAttestation")
        {
            KeeperLog.AttestationAlreadyPosted(Logger, stored.AgentKey, nonce, e.Message.Split('\n')[0]);
            _attestationMetrics.Count("already_posted");
            return; // the next pass follows the other attestor's renewal (or retires the evidence)
        }

        _store.Put(stored with { LastNonce = nonce, ExpiresAt = expiresAt, Reason = null });
        _rota.Done(stored.AgentId, WorkKind);
        BigInteger gas = Gas(receipt);
        Metrics.Action(Name, gas, BigInteger.Zero);
        _attestationMetrics.Count("renewed");
        KeeperLog.Renewed(Logger, stored.AgentKey, nonce, DateTimeOffset.FromUnixTimeSeconds((long)expiresAt), limitedBy, receipt.TransactionHash,
            gas.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A renewal refused: logged and counted once per kind of reason (<paramref name="key"/>: it is retried each pass until expiry, as fresh
    /// collateral may rescue it, and the details carry the time).
    /// </summary>
    private void Refuse(StoredEvidence stored, string key, string reason, Action log)
    {
        if (stored.Reason is { } known && known.StartsWith(key + ":", StringComparison.Ordinal))
        {
            return;
        }

        _store.Put(stored with { Reason = reason });
        _attestationMetrics.Count("renewal_refused");
        log();
    }

    private void Retire(StoredEvidence stored, EvidenceState state, string reason)
    {
        _store.Put(stored with { State = state, Reason = reason });
        _rota.Done(stored.AgentId, WorkKind);
        KeeperLog.EvidenceRetired(Logger, stored.AgentKey, reason);
    }

    private void Reject(AttestationSubmission submission, BigInteger agentId, string reason, EvidenceVerdict? verdict = null)
    {
        string text = $"rejected: {reason}" + (verdict is null ? "" : "\n" + Lines(verdict));
        string folder = _inbox.Reject(submission, text) ?? "(taken by another keeper)";
        _rota.Done(agentId, WorkKind);
        _attestationMetrics.Count("rejected");
        KeeperLog.EvidenceRejected(Logger, submission.AgentKey, reason, folder);
    }

    private void AlreadyPosted(AttestationSubmission submission, BigInteger agentId, byte[] quoteBytes, string benchmarkJson, DcapQuote quote, AgentAttestation onChain, string why)
    {
        if (_store.Get(agentId) is not { } known || known.LastNonce < onChain.Nonce)
        {
            _store.Put(new StoredEvidence(agentId, submission.AgentKey, quoteBytes, benchmarkJson, quote.MeasurementHash(), onChain.Nonce, onChain.Nonce, onChain.ExpiresAt,
                EvidenceState.Active, null));
        }

        _inbox.Accept(submission, $"already attested by another attestor: nonce {onChain.Nonce}, expires {onChain.Expires:O} ({why})");
        _rota.Done(agentId, WorkKind);
        _attestationMetrics.Count("already_posted");
        KeeperLog.AttestationAlreadyPosted(Logger, submission.AgentKey, onChain.Nonce, why);
    }

    private (ulong ExpiresAt, string LimitedBy) Expiry(DateTimeOffset now, EvidenceVerdict verdict)
    {
        DateTimeOffset byValidity = now + _settings.Validity;
        return verdict.EvidenceValidUntil < byValidity
            ? ((ulong)verdict.EvidenceValidUntil.ToUnixTimeSeconds(), verdict.LimitedBy)
            : ((ulong)byValidity.ToUnixTimeSeconds(), $"validity {_settings.Validity.TotalDays:0.##} days");
    }

    private static bool SameEvidence(AgentAttestation onChain, DcapQuote quote, ComputeBenchmarkReport benchmark) =>
        onChain.MeasurementHash.AsSpan().SequenceEqual(quote.MeasurementHash()) && onChain.CpuCores == benchmark.CpuCores
        && onChain.GpuMemoryMb == benchmark.GpuMemoryMb && onChain.TokensPerSecond == benchmark.TokensPerSecond;

    private static string Lines(EvidenceVerdict verdict) =>
        string.Join("\n", verdict.Checks.Select(c => $"{c.Name}: {c.Outcome.ToString().ToLowerInvariant()}: {c.Detail}"));

    private static BigInteger Gas(TransactionReceipt receipt) => receipt.GasUsed.Value * (receipt.EffectiveGasPrice?.Value ?? BigInteger.Zero);

    private static async Task<DateTimeOffset> ChainTimeAsync(AgentClusterClient client, CancellationToken ct)
    {
        BlockWithTransactionHashes block = await client.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest())
            .WaitAsync(ct).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value);
    }

    private async Task<Secp256k1Signer?> SignerAsync(AgentClusterClient client, CancellationToken ct)
    {
        if (_signer is not null)
        {
            return _signer;
        }

        AgentCluster.Sdk.Identity.AgentKeySource source = KeeperClient.ClientOptions(Options).Key!;
        AgentCluster.Sdk.Identity.ResolvedAgentAccount account = await source.ResolveAsync(client.ChainId, ct).ConfigureAwait(false);
        if (account.Key is null)
        {
            if (!_reportedNoKey)
            {
                KeeperLog.NoLocalAttestorKey(Logger, source.ToString() ?? "?");
                _reportedNoKey = true;
            }

            return null;
        }

        return _signer = account.Key.Signer;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _store.Dispose();
        base.Dispose();
    }
}
