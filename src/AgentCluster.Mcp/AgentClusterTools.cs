using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Matchmaking;
using AgentCluster.Sdk.Reputation;
using AgentCluster.Sdk.Reviews;
using AgentCluster.Sdk.Tasks;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Mcp;

/// <summary>
/// The MCP tools over one <see cref="AgentClusterClient"/> (one chain, one deployment, one signer). Every tool checks its arguments
/// first and answers JSON text; anything wrong (a bad argument, an unknown task or agent, a revert, a read-only server asked to send)
/// comes back as a tool error result (<c>isError: true</c>) whose text says what was wrong. Amounts are strings: wei as a whole number,
/// or ACC with a unit ("1.5 ACC"); ids are decimal or 0x-hex; an agent may also be named by its key's address.
/// </summary>
[McpServerToolType]
public sealed class AgentClusterTools : IDisposable
{
    private readonly AgentClusterClient _client;
    private readonly McpToolRunner _run;
    private readonly string _reviewsStorePath;
    private readonly CapabilityDirectory _directory;
    private readonly Lock _reviewsGate = new();
    private ReviewsClient? _reviews;

    /// <summary>Tools over <paramref name="client"/>; review salts go to <paramref name="reviewsStorePath"/>.</summary>
    /// <param name="client">The connected SDK client (not disposed with the tools).</param>
    /// <param name="reviewsStorePath">The SQLite salt store of commit_review / reveal_review (created at the first commit).</param>
    /// <param name="registrationsDirectory">Where find_agents looks for registration files of agents whose URI is not data: or file: (optional).</param>
    /// <param name="log">Diagnostics (never standard output: that is the protocol).</param>
    public AgentClusterTools(AgentClusterClient client, string reviewsStorePath, string? registrationsDirectory, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(reviewsStorePath);
        ArgumentNullException.ThrowIfNull(log);
        _client = client;
        _reviewsStorePath = reviewsStorePath;
        _directory = new CapabilityDirectory(client, registrationsDirectory);
        _run = new McpToolRunner(log);
    }

    /// <summary>The names of the tools that spend money (ACC or gas); their descriptions say so.</summary>
    public static IReadOnlyList<string> SpendingTools { get; } = ["submit_task", "bid", "post_result", "commit_review", "reveal_review"];

    // ------------------------------------------------------------------ status

