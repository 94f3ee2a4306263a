using AgentCluster.Keepers.Solana;
using AgentCluster.Solana;
using AgentCluster.Solana.Programs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using TaskStatus = AgentCluster.Solana.Programs.TaskStatus;

namespace AgentCluster.Keepers.Tests.Solana;

/// <summary>
/// The Solana keeper against the real localnet server (scripts/solana-localnet through the SolanaLocalnet fixture): the agents' and
/// requester's side through the bindings, every keeper action by the keeper host alone.
/// </summary>
[NonParallelizable]
public sealed class SolanaKeeperTests
{
    private const ulong Acc = SolanaMarketWorld.Acc;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task OneTask_IsDrivenByTheKeeperAlone_AssignSeedTheSortitionsCommitteeSettlementAndEveryMember()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        AgentCluster.Solana.Keys.Account requester = await world.NewFundedAsync(40_000 * Acc);
        SolanaTestAgent executor = await world.NewAgentAsync();
        // Five eligible candidates of different weights, and three the keeper must leave out: one owned by the requester, one not
        // attested, one without stake. No reputation account is opened: the keeper opens the ones its settlements need.
        ulong[] stakes = [1_000 * Acc, 2_000 * Acc, 3_000 * Acc, 1_500 * Acc, 2_500 * Acc];
        var eligible = new List<SolanaTestAgent>();
        foreach (ulong stake in stakes)
        {
            eligible.Add(await world.NewAgentAsync(stake));
        }

        SolanaTestAgent conflicted = await world.NewAgentAsync(5_000 * Acc, owner: requester);
        SolanaTestAgent unattested = await world.NewAgentAsync(5_000 * Acc, attest: false);
        SolanaTestAgent unstaked = await world.NewAgentAsync(0);

        await using SolanaKeeperHost keeper = await SolanaKeeperHost.StartAsync(world, "keeper");
        SolanaTestTask task = await world.SubmitTaskAsync(requester, committeeSize: 3);
        await world.BidAsync(executor, task, 800 * Acc);
        await world.WarpAsync(3_601);
        await SolanaMarketWorld.WaitUntilAsync(async () => (await world.ReadTaskAsync(task.Task)).Status == TaskStatus.Assigned, Patience, "the keeper's assign_task");

        await world.PostResultAsync(executor, task, Enumerable.Repeat((byte)0x77, 32).ToArray());
        await SolanaMarketWorld.WaitUntilAsync(async () => (await world.ReadTaskAsync(task.Task)).Seats == 3, Patience, "the keeper's fix_seed and draws");
        TaskAccount drawn = await world.ReadTaskAsync(task.Task);
        Assert.That(drawn.Status, Is.EqualTo(TaskStatus.Verifying));

        // The committee is the sortition's three best keys, recomputed here independently: -log2(u) in floating point from the seed,
        // the weights as staked, among the agents eligible by the rules.
        PublicKey[] expected = eligible
            .Select(a => (a.AgentKey.PublicKey, Key: ReferenceNegLog2(drawn.Seed, a.AgentKey.PublicKey) / a.Stake))
            .OrderBy(x => x.Key).Take(3).Select(x => x.PublicKey).ToArray();
        PublicKey[] seated = drawn.Members.Select(s => s.AgentKey).ToArray();
        Assert.That(seated, Is.EquivalentTo(expected), "the committee is the three smallest keys -log2(u)/stake");
        Assert.That(seated, Has.None.EqualTo(conflicted.AgentKey.PublicKey).And.None.EqualTo(unattested.AgentKey.PublicKey)
            .And.None.EqualTo(unstaked.AgentKey.PublicKey).And.None.EqualTo(executor.AgentKey.PublicKey));
        foreach (TaskSeat seat in drawn.Members)
        {
            SolanaTestAgent member = eligible.Single(a => a.AgentKey.PublicKey == seat.AgentKey);
            Assert.That(seat.Weight, Is.EqualTo(member.Stake), "weight = stake at the snapshot");
            Assert.That(seat.NegLog2U / 4294967296.0, Is.EqualTo(ReferenceNegLog2(drawn.Seed, seat.AgentKey)).Within(1e-8));
        }

