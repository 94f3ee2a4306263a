using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using AgentCluster.Sdk.Networks;
using AgentCluster.Sdk.Tasks;

namespace AgentCluster.Swarm.Networks;

/// <summary>
/// What a chain-neutral swarm needs from the local network beside <see cref="IAgentClusterNetwork"/>, which is what users get and has
/// no localnet powers: a network per participant (its signer derived from the seed), funding (the chain's coin and ACC), an approved
/// attestor, and the clock. One implementation per chain (<see cref="EvmSwarmHost"/>; the Solana one in the CLI's localnet).
/// </summary>
public interface INetworkSwarmHost
{
    /// <summary>The chain.</summary>
    NetworkKind Kind { get; }

    /// <summary>The market's windows after the result (fixed by the chain's parameters): the clock is moved past each.</summary>
    NetworkSwarmWindows Windows { get; }

    /// <summary>A network whose signer is the participant named <paramref name="role"/> (e.g. <c>owner-3</c>): the same role and seed give the same account.</summary>
    Task<IAgentClusterNetwork> ConnectAsync(string role, CancellationToken cancellationToken);

    /// <summary>Gives the participant the chain's coin for fees and <paramref name="acc"/> ACC base units.</summary>
    Task FundAsync(IAgentClusterNetwork participant, BigInteger acc, CancellationToken cancellationToken);

    /// <summary>A key the protocol accepts as an attestor's (approved by the deployment's authority when needed).</summary>
    Task<NetworkKey> AttestorAsync(IAgentClusterNetwork network, CancellationToken cancellationToken);

    /// <summary>Moves the chain's clock forward by <paramref name="by"/> (the local node's own method).</summary>
    Task AdvanceClockAsync(TimeSpan by, CancellationToken cancellationToken);

    /// <summary>
    /// After the results are posted: lets the chain produce the blocks (or slots) the committee's seed is taken from (a later block's
    /// hash on EVM, where an automining node mines only on transactions; the next slot on Solana, which follows the wall clock).
    /// </summary>
    Task AfterResultsAsync(CancellationToken cancellationToken);
}

/// <summary>The market's windows after the result: the committee draw, commit and reveal.</summary>
/// <param name="Draw">The draw window (committees are seated in it; commits open after it).</param>
/// <param name="Commit">The commit window.</param>
/// <param name="Reveal">The reveal window.</param>
public sealed record NetworkSwarmWindows(TimeSpan Draw, TimeSpan Commit, TimeSpan Reveal);

/// <summary>The options of a <see cref="NetworkSwarm"/>.</summary>
public sealed record NetworkSwarmOptions
{
    /// <summary>Simulated agents (each with its own owner), 5..1000.</summary>
    public int Agents { get; init; } = 12;

    /// <summary>Tasks to submit in all (null: until cancelled or <see cref="UntilSettled"/>).</summary>
    public int? Tasks { get; init; }

    /// <summary>Stop after this many of the swarm's tasks are settled (null: never by itself).</summary>
    public int? UntilSettled { get; init; }

    /// <summary>The seed of every key and choice.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The bound of every wait on the keepers (assignment, seed, committee, settlement).</summary>
    public TimeSpan KeeperWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>ACC each owner gets beside its stake, for the registration bond and fee (whole ACC).</summary>
    public decimal OwnerAcc { get; init; } = 20_000m;

    /// <summary>Rounds in all at most (a bound for every loop; null: until the tasks or cancellation end it).</summary>
    public int? MaxRounds { get; init; }
}

/// <summary>
/// A simulated swarm written against <see cref="IAgentClusterNetwork"/> only, so that it drives either chain (docs/localnet.md, "As
/// built: Solana"): each agent has its own owner (a network of its own), a capability bit of one of three clusters and a behaviour
/// (the first 10% dishonest: a wrong result as executor, a vote against the truth as member; the next 10% lazy: alternately no commit
/// and no reveal; the rest honest). Requesters submit tasks in rounds; the three agents of the task's cluster that find it open bid;
/// the keepers (the chain's keeper service, run beside it) assign, fix the seed, draw the committee and settle; between the stages the
/// clock is moved past the market's windows through the host, and said. Every wait is bounded (<see cref="NetworkSwarmOptions.KeeperWait"/>)
/// and every loop by the options or cancellation.
/// </summary>
public sealed class NetworkSwarm : IAsyncDisposable
{
    private readonly INetworkSwarmHost _host;
    private readonly NetworkSwarmOptions _options;
    private readonly IProgress<string> _progress;
    private readonly List<SwarmParticipant> _agents = [];
    private readonly List<IAgentClusterNetwork> _requesters = [];
    private readonly List<TaskRef> _tasks = [];
    private readonly Dictionary<string, SwarmParticipant> _byAgent = new(StringComparer.Ordinal);
    private NetworkKey? _attestor;
    private bool _keepersSilent;
    private NetworkMarketTerms? _terms;
    private int _settled;

