using AgentCluster.Keepers.Solana;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Programs;
using TaskStatus = AgentCluster.Solana.Programs.TaskStatus;

namespace AgentCluster.Keepers.Tests.Solana;

/// <summary>
/// The planner's decisions without a chain: what is due in each state at the edges of its windows (the program's own comparisons),
/// batching, and an agent never put in two slashing actions of one pass. The localnet tests (SolanaKeeperTests) cover the same paths
/// against the real program; these pin the edges.
/// </summary>
public sealed class SolanaKeeperPlannerTests
{
    private const long Now = 1_800_000_000;
    private static readonly PublicKey Program = Account.Generate().PublicKey;
    private static readonly AgentCluster.Sdk.Networks.SolanaDeployment Deployment = new(Program);
    private static readonly SolanaKeeperPlanner Planner = new(Deployment, Account.Generate().PublicKey);

    private static TaskAccount BlankTask()
    {
        byte[] data = new byte[10_216];
        data[0] = 20;
        return TaskAccount.Decode(data) with { Executor = Key(), ExecutorOwner = Key(), Requester = Key(), Vault = Key(), ExecutorAgent = Key(), Seed = new byte[32] };
    }

    private static PublicKey Key() => Account.Generate().PublicKey;

    private static SolanaKeeperActionKind[] Kinds(TaskAccount task, long now = Now, ulong? newestSlot = 100, IReadOnlyDictionary<PublicKey, SolanaAgentEntry>? agents = null) =>
        Planner.Plan(new SolanaChainTime(1, now, newestSlot), [new SolanaTaskEntry(Key(), task)], agents ?? new Dictionary<PublicKey, SolanaAgentEntry>())
            .Select(a => a.Kind).ToArray();

    [Test]
    public void Bidding_IsAssignedFromTheSecondTheWindowEnds()
    {
        TaskAccount t = BlankTask() with { Status = TaskStatus.Bidding, BiddingEndsAt = Now };
        Assert.That(Kinds(t, Now - 1), Is.Empty);
        Assert.That(Kinds(t, Now), Is.EqualTo(new[] { SolanaKeeperActionKind.Assign }));
    }

    [Test]
    public void Assigned_IsReportedOnlyAfterTheDeadline()
    {
        TaskAccount t = BlankTask() with { Status = TaskStatus.Assigned, Deadline = Now };
        Assert.That(Kinds(t, Now), Is.Empty, "the program needs now > deadline");
        Assert.That(Kinds(t, Now + 1), Is.EqualTo(new[] { SolanaKeeperActionKind.ReportMissedDeadline }));
    }

    [Test]
    public void ResultPosted_IsSeededOnceTheSeedSlotIsInSlotHashes()
    {
        TaskAccount t = BlankTask() with { Status = TaskStatus.ResultPosted, SeedSlot = 100 };
        Assert.That(Kinds(t, newestSlot: 99), Is.Empty);
        Assert.That(Kinds(t, newestSlot: null), Is.Empty);
        Assert.That(Kinds(t, newestSlot: 100), Is.EqualTo(new[] { SolanaKeeperActionKind.FixSeed }));
    }

    [Test]
    public void Verifying_SettlesAnUnformedCommitteeAfterTheFillPhase_AndAFormedOneAfterTheRevealsOrTheWindow()
    {
        TaskAccount unformed = BlankTask() with { Status = TaskStatus.Verifying, CommitteeSize = 3, Seats = 2, FillClosesAt = Now, DrawClosesAt = Now + 1_800 };
        Assert.That(Kinds(unformed, Now), Has.None.EqualTo(SolanaKeeperActionKind.SettleTask));
        Assert.That(Kinds(unformed, Now + 1), Is.EqualTo(new[] { SolanaKeeperActionKind.SettleTask }));
        TaskAccount formed = BlankTask() with { Status = TaskStatus.Verifying, CommitteeSize = 3, Seats = 3, Reveals = 2, RevealEndsAt = Now, FillClosesAt = Now - 9_000, DrawClosesAt = Now - 7_200 };
        Assert.That(Kinds(formed, Now), Is.Empty);
        Assert.That(Kinds(formed, Now + 1), Is.EqualTo(new[] { SolanaKeeperActionKind.SettleTask }));
        Assert.That(Kinds(formed with { Reveals = 3 }, Now), Is.EqualTo(new[] { SolanaKeeperActionKind.SettleTask }), "every member revealed: early");
    }

