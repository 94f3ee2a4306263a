using System.Numerics;

namespace AgentCluster.EndToEnd.Tests;

/// <summary>The market parameters a task was submitted under (the model's copy, from the deployment script or the proposal).</summary>
internal sealed record ModelParams(int FeeBps, int ReviewerShareBps, BigInteger KeeperReward, int RejectedSeverityBps, int NonRevealSeverityBps,
    int MinoritySeverityBps);

/// <summary>What a member did with its seat.</summary>
internal enum Vote
{
    /// <summary>Never committed.</summary>
    Silent,

    /// <summary>Committed, never revealed.</summary>
    Unrevealed,

    /// <summary>Revealed approve.</summary>
    Approve,

    /// <summary>Revealed reject.</summary>
    Reject,
}

/// <summary>Outcomes, numbered as the contract's <c>TaskStatus</c>.</summary>
internal enum Outcome
{
    Accepted = 4,
    Rejected = 5,
    Refunded = 6,
    Inconclusive = 7,
}

/// <summary>
/// The protocol's rules written out independently of the SDK and the chain, from docs/evm-protocol.md and the settlement code of
/// contracts/evm/protocol (TaskMarket, TaskVerification, Staking, Reputation, FeeRouter): every ACC movement, stake, slash and
/// reputation change the scenario causes. Amounts are exact integers (the contracts' own rounding: floor division in the same order);
/// reputation decays as 2^(-t / 90 days) between writes and is kept in doubles (the contract's fixed point is accurate to far better
/// than 1e-9 relative, docs/evm-protocol.md), clamped at 0 on a decrease as the contract does.
/// </summary>
internal sealed class ProtocolModel
{
    public const long Day = 86_400;
    public const double HalfLife = 90 * Day;
    public static readonly BigInteger Point = BigInteger.Pow(10, 18);
    private const int Bps = 10_000;
    private static readonly BigInteger ExecutorGainPerProtocolAcc = 2 * BigInteger.Pow(10, 16);
    private static readonly BigInteger ExecutorMaxGain = Point;
    private static readonly BigInteger ReviewerMaxGain = BigInteger.Pow(10, 17);
    private static readonly BigInteger GainUnit = BigInteger.Pow(10, 12);
    private const double ExecutorRejectedLoss = 2e18;
    private const double ReviewerMisalignedLoss = 2e17;
    private const double ReviewerSilentLoss = 5e17;
    private const int BurnShareBps = 5_000;

    private readonly Dictionary<(BigInteger Agent, int Dim), (double Value, long Time)> _reputation = [];
    private readonly Dictionary<BigInteger, List<(string Requester, long Day)>> _counterparties = [];

    public ProtocolModel(string market, string staking, string registry, string rewardsPool)
    {
        (Market, Staking, Registry, RewardsPool) = (Key(market), Key(staking), Key(registry), Key(rewardsPool));
    }

    public string Market { get; }

    public string Staking { get; }

    public string Registry { get; }

    public string RewardsPool { get; }

    /// <summary>ACC balance of every account and contract the scenario touches (lower-case address).</summary>
    public Dictionary<string, BigInteger> Balance { get; } = [];

    /// <summary>What the market owes each account (earnings not withdrawn yet).</summary>
    public Dictionary<string, BigInteger> Owed { get; } = [];

    /// <summary>Active stake per agent.</summary>
    public Dictionary<BigInteger, BigInteger> Stake { get; } = [];

    /// <summary>Slashes not finalized yet (amounts, escrowed in Staking).</summary>
    public List<BigInteger> PendingSlashes { get; } = [];

    public int SlashCount { get; private set; }

    public BigInteger Burned { get; private set; }

    public BigInteger FeesToBurn { get; private set; }

    public BigInteger PendingProtocolFees { get; private set; }

    public static string Key(string address) => address.ToLowerInvariant();

    public BigInteger BalanceOf(string address) => Balance.GetValueOrDefault(Key(address));

    public BigInteger OwedTo(string address) => Owed.GetValueOrDefault(Key(address));

    private void Move(string from, string to, BigInteger amount)
    {
        Balance[Key(from)] = BalanceOf(from) - amount;
        Balance[Key(to)] = BalanceOf(to) + amount;
    }

    private void Credit(string account, BigInteger amount)
    {
        if (amount != 0)
        {
            Owed[Key(account)] = OwedTo(account) + amount;
        }
    }

    // ------------------------------------------------------------------ registry and staking

    public void Register(string owner, BigInteger bond, BigInteger fee)
    {
        Move(owner, Registry, bond + fee);
        FeesToBurn += fee;
    }

    public void AddStake(string owner, BigInteger agentId, BigInteger amount)
    {
        Move(owner, Staking, amount);
        Stake[agentId] = Stake.GetValueOrDefault(agentId) + amount;
    }

