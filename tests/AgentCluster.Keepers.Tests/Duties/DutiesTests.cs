using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Bindings.TaskMarket;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Keepers.Hosting;
using AgentCluster.Keepers.Sharing;
using AgentCluster.Keepers.Tests.Indexing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Reviews;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;

namespace AgentCluster.Keepers.Tests.Duties;

/// <summary>
/// The committee and settlement duties in a keeper host against a real anvil (IndexerWorld: one executor agent of account 2, eleven
/// committee candidates of account 3, requester account 1; every stake topped up to twice the minimum so the slashes of the later tests
/// leave everyone eligible). The tests do only the agents' part (bids, results, votes) with the SDK; every piece of keeper work is the
/// host's. Ordered: each test leaves its tasks settled, except the seed-retry test, whose task the two-host test settles.
/// </summary>
[Category("Anvil")]
[NonParallelizable]
public sealed class DutiesTests
{
    private const int Seats = 10;
    private static readonly BigInteger Acc = IndexerWorld.Acc;
    private IndexerWorld _world = null!;
    private string _dir = null!;
    private string _manifestPath = null!;

    private TaskMarketService Market => new(_world.Suite.Web3, _world.Suite.Manifest.AddressOf("TaskMarket"));

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        _world = await IndexerWorld.StartAsync(bound.Token);
        _dir = Directory.CreateTempSubdirectory("keeper-duties-").FullName;
        _manifestPath = Path.Combine(_dir, "manifest.json");
        var m = _world.Suite.Manifest;
        await File.WriteAllTextAsync(_manifestPath, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }), bound.Token);
        await _world.Suite.FundAsync(AnvilAccounts.Addresses[IndexerWorld.CommitteeOwner], 20_000 * Acc, bound.Token);
        await _world.Suite.FundAsync(AnvilAccounts.Addresses[IndexerWorld.Requester], 20_000 * Acc, bound.Token);
        await TopUpStakesAsync(IndexerWorld.CommitteeOwner, _world.Committee, bound.Token);
        await TopUpStakesAsync(IndexerWorld.AgentOwner, [_world.AgentId], bound.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test, Order(1)]
    public async Task WholeLife_TheHostAssignsDrawsTheBestKeysSettlesAndSettlesEveryMember_PaidPerUnitOfWork()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        CancellationToken ct = bound.Token;
        await using DutyHost host = await StartHostAsync(5, ct);
        BigInteger earningsBefore = await Market.EarningsOfQueryAsync(host.Address);
        BigInteger taskId = await SubmitAndBidAsync(ct);
        MarketParams p = await ParamsOfAsync(taskId);

        await _world.WarpAsync(TimeSpan.FromSeconds(p.BiddingWindow + 1));
        await WaitUntilAsync(async () => (await TaskAsync(taskId)).Status == MarketTaskStatus.Assigned, "the host assigns the task", ct);
        await PostResultAsync(taskId, ct);
        await _world.MineAsync(3); // LocalRandomness: the seed is readable from the block after request + 2
        await WaitUntilAsync(async () => (await TaskAsync(taskId)).Seats == Seats, "the host draws the committee", ct);

        List<BigInteger> members = await CommitteeOnChainAsync(taskId);
        var keys = new Dictionary<BigInteger, BigInteger>();
        foreach (BigInteger id in _world.Committee)
        {
            keys[id] = await Market.SortitionKeyQueryAsync(taskId, id);
        }

        List<BigInteger> leftOut = [.. _world.Committee.Except(members)];
        var drawn = (await EventsAsync<MemberDrawnEventDTO>()).Where(e => e.Event.TaskId == taskId).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(members, Has.Count.EqualTo(Seats));
            Assert.That(members, Does.Not.Contain(_world.AgentId), "the executor is excluded");
            Assert.That(leftOut, Has.Count.EqualTo(_world.Committee.Count - Seats));
            Assert.That(leftOut.Select(id => keys[id]).Min(), Is.GreaterThan(members.Select(id => keys[id]).Max()),
                "the committee is the best keys by the market's own sortitionKey of every candidate");
            Assert.That(drawn.Select(e => e.Event.DrawnBy), Is.All.EqualTo(host.Address).IgnoreCase, "drawn by the host");
            Assert.That(drawn.Select(e => e.Event.Key), Is.EqualTo(drawn.Select(e => keys[e.Event.AgentId])), "the keys the contract recorded");
        });

        // The members' part: commit (all approve) in the commit phase, then reveal (open at once: every member committed).
        TaskInfo seated = await TaskAsync(taskId);
        await WarpToAsync(seated.DrawClosesAt!.Value);
        await using (AgentClusterClient member = await _world.ClientAsync(IndexerWorld.CommitteeOwner, ct))
        using (ReviewsClient reviews = member.OpenReviews(Path.Combine(_dir, $"salts-{taskId}.db")))
        {
            foreach (BigInteger id in members)
            {
                await reviews.CommitAsync(taskId, id, approve: true, ct);
            }

            Assert.That((await reviews.RevealPendingAsync(ct)).Select(o => o.Result), Is.All.EqualTo(RevealResult.Revealed));
        }

        await WaitUntilAsync(async () => (await TaskAsync(taskId)).Status == MarketTaskStatus.Accepted,
            "the host settles early (every member revealed, the reveal window still open)", ct);
        await WaitUntilAsync(async () => (await EventsAsync<MemberSettledEventDTO>()).Count(e => e.Event.TaskId == taskId) == Seats, "the host settles every member", ct);
        // A duty logs an action after its receipt (and counts it just before): wait for the log lines, not only for the chain.
        await WaitUntilAsync(() => Task.FromResult(host.Count(1113) >= 1 && host.Count(1111) >= 1), "the host logs the members settled and the fees flushed", ct);
        Assert.That(await Market.PendingProtocolFeesQueryAsync(), Is.EqualTo(BigInteger.Zero), "the settlement's protocol share was flushed");

        TaskInfo settled = await TaskAsync(taskId);
        var settledEvent = (await EventsAsync<TaskSettledEventDTO>()).Single(e => e.Event.TaskId == taskId).Event;
        var memberEvents = (await EventsAsync<MemberSettledEventDTO>()).Where(e => e.Event.TaskId == taskId).Select(e => e.Event).ToList();
        BigInteger earned = await EarnedAsync(host.Address, taskId);
        int units = 1 + Seats + 1 + Seats; // assign, one per seat drawn, settle, one per member settled
        Assert.Multiple(() =>
        {
            Assert.That(settled.RevealEndsAt, Is.GreaterThan(DateTimeOffset.FromUnixTimeSeconds(0)));
            Assert.That(settledEvent.SettledBy, Is.EqualTo(host.Address).IgnoreCase);
            Assert.That(settledEvent.Approvals, Is.EqualTo(new BigInteger(Seats)));
            Assert.That(memberEvents.Select(e => e.AgentId), Is.EquivalentTo(members), "MemberSettled for every member, once");
            Assert.That(memberEvents.Select(e => e.Aligned), Is.All.True);
            Assert.That(earned, Is.EqualTo(units * p.KeeperReward), "keeperReward x the units of work the host did");
        });
        Assert.That(await Market.EarningsOfQueryAsync(host.Address) - earningsBefore, Is.EqualTo(units * p.KeeperReward), "and nothing else was credited");

        int flushes = host.Count(1113);
        Assert.Multiple(async () =>
        {
            Assert.That(await host.MetricAsync("agentcluster_keeper_actions_total", AssignmentDuty.DutyName, ct), Is.EqualTo(1d));
            Assert.That(await host.MetricAsync("agentcluster_keeper_actions_total", CommitteeDuty.DutyName, ct), Is.EqualTo(2d), "the seed fixed, the committee drawn");
            Assert.That(await host.MetricAsync("agentcluster_keeper_actions_total", SettlementDuty.DutyName, ct), Is.EqualTo(2d + flushes), "settle, settleMembers, the flushes");
            Assert.That(await host.MetricAsync("agentcluster_keeper_rewards_earned_wei_total", CommitteeDuty.DutyName, ct), Is.EqualTo((double)(Seats * p.KeeperReward)));
            Assert.That(await host.MetricAsync("agentcluster_keeper_rewards_earned_wei_total", SettlementDuty.DutyName, ct), Is.EqualTo((double)((1 + Seats) * p.KeeperReward)));
            Assert.That(await host.MetricAsync("agentcluster_keeper_gas_spent_wei_total", SettlementDuty.DutyName, ct), Is.GreaterThan(0d));
        });
        Assert.That(host.Count(1101), Is.EqualTo(1));
        Assert.That(host.Count(1110), Is.EqualTo(1));
        Assert.That(host.Logs.Single(l => l.EventId == 1111).Message, Does.StartWith($"Settled {Seats} member(s) of task {taskId}"));
    }

    [Test, Order(2)]
    public async Task HandPickedCommittee_IsCorrectedWithClaimSeat_AndWithNoRevealTheTaskSettlesRefundedAndSilentMembersAreSlashed()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        CancellationToken ct = bound.Token;
        BigInteger taskId = await SubmitAndBidAsync(ct);
        MarketParams p = await ParamsOfAsync(taskId);
        await _world.WarpAsync(TimeSpan.FromSeconds(p.BiddingWindow + 1));
        await using (AgentClusterClient assigner = await _world.ClientAsync(0, ct))
        {
            await assigner.Tasks.AssignAsync(taskId, ct);
        }

        await PostResultAsync(taskId, ct);
        await _world.MineAsync(3);

        // The attack: account 4 fixes the seed and seats the worst keys by hand, leaving out the best candidate.
        List<BigInteger> handPicked;
        List<BigInteger> best;
        await using (AgentClusterClient attacker = await _world.ClientAsync(4, ct))
        {
            await attacker.Tasks.DrawCommitteeAsync(taskId, [], ct);
            var keyed = await attacker.Tasks.SortitionKeysAsync(taskId, _world.Committee, ct);
            Assert.That(keyed, Has.Count.EqualTo(_world.Committee.Count));
            best = [.. keyed.Take(Seats).Select(k => k.AgentId)];
            var tooFew = Assert.ThrowsAsync<ArgumentException>(() => attacker.Tasks.DrawCommitteeFromKeysAsync(taskId, Seats, [.. keyed.Take(Seats - 1)], ct));
            Assert.That(tooFew!.Message, Does.StartWith($"Only {Seats - 1} eligible candidates for a committee of {Seats} on task {taskId}."), "refused before anything is sent");
            var badSize = Assert.ThrowsAsync<ArgumentException>(() => attacker.Tasks.DrawCommitteeFromKeysAsync(taskId, 3, keyed, ct));
            Assert.That(badSize!.Message, Does.StartWith("committeeSize must be between 10 and 100 (got 3)."));
            handPicked = [.. keyed.Skip(keyed.Count - Seats).Select(k => k.AgentId)];
            await attacker.Tasks.DrawCommitteeAsync(taskId, handPicked, ct);
        }

        Assert.That(await CommitteeOnChainAsync(taskId), Is.EquivalentTo(handPicked), "the hand-picked committee is seated");
        int worseSeated = handPicked.Except(best).Count();
        Assert.That(worseSeated, Is.GreaterThan(0));

        await using DutyHost host = await StartHostAsync(6, ct);
        await WaitUntilAsync(async () => (await CommitteeOnChainAsync(taskId)).ToHashSet().SetEquals(best), "the host corrects the committee to the best keys", ct);
        await WaitUntilAsync(() => Task.FromResult(host.Count(1102) >= worseSeated), "the claims logged", ct);
        var evictions = (await EventsAsync<MemberEvictedEventDTO>()).Where(e => e.Event.TaskId == taskId).Select(e => e.Event).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(evictions, Has.Count.EqualTo(worseSeated), "one claim per worse member");
            Assert.That(evictions.Select(e => e.AgentId), Is.EquivalentTo(handPicked.Except(best)));
            Assert.That(evictions.Select(e => e.ReplacedBy), Is.EquivalentTo(best.Except(handPicked)));
            Assert.That(host.Count(1102), Is.EqualTo(worseSeated));
            Assert.That(await EarnedAsync(host.Address, taskId), Is.EqualTo(worseSeated * p.KeeperReward), "paid per claim");
        });

        // Nobody commits: after the reveal window the host settles it as the contract says (formed, no vote revealed: Refunded, the
        // bounty back to the requester, every member silent and slashed by nonRevealSeverityBps) and settles the members.
        TaskInfo task = await TaskAsync(taskId);
        BigInteger requesterBefore = await EarnedAsync(AnvilAccounts.Addresses[IndexerWorld.Requester], taskId);
        await WarpToAsync(task.RevealEndsAt!.Value);
        await WaitUntilAsync(async () => (await TaskAsync(taskId)).Status == MarketTaskStatus.Refunded, "the host settles the silent task", ct);
        await WaitUntilAsync(async () => (await EventsAsync<MemberSettledEventDTO>()).Count(e => e.Event.TaskId == taskId) == Seats, "the host settles every member", ct);

        var settled = (await EventsAsync<TaskSettledEventDTO>()).Single(e => e.Event.TaskId == taskId).Event;
        var members = (await EventsAsync<MemberSettledEventDTO>()).Where(e => e.Event.TaskId == taskId).Select(e => e.Event).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(settled.Outcome, Is.EqualTo((byte)MarketTaskStatus.Refunded));
            Assert.That(settled.Reveals, Is.EqualTo(BigInteger.Zero));
            Assert.That(settled.SettledBy, Is.EqualTo(host.Address).IgnoreCase);
            Assert.That(members.Select(m => m.AgentId), Is.EquivalentTo(best));
            Assert.That(members.Select(m => m.Aligned), Is.All.False, "silent members are not aligned");
            Assert.That(members.Select(m => m.Slashed), Is.All.EqualTo(p.NonRevealSeverityBps != 0), "silent members are slashed when nonRevealSeverityBps is set");
            Assert.That(await EarnedAsync(AnvilAccounts.Addresses[IndexerWorld.Requester], taskId) - requesterBefore, Is.EqualTo(task.Bounty), "the requester gets the bounty back");
            Assert.That(await EarnedAsync(host.Address, taskId), Is.EqualTo((worseSeated + 1 + Seats) * p.KeeperReward), "claims, settle, members");
        });
    }

    [Test, Order(3)]
    public async Task MissedDeadline_IsReportedByTheHost_AndPaid()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        CancellationToken ct = bound.Token;
        await using DutyHost host = await StartHostAsync(7, ct);
        BigInteger taskId = await SubmitAndBidAsync(ct);
        MarketParams p = await ParamsOfAsync(taskId);
        await _world.WarpAsync(TimeSpan.FromSeconds(p.BiddingWindow + 1));
        await WaitUntilAsync(async () => (await TaskAsync(taskId)).Status == MarketTaskStatus.Assigned, "the host assigns the task", ct);
        Assert.That(host.Count(1112), Is.Zero, "not before the deadline");

        TaskInfo task = await TaskAsync(taskId);
        await WarpToAsync(task.Deadline + TimeSpan.FromSeconds(1));
        await WaitUntilAsync(async () => (await TaskAsync(taskId)).Status == MarketTaskStatus.Refunded, "the host reports the missed deadline", ct);
        await WaitUntilAsync(() => Task.FromResult(host.Count(1112) >= 1), "the report logged", ct);

        var settled = (await EventsAsync<TaskSettledEventDTO>()).Single(e => e.Event.TaskId == taskId).Event;
        Assert.Multiple(async () =>
        {
            Assert.That(settled.SettledBy, Is.EqualTo(host.Address).IgnoreCase);
            Assert.That(host.Logs.Single(l => l.EventId == 1112).Message, Does.StartWith($"Reported the missed deadline of task {taskId}"));
            Assert.That(await EarnedAsync(host.Address, taskId), Is.EqualTo(2 * p.KeeperReward), "assign and the report");
            Assert.That(await EarnedAsync(AnvilAccounts.Addresses[IndexerWorld.Requester], taskId), Is.EqualTo(task.Bounty + task.Fee - 2 * p.KeeperReward),
                "the contract's refund: bounty and fee less the two keeper rewards");
        });
    }

    [Test, Order(4)]
    public async Task SeedNotDeliveredWithinSeedTimeout_TheHostAsksTheFallbackOnce_ThenDrawsWithItsSeed()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        CancellationToken ct = bound.Token;
        await using DutyHost host = await StartHostAsync(8, ct);
        // A quiet chain first (the earlier tests' fees flushed), so that no keeper transaction mines the blocks the local source waits for.
        await WaitUntilAsync(async () => (await Market.PendingProtocolFeesQueryAsync()).IsZero && host.Count(1000) >= 3, "a quiet chain", ct);
        BigInteger taskId = await SubmitAndBidAsync(ct);
        MarketParams p = await ParamsOfAsync(taskId);
        await _world.WarpAsync(TimeSpan.FromSeconds(p.BiddingWindow + 1));
        await WaitUntilAsync(async () => (await TaskAsync(taskId)).Status == MarketTaskStatus.Assigned, "the host assigns the task", ct);

        // LocalRandomness(2) delivers three blocks after the request: the result's block plus the warp's block leave it undelivered
        // when the clock is already seedTimeout past the result, so the retry is due and is mined before the primary could deliver.
        await PostResultAsync(taskId, ct);
        await _world.WarpAsync(TimeSpan.FromSeconds(p.SeedTimeout + 1));
        await WaitUntilAsync(async () => (await EventsAsync<SeedRequestedEventDTO>()).Count(e => e.Event.TaskId == taskId) == 2, "the host retries the seed", ct);
        await WaitUntilAsync(() => Task.FromResult(host.Count(1103) >= 1), "the retry logged", ct);
        var requests = (await EventsAsync<SeedRequestedEventDTO>()).Where(e => e.Event.TaskId == taskId).Select(e => e.Event).ToList();
        Assert.That(requests[1].Source, Is.Not.EqualTo(requests[0].Source).IgnoreCase, "the second request goes to the fallback source");
        Assert.That(host.Count(1103), Is.EqualTo(1), "asked once");

        await _world.MineAsync(3);
        await WaitUntilAsync(async () => (await TaskAsync(taskId)).Seats == Seats, "the host draws with the fallback's seed", ct);
        Assert.That(host.Count(1103), Is.EqualTo(1), "still once");
        Assert.That(await EarnedAsync(host.Address, taskId), Is.EqualTo((1 + Seats) * p.KeeperReward), "assign and the seats; the retry and the seed fix are unpaid");
    }

    [Test, Order(5)]
    public async Task TwoHosts_SplitTheWorkByTheRota_WithNoWastedTransaction_AndOneTakesOverWhenTheOtherStops()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        CancellationToken ct = bound.Token;
        string a = AnvilAccounts.Addresses[5].ToLowerInvariant(), b = AnvilAccounts.Addresses[6].ToLowerInvariant();
        var peers = new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:Peers:0"] = a,
            ["AgentCluster:Keepers:Peers:1"] = b,
            ["AgentCluster:Keepers:TakeOverAfter"] = "00:00:05",
        };
        var rota = new KeeperRota([a, b], TimeSpan.FromSeconds(5));
        ulong from = await _world.HeadAsync() + 1;
        await using DutyHost hostA = await StartHostAsync(5, ct, peers);
        await using DutyHost hostB = await StartHostAsync(6, ct, peers);

        List<BigInteger> tasks = [];
        for (int i = 0; i < 4; i++)
        {
            tasks.Add(await SubmitAndBidAsync(ct));
        }

        MarketParams p = await ParamsOfAsync(tasks[0]);
        await _world.WarpAsync(TimeSpan.FromSeconds(p.BiddingWindow + 1));
        await WaitUntilAsync(async () => (await Task.WhenAll(tasks.Select(TaskAsync))).All(t => t.Status == MarketTaskStatus.Assigned), "the hosts assign", ct);
        await PostResultAsync(tasks[0], ct);
        await PostResultAsync(tasks[1], ct);
        await _world.MineAsync(3);
        await WaitUntilAsync(async () => (await TaskAsync(tasks[0])).Seats == Seats && (await TaskAsync(tasks[1])).Seats == Seats, "the hosts draw", ct);

        // Past every deadline and reveal window: two missed deadlines, two silent committees (and the seed-retry test's task).
        await WarpToAsync((await TaskAsync(tasks[3])).Deadline + TimeSpan.FromSeconds(1));
        await WaitUntilAsync(async () => (await Task.WhenAll(tasks.Select(TaskAsync))).All(t => t.Status == MarketTaskStatus.Refunded), "the hosts settle", ct);
        await WaitUntilAsync(async () => (await EventsAsync<MemberSettledEventDTO>()).Count(e => tasks.Contains(e.Event.TaskId)) == 2 * Seats, "the hosts settle the members", ct);
        await WaitUntilAsync(async () => (await Market.PendingProtocolFeesQueryAsync()).IsZero, "the fees flushed", ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct); // a few more passes: anything wasted would be sent now

        List<KeeperTransaction> sent = await KeeperTransactionsAsync(from, [a, b]);
        foreach (var group in sent.GroupBy(t => (t.From, t.Kind)))
        {
            TestContext.Out.WriteLine($"{group.Key.From} {group.Key.Kind}: {group.Count()} transaction(s)");
        }

        Assert.Multiple(() =>
        {
            Assert.That(sent.Where(t => !t.Succeeded), Is.Empty, "no reverted transaction");
            Assert.That(sent.Where(t => !t.HadEffect), Is.Empty, "no transaction without an event (a no-op)");
            Assert.That(sent.Select(t => t.From).Distinct(), Is.EquivalentTo(new[] { a, b }), "both hosts worked");
            foreach (KeeperTransaction t in sent.Where(t => t.TaskId is not null))
            {
                Assert.That(t.From, Is.EqualTo(rota.OrderFor(t.TaskId!.Value, t.Kind)[0]), $"{t.Kind} of task {t.TaskId}: sent by its owner in the rota");
            }
        });

        // B stops: a task whose assignment is B's is taken over by A after TakeOverAfter.
        await hostB.StopAsync();
        BigInteger next = await Market.TaskCountQueryAsync() + 1;
        for (int i = 0; rota.OrderFor(next, AssignmentDuty.WorkKind)[0] != b; i++)
        {
            Assert.That(i, Is.LessThan(10), "a task of B's within ten ids (each id is B's with probability 1/2)");
            await SubmitAndBidAsync(ct); // A's: A assigns it once the window ends
            next++;
        }

        BigInteger takenOver = await SubmitAndBidAsync(ct);
        Assert.That(takenOver, Is.EqualTo(next));
        await _world.WarpAsync(TimeSpan.FromSeconds(p.BiddingWindow + 1));
        await WaitUntilAsync(async () => (await TaskAsync(takenOver)).Status == MarketTaskStatus.Assigned, "A takes over B's assignment", ct);
        Assert.That(await EarnedAsync(a, takenOver), Is.EqualTo(p.KeeperReward), "paid to A, which took it over");
        Assert.That(await EarnedAsync(b, takenOver), Is.EqualTo(BigInteger.Zero), "B was stopped");
    }

    [Test, Order(6)]
    public async Task LapsedSeed_AndCommitteeNotFullWhenItsFillPhaseClosed_SettleAsRefunded()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        CancellationToken ct = bound.Token;
        BigInteger lapsed = await SubmitAndBidAsync(ct);
        BigInteger notFull = await SubmitAndBidAsync(ct);
        MarketParams p = await ParamsOfAsync(lapsed);
        await _world.WarpAsync(TimeSpan.FromSeconds(p.BiddingWindow + 1));
        await using (AgentClusterClient assigner = await _world.ClientAsync(0, ct))
        {
            await assigner.Tasks.AssignAsync(lapsed, ct);
            await assigner.Tasks.AssignAsync(notFull, ct);
        }

        await PostResultAsync(lapsed, ct);
        await PostResultAsync(notFull, ct);
        await _world.MineAsync(3);
        const int seated = 5;
        await using (AgentClusterClient other = await _world.ClientAsync(4, ct))
        {
            await other.Tasks.DrawCommitteeAsync(notFull, [], ct);
            var keyed = await other.Tasks.SortitionKeysAsync(notFull, _world.Committee, ct);
            await other.Tasks.DrawCommitteeAsync(notFull, [.. keyed.Take(seated).Select(k => k.AgentId)], ct);
        }

        // Nobody fixes the first seed within two seed timeouts, nobody fills the second committee in its fill phase.
        await _world.WarpAsync(TimeSpan.FromSeconds(2 * p.SeedTimeout + 1));
        await using DutyHost host = await StartHostAsync(7, ct);
        await WaitUntilAsync(async () => (await TaskAsync(lapsed)).Status == MarketTaskStatus.Refunded && (await TaskAsync(notFull)).Status == MarketTaskStatus.Refunded,
            "the host settles both", ct);
        await WaitUntilAsync(async () => (await EventsAsync<MemberSettledEventDTO>()).Count(e => e.Event.TaskId == notFull) == seated, "the host releases the seated members", ct);

        var settled = (await EventsAsync<TaskSettledEventDTO>()).Where(e => e.Event.TaskId == lapsed || e.Event.TaskId == notFull).ToList();
        var members = (await EventsAsync<MemberSettledEventDTO>()).Where(e => e.Event.TaskId == notFull).Select(e => e.Event).ToList();
        TaskInfo a = await TaskAsync(lapsed), b = await TaskAsync(notFull);
        string requester = AnvilAccounts.Addresses[IndexerWorld.Requester];
        Assert.Multiple(async () =>
        {
            Assert.That(settled.Select(e => e.Event.SettledBy), Is.All.EqualTo(host.Address).IgnoreCase);
            Assert.That(settled.Select(e => e.Event.Outcome), Is.All.EqualTo((byte)MarketTaskStatus.Refunded));
            Assert.That(a.Seats, Is.Zero, "the lapsed task never had a committee");
            Assert.That((await EventsAsync<MemberDrawnEventDTO>()).Where(e => e.Event.TaskId == notFull).Select(e => e.Event.DrawnBy), Is.All.Not.EqualTo(host.Address).IgnoreCase,
                "the host does not fill a committee after its fill phase");
            Assert.That(members.Select(m => (m.Aligned, m.Slashed)), Is.All.EqualTo((false, false)), "a committee that never formed is released without effect");
            Assert.That(await EarnedAsync(requester, lapsed), Is.EqualTo(a.Bounty + a.Fee - 2 * p.KeeperReward), "refund less assign and settle");
            Assert.That(await EarnedAsync(requester, notFull), Is.EqualTo(b.Bounty + b.Fee - (2 + 2 * seated) * p.KeeperReward),
                "refund less assign, the seats drawn and their settlements, and settle");
            Assert.That(await EarnedAsync(host.Address, lapsed), Is.EqualTo(p.KeeperReward), "settle");
            Assert.That(await EarnedAsync(host.Address, notFull), Is.EqualTo((1 + seated) * p.KeeperReward), "settle and the members");
        });
    }

    // ------------------------------------------------------------------ helpers

    private Task<DutyHost> StartHostAsync(int account, CancellationToken ct, IReadOnlyDictionary<string, string?>? settings = null) =>
        DutyHost.StartAsync(_world.Suite, _dir, _manifestPath, account, ct, settings);

    private async Task TopUpStakesAsync(int owner, IEnumerable<BigInteger> agents, CancellationToken ct)
    {
        var web3 = await _world.Suite.CreateWeb3Async(owner, ct);
        var token = new AgentCluster.Evm.Bindings.AccToken.AccTokenService(web3, _world.Suite.Manifest.AddressOf("AccToken"));
        var staking = new AgentCluster.Evm.Bindings.Staking.StakingService(web3, _world.Suite.Manifest.AddressOf("Staking"));
        foreach (BigInteger agent in agents)
        {
            await token.ApproveRequestAndWaitForReceiptAsync(staking.ContractAddress, IndexerWorld.Stake, ct);
            await staking.StakeRequestAndWaitForReceiptAsync(agent, IndexerWorld.Stake, ct);
        }
    }

    /// <summary>The requester submits a task (committee of ten), the executor bids on it.</summary>
    private async Task<BigInteger> SubmitAndBidAsync(CancellationToken ct)
    {
        await using AgentClusterClient requester = await _world.ClientAsync(IndexerWorld.Requester, ct);
        SubmittedTask submitted = await requester.Tasks.SubmitAsync(new TaskSubmission
        {
            RequirementsHash = Sha3Keccack.Current.CalculateHash(Guid.NewGuid().ToByteArray()),
            Capabilities = 0b1,
            Bounty = 100 * Acc,
            Deadline = await _world.ChainTimeAsync() + TimeSpan.FromDays(1),
            CommitteeSize = Seats,
        }, ct);
        await using AgentClusterClient executor = await _world.ClientAsync(IndexerWorld.AgentOwner, ct);
        await executor.Tasks.BidAsync(submitted.TaskId, _world.AgentId, 90 * Acc, ct);
        return submitted.TaskId;
    }

    private async Task PostResultAsync(BigInteger taskId, CancellationToken ct)
    {
        await using AgentClusterClient executor = await _world.ClientAsync(IndexerWorld.AgentOwner, ct);
        await executor.Tasks.PostResultAsync(taskId, Sha3Keccack.Current.CalculateHash("done"u8.ToArray()), "ipfs://done", ct);
    }

    private async Task<TaskInfo> TaskAsync(BigInteger taskId)
    {
        await using AgentClusterClient reader = await _world.ClientAsync(0, CancellationToken.None);
        return await reader.Tasks.GetAsync(taskId);
    }

    private async Task<MarketParams> ParamsOfAsync(BigInteger taskId) =>
        (await Market.ParamsAtQueryAsync((await Market.GetTaskQueryAsync(taskId)).Task.ParamsVersion)).ReturnValue1;

    private async Task WarpToAsync(DateTimeOffset at)
    {
        TimeSpan by = at - await _world.ChainTimeAsync();
        await _world.WarpAsync(by > TimeSpan.Zero ? by : TimeSpan.Zero);
    }

    private async Task<List<EventLog<T>>> EventsAsync<T>()
        where T : IEventDTO, new()
    {
        Event<T> e = _world.Suite.Web3.Eth.GetEvent<T>(Market.ContractAddress);
        return await e.GetAllChangesAsync(e.CreateFilterInput(new BlockParameter(new HexBigInteger(_world.Suite.Manifest.Block)), BlockParameter.CreateLatest()));
    }

    /// <summary>Drawn minus evicted, in chain order (the SDK's read of the market's events).</summary>
    private async Task<List<BigInteger>> CommitteeOnChainAsync(BigInteger taskId)
    {
        await using AgentClusterClient reader = await _world.ClientAsync(0, CancellationToken.None);
        return [.. await reader.Tasks.GetCommitteeAsync(taskId)];
    }

    /// <summary>What the market credited <paramref name="account"/> for <paramref name="taskId"/> (its <c>Earned</c> events).</summary>
    private async Task<BigInteger> EarnedAsync(string account, BigInteger taskId) =>
        (await EventsAsync<EarnedEventDTO>()).Where(e => e.Event.TaskId == taskId && string.Equals(e.Event.Account, account, StringComparison.OrdinalIgnoreCase))
            .Aggregate(BigInteger.Zero, (sum, e) => sum + e.Event.Amount);

    private sealed record KeeperTransaction(string Hash, string From, bool Succeeded, bool HadEffect, string Kind, BigInteger? TaskId);

    /// <summary>Every transaction the keepers sent from <paramref name="fromBlock"/> on, with its rota kind and task (from its calldata).</summary>
    private async Task<List<KeeperTransaction>> KeeperTransactionsAsync(ulong fromBlock, string[] keepers)
    {
        var kinds = new Dictionary<string, string>
        {
            [Selector<AssignFunction>()] = AssignmentDuty.WorkKind,
            [Selector<DrawCommitteeFunction>()] = CommitteeDuty.DrawKind,
            [Selector<RetrySeedFunction>()] = CommitteeDuty.DrawKind,
            [Selector<ClaimSeatFunction>()] = CommitteeDuty.ClaimKind,
            [Selector<SettleFunction>()] = SettlementDuty.SettleKind,
            [Selector<ReportMissedDeadlineFunction>()] = SettlementDuty.SettleKind,
            [Selector<SettleMembersFunction>()] = SettlementDuty.MembersKind,
            [Selector<FlushProtocolFeesFunction>()] = SettlementDuty.FlushKind,
        };
        var sent = new List<KeeperTransaction>();
        ulong head = await _world.HeadAsync();
        for (ulong n = fromBlock; n <= head; n++)
        {
            BlockWithTransactions block = await _world.Suite.Web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new HexBigInteger(n));
            foreach (Transaction tx in block.Transactions.Where(t => keepers.Contains(t.From, StringComparer.OrdinalIgnoreCase)))
            {
                TransactionReceipt receipt = await _world.Suite.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TransactionHash);
                string input = tx.Input.RemoveHexPrefix();
                string kind = kinds.TryGetValue(input[..8], out string? k) ? k : "unknown " + input[..8];
                BigInteger? taskId = kind == SettlementDuty.FlushKind ? null : new BigInteger(input.Substring(8, 64).HexToByteArray(), isUnsigned: true, isBigEndian: true);
                string from = keepers.Single(x => string.Equals(x, tx.From, StringComparison.OrdinalIgnoreCase));
                sent.Add(new KeeperTransaction(tx.TransactionHash, from, receipt.Status.Value == 1, receipt.Logs.Count() > 0, kind, taskId));
                if (receipt.Status.Value != 1)
                {
                    var trace = await _world.Suite.Web3.Client.SendRequestAsync<Newtonsoft.Json.Linq.JToken>(
                        new Nethereum.JsonRpc.Client.RpcRequest(1, "debug_traceTransaction", tx.TransactionHash, new { tracer = "callTracer" }));
                    TestContext.Out.WriteLine($"failed {kind} {tx.TransactionHash}: gas limit {tx.Gas.Value}, used {receipt.GasUsed.Value}: {trace.ToString(Newtonsoft.Json.Formatting.None)[..Math.Min(3000, trace.ToString().Length)]}");
                }
            }
        }

        return sent;
    }

    private static string Selector<TFunction>()
        where TFunction : FunctionMessage, new() => ABITypedRegistry.GetFunctionABI<TFunction>().Sha3Signature.ToLowerInvariant();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await condition())
            {
                return;
            }

            try
            {
                await Task.Delay(100, limit.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
        }
    }
}
