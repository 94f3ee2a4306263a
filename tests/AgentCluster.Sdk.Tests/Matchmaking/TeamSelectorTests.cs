using System.Numerics;
using AgentCluster.Sdk.Matchmaking;

namespace AgentCluster.Sdk.Tests.Matchmaking;

public class TeamSelectorTests
{
    private static readonly DateTimeOffset Deadline = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TeamCandidate[] RandomCandidates(Random rng, int n) =>
        Enumerable.Range(0, n).Select(i => new TeamCandidate(
            AgentId: 100 + i,
            Similarity: 0.8 + 0.2 * rng.NextDouble(),
            Reputation: rng.NextDouble(),
            Price: rng.Next(1, 21),
            EstimatedCompletion: Deadline.AddHours(rng.NextDouble() < 0.15 ? 1 : -1),
            SuccessProbability: rng.NextDouble() < 0.3 ? rng.NextDouble() * 0.9 : null)).ToArray();

    /// <summary>Every subset, the constraints checked literally, P = 1 - prod(1 - p).</summary>
    private static (bool Feasible, double Ratio) BruteForce(TeamCandidate[] cs, TeamRequest r)
    {
        double best = -1;
        for (int mask = 1; mask < 1 << cs.Length; mask++)
        {
            double failure = 1;
            BigInteger cost = 0;
            int size = 0;
            bool ok = true;
            for (int i = 0; i < cs.Length && ok; i++)
            {
                if ((mask & (1 << i)) == 0)
                    continue;
                TeamCandidate c = cs[i];
                double p = Math.Min(c.SuccessProbability ?? TeamSelector.EstimateSuccessProbability(c.Similarity, c.Reputation, r.ReputationScale), TeamSelector.MaxMemberProbability);
                ok = c.Reputation >= r.MinReputation && c.Similarity >= r.SimilarityThreshold && c.EstimatedCompletion <= r.Deadline && p > 0;
                failure *= 1 - p;
                cost += c.Price;
                size++;
            }
            if (!ok || cost > r.Budget || (r.TeamSize is int m && size != m))
                continue;
            double pTeam = 1 - failure;
            if (r.RequiredSuccessProbability is double req && pTeam < req)
                continue;
            best = Math.Max(best, pTeam / (double)cost);
        }
        return (best >= 0, best);
    }

    [Test]
    public void Matches_brute_force_on_seeded_random_instances()
    {
        var rng = new Random(2026);
        int feasible = 0, infeasible = 0;
        for (int instance = 0; instance < 600; instance++)
        {
            int n = rng.Next(1, 11);
            TeamCandidate[] cs = RandomCandidates(rng, n);
            int mode = instance % 4;
            var request = new TeamRequest
            {
                Budget = rng.Next(0, 70),
                Deadline = Deadline,
                MinReputation = rng.NextDouble() * 0.3,
                TeamSize = mode is 1 or 3 ? rng.Next(1, 5) : null,
                RequiredSuccessProbability = mode is 2 or 3 ? 0.3 + 0.6 * rng.NextDouble() : null,
            };
            (bool ok, double ratio) = BruteForce(cs, request);
            TeamSelection s = TeamSelector.Select(cs, request);
            Assert.That(s.CostUnit, Is.EqualTo(BigInteger.One), "budgets below MaxCostUnits optimise over exact prices");
            Assert.That(s.IsFeasible, Is.EqualTo(ok), $"instance {instance}: feasibility ({s.Reason})");
            if (!ok)
            {
                infeasible++;
                Assert.That(s.Reason, Is.Not.Null.And.Not.Empty);
                Assert.That(s.Members, Is.Empty);
                continue;
            }
            feasible++;
            Assert.That(s.SuccessPerWei, Is.EqualTo(ratio).Within(1e-9 * ratio), $"instance {instance}: ratio");
            // The returned team itself satisfies every constraint.
            Assert.That(s.TotalCost, Is.LessThanOrEqualTo(request.Budget));
            Assert.That(s.TotalCost, Is.EqualTo(s.Members.Aggregate(BigInteger.Zero, (a, m) => a + m.Candidate.Price)));
            if (request.TeamSize is int size)
                Assert.That(s.Members, Has.Count.EqualTo(size));
            if (request.RequiredSuccessProbability is double req)
                Assert.That(s.SuccessProbability, Is.GreaterThanOrEqualTo(req));
            Assert.That(s.Members.All(m => m.Candidate.Reputation >= request.MinReputation && m.Candidate.EstimatedCompletion <= Deadline && m.Candidate.Similarity >= 0.85), Is.True);
            Assert.That(s.Members.Select(m => m.Candidate.AgentId).Distinct().Count(), Is.EqualTo(s.Members.Count));
        }
        Assert.That(feasible, Is.GreaterThan(100));
        Assert.That(infeasible, Is.GreaterThan(20));
    }

