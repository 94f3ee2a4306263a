using System.Globalization;
using System.Numerics;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Bindings.Staking.ContractDefinition;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Governance;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Swarm;

/// <summary>What governance is asked to decide on an appeal.</summary>
public enum AppealDecision
{
    /// <summary><c>Staking.dismissAppeal</c>: the slashed agent really misbehaved, the slash stands (and is finalized).</summary>
    DismissAppeal,

    /// <summary><c>Staking.reverseSlash</c>: the slashed agent was honest, its stake is returned.</summary>
    ReverseSlash,
}

/// <summary>The appeal the swarm filed, and the decision it proposed to governance with the reason (from the agent's behaviour).</summary>
/// <param name="SlashId">The slash appealed.</param>
/// <param name="AgentId">The slashed agent.</param>
/// <param name="Behaviour">How the agent behaves (the swarm knows: it drives it).</param>
/// <param name="Proposed">The decision proposed.</param>
/// <param name="Why">Why, in words.</param>
public sealed record SwarmAppeal(BigInteger SlashId, BigInteger AgentId, Behaviour Behaviour, AppealDecision Proposed, string Why);

/// <summary>What the swarm's governance round did (the figures of the closing report are read from the chain, not from here).</summary>
/// <param name="FeeBpsBefore">The market fee before (basis points, read from the chain).</param>
/// <param name="FeeBpsAfter">The market fee after execution (read from the chain).</param>
/// <param name="FeeProposalId">The fee proposal.</param>
/// <param name="Appeal">The appeal decided in the same round; null when no slash was appealed before the round.</param>
/// <param name="AppealProposalId">The appeal's proposal; null without an appeal.</param>
/// <param name="AppealEvent">The event the executed decision emitted (<c>AppealDismissed</c> or <c>SlashReversed</c>, from its receipt).</param>
public sealed record SwarmGovernanceOutcome(int FeeBpsBefore, int FeeBpsAfter, BigInteger FeeProposalId, SwarmAppeal? Appeal, BigInteger? AppealProposalId,
    string? AppealEvent);

/// <summary>The swarm's governance rules: what an appeal should be decided from the slashed agent's behaviour, and how each voter votes.</summary>
public static class SwarmVoting
{
    /// <summary>
    /// The decision governance should take on an appeal of a slash of an agent that behaves as <paramref name="slashed"/>, and why:
    /// an honest agent's slash was a mistake (reverse it); a dishonest or lazy agent's stands (dismiss the appeal).
    /// </summary>
    public static (AppealDecision Decision, string Why) Judge(Behaviour slashed) => slashed switch
    {
        Behaviour.Honest => (AppealDecision.ReverseSlash, "the agent is honest (correct results, true votes): the slash was a mistake, reverse it"),
        Behaviour.Dishonest => (AppealDecision.DismissAppeal, "the agent is dishonest (wrong results, votes against the truth): the slash stands, dismiss the appeal"),
        Behaviour.Silent => (AppealDecision.DismissAppeal, "the agent is lazy (never commits its review votes): the slash stands, dismiss the appeal"),
        Behaviour.Unrevealed => (AppealDecision.DismissAppeal, "the agent is lazy (commits review votes and never reveals them): the slash stands, dismiss the appeal"),
        _ => throw new ArgumentOutOfRangeException(nameof(slashed), slashed, "Not a behaviour."),
    };

    /// <summary>
    /// How one of the swarm's accounts votes, and why; null: it does not vote. <paramref name="owner"/> is the behaviour of the agent
    /// the account owns, null for a requester. Honest owners vote for (on the appeal, for the decision <see cref="Judge"/> gave),
    /// dishonest owners against, lazy owners not at all; requesters vote against the fee (they pay it) and abstain on an appeal.
    /// </summary>
    /// <param name="owner">The owned agent's behaviour; null for a requester.</param>
    /// <param name="onAppeal">True for the appeal's decision, false for the fee proposal.</param>
    /// <param name="appealWhy">The decision's reason (<see cref="Judge"/>), quoted by honest owners on the appeal.</param>
    public static (VoteType Vote, string Reason)? VoteOf(Behaviour? owner, bool onAppeal, string? appealWhy) => owner switch
    {
        null when onAppeal => (VoteType.Abstain, "requester: not a party to the review"),
        null => (VoteType.Against, "requester: the fee raises the cost of every task"),
        Behaviour.Honest when onAppeal => (VoteType.For, $"honest agent: {appealWhy}"),
        Behaviour.Honest => (VoteType.For, "honest agent: the fee funds the protocol that pays for its work"),
        Behaviour.Dishonest => (VoteType.Against, "dishonest agent: against whatever holds agents to account"),
        _ => null,
    };
}