    /// <summary>The signer and its agents.</summary>
    [McpServerTool(Name = "my_agent", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Read-only. Who this server acts as: the signer's address, chain id, ACC balance and unclaimed earnings, and each agent the signer owns (or is the key of): agent id, key, status, capability bitmask, stake, bond, attestation expiry. Call this first to learn your agent ids.")]
    public Task<CallToolResult> MyAgentAsync(CancellationToken cancellationToken = default) => _run.RunAsync("my_agent", async () =>
    {
        var result = new JsonObject
        {
            ["chain_id"] = _client.ChainId.ToString(CultureInfo.InvariantCulture),
            ["address"] = _client.Address,
            ["read_only"] = _client.IsReadOnly,
        };
        if (_client.Address is not { } address)
        {
            result["note"] = "No signer is configured: reads work, every tool that sends a transaction is refused.";
            return result;
        }

        result["acc_balance_wei"] = (await _client.Contracts.Token.BalanceOfQueryAsync(address).ConfigureAwait(false)).ToString(CultureInfo.InvariantCulture);
        result["earnings_wei"] = (await _client.Earnings.GetAsync(address, cancellationToken).ConfigureAwait(false)).ToString(CultureInfo.InvariantCulture);
        var ids = new List<BigInteger>(await _client.Agents.FindByOwnerAsync(address, cancellationToken: cancellationToken).ConfigureAwait(false));
        BigInteger own = AgentsClient.AgentIdOf(address);
        if (!ids.Contains(own) && await _client.Agents.GetStatusAsync(own, cancellationToken).ConfigureAwait(false) != AgentStatus.None)
        {
            ids.Add(own);
        }

        var agents = new JsonArray();
        foreach (BigInteger id in ids)
        {
            agents.Add(await DescribeAgentAsync(id, cancellationToken).ConfigureAwait(false));
        }

        result["agents"] = agents;
        return result;
    }, cancellationToken);

    /// <summary>A task, typed.</summary>
    [McpServerTool(Name = "task_status", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Read-only. A task's status and stage (Submitted, Routed, Executed, Verifying, Settled), requester, capabilities, bounty and fee (wei of ACC), executor and price, deadlines, committee seats, commits, reveals and approvals.")]
    public Task<CallToolResult> TaskStatusAsync(
        [Description("The task id (decimal or 0x-hex).")] string task_id,
        CancellationToken cancellationToken = default) => _run.RunAsync("task_status", async () =>
    {
        BigInteger id = McpInput.Id(task_id, "task_id");
        TaskInfo t = await GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
        return Describe(t);
    }, cancellationToken);

    /// <summary>An agent's reputation.</summary>
    [McpServerTool(Name = "reputation", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Read-only. An agent's reputation in its four dimensions (task, validator, compute, social) and the total, as the Reputation contract returns them (18 decimals, decayed with a 90-day half-life), with whole points, plus its status and stake.")]
    public Task<CallToolResult> ReputationAsync(
        [Description("The agent: its id (decimal or 0x-hex) or its key's address (0x + 40 hex digits).")] string agent,
        CancellationToken cancellationToken = default) => _run.RunAsync("reputation", async () =>
    {
        BigInteger id = McpInput.Agent(agent, "agent");
        await RequireAgentAsync(id, "agent", cancellationToken).ConfigureAwait(false);
        ReputationSummary r = await _client.Reputation.GetAsync(id, cancellationToken).ConfigureAwait(false);
        var result = new JsonObject
        {
            ["agent_id"] = Text(id),
            ["agent_key"] = AgentsClient.AgentKeyOf(id),
            ["status"] = (await _client.Agents.GetStatusAsync(id, cancellationToken).ConfigureAwait(false)).ToString(),
            ["stake_wei"] = Text(await _client.Staking.GetStakeAsync(id, cancellationToken).ConfigureAwait(false)),
        };
        foreach ((string name, BigInteger value) in new[] { ("task", r.Task), ("validator", r.Validator), ("compute", r.Compute), ("social", r.Social), ("total", r.Total) })
        {
            result[name] = new JsonObject { ["value"] = Text(value), ["points"] = Text(value / McpInput.Acc) };
        }

        return result;
    }, cancellationToken);

    // ------------------------------------------------------------------ matchmaking

    /// <summary>Agents by capability similarity.</summary>
    [McpServerTool(Name = "find_agents", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Read-only. Finds registered agents whose 512-dimension capability vector is most similar (cosine) to a query, above a threshold (0.85 by default), best first. Give the query as 'vector' (512 numbers) or as 'registration_file' (the JSON of a capability registration file, schema agentcluster.capabilities/1, whose vector is used). Each agent's vector comes from the registration file its agent URI points to (data: or file: URIs, or the server's registrations directory) and is used only if it hashes to the capabilityVectorHash on-chain; agents that could not be indexed are listed under 'skipped' with the reason.")]
    public Task<CallToolResult> FindAgentsAsync(
        [Description("The query vector: exactly 512 finite numbers, not all zero. Give this or registration_file.")] float[]? vector = null,
        [Description("A registration file's JSON text (schema agentcluster.capabilities/1) whose vector is the query. Give this or vector.")] string? registration_file = null,
        [Description("The least cosine similarity accepted, in [-1, 1]. Default 0.85.")] double threshold = ICapabilityIndex.DefaultThreshold,
        [Description("The most agents returned, 1 to 100. Default 10.")] int k = 10,
        [Description("Only agents whose status is Active (attested and unexpired). Default true.")] bool active_only = true,
        [Description("Only agents advertising all these capability bits (uint64 as decimal, 0x-hex or 0b-binary). Optional.")] string? capabilities = null,
        CancellationToken cancellationToken = default) => _run.RunAsync("find_agents", async () =>
    {
        CapabilityVector query;
        if ((vector is null) == (registration_file is null))
        {
            throw new McpToolInputException("vector", "give exactly one of vector (512 numbers) or registration_file (JSON text).");
        }

        if (vector is not null)
        {
            try
            {
                query = CapabilityVector.FromValues(vector);
            }
            catch (ArgumentException e)
            {
                throw new McpToolInputException("vector", e.Message.Split(" (Parameter")[0]);
            }
        }
        else
        {
            try
            {
                query = CapabilityRegistrationFile.Parse(registration_file!).Vector;
            }
            catch (Exception e) when (e is ArgumentException or CapabilityHashMismatchException)
            {
                throw new McpToolInputException("registration_file", e.Message.Split(" (Parameter")[0]);
            }
        }

        if (!double.IsFinite(threshold) || threshold < -1 || threshold > 1)
        {
            throw new McpToolInputException("threshold", $"must be a number in [-1, 1], got {threshold.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (k is < 1 or > 100)
        {
            throw new McpToolInputException("k", $"must be between 1 and 100, got {k}.");
        }

        ulong? required = capabilities is null ? null : McpInput.Capabilities(capabilities, "capabilities");
        // Ask the index for more than k: some matches may be filtered out below (status, capabilities, a changed hash).
        var (matches, skipped, indexed) = await _directory.SearchAsync(query, Math.Min(10_000, k * 4 + 16), (float)threshold, cancellationToken).ConfigureAwait(false);
        var found = new JsonArray();
        foreach (CapabilityMatch m in matches)
        {
            if (found.Count == k)
            {
                break;
            }

            AgentInfo info = await _client.Agents.GetAsync(m.AgentId, cancellationToken).ConfigureAwait(false);
            if (_directory.IndexedHash(m.AgentId) is { } hash && !hash.AsSpan().SequenceEqual(info.CapabilityVectorHash))
            {
                _directory.Invalidate(m.AgentId); // its capabilities changed since it was indexed: re-read at the next search
                continue;
            }

            if ((active_only && info.Status != AgentStatus.Active) || (required is { } bits && (info.Capabilities & bits) != bits))
            {
                continue;
            }

            found.Add(new JsonObject
            {
                ["agent_id"] = Text(m.AgentId),
                ["agent_key"] = info.AgentKey,
                ["owner"] = info.Owner,
                ["similarity"] = Math.Round(m.Similarity, 6),
                ["status"] = info.Status.ToString(),
                ["capabilities"] = Text(info.Capabilities),
            });
        }

        var skippedJson = new JsonArray();
        foreach ((BigInteger id, string reason) in skipped.OrderBy(p => p.Key))
        {
            skippedJson.Add(new JsonObject { ["agent_id"] = Text(id), ["reason"] = reason });
        }

        return new JsonObject
        {
            ["threshold"] = threshold,
            ["indexed_agents"] = indexed,
            ["agents"] = found,
            ["skipped"] = skippedJson,
        };
    }, cancellationToken);

    // ------------------------------------------------------------------ tasks

    /// <summary>Submits a task with a permit.</summary>
    [McpServerTool(Name = "submit_task", Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Spends ACC: escrows bounty + fee from the signer's ACC balance into the task market (one transaction, paid with an EIP-2612 permit, so no separate approve; the fee defaults to the market's minimum) and spends gas. The bounty goes to the executor if the committee accepts the result, and comes back if the task is refunded. Returns the task id, the fee and the total escrowed.")]
    public Task<CallToolResult> SubmitTaskAsync(
        [Description("The bounty: the most paid to the executor. Wei as a whole number, or ACC like \"100 ACC\".")] string bounty,
        [Description("When the result is due, in hours from now (chain time): after the bidding window, at most the market's maximum task duration.")] double deadline_hours,
        [Description("The requirements document as text; its keccak256 goes on-chain. Give this or requirements_hash.")] string? requirements = null,
        [Description("keccak256 of the requirements (0x + 64 hex digits). Give this or requirements.")] string? requirements_hash = null,
        [Description("Capability bits every one of which the executor must advertise (uint64 as decimal, 0x-hex or 0b-binary). Default 0: any agent.")] string capabilities = "0",
        [Description("The committee that reviews the result: 10 to 100 members. Default 10.")] int committee_size = TasksClient.MinCommitteeSize,
        [Description("The protocol fee (wei or \"x ACC\"); default the market's minimum for this bounty and committee size.")] string? fee = null,
        [Description("The executor's Task reputation floor in whole points. Default 0.")] long min_reputation = 0,
        CancellationToken cancellationToken = default) => _run.RunAsync("submit_task", async () =>
    {
        BigInteger bountyWei = McpInput.Amount(bounty, "bounty");
        byte[] hash = McpInput.HashOrText(requirements_hash, "requirements_hash", requirements, "requirements");
        ulong caps = McpInput.Capabilities(capabilities, "capabilities");
        if (committee_size is < TasksClient.MinCommitteeSize or > TasksClient.MaxCommitteeSize)
        {
            throw new McpToolInputException("committee_size", $"must be between {TasksClient.MinCommitteeSize} and {TasksClient.MaxCommitteeSize}, got {committee_size}.");
        }

        if (!double.IsFinite(deadline_hours) || deadline_hours <= 0 || deadline_hours > 24 * 3650)
        {
            throw new McpToolInputException("deadline_hours", $"must be a positive number of hours (at most ten years), got {deadline_hours.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (min_reputation < 0)
        {
            throw new McpToolInputException("min_reputation", $"must not be negative, got {min_reputation}.");
        }

        BigInteger? feeWei = fee is null ? null : McpInput.Amount(fee, "fee");
        RequireSigner("submit_task");
        DateTimeOffset now = await _client.Tasks.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        SubmittedTask s = await _client.Tasks.SubmitAsync(new TaskSubmission
        {
            RequirementsHash = hash,
            Capabilities = caps,
            Bounty = bountyWei,
            Fee = feeWei,
            Deadline = now + TimeSpan.FromHours(deadline_hours),
            CommitteeSize = (byte)committee_size,
            MinReputation = (ulong)min_reputation,
        }, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["task_id"] = Text(s.TaskId),
            ["requirements_hash"] = hash.ToHex(true),
            ["bounty_wei"] = Text(bountyWei),
            ["fee_wei"] = Text(s.Fee),
            ["escrowed_wei"] = Text(bountyWei + s.Fee),
            ["transaction"] = s.TransactionHash,
            ["block"] = Text(s.BlockNumber),
        };
    }, cancellationToken);

    /// <summary>Open tasks that fit the signer's agents.</summary>
    [McpServerTool(Name = "list_open_tasks", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Read-only. Tasks still open for bids (status Bidding, bidding window not over) whose required capabilities one of the signer's agents advertises (or that fit the 'capabilities' given), from the TaskSubmitted events; each lists the agents of the signer it fits. Resume with next_from_block.")]
    public Task<CallToolResult> ListOpenTasksAsync(
        [Description("Match against this capability bitmask instead of the signer's agents (uint64 as decimal, 0x-hex or 0b-binary). Optional.")] string? capabilities = null,
        [Description("The first block to read (decimal); default the deployment's block.")] string? from_block = null,
        CancellationToken cancellationToken = default) => _run.RunAsync("list_open_tasks", async () =>
    {
        ulong? given = capabilities is null ? null : McpInput.Capabilities(capabilities, "capabilities");
        BigInteger from = from_block is null ? _client.Manifest.Block : McpInput.Id(from_block == "0" ? "0x0" : from_block, "from_block");
        var agents = new List<(BigInteger Id, ulong Capabilities)>();
        if (given is null)
        {
            if (_client.Address is not { } address)
            {
                throw new McpToolInputException("capabilities", "this server has no signer, so it has no agents to match: give capabilities.");
            }

            foreach (BigInteger id in await _client.Agents.FindByOwnerAsync(address, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                AgentInfo info = await _client.Agents.GetAsync(id, cancellationToken).ConfigureAwait(false);
                if (info.Status is AgentStatus.Active or AgentStatus.Pending or AgentStatus.Suspended)
                {
                    agents.Add((id, info.Capabilities));
                }
            }

            if (agents.Count == 0)
            {
                throw new McpToolInputException("capabilities", $"the signer {address} owns no agent that can work: register one, or give capabilities.");
            }
        }

        ulong mask = given ?? agents.Aggregate(0UL, (m, a) => m | a.Capabilities);
        OpenTaskPage page = await _client.Tasks.FindOpenTasksAsync(mask, from, cancellationToken: cancellationToken).ConfigureAwait(false);
        var tasks = new JsonArray();
        foreach (OpenTask t in page.Tasks)
        {
            var fits = new JsonArray();
            foreach ((BigInteger id, ulong caps) in agents.Where(a => (t.Capabilities & ~a.Capabilities) == 0))
            {
                fits.Add(Text(id));
            }

            if (given is null && fits.Count == 0)
            {
                continue; // fits the union of the agents' capabilities but no single agent
            }

            tasks.Add(new JsonObject
            {
                ["task_id"] = Text(t.TaskId),
                ["requester"] = t.Requester,
                ["requirements_hash"] = t.RequirementsHash.ToHex(true),
                ["capabilities"] = Text(t.Capabilities),
                ["bounty_wei"] = Text(t.Bounty),
                ["fee_wei"] = Text(t.Fee),
                ["deadline"] = t.Deadline.ToString("u", CultureInfo.InvariantCulture),
                ["committee_size"] = t.CommitteeSize,
                ["min_reputation"] = Text(t.MinReputation),
                ["fits_agents"] = fits,
            });
        }

        return new JsonObject { ["tasks"] = tasks, ["next_from_block"] = Text(page.NextFromBlock) };
    }, cancellationToken);

    /// <summary>Bids on a task.</summary>
    [McpServerTool(Name = "bid", Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Spends gas: sends a bid transaction for one of the signer's agents (no ACC moves and nothing is locked when bidding; the agent must hold at least the market's minimum stake, and if it wins and the committee rejects its result, its stake is slashed). The lowest reputation-weighted price wins when the bidding window ends.")]
    public Task<CallToolResult> BidAsync(
        [Description("The task id (decimal or 0x-hex).")] string task_id,
        [Description("The bidding agent (owned by the signer, or whose key the signer is): id or key address.")] string agent_id,
        [Description("The price asked, at most the bounty: wei as a whole number, or ACC like \"90 ACC\".")] string price,
        CancellationToken cancellationToken = default) => _run.RunAsync("bid", async () =>
    {
        BigInteger task = McpInput.Id(task_id, "task_id");
        BigInteger agent = McpInput.Agent(agent_id, "agent_id");
        BigInteger priceWei = McpInput.Amount(price, "price");
        RequireSigner("bid");
        TaskInfo t = await GetTaskAsync(task, cancellationToken).ConfigureAwait(false);
        await RequireAgentAsync(agent, "agent_id", cancellationToken).ConfigureAwait(false);
        if (priceWei > t.Bounty)
        {
            throw new McpToolInputException("price", $"{priceWei} wei is more than the task's bounty {t.Bounty} wei.");
        }

        TransactionReceipt r = await _client.Tasks.BidAsync(task, agent, priceWei, cancellationToken).ConfigureAwait(false);
        TaskInfo after = await _client.Tasks.GetAsync(task, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["task_id"] = Text(task),
            ["agent_id"] = Text(agent),
            ["price_wei"] = Text(priceWei),
            ["best_bid"] = after.Executor == agent,
            ["bidding_ends_at"] = after.BiddingEndsAt.ToString("u", CultureInfo.InvariantCulture),
            ["transaction"] = r.TransactionHash,
        };
    }, cancellationToken);

    /// <summary>Posts a result.</summary>
    [McpServerTool(Name = "post_result", Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Spends gas: the executor posts its result (its keccak256 and where to fetch it) before the deadline; after the bidding window the best bidder may post without waiting for assignment (posting assigns the task). The committee then reviews it; a rejected result costs the executor stake.")]
    public Task<CallToolResult> PostResultAsync(
        [Description("The task id (decimal or 0x-hex).")] string task_id,
        [Description("Where the result can be fetched (e.g. ipfs://..., https://...).")] string result_uri,
        [Description("The result as text; its keccak256 goes on-chain. Give this or result_hash.")] string? result = null,
        [Description("keccak256 of the result (0x + 64 hex digits). Give this or result.")] string? result_hash = null,
        CancellationToken cancellationToken = default) => _run.RunAsync("post_result", async () =>
    {
        BigInteger task = McpInput.Id(task_id, "task_id");
        string uri = McpInput.Require(result_uri, "result_uri");
        byte[] hash = McpInput.HashOrText(result_hash, "result_hash", result, "result");
        RequireSigner("post_result");
        await GetTaskAsync(task, cancellationToken).ConfigureAwait(false);
        TransactionReceipt r = await _client.Tasks.PostResultAsync(task, hash, uri, cancellationToken).ConfigureAwait(false);
        TaskInfo after = await _client.Tasks.GetAsync(task, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["task_id"] = Text(task),
            ["result_hash"] = hash.ToHex(true),
            ["result_uri"] = uri,
            ["stage"] = after.Stage?.ToString(),
            ["transaction"] = r.TransactionHash,
        };
    }, cancellationToken);

    // ------------------------------------------------------------------ reviews

    /// <summary>Commits a committee member's vote.</summary>
    [McpServerTool(Name = "commit_review", Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Spends gas: a committee member (an agent of the signer seated on the task's committee) commits its vote, approve or reject, as a hash. The secret salt is stored durably in this server's reviews store before the transaction is sent; keep that file until reveal_review has run, because a member that does not reveal is slashed (loses stake).")]
    public Task<CallToolResult> CommitReviewAsync(
        [Description("The task id (decimal or 0x-hex).")] string task_id,
        [Description("The committee member: agent id or key address.")] string agent_id,
        [Description("true to approve the result, false to reject it.")] bool approve,
        CancellationToken cancellationToken = default) => _run.RunAsync("commit_review", async () =>
    {
        BigInteger task = McpInput.Id(task_id, "task_id");
        BigInteger agent = McpInput.Agent(agent_id, "agent_id");
        RequireSigner("commit_review");
        await GetTaskAsync(task, cancellationToken).ConfigureAwait(false);
        await RequireAgentAsync(agent, "agent_id", cancellationToken).ConfigureAwait(false);
        StoredCommitment c = await Reviews().CommitAsync(task, agent, approve, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["task_id"] = Text(task),
            ["agent_id"] = Text(agent),
            ["commitment"] = c.Commitment.ToHex(true),
            ["state"] = c.State.ToString(),
            ["salt_store"] = Reviews().Store.Path,
        };
    }, cancellationToken);

    /// <summary>Reveals stored votes.</summary>
    [McpServerTool(Name = "reveal_review", Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Spends gas: reveals committed votes with the salts in this server's reviews store. With task_id and agent_id, reveals that one vote; without them, reveals every stored vote whose reveal window is open and reports the others (NotYetOpen, Closed, Failed). The reveal window opens when the commit window ends, or as soon as every member committed.")]
    public Task<CallToolResult> RevealReviewAsync(
        [Description("The task id (decimal or 0x-hex); with agent_id. Omit both to reveal everything pending.")] string? task_id = null,
        [Description("The committee member: agent id or key address; with task_id.")] string? agent_id = null,
        CancellationToken cancellationToken = default) => _run.RunAsync("reveal_review", async () =>
    {
        if ((task_id is null) != (agent_id is null))
        {
            throw new McpToolInputException(task_id is null ? "task_id" : "agent_id", "give task_id and agent_id together (one vote), or neither (every pending vote).");
        }

        RequireSigner("reveal_review");
        var revealed = new JsonArray();
        if (task_id is not null)
        {
            BigInteger task = McpInput.Id(task_id, "task_id");
            BigInteger agent = McpInput.Agent(agent_id, "agent_id");
            await GetTaskAsync(task, cancellationToken).ConfigureAwait(false);
            StoredCommitment? stored = Reviews().Store.Find(_client.ChainId, _client.Contracts.TaskMarket.ContractAddress.ToLowerInvariant(), task, agent);
            if (stored is null)
            {
                throw new McpToolInputException("agent_id", $"the reviews store {Reviews().Store.Path} holds no commitment of agent {agent} for task {task} (commit_review stores it).");
            }

            if (stored.State == CommitmentState.Revealed)
            {
                throw new McpToolInputException("agent_id", $"agent {agent}'s vote on task {task} was already revealed.");
            }

            TransactionReceipt r = await Reviews().RevealAsync(task, agent, cancellationToken).ConfigureAwait(false);
            revealed.Add(new JsonObject { ["task_id"] = Text(task), ["agent_id"] = Text(agent), ["result"] = nameof(RevealResult.Revealed), ["transaction"] = r.TransactionHash });
        }
        else
        {
            foreach (RevealOutcome o in await Reviews().RevealPendingAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new JsonObject { ["task_id"] = Text(o.TaskId), ["agent_id"] = Text(o.AgentId), ["result"] = o.Result.ToString() };
                if (o.Error is { } error)
                {
                    row["error"] = error.Message;
                }

                revealed.Add(row);
            }
        }

        return new JsonObject { ["votes"] = revealed };
    }, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _reviews?.Dispose();
        _directory.Dispose();
    }

    // ------------------------------------------------------------------ helpers

    private ReviewsClient Reviews()
    {
        lock (_reviewsGate)
        {
            return _reviews ??= _client.OpenReviews(_reviewsStorePath);
        }
    }

    private void RequireSigner(string tool)
    {
        if (_client.IsReadOnly)
        {
            throw new ReadOnlyClientException($"{tool} sends a transaction, but this server has no signer (start it with a key: --private-key-env or --keystore).");
        }
    }

    private async Task<TaskInfo> GetTaskAsync(BigInteger id, CancellationToken ct)
    {
        try
        {
            return await _client.Tasks.GetAsync(id, ct).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            throw new McpToolInputException("task_id", $"task {id} does not exist on this market.");
        }
    }

    private async Task RequireAgentAsync(BigInteger id, string argument, CancellationToken ct)
    {
        if (await _client.Agents.GetStatusAsync(id, ct).ConfigureAwait(false) == AgentStatus.None)
        {
            throw new McpToolInputException(argument, $"agent {id} ({AgentsClient.AgentKeyOf(id)}) is not registered in this deployment.");
        }
    }

    private async Task<JsonObject> DescribeAgentAsync(BigInteger id, CancellationToken ct)
    {
        AgentInfo a = await _client.Agents.GetAsync(id, ct).ConfigureAwait(false);
        return new JsonObject
        {
            ["agent_id"] = Text(id),
            ["agent_key"] = a.AgentKey,
            ["owner"] = a.Owner,
            ["status"] = a.Status.ToString(),
            ["capabilities"] = Text(a.Capabilities),
            ["capability_vector_hash"] = a.CapabilityVectorHash.ToHex(true),
            ["stake_wei"] = Text(await _client.Staking.GetStakeAsync(id, ct).ConfigureAwait(false)),
            ["bond_wei"] = Text(a.Bond),
            ["attestation_expires"] = a.Attestation.Expires?.ToString("u", CultureInfo.InvariantCulture),
        };
    }

    private static JsonObject Describe(TaskInfo t) => new()
    {
        ["task_id"] = Text(t.TaskId),
        ["status"] = t.Status.ToString(),
        ["stage"] = t.Stage?.ToString(),
        ["requester"] = t.Requester,
        ["capabilities"] = Text(t.Capabilities),
        ["bounty_wei"] = Text(t.Bounty),
        ["fee_wei"] = Text(t.Fee),
        ["committee_size"] = t.CommitteeSize,
        ["min_reputation"] = Text(t.MinReputation),
        ["bidding_ends_at"] = t.BiddingEndsAt.ToString("u", CultureInfo.InvariantCulture),
        ["deadline"] = t.Deadline.ToString("u", CultureInfo.InvariantCulture),
        ["executor"] = t.Executor is { } e ? Text(e) : null,
        ["price_wei"] = Text(t.Price),
        ["result_posted_at"] = t.ResultPostedAt?.ToString("u", CultureInfo.InvariantCulture),
        ["seats"] = t.Seats,
        ["commits"] = t.Commits,
        ["reveals"] = t.Reveals,
        ["approvals"] = t.Approvals,
        ["draw_closes_at"] = t.DrawClosesAt?.ToString("u", CultureInfo.InvariantCulture),
        ["commit_ends_at"] = t.CommitEndsAt?.ToString("u", CultureInfo.InvariantCulture),
        ["reveal_ends_at"] = t.RevealEndsAt?.ToString("u", CultureInfo.InvariantCulture),
    };

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
