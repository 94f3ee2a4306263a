using System.Numerics;
using System.Text;
using AgentCluster.Evm;
using AgentCluster.Evm.Signing;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Matchmaking;
using AgentCluster.Sdk.Reviews;
using AgentCluster.Sdk.Tasks;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Verification = AgentCluster.Evm.Bindings.ITaskMarket.ContractDefinition;

namespace AgentCluster.Swarm;

/// <summary>
/// A simulated swarm on a local chain: agents register, are attested, stake; requesters submit tasks with permits; agents whose
/// capabilities match bid; the keepers (run beside it) assign, draw committees and settle; executors post results; members commit and
/// reveal. Tasks run in rounds; between stages the swarm moves the chain's clock past the market's windows (hours long) with
/// <c>evm_setNextBlockTimestamp</c>. Every wait is bounded and cancellable; every key and choice comes from <see cref="SwarmOptions.Seed"/>.
/// </summary>
public sealed partial class SwarmRunner : IAsyncDisposable
{
    private static readonly BigInteger Acc = BigInteger.Pow(10, 18);
    private static readonly BigInteger StakeAmount = 5_000 * Acc;
    private const byte CommitteeSize = 10;
    private const int Clusters = 3;

    private readonly SwarmOptions _options;
    private readonly IProgress<string> _progress;
    private readonly Random _random;
    private readonly List<Actor> _actors = [];
    private readonly List<SimAgent> _agents = [];
    private readonly List<Actor> _requesters = [];
    private readonly List<BigInteger> _taskIds = [];
    private Actor _bank = null!;
    private readonly float[][] _centroids;
    private ICapabilityIndex? _index;
    private int _submitted;
    private int _settled;
    private int _round;
    private int _appeals;

    private SwarmRunner(SwarmOptions options, IProgress<string>? progress)
    {
        _options = options;
        _progress = progress ?? new Progress<string>();
        _random = new Random(options.Seed);
        _centroids = [.. Enumerable.Range(0, Clusters).Select(_ => Noise(1f))];
    }

    /// <summary>A capability vector near a cluster's centroid (the clusters the dashboard's graph shows, and what matchmaking routes by).</summary>
    private CapabilityVector VectorNear(int cluster)
    {
        float[] noise = Noise(0.25f);
        return CapabilityVector.FromValues([.. _centroids[cluster].Select((v, i) => v + noise[i])]);
    }

    private float[] Noise(float scale) => [.. Enumerable.Range(0, CapabilityVector.Dimensions).Select(_ => (float)(_random.NextDouble() * 2 - 1) * scale)];

    /// <summary>The block the swarm started at (before its first transaction).</summary>
    public BigInteger StartBlock { get; private set; }

    /// <summary>Every task the swarm submitted, in order.</summary>
    public IReadOnlyList<BigInteger> TaskIds { get { lock (_taskIds) { return [.. _taskIds]; } } }

    /// <summary>Tasks submitted so far (the swarm's own counter, a cross-check of the chain's).</summary>
    public int Submitted => Volatile.Read(ref _submitted);

    /// <summary>Tasks the swarm saw settled so far (read from the chain).</summary>
    public int Settled => Volatile.Read(ref _settled);

    /// <summary>Slashes the swarm appealed.</summary>
    public int Appeals => Volatile.Read(ref _appeals);

    /// <summary>Agents that were registered already when the swarm started (a resumed network): not registered, funded or staked again.</summary>
    public int AlreadyRegistered { get; private set; }

    /// <summary>Agents the swarm registered, attested and staked when it started.</summary>
    public int RegisteredNow { get; private set; }

    /// <summary>The current round (tasks run in rounds of up to a fifth of the agents).</summary>
    public int Round => Volatile.Read(ref _round);

    /// <summary>The simulated agents: id, owner, behaviour, capability cluster.</summary>
    public IReadOnlyList<(BigInteger AgentId, string Owner, Behaviour Behaviour, int Cluster)> Agents =>
        [.. _agents.Select(a => (a.Id, a.Owner.Address, a.Behaviour, a.Cluster))];