/// <summary>
/// The swarm's governance round (docs/localnet.md, "As built: governance and appeals"). Before the first round the deployer gets the
/// emissions that put its votes above the quorum floor, and it and every owner and requester of the swarm delegate to themselves.
/// After the round in which the run's appeal is filed, one governance round carries two proposals voted in the same period: the
/// market fee one point higher, and the appeal's decision (<c>dismissAppeal</c> when the slashed agent really misbehaved,
/// <c>reverseSlash</c> otherwise). The swarm's accounts vote by behaviour, with a reason: honest owners for, dishonest owners against,
/// lazy owners not at all, requesters against the fee (they pay it) and abstaining on the appeal (not a party to the review). Both are
/// queued and executed after the timelock (1 + 5 + 7 days, within the appeal's 30-day decision period). Without an appeal by the end
/// of the run, the fee proposal runs alone.
/// </summary>
public sealed partial class SwarmRunner
{
    private const int FeeStepBps = 100;
    private (BigInteger SlashId, SimAgent Agent)? _appealed;
    private bool _governancePrepared;

    /// <summary>The governance round's outcome; null until it ran (or when <see cref="SwarmOptions.Governance"/> is null).</summary>
    public SwarmGovernanceOutcome? GovernanceOutcome { get; private set; }

    /// <summary>Addresses of the swarm's own accounts that vote (agents' owners and requesters), for telling their votes in the report.</summary>
    public IReadOnlyList<string> VoterAccounts => [.. _agents.Select(a => a.Owner.Address).Concat(_requesters.Select(r => r.Address))];

    private static SwarmAppeal Judge(BigInteger slashId, SimAgent agent)
    {
        (AppealDecision decision, string why) = SwarmVoting.Judge(agent.Behaviour);
        return new SwarmAppeal(slashId, agent.Id, agent.Behaviour, decision, why);
    }

    /// <summary>Before the first round: the deployer's emissions (votes above the quorum floor), and every voter delegates to itself.</summary>
    private async Task PrepareGovernanceAsync(SwarmGovernanceOptions g, CancellationToken ct)
    {
        if (_governancePrepared)
        {
            return;
        }

        // The deployer's votes must pass the quorum (10M ACC floor) with room, and outweigh the requesters' three to one: the fee
        // proposal is critical (2/3 of for and against) and the requesters (200,000 ACC each) vote against it. Emissions are released a
        // few weeks at a time until they do (bounded), anvil's clock moved as far.
        var token = g.Deployer.Contracts.Token;
        var governor = g.Deployer.Contracts.Governor;
        BigInteger requestersHold = BigInteger.Zero;
        foreach (Actor r in _requesters)
        {
            requestersHold += await token.BalanceOfQueryAsync(r.Address).ConfigureAwait(false);
        }

        int days = 0;
        BigInteger has = BigInteger.Zero, need = BigInteger.Zero;
        for (int i = 0; i < 20; i++)
        {
            long now = (await _bank.Client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false)).ToUnixTimeSeconds();
            BigInteger quorum = BigInteger.Max(await governor.QuorumFloorQueryAsync().ConfigureAwait(false), await governor.QuorumQueryAsync(now - 1).ConfigureAwait(false));
            need = BigInteger.Max(quorum * 6 / 5, 3 * requestersHold);
            has = await token.BalanceOfQueryAsync(g.Deployer.Address!).ConfigureAwait(false);
            if (has >= need)
            {
                break;
            }

            int step = (int)BigInteger.Min(100, (need - has) / (400_000 * Acc) + 1); // ~565,000 ACC a day early in the schedule
            await g.ReleaseEmissionsAsync(TimeSpan.FromDays(step), ct).ConfigureAwait(false);
            days += step;
        }

        has = await token.BalanceOfQueryAsync(g.Deployer.Address!).ConfigureAwait(false);