    private NetworkSwarm(INetworkSwarmHost host, NetworkSwarmOptions options, IProgress<string> progress)
    {
        _host = host;
        _options = options;
        _progress = progress;
    }

    /// <summary>The chain.</summary>
    public NetworkKind Kind => _host.Kind;

    /// <summary>The agents (their refs, owners and behaviours).</summary>
    public IReadOnlyList<NetworkSwarmAgent> Agents => [.. _agents.Select(a => new NetworkSwarmAgent(a.Agent, a.Network.Account, a.Behaviour))];

    /// <summary>The tasks the swarm submitted, in order.</summary>
    public IReadOnlyList<TaskRef> TaskRefs => [.. _tasks];

    /// <summary>Tasks submitted.</summary>
    public int Submitted => _tasks.Count;

    /// <summary>Tasks of the swarm seen settled (the report reads the chain; this is a cross-check).</summary>
    public int Settled => Volatile.Read(ref _settled);

    /// <summary>Rounds started.</summary>
    public int Round { get; private set; }

    /// <summary>The accounts of the swarm (owners and requesters).</summary>
    public IReadOnlyList<string> Accounts => [.. _agents.Select(a => a.Network.Account).Concat(_requesters.Select(r => r.Account))];

    /// <summary>
    /// Sets the swarm up: connects the participants, funds them, registers, attests and stakes every agent (said on <paramref name="progress"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Agents outside 5..1000, or Tasks / UntilSettled below 1.</exception>
    public static async Task<NetworkSwarm> StartAsync(INetworkSwarmHost host, NetworkSwarmOptions options, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        if (options.Agents is < 5 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Agents must be 5..1000 (a committee of 3 besides the executor); got {options.Agents}.");
        }

        if (options.Tasks is < 1 || options.UntilSettled is < 1 || options.MaxRounds is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Tasks, UntilSettled and MaxRounds must be at least 1 when given.");
        }

        var swarm = new NetworkSwarm(host, options, progress);
        try
        {
            await swarm.SetUpAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await swarm.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return swarm;
    }

    private string Chain => _host.Kind == NetworkKind.Solana ? "solana" : "evm";

    private void Say(string line) => _progress.Report($"{Chain} swarm: {line}");

    private async Task SetUpAsync(CancellationToken ct)
    {
        int requesters = Math.Max(2, _options.Agents / 10);
        for (int r = 0; r < requesters; r++)
        {
            IAgentClusterNetwork net = await _host.ConnectAsync($"requester-{r}", ct).ConfigureAwait(false);
            _requesters.Add(net);
            await _host.FundAsync(net, net.Acc(200_000m), ct).ConfigureAwait(false);
        }

        _terms = await _requesters[0].Tasks.GetTermsAsync(ct).ConfigureAwait(false);
        _attestor = await _host.AttestorAsync(_requesters[0], ct).ConfigureAwait(false);
        BigInteger stake = BigInteger.Max(_terms.MinStake * 2, _requesters[0].Acc(1_000m));
        int dishonest = Math.Max(1, _options.Agents / 10), lazy = Math.Max(1, _options.Agents / 10);
        for (int i = 0; i < _options.Agents; i++)
        {
            IAgentClusterNetwork net = await _host.ConnectAsync($"owner-{i}", ct).ConfigureAwait(false);
            // Beside the stake: the registration bond and fee (10,100 ACC on Base's defaults) and room to spare.
            await _host.FundAsync(net, stake + net.Acc(_options.OwnerAcc), ct).ConfigureAwait(false);
            Behaviour behaviour = i < dishonest ? Behaviour.Dishonest : i < dishonest + lazy ? (i % 2 == 0 ? Behaviour.Silent : Behaviour.Unrevealed) : Behaviour.Honest;
            ulong capabilities = 1UL << (i % 3);
            NetworkKey key = net.Agents.NewKey();
            AgentRef agent = await net.Agents.RegisterAsync(key, capabilities, $"ipfs://agentcluster-swarm/{_options.Seed}/agent-{i}.json", ct).ConfigureAwait(false);
            var participant = new SwarmParticipant(i, net, agent, behaviour, capabilities);
            _agents.Add(participant);
            _byAgent[agent.Value] = participant;
            await AttestAsync(participant, ct).ConfigureAwait(false);
            await net.Staking.StakeAsync(agent, stake, ct).ConfigureAwait(false);
            if ((i + 1) % 5 == 0 || i + 1 == _options.Agents)
            {
                Say($"agents registered, attested and staked {i + 1}/{_options.Agents}");
            }
        }
    }

    private async Task AttestAsync(SwarmParticipant p, CancellationToken ct)
    {
        DateTimeOffset now = await p.Network.ChainTimeAsync(ct).ConfigureAwait(false);
        DateTimeOffset expires = now.AddDays(29);
        await p.Network.Agents.AttestAsync(p.Agent, new NetworkAttestation(SHA256.HashData("agentcluster-swarm/enclave"u8), 8, 16_384, 100, expires), _attestor!, ct)
            .ConfigureAwait(false);
        p.AttestedUntil = expires;
    }

    /// <summary>Runs rounds until the tasks are submitted and settled, <see cref="NetworkSwarmOptions.UntilSettled"/> is reached, or cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int perRound = Math.Max(1, _options.Agents / 5);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (_options.UntilSettled is { } until && Settled >= until)
                {
                    Say($"{Settled} tasks settled (--until-settled {until}): done");
                    return;
                }

                int left = _options.Tasks is { } total ? total - _tasks.Count : perRound;
                if (left <= 0 || (_options.MaxRounds is { } maxRounds && Round >= maxRounds))
                {
                    Say($"all {_tasks.Count} tasks submitted and their rounds run: done");
                    return;
                }

                Round++;
                await RoundAsync(Math.Min(perRound, left), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Say($"stopped in round {Round}");
        }
    }

