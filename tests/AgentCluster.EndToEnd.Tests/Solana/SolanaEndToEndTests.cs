using System.Buffers.Binary;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Keepers.Solana;
using AgentCluster.Sdk.Networks;
using AgentCluster.Keepers.Tests.Solana;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Rpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskStatus = AgentCluster.Solana.Programs.TaskStatus;

namespace AgentCluster.EndToEnd.Tests.Solana;

/// <summary>
/// The Solana end-to-end test (docs/e2e.md's, smaller): the real localnet server, the keeper host in process (the Generic Host with
/// <c>AddAgentClusterSolanaKeepers</c>) doing every keeper action, 8 agents and 6 tasks (committees of 3 and 4) with honest and wrong
/// results and one silent member, the agents' owners and the requesters through the SDK's <see cref="SolanaNetwork"/>
/// (<see cref="IAgentClusterNetwork"/>: register, attest, stake, submit, bid, post, commit, reveal, withdraw), time moved with
/// <c>localnet_warpTime</c>; every outcome, payout, slash and burn checked against the
/// rules computed here from the inputs, ACC conserved exactly, and the compute units of every instruction printed as a table.
/// </summary>
[NonParallelizable]
public sealed class SolanaEndToEndTests
{
    private const ulong Acc = SolanaMarketWorld.Acc;
    private const ulong Bounty = 1_000 * Acc;
    private const ulong GenesisSupply = 1_000_000_000UL * Acc;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>A task of the scenario: its committee size, whether the result is wrong, whether one member stays silent.</summary>
    private sealed record Plan(byte Size, bool Wrong, bool Silent);

    /// <summary>An agent and its owner's network (the owner signs; the network holds the agent's key).</summary>
    private sealed record SdkAgent(Account Owner, SolanaNetwork Net, AgentRef Ref, PublicKey AgentKey, PublicKey Agent, ulong Stake);

    /// <summary>A requester and its network.</summary>
    private sealed record SdkRequester(Account Account, SolanaNetwork Net);

    /// <summary>A submitted task: its reference, address, vault and requester.</summary>
    private sealed record SdkTask(TaskRef Ref, PublicKey Task, PublicKey Vault, SdkRequester Requester);

    [Test]
    public async Task EightAgents_SixTasks_TheKeeperHostDrivesThemAll_AndEverythingSettlesExactlyByTheRules()
    {
        await using SolanaMarketWorld world = await SolanaMarketWorld.StartAsync();
        ConfigAccount config = ConfigAccount.Decode((await world.Rpc.GetAccountInfoAsync(AgentClusterProgram.ConfigAddress(world.Program))).Value!.Data);
        ulong supplyAtGenesis = await SupplyAsync(world);
        Assert.That(supplyAtGenesis, Is.EqualTo(GenesisSupply));

        // ---- agents and requesters, through the SDK ----
        var networks = new List<SolanaNetwork>();
        try
        {
            var attestor = new SolanaNetworkKey(world.Attestor);
            var agents = new List<SdkAgent>();
            for (int i = 0; i < 8; i++)
            {
                ulong stake = (ulong)(1_000 + 250 * i) * Acc;
                Account owner = await world.NewFundedAsync(20_000 * Acc + stake);
                SolanaNetwork net = await ConnectAsync(world, owner, networks);
                AgentRef agent = await net.Agents.RegisterAsync(net.Agents.NewKey(), 0, $"ipfs://agent-{i}.json");
                DateTimeOffset now = await net.ChainTimeAsync();
                await net.Agents.AttestAsync(agent, new NetworkAttestation(SHA256.HashData("enclave"u8), 16, 81_920, 1_200, now.AddDays(29)), attestor);
                Assert.That(await net.Staking.StakeAsync(agent, stake), Is.EqualTo((BigInteger)stake));
                var agentKey = new PublicKey(agent.Value);
                agents.Add(new SdkAgent(owner, net, agent, agentKey, AgentClusterProgram.AgentAddress(world.Program, agentKey), stake));
            }

            var requesters = new List<SdkRequester>();
            for (int i = 0; i < 2; i++)
            {
                Account requester = await world.NewFundedAsync(20_000 * Acc);
                requesters.Add(new SdkRequester(requester, await ConnectAsync(world, requester, networks)));
            }

            ulong supplyAfterRegistration = await SupplyAsync(world);
            Assert.That(supplyAfterRegistration, Is.EqualTo(GenesisSupply - 8 * config.RegistrationFee), "registration burns its fee");
            await AssertConservedAsync(world, supplyAfterRegistration);
            await RunWithKeeperAsync(world, config, agents, requesters, supplyAfterRegistration);
        }
        finally
        {
            foreach (SolanaNetwork net in networks)
            {
                await net.DisposeAsync();
            }
        }
    }