    [Test]
    public void Draws_TheBestUnseatedKeys_BatchedEightATransaction()
    {
        TaskAccount t = BlankTask() with
        {
            Status = TaskStatus.Verifying, CommitteeSize = 10, Seats = 0, ResultPostedAt = Now - 100, FillClosesAt = Now + 100, DrawClosesAt = Now + 1_900,
            Seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        };
        var agents = Enumerable.Range(0, 12).Select(i => Agent(1_000UL + (ulong)i, Now - 1_000)).ToDictionary(a => a.Account.AgentKey);
        IReadOnlyList<SolanaKeeperAction> plan = Planner.Plan(new SolanaChainTime(1, Now, 1), [new SolanaTaskEntry(Key(), t with { Members = EmptySeats(10) })], agents);
        Assert.That(plan.Select(a => (a.Kind, a.Units.Count)), Is.EqualTo(new[] { (SolanaKeeperActionKind.DrawSeat, 8), (SolanaKeeperActionKind.DrawSeat, 2) }));
        PublicKey[] expected = SolanaKeeperPlanner.RankCandidates(t, Now, agents.Values).Take(10).Select(c => c.Agent.Address).ToArray();
        Assert.That(plan.SelectMany(a => a.Units).Select(u => u.Instruction.Keys[6].PublicKey), Is.EqualTo(expected), "the ten best keys, best first");
        var best = AgentClusterMath.Sortition(t.Seed, agents.Values.Select(a => (a.Account.AgentKey, a.Account.StakeAt(t.ResultPostedAt - 1))), 10);
        Assert.That(SolanaKeeperPlanner.RankCandidates(t, Now, agents.Values).Take(10).Select(c => c.Agent.Account.AgentKey),
            Is.EqualTo(best.Select(b => b.AgentKey)), "the same committee as the bindings' Sortition");
    }

    [Test]
    public void Candidates_LeaveOutTheExecutor_TheConflicted_TheUnattested_AndTheUnstakedAtTheSnapshot()
    {
        TaskAccount t = BlankTask() with { ResultPostedAt = Now - 100, Seed = new byte[32] };
        SolanaAgentEntry good = Agent(1_000, Now - 1_000);
        SolanaAgentEntry executor = Agent(1_000, Now - 1_000) is var e ? e with { Account = e.Account with { AgentKey = t.Executor } } : null!;
        SolanaAgentEntry requesters = Agent(1_000, Now - 1_000) is var r ? r with { Account = r.Account with { Owner = t.Requester } } : null!;
        SolanaAgentEntry executorOwners = Agent(1_000, Now - 1_000) is var o ? o with { Account = o.Account with { Owner = t.ExecutorOwner } } : null!;
        SolanaAgentEntry expired = Agent(1_000, Now - 1_000) is var x ? x with { Account = x.Account with { AttestedUntil = Now } } : null!;
        SolanaAgentEntry pending = Agent(1_000, Now - 1_000) is var p ? p with { Account = p.Account with { Status = AgentStatus.Pending } } : null!;
        SolanaAgentEntry lateStake = Agent(1_000, Now - 100); // staked at the result's second: nothing at the snapshot (resultPostedAt - 1)
        var ranked = SolanaKeeperPlanner.RankCandidates(t, Now, [good, executor, requesters, executorOwners, expired, pending, lateStake]);
        Assert.That(ranked.Select(c => c.Agent), Is.EqualTo(new[] { good }));
    }

    [Test]
    public void AnAgentTwiceSlashable_IsInOnlyOneSlashingActionOfAPass()
    {
        SolanaAgentEntry silent = Agent(1_000, Now - 10_000);
        TaskSeat seat = new()
        {
            AgentKey = silent.Account.AgentKey, Owner = silent.Account.Owner, NegLog2U = 1, Weight = 1, Commitment = new byte[32], State = SeatState.Seated,
            Vote = 0, Settled = false,
        };
        TaskAccount Settled() => BlankTask() with
        {
            Status = TaskStatus.Accepted, CommitteeSize = 1, Seats = 1, Aligned = 0, ExecutorSettled = true, Members = [seat], MemberAgents = [silent.Address],
        };
        var agents = new Dictionary<PublicKey, SolanaAgentEntry> { [silent.Account.AgentKey] = silent };
        IReadOnlyList<SolanaKeeperAction> plan = Planner.Plan(new SolanaChainTime(1, Now, 1),
            [new SolanaTaskEntry(Key(), Settled()), new SolanaTaskEntry(Key(), Settled())], agents);
        Assert.That(plan.SelectMany(a => a.Units).Count(u => u.SlashedAgent == silent.Account.AgentKey), Is.EqualTo(1),
            "its second slash waits for the next pass (the slash record's index moves)");
    }

    private static IReadOnlyList<TaskSeat> EmptySeats(int n) => Enumerable.Range(0, n).Select(_ => new TaskSeat
    {
        AgentKey = new PublicKey(new byte[32]), Owner = new PublicKey(new byte[32]), NegLog2U = 0, Weight = 0, Commitment = new byte[32],
        State = SeatState.Empty, Vote = 0, Settled = false,
    }).ToArray();

    /// <summary>An Active agent attested for a day, staked <paramref name="stake"/> from <paramref name="stakedAt"/>.</summary>
    private static SolanaAgentEntry Agent(ulong stake, long stakedAt)
    {
        byte[] data = new byte[200 + 16];
        data[0] = 2;
        AgentAccount blank = AgentAccount.Decode(data);
        AgentAccount agent = blank with
        {
            Status = AgentStatus.Active, AgentKey = Key(), Owner = Key(), AttestedUntil = Now + 86_400, ActiveStake = stake, CheckpointCount = 1,
            StakeHistory = [new StakePoint { Time = stakedAt, Stake = stake }],
        };
        return new SolanaAgentEntry(AgentClusterProgram.AgentAddress(Program, agent.AgentKey), agent);
    }
}
