using System.Numerics;
using System.Text.Json;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using ModelContextProtocol.Client;
using Nethereum.Util;

namespace AgentCluster.Mcp.Tests;

/// <summary>The MCP server in-process, a real ModelContextProtocol client on the other end of the pipes, anvil behind it.</summary>
[NonParallelizable]
public class McpToolsTests
{
    private static readonly string[] AllTools =
        ["bid", "commit_review", "find_agents", "list_open_tasks", "my_agent", "post_result", "reputation", "reveal_review", "submit_task", "task_status"];

    private McpWorld _world = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        _world = await McpWorld.StartAsync(cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    private static CancellationToken Timeout(out CancellationTokenSource cts, int minutes = 3)
    {
        cts = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        return cts.Token;
    }

    private static Dictionary<string, object?> Args(params (string Name, object? Value)[] args) => args.ToDictionary(a => a.Name, a => a.Value);

    [Test]
    public async Task Tools_AreListed_WithDescriptions_AndTheSpendingOnesSaySo()
    {
        CancellationToken ct = Timeout(out var cts);
        using var _ = cts;
        await using McpSession session = await _world.ConnectAsync(McpWorld.Requester, ct);
        IList<McpClientTool> tools = await session.Client.ListToolsAsync(cancellationToken: ct);
        Assert.That(tools.Select(t => t.Name).Order(), Is.EqualTo(AllTools));
        Assert.That(AgentClusterTools.SpendingTools, Is.EquivalentTo(new[] { "submit_task", "bid", "post_result", "commit_review", "reveal_review" }));
        Assert.Multiple(() =>
        {
            foreach (McpClientTool tool in tools)
            {
                if (AgentClusterTools.SpendingTools.Contains(tool.Name))
                {
                    Assert.That(tool.Description, Does.StartWith("Spends"), tool.Name);
                    Assert.That(tool.ProtocolTool.Annotations?.ReadOnlyHint, Is.Not.True, tool.Name);
                }
                else
                {
                    Assert.That(tool.Description, Does.StartWith("Read-only."), tool.Name);
                    Assert.That(tool.Description, Does.Not.Contain("Spends"), tool.Name);
                    Assert.That(tool.ProtocolTool.Annotations?.ReadOnlyHint, Is.True, tool.Name);
                }
            }
        });
        Assert.That(tools.Single(t => t.Name == "submit_task").Description, Does.StartWith("Spends ACC"));
        JsonElement bidSchema = tools.Single(t => t.Name == "bid").JsonSchema;
        Assert.That(bidSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()), Is.EquivalentTo(new[] { "task_id", "agent_id", "price" }));
        Assert.That(bidSchema.GetProperty("properties").GetProperty("price").GetProperty("description").GetString(), Does.Contain("ACC"));
    }

    [Test]
    public async Task MyAgent_ReportsTheSigner_AndItsAgents()
    {
        CancellationToken ct = Timeout(out var cts);
        using var _ = cts;
        await using McpSession session = await _world.ConnectAsync(McpWorld.ExecutorOwner, ct);
        JsonElement me = await session.CallOkAsync("my_agent", [], ct);
        Assert.That(me.GetProperty("address").GetString(), Is.EqualTo(AddressUtil.Current.ConvertToChecksumAddress(AnvilAccounts.Addresses[McpWorld.ExecutorOwner])));
        Assert.That(me.GetProperty("read_only").GetBoolean(), Is.False);
        Assert.That(me.GetProperty("chain_id").GetString(), Is.EqualTo(_world.Suite.Manifest.ChainId.ToString()));
        JsonElement agent = me.GetProperty("agents").EnumerateArray().Single();
        Assert.Multiple(() =>
        {
            Assert.That(agent.GetProperty("agent_id").GetString(), Is.EqualTo(_world.Executor.ToString()));
            Assert.That(agent.GetProperty("status").GetString(), Is.EqualTo("Active"));
            Assert.That(agent.GetProperty("capabilities").GetString(), Is.EqualTo(McpWorld.ExecutorCapabilities.ToString()));
            Assert.That(agent.GetProperty("stake_wei").GetString(), Is.EqualTo(McpWorld.Stake.ToString()));
            Assert.That(agent.GetProperty("capability_vector_hash").GetString(), Is.EqualTo(_world.VectorA.ComputeHashHex()));
        });
    }