        // The members vote after the draw window (all approve); once every member revealed, the keeper settles early.
        await world.WarpAsync((ulong)(drawn.DrawClosesAt - await world.NowAsync() + 1));
        var salts = new byte[3][];
        for (int i = 0; i < 3; i++)
        {
            salts[i] = Enumerable.Repeat((byte)(i + 1), 32).ToArray();
            await world.CommitAsync(eligible.Single(a => a.AgentKey.PublicKey == drawn.Members[i].AgentKey), task, i, true, salts[i]);
        }

        for (int i = 0; i < 3; i++)
        {
            await world.RevealAsync(task, i, true, salts[i]);
        }

        await SolanaMarketWorld.WaitUntilAsync(async () =>
        {
            TaskAccount t = await world.ReadTaskAsync(task.Task);
            return t.Status == TaskStatus.Accepted && t.ExecutorSettled && t.MembersSettled == 3;
        }, Patience, "the keeper's settle_task, settle_executor and three settle_member");

        TaskAccount done = await world.ReadTaskAsync(task.Task);
        Assert.That(done.Members.All(s => s.Settled), Is.True);
        // Paid once per unit of work: assign, fix_seed, 3 draws, settle_task, settle_executor, 3 members.
        Assert.That(await world.AccOfAsync(keeper.Keeper.PublicKey), Is.EqualTo(10 * done.KeeperReward));
        // Each aligned member was paid into its owner's associated token account (created by the keeper when missing) and has the reputation account the keeper opened.
        foreach (TaskSeat seat in done.Members)
        {
            Assert.That((await world.Rpc.GetAccountInfoAsync(AgentClusterProgram.ReputationAddress(world.Program, seat.AgentKey))).Value, Is.Not.Null);
        }

        Assert.That((await world.Rpc.GetAccountInfoAsync(AgentClusterProgram.ReputationAddress(world.Program, executor.AgentKey.PublicKey))).Value, Is.Not.Null);
        const string actions = "agentcluster_solana_keeper_actions";
        await SolanaKeeperHost.WaitMeasuredAsync([keeper], actions, "settle_member", 3);
        Assert.Multiple(() =>
        {
            Assert.That(keeper.Measured(actions, "assign_task"), Is.EqualTo(1));
            Assert.That(keeper.Measured(actions, "fix_seed"), Is.EqualTo(1));
            Assert.That(keeper.Measured(actions, "draw_seat"), Is.EqualTo(3));
            Assert.That(keeper.Measured(actions, "settle_task"), Is.EqualTo(1));
            Assert.That(keeper.Measured(actions, "settle_executor"), Is.EqualTo(1));
            Assert.That(keeper.Measured(actions, "settle_member"), Is.EqualTo(3));
            Assert.That(keeper.Measured("agentcluster_solana_keeper_compute_units", "draw_seat"), Is.GreaterThan(0));
            Assert.That(keeper.Logs.Lines.Where(l => l.Level >= LogLevel.Warning).Select(l => l.Message), Is.Empty);
        });

