using AgentCluster.Sdk.Networks;
using AgentCluster.Solana;
using AgentCluster.Solana.Programs;
using TaskStatus = AgentCluster.Solana.Programs.TaskStatus;

namespace AgentCluster.Keepers.Solana;

/// <summary>A kind of keeper work (the metrics' and logs' <c>kind</c>).</summary>
public enum SolanaKeeperActionKind
{
    /// <summary><c>fix_seed</c>.</summary>
    FixSeed,

    /// <summary><c>draw_seat</c> (several per transaction).</summary>
    DrawSeat,

    /// <summary><c>claim_seat</c>.</summary>
    ClaimSeat,

    /// <summary><c>assign_task</c>.</summary>
    Assign,

    /// <summary><c>report_missed_deadline</c>.</summary>
    ReportMissedDeadline,

    /// <summary><c>settle_task</c>.</summary>
    SettleTask,

    /// <summary><c>settle_executor</c>.</summary>
    SettleExecutor,

    /// <summary><c>settle_member</c> (several per transaction).</summary>
    SettleMember,
}

/// <summary>
/// One program instruction of keeper work and what it needs first: the associated token account of <see cref="AtaOwner"/> (created with
/// CreateIdempotent when missing) and the reputation account of <see cref="ReputationAgentKey"/> (opened when missing).
/// </summary>
/// <param name="Instruction">The AgentCluster instruction.</param>
/// <param name="ComputeUnits">Its compute-unit budget (an upper estimate).</param>
/// <param name="AtaOwner">An owner whose ACC associated token account must exist, or null.</param>
/// <param name="ReputationAgentKey">An agent key whose reputation account must exist, or null.</param>
/// <param name="ReputationAgentAddress">That agent's account address (for <c>open_reputation</c>), or null.</param>
/// <param name="SlashedAgent">The agent key this instruction may slash, or null.</param>
public sealed record SolanaKeeperUnit(TransactionInstruction Instruction, uint ComputeUnits, PublicKey? AtaOwner = null,
    PublicKey? ReputationAgentKey = null, PublicKey? ReputationAgentAddress = null, PublicKey? SlashedAgent = null);

/// <summary>One transaction's worth of keeper work for one task: one or more instructions of one kind.</summary>
/// <param name="Kind">The kind of work.</param>
/// <param name="Task">The task's address.</param>
/// <param name="TaskId">The task's id (with its requester, what names it in logs).</param>
/// <param name="Units">The instructions (at least one).</param>
public sealed record SolanaKeeperAction(SolanaKeeperActionKind Kind, PublicKey Task, ulong TaskId, IReadOnlyList<SolanaKeeperUnit> Units);

/// <summary>A candidate's sortition key -log2(u) / weight (the bindings' <see cref="AgentClusterMath"/>: the program's own arithmetic).</summary>
/// <param name="NegLog2U">-log2(u) in Q32.32.</param>
/// <param name="Weight">The stake at the snapshot.</param>
public readonly record struct SortitionKey(ulong NegLog2U, ulong Weight)
{
    /// <summary>Whether this key is strictly smaller (better) than <paramref name="other"/>, compared exactly as the program does.</summary>
    public bool IsBetterThan(SortitionKey other) => AgentClusterMath.SortitionKeyLess(NegLog2U, Weight, other.NegLog2U, other.Weight);
}

/// <summary>A task account and its address.</summary>
/// <param name="Address">The task's address.</param>
/// <param name="Account">The decoded task.</param>
public sealed record SolanaTaskEntry(PublicKey Address, TaskAccount Account);

/// <summary>An agent account and its address.</summary>
/// <param name="Address">The agent account's address (its PDA).</param>
/// <param name="Account">The decoded agent.</param>
public sealed record SolanaAgentEntry(PublicKey Address, AgentAccount Account);

/// <summary>
/// Decides the keeper work due now, from the tasks, the agents and the chain's clock, exactly as the program checks it
/// (docs/keepers-solana.md has the table). Pure: no I/O, so it is tested without a chain.
/// </summary>
public sealed class SolanaKeeperPlanner
{
    /// <summary>Draw instructions per transaction at most.</summary>
    public const int DrawsPerTransaction = 8;

    /// <summary>Member settlements per transaction at most.</summary>
    public const int MembersPerTransaction = 4;