    /// <summary>Registry: the attested benchmark sets Compute reputation to computeScore (capped at 1,000 points).</summary>
    public void Attest(BigInteger agentId, uint cpuCores, uint gpuMemoryMb, uint tokensPerSecond, long time)
    {
        long points = Math.Min(cpuCores + gpuMemoryMb / 1024 * 4 + tokensPerSecond / 10, 1_000);
        _reputation[(agentId, 2)] = ((double)(points * Point), time);
    }

    public void BurnRegistrationFees()
    {
        Balance[Registry] = BalanceOf(Registry) - FeesToBurn;
        Burned += FeesToBurn;
        FeesToBurn = 0;
    }

    /// <summary>Staking.slash: the severity's share of active stake (no unbonding here), escrowed until finalized.</summary>
    private void Slash(BigInteger agentId, int severityBps)
    {
        BigInteger amount = Stake[agentId] * severityBps / Bps;
        if (amount == 0)
        {
            return;
        }

        Stake[agentId] -= amount;
        PendingSlashes.Add(amount);
        SlashCount++;
    }

    /// <summary>Staking.finalizeSlash with harmedShareBps 0: the whole slash is burned.</summary>
    public void FinalizeSlashes()
    {
        foreach (BigInteger amount in PendingSlashes)
        {
            Balance[Staking] = BalanceOf(Staking) - amount;
            Burned += amount;
        }

        PendingSlashes.Clear();
    }

    // ------------------------------------------------------------------ reputation

    private static double Decayed((double Value, long Time) r, long t) => r.Value * Math.Pow(2, -(t - r.Time) / HalfLife);

    public double Reputation(BigInteger agentId, int dimension, long t) =>
        _reputation.TryGetValue((agentId, dimension), out var r) ? Decayed(r, t) : 0;

    /// <summary>Reputation losses applied in full (the value was above the loss) and those clamped at 0.</summary>
    public (int Full, int Clamped) Losses { get; private set; }

    private void ChangeReputation(BigInteger agentId, int dimension, double delta, long t)
    {
        double now = Reputation(agentId, dimension, t);
        if (delta < 0)
        {
            Losses = -delta < now ? (Losses.Full + 1, Losses.Clamped) : (Losses.Full, Losses.Clamped + 1);
        }

        double next = delta >= 0 ? now + delta : (-delta < now ? now + delta : 0);
        _reputation[(agentId, dimension)] = (next, t);
    }

    /// <summary>TaskMarket.effectivePrice: reputation discounts a bid by at most 20% (half of it at 10 points).</summary>
    public static BigInteger EffectivePrice(BigInteger price, BigInteger rep)
    {
        BigInteger discountBps = 2_000 * rep / (rep + 10 * Point);
        return price * (Bps - discountBps) / Bps;
    }

    /// <summary>TaskVerification._noteCounterparty: an executor gains from one requester at most once in 7 days (three remembered).</summary>
    private bool NoteCounterparty(BigInteger executor, string requester, long t)
    {
        long today = t / Day;
        if (!_counterparties.TryGetValue(executor, out var recent))
        {
            recent = [("", 0), ("", 0), ("", 0)];
            _counterparties[executor] = recent;
        }

        int oldestIndex = 0;
        long oldestDay = long.MaxValue;
        for (int i = 0; i < recent.Count; i++)
        {
            if (recent[i].Requester == Key(requester) && today < recent[i].Day + 7)
            {
                return false;
            }

            if (recent[i].Day < oldestDay)
            {
                (oldestDay, oldestIndex) = (recent[i].Day, i);
            }
        }

        recent[oldestIndex] = (Key(requester), today);
        return true;
    }

    // ------------------------------------------------------------------ the task's life

    public void Submit(string requester, BigInteger bounty, BigInteger fee) => Move(requester, Market, bounty + fee);

    /// <summary>postResult after the bidding window assigns the task and pays the poster the assign reward.</summary>
    public void Assign(string poster, ModelParams p) => Credit(poster, p.KeeperReward);

    /// <summary>drawCommittee: each seat filled pays its filler.</summary>
    public void Draw(string keeper, int seatsFilled, ModelParams p) => Credit(keeper, seatsFilled * p.KeeperReward);

    /// <summary>The verdict of the revealed votes: 2/3 either way, Refunded with no vote, else Inconclusive.</summary>
    public static Outcome Verdict(IReadOnlyCollection<Vote> votes)
    {
        int approvals = votes.Count(v => v == Vote.Approve);
        int revealed = approvals + votes.Count(v => v == Vote.Reject);
        if (revealed == 0)
        {
            return Outcome.Refunded;
        }

        if (approvals * 3 >= revealed * 2)
        {
            return Outcome.Accepted;
        }

        return (revealed - approvals) * 3 >= revealed * 2 ? Outcome.Rejected : Outcome.Inconclusive;
    }

