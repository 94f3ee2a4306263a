using System.Numerics;
using System.Runtime.CompilerServices;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Bindings.TaskMarket;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk.Events;
using Nethereum.ABI.EIP712;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;

namespace AgentCluster.Sdk.Tasks;

/// <summary>
/// The task market for requesters, executors and keepers: submit with an ERC-2612 permit (no approve transaction), read a task,
/// bid, assign, post a result, follow a task through its five stages, find open tasks by capability in the event log, and the
/// keeper operations (draw a committee, settle, settle members). Requests are checked against the market's on-chain parameters
/// before anything is sent; reverts surface as <c>ContractCustomErrorException&lt;TError&gt;</c> of the market's errors.
/// Obtain it as <see cref="AgentClusterClient.Tasks"/>.
/// </summary>
public sealed class TasksClient
{
    /// <summary>Smallest committee the market accepts (<c>MIN_COMMITTEE</c>).</summary>
    public const int MinCommitteeSize = 10;

    /// <summary>Largest committee the market accepts (<c>MAX_COMMITTEE</c>).</summary>
    public const int MaxCommitteeSize = 100;

    /// <summary>Shortest poll interval <see cref="WatchAsync"/> accepts.</summary>
    public static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest poll interval <see cref="WatchAsync"/> accepts.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(5);

    private static readonly BigInteger MaxUint88 = (BigInteger.One << 88) - 1;
    private static readonly BigInteger MaxUint96 = (BigInteger.One << 96) - 1;
    private static readonly TimeSpan PermitLifetime = TimeSpan.FromHours(1);

    private readonly AgentClusterClient _client;

    internal TasksClient(AgentClusterClient client) => _client = client;

    private TaskMarketService Market => _client.Contracts.TaskMarket;

    /// <summary>The market parameters new tasks are submitted under.</summary>
    public async Task<MarketParameters> GetMarketParametersAsync(CancellationToken cancellationToken = default)
    {
        MarketParams p = (await RunAsync(() => Market.ParamsQueryAsync(), cancellationToken).ConfigureAwait(false)).ReturnValue1;
        return new MarketParameters(TimeSpan.FromSeconds(p.BiddingWindow), TimeSpan.FromSeconds(p.MaxTaskDuration), TimeSpan.FromSeconds(p.DrawWindow),
            TimeSpan.FromSeconds(p.CommitWindow), TimeSpan.FromSeconds(p.RevealWindow), p.FeeBps, p.KeeperReward, p.MinStake);
    }

    /// <summary>The lowest fee the market accepts for <paramref name="bounty"/> and <paramref name="committeeSize"/> (read on-chain).</summary>
    public Task<BigInteger> GetMinimumFeeAsync(BigInteger bounty, byte committeeSize, CancellationToken cancellationToken = default) =>
        RunAsync(() => Market.MinimumFeeQueryAsync(bounty, committeeSize), cancellationToken);

    /// <summary>
    /// Checks <paramref name="submission"/> against the market (bounty, minimum fee, committee size, deadline, balance), signs an
    /// EIP-2612 permit for bounty + fee with the client's signer (local key or external signer, see <see cref="SignPermitAsync"/>), and submits the task in one transaction: no approve is sent.
    /// </summary>
    /// <exception cref="ArgumentException">The request is out of range (the message says which field and the allowed range).</exception>
    /// <exception cref="ReadOnlyClientException">The client has no signer.</exception>
    /// <exception cref="InvalidOperationException">The signer can sign no typed data, or its permit signature is not its own.</exception>
    public async Task<SubmittedTask> SubmitAsync(TaskSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        string requester = _client.RequireSigner("Submitting a task");
        if (submission.RequirementsHash is not { Length: 32 })
        {
            throw new ArgumentException($"RequirementsHash must be 32 bytes (keccak256 of the requirements), not {submission.RequirementsHash?.Length ?? 0}.", nameof(submission));
        }

        if (submission.Bounty <= 0)
        {
            throw new ArgumentException($"Bounty must be more than 0 (got {submission.Bounty}).", nameof(submission));
        }

        if (submission.Bounty > MaxUint88)
        {
            throw new ArgumentException($"Bounty {submission.Bounty} exceeds the market's uint88 limit {MaxUint88}.", nameof(submission));
        }

        if (submission.CommitteeSize is < MinCommitteeSize or > MaxCommitteeSize)
        {
            throw new ArgumentException($"CommitteeSize must be between {MinCommitteeSize} and {MaxCommitteeSize} (got {submission.CommitteeSize}).", nameof(submission));
        }

        if (submission.MinReputation > (1UL << 40) - 1)
        {
            throw new ArgumentException($"MinReputation {submission.MinReputation} exceeds the market's uint40 limit.", nameof(submission));
        }

        BigInteger minFee = await GetMinimumFeeAsync(submission.Bounty, submission.CommitteeSize, cancellationToken).ConfigureAwait(false);
        BigInteger fee = submission.Fee ?? minFee;
        if (fee < minFee)
        {
            throw new ArgumentException($"Fee {fee} is below the market's minimum fee {minFee} for a bounty of {submission.Bounty} and a committee of {submission.CommitteeSize}.", nameof(submission));
        }

        if (fee > MaxUint88)
        {
            throw new ArgumentException($"Fee {fee} exceeds the market's uint88 limit {MaxUint88}.", nameof(submission));
        }

        MarketParameters p = await GetMarketParametersAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = await ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset earliest = now + p.BiddingWindow;
        DateTimeOffset latest = now + p.MaxTaskDuration;
        // The transaction is mined a little after "now": leave a minute on each side so a request checked here is not refused there.
        if (submission.Deadline <= earliest + TimeSpan.FromMinutes(1) || submission.Deadline > latest)
        {
            throw new ArgumentException(
                $"Deadline {submission.Deadline:u} is out of range: it must fall after the bidding window ({p.BiddingWindow}, i.e. after {earliest + TimeSpan.FromMinutes(1):u} with a minute of margin) and at most {p.MaxTaskDuration} from now (by {latest:u}, chain time).",
                nameof(submission));
        }

        BigInteger amount = submission.Bounty + fee;
        BigInteger balance = await RunAsync(() => _client.Contracts.Token.BalanceOfQueryAsync(requester), cancellationToken).ConfigureAwait(false);
        if (balance < amount)
        {
            throw new ArgumentException($"The requester {requester} holds {balance} ACC wei, less than bounty + fee = {amount}.", nameof(submission));
        }

        Permit permit = (await SignPermitCoreAsync(requester, Market.ContractAddress, amount, now + PermitLifetime, cancellationToken).ConfigureAwait(false)).Permit;
        var request = new TaskRequest
        {
            RequirementsHash = submission.RequirementsHash,
            Capabilities = submission.Capabilities,
            Bounty = submission.Bounty,
            Fee = fee,
            Deadline = (ulong)submission.Deadline.ToUnixTimeSeconds(),
            CommitteeSize = submission.CommitteeSize,
            MinReputation = submission.MinReputation,
        };
        TransactionReceipt receipt = await Market.SubmitTaskRequestAndWaitForReceiptAsync(request, permit, cancellationToken).ConfigureAwait(false);
        EnsureSucceeded(receipt, "submitTask");
        EventLog<TaskSubmittedEventDTO> submitted = receipt.DecodeAllEvents<TaskSubmittedEventDTO>().Single();
        return new SubmittedTask(submitted.Event.TaskId, fee, receipt.TransactionHash, receipt.BlockNumber.Value);
    }