    /// <summary>Creates the swarm's accounts (keys from the seed), gives them ETH (anvil_setBalance) and ACC (through a bank funded once
    /// by <see cref="SwarmOptions.FundAsync"/>), then registers, attests and stakes every agent. Idempotent on a resumed network: agents
    /// already registered (read from the chain) are not funded, registered or staked again, their expired attestations are renewed with
    /// the next nonce, requesters are topped up, and the salt stores and journals in <see cref="SwarmOptions.WorkDirectory"/> are reopened.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static async Task<SwarmRunner> StartAsync(SwarmOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var swarm = new SwarmRunner(options, progress);
        try
        {
            await swarm.SetUpAsync(cancellationToken).ConfigureAwait(false);
            return swarm;
        }
        catch
        {
            await swarm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task SetUpAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_options.WorkDirectory);
        int dishonest = (int)Math.Round(_options.Agents * _options.DishonestShare);
        int lazy = (int)Math.Round(_options.Agents * _options.LazyShare);
        for (int i = 0; i < _options.Agents; i++)
        {
            Behaviour b = i < dishonest ? Behaviour.Dishonest : i < dishonest + lazy ? (i % 2 == 0 ? Behaviour.Silent : Behaviour.Unrevealed) : Behaviour.Honest;
            _agents.Add(new SimAgent
            {
                Index = i, Owner = NewActor($"owner/{i}"), Key = new Secp256k1Signer(KeyOf($"agent/{i}")), Behaviour = b, Cluster = i % Clusters,
                Vector = VectorNear(i % Clusters),
            });
        }

        int requesterCount = Math.Max(2, _options.Agents / 10);
        for (int r = 0; r < requesterCount; r++)
        {
            _requesters.Add(NewActor($"requester/{r}"));
        }

        _bank = NewActor("bank");
        foreach (Actor a in _actors)
        {
            a.Web3 = await AgentClusterWeb3.CreateAsync(_options.RpcUrl, a.PrivateKey, _options.ChainId, new DurableTransactionManagerOptions
            {
                JournalPath = Path.Combine(_options.WorkDirectory, $"journal-{a.Address}.db"),
                PollInterval = TimeSpan.FromMilliseconds(50),
            }, cancellationToken: ct).ConfigureAwait(false);
        }

