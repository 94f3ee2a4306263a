using System.Numerics;
using AgentCluster.Evm.Bindings;
using AgentCluster.Sdk.Agents;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using StakingDef = AgentCluster.Evm.Bindings.Staking.ContractDefinition;

namespace AgentCluster.Sdk.Staking;

/// <summary>Life of a slash (the contract's <c>SlashStatus</c> values).</summary>
public enum SlashStatus : byte
{
    /// <summary>No such slash.</summary>
    None = 0,

    /// <summary>Held for appeal.</summary>
    Pending = 1,

    /// <summary>Appealed; governance decides until the decision deadline.</summary>
    Appealed = 2,

    /// <summary>Reversed: the amount returned to active stake.</summary>
    Reversed = 3,

    /// <summary>Finalized: the harmed share paid, the rest burned.</summary>
    Finalized = 4,
}

/// <summary>A stake added.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Amount">Wei of ACC added.</param>
/// <param name="NewStake">Active stake after it.</param>
/// <param name="Approval">The ACC approve sent first, or null when the allowance covered the amount.</param>
/// <param name="Receipt">The <c>stake</c> transaction's receipt.</param>
public sealed record StakeDeposit(BigInteger AgentId, BigInteger Amount, BigInteger NewStake, TransactionReceipt? Approval, TransactionReceipt Receipt);

/// <summary>An unstake requested: the amount left active stake and unbonds.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Amount">Wei moved to unbonding by this request.</param>
/// <param name="TotalUnbonding">Everything unbonding now (earlier requests included: they all unlock together).</param>
/// <param name="UnlocksAt">When <see cref="StakingClient.WithdrawAsync"/> can pay it out.</param>
/// <param name="Receipt">The transaction's receipt.</param>
public sealed record UnstakeRequest(BigInteger AgentId, BigInteger Amount, BigInteger TotalUnbonding, DateTimeOffset UnlocksAt, TransactionReceipt Receipt);

/// <summary>Unbonding stake paid out to the agent's owner.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="To">The owner paid.</param>
/// <param name="Amount">Wei of ACC paid.</param>
/// <param name="Receipt">The transaction's receipt.</param>
public sealed record StakeWithdrawal(BigInteger AgentId, string To, BigInteger Amount, TransactionReceipt Receipt);

/// <summary>Stake waiting to unbond.</summary>
/// <param name="Amount">Wei unbonding (0: none).</param>
/// <param name="UnlocksAt">When it becomes withdrawable (null when nothing unbonds).</param>
public sealed record PendingUnstake(BigInteger Amount, DateTimeOffset? UnlocksAt);

/// <summary>A slash as <c>pendingSlash</c> reports it.</summary>
/// <param name="SlashId">Its id.</param>
/// <param name="AgentId">The slashed agent.</param>
/// <param name="Amount">Wei held.</param>
/// <param name="AppealDeadline">The end of the appeal window.</param>
/// <param name="Resolved">Reversed or finalized.</param>
/// <param name="HarmedParty">Who receives the harmed share at finalization.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="AppealDecisionDeadline">Governance's deadline once appealed (null otherwise).</param>
public sealed record SlashInfo(BigInteger SlashId, BigInteger AgentId, BigInteger Amount, DateTimeOffset AppealDeadline, bool Resolved, string HarmedParty,
    SlashStatus Status, DateTimeOffset? AppealDecisionDeadline);

/// <summary>An appeal filed.</summary>
/// <param name="SlashId">The slash appealed.</param>
/// <param name="AgentId">The slashed agent.</param>
/// <param name="DecisionDeadline">Governance decides until then; after it the slash can be finalized.</param>
/// <param name="Receipt">The transaction's receipt.</param>
public sealed record SlashAppeal(BigInteger SlashId, BigInteger AgentId, DateTimeOffset DecisionDeadline, TransactionReceipt Receipt);