        _progress.Report($"governance: {days} days of emissions released to the deployer (anvil's clock moved {days} days): it holds {has / Acc:N0} ACC, "
            + $"{(has >= need ? "above" : "still below")} the {need / Acc:N0} needed (1.2 x the quorum, 3 x the requesters' {requestersHold / Acc:N0} ACC)");
        await g.Deployer.Governance.DelegateAsync(g.Deployer.Address!, ct).ConfigureAwait(false);
        List<Actor> voters = [.. _agents.Select(a => a.Owner).Concat(_requesters)];
        await Parallel.ForEachAsync(voters, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (a, token) =>
            Require(await a.Client.Governance.DelegateAsync(a.Address, token).ConfigureAwait(false), "delegate")).ConfigureAwait(false);
        _progress.Report($"governance: the deployer and the swarm's {_agents.Count} owners and {_requesters.Count} requesters delegated their votes to themselves");
        _governancePrepared = true;
    }

    /// <summary>
    /// One governance round: the fee proposal, and the appeal's decision when an appeal was filed; proposed by the deployer, voted by it
    /// and the swarm's accounts in the same period, queued and executed after the timelock (anvil's clock moved, said on screen).
    /// </summary>
    private async Task RunGovernanceRoundAsync(SwarmGovernanceOptions g, CancellationToken ct)
    {
        AgentClusterClient d = g.Deployer;
        GovernanceClient gov = d.Governance;
        MarketParams p = (await d.Contracts.TaskMarket.ParamsQueryAsync().ConfigureAwait(false)).ReturnValue1;
        int before = p.FeeBps;
        p.FeeBps = (ushort)(before + FeeStepBps);
        // The chain's date makes the proposal's id unique on a chain that saw an earlier run (same calls, same seed).
        string today = (await d.Tasks.ChainTimeAsync(ct).ConfigureAwait(false)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var feeDraft = new ProposalDraft([ProposalCall.Of(d.Manifest.AddressOf("TaskMarket"), new SetParamsFunction { Params = p })],
            $"swarm {_options.Seed}, {today}: raise the task market's fee from {before} to {p.FeeBps} basis points");

        SwarmAppeal? appeal = _appealed is { } filed ? Judge(filed.SlashId, filed.Agent) : null;
        ProposalDraft? appealDraft = null;
        if (appeal is not null)
        {
            string staking = d.Manifest.AddressOf("Staking");
            ProposalCall call = appeal.Proposed == AppealDecision.DismissAppeal
                ? ProposalCall.Of(staking, new DismissAppealFunction { SlashId = appeal.SlashId })
                : ProposalCall.Of(staking, new ReverseSlashFunction { SlashId = appeal.SlashId });
            string what = appeal.Proposed == AppealDecision.DismissAppeal ? "dismiss the appeal of" : "reverse";
            appealDraft = new ProposalDraft([call], $"swarm {_options.Seed}, {today}: {what} slash {appeal.SlashId} of agent {Short(appeal.AgentId)}: {appeal.Why}");
            _progress.Report($"governance: slash {appeal.SlashId} (agent {Short(appeal.AgentId)}, {appeal.Behaviour}) was appealed; proposing "
                + $"{(appeal.Proposed == AppealDecision.DismissAppeal ? "Staking.dismissAppeal" : "Staking.reverseSlash")}({appeal.SlashId}): {appeal.Why}");
        }
        else
        {
            _progress.Report("governance: no slash was appealed in this run; the fee proposal runs alone");
        }

        List<(ProposalDraft Draft, BigInteger Id, bool IsAppeal)> proposals = [];
        foreach ((ProposalDraft draft, bool isAppeal) in new[] { (feeDraft, false), (appealDraft, true) }.Where(x => x.Item1 is not null).Select(x => (x.Item1!, x.Item2)))
        {
            ProposalSubmission sent = await gov.ProposeAsync(draft, ct).ConfigureAwait(false);
            proposals.Add((draft, sent.Id, isAppeal));
            _progress.Report($"governance: proposal {Short(sent.Id)} sent{(sent.Critical ? " (critical: 2/3 needed)" : "")}: {draft.Description}");
        }

        BigInteger snapshot = BigInteger.Zero, deadline = BigInteger.Zero;
        foreach (var x in proposals)
        {
            snapshot = BigInteger.Max(snapshot, await d.Contracts.Governor.ProposalSnapshotQueryAsync(x.Id).ConfigureAwait(false));
            deadline = BigInteger.Max(deadline, await d.Contracts.Governor.ProposalDeadlineQueryAsync(x.Id).ConfigureAwait(false));
        }

        await WarpToAsync(DateTimeOffset.FromUnixTimeSeconds((long)snapshot), "governance voting delay", ct).ConfigureAwait(false);
        List<(Actor Voter, Behaviour? Behaviour)> voters = [.. _agents.Select(a => (a.Owner, (Behaviour?)a.Behaviour)).Concat(_requesters.Select(r => (r, (Behaviour?)null)))];
        foreach (var x in proposals)
        {
            Require(await gov.VoteAsync(x.Id, VoteType.For, "localnet deployer: for, on the merits", ct).ConfigureAwait(false), "deployer's vote");
            int[] cast = new int[3];
            int silent = 0;
            await Parallel.ForEachAsync(voters, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (v, token) =>
            {
                if (SwarmVoting.VoteOf(v.Behaviour, x.IsAppeal, appeal?.Why) is not { } vote)
                {
                    Interlocked.Increment(ref silent);
                    return;
                }

                Require(await v.Voter.Client.Governance.VoteAsync(x.Id, vote.Vote, vote.Reason, token).ConfigureAwait(false), "vote");
                Interlocked.Increment(ref cast[(int)vote.Vote]);
            }).ConfigureAwait(false);
            _progress.Report($"governance: proposal {Short(x.Id)}: the deployer voted for; the swarm's accounts {cast[(int)VoteType.For]} for, "
                + $"{cast[(int)VoteType.Against]} against, {cast[(int)VoteType.Abstain]} abstaining; {silent} lazy owners did not vote");
        }

        await WarpToAsync(DateTimeOffset.FromUnixTimeSeconds((long)deadline), "governance voting period", ct).ConfigureAwait(false);
        // A proposal may be defeated (e.g. the requesters' votes against the fee outweigh the deployer's in a large swarm): it is said
        // on screen and left; the others run through the timelock.
        BigInteger eta = BigInteger.Zero;
        List<(ProposalDraft Draft, BigInteger Id, bool IsAppeal)> queued = [];
        foreach (var x in proposals)
        {
            ProposalStatus status = await gov.GetAsync(x.Id, ct).ConfigureAwait(false);
            if (status.State != ProposalState.Succeeded)
            {
                _progress.Report($"governance: proposal {Short(x.Id)} {status.State}: for {Whole(status.ForVotes)}, against {Whole(status.AgainstVotes)}, "
                    + $"abstain {Whole(status.AbstainVotes)} ACC (quorum {Whole(status.Quorum ?? 0)}{(status.Critical ? ", 2/3 of for and against needed" : ", a majority needed")})");
                continue;
            }

            Require(await gov.QueueAsync(x.Draft, ct).ConfigureAwait(false), "queue");
            eta = BigInteger.Max(eta, await d.Contracts.Governor.ProposalEtaQueryAsync(x.Id).ConfigureAwait(false));
            queued.Add(x);
        }

        string? appealEvent = null;
        BigInteger? appealId = proposals.Where(x => x.IsAppeal).Select(x => (BigInteger?)x.Id).FirstOrDefault();
        if (queued.Count > 0)
        {
            _progress.Report($"governance: {queued.Count} proposal(s) succeeded and queued in the timelock");
            await WarpToAsync(DateTimeOffset.FromUnixTimeSeconds((long)eta), "timelock", ct).ConfigureAwait(false);
        }

        foreach (var x in queued)
        {
            TransactionReceipt executed = await gov.ExecuteAsync(x.Draft, ct).ConfigureAwait(false);
            Require(executed, "execute");
            if (x.IsAppeal)
            {
                appealEvent = executed.DecodeAllEvents<AppealDismissedEventDTO>().Count > 0 ? "AppealDismissed"
                    : executed.DecodeAllEvents<SlashReversedEventDTO>().Count > 0 ? "SlashReversed" : null;
                _progress.Report($"governance: executed; slash {appeal!.SlashId}: {appealEvent ?? "no decision event"} on chain");
            }
        }

        int after = (await d.Contracts.TaskMarket.ParamsQueryAsync().ConfigureAwait(false)).ReturnValue1.FeeBps;
        _progress.Report($"governance: the market fee is now {after} basis points (was {before})");
        GovernanceOutcome = new SwarmGovernanceOutcome(before, after, proposals[0].Id, appeal, appealId, appealEvent);
    }

    private static string Whole(BigInteger wei) => (wei / BigInteger.Pow(10, 18)).ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A long id (proposal ids are hashes, agent ids are addresses) shortened for the screen.</summary>
    internal static string Short(BigInteger id)
    {
        string s = id.ToString(CultureInfo.InvariantCulture);
        return s.Length > 12 ? s[..6] + "…" + s[^4..] : s;
    }
}