        StartBlock = (await _bank.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().ConfigureAwait(false)).Value;
        foreach (Actor a in _actors)
        {
            await RpcAsync("anvil_setBalance", a.Address, "0x3635c9adc5dea00000").ConfigureAwait(false); // 1000 ETH for gas
            a.Client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = a.Web3, Manifest = _options.Manifest }, cancellationToken: ct).ConfigureAwait(false);
        }

        // A resumed network: what is done already is read from the chain (an agent's id is its key's address), not done again.
        SuiteContracts c = _bank.Client.Contracts;
        await Parallel.ForEachAsync(_agents, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (a, token) =>
        {
            a.Id = AgentsClient.AgentIdOf(a.Key.Address);
            if (await _bank.Client.Agents.GetStatusAsync(a.Id, token).ConfigureAwait(false) != AgentStatus.None)
            {
                AgentAttestation last = await _bank.Client.Agents.GetAttestationAsync(a.Id, token).ConfigureAwait(false);
                a.AttestationNonce = last.Nonce;
                a.AttestedUntil = last.Expires ?? DateTimeOffset.MinValue;
                a.Registered = true;
            }
        }).ConfigureAwait(false);
        List<SimAgent> unregistered = [.. _agents.Where(a => !a.Registered)];
        AlreadyRegistered = _agents.Count - unregistered.Count;
        if (AlreadyRegistered > 0)
        {
            _progress.Report($"{AlreadyRegistered} of {_agents.Count} agents are registered already (a resumed network): not registered again");
        }

        BigInteger bond = await c.Registry.BondQueryAsync().ConfigureAwait(false);
        BigInteger fee = await c.Registry.RegistrationFeeQueryAsync().ConfigureAwait(false);
        BigInteger perOwner = bond + fee + StakeAmount + 100 * Acc;
        BigInteger perRequester = 200_000 * Acc;
        var payments = unregistered.Select(a => (To: a.Owner.Address, Amount: perOwner)).ToList();
        foreach (Actor r in _requesters)
        {
            BigInteger has = await c.Token.BalanceOfQueryAsync(r.Address).ConfigureAwait(false);
            if (has < perRequester)
            {
                payments.Add((r.Address, perRequester - has)); // topped up to the same balance on a resumed network
            }
        }

        BigInteger needed = payments.Aggregate(BigInteger.Zero, (sum, p) => sum + p.Amount) - await c.Token.BalanceOfQueryAsync(_bank.Address).ConfigureAwait(false);
        if (payments.Count > 0)
        {
            _progress.Report($"funding {unregistered.Count} owners and {payments.Count - unregistered.Count} requesters with ACC");
            if (needed > 0)
            {
                await _options.FundAsync(_bank.Address, needed, ct).ConfigureAwait(false);
            }
        }

        foreach ((string to, BigInteger amount) in payments)
        {
            Require(await c.Token.TransferRequestAndWaitForReceiptAsync(to, amount, ct).ConfigureAwait(false), "ACC transfer");
        }

        int registered = 0;
        await Parallel.ForEachAsync(unregistered, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (a, token) =>
        {
            AgentRegistration reg = await a.Owner.Client.Agents.RegisterAsync(a.Key, $"ipfs://swarm/agent-{a.Index}.json", CapabilityOf(a.Cluster),
                a.Vector.ComputeHash(), token).ConfigureAwait(false);
            a.Id = reg.AgentId;
            await AttestAsync(a, token).ConfigureAwait(false);
            await a.Owner.Client.Staking.StakeAsync(a.Id, StakeAmount, token).ConfigureAwait(false);
            int k = Interlocked.Increment(ref registered);
            if (k % 10 == 0 || k == unregistered.Count)
            {
                _progress.Report($"agents registered, attested and staked {k}/{unregistered.Count}");
            }
        }).ConfigureAwait(false);
        RegisteredNow = registered;

        // Already registered agents: an attestation that expired (or expires within 5 days) while the network was stopped is renewed.
        DateTimeOffset now = await _bank.Client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
        List<SimAgent> due = [.. _agents.Where(a => a.Registered && a.AttestedUntil < now + TimeSpan.FromDays(5))];
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (a, token) =>
            await AttestAsync(a, token).ConfigureAwait(false)).ConfigureAwait(false);
        if (due.Count > 0)
        {
            _progress.Report($"{due.Count} attestations renewed (expired or due within 5 days)");
        }

        foreach (SimAgent a in _agents)
        {
            a.Reviews = a.Owner.Client.OpenReviews(Path.Combine(_options.WorkDirectory, $"salts-{a.Index}.db")); // the salts survive a stop
        }
    }

    /// <summary>
    /// Runs rounds of tasks until <see cref="SwarmOptions.Tasks"/> are submitted and settled, <see cref="SwarmOptions.UntilSettled"/>
    /// are settled, or <paramref name="cancellationToken"/> is cancelled (then it returns without throwing). With
    /// <see cref="SwarmOptions.Governance"/>: the voters delegate before the first round, the governance round runs after the round in
    /// which the run's appeal is filed (the fee proposal and the appeal's decision), or at the end (the fee proposal alone) when no
    /// slash was appealed; never after a cancellation.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            SwarmGovernanceOptions? governance = _options.Governance;
            if (governance is not null)
            {
                await PrepareGovernanceAsync(governance, cancellationToken).ConfigureAwait(false);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                int remaining = _options.Tasks is { } total ? total - Submitted : int.MaxValue;
                if (remaining <= 0 || (_options.UntilSettled is { } n && Settled >= n))
                {
                    break;
                }

                int size = Math.Min(remaining, Math.Max(1, _agents.Count / 5));
                if (_options.UntilSettled is { } until)
                {
                    size = Math.Min(size, Math.Max(1, until - Settled));
                }

                Interlocked.Increment(ref _round);
                await RunRoundAsync(size, cancellationToken).ConfigureAwait(false);
                if (governance is not null && GovernanceOutcome is null && _appealed is not null)
                {
                    await RunGovernanceRoundAsync(governance, cancellationToken).ConfigureAwait(false);
                }
            }

            if (governance is not null && GovernanceOutcome is null && !cancellationToken.IsCancellationRequested)
            {
                await RunGovernanceRoundAsync(governance, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private ICapabilityIndex Index()
    {
        if (_index is null)
        {
            _index = CapabilityIndexFactory.Create(_agents.Count);
            foreach (SimAgent a in _agents)
            {
                _index.Upsert(a.Id, a.Vector);
            }
        }

        return _index;
    }

    /// <summary>Attests an agent for 29 days (the registry allows at most 30), signed by the localnet's attestor, with the next nonce.</summary>
    private async Task AttestAsync(SimAgent a, CancellationToken ct)
    {
        var attestor = new Secp256k1Signer(_options.AttestorPrivateKey);
        DateTimeOffset now = await a.Owner.Client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
        a.AttestedUntil = now + TimeSpan.FromDays(29);
        a.AttestationNonce++;
        var attestation = new AgentAttestation(a.Id, Sha3Keccack.Current.CalculateHash("swarm-enclave"u8.ToArray()), 8, 16_384, 100,
            (ulong)a.AttestedUntil.ToUnixTimeSeconds(), a.AttestationNonce);
        await a.Owner.Client.Agents.SubmitAttestationAsync(attestation, a.Owner.Client.Agents.SignAttestation(attestation, attestor), ct).ConfigureAwait(false);
    }

    private async Task RunRoundAsync(int size, CancellationToken ct)
    {
        // The market's windows move the clock by about a day per round: attestations due within 5 days are renewed first.
        DateTimeOffset chainNow = await _bank.Client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
        List<SimAgent> due = [.. _agents.Where(a => a.AttestedUntil < chainNow + TimeSpan.FromDays(5))];
        if (due.Count > 0)
        {
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (a, token) =>
                await AttestAsync(a, token).ConfigureAwait(false)).ConfigureAwait(false);
            _progress.Report($"round {Round}: {due.Count} attestations renewed");
        }

        // Submit: each task needs one capability cluster; requesters in parallel, each in order.
        DateTimeOffset now = await _bank.Client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
        var tasks = Enumerable.Range(0, size).Select(k => new SimTask
        {
            Cluster = _random.Next(Clusters),
            Requester = _requesters[(Submitted + k) % _requesters.Count],
            Bounty = (1_000 + 500 * _random.Next(5)) * Acc,
            Nonce = Submitted + k,
        }).ToList();
        await Task.WhenAll(tasks.GroupBy(t => t.Requester).Select(async g =>
        {
            foreach (SimTask t in g)
            {
                SubmittedTask s = await t.Requester.Client.Tasks.SubmitAsync(new TaskSubmission
                {
                    RequirementsHash = Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes($"swarm-{_options.Seed}/task-{t.Nonce}")),
                    Capabilities = CapabilityOf(t.Cluster),
                    Bounty = t.Bounty,
                    Deadline = now + TimeSpan.FromDays(2),
                    CommitteeSize = CommitteeSize,
                }, ct).ConfigureAwait(false);
                t.TaskId = s.TaskId;
                lock (_taskIds)
                {
                    _taskIds.Add(s.TaskId);
                }

                Interlocked.Increment(ref _submitted);
            }
        })).ConfigureAwait(false);
        _progress.Report($"round {Round}: {size} tasks submitted");

        // Bid: the three agents most similar to the task's requirement vector (the SDK's matchmaking, cosine similarity) that also hold
        // the task's capability bit, at different prices.
        var bids = new List<(SimTask Task, SimAgent Agent, BigInteger Price)>();
        foreach (SimTask t in tasks)
        {
            IReadOnlyList<CapabilityMatch> matches = Index().Search(VectorNear(t.Cluster), k: 6, threshold: 0f);
            IEnumerable<SimAgent> matching = matches.Select(m => _agents.Single(a => a.Id == m.AgentId)).Where(a => a.Cluster == t.Cluster);
            foreach (SimAgent a in matching.Take(3))
            {
                bids.Add((t, a, t.Bounty * (60 + _random.Next(30)) / 100));
            }
        }

        await Task.WhenAll(bids.GroupBy(b => b.Agent).Select(async g =>
        {
            foreach (var b in g)
            {
                await b.Agent.Owner.Client.Tasks.BidAsync(b.Task.TaskId, b.Agent.Id, b.Price, ct).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);

        // The bidding window (an hour) passes; the keepers assign.
        TaskInfo first = await _bank.Client.Tasks.GetAsync(tasks[0].TaskId, ct).ConfigureAwait(false);
        await WarpToAsync(tasks.Count == 0 ? first.BiddingEndsAt : first.BiddingEndsAt, "bidding window", ct).ConfigureAwait(false);
        foreach (SimTask t in tasks)
        {
            TaskInfo info = await WaitForAsync(t, i => i.Status != MarketTaskStatus.Bidding, "assign", ct).ConfigureAwait(false);
            t.Executor = info.Executor is { } e ? _agents.Single(a => a.Id == e) : null;
        }

        // Execute: each executor posts a result, wrong on purpose when dishonest.
        List<SimTask> live = [.. tasks.Where(t => t.Executor is not null)];
        await Task.WhenAll(live.GroupBy(t => t.Executor!).Select(async g =>
        {
            foreach (SimTask t in g)
            {
                t.GoodResult = g.Key.Behaviour != Behaviour.Dishonest;
                string result = t.GoodResult ? $"good result of task {t.TaskId}" : $"wrong result of task {t.TaskId}";
                await g.Key.Owner.Client.Tasks.PostResultAsync(t.TaskId, Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(result)),
                    $"ipfs://swarm/result-{t.TaskId}", ct).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        await MineAsync(3).ConfigureAwait(false); // the seed is a later block's hash

        // The keepers draw each committee; the swarm waits for full committees, then lets the draw window close.
        var infos = new List<TaskInfo>();
        foreach (SimTask t in live)
        {
            infos.Add(await WaitForAsync(t, i => i.Seats >= i.CommitteeSize || i.Status != MarketTaskStatus.Verifying, "draw", ct).ConfigureAwait(false));
        }

        List<SimTask> seated = [.. live.Where((t, i) => infos[i].Status == MarketTaskStatus.Verifying)];
        if (seated.Count > 0)
        {
            await WarpToAsync(infos.Where(i => i.DrawClosesAt is not null).Max(i => i.DrawClosesAt!.Value), "draw window", ct).ConfigureAwait(false);
            foreach (SimTask t in seated)
            {
                t.Members = await MembersAsync(t.TaskId, ct).ConfigureAwait(false);
            }

            var seats = seated.SelectMany(t => t.Members.Select(id => (Task: t, Agent: _agents.Single(a => a.Id == id)))).ToList();
            await Task.WhenAll(seats.GroupBy(s => s.Agent).Select(async g =>
            {
                foreach (var s in g)
                {
                    if (g.Key.Behaviour != Behaviour.Silent)
                    {
                        bool approve = g.Key.Behaviour == Behaviour.Dishonest ? !s.Task.GoodResult : s.Task.GoodResult;
                        await g.Key.Reviews.CommitAsync(s.Task.TaskId, g.Key.Id, approve, ct).ConfigureAwait(false);
                    }
                }
            })).ConfigureAwait(false);
            TaskInfo any = await _bank.Client.Tasks.GetAsync(seated[0].TaskId, ct).ConfigureAwait(false);
            var commitEnds = new List<DateTimeOffset>();
            foreach (SimTask t in seated)
            {
                commitEnds.Add((await _bank.Client.Tasks.GetAsync(t.TaskId, ct).ConfigureAwait(false)).CommitEndsAt ?? any.CommitEndsAt!.Value);
            }

            await WarpToAsync(commitEnds.Max(), "commit window", ct).ConfigureAwait(false);
            await Task.WhenAll(seats.GroupBy(s => s.Agent).Select(async g =>
            {
                foreach (var s in g)
                {
                    if (g.Key.Behaviour is Behaviour.Honest or Behaviour.Dishonest)
                    {
                        await g.Key.Reviews.RevealAsync(s.Task.TaskId, g.Key.Id, ct).ConfigureAwait(false);
                    }
                }
            })).ConfigureAwait(false);
            var revealEnds = new List<DateTimeOffset>();
            foreach (SimTask t in seated)
            {
                TaskInfo i = await _bank.Client.Tasks.GetAsync(t.TaskId, ct).ConfigureAwait(false);
                if (i.Status == MarketTaskStatus.Verifying && i.RevealEndsAt is { } end)
                {
                    revealEnds.Add(end);
                }
            }

            if (revealEnds.Count > 0)
            {
                await WarpToAsync(revealEnds.Max(), "reveal window", ct).ConfigureAwait(false);
            }
        }

        foreach (SimTask t in tasks)
        {
            TaskInfo info = await WaitForAsync(t, i => i.Status >= MarketTaskStatus.Accepted, "settle", ct).ConfigureAwait(false);
            if (info.Status >= MarketTaskStatus.Accepted)
            {
                Interlocked.Increment(ref _settled);
            }
        }

        _progress.Report($"round {Round}: settled, {Settled} tasks settled in all");
        if (Appeals == 0)
        {
            // Members are slashed when the keepers settle them (after the task): wait for that, so that this round's slashes can be appealed.
            await WaitForMembersSettledAsync(live.Where(t => t.Members.Count > 0).ToList(), ct).ConfigureAwait(false);
        }

        await AppealFirstSlashAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Waits (bounded by <see cref="SwarmOptions.KeeperWait"/>) until the keepers settled every member of <paramref name="tasks"/> (MemberSettled events).</summary>
    private async Task WaitForMembersSettledAsync(List<SimTask> tasks, CancellationToken ct)
    {
        if (tasks.Count == 0)
        {
            return;
        }

        var settledEvent = _bank.Web3.Eth.GetEvent<Verification.MemberSettledEventDTO>(_options.Manifest.AddressOf("TaskMarket"));
        var from = new BlockParameter(new Nethereum.Hex.HexTypes.HexBigInteger(StartBlock));
        int expected = tasks.Sum(t => t.Members.Count);
        DateTime until = DateTime.UtcNow + _options.KeeperWait;
        while (true)
        {
            int settled = 0;
            foreach (SimTask t in tasks)
            {
                var logs = await settledEvent.GetAllChangesAsync(settledEvent.CreateFilterInput(t.TaskId, from, BlockParameter.CreateLatest())).ConfigureAwait(false);
                settled += logs.Select(l => l.Event.AgentId).Distinct().Count(t.Members.Contains);
            }

            if (settled >= expected)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                _progress.Report($"round {Round}: the keepers settled {settled} of {expected} members within {_options.KeeperWait.TotalSeconds:F0} s");
                return;
            }

            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The first slash of the run is appealed by the slashed agent's owner (within its appeal window): the appeal then waits for
    /// governance's decision (the swarm's governance round, SwarmGovernance.cs) or its deadline before the slash can be finalized. One
    /// appeal per run keeps the report readable.
    /// </summary>
    private async Task AppealFirstSlashAsync(CancellationToken ct)
    {
        if (Appeals > 0)
        {
            return;
        }

        BigInteger count = await _bank.Client.Contracts.Staking.SlashCountQueryAsync().ConfigureAwait(false);
        DateTimeOffset now = await _bank.Client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
        for (BigInteger id = 1; id <= count; id++)
        {
            var slash = await _bank.Client.Staking.GetSlashAsync(id, ct).ConfigureAwait(false);
            SimAgent? agent = _agents.FirstOrDefault(a => a.Id == slash.AgentId);
            // Only a pending slash within its appeal window can be appealed (an earlier run's may be appealed already, or too old).
            if (agent is null || slash.Resolved || slash.Status != Sdk.Staking.SlashStatus.Pending || slash.AppealDeadline < now)
            {
                continue;
            }

            var appeal = await agent.Owner.Client.Staking.AppealSlashAsync(id, ct).ConfigureAwait(false);
            _appealed = (id, agent);
            Interlocked.Increment(ref _appeals);
            _progress.Report($"round {Round}: agent {agent.Id} ({agent.Behaviour}) appealed slash {id}; governance decides by {appeal.DecisionDeadline:u}");
            return;
        }
    }

    /// <summary>Waits (bounded by <see cref="SwarmOptions.KeeperWait"/>) for the keepers to move a task; says so when they did not.</summary>
    private async Task<TaskInfo> WaitForAsync(SimTask t, Func<TaskInfo, bool> done, string what, CancellationToken ct)
    {
        DateTime until = DateTime.UtcNow + _options.KeeperWait;
        while (true)
        {
            TaskInfo info = await _bank.Client.Tasks.GetAsync(t.TaskId, ct).ConfigureAwait(false);
            if (done(info))
            {
                return info;
            }

            if (DateTime.UtcNow > until)
            {
                _progress.Report($"task {t.TaskId}: the keepers did not {what} within {_options.KeeperWait.TotalSeconds:F0} s (status {info.Status})");
                return info;
            }

            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The committee now: drawn members less evicted ones, from the verification contract's events.</summary>
    private async Task<List<BigInteger>> MembersAsync(BigInteger taskId, CancellationToken ct)
    {
        // The verification logic runs inside the market (delegatecall): its events carry the market's address.
        string verification = _options.Manifest.AddressOf("TaskMarket");
        var from = new BlockParameter(new Nethereum.Hex.HexTypes.HexBigInteger(StartBlock));
        var drawnEvent = _bank.Web3.Eth.GetEvent<Verification.MemberDrawnEventDTO>(verification);
        var evictedEvent = _bank.Web3.Eth.GetEvent<Verification.MemberEvictedEventDTO>(verification);
        var drawn = await drawnEvent.GetAllChangesAsync(drawnEvent.CreateFilterInput(taskId, from, BlockParameter.CreateLatest())).ConfigureAwait(false);
        var evicted = await evictedEvent.GetAllChangesAsync(evictedEvent.CreateFilterInput(taskId, from, BlockParameter.CreateLatest())).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        HashSet<BigInteger> gone = [.. evicted.Select(e => e.Event.AgentId)];
        return [.. drawn.Select(e => e.Event.AgentId).Where(id => !gone.Contains(id)).Distinct()];
    }

    private async Task WarpToAsync(DateTimeOffset time, string window, CancellationToken ct)
    {
        DateTimeOffset now = await _bank.Client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
        long seconds = (long)(time - now).TotalSeconds + 1;
        if (seconds > 0)
        {
            _progress.Report($"round {Round}: anvil's clock moved {TimeSpan.FromSeconds(seconds)} past the {window}");
            // evm_setNextBlockTimestamp, not evm_increaseTime: it also works when anvil fixes the block timestamp interval (a reproducible run).
            await RpcAsync("evm_setNextBlockTimestamp", now.ToUnixTimeSeconds() + seconds).ConfigureAwait(false);
            await MineAsync(1).ConfigureAwait(false);
        }
    }

    private async Task MineAsync(int blocks)
    {
        for (int i = 0; i < blocks; i++)
        {
            await RpcAsync("evm_mine").ConfigureAwait(false);
        }
    }

    private Task RpcAsync(string method, params object[] args) => _bank.Web3.Client.SendRequestAsync(new RpcRequest(1, method, args));

    private static ulong CapabilityOf(int cluster) => 1UL << cluster;

    private static void Require(TransactionReceipt receipt, string what)
    {
        if (receipt.Status.Value != 1)
        {
            throw new InvalidOperationException($"{what} failed (transaction {receipt.TransactionHash}).");
        }
    }

    private string KeyOf(string role) =>
        Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes($"agentcluster-swarm/{_options.Seed}/{role}")).ToHex();

    private Actor NewActor(string role)
    {
        string key = KeyOf(role);
        var actor = new Actor { PrivateKey = key, Address = new Secp256k1Signer(key).Address };
        _actors.Add(actor);
        return actor;
    }

    /// <summary>Releases every client, Web3 and salt store.</summary>
    public async ValueTask DisposeAsync()
    {
        _index?.Dispose();
        foreach (SimAgent a in _agents)
        {
            a.Reviews?.Dispose();
        }

        foreach (Actor a in _actors)
        {
            if (a.Client is not null)
            {
                await a.Client.DisposeAsync().ConfigureAwait(false);
            }

            if (a.Web3 is not null)
            {
                await a.Web3.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed class Actor
    {
        public required string PrivateKey { get; init; }

        public required string Address { get; init; }

        public AgentClusterWeb3 Web3 { get; set; } = null!;

        public AgentClusterClient Client { get; set; } = null!;
    }

    private sealed class SimAgent
    {
        public required int Index { get; init; }

        public required Actor Owner { get; init; }

        public required Secp256k1Signer Key { get; init; }

        public required Behaviour Behaviour { get; init; }

        public required int Cluster { get; init; }

        public required CapabilityVector Vector { get; init; }

        public BigInteger Id { get; set; }

        public ReviewsClient Reviews { get; set; } = null!;

        public DateTimeOffset AttestedUntil { get; set; }

        public ulong AttestationNonce { get; set; }

        /// <summary>Registered before this run (a resumed network).</summary>
        public bool Registered { get; set; }
    }

    private sealed class SimTask
    {
        public required int Cluster { get; init; }

        public required Actor Requester { get; init; }

        public required BigInteger Bounty { get; init; }

        public required int Nonce { get; init; }

        public BigInteger TaskId { get; set; }

        public SimAgent? Executor { get; set; }

        public bool GoodResult { get; set; } = true;

        public List<BigInteger> Members { get; set; } = [];
    }
}