    private static async Task<SolanaNetwork> ConnectAsync(SolanaMarketWorld world, Account signer, List<SolanaNetwork> networks)
    {
        SolanaNetwork net = await SolanaNetwork.ConnectAsync(new SolanaNetworkOptions
        {
            RpcUrl = world.Localnet.RpcUrl.ToString(), DeploymentPath = world.DeploymentPath, Account = signer,
            ReviewStorePath = Path.Combine(world.Localnet.Directory, $"salts-{signer.PublicKey}.db"),
        });
        networks.Add(net);
        return net;
    }

    private static async Task RunWithKeeperAsync(SolanaMarketWorld world, ConfigAccount config, List<SdkAgent> agents, List<SdkRequester> requesters,
        ulong supplyAfterRegistration)
    {
        // ---- the keeper host, in process ----
        Account keeper = Account.Generate();
        await world.AirdropAsync(keeper.PublicKey, 100 * SolanaMarketWorld.Sol);
        using IHost host = BuildKeeperHost(world, world.WriteKeypair(keeper, "e2e-keeper"));
        await host.StartAsync();
        try
        {
            await RunScenarioAsync(world, config, agents, requesters, keeper, supplyAfterRegistration);
        }
        finally
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await host.StopAsync(bound.Token);
        }
    }

    private static async Task RunScenarioAsync(SolanaMarketWorld world, ConfigAccount config, List<SdkAgent> agents, List<SdkRequester> requesters,
        Account keeper, ulong supplyBefore)
    {
        Plan[] plans = [new(3, false, false), new(4, false, true), new(3, true, false), new(4, false, false), new(3, false, false), new(4, true, false)];
        ulong[] prices = plans.Select((_, i) => (ulong)(600 + 10 * i) * Acc).ToArray();

        // Balances and stakes before any task (the model's starting point).
        var owners = agents.Select(a => a.Owner.PublicKey).Concat(requesters.Select(r => r.Account.PublicKey)).Append(keeper.PublicKey).ToArray();
        var balance = new Dictionary<PublicKey, ulong>();
        foreach (PublicKey owner in owners)
        {
            balance[owner] = await world.AccOfAsync(owner);
        }

        var stake = new Dictionary<PublicKey, ulong>();
        foreach (SdkAgent a in agents)
        {
            stake[a.AgentKey] = (await world.ReadAgentAsync(a.Agent)).ActiveStake;
        }

        // ---- submit, bid (task i's executor is agent i), assign by the keeper ----
        var tasks = new List<SdkTask>();
        for (int i = 0; i < plans.Length; i++)
        {
            SdkRequester requester = requesters[i % 2];
            DateTimeOffset now = await requester.Net.ChainTimeAsync();
            TaskRef t = await requester.Net.Tasks.SubmitAsync(new NetworkTaskSubmission
            {
                RequirementsHash = SHA256.HashData(BitConverter.GetBytes(i)), Bounty = Bounty, CommitteeSize = plans[i].Size, Deadline = now.AddDays(2),
            });
            balance[requester.Account.PublicKey] -= Bounty + SolanaMarketWorld.MinimumFee(plans[i].Size, Bounty, config.KeeperReward);
            await agents[i].Net.Tasks.BidAsync(t, agents[i].Ref, prices[i]);
            var address = new PublicKey(t.Value);
            tasks.Add(new SdkTask(t, address, AgentClusterProgram.TaskVaultAddress(world.Program, address), requester));
        }

        await world.WarpAsync(config.MarketTerms.BiddingWindow + 1);
        await WaitAllAsync(world, tasks, t => t.Status == TaskStatus.Assigned, "every task assigned by the keeper");

        // ---- results: honest or wrong; the keeper fixes each seed and draws each committee ----
        for (int i = 0; i < tasks.Count; i++)
        {
            await agents[i].Net.Tasks.PostResultAsync(tasks[i].Ref, agents[i].Ref, Enumerable.Repeat(plans[i].Wrong ? (byte)0xee : (byte)0x77, 32).ToArray(),
                $"ipfs://result-{i}.json");
        }

        await WaitAllAsync(world, tasks, t => t.Seats == t.CommitteeSize, "every committee drawn by the keeper");
        TaskAccount[] drawn = await Task.WhenAll(tasks.Select(t => world.ReadTaskAsync(t.Task)));
        for (int i = 0; i < tasks.Count; i++)
        {
            // The committee is the sortition's best keys among the eligible (every agent but the executor), recomputed here.
            PublicKey[] expected = agents.Where((_, j) => j != i)
                .Select(a => (a.AgentKey, Key: ReferenceNegLog2(drawn[i].Seed, a.AgentKey) / stake[a.AgentKey]))
                .OrderBy(x => x.Key).Take(plans[i].Size).Select(x => x.AgentKey).ToArray();
            Assert.That(drawn[i].Members.Select(m => m.AgentKey), Is.EquivalentTo(expected), $"task {i}: the sortition's committee");
        }

        // ---- votes: members vote the truth; task 1 has a silent member (the one seated last) ----
        long drawCloses = drawn.Max(t => t.DrawClosesAt);
        await world.WarpAsync((ulong)(drawCloses - await world.NowAsync() + 1));
        SdkAgent AgentOf(PublicKey key) => agents.Single(a => a.AgentKey == key);
        var silent = new HashSet<(int Task, int Seat)>();
        for (int i = 0; i < tasks.Count; i++)
        {
            for (int seat = 0; seat < drawn[i].CommitteeSize; seat++)
            {
                if (plans[i].Silent && seat == drawn[i].CommitteeSize - 1)
                {
                    silent.Add((i, seat));
                    continue;
                }

                SdkAgent member = AgentOf(drawn[i].Members[seat].AgentKey);
                await member.Net.Reviews.CommitAsync(tasks[i].Ref, member.Ref, !plans[i].Wrong);
            }
        }

        for (int i = 0; i < tasks.Count; i++)
        {
            if (!plans[i].Silent)
            {
                for (int seat = 0; seat < drawn[i].CommitteeSize; seat++)
                {
                    SdkAgent member = AgentOf(drawn[i].Members[seat].AgentKey);
                    await member.Net.Reviews.RevealAsync(tasks[i].Ref, member.Ref);
                }
            }
        }

        // The task with a silent member: reveals open after the commit window; it settles after the reveal window.
        await world.WarpAsync((ulong)(drawn.Max(t => t.CommitEndsAt) - await world.NowAsync() + 1));
        for (int i = 0; i < tasks.Count; i++)
        {
            if (plans[i].Silent)
            {
                for (int seat = 0; seat < drawn[i].CommitteeSize; seat++)
                {
                    if (!silent.Contains((i, seat)))
                    {
                        SdkAgent member = AgentOf(drawn[i].Members[seat].AgentKey);
                        await member.Net.Reviews.RevealAsync(tasks[i].Ref, member.Ref);
                    }
                }
            }
        }

        await world.WarpAsync((ulong)(drawn.Max(t => t.RevealEndsAt) - await world.NowAsync() + 1));
        await WaitAllAsync(world, tasks, t => t.Status >= TaskStatus.Accepted && t.ExecutorSettled && t.MembersSettled == t.Seats,
            "every task, executor and member settled by the keeper");

        // ---- payouts pulled by the requesters and the executors' owners (the SDK's withdraw: one claim_payout per task owing them) ----
        TaskAccount[] settled = await Task.WhenAll(tasks.Select(t => world.ReadTaskAsync(t.Task)));
        var withdrawn = new Dictionary<PublicKey, BigInteger>();
        foreach (SdkRequester requester in requesters)
        {
            withdrawn[requester.Account.PublicKey] = await requester.Net.Tasks.WithdrawEarningsAsync();
        }

        foreach (SdkAgent a in agents)
        {
            withdrawn[a.Owner.PublicKey] = await a.Net.Tasks.WithdrawEarningsAsync();
        }

        // ---- the rules, applied to the inputs ----
        ulong burned = 0;
        var expectedWithdrawals = new Dictionary<PublicKey, BigInteger>();
        for (int i = 0; i < tasks.Count; i++)
        {
            TaskAccount t = settled[i];
            Plan plan = plans[i];
            TaskStatus outcome = plan.Wrong ? TaskStatus.Rejected : TaskStatus.Accepted;
            Assert.That(t.Status, Is.EqualTo(outcome), $"task {i}: {(plan.Wrong ? "a wrong result is Rejected" : "an honest result is Accepted")}");
            ulong reward = t.KeeperReward;
            Assert.That(reward, Is.EqualTo(config.KeeperReward));
            ulong fee = SolanaMarketWorld.MinimumFee(plan.Size, Bounty, reward);
            Assert.That(t.Fee, Is.EqualTo(fee), $"task {i}: the minimum fee");
            Assert.That(t.Claims, Is.Zero, $"task {i}: the keeper drew the best keys, so nobody claimed a seat");
            int revealed = plan.Size - (plan.Silent ? 1 : 0);
            int aligned = revealed; // every revealed vote is the truth, and the truth wins
            ulong rest = fee - (4UL + 2UL * plan.Size) * reward;
            ulong perReviewer = (ulong)((UInt128)rest * t.ReviewerShareBps / 10_000) / (ulong)aligned;
            burned += rest - perReviewer * (ulong)aligned;
            Assert.That(t.RewardPerReviewer, Is.EqualTo(perReviewer), $"task {i}: each aligned member's share");
            balance[keeper.PublicKey] += (4UL + 2UL * plan.Size) * reward; // assign, seed, each seat, settlement, executor, each member
            PublicKey requester = tasks[i].Requester.Account.PublicKey;
            ulong owedRequester = outcome == TaskStatus.Accepted ? Bounty - prices[i] : Bounty;
            balance[requester] += owedRequester;
            expectedWithdrawals[requester] = expectedWithdrawals.GetValueOrDefault(requester) + owedRequester;
            if (outcome == TaskStatus.Accepted)
            {
                balance[agents[i].Owner.PublicKey] += prices[i];
                expectedWithdrawals[agents[i].Owner.PublicKey] = expectedWithdrawals.GetValueOrDefault(agents[i].Owner.PublicKey) + prices[i];
            }
            else
            {
                PublicKey key = agents[i].AgentKey;
                stake[key] -= (ulong)((UInt128)stake[key] * t.RejectedSeverityBps / 10_000); // the executor slashed 20%
            }

            for (int seat = 0; seat < plan.Size; seat++)
            {
                PublicKey member = t.Members[seat].AgentKey;
                if (silent.Contains((i, seat)))
                {
                    stake[member] -= (ulong)((UInt128)stake[member] * t.NonRevealSeverityBps / 10_000); // the silent member slashed 2%
                }
                else
                {
                    balance[AgentOf(member).Owner.PublicKey] += perReviewer;
                }
            }
        }

        Assert.That(settled.Count(t => t.Status == TaskStatus.Rejected), Is.EqualTo(2));
        Assert.That(settled.Where((_, i) => plans[i].Wrong).Select(t => (ulong)t.RejectedSeverityBps), Is.All.EqualTo(2_000UL), "a rejected executor loses 20%");
        await Assert.MultipleAsync(async () =>
        {
            foreach (PublicKey owner in owners)
            {
                Assert.That(await world.AccOfAsync(owner), Is.EqualTo(balance[owner]), $"ACC of {owner}");
            }

            foreach (SdkAgent a in agents)
            {
                Assert.That((await world.ReadAgentAsync(a.Agent)).ActiveStake, Is.EqualTo(stake[a.AgentKey]), $"stake of agent {a.AgentKey}");
                Assert.That(await a.Net.Staking.GetStakeAsync(a.Ref), Is.EqualTo((BigInteger)stake[a.AgentKey]), $"the SDK's stake of agent {a.AgentKey}");
            }

            foreach (PublicKey payee in withdrawn.Keys)
            {
                Assert.That(withdrawn[payee], Is.EqualTo(expectedWithdrawals.GetValueOrDefault(payee)), $"withdrawn by {payee}");
            }

            foreach (SdkTask t in tasks)
            {
                Assert.That(await TokenAmountAsync(world, t.Vault), Is.Zero, $"task {t.Task}'s vault is empty once everything is paid");
            }
        });
        ulong supplyAfter = await SupplyAsync(world);
        Assert.That(supplyAfter, Is.EqualTo(supplyBefore - burned), "the supply fell by exactly what the settlements burned");
        await AssertConservedAsync(world, supplyAfter);
        await PrintComputeUnitsAsync(world, keeper.PublicKey);
    }

    private static IHost BuildKeeperHost(SolanaMarketWorld world, string keypairPath)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:Solana:RpcUrl"] = world.Localnet.RpcUrl.ToString(),
            ["AgentCluster:Keepers:Solana:DeploymentPath"] = world.DeploymentPath,
            ["AgentCluster:Keepers:Solana:KeypairPath"] = keypairPath,
            ["AgentCluster:Keepers:Solana:PollInterval"] = "00:00:00.250",
        });
        builder.Logging.ClearProviders().AddProvider(new ProgressLoggerProvider()).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddAgentClusterSolanaKeepers(builder.Configuration);
        return builder.Build();
    }

    private static async Task WaitAllAsync(SolanaMarketWorld world, IReadOnlyList<SdkTask> tasks, Func<TaskAccount, bool> done, string what) =>
        await SolanaMarketWorld.WaitUntilAsync(async () => (await Task.WhenAll(tasks.Select(t => world.ReadTaskAsync(t.Task)))).All(done), Patience, what);


    /// <summary>-log2(u) in floating point: a reference independent of the program's and the keeper's fixed point.</summary>
    private static double ReferenceNegLog2(byte[] seed, PublicKey agentKey)
    {
        byte[] digest = System.Security.Cryptography.SHA256.HashData([.. seed, .. agentKey.KeyBytes]);
        ulong x = BinaryPrimitives.ReadUInt64LittleEndian(digest);
        return 64 - Math.Log2(x == 0 ? 1 : x);
    }

    private static async Task<ulong> SupplyAsync(SolanaMarketWorld world) =>
        BinaryPrimitives.ReadUInt64LittleEndian((await world.Rpc.GetAccountInfoAsync(world.Mint)).Value!.Data.AsSpan(36, 8));

    private static async Task<ulong> TokenAmountAsync(SolanaMarketWorld world, PublicKey tokenAccount) =>
        BinaryPrimitives.ReadUInt64LittleEndian((await world.Rpc.GetAccountInfoAsync(tokenAccount)).Value!.Data.AsSpan(64, 8));

    /// <summary>ACC is conserved: the balances of every ACC token account (the SPL Token program's accounts of this mint) add up to the supply.</summary>
    private static async Task AssertConservedAsync(SolanaMarketWorld world, ulong supply)
    {
        RpcResponse<IReadOnlyList<ProgramAccount>> accounts = await world.Rpc.GetProgramAccountsAsync(AgentClusterProgram.TokenId,
            [ProgramAccountFilter.DataSize(165), ProgramAccountFilter.Memcmp(0, world.Mint.KeyBytes)]);
        UInt128 sum = 0;
        foreach (ProgramAccount a in accounts.Value)
        {
            sum += BinaryPrimitives.ReadUInt64LittleEndian(a.Account.Data.AsSpan(64, 8));
        }

        Assert.That(accounts.Value, Has.Count.GreaterThan(8), "the vaults and the holders' accounts are all found");
        Assert.That(sum, Is.EqualTo((UInt128)supply), $"the {accounts.Value.Count} ACC token accounts hold exactly the supply");
    }

    /// <summary>
    /// Compute units per instruction, from getTransaction of every transaction of the run (the world's and the keeper's): each top-level
    /// instruction's "consumed" log line, named by its program and, for AgentCluster's, by its tag.
    /// </summary>
    private static async Task PrintComputeUnitsAsync(SolanaMarketWorld world, PublicKey keeper)
    {
        var names = typeof(AgentClusterProgram).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Tag", StringComparison.Ordinal) && f.FieldType == typeof(byte))
            .GroupBy(f => (byte)f.GetRawConstantValue()!).ToDictionary(g => g.Key, g => Snake(g.First().Name[..^3]));
        // Every transaction that touched the program (the SDK's, the keeper's, the world's set-up), and the keeper's own (its ACC account).
        var signatures = (await world.Rpc.GetSignaturesForAddressAsync(world.Program, 1000)).Select(s => s.Signature).ToList();
        signatures.AddRange((await world.Rpc.GetSignaturesForAddressAsync(keeper, 1000)).Select(s => s.Signature));
        Assert.That(signatures, Has.Count.LessThan(1000), "below the query's limit: every transaction is counted");
        var units = new Dictionary<string, List<ulong>>();
        var consumed = new Regex(@"^Program (\w+) consumed (\d+) of \d+ compute units$");
        foreach (string signature in signatures.Distinct())
        {
            TransactionInfo? info = await world.Rpc.GetTransactionAsync(signature, Commitment.Confirmed);
            if (info is null || info.Meta.Error is not null)
            {
                continue;
            }

            Message message = Transaction.Deserialize(info.WireTransaction).Message;
            int depth = 0, top = -1;
            foreach (string line in info.Meta.LogMessages)
            {
                if (line.StartsWith("Program ", StringComparison.Ordinal) && line.Contains(" invoke [", StringComparison.Ordinal))
                {
                    depth++;
                    if (depth == 1)
                    {
                        top++;
                    }
                }
                else if (consumed.Match(line) is { Success: true } m && depth == 1 && top >= 0 && top < message.Instructions.Count)
                {
                    CompiledInstruction ix = message.Instructions[top];
                    PublicKey program = message.AccountKeys[ix.ProgramIdIndex];
                    string name = program == world.Program ? names.GetValueOrDefault(ix.Data[0], $"tag {ix.Data[0]}")
                        : program.Key.StartsWith("ATokenGP", StringComparison.Ordinal) ? "ata.create_idempotent"
                        : program.Key.StartsWith("Ed25519SigVerify", StringComparison.Ordinal) ? "ed25519_program.verify" : program.Key;
                    (units.TryGetValue(name, out List<ulong>? list) ? list : units[name] = []).Add(ulong.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
                else if (line.StartsWith("Program ", StringComparison.Ordinal) && (line.EndsWith(" success", StringComparison.Ordinal) || line.Contains(" failed: ", StringComparison.Ordinal)))
                {
                    depth--;
                }
            }
        }

        TestContext.Out.WriteLine($"{"instruction",-26} {"count",6} {"min CU",8} {"mean CU",8} {"max CU",8}");
        foreach ((string name, List<ulong> list) in units.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            TestContext.Out.WriteLine($"{name,-26} {list.Count,6} {list.Min(),8} {list.Average(x => (double)x),8:0} {list.Max(),8}");
        }

        string[] keeperWork = ["assign_task", "fix_seed", "draw_seat", "settle_task", "settle_executor", "settle_member"];
        Assert.That(units.Keys, Is.SupersetOf(keeperWork), "every keeper instruction's compute units were recorded");
        Assert.That(keeperWork.SelectMany(k => units[k]), Is.All.InRange(1UL, 200_000UL));
    }

    private static string Snake(string pascal) => Regex.Replace(pascal, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant();

    /// <summary>The keeper host's log lines on the test's progress output.</summary>
    private sealed class ProgressLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ProgressLogger();

        public void Dispose()
        {
        }

        private sealed class ProgressLogger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                TestContext.Progress.WriteLine($"[{logLevel}] {eventId.Id} {formatter(state, exception)}");
        }
    }
}
