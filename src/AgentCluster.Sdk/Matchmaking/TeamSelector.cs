using System.Numerics;

namespace AgentCluster.Sdk.Matchmaking;

/// <summary>An agent that may join a team.</summary>
/// <param name="AgentId">The agent id (positive uint256, unique among the candidates).</param>
/// <param name="Similarity">Cosine similarity of the agent's capability vector to the task's, in [-1, 1] (e.g. from
/// <see cref="ICapabilityIndex.Search"/>).</param>
/// <param name="Reputation">The agent's reputation, 0 or more, in the scale of <see cref="TeamRequest.ReputationScale"/> and
/// <see cref="TeamRequest.MinReputation"/> (e.g. the on-chain value in points: 1e18 fixed point divided by 1e18).</param>
/// <param name="Price">What the agent asks, in wei (positive).</param>
/// <param name="EstimatedCompletion">When the agent would finish the task.</param>
/// <param name="SuccessProbability">The agent's probability of succeeding, in [0, 1], when the caller knows better than
/// <see cref="TeamSelector.EstimateSuccessProbability"/>; null to derive it.</param>
public sealed record TeamCandidate(
    BigInteger AgentId,
    double Similarity,
    double Reputation,
    BigInteger Price,
    DateTimeOffset EstimatedCompletion,
    double? SuccessProbability = null);

/// <summary>The constraints of a team selection.</summary>
public sealed record TeamRequest
{
    /// <summary>The most the team may cost, in wei (0 or more).</summary>
    public required BigInteger Budget { get; init; }

    /// <summary>Every member must finish by then.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>The exact number of members, or null for any size.</summary>
    public int? TeamSize { get; init; }

    /// <summary>The least team success probability accepted, in (0, 1), or null for none.</summary>
    public double? RequiredSuccessProbability { get; init; }

    /// <summary>The least reputation a member must have (0 by default).</summary>
    public double MinReputation { get; init; }

    /// <summary>The reputation that counts as full trust in the success estimate (1 by default, must be positive).</summary>
    public double ReputationScale { get; init; } = 1.0;

    /// <summary>The least capability similarity a member must have (0.85 by default).</summary>
    public double SimilarityThreshold { get; init; } = ICapabilityIndex.DefaultThreshold;

    /// <summary>The number of cost units the budget is divided into for the dynamic programme (10,000 by default, 1 to
    /// 1,000,000). Prices are rounded up to whole units of <c>ceil(Budget / MaxCostUnits)</c> wei; see
    /// docs/sdk-matchmaking.md for what this costs in optimality.</summary>
    public int MaxCostUnits { get; init; } = 10_000;
}

/// <summary>A chosen member and the success probability used for it.</summary>
/// <param name="Candidate">The candidate.</param>
/// <param name="SuccessProbability">Its success probability p_i.</param>
public sealed record TeamMember(TeamCandidate Candidate, double SuccessProbability);

/// <summary>The outcome of a team selection.</summary>
/// <param name="IsFeasible">Whether a team satisfies every constraint.</param>
/// <param name="Members">The team (empty when infeasible), in candidate order.</param>
/// <param name="SuccessProbability">P(team) = 1 - prod(1 - p_i): the probability that at least one member succeeds.</param>
/// <param name="TotalCost">The sum of the members' prices, in wei (at most the budget).</param>
/// <param name="CostUnit">The rounding unit used, in wei (1 means the optimisation was over exact prices).</param>
/// <param name="Reason">Why no team is feasible, or null.</param>
public sealed record TeamSelection(
    bool IsFeasible,
    IReadOnlyList<TeamMember> Members,
    double SuccessProbability,
    BigInteger TotalCost,
    BigInteger CostUnit,
    string? Reason)
{
    /// <summary>SuccessProbability / TotalCost (per wei), the quantity maximised; 0 when infeasible.</summary>
    public double SuccessPerWei => IsFeasible && TotalCost > 0 ? SuccessProbability / (double)TotalCost : 0;
}