    private async Task RoundAsync(int count, CancellationToken ct)
    {
        NetworkMarketTerms terms = _terms!;
        IAgentClusterNetwork anyNet = _requesters[0];
        DateTimeOffset now = await anyNet.ChainTimeAsync(ct).ConfigureAwait(false);
        foreach (SwarmParticipant p in _agents.Where(a => a.AttestedUntil < now.AddDays(5)))
        {
            await AttestAsync(p, ct).ConfigureAwait(false);
        }

        // Submit.
        var round = new List<(TaskRef Task, IAgentClusterNetwork Requester, ulong Capabilities, int Index)>();
        TimeSpan toDeadline = terms.BiddingWindow + TimeSpan.FromHours(6) < terms.MaxTaskDuration ? terms.BiddingWindow + TimeSpan.FromHours(6) : terms.MaxTaskDuration;
        for (int k = 0; k < count; k++)
        {
            int index = _tasks.Count;
            IAgentClusterNetwork requester = _requesters[index % _requesters.Count];
            ulong capabilities = 1UL << (index % 3);
            TaskRef task = await requester.Tasks.SubmitAsync(new NetworkTaskSubmission
            {
                RequirementsHash = Hash($"agentcluster-swarm/{_options.Seed}/task-{index}/requirements"),
                Capabilities = capabilities,
                Bounty = requester.Acc(100m),
                Deadline = now + toDeadline,
            }, ct).ConfigureAwait(false);
            _tasks.Add(task);
            round.Add((task, requester, capabilities, index));
        }

        Say($"round {Round}: {round.Count} tasks submitted ({_tasks.Count} in all)");

        // Bid: the first three agents of the task's cluster (rotating) that find it open.
        int bids = 0;
        foreach ((TaskRef task, _, ulong capabilities, int index) in round)
        {
            SwarmParticipant[] cluster = [.. _agents.Where(a => a.Capabilities == capabilities)];
            for (int b = 0; b < Math.Min(3, cluster.Length); b++)
            {
                SwarmParticipant bidder = cluster[(index + b) % cluster.Length];
                IReadOnlyList<NetworkTask> open = await bidder.Network.Tasks.FindOpenAsync(bidder.Capabilities, ct).ConfigureAwait(false);
                if (open.FirstOrDefault(t => t.Task == task) is not { } found)
                {
                    continue;
                }

                // Each bid better than the one before (Solana keeps only the best bid and refuses one that is not better).
                BigInteger price = found.Bounty * (95 - 5 * b) / 100;
                await bidder.Network.Tasks.BidAsync(task, bidder.Agent, price, ct).ConfigureAwait(false);
                bids++;
            }
        }

        Say($"round {Round}: {bids} bids");
        await AdvanceAsync(terms.BiddingWindow + TimeSpan.FromSeconds(1), "the bidding window", ct).ConfigureAwait(false);

        // The keepers assign; the executor posts its result (a wrong one when dishonest).
        _keepersSilent = false;
        var working = new List<(TaskRef Task, NetworkTask Info)>();
        foreach ((TaskRef task, IAgentClusterNetwork requester, _, int index) in round)
        {
            NetworkTask? assigned = await WaitForAsync(requester, task, t => t.Status != MarketTaskStatus.Bidding, "assign", ct).ConfigureAwait(false);
            if (assigned is not { Status: MarketTaskStatus.Assigned, Executor: { } executor } || !_byAgent.TryGetValue(executor.Value, out SwarmParticipant? worker))
            {
                continue;
            }

            bool wrong = worker.Behaviour == Behaviour.Dishonest;
            byte[] result = Hash($"agentcluster-swarm/{_options.Seed}/task-{index}/result{(wrong ? "/wrong" : "")}");
            await worker.Network.Tasks.PostResultAsync(task, worker.Agent, result, $"ipfs://agentcluster-swarm/{_options.Seed}/task-{index}/result.json", ct)
                .ConfigureAwait(false);
            working.Add((task, assigned with { ResultHash = result }));
        }

        Say($"round {Round}: {working.Count} tasks assigned and executed");
        await _host.AfterResultsAsync(ct).ConfigureAwait(false);

        // The keepers fix the seed and draw the committee; then the draw window passes and the members commit.
        _keepersSilent = false;
        var reviewed = new List<(TaskRef Task, IReadOnlyList<AgentRef> Committee, bool Truth)>();
        foreach ((TaskRef task, NetworkTask info) in working)
        {
            IReadOnlyList<AgentRef> committee = [];
            bool full = await WaitAsync(async () =>
            {
                committee = await anyNet.Reviews.GetCommitteeAsync(task, ct).ConfigureAwait(false);
                return committee.Count >= info.CommitteeSize;
            }, $"seat the committee of task {task}", ct).ConfigureAwait(false);
            if (full)
            {
                bool truth = _byAgent.TryGetValue(info.Executor!.Value.Value, out SwarmParticipant? ex) && ex.Behaviour != Behaviour.Dishonest;
                reviewed.Add((task, committee, truth));
            }
        }

        if (reviewed.Count == 0)
        {
            // Tasks nobody was assigned to or seated for are still settled by the keepers (refunded); silent keepers stay silent.
            Say($"round {Round}: no committee seated");
            await SettleAsync(round.Select(r => (r.Task, r.Requester)), ct, keepersSilent: working.Count == 0 && _keepersSilent).ConfigureAwait(false);
            return;
        }

        await AdvanceAsync(_host.Windows.Draw + TimeSpan.FromSeconds(1), "the draw window", ct).ConfigureAwait(false);
        int commits = 0, reveals = 0;
        foreach ((TaskRef task, IReadOnlyList<AgentRef> committee, bool truth) in reviewed)
        {
            foreach (AgentRef member in committee)
            {
                if (_byAgent.TryGetValue(member.Value, out SwarmParticipant? m) && m.Behaviour != Behaviour.Silent)
                {
                    await m.Network.Reviews.CommitAsync(task, member, m.Behaviour == Behaviour.Dishonest ? !truth : truth, ct).ConfigureAwait(false);
                    commits++;
                }
            }
        }

        await AdvanceAsync(_host.Windows.Commit + TimeSpan.FromSeconds(1), "the commit window", ct).ConfigureAwait(false);
        foreach ((TaskRef task, IReadOnlyList<AgentRef> committee, _) in reviewed)
        {
            foreach (AgentRef member in committee)
            {
                if (_byAgent.TryGetValue(member.Value, out SwarmParticipant? m) && m.Behaviour is not (Behaviour.Silent or Behaviour.Unrevealed))
                {
                    await m.Network.Reviews.RevealAsync(task, member, ct).ConfigureAwait(false);
                    reveals++;
                }
            }
        }

        Say($"round {Round}: {commits} votes committed, {reveals} revealed");
        await AdvanceAsync(_host.Windows.Reveal + TimeSpan.FromSeconds(1), "the reveal window", ct).ConfigureAwait(false);
        await SettleAsync(round.Select(r => (r.Task, r.Requester)), ct).ConfigureAwait(false);
    }