/// <summary>
/// Stakes per agent on the <c>Staking</c> contract: stake (ERC-20 <c>approve</c> of exactly the amount when the allowance is short:
/// <c>stake</c> takes no permit), request unstake, withdraw after the unbonding period, reads now and at a past time, slashes and
/// appeals. Reverts arrive as <c>ContractCustomErrorException&lt;TError&gt;</c> of <c>AgentCluster.Evm.Bindings.Staking.ContractDefinition</c>
/// (e.g. <c>InsufficientStakeError</c>, <c>StillUnbondingError</c>, <c>NotAgentOwnerError</c>) from the gas estimate, before anything is sent.
/// </summary>
public sealed class StakingClient
{
    private readonly AgentClusterClient _client;

    internal StakingClient(AgentClusterClient client) => _client = client;

    /// <summary>Adds <paramref name="amount"/> wei of ACC to the stake of an agent the signer owns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A zero or negative amount, or an impossible agent id.</exception>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    /// <exception cref="InsufficientAccException">The signer holds less ACC than the amount.</exception>
    public async Task<StakeDeposit> StakeAsync(BigInteger agentId, BigInteger amount, CancellationToken cancellationToken = default)
    {
        string me = _client.RequireSigner("Staking.StakeAsync");
        SdkCalls.ValidateAgentId(agentId);
        SdkCalls.ValidatePositive(amount, nameof(amount));
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        var staking = _client.Contracts.Staking;
        TransactionReceipt? approval = await SdkCalls.EnsureAllowanceAsync(_client, me, staking.ContractAddress, amount, "Staking.StakeAsync", cancellationToken)
            .ConfigureAwait(false);
        TransactionReceipt receipt = await SdkCalls.SendAsync("Staking.StakeAsync", ct => staking.StakeRequestAndWaitForReceiptAsync(agentId, amount, ct),
            cancellationToken).ConfigureAwait(false);
        StakingDef.StakedEventDTO staked = SdkCalls.SingleEvent<StakingDef.StakedEventDTO>(receipt)
            ?? throw new AgentClusterException($"stake succeeded but emitted no Staked event (tx {receipt.TransactionHash}).");
        return new StakeDeposit(agentId, staked.Amount, staked.NewStake, approval, receipt);
    }