    [Test]
    public void Large_budgets_are_optimised_in_cost_units_and_never_exceed_the_budget()
    {
        var rng = new Random(7);
        BigInteger ether = BigInteger.Pow(10, 18);
        TeamCandidate[] cs = Enumerable.Range(0, 40).Select(i => new TeamCandidate(
            500 + i, 0.86 + 0.14 * rng.NextDouble(), 0.5 + 0.5 * rng.NextDouble(),
            ether * rng.Next(1, 100) / 7 + rng.Next(), Deadline.AddDays(-1))).ToArray();
        var request = new TeamRequest { Budget = ether * 30, Deadline = Deadline, TeamSize = 5 };
        TeamSelection s = TeamSelector.Select(cs, request);
        Assert.That(s.IsFeasible, Is.True);
        Assert.That(s.CostUnit, Is.EqualTo(ether * 30 / 10_000));
        Assert.That(s.Members, Has.Count.EqualTo(5));
        Assert.That(s.TotalCost, Is.LessThanOrEqualTo(request.Budget));
    }

    [Test]
    public void Without_a_size_or_target_the_best_ratio_is_one_agent()
    {
        // P is subadditive, so P(A u B) / (cA + cB) <= max of the parts: a single agent always wins.
        var rng = new Random(9);
        TeamCandidate[] cs = RandomCandidates(rng, 8);
        TeamSelection s = TeamSelector.Select(cs, new TeamRequest { Budget = 100, Deadline = Deadline });
        Assert.That(s.IsFeasible, Is.True);
        Assert.That(s.Members, Has.Count.EqualTo(1));
    }

    [Test]
    public void Success_probability_model_is_similarity_times_scaled_reputation()
    {
        Assert.That(TeamSelector.EstimateSuccessProbability(0.9, 0.5), Is.EqualTo(0.45).Within(1e-12));
        Assert.That(TeamSelector.EstimateSuccessProbability(0.9, 50, reputationScale: 100), Is.EqualTo(0.45).Within(1e-12));
        Assert.That(TeamSelector.EstimateSuccessProbability(1.0, 300, reputationScale: 100), Is.EqualTo(TeamSelector.MaxMemberProbability));
        Assert.That(TeamSelector.EstimateSuccessProbability(-0.5, 1), Is.Zero);
        Assert.That(Assert.Throws<ArgumentException>(() => TeamSelector.EstimateSuccessProbability(double.NaN, 1))!.Message, Does.Contain("Similarity"));
    }

    private static TeamCandidate Good(int id = 1) => new(id, 0.9, 0.9, 10, Deadline.AddDays(-1));

    private static TeamRequest Req(BigInteger? budget = null) => new() { Budget = budget ?? 100, Deadline = Deadline };

    [Test]
    public void Bad_input_is_refused_with_a_message_naming_it()
    {
        string Msg(IReadOnlyList<TeamCandidate> cs, TeamRequest r) => Assert.Throws<ArgumentException>(() => TeamSelector.Select(cs, r))!.Message;

        Assert.That(Msg([Good()], Req(-1)), Does.Contain("budget cannot be negative"));
        Assert.That(Msg([], Req()), Does.Contain("no candidates"));
        Assert.That(Msg([Good() with { Similarity = double.NaN }], Req()), Does.Contain("similarity").And.Contain("NaN"));
        Assert.That(Msg([Good() with { Reputation = double.NaN }], Req()), Does.Contain("reputation"));
        Assert.That(Msg([Good() with { Reputation = -1 }], Req()), Does.Contain("reputation"));
        Assert.That(Msg([Good() with { Price = 0 }], Req()), Does.Contain("price must be positive"));
        Assert.That(Msg([Good() with { SuccessProbability = 1.5 }], Req()), Does.Contain("success probability"));
        Assert.That(Msg([Good(), Good()], Req()), Does.Contain("appears twice"));
        Assert.That(Msg([Good(0)], Req()), Does.Contain("positive uint256"));
        Assert.That(Msg([Good()], Req() with { TeamSize = 0 }), Does.Contain("team size"));
        Assert.That(Msg([Good()], Req() with { RequiredSuccessProbability = 1.0 }), Does.Contain("(0, 1)"));
        Assert.That(Msg([Good()], Req() with { RequiredSuccessProbability = double.NaN }), Does.Contain("(0, 1)"));
        Assert.That(Msg([Good()], Req() with { MinReputation = double.NaN }), Does.Contain("minimum reputation"));
        Assert.That(Msg([Good()], Req() with { MaxCostUnits = 0 }), Does.Contain("MaxCostUnits"));
    }

    [Test]
    public void Infeasible_requests_say_why()
    {
        Assert.That(TeamSelector.Select([Good()], Req() with { MinReputation = 0.95 }).Reason, Does.Contain("No candidate meets"));
        Assert.That(TeamSelector.Select([Good() with { EstimatedCompletion = Deadline.AddSeconds(1) }], Req()).Reason, Does.Contain("No candidate meets"));
        Assert.That(TeamSelector.Select([Good(1), Good(2)], Req() with { TeamSize = 3 }).Reason, Does.Contain("only 2"));
        Assert.That(TeamSelector.Select([Good(1), Good(2)], Req(15) with { TeamSize = 2 }).Reason, Does.Contain("fits the budget"));
        Assert.That(TeamSelector.Select([Good(1), Good(2)], Req() with { RequiredSuccessProbability = 0.999 }).Reason, Does.Contain("0.999"));
        // Zero budget: nothing is affordable.
        Assert.That(TeamSelector.Select([Good()], Req(0)).IsFeasible, Is.False);
    }
}