/// <summary>
/// Team selection for a task: choose the team that maximises its success probability per unit cost,
/// P(T) / C(T), with P(T) = 1 - prod_{i in T} (1 - p_i) (the task succeeds if at least one member succeeds; members fail
/// independently), subject to C(T) &lt;= budget, every member's reputation &gt;= the minimum, similarity &gt;= the threshold and
/// completion &lt;= the deadline, and |T| = the team size and/or P(T) &gt;= the required probability when given.
/// Exact dynamic programme over cost units: O(n * (m+1) * U) time, O(n * (m+1) * U) bits for reconstruction (n candidates,
/// m the team size or 1, U cost units). docs/sdk-matchmaking.md states the algorithm and its guarantee.
/// </summary>
public static class TeamSelector
{
    /// <summary>Success probabilities are capped here so that -ln(1 - p) stays finite.</summary>
    public const double MaxMemberProbability = 0.999999;

    private const long MaxTableBits = 400_000_000; // 50 MB of reconstruction bits

    /// <summary>
    /// The documented success model: p = clamp(similarity, 0, 1) x min(1, reputation / reputationScale), capped at
    /// <see cref="MaxMemberProbability"/>. Similarity says how well the agent's capabilities fit the task; reputation how
    /// often it delivered what it took on.
    /// </summary>
    /// <param name="similarity">Cosine similarity in [-1, 1].</param>
    /// <param name="reputation">Reputation, 0 or more.</param>
    /// <param name="reputationScale">The reputation counted as full trust (positive).</param>
    /// <exception cref="ArgumentException">An argument is NaN, infinite or out of range.</exception>
    public static double EstimateSuccessProbability(double similarity, double reputation, double reputationScale = 1.0)
    {
        if (!double.IsFinite(similarity) || similarity < -1 || similarity > 1)
            throw new ArgumentException($"Similarity must be a number in [-1, 1]; got {similarity}.", nameof(similarity));
        if (!double.IsFinite(reputation) || reputation < 0)
            throw new ArgumentException($"Reputation must be a finite number, 0 or more; got {reputation}.", nameof(reputation));
        if (!double.IsFinite(reputationScale) || reputationScale <= 0)
            throw new ArgumentException($"The reputation scale must be a positive finite number; got {reputationScale}.", nameof(reputationScale));
        double p = Math.Clamp(similarity, 0, 1) * Math.Min(1, reputation / reputationScale);
        return Math.Min(p, MaxMemberProbability);
    }

    /// <summary>Chooses the team (see the class remarks). Validates everything before computing.</summary>
    /// <param name="candidates">The candidates (at least one).</param>
    /// <param name="request">The constraints.</param>
    /// <returns>The best team, or an infeasible selection saying why there is none.</returns>
    /// <exception cref="ArgumentException">A candidate or the request is invalid; the message names the field.</exception>
    public static TeamSelection Select(IReadOnlyList<TeamCandidate> candidates, TeamRequest request)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(request);
        ValidateRequest(request);
        if (candidates.Count == 0)
            throw new ArgumentException("There are no candidates to choose a team from.", nameof(candidates));
        var seen = new HashSet<BigInteger>();
        for (int i = 0; i < candidates.Count; i++)
        {
            TeamCandidate c = candidates[i] ?? throw new ArgumentException($"Candidate {i} is null.", nameof(candidates));
            CapabilityRegistrationFile.ValidateAgentId(c.AgentId, $"{nameof(candidates)}[{i}].{nameof(TeamCandidate.AgentId)}");
            if (!seen.Add(c.AgentId))
                throw new ArgumentException($"Candidate {i}: agent {c.AgentId} appears twice.", nameof(candidates));
            if (!double.IsFinite(c.Similarity) || c.Similarity < -1 || c.Similarity > 1)
                throw new ArgumentException($"Candidate {i} (agent {c.AgentId}): similarity must be a number in [-1, 1]; got {c.Similarity}.", nameof(candidates));
            if (!double.IsFinite(c.Reputation) || c.Reputation < 0)
                throw new ArgumentException($"Candidate {i} (agent {c.AgentId}): reputation must be a finite number, 0 or more; got {c.Reputation}.", nameof(candidates));
            if (c.Price <= 0)
                throw new ArgumentException($"Candidate {i} (agent {c.AgentId}): price must be positive (wei); got {c.Price}.", nameof(candidates));
            if (c.SuccessProbability is double p && (!double.IsFinite(p) || p < 0 || p > 1))
                throw new ArgumentException($"Candidate {i} (agent {c.AgentId}): success probability must be in [0, 1]; got {p}.", nameof(candidates));
        }

