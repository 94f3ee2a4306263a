using System.Numerics;
using AgentCluster.Evm.Bindings.AgentClusterGovernor.ContractDefinition;
using AgentCluster.Evm.Rpc;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;

namespace AgentCluster.Sdk.Governance;

/// <summary>The governor's proposal states (OpenZeppelin's order).</summary>
public enum ProposalState : byte
{
    /// <summary>Created; voting has not started.</summary>
    Pending,
    /// <summary>Voting is open.</summary>
    Active,
    /// <summary>Cancelled by the proposer.</summary>
    Canceled,
    /// <summary>Voting ended without quorum or majority (2/3 for a critical proposal).</summary>
    Defeated,
    /// <summary>Voting ended in favour; can be queued.</summary>
    Succeeded,
    /// <summary>Waiting out the timelock.</summary>
    Queued,
    /// <summary>Not executed in time.</summary>
    Expired,
    /// <summary>Done.</summary>
    Executed,
}

/// <summary>How a vote is cast (the governor's counting: 0 against, 1 for, 2 abstain).</summary>
public enum VoteType : byte
{
    /// <summary>Against.</summary>
    Against = 0,
    /// <summary>For.</summary>
    For = 1,
    /// <summary>Abstain (counts towards quorum only).</summary>
    Abstain = 2,
}

/// <summary>One call a proposal makes from the timelock.</summary>
/// <param name="Target">The contract called (checksummed).</param>
/// <param name="Value">Wei sent with the call.</param>
/// <param name="Data">The calldata.</param>
public sealed record ProposalCall(string Target, BigInteger Value, byte[] Data)
{
    /// <summary>A call of a generated function message (e.g. <c>new SetParamsFunction { … }</c>) on <paramref name="target"/>.</summary>
    public static ProposalCall Of<TFunction>(string target, TFunction function, BigInteger? value = null)
        where TFunction : FunctionMessage, new()
    {
        ArgumentNullException.ThrowIfNull(function);
        return new ProposalCall(Evm.Validation.EvmInput.ParseAddress(target), value ?? BigInteger.Zero, function.GetCallData());
    }
}

/// <summary>A proposal before it is sent: its calls and its description (which, hashed, is part of its id).</summary>
/// <param name="Calls">At least one call.</param>
/// <param name="Description">The proposal's text; not empty.</param>
public sealed record ProposalDraft(IReadOnlyList<ProposalCall> Calls, string Description)
{
    internal List<string> Targets => Calls.Select(c => c.Target).ToList();

    internal List<BigInteger> Values => Calls.Select(c => c.Value).ToList();

    internal List<byte[]> Calldatas => Calls.Select(c => c.Data).ToList();

    internal byte[] DescriptionHash => Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(Description));

    internal void Validate()
    {
        if (Calls is null || Calls.Count == 0)
        {
            throw new ArgumentException("A proposal needs at least one call.", nameof(Calls));
        }

        for (int i = 0; i < Calls.Count; i++)
        {
            ProposalCall call = Calls[i] ?? throw new ArgumentException($"Call {i} is null.", nameof(Calls));
            Evm.Validation.EvmInput.ParseAddress(call.Target);
            if (call.Value < 0)
            {
                throw new ArgumentException($"Call {i} sends a negative value.", nameof(Calls));
            }

            if (call.Data is null)
            {
                throw new ArgumentException($"Call {i} has no calldata (use an empty array for a plain transfer).", nameof(Calls));
            }
        }

        if (string.IsNullOrWhiteSpace(Description))
        {
            throw new ArgumentException("A proposal needs a description.", nameof(Description));
        }
    }
}

/// <summary>A proposal that was sent.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Critical">Whether the governor classified it critical (2/3 majority).</param>
/// <param name="Receipt">The propose transaction's receipt.</param>
public sealed record ProposalSubmission(BigInteger Id, bool Critical, TransactionReceipt Receipt);