        HealthReport health = await keeper.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy), string.Join("; ", health.Entries.Select(e => $"{e.Key}: {e.Value.Description}")));
    }

    [Test]
    public async Task TwoKeepersRacingOnTheSameTasks_BothKeepRunning_AndEveryActionHappensOnce()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        AgentCluster.Solana.Keys.Account requester = await world.NewFundedAsync(40_000 * Acc);
        SolanaTestAgent executor = await world.NewAgentAsync();
        var pool = new List<SolanaTestAgent>();
        for (int i = 0; i < 5; i++)
        {
            pool.Add(await world.NewAgentAsync((ulong)(1_000 + 400 * i) * Acc));
        }

        await using SolanaKeeperHost first = await SolanaKeeperHost.StartAsync(world, "first", pollInterval: TimeSpan.FromMilliseconds(200));
        await using SolanaKeeperHost second = await SolanaKeeperHost.StartAsync(world, "second", pollInterval: TimeSpan.FromMilliseconds(200));
        var tasks = new List<SolanaTestTask>();
        for (int i = 0; i < 3; i++)
        {
            SolanaTestTask t = await world.SubmitTaskAsync(requester, committeeSize: 3);
            await world.BidAsync(executor, t, 700 * Acc);
            tasks.Add(t);
        }

        await world.WarpAsync(3_601);
        foreach (SolanaTestTask t in tasks)
        {
            await SolanaMarketWorld.WaitUntilAsync(async () => (await world.ReadTaskAsync(t.Task)).Status == TaskStatus.Assigned, Patience, $"task {t.Id} assigned");
            await world.PostResultAsync(executor, t, Enumerable.Repeat((byte)0x55, 32).ToArray());
        }

        foreach (SolanaTestTask t in tasks)
        {
            await SolanaMarketWorld.WaitUntilAsync(async () => (await world.ReadTaskAsync(t.Task)).Seats == 3, Patience, $"task {t.Id}'s committee");
        }

        long drawCloses = (await Task.WhenAll(tasks.Select(t => world.ReadTaskAsync(t.Task)))).Max(t => t.DrawClosesAt);
        await world.WarpAsync((ulong)(drawCloses - await world.NowAsync() + 1));
        foreach (SolanaTestTask t in tasks)
        {
            TaskAccount account = await world.ReadTaskAsync(t.Task);
            for (int seat = 0; seat < 3; seat++)
            {
                await world.CommitAsync(pool.Single(a => a.AgentKey.PublicKey == account.Members[seat].AgentKey), t, seat, true, Salt(seat));
            }

            for (int seat = 0; seat < 3; seat++)
            {
                await world.RevealAsync(t, seat, true, Salt(seat));
            }
        }

        foreach (SolanaTestTask t in tasks)
        {
            await SolanaMarketWorld.WaitUntilAsync(async () =>
            {
                TaskAccount a = await world.ReadTaskAsync(t.Task);
                return a.Status == TaskStatus.Accepted && a.ExecutorSettled && a.MembersSettled == 3;
            }, Patience, $"task {t.Id} settled with its executor and members");
        }

        ulong reward = (await world.ReadTaskAsync(tasks[0].Task)).KeeperReward;
        foreach ((string kind, int count) in new[] { ("assign_task", 3), ("fix_seed", 3), ("settle_task", 3), ("settle_executor", 3), ("settle_member", 9) })
        {
            await SolanaKeeperHost.WaitMeasuredAsync([first, second], "agentcluster_solana_keeper_actions", kind, count);
        }
        ulong paid = await world.AccOfAsync(first.Keeper.PublicKey) + await world.AccOfAsync(second.Keeper.PublicKey);
        Assert.Multiple(() =>
        {
            // Every paid unit of work was paid exactly once across the two: 10 per task.
            Assert.That(paid, Is.EqualTo(3 * 10 * reward));
            foreach (string kind in new[] { "assign_task", "fix_seed", "settle_task", "settle_executor" })
            {
                Assert.That(first.Measured("agentcluster_solana_keeper_actions", kind) + second.Measured("agentcluster_solana_keeper_actions", kind), Is.EqualTo(3),
                    $"{kind}: confirmed once per task across both keepers (the other's attempt refused and skipped)");
            }

            Assert.That(first.Measured("agentcluster_solana_keeper_actions", "settle_member") + second.Measured("agentcluster_solana_keeper_actions", "settle_member"),
                Is.EqualTo(9), "each member settled once");
            Assert.That(first.Service.ExecuteTask!.IsCompleted, Is.False, "the first keeper still runs");
            Assert.That(second.Service.ExecuteTask!.IsCompleted, Is.False, "the second keeper still runs");
            Assert.That(first.Logs.Lines.Concat(second.Logs.Lines).Where(l => l.Level >= LogLevel.Warning).Select(l => l.Message), Is.Empty,
                "a race is no failure: refused work is skipped at Debug");
        });
        TestContext.Progress.WriteLine($"first keeper: {first.Service.TransactionsSent} transaction(s), second: {second.Service.TransactionsSent}; skipped: "
            + $"{first.Logs.Lines.Count(l => l.EventId == 1311)} + {second.Logs.Lines.Count(l => l.EventId == 1311)}");
    }

    [Test]
    public async Task ACommitteeSeatedWithTheWorstKeys_IsCorrectedByTheKeepersClaims_ToTheSortitionsBest()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        AgentCluster.Solana.Keys.Account requester = await world.NewFundedAsync(40_000 * Acc);
        SolanaTestAgent executor = await world.NewAgentAsync();
        var candidates = new List<SolanaTestAgent>();
        for (int i = 0; i < 6; i++)
        {
            candidates.Add(await world.NewAgentAsync((ulong)(1_000 + 500 * i) * Acc));
        }

        // Someone else (not the keeper host) assigns, fixes the seed and fills the committee with the three WORST keys.
        AgentCluster.Solana.Keys.Account other = await world.NewFundedAsync(1 * Acc);
        PublicKey otherAcc = world.AtaOf(other.PublicKey);
        SolanaTestTask task = await world.SubmitTaskAsync(requester, committeeSize: 3);
        await world.BidAsync(executor, task, 800 * Acc);
        await world.WarpAsync(3_601);
        await world.SendAsync(other, [AgentClusterProgram.AssignTask(world.Program, other.PublicKey, task.Task, task.Vault, otherAcc)]);
        await world.PostResultAsync(executor, task, Enumerable.Repeat((byte)0x77, 32).ToArray());
        await SolanaMarketWorld.WaitUntilAsync(async () =>
        {
            try
            {
                await world.SendAsync(other, [AgentClusterProgram.FixSeed(world.Program, other.PublicKey, task.Task, task.Vault, otherAcc)]);
                return true;
            }
            catch (AgentCluster.Solana.Rpc.TransactionSimulationException e) when (e.CustomCode == (uint)AgentClusterProgramError.SeedNotReady)
            {
                return false;
            }
        }, Patience, "the seed slot in SlotHashes");
        TaskAccount seeded = await world.ReadTaskAsync(task.Task);
        var ranked = candidates.Select(a => (Agent: a, Key: ReferenceNegLog2(seeded.Seed, a.AgentKey.PublicKey) / a.Stake)).OrderBy(x => x.Key).ToList();
        foreach ((SolanaTestAgent worst, double _) in ranked.TakeLast(3))
        {
            await world.SendAsync(other, [AgentClusterProgram.DrawSeat(world.Program, other.PublicKey, task.Task, task.Vault, otherAcc, worst.Agent)]);
        }

        // The claim phase: after the fill phase, until the draw window closes. Only now does the keeper start.
        await world.WarpAsync((ulong)(seeded.FillClosesAt - await world.NowAsync() + 1));
        await using SolanaKeeperHost keeper = await SolanaKeeperHost.StartAsync(world, "keeper");
        PublicKey[] best = ranked.Take(3).Select(x => x.Agent.AgentKey.PublicKey).ToArray();
        await SolanaMarketWorld.WaitUntilAsync(async () => (await world.ReadTaskAsync(task.Task)).Members.Select(m => m.AgentKey).ToHashSet().SetEquals(best),
            Patience, "the committee corrected to the three best keys");
        TaskAccount claimed = await world.ReadTaskAsync(task.Task);
        await SolanaKeeperHost.WaitMeasuredAsync([keeper], "agentcluster_solana_keeper_actions", "claim_seat", 3);
        Assert.Multiple(() =>
        {
            Assert.That(claimed.Claims, Is.EqualTo(3), "each of the three worst members replaced by one claim");
            Assert.That(keeper.Measured("agentcluster_solana_keeper_actions", "claim_seat"), Is.EqualTo(3));
            Assert.That(claimed.Status, Is.EqualTo(TaskStatus.Verifying));
            Assert.That(claimed.Members.Select(m => m.Weight), Is.EquivalentTo(ranked.Take(3).Select(x => x.Agent.Stake)));
        });
        // Claims are paid (the first committee-size ones): the keeper earned exactly three rewards.
        await SolanaMarketWorld.WaitUntilAsync(async () => await world.AccOfAsync(keeper.Keeper.PublicKey) == 3 * claimed.KeeperReward, Patience, "three claim rewards");
    }

    [Test]
    public async Task AMissedDeadline_IsReported_AndTheExecutorSettled_SlashedByTheMissedSeverity()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        AgentCluster.Solana.Keys.Account requester = await world.NewFundedAsync(10_000 * Acc);
        SolanaTestAgent executor = await world.NewAgentAsync(2_000 * Acc);
        await using SolanaKeeperHost keeper = await SolanaKeeperHost.StartAsync(world, "keeper");
        SolanaTestTask task = await world.SubmitTaskAsync(requester, committeeSize: 3, deadline: await world.NowAsync() + 3_600 + 600);
        await world.BidAsync(executor, task, 900 * Acc);
        await world.WarpAsync(3_601);
        await SolanaMarketWorld.WaitUntilAsync(async () => (await world.ReadTaskAsync(task.Task)).Status == TaskStatus.Assigned, Patience, "assigned");
        ulong stakeBefore = (await world.ReadAgentAsync(executor.Agent)).ActiveStake;
        await world.WarpAsync(601); // the executor never posts: past the deadline
        await SolanaMarketWorld.WaitUntilAsync(async () =>
        {
            TaskAccount t = await world.ReadTaskAsync(task.Task);
            return t.Status == TaskStatus.Missed && t.ExecutorSettled;
        }, Patience, "the missed deadline reported and the executor settled");
        TaskAccount missed = await world.ReadTaskAsync(task.Task);
        ulong slashed = stakeBefore * missed.MissedSeverityBps / 10_000;
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(slashed, Is.GreaterThan(0));
            Assert.That((await world.ReadAgentAsync(executor.Agent)).ActiveStake, Is.EqualTo(stakeBefore - slashed), "slashed the missed severity");
            Assert.That(await world.AccOfAsync(keeper.Keeper.PublicKey), Is.EqualTo(3 * missed.KeeperReward), "assign, report, settle_executor");
            Assert.That(missed.RequesterCredit, Is.EqualTo(missed.Bounty + missed.Fee - 3 * missed.KeeperReward));
            Assert.That(keeper.Measured("agentcluster_solana_keeper_actions", "report_missed_deadline"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ASeedSlotThatLeftSlotHashes_IsLapsedByTheKeepersFixSeed_AndTheExecutorPenalised()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        AgentCluster.Solana.Keys.Account requester = await world.NewFundedAsync(10_000 * Acc);
        SolanaTestAgent executor = await world.NewAgentAsync(2_000 * Acc);
        AgentCluster.Solana.Keys.Account other = await world.NewFundedAsync(1 * Acc);
        SolanaTestTask task = await world.SubmitTaskAsync(requester, committeeSize: 3);
        await world.BidAsync(executor, task, 900 * Acc);
        await world.WarpAsync(3_601);
        await world.SendAsync(other, [AgentClusterProgram.AssignTask(world.Program, other.PublicKey, task.Task, task.Vault, world.AtaOf(other.PublicKey))]);
        await world.PostResultAsync(executor, task, Enumerable.Repeat((byte)0x77, 32).ToArray());
        ulong stakeBefore = (await world.ReadAgentAsync(executor.Agent)).ActiveStake;
        await AgentCluster.Solana.Rpc.SolanaLocalnetRpc.AdvanceSlotsAsync(world.Rpc, 600); // nobody fixed the seed: its slot leaves SlotHashes (512 slots)

        await using SolanaKeeperHost keeper = await SolanaKeeperHost.StartAsync(world, "keeper");
        await SolanaMarketWorld.WaitUntilAsync(async () =>
        {
            TaskAccount t = await world.ReadTaskAsync(task.Task);
            return t.Status == TaskStatus.Refunded && t.SeedLapsed && t.ExecutorSettled;
        }, Patience, "the seed lapsed and the executor settled");
        TaskAccount lapsed = await world.ReadTaskAsync(task.Task);
        await SolanaKeeperHost.WaitMeasuredAsync([keeper], "agentcluster_solana_keeper_actions", "settle_executor", 1);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await world.ReadAgentAsync(executor.Agent)).ActiveStake, Is.EqualTo(stakeBefore - stakeBefore * lapsed.MissedSeverityBps / 10_000),
                "penalised as for a missed deadline");
            Assert.That(lapsed.Seats, Is.Zero, "no committee for a lapsed seed");
            Assert.That(keeper.Measured("agentcluster_solana_keeper_actions", "fix_seed"), Is.EqualTo(1));
            Assert.That(await world.AccOfAsync(keeper.Keeper.PublicKey), Is.EqualTo(2 * lapsed.KeeperReward), "fix_seed and settle_executor");
        });
    }

    [Test]
    public async Task APassSendsAtMostMaxActionsPerPass_TheRestWaitsForTheNextPass()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        AgentCluster.Solana.Keys.Account requester = await world.NewFundedAsync(10_000 * Acc);
        SolanaTestAgent executor = await world.NewAgentAsync();
        var tasks = new List<SolanaTestTask>();
        for (int i = 0; i < 3; i++)
        {
            SolanaTestTask t = await world.SubmitTaskAsync(requester, committeeSize: 3);
            await world.BidAsync(executor, t, 500 * Acc);
            tasks.Add(t);
        }

        await world.WarpAsync(3_601);
        await using SolanaKeeperHost keeper = await SolanaKeeperHost.StartAsync(world, "keeper", pollInterval: TimeSpan.FromMilliseconds(500), maxActionsPerPass: 1);
        foreach (SolanaTestTask t in tasks)
        {
            await SolanaMarketWorld.WaitUntilAsync(async () => (await world.ReadTaskAsync(t.Task)).Status == TaskStatus.Assigned, Patience, $"task {t.Id} assigned");
        }

        await SolanaKeeperHost.WaitMeasuredAsync([keeper], "agentcluster_solana_keeper_actions", "assign_task", 3);
        string[] limits = keeper.Logs.Lines.Where(l => l.EventId == 1314).Select(l => l.Message).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(limits, Has.Some.Contains("(1 transaction(s)); 2 action(s) left"), "the first pass sent one of three");
            Assert.That(limits, Has.Some.Contains("(1 transaction(s)); 1 action(s) left"), "the second pass sent one of two");
            Assert.That(keeper.Measured("agentcluster_solana_keeper_actions", "assign_task"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task TheNodeGone_TheKeeperLogsEachFailedPassAndCarriesOn_AndReadinessSaysSo()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        await using SolanaKeeperHost keeper = await SolanaKeeperHost.StartAsync(world, "keeper", pollInterval: TimeSpan.FromMilliseconds(200));
        await SolanaMarketWorld.WaitUntilAsync(() => Task.FromResult(keeper.Service.CompletedPasses >= 2), Patience, "two passes with the node up");
        world.Localnet.Kill();
        await SolanaMarketWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logs.Lines.Count(l => l.EventId == 1302) >= 2), TimeSpan.FromSeconds(120),
            "two failed passes logged");
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(keeper.Measured("agentcluster_solana_keeper_failures", SolanaKeeperMetrics.PassKind), Is.GreaterThanOrEqualTo(2));
            Assert.That(keeper.Service.ExecuteTask!.IsCompleted, Is.False, "the keeper carries on");
            HealthReport health = await keeper.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.That(health.Entries[SolanaNodeHealthCheck.Name].Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(health.Entries[SolanaKeeperBalanceHealthCheck.Name].Status, Is.EqualTo(HealthStatus.Unhealthy));
        });
    }

    [Test]
    public async Task TheNodeUnreachableForAWhile_TheKeeperRidesItOut_AndDoesTheWorkThatFellDueWhenItReturns()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        AgentCluster.Solana.Keys.Account requester = await world.NewFundedAsync(10_000 * Acc);
        SolanaTestAgent executor = await world.NewAgentAsync();
        SolanaTestTask task = await world.SubmitTaskAsync(requester, committeeSize: 3);
        await world.BidAsync(executor, task, 500 * Acc);

        // The keeper reaches the node through a switchable relay: off, connections are refused as from a node that is down.
        using var relay = new SwitchableRelay(world.Localnet.RpcUrl);
        await using SolanaKeeperHost keeper = await SolanaKeeperHost.StartAsync(world, "keeper", pollInterval: TimeSpan.FromMilliseconds(200), rpcUrl: relay.Url);
        await SolanaMarketWorld.WaitUntilAsync(() => Task.FromResult(keeper.Service.CompletedPasses >= 2), Patience, "two passes with the node up");
        relay.Off();
        await SolanaMarketWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logs.Lines.Count(l => l.EventId == 1302) >= 1), TimeSpan.FromSeconds(120), "a failed pass");
        await world.WarpAsync(3_601); // the task falls due while the keeper cannot see the node
        int failed = keeper.Logs.Lines.Count(l => l.EventId == 1302);
        await SolanaMarketWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logs.Lines.Count(l => l.EventId == 1302) > failed), TimeSpan.FromSeconds(120), "another failed pass");
        Assert.That((await world.ReadTaskAsync(task.Task)).Status, Is.EqualTo(TaskStatus.Bidding), "nothing sent while the node is away");

        relay.On();
        await SolanaMarketWorld.WaitUntilAsync(async () => (await world.ReadTaskAsync(task.Task)).Status == TaskStatus.Assigned, Patience, "the assign once the node is back");
        await SolanaMarketWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logs.Lines.Any(l => l.EventId == 1303)), Patience, "the recovery logged");
        await SolanaKeeperHost.WaitMeasuredAsync([keeper], "agentcluster_solana_keeper_actions", "assign_task", 1);
        Assert.Multiple(() =>
        {
            Assert.That(keeper.Logs.Lines.Where(l => l.EventId == 1303).Select(l => l.Message), Has.Some.Contains("recovered after"));
            Assert.That(keeper.Service.ExecuteTask!.IsCompleted, Is.False);
            Assert.That(keeper.Measured("agentcluster_solana_keeper_failures", SolanaKeeperMetrics.PassKind), Is.GreaterThanOrEqualTo(2));
        });
    }

    /// <summary>An HTTP relay on 127.0.0.1 to the node: <see cref="Off"/> closes its port (connections refused), <see cref="On"/> opens it again.</summary>
    private sealed class SwitchableRelay : IDisposable
    {
        private readonly Uri _upstream;
        private readonly HttpClient _http = new();
        private System.Net.HttpListener? _listener;

        public SwitchableRelay(Uri upstream)
        {
            _upstream = upstream;
            var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = new Uri($"http://127.0.0.1:{port}/");
            On();
        }

        public Uri Url { get; }

        public void On()
        {
            var listener = new System.Net.HttpListener();
            listener.Prefixes.Add(Url.ToString());
            listener.Start();
            _listener = listener;
            _ = Task.Run(() => ServeAsync(listener));
        }

        public void Off()
        {
            _listener?.Close();
            _listener = null;
        }

        private async Task ServeAsync(System.Net.HttpListener listener)
        {
            while (listener.IsListening)
            {
                System.Net.HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    try
                    {
                        using var body = new StreamContent(context.Request.InputStream);
                        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                        using HttpResponseMessage answer = await _http.PostAsync(_upstream, body);
                        context.Response.StatusCode = (int)answer.StatusCode;
                        context.Response.ContentType = "application/json";
                        await (await answer.Content.ReadAsStreamAsync()).CopyToAsync(context.Response.OutputStream);
                        context.Response.Close();
                    }
                    catch (Exception)
                    {
                        context.Response.Abort(); // the relay was switched off mid-request: the client sees a broken connection
                    }
                });
            }
        }

        public void Dispose()
        {
            Off();
            _http.Dispose();
        }
    }

    private static byte[] Salt(int seat) => Enumerable.Repeat((byte)(0x10 + seat), 32).ToArray();

    /// <summary>-log2(u) by floating point, u = the first 8 bytes (little-endian) of sha256(seed, agent key) / 2^64: a reference independent of the keeper's fixed-point code.</summary>
    private static double ReferenceNegLog2(byte[] seed, PublicKey agentKey)
    {
        byte[] digest = System.Security.Cryptography.SHA256.HashData([.. seed, .. agentKey.KeyBytes]);
        ulong x = BitConverter.ToUInt64(digest, 0);
        return 64 - Math.Log2(x == 0 ? 1 : x);
    }
}