        BigInteger unit = BigInteger.Max(BigInteger.One, Ceil(request.Budget, request.MaxCostUnits));

        // Eligible candidates and their success probabilities.
        var eligible = new List<(int Index, double P)>();
        foreach ((TeamCandidate c, int i) in candidates.Select((c, i) => (c, i)))
        {
            if (c.Reputation < request.MinReputation || c.Similarity < request.SimilarityThreshold
                || c.EstimatedCompletion > request.Deadline || c.Price > request.Budget)
                continue;
            double p = Math.Min(c.SuccessProbability ?? EstimateSuccessProbability(c.Similarity, c.Reputation, request.ReputationScale), MaxMemberProbability);
            if (p <= 0)
                continue;
            eligible.Add((i, p));
        }
        int m = request.TeamSize ?? 0; // 0: any size
        if (eligible.Count == 0)
            return Infeasible(unit, "No candidate meets the reputation, similarity, deadline and price constraints.");
        if (m > eligible.Count)
            return Infeasible(unit, $"A team of {m} is required but only {eligible.Count} candidates meet the constraints.");

        int layers = m == 0 ? 1 : m + 1;
        // Keep the reconstruction table bounded: coarsen the unit if n * layers * U would exceed the cap.
        long maxUnitsByMemory = Math.Max(1, MaxTableBits / ((long)eligible.Count * layers) - 1);
        if ((BigInteger)maxUnitsByMemory < request.Budget / unit)
            unit = BigInteger.Max(unit, Ceil(request.Budget, maxUnitsByMemory));
        int units = (int)(request.Budget / unit);

        int n = eligible.Count;
        var cost = new int[n];
        var weight = new double[n];
        var keep = new List<int>();
        for (int j = 0; j < n; j++)
        {
            BigInteger cu = Ceil(candidates[eligible[j].Index].Price, unit);
            cost[j] = cu > units ? int.MaxValue : (int)cu;
            weight[j] = -Math.Log(1 - eligible[j].P);
        }

        // best[k][c]: the largest sum of -ln(1 - p_i) over teams of exactly k members (or of any size when m == 0, k = 0)
        // whose rounded cost is exactly c units; -inf when none.
        int width = units + 1;
        var best = new double[layers * width];
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0; // the empty team
        var take = new ulong[((long)n * layers * width + 63) / 64];
        for (int j = 0; j < n; j++)
        {
            if (cost[j] > units)
                continue;
            int kFrom = m == 0 ? 0 : Math.Min(j + 1, m);
            int kTo = m == 0 ? 0 : 1;
            for (int k = kFrom; k >= kTo; k--)
            {
                int src = m == 0 ? 0 : k - 1;
                for (int c = units; c >= cost[j]; c--)
                {
                    double from = best[src * width + c - cost[j]];
                    if (double.IsNegativeInfinity(from))
                        continue;
                    double candidate = from + weight[j];
                    if (candidate > best[k * width + c])
                    {
                        best[k * width + c] = candidate;
                        long bit = ((long)j * layers + k) * width + c;
                        take[bit >> 6] |= 1UL << (int)(bit & 63);
                    }
                }
            }
        }