/// <summary>Where a proposal stands.</summary>
/// <param name="Id">The proposal id.</param>
/// <param name="State">Its state.</param>
/// <param name="Critical">Whether it needs 2/3.</param>
/// <param name="Quorum">The votes needed; null while the proposal is pending (the quorum is read at the vote's start, which lies ahead).</param>
/// <param name="ForVotes">Votes for.</param>
/// <param name="AgainstVotes">Votes against.</param>
/// <param name="AbstainVotes">Abstentions.</param>
/// <param name="VoteStart">The timepoint voting opens (unix seconds).</param>
/// <param name="VoteEnd">The timepoint voting closes.</param>
/// <param name="Eta">When a queued proposal can execute (0 before it is queued).</param>
public sealed record ProposalStatus(BigInteger Id, ProposalState State, bool Critical, BigInteger? Quorum, BigInteger ForVotes,
    BigInteger AgainstVotes, BigInteger AbstainVotes, BigInteger VoteStart, BigInteger VoteEnd, BigInteger Eta);

/// <summary>The proposer's voting power is below the governor's threshold (nothing was sent).</summary>
public sealed class InsufficientVotingPowerException(string account, BigInteger votes, BigInteger threshold)
    : AgentClusterException($"{account} has {votes} wei of voting power at the last timepoint, below the proposal threshold {threshold}; delegate votes to it first (tokens count only once delegated).")
{
    /// <summary>The account's votes.</summary>
    public BigInteger Votes { get; } = votes;

    /// <summary>The threshold.</summary>
    public BigInteger Threshold { get; } = threshold;
}

/// <summary>A proposal is not in the state an operation needs (nothing was sent).</summary>
public sealed class ProposalStateException(BigInteger id, ProposalState state, string needed)
    : AgentClusterException($"Proposal {id} is {state}; {needed}.")
{
    /// <summary>Its state.</summary>
    public ProposalState State { get; } = state;
}

/// <summary>
/// Governance through the governor and the timelock: classify a proposal (critical or standard) before sending it, propose, delegate,
/// vote, queue, execute, and read a proposal's status or the list of proposals. Operations check the state they need first and
/// refuse with a typed exception before anything is sent.
/// </summary>
public sealed class GovernanceClient
{
    private readonly AgentClusterClient _client;

    internal GovernanceClient(AgentClusterClient client) => _client = client;

    /// <summary>Whether the governor will count <paramref name="draft"/> as critical (2/3 majority), as the critical-proposal registry says.</summary>
    public Task<bool> IsCriticalAsync(ProposalDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        draft.Validate();
        return RpcCancellation.RunAsync(() => _client.Contracts.CriticalProposals.IsCriticalProposalQueryAsync(draft.Targets, draft.Calldatas), cancellationToken);
    }

    /// <summary>The id the governor gives <paramref name="draft"/>.</summary>
    public Task<BigInteger> ProposalIdAsync(ProposalDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        draft.Validate();
        return RpcCancellation.RunAsync(() => _client.Contracts.Governor.HashProposalQueryAsync(draft.Targets, draft.Values, draft.Calldatas, draft.DescriptionHash), cancellationToken);
    }

