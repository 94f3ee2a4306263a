using System.Numerics;
using AgentCluster.Keepers.Indexing;

namespace AgentCluster.Dashboard;

/// <summary>One network health sample: every series' value at one state of the index.</summary>
/// <param name="At">When it was taken (wall clock).</param>
/// <param name="Block">The index's newest block with an event.</param>
/// <param name="Values">Series name to value (<see cref="HealthSeries"/> names).</param>
public sealed record HealthSample(DateTimeOffset At, ulong? Block, IReadOnlyDictionary<string, double> Values);

/// <summary>
/// The network health series, computed from the indexed events only (a <see cref="NetworkSnapshot"/>):
/// <list type="bullet">
/// <item><see cref="EventsPerMinute"/>, <see cref="TransactionsPerMinute"/>: suite events / distinct transactions with one, in the last 60 s
/// of block time before the newest indexed block (transaction throughput).</item>
/// <item><see cref="TaskCompletionSeconds"/>: mean block-time from <c>TaskSubmitted</c> to <c>TaskSettled</c> of the last 50 settled tasks (0: none).</item>
/// <item><see cref="Fragmentation"/>: 1 − (largest connected component ÷ nodes) of the collaboration graph, whose nodes are the agents and the
/// requesters and whose edges are requester→executor and reviewer→executor; 0 = one connected network (or no node), near 1 = all apart.</item>
/// <item><see cref="ReputationGini"/>: the Gini coefficient of the agents' total reputation (0 = equal, near 1 = concentrated; 0 with no reputation).</item>
/// <item><see cref="BurnToEmission"/>: fees burned ÷ emissions released (0 with no emission); <see cref="FeesBurnedAcc"/>,
/// <see cref="EmissionsAcc"/>, <see cref="EscrowAcc"/> in ACC.</item>
/// <item><see cref="Utilisation"/>: share of agents executing or reviewing an unsettled task.</item>
/// </list>
/// </summary>
public static class HealthSeries
{
    /// <summary>Series name.</summary>
    public const string EventsPerMinute = "events_per_minute";

    /// <summary>Series name.</summary>
    public const string TransactionsPerMinute = "transactions_per_minute";

    /// <summary>Series name.</summary>
    public const string TaskCompletionSeconds = "task_completion_seconds";

    /// <summary>Series name.</summary>
    public const string Fragmentation = "fragmentation";

    /// <summary>Series name.</summary>
    public const string ReputationGini = "reputation_gini";

    /// <summary>Series name.</summary>
    public const string FeesBurnedAcc = "fees_burned_acc";

    /// <summary>Series name.</summary>
    public const string EmissionsAcc = "emissions_acc";

    /// <summary>Series name.</summary>
    public const string BurnToEmission = "burn_to_emission";

    /// <summary>Series name.</summary>
    public const string EscrowAcc = "escrow_acc";

    /// <summary>Series name.</summary>
    public const string Utilisation = "utilisation";

    /// <summary>Every series, in display order.</summary>
    public static readonly IReadOnlyList<string> All =
        [EventsPerMinute, TransactionsPerMinute, TaskCompletionSeconds, Fragmentation, ReputationGini, FeesBurnedAcc, EmissionsAcc, BurnToEmission, EscrowAcc, Utilisation];

    private static readonly BigInteger Wei = BigInteger.Pow(10, 18);

    /// <summary>Every series' value for <paramref name="snapshot"/>.</summary>
    public static HealthSample Compute(NetworkSnapshot snapshot, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        (double events, double txs) = Throughput(snapshot.Activity, TimeSpan.FromMinutes(1));
        var values = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [EventsPerMinute] = events,
            [TransactionsPerMinute] = txs,
            [TaskCompletionSeconds] = MeanCompletionSeconds(snapshot.Tasks, 50),
            [Fragmentation] = FragmentationIndex(
                snapshot.Agents.Select(a => a.AgentId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Concat(snapshot.Tasks.Select(t => t.Requester)),
                snapshot.Edges.Select(e => (e.From, e.To))),
            [ReputationGini] = Gini(snapshot.Agents.Select(a => (double)a.Reputation.Total)), // scale-free: raw units
            [FeesBurnedAcc] = Acc(snapshot.Economy.FeesBurned),
            [EmissionsAcc] = Acc(snapshot.Economy.EmissionsReleased),
            [BurnToEmission] = snapshot.Economy.EmissionsReleased.IsZero ? 0 : Acc(snapshot.Economy.FeesBurned) / Acc(snapshot.Economy.EmissionsReleased),
            [EscrowAcc] = Acc(snapshot.Economy.Escrow),
            [Utilisation] = UtilisationOf(snapshot),
        };
        return new HealthSample(at, snapshot.Head.LastLog?.Block, values);
    }