        // Choose the cost maximising P / cost among those meeting the probability requirement.
        int finalLayer = m == 0 ? 0 : m;
        double required = request.RequiredSuccessProbability ?? 0;
        int bestC = -1;
        double bestRatio = -1, bestP = 0;
        for (int c = 1; c <= units; c++)
        {
            double w = best[finalLayer * width + c];
            if (double.IsNegativeInfinity(w))
                continue;
            double p = -double.ExpM1(-w);
            if (p < required)
                continue;
            double ratio = p / c;
            if (ratio > bestRatio || (ratio == bestRatio && p > bestP))
            {
                bestRatio = ratio;
                bestP = p;
                bestC = c;
            }
        }
        if (bestC < 0)
        {
            return Infeasible(unit, request.RequiredSuccessProbability is double rp
                ? $"No team within the budget{(m > 0 ? $" and of size {m}" : "")} reaches the required success probability {rp}."
                : $"No team of size {m} fits the budget.");
        }

        // Walk back through the take bits: the last item that improved a cell is the one its value came from.
        var chosen = new List<int>();
        int cc = bestC, kk = finalLayer;
        for (int j = n - 1; j >= 0 && cc > 0; j--)
        {
            long bit = ((long)j * layers + kk) * width + cc;
            if ((take[bit >> 6] & (1UL << (int)(bit & 63))) == 0)
                continue;
            chosen.Add(j);
            cc -= cost[j];
            if (m > 0)
                kk--;
        }
        chosen.Reverse();

        var members = chosen.Select(j => new TeamMember(candidates[eligible[j].Index], eligible[j].P)).ToList();
        double failure = 1;
        BigInteger total = BigInteger.Zero;
        foreach (TeamMember member in members)
        {
            failure *= 1 - member.SuccessProbability;
            total += member.Candidate.Price;
        }
        return new TeamSelection(true, members, 1 - failure, total, unit, null);
    }

    private static TeamSelection Infeasible(BigInteger unit, string reason) => new(false, [], 0, 0, unit, reason);

    private static BigInteger Ceil(BigInteger a, BigInteger b) => (a + b - 1) / b;

    private static void ValidateRequest(TeamRequest r)
    {
        if (r.Budget < 0)
            throw new ArgumentException($"The budget cannot be negative; got {r.Budget} wei.", nameof(r.Budget));
        if (r.TeamSize is int size && size < 1)
            throw new ArgumentException($"The team size must be at least 1; got {size}.", nameof(r.TeamSize));
        if (r.RequiredSuccessProbability is double p && (!double.IsFinite(p) || p <= 0 || p >= 1))
            throw new ArgumentException($"The required success probability must be in (0, 1); got {p}.", nameof(r.RequiredSuccessProbability));
        if (!double.IsFinite(r.MinReputation) || r.MinReputation < 0)
            throw new ArgumentException($"The minimum reputation must be a finite number, 0 or more; got {r.MinReputation}.", nameof(r.MinReputation));
        if (!double.IsFinite(r.ReputationScale) || r.ReputationScale <= 0)
            throw new ArgumentException($"The reputation scale must be a positive finite number; got {r.ReputationScale}.", nameof(r.ReputationScale));
        if (!double.IsFinite(r.SimilarityThreshold) || r.SimilarityThreshold < -1 || r.SimilarityThreshold > 1)
            throw new ArgumentException($"The similarity threshold must be in [-1, 1]; got {r.SimilarityThreshold}.", nameof(r.SimilarityThreshold));
        if (r.MaxCostUnits < 1 || r.MaxCostUnits > 1_000_000)
            throw new ArgumentException($"MaxCostUnits must be between 1 and 1,000,000; got {r.MaxCostUnits}.", nameof(r.MaxCostUnits));
    }
}