    private async Task SettleAsync(IEnumerable<(TaskRef Task, IAgentClusterNetwork Requester)> tasks, CancellationToken ct, bool keepersSilent = false)
    {
        _keepersSilent = keepersSilent;
        var outcomes = new List<string>();
        foreach ((TaskRef task, IAgentClusterNetwork requester) in tasks)
        {
            NetworkTask? t = await WaitForAsync(requester, task, x => x.Stage == TaskStage.Settled, "settle", ct).ConfigureAwait(false);
            if (t is { Stage: TaskStage.Settled })
            {
                Interlocked.Increment(ref _settled);
                outcomes.Add(t.Status.ToString());
            }
        }

        Say($"round {Round}: {outcomes.Count} settled ({string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key} {g.Count()}"))}); {Settled} in all");
    }

    private async Task AdvanceAsync(TimeSpan by, string what, CancellationToken ct)
    {
        await _host.AdvanceClockAsync(by, ct).ConfigureAwait(false);
        Say($"round {Round}: the clock moved {by:hh\\:mm\\:ss} past {what}");
    }

    private async Task<NetworkTask?> WaitForAsync(IAgentClusterNetwork net, TaskRef task, Func<NetworkTask, bool> done, string what, CancellationToken ct)
    {
        NetworkTask? last = null;
        await WaitAsync(async () =>
        {
            last = await net.Tasks.GetAsync(task, ct).ConfigureAwait(false);
            return done(last);
        }, $"{what} task {task}", ct).ConfigureAwait(false);
        return last;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> every 250 ms up to <see cref="NetworkSwarmOptions.KeeperWait"/>; false (and said) when it expires.
    /// Once a wait has expired in a stage, the stage's other waits are 2 s (keepers that did not act on one task are not waited for on each).
    /// </summary>
    private async Task<bool> WaitAsync(Func<Task<bool>> condition, string what, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(_keepersSilent ? TimeSpan.FromSeconds(2) : _options.KeeperWait);
        try
        {
            while (true)
            {
                if (await condition().ConfigureAwait(false))
                {
                    return true;
                }

                await Task.Delay(250, bound.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Say($"round {Round}: the keepers did not {what} within {(_keepersSilent ? 2 : _options.KeeperWait.TotalSeconds):F0} s");
            _keepersSilent = true;
            return false;
        }
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (IAgentClusterNetwork net in _agents.Select(a => a.Network).Concat(_requesters))
        {
            await net.DisposeAsync().ConfigureAwait(false);
        }

        _agents.Clear();
        _requesters.Clear();
    }

    private sealed class SwarmParticipant(int index, IAgentClusterNetwork network, AgentRef agent, Behaviour behaviour, ulong capabilities)
    {
        public int Index { get; } = index;

        public IAgentClusterNetwork Network { get; } = network;

        public AgentRef Agent { get; } = agent;

        public Behaviour Behaviour { get; } = behaviour;

        public ulong Capabilities { get; } = capabilities;

        public DateTimeOffset AttestedUntil { get; set; }
    }
}

/// <summary>An agent of a <see cref="NetworkSwarm"/>.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="Owner">Its owner's address.</param>
/// <param name="Behaviour">How it behaves.</param>
public sealed record NetworkSwarmAgent(AgentRef Agent, string Owner, Behaviour Behaviour);