    /// <summary>The task <paramref name="taskId"/>, typed.</summary>
    /// <exception cref="ArgumentException">No task has this id.</exception>
    public async Task<TaskInfo> GetAsync(BigInteger taskId, CancellationToken cancellationToken = default)
    {
        RequireId(taskId, nameof(taskId));
        TaskMarketTask t = (await RunAsync(() => Market.GetTaskQueryAsync(taskId), cancellationToken).ConfigureAwait(false)).Task;
        if (t.Status == 0)
        {
            throw new ArgumentException($"Task {taskId} does not exist on this market.", nameof(taskId));
        }

        return ToInfo(taskId, t);
    }

    private static TaskInfo ToInfo(BigInteger taskId, TaskMarketTask t)
    {
        bool seeded = t.DrawClosesAt != 0;
        return new TaskInfo
        {
            TaskId = taskId,
            Requester = t.Requester,
            Status = (MarketTaskStatus)t.Status,
            Capabilities = t.Capabilities,
            Bounty = t.Bounty,
            Fee = t.Fee,
            CommitteeSize = t.CommitteeSize,
            MinReputation = t.MinReputation,
            BiddingEndsAt = Time(t.BiddingEndsAt),
            Deadline = Time(t.Deadline),
            Executor = t.Executor.IsZero ? null : t.Executor,
            Price = t.Price,
            ResultPostedAt = t.ResultPostedAt == 0 ? null : Time(t.ResultPostedAt),
            Seats = t.Seats,
            Commits = t.Commits,
            Reveals = t.Reveals,
            Approvals = t.Approvals,
            DrawClosesAt = seeded ? Time(t.DrawClosesAt) : null,
            CommitEndsAt = seeded ? Time(t.CommitEndsAt) : null,
            RevealEndsAt = seeded ? Time(t.RevealEndsAt) : null,
            Seed = seeded ? t.Seed : null,
            ParamsVersion = t.ParamsVersion,
        };
    }

    /// <summary>Bids <paramref name="price"/> (ACC wei, at most the bounty) for <paramref name="agentId"/>, which the signer owns or is the key of.</summary>
    /// <exception cref="ArgumentException">The price is not positive or exceeds uint96.</exception>
    public async Task<TransactionReceipt> BidAsync(BigInteger taskId, BigInteger agentId, BigInteger price, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Bidding");
        RequireId(taskId, nameof(taskId));
        RequireId(agentId, nameof(agentId));
        if (price <= 0 || price > MaxUint96)
        {
            throw new ArgumentException($"The price must be more than 0 and at most 2^96-1 (got {price}).", nameof(price));
        }

        return EnsureSucceeded(await Market.BidRequestAndWaitForReceiptAsync(taskId, agentId, price, cancellationToken).ConfigureAwait(false), "bid");
    }