    /// <summary>Events and distinct transactions per minute over the <paramref name="window"/> of block time ending at the newest block.</summary>
    public static (double Events, double Transactions) Throughput(IReadOnlyList<BlockActivity> activity, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(activity);
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive.");
        }

        DateTimeOffset? newest = activity.Where(b => b.Time is not null).Select(b => b.Time).Max();
        if (newest is null)
        {
            return (0, 0);
        }

        DateTimeOffset from = newest.Value - window;
        BlockActivity[] inWindow = [.. activity.Where(b => b.Time is { } t && t > from)];
        double minutes = window.TotalMinutes;
        return (inWindow.Sum(b => b.Events) / minutes, inWindow.Sum(b => b.Transactions) / minutes);
    }

    /// <summary>Mean seconds from submission to settlement of the newest <paramref name="last"/> settled tasks (0: none settled).</summary>
    public static double MeanCompletionSeconds(IReadOnlyList<NetworkTask> tasks, int last)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        double[] durations = [.. tasks.Where(t => t.Stages is { Submitted: not null, Settled: not null })
            .OrderBy(t => t.Stages.Settled).TakeLast(last)
            .Select(t => (t.Stages.Settled!.Value - t.Stages.Submitted!.Value).TotalSeconds)];
        return durations.Length == 0 ? 0 : durations.Average();
    }

    /// <summary>1 − largest connected component ÷ node count (0 for no node). Edge ends that are not in <paramref name="nodes"/> are added.</summary>
    public static double FragmentationIndex(IEnumerable<string> nodes, IEnumerable<(string From, string To)> edges)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(edges);
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        string Find(string x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }

            return x;
        }

        void Add(string x) => parent.TryAdd(x, x);
        foreach (string n in nodes)
        {
            Add(n);
        }

        foreach ((string from, string to) in edges)
        {
            Add(from);
            Add(to);
            string a = Find(from), b = Find(to);
            if (a != b)
            {
                parent[a] = b;
            }
        }

        if (parent.Count == 0)
        {
            return 0;
        }

        int largest = parent.Keys.GroupBy(Find, StringComparer.Ordinal).Max(g => g.Count());
        return 1 - (double)largest / parent.Count;
    }

    /// <summary>The Gini coefficient of non-negative values (0 for none, or all zero).</summary>
    /// <exception cref="ArgumentException">A negative or non-finite value.</exception>
    public static double Gini(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] v = [.. values.Order()];
        if (v.Any(x => x < 0 || !double.IsFinite(x)))
        {
            throw new ArgumentException("Gini needs finite, non-negative values.", nameof(values));
        }

        double sum = v.Sum();
        if (v.Length == 0 || sum == 0)
        {
            return 0;
        }

        // G = (2 Σ i·x_i) / (n Σ x) − (n + 1) / n, with x sorted ascending and i from 1.
        double weighted = 0;
        for (int i = 0; i < v.Length; i++)
        {
            weighted += (i + 1) * v[i];
        }

        return 2 * weighted / (v.Length * sum) - (v.Length + 1.0) / v.Length;
    }

    private static double UtilisationOf(NetworkSnapshot snapshot)
    {
        if (snapshot.Agents.Count == 0)
        {
            return 0;
        }

        var busy = new HashSet<BigInteger>();
        foreach (NetworkTask t in snapshot.Tasks.Where(t => t.Outcome is null))
        {
            if (t.Executor is { } e)
            {
                busy.Add(e);
            }

            busy.UnionWith(t.Committee);
        }

        return (double)snapshot.Agents.Count(a => busy.Contains(a.AgentId)) / snapshot.Agents.Count;
    }

    /// <summary>ACC wei as ACC (double: for charts and statistics only).</summary>
    internal static double Acc(BigInteger wei) => (double)(wei / BigInteger.Pow(10, 9)) / 1e9;
}
