namespace AgentCluster.Sdk.Identity;

/// <summary>The outcome of <see cref="AgentMessageDomain.Verify"/>.</summary>
public enum AgentMessageVerificationStatus
{
    /// <summary>Well formed, this domain, in time, signed by the agent's key.</summary>
    Valid,

    /// <summary>A field or the signature is malformed (wrong length, out of range, non-canonical signature).</summary>
    Malformed,

    /// <summary>Signed for another chain.</summary>
    WrongChain,

    /// <summary>Signed for another deployment (another verifying contract).</summary>
    WrongContract,

    /// <summary>The deadline has passed.</summary>
    Expired,

    /// <summary>The signature recovers to an address other than the agent id's key (a tampered field or another signer).</summary>
    WrongSigner,

    /// <summary>Valid offline, but AgentRegistry knows no such agent, or it has exited (<see cref="AgentMessageDomain.VerifyRegisteredAsync"/>).</summary>
    NotRegistered,
}

/// <summary>The result of verifying a <see cref="SignedAgentMessage"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Signer">The recovered signer (null when verification stopped before recovery).</param>
/// <param name="Detail">A sentence saying what was wrong (or "valid").</param>
public sealed record AgentMessageVerification(AgentMessageVerificationStatus Status, string? Signer, string Detail)
{
    /// <summary>True when <see cref="Status"/> is <see cref="AgentMessageVerificationStatus.Valid"/>.</summary>
    public bool IsValid => Status == AgentMessageVerificationStatus.Valid;

    /// <summary>Throws <see cref="AgentMessageVerificationException"/> unless valid.</summary>
    public void EnsureValid()
    {
        if (!IsValid)
        {
            throw new AgentMessageVerificationException(this);
        }
    }

    internal static AgentMessageVerification Fail(AgentMessageVerificationStatus status, string detail) => new(status, null, detail);
}

/// <summary>A signed agent message failed verification.</summary>
public sealed class AgentMessageVerificationException : Exception
{
    /// <summary>Creates the exception from the failed result.</summary>
    public AgentMessageVerificationException(AgentMessageVerification result)
        : base($"The agent message is not valid ({result?.Status}): {result?.Detail}.")
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
    }

    /// <summary>The failed result.</summary>
    public AgentMessageVerification Result { get; }

    /// <summary>Why it failed.</summary>
    public AgentMessageVerificationStatus Status => Result.Status;
}