    [Test]
    public async Task FindAgents_BySimilarity_OnlyVerifiedFiles_WithThresholdAndFilters()
    {
        CancellationToken ct = Timeout(out var cts);
        using var _ = cts;
        await using McpSession session = await _world.ConnectAsync(McpWorld.Requester, ct);
        float[] query = _world.VectorA.Values.ToArray();
        JsonElement found = await session.CallOkAsync("find_agents", Args(("vector", query)), ct);
        string[] ids = [.. found.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agent_id").GetString()!)];
        Assert.That(ids, Is.EqualTo(new[] { _world.Executor.ToString(), _world.Committee[0].ToString() }),
            "A itself, then the vector near A; B (cosine 0) is below the 0.85 threshold");
        JsonElement first = found.GetProperty("agents")[0];
        Assert.That(first.GetProperty("similarity").GetDouble(), Is.EqualTo(1.0).Within(1e-5));
        Assert.That(found.GetProperty("agents")[1].GetProperty("similarity").GetDouble(),
            Is.EqualTo(_world.VectorA.CosineSimilarity(_world.VectorNearA)).Within(1e-5));
        Assert.That(found.GetProperty("indexed_agents").GetInt32(), Is.EqualTo(3), "executor, near-A and B have files that match their on-chain hash");

        var skipped = found.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("agent_id").GetString()!, s => s.GetProperty("reason").GetString()!);
        Assert.That(skipped.Keys, Is.EquivalentTo(_world.Committee.Skip(2).Select(id => id.ToString())));
        Assert.That(skipped[_world.Committee[2].ToString()], Does.Contain("hashes to").And.Contain("not to the expected"), "a file whose vector is not the registered one is refused");
        Assert.That(skipped[_world.Committee[3].ToString()], Does.Contain("ipfs://"), "a URI the server does not fetch is named");

        // The query as a registration file; a stricter threshold; a capability filter.
        string file = new AgentCluster.Sdk.Matchmaking.CapabilityRegistrationFile(1, 0, _world.VectorB).ToJson();
        JsonElement byFile = await session.CallOkAsync("find_agents", Args(("registration_file", file)), ct);
        Assert.That(byFile.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agent_id").GetString()), Is.EqualTo(new[] { _world.Committee[1].ToString() }));
        JsonElement strict = await session.CallOkAsync("find_agents", Args(("vector", query), ("threshold", 0.9999)), ct);
        Assert.That(strict.GetProperty("agents").GetArrayLength(), Is.EqualTo(1));
        JsonElement filtered = await session.CallOkAsync("find_agents", Args(("vector", query), ("capabilities", "0b100")), ct);
        Assert.That(filtered.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agent_id").GetString()), Is.EqualTo(new[] { _world.Executor.ToString() }));
        JsonElement low = await session.CallOkAsync("find_agents", Args(("vector", query), ("threshold", -1.0), ("k", 3)), ct);
        Assert.That(low.GetProperty("agents").GetArrayLength(), Is.EqualTo(3), "k bounds the answer");

        // The owner registers another vector hash for member 1: its file (vector B) no longer matches, so it is no longer found.
        await using (AgentClusterClient owner = await _world.ClientAsync(McpWorld.CommitteeOwner, ct))
        {
            await owner.Agents.SetCapabilitiesAsync(_world.Committee[1], 0b1, McpWorld.Vector(seed: 5).ComputeHash(), ct);
        }

        JsonElement after = await session.CallOkAsync("find_agents", Args(("registration_file", file)), ct);
        Assert.That(after.GetProperty("agents").GetArrayLength(), Is.Zero, "the changed registration is re-checked against its file");
        Assert.That(after.GetProperty("indexed_agents").GetInt32(), Is.EqualTo(2));
        Assert.That(after.GetProperty("skipped").EnumerateArray().Single(e => e.GetProperty("agent_id").GetString() == _world.Committee[1].ToString())
            .GetProperty("reason").GetString(), Does.Contain($"not to the expected {McpWorld.Vector(seed: 5).ComputeHashHex()}"));
    }

    [Test]
    public async Task Task_FromSubmitToReveal_ThroughMcpTools()
    {
        CancellationToken ct = Timeout(out var cts, minutes: 6);
        using var _ = cts;
        await using McpSession requester = await _world.ConnectAsync(McpWorld.Requester, ct);
        await using McpSession executor = await _world.ConnectAsync(McpWorld.ExecutorOwner, ct);
        await using McpSession committee = await _world.ConnectAsync(McpWorld.CommitteeOwner, ct);
        await using AgentClusterClient keeper = await _world.ClientAsync(0, ct);
        var token = keeper.Contracts.Token;
        string requesterAddress = AnvilAccounts.Addresses[McpWorld.Requester];

        // submit_task: bounty + the minimum fee leave the requester's balance, in one transaction (permit, no approve).
        BigInteger before = await token.BalanceOfQueryAsync(requesterAddress);
        BigInteger minFee = await keeper.Tasks.GetMinimumFeeAsync(100 * McpWorld.Acc, McpWorld.CommitteeSize, ct);
        JsonElement submitted = await requester.CallOkAsync("submit_task", Args(("bounty", "100 ACC"), ("deadline_hours", 48.0),
            ("requirements", "translate the manual"), ("capabilities", "0b101")), ct);
        string taskId = submitted.GetProperty("task_id").GetString()!;
        Assert.Multiple(async () =>
        {
            Assert.That(submitted.GetProperty("fee_wei").GetString(), Is.EqualTo(minFee.ToString()));
            Assert.That(submitted.GetProperty("escrowed_wei").GetString(), Is.EqualTo((100 * McpWorld.Acc + minFee).ToString()));
            Assert.That(submitted.GetProperty("requirements_hash").GetString(),
                Is.EqualTo(Nethereum.Hex.HexConvertors.Extensions.HexByteConvertorExtensions.ToHex(Sha3Keccack.Current.CalculateHash("translate the manual"u8.ToArray()), true)));
            Assert.That(await token.BalanceOfQueryAsync(requesterAddress), Is.EqualTo(before - 100 * McpWorld.Acc - minFee));
        });
        JsonElement status = await requester.CallOkAsync("task_status", Args(("task_id", taskId)), ct);
        Assert.That((status.GetProperty("status").GetString(), status.GetProperty("stage").GetString(), status.GetProperty("capabilities").GetString()),
            Is.EqualTo(("Bidding", "Submitted", "5")));

        // list_open_tasks: the executor's agent (0b101) fits; the committee's agents (0b1) do not.
        JsonElement open = await executor.CallOkAsync("list_open_tasks", [], ct);
        JsonElement listed = open.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("task_id").GetString() == taskId);
        Assert.That(listed.GetProperty("fits_agents").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { _world.Executor.ToString() }));
        Assert.That(listed.GetProperty("bounty_wei").GetString(), Is.EqualTo((100 * McpWorld.Acc).ToString()));
        JsonElement notForCommittee = await committee.CallOkAsync("list_open_tasks", [], ct);
        Assert.That(notForCommittee.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task_id").GetString()), Does.Not.Contain(taskId));

        // bid, by agent key address this time: the best (only) bid.
        JsonElement bid = await executor.CallOkAsync("bid", Args(("task_id", taskId), ("agent_id", AgentCluster.Sdk.Agents.AgentsClient.AgentKeyOf(_world.Executor)), ("price", "90 ACC")), ct);
        Assert.That(bid.GetProperty("best_bid").GetBoolean(), Is.True);
        TaskInfo afterBid = await keeper.Tasks.GetAsync(BigInteger.Parse(taskId), ct);
        Assert.That((afterBid.Executor, afterBid.Price), Is.EqualTo(((BigInteger?)_world.Executor, 90 * McpWorld.Acc)));

        await _world.WarpAsync(3_601); // past the bidding window
        string closed = await executor.CallErrorAsync("bid", Args(("task_id", taskId), ("agent_id", _world.Executor.ToString()), ("price", "80 ACC")), ct);
        Assert.That(closed, Is.EqualTo($"bid: the contract reverted with BiddingClosed(taskId: {taskId}, biddingEndsAt: {afterBid.BiddingEndsAt.ToUnixTimeSeconds()})."));

        // post_result assigns the task to the best bidder and posts in one go.
        JsonElement posted = await executor.CallOkAsync("post_result", Args(("task_id", taskId), ("result", "das Handbuch"), ("result_uri", "ipfs://result")), ct);
        Assert.That(posted.GetProperty("stage").GetString(), Is.EqualTo("Executed"));

        await _world.MineAsync(3); // the seed is readable from the block after request + 2
        CommitteeDraw draw = await keeper.Tasks.DrawCommitteeBySortitionAsync(BigInteger.Parse(taskId), cancellationToken: ct);
        Assert.That(draw.Chosen.Select(c => c.AgentId), Is.EquivalentTo(_world.Committee));
        TaskInfo drawn = await keeper.Tasks.GetAsync(BigInteger.Parse(taskId), ct);
        await _world.WarpAsync((long)(drawn.DrawClosesAt!.Value - await _world.ChainTimeAsync()).TotalSeconds + 1); // commit phase

        // commit_review for the ten members (8 approve), then reveal_review reveals them all from the salt store.
        for (int i = 0; i < McpWorld.CommitteeSize; i++)
        {
            JsonElement c = await committee.CallOkAsync("commit_review", Args(("task_id", taskId), ("agent_id", _world.Committee[i].ToString()), ("approve", i < 8)), ct);
            Assert.That(c.GetProperty("state").GetString(), Is.EqualTo("Committed"));
        }

        string twice = await committee.CallErrorAsync("commit_review", Args(("task_id", taskId), ("agent_id", _world.Committee[0].ToString()), ("approve", false)), ct);
        Assert.That(twice, Does.Contain($"already committed a vote for task {taskId}"));
        JsonElement one = await committee.CallOkAsync("reveal_review", Args(("task_id", taskId), ("agent_id", _world.Committee[0].ToString())), ct);
        Assert.That(one.GetProperty("votes")[0].GetProperty("result").GetString(), Is.EqualTo("Revealed"));
        JsonElement rest = await committee.CallOkAsync("reveal_review", [], ct);
        Assert.That(rest.GetProperty("votes").EnumerateArray().Select(v => v.GetProperty("result").GetString()), Is.All.EqualTo("Revealed"));
        Assert.That(rest.GetProperty("votes").EnumerateArray().Select(v => v.GetProperty("agent_id").GetString()),
            Is.EquivalentTo(_world.Committee.Skip(1).Select(id => id.ToString())));

        JsonElement final = await requester.CallOkAsync("task_status", Args(("task_id", taskId)), ct);
        Assert.That((final.GetProperty("commits").GetInt32(), final.GetProperty("reveals").GetInt32(), final.GetProperty("approvals").GetInt32()),
            Is.EqualTo((10, 10, 8)), "the contract accepted every reveal");

        // reputation: the executor's, read by id and by key address, equals the contract's.
        var summary = await keeper.Reputation.GetAsync(_world.Executor, ct);
        foreach (string name in new[] { _world.Executor.ToString(), AgentCluster.Sdk.Agents.AgentsClient.AgentKeyOf(_world.Executor) })
        {
            JsonElement rep = await requester.CallOkAsync("reputation", Args(("agent", name)), ct);
            Assert.That(rep.GetProperty("agent_id").GetString(), Is.EqualTo(_world.Executor.ToString()));
            Assert.That(rep.GetProperty("compute").GetProperty("value").GetString(), Is.EqualTo(summary.Compute.ToString()));
            Assert.That(rep.GetProperty("total").GetProperty("value").GetString(), Is.EqualTo(summary.Total.ToString()));
            Assert.That(rep.GetProperty("stake_wei").GetString(), Is.EqualTo(McpWorld.Stake.ToString()));
        }

        Assert.That(summary.Compute, Is.GreaterThan(BigInteger.Zero), "attested: the compute dimension is set");
    }

    [Test]
    public async Task EveryTool_RefusesBadInput_WithAClearError_AndSendsNothing()
    {
        CancellationToken ct = Timeout(out var cts, minutes: 4);
        using var _ = cts;
        await using McpSession requester = await _world.ConnectAsync(McpWorld.Requester, ct);
        await using McpSession executor = await _world.ConnectAsync(McpWorld.ExecutorOwner, ct);
        await using AgentClusterClient requesterClient = await _world.ClientAsync(McpWorld.Requester, ct);
        SubmittedTask task = await requesterClient.Tasks.SubmitAsync(new TaskSubmission
        {
            RequirementsHash = Sha3Keccack.Current.CalculateHash("bad input"u8.ToArray()),
            Bounty = 10 * McpWorld.Acc,
            Deadline = await _world.ChainTimeAsync() + TimeSpan.FromDays(2),
        }, ct);
        string taskId = task.TaskId.ToString();
        string unknown = "987654321";
        string agent = _world.Executor.ToString();
        string hash = "0x" + new string('a', 64);

        var cases = new (McpSession Session, string Tool, Dictionary<string, object?> Args, string Expected)[]
        {
            (requester, "task_status", Args(("task_id", unknown)), $"task_status: bad argument task_id: task {unknown} does not exist on this market."),
            (requester, "task_status", Args(("task_id", "12abc")), "task_status: bad argument task_id: '12abc' is not a number: give a decimal integer or 0x-hex."),
            (requester, "task_status", Args(("task_id", "0")), "task_status: bad argument task_id: must be a positive integer below 2^256, got '0'."),
            (requester, "reputation", Args(("agent", "0x12345")), "reputation: bad argument agent: Address '0x12345' has 5 hex digits; an address is exactly 40 (20 bytes)."),
            (requester, "reputation", Args(("agent", "0x" + new string('g', 40))), "reputation: bad argument agent: Address '0xgggggggggggggggggggggggggggggggggggggggg' has a non-hex character 'g' at index 2."),
            (requester, "reputation", Args(("agent", "0x52908400098527886E0F7030069857D2E4169EE7".ToLowerInvariant()[..41] + "X")), "reputation: bad argument agent: Address"),
            (requester, "reputation", Args(("agent", "-7")), "reputation: bad argument agent: '-7' is neither an agent id (a decimal number) nor an agent key address (0x + 40 hex digits)."),
            (requester, "reputation", [], "reputation: bad argument agent: is required."),
            (requester, "reputation", Args(("agent", 42)), "reputation: bad argument agent: expected a string, got the number 42."),
            (requester, "reputation", Args(("agent", "42")), "reputation: bad argument agent: agent 42 (0x000000000000000000000000000000000000002A) is not registered in this deployment."),
            (requester, "find_agents", Args(("vector", new object[] { 1, "x" })), "find_agents: bad argument vector: item 1 should be a number, got the string \"x\"."),
            (requester, "find_agents", Args(("vector", new float[3])), "find_agents: bad argument vector: A capability vector has exactly 512 dimensions; got 3."),
            (requester, "find_agents", Args(("vector", new float[512])), "find_agents: bad argument vector: The capability vector is all zeros"),
            (requester, "find_agents", [], "find_agents: bad argument vector: give exactly one of vector (512 numbers) or registration_file (JSON text)."),
            (requester, "find_agents", Args(("registration_file", "{not json")), "find_agents: bad argument registration_file: The registration file is not valid JSON"),
            (requester, "find_agents", Args(("vector", _world.VectorA.Values.ToArray()), ("threshold", 1.5)), "find_agents: bad argument threshold: must be a number in [-1, 1], got 1.5."),
            (requester, "find_agents", Args(("vector", _world.VectorA.Values.ToArray()), ("k", 0)), "find_agents: bad argument k: must be between 1 and 100, got 0."),
            (requester, "submit_task", Args(("bounty", "-5"), ("deadline_hours", 48.0), ("requirements", "x")), "submit_task: bad argument bounty: '-5' is not an amount: give wei as a whole number (no sign, no decimals), or ACC like \"1.5 ACC\"."),
            (requester, "submit_task", Args(("bounty", "1.2.3 ACC"), ("deadline_hours", 48.0), ("requirements", "x")), "submit_task: bad argument bounty: '1.2.3 ACC' is not an amount"),
            (requester, "submit_task", Args(("bounty", "0.0000000000000000001 ACC"), ("deadline_hours", 48.0), ("requirements", "x")), "submit_task: bad argument bounty: '0.0000000000000000001 ACC' has more than 18 decimals"),
            (requester, "submit_task", Args(("bounty", "0"), ("deadline_hours", 48.0), ("requirements", "x")), "submit_task: bad argument bounty: must be more than 0, got '0'."),
            (requester, "submit_task", Args(("bounty", "1 ACC"), ("deadline_hours", 48.0)), "submit_task: bad argument requirements: give requirements (hashed with keccak256) or requirements_hash."),
            (requester, "submit_task", Args(("bounty", "1 ACC"), ("deadline_hours", 48.0), ("requirements_hash", "0x1234")), "submit_task: bad argument requirements_hash: must be 32 bytes as 0x followed by 64 hex digits, got '0x1234'."),
            (requester, "submit_task", Args(("bounty", "1 ACC"), ("deadline_hours", 48.0), ("requirements", "x"), ("committee_size", 5)), "submit_task: bad argument committee_size: must be between 10 and 100, got 5."),
            (requester, "submit_task", Args(("bounty", "1 ACC"), ("deadline_hours", 48.0), ("requirements", "x"), ("capabilities", "0b102")), "submit_task: bad argument capabilities: '0b102' is not a capability bitmask"),
            (requester, "submit_task", Args(("bounty", "1 ACC"), ("deadline_hours", 0.5), ("requirements", "x")), "submit_task: bad argument: Deadline "),
            (requester, "submit_task", Args(("bounty", "1 ACC"), ("deadline_hours", -1.0), ("requirements", "x")), "submit_task: bad argument deadline_hours: must be a positive number of hours (at most ten years), got -1."),
            (requester, "submit_task", Args(("bounty", "1000000 ACC"), ("deadline_hours", 48.0), ("requirements", "x")), $"submit_task: bad argument: The requester {AddressUtil.Current.ConvertToChecksumAddress(AnvilAccounts.Addresses[McpWorld.Requester])} holds "),
            (requester, "list_open_tasks", [], $"list_open_tasks: bad argument capabilities: the signer {AddressUtil.Current.ConvertToChecksumAddress(AnvilAccounts.Addresses[McpWorld.Requester])} owns no agent that can work: register one, or give capabilities."),
            (requester, "list_open_tasks", Args(("capabilities", "x")), "list_open_tasks: bad argument capabilities: 'x' is not a capability bitmask"),
            (executor, "bid", Args(("task_id", unknown), ("agent_id", agent), ("price", "1 ACC")), $"bid: bad argument task_id: task {unknown} does not exist on this market."),
            (executor, "bid", Args(("task_id", taskId), ("agent_id", agent), ("price", "11 ACC")), $"bid: bad argument price: {11 * McpWorld.Acc} wei is more than the task's bounty {10 * McpWorld.Acc} wei."),
            (executor, "bid", Args(("task_id", taskId), ("agent_id", agent), ("price", "ten")), "bid: bad argument price: 'ten' is not an amount"),
            (executor, "bid", Args(("task_id", taskId), ("agent_id", agent)), "bid: bad argument price: is required."),
            (executor, "bid", Args(("task_id", taskId), ("agent_id", "0xnotanaddress"), ("price", "1 ACC")), "bid: bad argument agent_id: Address '0xnotanaddress' has a non-hex character 'n' at index 2."),
            (executor, "bid", Args(("task_id", taskId), ("agent_id", agent), ("price", "1 ACC"), ("gas", "lots")), "bid: bad argument gas: this tool has no such argument (it takes task_id, agent_id, price)."),
            (executor, "bid", Args(("task_id", taskId), ("agent_id", _world.Committee[0].ToString()), ("price", "1 ACC")),
                $"bid: the contract reverted with NotAgentController(agentId: {_world.Committee[0]}, caller: {AddressUtil.Current.ConvertToChecksumAddress(AnvilAccounts.Addresses[McpWorld.ExecutorOwner])})."),
            (executor, "post_result", Args(("task_id", taskId), ("result", "r"), ("result_uri", "ipfs://r"), ("result_hash", hash)), "post_result: bad argument result_hash: give result_hash or result, not both."),
            (executor, "post_result", Args(("task_id", taskId), ("result", "r"), ("result_uri", " ")), "post_result: bad argument result_uri: is required."),
            (executor, "post_result", Args(("task_id", unknown), ("result", "r"), ("result_uri", "ipfs://r")), $"post_result: bad argument task_id: task {unknown} does not exist on this market."),
            (executor, "post_result", Args(("task_id", taskId), ("result", "r"), ("result_uri", "ipfs://r")), $"post_result: the contract reverted with WrongStatus(taskId: {taskId}, status: 1, expected: 2)."),
            (executor, "commit_review", Args(("task_id", taskId), ("agent_id", "0"), ("approve", true)), "commit_review: bad argument agent_id: an agent id is its key's address as a number, between 1 and 2^160 - 1; got 0."),
            (executor, "commit_review", Args(("task_id", taskId), ("agent_id", agent), ("approve", true)), $"commit_review: the contract reverted with WrongStatus(taskId: {taskId}, status: 1, expected: 3)."),
            (executor, "commit_review", Args(("task_id", taskId), ("agent_id", agent), ("approve", "yes")), "commit_review: bad argument approve: expected true or false, got the string \"yes\"."),
            (executor, "reveal_review", Args(("task_id", taskId)), "reveal_review: bad argument agent_id: give task_id and agent_id together (one vote), or neither (every pending vote)."),
            (executor, "reveal_review", Args(("task_id", taskId), ("agent_id", agent)), $"reveal_review: bad argument agent_id: the reviews store"),
        };

        BigInteger requesterNonce = await NonceAsync(McpWorld.Requester);
        BigInteger executorNonce = await NonceAsync(McpWorld.ExecutorOwner);
        Assert.Multiple(async () =>
        {
            foreach ((McpSession session, string tool, Dictionary<string, object?> args, string expected) in cases)
            {
                string error = await session.CallErrorAsync(tool, args, ct);
                Assert.That(error, Does.StartWith(tool + ": "), $"{tool} {JsonSerializer.Serialize(args)}");
                Assert.That(error, Does.Not.Contain("An error occurred"), "the SDK's generic text never replaces ours");
                Assert.That(error, Does.Contain(expected), $"{tool} {JsonSerializer.Serialize(args)}");
                Assert.That(error, Does.Not.Contain("   at "), "no stack trace");
            }
        });
        Assert.That(await NonceAsync(McpWorld.Requester), Is.EqualTo(requesterNonce), "nothing was sent by the requester");
        Assert.That(await NonceAsync(McpWorld.ExecutorOwner), Is.EqualTo(executorNonce), "nothing was sent: reverts are caught at gas estimation");
        Assert.That(requester.Server.IsCompleted, Is.False, "the server is still serving");
        JsonElement still = await requester.CallOkAsync("task_status", Args(("task_id", taskId)), ct);
        Assert.That((still.GetProperty("status").GetString(), still.GetProperty("seats").GetInt32()), Is.EqualTo(("Bidding", 0)), "no bad call changed the task");
    }

    [Test]
    public async Task ReadOnlyServer_Reads_AndRefusesEverySend()
    {
        CancellationToken ct = Timeout(out var cts);
        using var _ = cts;
        await using McpSession session = await _world.ConnectAsync(null, ct);
        JsonElement me = await session.CallOkAsync("my_agent", [], ct);
        Assert.That(me.GetProperty("read_only").GetBoolean(), Is.True);
        string error = await session.CallErrorAsync("submit_task", Args(("bounty", "1 ACC"), ("deadline_hours", 48.0), ("requirements", "x")), ct);
        Assert.That(error, Is.EqualTo("submit_task: submit_task sends a transaction, but this server has no signer (start it with a key: --private-key-env or --keystore)."));
        string reveal = await session.CallErrorAsync("reveal_review", [], ct);
        Assert.That(reveal, Does.StartWith("reveal_review: reveal_review sends a transaction, but this server has no signer"));
        JsonElement rep = await session.CallOkAsync("reputation", Args(("agent", _world.Executor.ToString())), ct);
        Assert.That(rep.GetProperty("status").GetString(), Is.EqualTo("Active"));
    }

    [Test]
    public async Task Server_ThatCannotConnect_SaysWhy_AndExits()
    {
        CancellationToken ct = Timeout(out var cts);
        using var _ = cts;
        var log = new StringWriter();
        using var input = new MemoryStream();
        using var output = new MemoryStream();
        int code = await AgentClusterMcpServer.RunStdioAsync(new AgentClusterMcpServerOptions
        {
            Client = new AgentClusterClientOptions { RpcUrl = _world.Suite.Node.RpcUrl.ToString(), Manifest = _world.Suite.Manifest, ChainId = 1 },
        }, input, output, log, ct);
        Assert.That(code, Is.EqualTo(AgentClusterMcpServer.ExitStartFailed));
        Assert.That(log.ToString(), Is.EqualTo($"[agentcluster mcp] cannot start: The options ask for chain 1 but the manifest is for chain {_world.Suite.Manifest.ChainId}.{Environment.NewLine}"));
        Assert.That(output.Length, Is.Zero, "nothing on the protocol stream");
    }

    private async Task<BigInteger> NonceAsync(int account) =>
        (await _world.Suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(AnvilAccounts.Addresses[account], Nethereum.RPC.Eth.DTOs.BlockParameter.CreatePending())).Value;
}