    internal const uint AssignUnits = 10_000, MissedUnits = 10_000, FixSeedUnits = 12_000, DrawUnits = 16_000, ClaimUnits = 16_000,
        SettleTaskUnits = 14_000, SettleExecutorUnits = 26_000, SettleMemberUnits = 24_000;

    private readonly PublicKey _program;
    private readonly PublicKey _mint;
    private readonly PublicKey _keeper;

    /// <summary>A planner for <paramref name="keeper"/> on <paramref name="deployment"/> (the SDK's deployment record; a mint not recorded is the program's mint PDA).</summary>
    public SolanaKeeperPlanner(SolanaDeployment deployment, PublicKey keeper)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        _program = deployment.ProgramId;
        _mint = MintOf(deployment);
        _keeper = keeper ?? throw new ArgumentNullException(nameof(keeper));
        KeeperAcc = AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(keeper, _mint);
    }

    /// <summary>The ACC mint of <paramref name="deployment"/>: as recorded, or the program's mint PDA.</summary>
    public static PublicKey MintOf(SolanaDeployment deployment) =>
        (deployment ?? throw new ArgumentNullException(nameof(deployment))).Mint ?? AgentClusterProgram.MintAddress(deployment.ProgramId);

    /// <summary>The keeper's ACC account (its associated token account): where the rewards go.</summary>
    public PublicKey KeeperAcc { get; }

    /// <summary>Whether any task needs the agents read (a committee to draw or claim, or members or an executor to settle).</summary>
    public static bool NeedsAgents(IEnumerable<SolanaTaskEntry> tasks, long now)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (SolanaTaskEntry entry in tasks)
        {
            TaskAccount t = entry.Account;
            if (t.Status == TaskStatus.Verifying && now <= t.DrawClosesAt)
            {
                return true;
            }

            if (IsFinal(t) && (HasUnsettledExecutor(t) || t.MembersSettled < t.Seats))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The work due now, most urgent first (seeds, draws and claims have windows; settlements do not). An agent that one action may slash
    /// is left out of any later action of this plan (its slash record's index would be stale): the next pass does it.
    /// </summary>
    public IReadOnlyList<SolanaKeeperAction> Plan(SolanaChainTime time, IReadOnlyList<SolanaTaskEntry> tasks, IReadOnlyDictionary<PublicKey, SolanaAgentEntry> agentsByKey)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(agentsByKey);
        long now = time.UnixTimestamp;
        var urgent = new List<SolanaKeeperAction>();
        var rest = new List<SolanaKeeperAction>();
        var slashed = new HashSet<PublicKey>();
        foreach (SolanaTaskEntry entry in tasks)
        {
            TaskAccount t = entry.Account;
            switch (t.Status)
            {
                case TaskStatus.Bidding when now >= t.BiddingEndsAt:
                    rest.Add(Single(SolanaKeeperActionKind.Assign, entry,
                        AgentClusterProgram.AssignTask(_program, _keeper, entry.Address, t.Vault, KeeperAcc), AssignUnits));
                    break;
                case TaskStatus.Assigned when now > t.Deadline:
                    rest.Add(Single(SolanaKeeperActionKind.ReportMissedDeadline, entry,
                        AgentClusterProgram.ReportMissedDeadline(_program, _keeper, entry.Address, t.Vault, KeeperAcc), MissedUnits));
                    break;
                case TaskStatus.ResultPosted when time.NewestSlotHashSlot is { } newest && newest >= t.SeedSlot:
                    urgent.Add(Single(SolanaKeeperActionKind.FixSeed, entry,
                        AgentClusterProgram.FixSeed(_program, _keeper, entry.Address, t.Vault, KeeperAcc), FixSeedUnits));
                    break;
                case TaskStatus.Verifying:
                    PlanVerifying(entry, now, agentsByKey, urgent, rest);
                    break;
                default:
                    if (IsFinal(t))
                    {
                        PlanFinal(entry, agentsByKey, slashed, rest);
                    }

                    break;
            }
        }

        urgent.AddRange(rest);
        return urgent;
    }

    /// <summary>
    /// The candidates for a task's committee, best key first: every agent Active, attested now, staked at the snapshot
    /// (<c>resultPostedAt - 1</c>), not the executor, owned by neither the requester nor the executor's owner.
    /// </summary>
    public static IReadOnlyList<(SolanaAgentEntry Agent, SortitionKey Key)> RankCandidates(TaskAccount task, long now, IEnumerable<SolanaAgentEntry> agents)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(agents);
        var ranked = new List<(SolanaAgentEntry Agent, SortitionKey Key)>();
        foreach (SolanaAgentEntry entry in agents)
        {
            AgentAccount a = entry.Account;
            if (a.Status != AgentStatus.Active || a.AttestedUntil <= now || a.AgentKey == task.Executor || a.Owner == task.Requester
                || a.Owner == task.ExecutorOwner)
            {
                continue;
            }

            ulong weight = a.StakeAt(task.ResultPostedAt - 1);
            if (weight == 0)
            {
                continue;
            }

            ranked.Add((entry, new SortitionKey(AgentClusterMath.SortitionNegLog2U(task.Seed, a.AgentKey), weight)));
        }

        ranked.Sort((x, y) => x.Key.IsBetterThan(y.Key) ? -1 : y.Key.IsBetterThan(x.Key) ? 1 : CompareKeys(x.Agent.Account.AgentKey, y.Agent.Account.AgentKey));
        return ranked;
    }

    private void PlanVerifying(SolanaTaskEntry entry, long now, IReadOnlyDictionary<PublicKey, SolanaAgentEntry> agentsByKey,
        List<SolanaKeeperAction> urgent, List<SolanaKeeperAction> rest)
    {
        TaskAccount t = entry.Account;
        bool formed = t.Seats == t.CommitteeSize;
        if ((!formed && now > t.FillClosesAt) || (formed && (now > t.RevealEndsAt || t.Reveals == t.Seats)))
        {
            rest.Add(Single(SolanaKeeperActionKind.SettleTask, entry,
                AgentClusterProgram.SettleTask(_program, _keeper, entry.Address, t.Vault, KeeperAcc), SettleTaskUnits));
            return;
        }

        if (!formed)
        {
            var seated = SeatedKeys(t);
            var draws = RankCandidates(t, now, agentsByKey.Values)
                .Take(t.CommitteeSize)
                .Where(c => !seated.Contains(c.Agent.Account.AgentKey))
                .Take(t.CommitteeSize - t.Seats)
                .Select(c => new SolanaKeeperUnit(
                    AgentClusterProgram.DrawSeat(_program, _keeper, entry.Address, t.Vault, KeeperAcc, c.Agent.Address), DrawUnits))
                .ToList();
            foreach (SolanaKeeperUnit[] batch in draws.Chunk(DrawsPerTransaction))
            {
                urgent.Add(new SolanaKeeperAction(SolanaKeeperActionKind.DrawSeat, entry.Address, t.Id, batch));
            }

            return;
        }

        if (now > t.FillClosesAt && now <= t.DrawClosesAt)
        {
            // The claim phase: while the best unseated candidate beats the worst member, it takes that seat (one claim a transaction).
            var members = Enumerable.Range(0, t.CommitteeSize)
                .Select(i => (Seat: i, Key: new SortitionKey(t.Members[i].NegLog2U, t.Members[i].Weight)))
                .ToList();
            var seated = SeatedKeys(t);
            var candidates = new Queue<(SolanaAgentEntry Agent, SortitionKey Key)>(
                RankCandidates(t, now, agentsByKey.Values).Where(c => !seated.Contains(c.Agent.Account.AgentKey)));
            for (int claims = 0; claims < t.CommitteeSize && candidates.Count > 0; claims++)
            {
                (int Seat, SortitionKey Key) worst = members[0];
                foreach (var m in members)
                {
                    if (worst.Key.IsBetterThan(m.Key))
                    {
                        worst = m;
                    }
                }

                (SolanaAgentEntry agent, SortitionKey key) = candidates.Peek();
                if (!key.IsBetterThan(worst.Key))
                {
                    break;
                }

                candidates.Dequeue();
                members[members.IndexOf(worst)] = (worst.Seat, key);
                urgent.Add(Single(SolanaKeeperActionKind.ClaimSeat, entry,
                    AgentClusterProgram.ClaimSeat(_program, _keeper, entry.Address, t.Vault, KeeperAcc, agent.Address, (byte)worst.Seat), ClaimUnits));
            }
        }
    }

    private void PlanFinal(SolanaTaskEntry entry, IReadOnlyDictionary<PublicKey, SolanaAgentEntry> agentsByKey, HashSet<PublicKey> slashed,
        List<SolanaKeeperAction> rest)
    {
        TaskAccount t = entry.Account;
        if (HasUnsettledExecutor(t) && agentsByKey.TryGetValue(t.Executor, out SolanaAgentEntry? executor))
        {
            bool slashes = t.Status is TaskStatus.Rejected or TaskStatus.Missed || t.SeedLapsed;
            if (!slashes || slashed.Add(t.Executor))
            {
                PublicKey record = AgentClusterProgram.SlashAddress(_program, t.Executor, executor.Account.SlashCount);
                PublicKey reputation = AgentClusterProgram.ReputationAddress(_program, t.Executor);
                rest.Add(new SolanaKeeperAction(SolanaKeeperActionKind.SettleExecutor, entry.Address, t.Id,
                [
                    new SolanaKeeperUnit(
                        AgentClusterProgram.SettleExecutor(_program, _keeper, entry.Address, t.Vault, KeeperAcc, t.ExecutorAgent, record, reputation),
                        SettleExecutorUnits, ReputationAgentKey: t.Executor, ReputationAgentAddress: t.ExecutorAgent, SlashedAgent: slashes ? t.Executor : null),
                ]));
            }
        }

        bool formed = t.Seats == t.CommitteeSize;
        var units = new List<SolanaKeeperUnit>();
        for (int i = 0; i < t.CommitteeSize; i++)
        {
            TaskSeat seat = t.Members[i];
            if (seat.State == SeatState.Empty || seat.Settled || !agentsByKey.TryGetValue(seat.AgentKey, out SolanaAgentEntry? member))
            {
                continue;
            }

            bool revealed = seat.State == SeatState.Revealed;
            bool aligned = revealed && t.Aligned != 0 && (t.Status == TaskStatus.Inconclusive
                || (t.Status == TaskStatus.Accepted && seat.Vote == 1) || (t.Status == TaskStatus.Rejected && seat.Vote == 0));
            bool slashes = formed && !aligned;
            if (slashes && !slashed.Add(seat.AgentKey))
            {
                continue; // slashed by an earlier action of this plan: its record index moves; next pass
            }

            PublicKey memberAcc = AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(seat.Owner, _mint);
            PublicKey reputation = AgentClusterProgram.ReputationAddress(_program, seat.AgentKey);
            PublicKey record = AgentClusterProgram.SlashAddress(_program, seat.AgentKey, member.Account.SlashCount);
            units.Add(new SolanaKeeperUnit(
                AgentClusterProgram.SettleMember(_program, _keeper, entry.Address, t.Vault, KeeperAcc, memberAcc, reputation,
                    t.MemberAgents[i], record, (byte)i),
                SettleMemberUnits, AtaOwner: seat.Owner, ReputationAgentKey: seat.AgentKey, ReputationAgentAddress: t.MemberAgents[i],
                SlashedAgent: slashes ? seat.AgentKey : null));
        }

        foreach (SolanaKeeperUnit[] batch in units.Chunk(MembersPerTransaction))
        {
            rest.Add(new SolanaKeeperAction(SolanaKeeperActionKind.SettleMember, entry.Address, t.Id, batch));
        }
    }

    private static SolanaKeeperAction Single(SolanaKeeperActionKind kind, SolanaTaskEntry entry, TransactionInstruction instruction, uint units) =>
        new(kind, entry.Address, entry.Account.Id, [new SolanaKeeperUnit(instruction, units)]);

    private static HashSet<PublicKey> SeatedKeys(TaskAccount t) =>
        t.Members.Take(t.CommitteeSize).Where(s => s.State != SeatState.Empty).Select(s => s.AgentKey).ToHashSet();

    private static bool IsFinal(TaskAccount t) => t.Status >= TaskStatus.Accepted;

    private static bool HasUnsettledExecutor(TaskAccount t) => !t.ExecutorSettled && !IsZero(t.Executor);

    private static bool IsZero(PublicKey key) => key.KeyBytes.All(b => b == 0);

    private static int CompareKeys(PublicKey a, PublicKey b) => a.KeyBytes.AsSpan().SequenceCompareTo(b.KeyBytes);
}