    /// <summary>The voting power of <paramref name="account"/> (default: the signer) at the governor's last completed timepoint.</summary>
    public async Task<BigInteger> VotingPowerAsync(string? account = null, CancellationToken cancellationToken = default)
    {
        string who = account is null ? _client.RequireSigner("VotingPowerAsync without an account") : Evm.Validation.EvmInput.ParseAddress(account);
        // What propose checks: the votes at the last completed timepoint of the timestamp clock (the latest block's time minus one).
        Block latest = await RpcCancellation.RunAsync(() => _client.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()), cancellationToken).ConfigureAwait(false);
        BigInteger timepoint = latest.Timestamp.Value - 1;
        return await RpcCancellation.RunAsync(() => _client.Contracts.Token.GetPastVotesQueryAsync(who, timepoint), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delegates the signer's ACC votes to <paramref name="delegatee"/> (the signer itself to vote with its own tokens).</summary>
    public Task<TransactionReceipt> DelegateAsync(string delegatee, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner(nameof(DelegateAsync));
        string to = Evm.Validation.EvmInput.ParseAddress(delegatee);
        return _client.Contracts.Token.DelegateRequestAndWaitForReceiptAsync(to, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="draft"/> after checking it (calls, description), the signer's voting power against the threshold, and
    /// whether it will be critical (returned with the id).
    /// </summary>
    /// <exception cref="InsufficientVotingPowerException">The signer cannot propose (nothing sent).</exception>
    public async Task<ProposalSubmission> ProposeAsync(ProposalDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        string signer = _client.RequireSigner(nameof(ProposeAsync));
        draft.Validate();
        BigInteger threshold = await RpcCancellation.RunAsync(() => _client.Contracts.Governor.ProposalThresholdQueryAsync(), cancellationToken).ConfigureAwait(false);
        BigInteger votes = await VotingPowerAsync(signer, cancellationToken).ConfigureAwait(false);
        if (votes < threshold)
        {
            throw new InsufficientVotingPowerException(signer, votes, threshold);
        }

        bool critical = await IsCriticalAsync(draft, cancellationToken).ConfigureAwait(false);
        TransactionReceipt receipt = await _client.Contracts.Governor.ProposeRequestAndWaitForReceiptAsync(
            draft.Targets, draft.Values, draft.Calldatas, draft.Description, cancellationToken).ConfigureAwait(false);
        EventLog<ProposalCreatedEventDTO> created = receipt.DecodeAllEvents<ProposalCreatedEventDTO>().Single();
        return new ProposalSubmission(created.Event.ProposalId, critical, receipt);
    }

    /// <summary>Votes on an active proposal.</summary>
    /// <exception cref="ProposalStateException">The proposal is not active (nothing sent).</exception>
    public async Task<TransactionReceipt> VoteAsync(BigInteger proposalId, VoteType support, string? reason = null, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner(nameof(VoteAsync));
        if (!Enum.IsDefined(support))
        {
            throw new ArgumentOutOfRangeException(nameof(support), support, "Vote For, Against or Abstain.");
        }

        await RequireStateAsync(proposalId, "only an Active proposal takes votes", cancellationToken, ProposalState.Active).ConfigureAwait(false);
        return await _client.Contracts.Governor.CastVoteWithReasonRequestAndWaitForReceiptAsync(proposalId, (byte)support, reason ?? "", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues a succeeded proposal in the timelock.</summary>
    /// <exception cref="ProposalStateException">The proposal has not succeeded (nothing sent).</exception>
    public async Task<TransactionReceipt> QueueAsync(ProposalDraft draft, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner(nameof(QueueAsync));
        BigInteger id = await ProposalIdAsync(draft, cancellationToken).ConfigureAwait(false);
        await RequireStateAsync(id, "only a Succeeded proposal can be queued", cancellationToken, ProposalState.Succeeded).ConfigureAwait(false);
        return await _client.Contracts.Governor.QueueRequestAndWaitForReceiptAsync(draft.Targets, draft.Values, draft.Calldatas, draft.DescriptionHash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Executes a queued proposal once its timelock delay has passed.</summary>
    /// <exception cref="ProposalStateException">The proposal is not queued, or its delay has not passed (nothing sent).</exception>
    public async Task<TransactionReceipt> ExecuteAsync(ProposalDraft draft, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner(nameof(ExecuteAsync));
        BigInteger id = await ProposalIdAsync(draft, cancellationToken).ConfigureAwait(false);
        await RequireStateAsync(id, "only a Queued proposal can be executed", cancellationToken, ProposalState.Queued).ConfigureAwait(false);
        BigInteger eta = await RpcCancellation.RunAsync(() => _client.Contracts.Governor.ProposalEtaQueryAsync(id), cancellationToken).ConfigureAwait(false);
        Block latest = await RpcCancellation.RunAsync(() => _client.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()), cancellationToken).ConfigureAwait(false);
        if (latest.Timestamp.Value < eta)
        {
            throw new ProposalStateException(id, ProposalState.Queued, $"its timelock delay ends at {DateTimeOffset.FromUnixTimeSeconds((long)eta):u}, the chain is at {DateTimeOffset.FromUnixTimeSeconds((long)latest.Timestamp.Value):u}");
        }

        return await _client.Contracts.Governor.ExecuteRequestAndWaitForReceiptAsync(draft.Targets, draft.Values, draft.Calldatas, draft.DescriptionHash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A proposal's state, classification, quorum, votes and schedule.</summary>
    public async Task<ProposalStatus> GetAsync(BigInteger proposalId, CancellationToken cancellationToken = default)
    {
        var governor = _client.Contracts.Governor;
        ProposalState state = await StateAsync(proposalId, cancellationToken).ConfigureAwait(false);
        bool critical = await RpcCancellation.RunAsync(() => governor.IsCriticalQueryAsync(proposalId), cancellationToken).ConfigureAwait(false);
        BigInteger? quorum = state == ProposalState.Pending
            ? null
            : await RpcCancellation.RunAsync(() => governor.ProposalQuorumQueryAsync(proposalId), cancellationToken).ConfigureAwait(false);
        ProposalVotesOutputDTO votes = await RpcCancellation.RunAsync(() => governor.ProposalVotesQueryAsync(proposalId), cancellationToken).ConfigureAwait(false);
        BigInteger start = await RpcCancellation.RunAsync(() => governor.ProposalSnapshotQueryAsync(proposalId), cancellationToken).ConfigureAwait(false);
        BigInteger end = await RpcCancellation.RunAsync(() => governor.ProposalDeadlineQueryAsync(proposalId), cancellationToken).ConfigureAwait(false);
        BigInteger eta = await RpcCancellation.RunAsync(() => governor.ProposalEtaQueryAsync(proposalId), cancellationToken).ConfigureAwait(false);
        return new ProposalStatus(proposalId, state, critical, quorum, votes.ForVotes, votes.AgainstVotes, votes.AbstainVotes, start, end, eta);
    }

    /// <summary>Every proposal created from block <paramref name="fromBlock"/> (default: the deployment's first block) to the head.</summary>
    public async Task<IReadOnlyList<ProposalCreatedEventDTO>> ListAsync(BigInteger? fromBlock = null, CancellationToken cancellationToken = default)
    {
        BigInteger from = fromBlock ?? _client.Manifest.Block;
        BigInteger head = (await RpcCancellation.RunAsync(() => _client.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), cancellationToken).ConfigureAwait(false)).Value;
        if (from > head)
        {
            return [];
        }

        NewFilterInput filter = _client.Web3.Eth.GetEvent<ProposalCreatedEventDTO>(_client.Manifest.AddressOf("Governor")).CreateFilterInput();
        var created = new List<ProposalCreatedEventDTO>();
        await foreach (FilterLog[] page in _client.Web3.GetLogsPagedAsync(filter, from, head, ct: cancellationToken).ConfigureAwait(false))
        {
            created.AddRange(page.DecodeAllEvents<ProposalCreatedEventDTO>().Select(e => e.Event));
        }

        return created;
    }

    private async Task<ProposalState> StateAsync(BigInteger proposalId, CancellationToken ct) =>
        (ProposalState)await RpcCancellation.RunAsync(() => _client.Contracts.Governor.StateQueryAsync(proposalId), ct).ConfigureAwait(false);

    private async Task RequireStateAsync(BigInteger proposalId, string needed, CancellationToken ct, ProposalState wanted)
    {
        ProposalState state = await StateAsync(proposalId, ct).ConfigureAwait(false);
        if (state != wanted)
        {
            throw new ProposalStateException(proposalId, state, needed);
        }
    }
}