    /// <summary>After the bidding window: assigns the task to the best bid (or refunds it without one). Keeper work, paid.</summary>
    public async Task<TransactionReceipt> AssignAsync(BigInteger taskId, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Assigning a task");
        RequireId(taskId, nameof(taskId));
        return EnsureSucceeded(await Market.AssignRequestAndWaitForReceiptAsync(taskId, cancellationToken).ConfigureAwait(false), "assign");
    }

    /// <summary>The executor posts its result (hash of the result, and where to fetch it) before the deadline.</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes, or the URI is null.</exception>
    public async Task<TransactionReceipt> PostResultAsync(BigInteger taskId, byte[] resultHash, string resultUri, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Posting a result");
        RequireId(taskId, nameof(taskId));
        if (resultHash is not { Length: 32 })
        {
            throw new ArgumentException($"The result hash must be 32 bytes, not {resultHash?.Length ?? 0}.", nameof(resultHash));
        }

        ArgumentNullException.ThrowIfNull(resultUri);
        return EnsureSucceeded(await Market.PostResultRequestAndWaitForReceiptAsync(taskId, resultHash, resultUri, cancellationToken).ConfigureAwait(false), "postResult");
    }

    /// <summary>
    /// Follows a task: yields its current stage at once, then every stage change observed by polling every
    /// <paramref name="pollInterval"/> (default 2 s), and ends after <see cref="TaskStage.Settled"/>. Stages passed through between
    /// two polls are not reported (each change carries the task as read).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The interval is outside [<see cref="MinPollInterval"/>, <see cref="MaxPollInterval"/>].</exception>
    public async IAsyncEnumerable<TaskStageChange> WatchAsync(BigInteger taskId, TimeSpan? pollInterval = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TimeSpan interval = pollInterval ?? TimeSpan.FromSeconds(2);
        if (interval < MinPollInterval || interval > MaxPollInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), interval, $"The poll interval must be between {MinPollInterval} and {MaxPollInterval}.");
        }

        TaskStage? last = null;
        while (true)
        {
            TaskInfo task = await GetAsync(taskId, cancellationToken).ConfigureAwait(false);
            TaskStage stage = task.Stage!.Value;
            if (stage != last)
            {
                last = stage;
                yield return new TaskStageChange(stage, task);
                if (stage == TaskStage.Settled)
                {
                    yield break;
                }
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Tasks submitted from <paramref name="fromBlock"/> to <paramref name="toBlock"/> (default: the latest block) that are still open
    /// for bids and whose required capabilities are all among <paramref name="capabilities"/>, read from <c>TaskSubmitted</c> events
    /// page by page. Resume with <see cref="OpenTaskPage.NextFromBlock"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The block range is negative or reversed.</exception>
    public async Task<OpenTaskPage> FindOpenTasksAsync(ulong capabilities, BigInteger fromBlock, BigInteger? toBlock = null,
        CancellationToken cancellationToken = default)
    {
        if (fromBlock < 0)
        {
            throw new ArgumentException($"fromBlock must not be negative (got {fromBlock}).", nameof(fromBlock));
        }

        BigInteger to = toBlock ?? (await RunAsync(() => _client.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), cancellationToken).ConfigureAwait(false)).Value;
        if (to < fromBlock)
        {
            return new OpenTaskPage([], fromBlock);
        }

        NewFilterInput filter = _client.Web3.Eth.GetEvent<TaskSubmittedEventDTO>(Market.ContractAddress).CreateFilterInput();
        DateTimeOffset now = await ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<OpenTask>();
        await foreach (FilterLog[] page in _client.Web3.GetLogsPagedAsync(filter, fromBlock, to, ct: cancellationToken).ConfigureAwait(false))
        {
            foreach (EventLog<TaskSubmittedEventDTO> e in page.DecodeAllEvents<TaskSubmittedEventDTO>())
            {
                TaskSubmittedEventDTO s = e.Event;
                if ((s.Capabilities & ~capabilities) != 0)
                {
                    continue;
                }

                TaskInfo task = await GetAsync(s.TaskId, cancellationToken).ConfigureAwait(false);
                if (task.Status != MarketTaskStatus.Bidding || task.BiddingEndsAt <= now)
                {
                    continue;
                }

                found.Add(new OpenTask(s.TaskId, s.Requester, s.RequirementsHash, s.Capabilities, s.Bounty, s.Fee,
                    DateTimeOffset.FromUnixTimeSeconds((long)s.Deadline), s.CommitteeSize, s.MinReputation, e.Log.BlockNumber.Value));
            }
        }

        return new OpenTaskPage(found, to + 1);
    }

    /// <summary>
    /// Watches the market for tasks open for bids whose required capabilities are all among <paramref name="capabilities"/>: yields
    /// <see cref="OpenTaskChangeKind.Opened"/> for each as it is submitted (or, for history, if it is still open when read), and
    /// <see cref="OpenTaskChangeKind.Closed"/> when a task it reported leaves the open state: assigned, refunded, bidding window over
    /// (chain time), or its submission taken back by a chain reorganisation. Built on the reorg-aware
    /// <see cref="AgentClusterClient.StreamEventsAsync{TEvent}"/> over <c>TaskSubmitted</c> (same <paramref name="options"/>: from
    /// block, confirmations, reorg depth; <see cref="EventStreamOptions.PollInterval"/> also paces the status checks of the open tasks,
    /// one <c>getTask</c> each). Resumable: start from <see cref="OpenTaskChange.ResumeFromBlock"/>. Runs until cancelled or the
    /// caller stops enumerating; a reorganisation deeper than <see cref="EventStreamOptions.ReorgDepth"/> is a
    /// <see cref="ReorgTooDeepException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (before any request).</exception>
    public async IAsyncEnumerable<OpenTaskChange> WatchOpenTasksAsync(ulong capabilities, EventStreamOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new EventStreamOptions();
        options.Validate();
        var open = new Dictionary<BigInteger, OpenTask>();
        BigInteger nextBlock = options.FromBlock; // the block after the last submission seen
        BigInteger Resume() => open.Count == 0 ? nextBlock : BigInteger.Min(nextBlock, open.Values.Min(t => t.BlockNumber));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IAsyncEnumerator<ChainEvent<TaskSubmittedEventDTO>> events =
            _client.StreamEventsAsync<TaskSubmittedEventDTO>(Market.ContractAddress, options, stop.Token).GetAsyncEnumerator(stop.Token);
        Task<bool> move = events.MoveNextAsync().AsTask();
        try
        {
            DateTimeOffset nextCheck = DateTimeOffset.UtcNow + options.PollInterval;
            while (true)
            {
                if (DateTimeOffset.UtcNow >= nextCheck)
                {
                    if (open.Count > 0)
                    {
                        DateTimeOffset now = await ChainTimeAsync(cancellationToken).ConfigureAwait(false);
                        foreach (OpenTask t in open.Values.OrderBy(t => t.TaskId).ToList())
                        {
                            TaskInfo? info = await TryGetAsync(t.TaskId, cancellationToken).ConfigureAwait(false);
                            OpenTaskClosedReason reason = info switch
                            {
                                null => OpenTaskClosedReason.Reorganised,
                                { Status: MarketTaskStatus.Bidding } when info.BiddingEndsAt <= now => OpenTaskClosedReason.BiddingEnded,
                                { Status: MarketTaskStatus.Bidding } => OpenTaskClosedReason.None,
                                { Status: MarketTaskStatus.Refunded } => OpenTaskClosedReason.Refunded,
                                _ => OpenTaskClosedReason.Assigned,
                            };
                            if (reason == OpenTaskClosedReason.Reorganised)
                            {
                                nextBlock = BigInteger.Min(nextBlock, t.BlockNumber); // its block was replaced: read it again on resume
                            }

                            if (reason != OpenTaskClosedReason.None)
                            {
                                open.Remove(t.TaskId);
                                yield return new OpenTaskChange(OpenTaskChangeKind.Closed, t, reason, info?.Status ?? MarketTaskStatus.None, Resume());
                            }
                        }
                    }

                    nextCheck = DateTimeOffset.UtcNow + options.PollInterval;
                }

                TimeSpan wait = nextCheck - DateTimeOffset.UtcNow;
                if (await Task.WhenAny(move, Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stop.Token)).ConfigureAwait(false) != move)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }

                if (!await move.ConfigureAwait(false))
                {
                    yield break;
                }

                ChainEvent<TaskSubmittedEventDTO> e = events.Current;
                move = events.MoveNextAsync().AsTask();
                TaskSubmittedEventDTO s = e.Event;
                if (e.Removed)
                {
                    nextBlock = BigInteger.Min(nextBlock, e.BlockNumber);
                    if (open.Remove(s.TaskId, out OpenTask? gone))
                    {
                        yield return new OpenTaskChange(OpenTaskChangeKind.Closed, gone, OpenTaskClosedReason.Reorganised, MarketTaskStatus.None, Resume());
                    }

                    continue;
                }

                nextBlock = BigInteger.Max(nextBlock, e.BlockNumber + 1);
                if ((s.Capabilities & ~capabilities) != 0 || open.ContainsKey(s.TaskId))
                {
                    continue;
                }

                TaskInfo? task = await TryGetAsync(s.TaskId, cancellationToken).ConfigureAwait(false);
                if (task is not { Status: MarketTaskStatus.Bidding } || task.BiddingEndsAt <= await ChainTimeAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue; // already closed when read (history): never reported open
                }

                var opened = new OpenTask(s.TaskId, s.Requester, s.RequirementsHash, s.Capabilities, s.Bounty, s.Fee,
                    DateTimeOffset.FromUnixTimeSeconds((long)s.Deadline), s.CommitteeSize, s.MinReputation, e.BlockNumber);
                open[s.TaskId] = opened;
                yield return new OpenTaskChange(OpenTaskChangeKind.Opened, opened, OpenTaskClosedReason.None, task.Status, Resume());
            }
        }
        finally
        {
            // An async iterator cannot be disposed while a MoveNextAsync is pending: stop it, let it end, then dispose.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await move.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // cancelled (or already failed and reported): nothing more to deliver
            }

            await events.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<TaskInfo?> TryGetAsync(BigInteger taskId, CancellationToken ct)
    {
        TaskMarketTask t = (await RunAsync(() => Market.GetTaskQueryAsync(taskId), ct).ConfigureAwait(false)).Task;
        return t.Status == 0 ? null : ToInfo(taskId, t);
    }

    // ------------------------------------------------------------------ keeper operations

    /// <summary>
    /// Keeper: fixes the seed if needed and seats <paramref name="agentIds"/> in empty seats during the fill phase (agents already
    /// seated or no longer eligible are skipped by the contract; the caller is paid per seat filled). The candidates are the
    /// caller's choice; <see cref="DrawCommitteeBySortitionAsync"/> and <see cref="DrawCommitteeFromKeysAsync"/> choose the best keys.
    /// </summary>
    /// <exception cref="ArgumentException">A non-positive id (an empty list only fixes the seed, unpaid).</exception>
    public async Task<TransactionReceipt> DrawCommitteeAsync(BigInteger taskId, IReadOnlyCollection<BigInteger> agentIds, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Drawing a committee");
        RequireId(taskId, nameof(taskId));
        ArgumentNullException.ThrowIfNull(agentIds);
        foreach (BigInteger id in agentIds)
        {
            RequireId(id, nameof(agentIds));
        }

        return EnsureSucceeded(await Market.DrawCommitteeRequestAndWaitForReceiptAsync(taskId, [.. agentIds], cancellationToken).ConfigureAwait(false), "drawCommittee");
    }

    /// <summary>
    /// Keeper: draws the committee by weighted sortition and submits it. Fixes the seed first if nobody has (a
    /// <c>drawCommittee</c> with no candidate), then computes every candidate's key with the market's own <c>sortitionKey</c>
    /// (Efraimidis-Spirakis: smaller is better; weight = stake x validator reputation at the snapshot), leaves out the executor,
    /// agents of the requester or of the executor's owner, ineligible agents and agents under the minimum stake, and submits the
    /// <c>committeeSize</c> smallest keys. Candidates default to every agent in the registry's <c>AgentRegistered</c> events since
    /// the deployment block. Reads are a few calls per candidate: fine for hundreds; a keeper service with its own candidate list
    /// (an event index) and key cache uses <see cref="SortitionKeysAsync"/> and <see cref="DrawCommitteeFromKeysAsync"/>, the same
    /// selection and submission.
    /// </summary>
    /// <exception cref="ArgumentException">The task is not in its verification stage, or there are fewer eligible candidates than seats.</exception>
    public async Task<CommitteeDraw> DrawCommitteeBySortitionAsync(BigInteger taskId, IReadOnlyCollection<BigInteger>? candidates = null,
        CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Drawing a committee");
        TaskInfo task = await GetAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (task.Status != MarketTaskStatus.Verifying)
        {
            throw new ArgumentException($"Task {taskId} is {task.Status}: a committee is drawn only while it is Verifying.", nameof(taskId));
        }

        if (task.DrawClosesAt is null)
        {
            EnsureSucceeded(await Market.DrawCommitteeRequestAndWaitForReceiptAsync(taskId, [], cancellationToken).ConfigureAwait(false), "drawCommittee (fix the seed)");
        }

        var registry = _client.Contracts.Registry;
        IReadOnlyCollection<BigInteger> pool = candidates ?? await RegisteredAgentsAsync(cancellationToken).ConfigureAwait(false);
        string executorOwner = await RunAsync(() => registry.OwnerOfQueryAsync(task.Executor!.Value), cancellationToken).ConfigureAwait(false);
        var eligible = new List<BigInteger>();
        foreach (BigInteger id in pool.Distinct())
        {
            if (id == task.Executor)
            {
                continue;
            }

            string owner = await RunAsync(() => registry.OwnerOfQueryAsync(id), cancellationToken).ConfigureAwait(false);
            if (string.Equals(owner, task.Requester, StringComparison.OrdinalIgnoreCase) || string.Equals(owner, executorOwner, StringComparison.OrdinalIgnoreCase)
                || !await RunAsync(() => registry.IsEligibleQueryAsync(id, 0), cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            eligible.Add(id);
        }

        IReadOnlyList<(BigInteger AgentId, BigInteger Key)> keyed = await SortitionKeysAsync(taskId, eligible, cancellationToken).ConfigureAwait(false);
        return await SubmitBestKeysAsync(taskId, task.CommitteeSize, keyed, nameof(candidates), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeper: the sortition keys of <paramref name="agentIds"/> for <paramref name="taskId"/>, read with the market's own
    /// <c>sortitionKey</c> view (one <c>eth_call</c> each, so the keys are exactly the contract's; sent as JSON-RPC batches of
    /// <see cref="SortitionKeyBatchSize"/> calls, all at one block), best (smallest) first, ties by agent id. Agents under the
    /// minimum stake at the snapshot have no key and are left out; nothing else is checked (exclusions and eligibility are the
    /// caller's, see <see cref="DrawCommitteeBySortitionAsync"/>). The seed must be fixed.
    /// </summary>
    /// <exception cref="ArgumentException">A non-positive id.</exception>
    /// <exception cref="AgentCluster.Evm.Errors.ContractRevertException">A call reverted for another reason than too little stake
    /// (typed by the market's errors, e.g. the seed is not fixed).</exception>
    public async Task<IReadOnlyList<(BigInteger AgentId, BigInteger Key)>> SortitionKeysAsync(BigInteger taskId, IEnumerable<BigInteger> agentIds,
        CancellationToken cancellationToken = default)
    {
        RequireId(taskId, nameof(taskId));
        ArgumentNullException.ThrowIfNull(agentIds);
        BigInteger[] ids = [.. agentIds.Distinct()];
        foreach (BigInteger id in ids)
        {
            RequireId(id, nameof(agentIds));
        }

        var keyed = new List<(BigInteger AgentId, BigInteger Key)>(ids.Length);
        if (ids.Length == 0)
        {
            return keyed;
        }

        // One block for every batch: the keys of one draw are read from one state.
        var block = new BlockParameter(await RunAsync(() => _client.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), cancellationToken).ConfigureAwait(false));
        string market = Market.ContractHandler.ContractAddress;
        var call = new Nethereum.RPC.Eth.Transactions.EthCall(_client.Web3.Client);
        foreach (BigInteger[] chunk in ids.Chunk(SortitionKeyBatchSize))
        {
            var batch = new Nethereum.JsonRpc.Client.RpcRequestResponseBatch { AcceptPartiallySuccessful = true };
            var items = chunk.Select((id, i) => new Nethereum.JsonRpc.Client.RpcRequestResponseBatchItem<Nethereum.RPC.Eth.Transactions.EthCall, string>(call,
                call.BuildRequest(new SortitionKeyFunction { TaskId = taskId, AgentId = id }.CreateCallInput(market), block, i + 1))).ToList();
            foreach (var item in items)
            {
                batch.BatchItems.Add(item);
            }

            await RunAsync(() => _client.Web3.Client.SendBatchRequestAsync(batch), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < chunk.Length; i++)
            {
                var item = items[i];
                if (!item.HasError)
                {
                    keyed.Add((chunk[i], UintDecoder.DecodeBigInteger(item.Response.HexToByteArray())));
                    continue;
                }

                Exception failure = TaskMarketService.ErrorDecoder.Translate(new Nethereum.JsonRpc.Client.RpcResponseException(item.RpcError));
                if (failure is AgentCluster.Evm.Errors.ContractCustomErrorException<InsufficientStakeError>)
                {
                    continue; // under the minimum stake at the snapshot: not a candidate
                }

                throw failure;
            }
        }

        return [.. keyed.OrderBy(k => k.Key).ThenBy(k => k.AgentId)];
    }

    /// <summary>How many <c>sortitionKey</c> calls <see cref="SortitionKeysAsync"/> sends in one JSON-RPC batch.</summary>
    public const int SortitionKeyBatchSize = 200;

    private static readonly Nethereum.ABI.Decoders.IntTypeDecoder UintDecoder = new(false);

    /// <summary>
    /// Keeper: submits the <paramref name="committeeSize"/> best of <paramref name="keyed"/> (keys from <see cref="SortitionKeysAsync"/>
    /// of candidates the caller has already checked: not the executor, not an agent of the requester or of the executor's owner,
    /// eligible) with <c>drawCommittee</c> in the fill phase. Agents already seated are skipped by the contract, as is everything past
    /// a full committee. The same selection as <see cref="DrawCommitteeBySortitionAsync"/>,
    /// for a caller (a keeper service with an event index) that found and checked the candidates itself.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer keyed candidates than seats, a committee size out of range, or a non-positive id.</exception>
    public Task<CommitteeDraw> DrawCommitteeFromKeysAsync(BigInteger taskId, int committeeSize, IReadOnlyCollection<(BigInteger AgentId, BigInteger Key)> keyed,
        CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Drawing a committee");
        RequireId(taskId, nameof(taskId));
        ArgumentNullException.ThrowIfNull(keyed);
        if (committeeSize is < MinCommitteeSize or > MaxCommitteeSize)
        {
            throw new ArgumentException($"committeeSize must be between {MinCommitteeSize} and {MaxCommitteeSize} (got {committeeSize}).", nameof(committeeSize));
        }

        foreach ((BigInteger id, _) in keyed)
        {
            RequireId(id, nameof(keyed));
        }

        return SubmitBestKeysAsync(taskId, committeeSize, keyed, nameof(keyed), cancellationToken);
    }

    /// <summary>The one place the best keys are chosen and submitted (shared by both sortition draws).</summary>
    private async Task<CommitteeDraw> SubmitBestKeysAsync(BigInteger taskId, int committeeSize, IReadOnlyCollection<(BigInteger AgentId, BigInteger Key)> keyed,
        string parameter, CancellationToken cancellationToken)
    {
        if (keyed.Count < committeeSize)
        {
            throw new ArgumentException($"Only {keyed.Count} eligible candidates for a committee of {committeeSize} on task {taskId}.", parameter);
        }

        List<(BigInteger AgentId, BigInteger Key)> chosen = [.. keyed.OrderBy(k => k.Key).ThenBy(k => k.AgentId).Take(committeeSize)];
        TransactionReceipt receipt = EnsureSucceeded(
            await Market.DrawCommitteeRequestAndWaitForReceiptAsync(taskId, [.. chosen.Select(c => c.AgentId)], cancellationToken).ConfigureAwait(false), "drawCommittee");
        int seated = receipt.DecodeAllEvents<MemberDrawnEventDTO>().Count;
        return new CommitteeDraw(chosen, seated, receipt);
    }

    private async Task<IReadOnlyCollection<BigInteger>> RegisteredAgentsAsync(CancellationToken ct)
    {
        string registry = _client.Contracts.Registry.ContractAddress;
        NewFilterInput filter = _client.Web3.Eth.GetEvent<AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition.AgentRegisteredEventDTO>(registry).CreateFilterInput();
        BigInteger to = (await RunAsync(() => _client.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), ct).ConfigureAwait(false)).Value;
        var ids = new List<BigInteger>();
        await foreach (FilterLog[] page in _client.Web3.GetLogsPagedAsync(filter, _client.Manifest.Block, to, ct: ct).ConfigureAwait(false))
        {
            ids.AddRange(page.DecodeAllEvents<AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition.AgentRegisteredEventDTO>().Select(e => e.Event.AgentId));
        }

        return ids;
    }

    /// <summary>
    /// The task's committee as the chain has it: the agents of its <c>MemberDrawn</c> events minus those of its <c>MemberEvicted</c>
    /// events (a better key claimed their seat), in chain order; read from the market's logs (task id is an indexed topic, paged from
    /// the deployment's block), empty before the draw.
    /// </summary>
    /// <exception cref="ArgumentException">A non-positive task id.</exception>
    public async Task<IReadOnlyList<BigInteger>> GetCommitteeAsync(BigInteger taskId, CancellationToken cancellationToken = default)
    {
        RequireId(taskId, nameof(taskId));
        BigInteger head = (await RunAsync(() => _client.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), cancellationToken).ConfigureAwait(false)).Value;
        var changes = new List<(BigInteger Block, BigInteger Index, BigInteger Agent, bool Drawn)>();
        async Task ReadAsync<TEvent>(bool drawn, Func<TEvent, BigInteger> agent)
            where TEvent : Nethereum.ABI.FunctionEncoding.Attributes.IEventDTO, new()
        {
            NewFilterInput filter = _client.Web3.Eth.GetEvent<TEvent>(Market.ContractAddress).CreateFilterInput(taskId);
            await foreach (FilterLog[] page in _client.Web3.GetLogsPagedAsync(filter, _client.Manifest.Block, head, ct: cancellationToken).ConfigureAwait(false))
            {
                changes.AddRange(page.DecodeAllEvents<TEvent>().Select(e => (e.Log.BlockNumber.Value, e.Log.LogIndex.Value, agent(e.Event), drawn)));
            }
        }

        await ReadAsync<MemberDrawnEventDTO>(true, e => e.AgentId).ConfigureAwait(false);
        await ReadAsync<MemberEvictedEventDTO>(false, e => e.AgentId).ConfigureAwait(false);
        var members = new List<BigInteger>();
        foreach (var change in changes.OrderBy(c => c.Block).ThenBy(c => c.Index))
        {
            if (change.Drawn)
            {
                members.Add(change.Agent);
            }
            else
            {
                members.Remove(change.Agent);
            }
        }

        return members;
    }

    /// <summary>
    /// Keeper: settles the task (once the reveal window is over or every member revealed) and settles the members named (may be
    /// empty); returns the outcome. If another keeper settled first, only the members are settled and the current status returned.
    /// </summary>
    public async Task<MarketTaskStatus> SettleAsync(BigInteger taskId, IReadOnlyCollection<BigInteger>? memberIds = null, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Settling a task");
        RequireId(taskId, nameof(taskId));
        List<BigInteger> members = [.. memberIds ?? []];
        foreach (BigInteger id in members)
        {
            RequireId(id, nameof(memberIds));
        }

        TransactionReceipt receipt = EnsureSucceeded(await Market.SettleRequestAndWaitForReceiptAsync(taskId, [], members, cancellationToken).ConfigureAwait(false), "settle");
        EventLog<TaskSettledEventDTO>? settled = receipt.DecodeAllEvents<TaskSettledEventDTO>().SingleOrDefault();
        return settled is not null ? (MarketTaskStatus)settled.Event.Outcome : (await GetAsync(taskId, cancellationToken).ConfigureAwait(false)).Status;
    }

    /// <summary>Keeper: applies each named member's consequences once (already settled ones are skipped); paid per member. Returns the members settled now.</summary>
    /// <exception cref="ArgumentException">No member named, or a non-positive id.</exception>
    public async Task<IReadOnlyList<BigInteger>> SettleMembersAsync(BigInteger taskId, IReadOnlyCollection<BigInteger> memberIds, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Settling members");
        RequireId(taskId, nameof(taskId));
        ArgumentNullException.ThrowIfNull(memberIds);
        if (memberIds.Count == 0)
        {
            throw new ArgumentException("Name at least one member to settle.", nameof(memberIds));
        }

        foreach (BigInteger id in memberIds)
        {
            RequireId(id, nameof(memberIds));
        }

        TransactionReceipt receipt = EnsureSucceeded(await Market.SettleMembersRequestAndWaitForReceiptAsync(taskId, [.. memberIds], cancellationToken).ConfigureAwait(false), "settleMembers");
        return [.. receipt.DecodeAllEvents<MemberSettledEventDTO>().Select(e => e.Event.AgentId)];
    }

    /// <summary>Keeper: settles one member (see <see cref="SettleMembersAsync"/>); true if it was settled now, false if it already was.</summary>
    public async Task<bool> SettleMemberAsync(BigInteger taskId, BigInteger memberId, CancellationToken cancellationToken = default) =>
        (await SettleMembersAsync(taskId, [memberId], cancellationToken).ConfigureAwait(false)).Contains(memberId);

    // ------------------------------------------------------------------ helpers

    /// <summary>The latest block's timestamp (the clock the market's windows run on).</summary>
    public async Task<DateTimeOffset> ChainTimeAsync(CancellationToken cancellationToken = default)
    {
        BlockWithTransactionHashes block = await RunAsync(
            () => _client.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()), cancellationToken).ConfigureAwait(false);
        return Time((ulong)block.Timestamp.Value);
    }

    /// <summary>
    /// Signs an EIP-2612 permit of the ACC token letting <paramref name="spender"/> (default: the task market) pull
    /// <paramref name="value"/> ACC wei from the signer until <paramref name="deadline"/>. The typed data is built with Nethereum
    /// (domain read from the token's ERC-5267 <c>eip712Domain()</c>, nonce from <c>nonces(owner)</c>: nothing hard-coded) and signed by
    /// the client's signer: a local key with <c>Secp256k1Signer</c>, an external signer (KMS, hardware wallet, remote signer) through
    /// Nethereum's <see cref="IEthExternalSigner.SignTypedDataJsonAsync"/>. The signature is checked to recover to the signer before it
    /// is returned. <see cref="SubmitAsync"/> uses it; a relayer can use it to submit on someone's behalf.
    /// </summary>
    /// <exception cref="ReadOnlyClientException">The client has no signer.</exception>
    /// <exception cref="ArgumentException">The value is not positive, or the spender is not an address.</exception>
    /// <exception cref="InvalidOperationException">The signer cannot sign typed data (neither a key nor an external signer), or its signature
    /// does not recover to its address.</exception>
    public async Task<SignedPermit> SignPermitAsync(BigInteger value, DateTimeOffset deadline, string? spender = null, CancellationToken cancellationToken = default)
    {
        string owner = _client.RequireSigner("Signing a permit");
        if (value <= 0 || value >= BigInteger.One << 256)
        {
            throw new ArgumentException($"The permit's value must be a positive uint256 (got {value}).", nameof(value));
        }

        string to;
        try
        {
            to = spender is null ? Market.ContractAddress : Evm.Validation.EvmInput.ParseAddress(spender);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"The permit's spender is not an address: {e.Message}", nameof(spender), e);
        }

        return await SignPermitCoreAsync(owner, to, value, deadline, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SignedPermit> SignPermitCoreAsync(string owner, string spender, BigInteger value, DateTimeOffset deadline, CancellationToken ct)
    {
        var token = _client.Contracts.Token;
        var domainInfo = await RunAsync(() => token.Eip712DomainQueryAsync(new AgentCluster.Evm.Bindings.AccToken.ContractDefinition.Eip712DomainFunction()), ct).ConfigureAwait(false);
        BigInteger nonce = await RunAsync(() => token.NoncesQueryAsync(owner), ct).ConfigureAwait(false);
        var typedData = new TypedData<Domain>
        {
            Domain = new Domain { Name = domainInfo.Name, Version = domainInfo.Version, ChainId = domainInfo.ChainId, VerifyingContract = domainInfo.VerifyingContract },
            Types = MemberDescriptionFactory.GetTypesMemberDescription(typeof(Domain), typeof(PermitMessage)),
            PrimaryType = "Permit",
        };
        var message = new PermitMessage { Owner = owner, Spender = spender, Value = value, Nonce = nonce, Deadline = deadline.ToUnixTimeSeconds() };
        string json = typedData.ToJson(message);
        byte[] sig = await Identity.ClientTypedDataSigner.SignAsync(_client, typedData, message, owner, "a permit", ct).ConfigureAwait(false);
        var permit = new Permit { Deadline = message.Deadline, V = sig[64], R = sig[..32], S = sig[32..64] };
        return new SignedPermit(permit, owner, spender, value, nonce, json, sig.ToHex(prefix: true));
    }

    internal static TransactionReceipt EnsureSucceeded(TransactionReceipt receipt, string what)
    {
        if (receipt.Status?.Value != 1)
        {
            throw new InvalidOperationException($"The {what} transaction {receipt.TransactionHash} was mined but failed (status {receipt.Status?.Value}).");
        }

        return receipt;
    }

    internal static void RequireId(BigInteger id, string name)
    {
        if (id <= 0 || id >= BigInteger.One << 256)
        {
            throw new ArgumentException($"{name} must be a positive uint256 (got {id}).", name);
        }
    }

    internal static DateTimeOffset Time(ulong unixSeconds) => DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds);

    internal static Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken ct) => RpcCancellation.RunAsync(call, ct);

    /// <summary>EIP-2612 <c>Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)</c>.</summary>
    [Struct("Permit")]
    private sealed class PermitMessage
    {
        [Parameter("address", "owner", 1)]
        public string Owner { get; set; } = "";

        [Parameter("address", "spender", 2)]
        public string Spender { get; set; } = "";

        [Parameter("uint256", "value", 3)]
        public BigInteger Value { get; set; }

        [Parameter("uint256", "nonce", 4)]
        public BigInteger Nonce { get; set; }

        [Parameter("uint256", "deadline", 5)]
        public BigInteger Deadline { get; set; }
    }
}