    /// <summary>Moves <paramref name="amount"/> from active stake to unbonding (owner only); the whole bucket unlocks one unbonding period from now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A zero or negative amount, or an impossible agent id.</exception>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<UnstakeRequest> RequestUnstakeAsync(BigInteger agentId, BigInteger amount, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Staking.RequestUnstakeAsync");
        SdkCalls.ValidateAgentId(agentId);
        SdkCalls.ValidatePositive(amount, nameof(amount));
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        TransactionReceipt receipt = await SdkCalls.SendAsync("Staking.RequestUnstakeAsync",
            ct => _client.Contracts.Staking.RequestUnstakeRequestAndWaitForReceiptAsync(agentId, amount, ct), cancellationToken).ConfigureAwait(false);
        StakingDef.UnstakeRequestedEventDTO requested = SdkCalls.SingleEvent<StakingDef.UnstakeRequestedEventDTO>(receipt)
            ?? throw new AgentClusterException($"requestUnstake succeeded but emitted no UnstakeRequested event (tx {receipt.TransactionHash}).");
        return new UnstakeRequest(agentId, requested.Amount, requested.TotalUnbonding, SdkCalls.FromUnix(requested.UnlocksAt), receipt);
    }

    /// <summary>Pays unlocked unbonding stake to the agent's owner (anyone may send it).</summary>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<StakeWithdrawal> WithdrawAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Staking.WithdrawAsync");
        SdkCalls.ValidateAgentId(agentId);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        TransactionReceipt receipt = await SdkCalls.SendAsync("Staking.WithdrawAsync",
            ct => _client.Contracts.Staking.WithdrawRequestAndWaitForReceiptAsync(agentId, ct), cancellationToken).ConfigureAwait(false);
        StakingDef.WithdrawnEventDTO paid = SdkCalls.SingleEvent<StakingDef.WithdrawnEventDTO>(receipt)
            ?? throw new AgentClusterException($"withdraw succeeded but emitted no Withdrawn event (tx {receipt.TransactionHash}).");
        return new StakeWithdrawal(agentId, AddressUtil.Current.ConvertToChecksumAddress(paid.To), paid.Amount, receipt);
    }

    /// <summary>Active stake now, in wei.</summary>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<BigInteger> GetStakeAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        return await SdkCalls.ReadAsync(() => _client.Contracts.Staking.StakeOfQueryAsync(agentId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Active stake at a past time (checkpointed). The contract reads only the past: a <paramref name="timepoint"/> at or after the latest
    /// block's time reverts <c>FutureLookupError</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A time before the Unix epoch.</exception>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<BigInteger> GetStakeAtAsync(BigInteger agentId, DateTimeOffset timepoint, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        if (timepoint < DateTimeOffset.UnixEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(timepoint), timepoint, "timepoint must not be before the Unix epoch.");
        }

        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        return await SdkCalls.ReadAsync(() => _client.Contracts.Staking.StakeAtQueryAsync(agentId, timepoint.ToUnixTimeSeconds()), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Stake unbonding and when it unlocks.</summary>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<PendingUnstake> GetPendingUnstakeAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        StakingDef.UnbondingOfOutputDTO u = await SdkCalls.ReadAsync(() => _client.Contracts.Staking.UnbondingOfQueryAsync(agentId), cancellationToken)
            .ConfigureAwait(false);
        return new PendingUnstake(u.Amount, u.Amount == 0 ? null : SdkCalls.FromUnix(u.UnlocksAt));
    }

    /// <summary>The unbonding period in force (applies to requests from now on).</summary>
    public async Task<TimeSpan> GetUnbondingPeriodAsync(CancellationToken cancellationToken = default)
    {
        BigInteger seconds = await SdkCalls.ReadAsync(() => _client.Contracts.Staking.UnbondingPeriodQueryAsync(), cancellationToken).ConfigureAwait(false);
        return TimeSpan.FromSeconds((double)seconds);
    }

    /// <summary>A slash and where it stands.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A slash id below 1.</exception>
    public async Task<SlashInfo> GetSlashAsync(BigInteger slashId, CancellationToken cancellationToken = default)
    {
        if (slashId <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slashId), slashId, "Slash ids start at 1.");
        }

        PendingSlash s = (await SdkCalls.ReadAsync(() => _client.Contracts.Staking.PendingSlashQueryAsync(slashId), cancellationToken).ConfigureAwait(false))
            .ReturnValue1;
        return new SlashInfo(slashId, s.AgentId, s.Amount, SdkCalls.FromUnix(s.AppealDeadline), s.Resolved, s.HarmedParty, (SlashStatus)s.Status,
            SdkCalls.FromUnixOrNull(s.AppealDecisionDeadline));
    }

    /// <summary>
    /// Appeals a slash of an agent the signer owns, within the appeal window; finalization then waits for governance's decision or its
    /// deadline. Reverts typed: <c>AppealWindowClosedError</c>, <c>AlreadyAppealedError</c>, <c>NotAgentOwnerError</c>, <c>UnknownSlashError</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A slash id below 1.</exception>
    public async Task<SlashAppeal> AppealSlashAsync(BigInteger slashId, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Staking.AppealSlashAsync");
        if (slashId <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slashId), slashId, "Slash ids start at 1.");
        }

        TransactionReceipt receipt = await SdkCalls.SendAsync("Staking.AppealSlashAsync",
            ct => _client.Contracts.Staking.AppealSlashRequestAndWaitForReceiptAsync(slashId, ct), cancellationToken).ConfigureAwait(false);
        StakingDef.SlashAppealedEventDTO appealed = SdkCalls.SingleEvent<StakingDef.SlashAppealedEventDTO>(receipt)
            ?? throw new AgentClusterException($"appealSlash succeeded but emitted no SlashAppealed event (tx {receipt.TransactionHash}).");
        return new SlashAppeal(slashId, appealed.AgentId, SdkCalls.FromUnix(appealed.DecisionDeadline), receipt);
    }
}