    /// <summary>
    /// settle(taskId, [], members) of a full committee, as one transaction at time <paramref name="t"/>: the verdict, the keeper's
    /// pay, the fee split, the executor's pay or the refund, the executor's reputation and slash, then every member's consequences.
    /// </summary>
    public Outcome Settle(ModelTask task, IReadOnlyList<(BigInteger AgentId, string Owner, Vote Vote)> members, string keeper, long t)
    {
        ModelParams p = task.Params;
        Outcome outcome = Verdict([.. members.Select(m => m.Vote)]);
        int approvals = members.Count(m => m.Vote == Vote.Approve);
        int revealed = approvals + members.Count(m => m.Vote == Vote.Reject);
        int aligned = outcome switch
        {
            Outcome.Accepted => approvals,
            Outcome.Rejected => revealed - approvals,
            Outcome.Inconclusive => revealed,
            _ => 0,
        };

        Credit(keeper, p.KeeperReward);
        int seats = members.Count;
        BigInteger rest = task.Fee - (2 + 2 * seats) * p.KeeperReward; // no seat claims in this scenario
        BigInteger perReviewer = aligned == 0 ? 0 : rest * p.ReviewerShareBps / Bps / aligned;
        BigInteger toProtocol = rest - perReviewer * aligned;
        BigInteger reviewerGain = 0;
        if (aligned != 0)
        {
            BigInteger g = toProtocol * ExecutorGainPerProtocolAcc / Point / aligned;
            reviewerGain = BigInteger.Min(g, ReviewerMaxGain) / GainUnit * GainUnit; // stored in units of 1e12
        }

        PendingProtocolFees += toProtocol;
        if (outcome == Outcome.Accepted)
        {
            Credit(task.ExecutorOwner, task.Price);
            Credit(task.Requester, task.Bounty - task.Price);
            BigInteger gain = BigInteger.Min(toProtocol * ExecutorGainPerProtocolAcc / Point, ExecutorMaxGain);
            if (gain != 0 && NoteCounterparty(task.Executor, task.Requester, t))
            {
                ChangeReputation(task.Executor, 0, (double)gain, t);
            }
        }
        else
        {
            Credit(task.Requester, task.Bounty);
            if (outcome == Outcome.Rejected)
            {
                ChangeReputation(task.Executor, 0, -ExecutorRejectedLoss, t);
                Slash(task.Executor, p.RejectedSeverityBps);
            }
        }

        foreach ((BigInteger id, string owner, Vote vote) in members)
        {
            bool revealedVote = vote is Vote.Approve or Vote.Reject;
            bool isAligned = revealedVote && (outcome == Outcome.Inconclusive
                || (outcome != Outcome.Refunded && (vote == Vote.Approve) == (outcome == Outcome.Accepted)));
            if (isAligned)
            {
                Credit(owner, perReviewer);
                if (reviewerGain != 0)
                {
                    ChangeReputation(id, 1, (double)reviewerGain, t);
                }
            }
            else if (revealedVote)
            {
                ChangeReputation(id, 1, -ReviewerMisalignedLoss, t);
                Slash(id, p.MinoritySeverityBps);
            }
            else
            {
                ChangeReputation(id, 1, -ReviewerSilentLoss, t);
                Slash(id, p.NonRevealSeverityBps);
            }
        }

        Credit(keeper, seats * p.KeeperReward);
        return outcome;
    }

    /// <summary>flushProtocolFees: through the fee router, 50% burned, the rest to the validators' pool.</summary>
    public void FlushProtocolFees()
    {
        BigInteger burned = PendingProtocolFees * BurnShareBps / Bps;
        Balance[Market] = BalanceOf(Market) - PendingProtocolFees;
        Balance[RewardsPool] = BalanceOf(RewardsPool) + (PendingProtocolFees - burned);
        Burned += burned;
        PendingProtocolFees = 0;
    }

    /// <summary>withdrawEarnings: everything owed, from the market to the account.</summary>
    public BigInteger Withdraw(string account)
    {
        BigInteger amount = OwedTo(account);
        Owed.Remove(Key(account));
        Move(Market, account, amount);
        return amount;
    }
}

/// <summary>One task as the model sees it: who asked, for how much, who won and at what price.</summary>
internal sealed class ModelTask
{
    public required int Index { get; init; }

    public required string Requester { get; init; }

    public required BigInteger Bounty { get; init; }

    public required ModelParams Params { get; init; }

    public required bool GoodResult { get; init; }

    public BigInteger TaskId { get; set; }

    public BigInteger Fee { get; set; }

    public BigInteger Executor { get; set; }

    public string ExecutorOwner { get; set; } = "";

    public BigInteger Price { get; set; }

    public List<BigInteger> Members { get; } = [];
}
