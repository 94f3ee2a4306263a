using Microsoft.Extensions.Logging;

namespace AgentCluster.Keepers.Hosting;

/// <summary>The attestation duty's structured logs (event ids 1200-1299; source-generated).</summary>
internal static partial class KeeperLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Attestation duty: signer {Address} is an approved attestor; inbox {Inbox}, pinned root {Root}, collateral {Collateral}")]
    public static partial void AttestorReady(ILogger logger, string address, string inbox, string root, string collateral);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Attestation duty: signer {Address} is not an approved attestor of the registry; submissions wait in the inbox, nothing is posted")]
    public static partial void NotAnAttestor(ILogger logger, string address);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Attestation duty: the signer ({Source}) has no local key to sign attestations with; use a keystore or a private key variable")]
    public static partial void NoLocalAttestorKey(ILogger logger, string source);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Evidence of agent {AgentKey} verified for nonce {Nonce}: {Summary}; measurement {MeasurementHash}")]
    public static partial void EvidenceVerified(ILogger logger, string agentKey, ulong nonce, string summary, string measurementHash);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Evidence {Submission} rejected: {Reason}; moved to {Folder}")]
    public static partial void EvidenceRejected(ILogger logger, string submission, string reason, string folder);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Information, Message = "Attested agent {AgentKey}: nonce {Nonce}, expires {ExpiresAt:O} (limit: {LimitedBy}), tx {TransactionHash}, gas {GasWei} wei")]
    public static partial void Attested(ILogger logger, string agentKey, ulong nonce, DateTimeOffset expiresAt, string limitedBy, string transactionHash, string gasWei);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Information, Message = "Agent {AgentKey}: attestation nonce {Nonce} was already posted by another attestor: {Reason}")]
    public static partial void AttestationAlreadyPosted(ILogger logger, string agentKey, ulong nonce, string reason);

    [LoggerMessage(EventId = 1220, Level = LogLevel.Information, Message = "Renewal of agent {AgentKey}: stored evidence re-verified at {At:O}: {Summary}")]
    public static partial void RenewalVerified(ILogger logger, string agentKey, DateTimeOffset at, string summary);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Information, Message = "Renewed agent {AgentKey}: nonce {Nonce}, expires {ExpiresAt:O} (limit: {LimitedBy}), tx {TransactionHash}, gas {GasWei} wei")]
    public static partial void Renewed(ILogger logger, string agentKey, ulong nonce, DateTimeOffset expiresAt, string limitedBy, string transactionHash, string gasWei);

    [LoggerMessage(EventId = 1222, Level = LogLevel.Warning, Message = "Stored evidence of agent {AgentKey} no longer verifies; not renewed, the attestation expires at {ExpiresAt:O}: {Reason}")]
    public static partial void RenewalRefused(ILogger logger, string agentKey, DateTimeOffset expiresAt, string reason);

    [LoggerMessage(EventId = 1223, Level = LogLevel.Warning, Message = "Agent {AgentKey}'s attestation (expires {ExpiresAt:O}) cannot be extended: the evidence holds only until {Until:O} ({LimitedBy})")]
    public static partial void RenewalCannotExtend(ILogger logger, string agentKey, DateTimeOffset expiresAt, DateTimeOffset until, string limitedBy);

    [LoggerMessage(EventId = 1224, Level = LogLevel.Information, Message = "Stored evidence of agent {AgentKey} is no longer renewed: {Reason}")]
    public static partial void EvidenceRetired(ILogger logger, string agentKey, string reason);
}
