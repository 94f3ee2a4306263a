using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Bindings.AccToken.ContractDefinition;
using AgentCluster.Evm;
using AgentCluster.Evm.Signing;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Earnings;
using AgentCluster.Sdk.Reviews;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.EndToEnd.Tests;

/// <summary>
/// The proof of issue 11 on one anvil: 30 agents register, stake and are attested; 50 tasks are submitted with permits, bid for,
/// executed and verified by committees of 10 drawn through the SDK's keeper operations, with honest, lazy and dishonest reviewers;
/// everything settles and every payout is withdrawn; a governance proposal sent with the CLI raises the market fee; two more tasks
/// run under it. After each phase every balance, stake, slash and reputation is compared with <see cref="ProtocolModel"/> (the
/// rules computed independently), and ACC is conserved: the balances of every address that ever held ACC add up to the total
/// supply, which fell by exactly what the rules burn.
/// </summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class EndToEndTests
{
    private const int AgentCount = 30;
    private const int TaskCount = 50;
    private const int RequesterCount = 5;
    private const byte CommitteeSize = 10; // the market's minimum (MIN_COMMITTEE)
    private const ulong Capability = 0b1;
    private static readonly BigInteger Acc = BigInteger.Pow(10, 18);
    private static readonly BigInteger StakeAmount = 5_000 * Acc;

    /// <summary>Agents 0-19 honest, 20-23 dishonest (vote against the truth), 24-26 lazy and silent (never commit), 27-29 lazy
    /// and unrevealed (commit, never reveal).</summary>
    private static Role RoleOf(int agent) => agent switch
    {
        < 20 => Role.Honest,
        < 24 => Role.Dishonest,
        < 27 => Role.Silent,
        _ => Role.Unrevealed,
    };

    private enum Role { Honest, Dishonest, Silent, Unrevealed }

    /// <summary>
    /// Everyone is honest on the first 25 tasks and plays its role from then on: by then the misbehaving agents hold validator
    /// reputation (about 0.1 point per aligned vote), so the rules' losses (0.2 outvoted, 0.5 silent) show in full instead of
    /// being clamped at 0.
    /// </summary>
    private static Role Behaviour(Agent agent, ModelTask task) => task.Index < TaskCount / 2 ? Role.Honest : agent.Role;

    private sealed class Actor
    {
        public required string PrivateKey { get; init; }

        public required string Address { get; init; }

        public AgentClusterWeb3 Web3 { get; set; } = null!;

        public AgentClusterClient Client { get; set; } = null!;
    }

    private sealed class Agent
    {
        public required int Index { get; init; }

        public required Actor Owner { get; init; }

        public required Secp256k1Signer Key { get; init; }

        public BigInteger Id { get; set; }

        public ReviewsClient Reviews { get; set; } = null!;

        public Role Role => RoleOf(Index);
    }

    private AgentClusterSuite _suite = null!;
    private string _dir = null!;
    private readonly List<Actor> _actors = [];
    private readonly List<Agent> _agents = [];
    private readonly List<Actor> _requesters = [];
    private Actor _keeper = null!;
    private ProtocolModel _model = null!;
    private BigInteger _supplyBefore;
    private BigInteger _bond;
    private ModelParams _params = null!;

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Environment.SetEnvironmentVariable("AGENTCLUSTER_E2E_GOV_KEY", null);
        foreach (Agent a in _agents)
        {
            a.Reviews?.Dispose();
        }

        foreach (Actor a in _actors)
        {
            if (a.Client is not null)
            {
                await a.Client.DisposeAsync();
            }

            if (a.Web3 is not null)
            {
                await a.Web3.DisposeAsync();
            }
        }

        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }

        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public async Task ThirtyAgents_FiftyTasks_SettleExactlyByTheRules_AndAGovernanceChangeTakesEffectAfterTheTimelock()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        CancellationToken ct = timeout.Token;
        var clock = Stopwatch.StartNew();
        _dir = Directory.CreateTempSubdirectory("agentcluster-e2e-").FullName;
        _lap.Start();

        // ---------------------------------------------------------------- a chain, 30 owners with an agent each, 5 requesters, a keeper
        var attestor = new Secp256k1Signer(NewKey());
        _suite = await AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions
        {
            DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = attestor.Address },
        }, ct);
        Lap("anvil + suite");
        // Governance needs the deployer's ACC above the quorum floor (10M): 26 days of emissions, released before anything else.
        await _suite.ReleaseEmissionsAsync(TimeSpan.FromDays(26), ct);

        for (int i = 0; i < AgentCount; i++)
        {
            Actor owner = NewActor();
            _agents.Add(new Agent { Index = i, Owner = owner, Key = new Secp256k1Signer(NewKey()) });
        }

        for (int r = 0; r < RequesterCount; r++)
        {
            _requesters.Add(NewActor());
        }

        _keeper = NewActor();
        Actor bank = NewActor();
        var deployer = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = _suite.Web3, Manifest = _suite.Manifest }, cancellationToken: ct);
        SuiteContracts c = deployer.Contracts;
        string token = c.Token.ContractAddress;
        _bond = await c.Registry.BondQueryAsync();
        BigInteger registrationFee = await c.Registry.RegistrationFeeQueryAsync();
        Assert.That(await c.Staking.HarmedShareBpsQueryAsync(), Is.EqualTo(0), "the deployment burns slashes whole (harmedShareBps 0), as the model does");
        var onChain = (await c.TaskMarket.ParamsQueryAsync()).ReturnValue1;
        _params = new ModelParams(onChain.FeeBps, onChain.ReviewerShareBps, onChain.KeeperReward, onChain.RejectedSeverityBps, onChain.NonRevealSeverityBps,
            onChain.MinoritySeverityBps);
        Assert.That(_params, Is.EqualTo(new ModelParams(500, 5_000, Acc, 2_000, 200, 100)), "the deployment's parameters (scripts/evm/AgentClusterDeployment.sol)");

        foreach (Actor a in _actors)
        {
            await _suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", a.Address, "0x3635c9adc5dea00000")); // 1000 ETH for gas
        }

        foreach (Actor a in _actors)
        {
            // The durable transaction manager of each account, polling for receipts every 50 ms (anvil mines at once; the default 1 s
            // would make the keeper's ~400 sequential transactions the bulk of the runtime).
            a.Web3 = await AgentClusterWeb3.CreateAsync(_suite.Node.RpcUrl, a.PrivateKey, _suite.Node.ChainId, new DurableTransactionManagerOptions
            {
                JournalPath = Path.Combine(_dir, $"journal-{a.Address}.db"),
                PollInterval = TimeSpan.FromMilliseconds(50),
                // The gas margin is the manager's default: its fixed headroom covers the total-supply checkpoint that back-to-back
                // burns write (found by this test, see docs/e2e.md and EstimateRaceTests).
            }, cancellationToken: ct);
            a.Client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = a.Web3, Manifest = _suite.Manifest }, cancellationToken: ct);
        }

        // ACC from the deployer to a bank in one transfer, then to everyone (the suite's own manager polls once a second).
        BigInteger perOwner = _bond + registrationFee + StakeAmount + 100 * Acc;
        BigInteger perRequester = 80_000 * Acc;
        await _suite.FundAsync(bank.Address, AgentCount * perOwner + RequesterCount * perRequester, ct);
        foreach ((string to, BigInteger amount) in _agents.Select(a => (a.Owner.Address, perOwner)).Concat(_requesters.Select(r => (r.Address, perRequester))))
        {
            Require(await bank.Client.Contracts.Token.TransferRequestAndWaitForReceiptAsync(to, amount, ct));
        }

        string rewardsPool = await c.FeeRouter.RewardsPoolQueryAsync();
        _model = new ProtocolModel(c.TaskMarket.ContractAddress, c.Staking.ContractAddress, c.Registry.ContractAddress, rewardsPool);
        foreach (string address in TrackedAddresses())
        {
            _model.Balance[ProtocolModel.Key(address)] = await c.Token.BalanceOfQueryAsync(address);
        }

        Lap("accounts, ETH and ACC");
        _supplyBefore = await c.Token.TotalSupplyQueryAsync();
        Assert.That(await SumOfAllHoldersAsync(c), Is.EqualTo(_supplyBefore), "before: every holder's ACC adds up to the total supply");
        BigInteger blockBefore = await BlockNumberAsync();

        // ---------------------------------------------------------------- register with bond, attest, stake: all 30 in parallel, through the SDK
        await Task.WhenAll(_agents.Select(async a =>
        {
            AgentRegistration reg = await a.Owner.Client.Agents.RegisterAsync(a.Key, $"ipfs://e2e/agent-{a.Index}.json", Capability,
                Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes($"vector-{a.Index}")), ct);
            a.Id = reg.AgentId;
            Assert.That(reg.Bond, Is.EqualTo(_bond));
            ulong expires = (ulong)(await a.Owner.Client.Tasks.ChainTimeAsync(ct)).ToUnixTimeSeconds() + 29 * 86_400;
            var attestation = new AgentAttestation(a.Id, Sha3Keccack.Current.CalculateHash("enclave"u8.ToArray()), 8, 16_384, 100, expires, 1);
            TransactionReceipt attested = await a.Owner.Client.Agents.SubmitAttestationAsync(attestation, a.Owner.Client.Agents.SignAttestation(attestation, attestor), ct);
            a.Reviews = a.Owner.Client.OpenReviews(Path.Combine(_dir, $"salts-{a.Index}.db"));
            await a.Owner.Client.Staking.StakeAsync(a.Id, StakeAmount, ct);
            lock (_model)
            {
                _model.Register(a.Owner.Address, _bond, registrationFee);
                _model.AddStake(a.Owner.Address, a.Id, StakeAmount);
            }

            long attestedAt = await BlockTimeAsync(attested.BlockNumber.Value);
            lock (_model)
            {
                _model.Attest(a.Id, 8, 16_384, 100, attestedAt);
            }
        }));
        Assert.That((await deployer.Agents.GetStatusAsync(_agents[0].Id, ct)), Is.EqualTo(AgentStatus.Active));
        Lap("30 agents registered, attested, staked");

        // ---------------------------------------------------------------- 50 tasks through their whole life
        List<ModelTask> batch = [.. Enumerable.Range(0, TaskCount).Select(k => new ModelTask
        {
            Index = k,
            Requester = _requesters[k % RequesterCount].Address,
            Bounty = k % 10 == 9 ? 200 * Acc : (2_000 + 1_000 * (k % 10)) * Acc,
            Params = _params,
            GoodResult = k % 5 != 4,
        })];
        await RunTasksAsync(batch, ct);
        Assert.That(batch.Where(t => t.Bounty == 2_000 * Acc).Select(t => t.Fee), Is.All.EqualTo(100 * Acc), "5% of a 2,000 ACC bounty");
        Assert.That(batch.Where(t => t.Bounty == 200 * Acc).Select(t => t.Fee), Is.All.EqualTo(32 * Acc + 1), "the keeper budget (3 x 10 + 2) x 1 ACC + 1 wei");

        TestContext.Out.WriteLine($"outcomes: {string.Join(", ", batch.GroupBy(t => _outcomes[t.Index]).Select(g => $"{g.Key} {g.Count()}"))}");
        Assert.That(batch.Select(t => _outcomes[t.Index]).Distinct().Count(), Is.GreaterThanOrEqualTo(2), "the scenario exercised more than one verdict");
        TestContext.Out.WriteLine($"reputation losses: {_model.Losses.Full} in full, {_model.Losses.Clamped} clamped at 0");
        Assert.That(_model.Losses.Full, Is.GreaterThan(0), "some losses are observable in full, not only as a clamp at 0");

        await FlushBurnAndWithdrawAsync(ct);
        Lap("50 tasks settled, paid out");
        await AssertChainMatchesModelAsync(c, "after 50 tasks");
        Lap("assertions");

        // ---------------------------------------------------------------- governance through the CLI: the market fee 5% -> 15%
        var proposed = (await c.TaskMarket.ParamsQueryAsync()).ReturnValue1;
        const int NewFeeBps = 1_500;
        string manifestPath = Path.Combine(_dir, "manifest.json");
        var m = _suite.Manifest;
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }));
        string proposalPath = Path.Combine(_dir, "proposal.json");
        File.WriteAllText(proposalPath, JsonSerializer.Serialize(new
        {
            description = "Raise the task market's fee to 15% of the bounty",
            calls = new[]
            {
                new
                {
                    target = "TaskMarket",
                    function = "setParams((uint40 biddingWindow, uint40 maxTaskDuration, uint40 seedTimeout, uint40 drawWindow, uint40 commitWindow, uint40 revealWindow, uint16 feeBps, uint16 reviewerShareBps, uint96 keeperReward, uint96 minStake, uint16 missedDeadlineSeverityBps, uint16 rejectedSeverityBps, uint16 nonRevealSeverityBps, uint16 minoritySeverityBps) p)",
                    args = new object[]
                    {
                        new object[]
                        {
                            proposed.BiddingWindow, proposed.MaxTaskDuration, proposed.SeedTimeout, proposed.DrawWindow, proposed.CommitWindow, proposed.RevealWindow,
                            NewFeeBps, proposed.ReviewerShareBps, proposed.KeeperReward.ToString(), proposed.MinStake.ToString(), proposed.MissedDeadlineSeverityBps,
                            proposed.RejectedSeverityBps, proposed.NonRevealSeverityBps, proposed.MinoritySeverityBps,
                        },
                    },
                },
            },
        }));
        Environment.SetEnvironmentVariable("AGENTCLUSTER_E2E_GOV_KEY", AnvilAccounts.PrivateKeys[0]);
        string Gov(params string[] args)
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            int code = AgentCluster.Cli.Program.Run(["gov", .. args, "--rpc-url", _suite.Node.RpcUrl.ToString(), "--manifest", manifestPath,
                "--private-key-env", "AGENTCLUSTER_E2E_GOV_KEY", "--journal", Path.Combine(_dir, "gov-journal.db")], stdout, stderr, new StringReader(""));
            Assert.That(code, Is.EqualTo(0), $"agentcluster gov {args[0]}: {stderr}");
            return stdout.ToString().TrimEnd('\n');
        }

        Assert.That(Gov("delegate", AnvilAccounts.Addresses[0]), Does.StartWith("delegated the votes of"));
        await WarpAsync(1);
        using JsonDocument sent = JsonDocument.Parse(Gov("propose", "--file", proposalPath, "--json"));
        string proposalId = sent.RootElement.GetProperty("id").GetString()!;
        await WarpAsync((long)await c.Governor.VotingDelayQueryAsync() + 1);
        Assert.That(Gov("vote", proposalId, "for"), Does.StartWith($"voted for on {proposalId}"));
        await WarpAsync((long)await c.Governor.VotingPeriodQueryAsync() + 1);
        Assert.That(Gov("queue", "--file", proposalPath), Does.StartWith($"queued {proposalId}"));
        Assert.That((await c.TaskMarket.ParamsQueryAsync()).ReturnValue1.FeeBps, Is.EqualTo(500), "queued is not in force");
        var tooSoon = new StringWriter();
        Assert.That(AgentCluster.Cli.Program.Run(["gov", "execute", "--file", proposalPath, "--rpc-url", _suite.Node.RpcUrl.ToString(), "--manifest", manifestPath,
            "--private-key-env", "AGENTCLUSTER_E2E_GOV_KEY", "--journal", Path.Combine(_dir, "gov-journal.db")], new StringWriter(), tooSoon, new StringReader("")), Is.EqualTo(1));
        Assert.That(tooSoon.ToString(), Does.Contain("timelock delay ends"), "execution waits for the timelock");
        await WarpAsync((long)await c.Timelock.GetMinDelayQueryAsync() + 1);
        Assert.That(Gov("execute", "--file", proposalPath), Does.StartWith($"executed {proposalId}"));
        Assert.That((await c.TaskMarket.ParamsQueryAsync()).ReturnValue1.FeeBps, Is.EqualTo(NewFeeBps), "the new fee is in force after the timelock");
        Environment.SetEnvironmentVariable("AGENTCLUSTER_E2E_GOV_KEY", null);
        Lap("governance (CLI)");

        // The slashes of the 50 tasks are past their 7-day appeal window (governance took 13 days): anyone finalizes them (burned).
        await FinalizeSlashesAsync(c, ct);
        Lap("slashes finalized");
        await AssertChainMatchesModelAsync(c, "after governance and the slashes' finalization");

        // ---------------------------------------------------------------- two tasks under the new fee
        ModelParams raised = _params with { FeeBps = NewFeeBps };
        List<ModelTask> after = [.. new[] { 50, 51 }.Select(k => new ModelTask
        {
            Index = k,
            Requester = _requesters[k % RequesterCount].Address,
            Bounty = 2_000 * Acc,
            Params = raised,
            GoodResult = k == 50,
        })];
        await RunTasksAsync(after, ct);
        Assert.That(after.Select(t => t.Fee), Is.All.EqualTo(300 * Acc), "15% of 2,000 ACC: three times the 100 ACC of the same bounty before the proposal");
        await WarpAsync(7 * ProtocolModel.Day + 1);
        await FinalizeSlashesAsync(c, ct);
        await FlushBurnAndWithdrawAsync(ct);
        Lap("2 tasks under the new fee");
        await AssertChainMatchesModelAsync(c, "at the end");
        Lap("assertions");

        BigInteger txs = 0;
        foreach (Actor a in _actors)
        {
            txs += (await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(a.Address, BlockParameter.CreateLatest())).Value;
        }

        BigInteger blocks = await BlockNumberAsync() - blockBefore;
        TestContext.Out.WriteLine($"e2e: {clock.Elapsed.TotalSeconds:F0} s, {txs} transactions by the scenario's accounts (+ governance), {blocks} blocks, " +
            $"{_model.SlashCount} slashes, burned {Format(_model.Burned)} ACC");
        TestContext.Out.WriteLine("phases: " + string.Join(", ", _laps));
        await deployer.DisposeAsync();
    }

    private readonly Dictionary<int, Outcome> _outcomes = [];
    private readonly Stopwatch _lap = new();
    private readonly List<string> _laps = [];

    private void Lap(string phase)
    {
        _laps.Add($"{phase} {_lap.Elapsed.TotalSeconds:F1} s");
        _lap.Restart();
    }

    /// <summary>Submit (permit), bid (two bidders), post (assigns), draw by sortition, commit, reveal, settle with members; the model follows each step.</summary>
    private async Task RunTasksAsync(List<ModelTask> tasks, CancellationToken ct)
    {
        // Submit: one requester's tasks in order, requesters in parallel.
        DateTimeOffset now = await _keeper.Client.Tasks.ChainTimeAsync(ct);
        await Task.WhenAll(tasks.GroupBy(t => t.Requester).Select(async g =>
        {
            Actor requester = _requesters.Single(r => r.Address == g.Key);
            foreach (ModelTask t in g)
            {
                SubmittedTask s = await requester.Client.Tasks.SubmitAsync(new TaskSubmission
                {
                    RequirementsHash = Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes($"task-{t.Index}")),
                    Capabilities = Capability,
                    Bounty = t.Bounty,
                    Deadline = now + TimeSpan.FromDays(2),
                    CommitteeSize = CommitteeSize,
                }, ct);
                t.TaskId = s.TaskId;
                // The SDK's default fee is the market's minimum: max(feeBps of the bounty, (3 x size + 2) x keeperReward + 1).
                t.Fee = BigInteger.Max(t.Bounty * t.Params.FeeBps / 10_000, (3 * CommitteeSize + 2) * t.Params.KeeperReward + 1);
                Assert.That(s.Fee, Is.EqualTo(t.Fee), $"task {t.Index}: the minimum fee by the rule");
                lock (_model)
                {
                    _model.Submit(t.Requester, t.Bounty, t.Fee);
                }
            }
        }));

        Lap($"{tasks.Count} submitted");
        // Bid: agents A = 7k mod 30 and B = 7k + 13 mod 30; prices 5+ ACC apart, so the ranking is the rule's, not a tie.
        long bidTime = (await _keeper.Client.Tasks.ChainTimeAsync(ct)).ToUnixTimeSeconds();
        var bids = new List<(ModelTask Task, Agent Agent, BigInteger Price)>();
        foreach (ModelTask t in tasks)
        {
            bids.Add((t, _agents[7 * t.Index % AgentCount], (70 + 10 * (t.Index % 3)) * Acc));
            bids.Add((t, _agents[(7 * t.Index + 13) % AgentCount], (75 + 10 * (t.Index % 2)) * Acc));
        }

        await Task.WhenAll(bids.GroupBy(b => b.Agent).Select(async g =>
        {
            foreach (var b in g)
            {
                await b.Agent.Owner.Client.Tasks.BidAsync(b.Task.TaskId, b.Agent.Id, b.Price, ct);
            }
        }));
        foreach (ModelTask t in tasks)
        {
            var best = bids.Where(b => b.Task == t)
                .MinBy(b => ProtocolModel.EffectivePrice(b.Price, new BigInteger(_model.Reputation(b.Agent.Id, 0, bidTime))));
            t.Executor = best.Agent.Id;
            t.ExecutorOwner = best.Agent.Owner.Address;
            t.Price = best.Price;
        }

        Lap("bids");
        // Execute: after the bidding window each winner posts a deterministic result (which assigns the task and pays it the assign reward).
        await WarpAsync((long)TimeSpan.FromHours(1).TotalSeconds + 1);
        await Task.WhenAll(tasks.GroupBy(t => t.Executor).Select(async g =>
        {
            Agent executor = _agents.Single(a => a.Id == g.Key);
            foreach (ModelTask t in g)
            {
                string result = t.GoodResult ? $"good result of task {t.Index}" : $"wrong result of task {t.Index}";
                await executor.Owner.Client.Tasks.PostResultAsync(t.TaskId, Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(result)),
                    $"ipfs://e2e/result-{t.Index}", ct);
                lock (_model)
                {
                    _model.Assign(executor.Owner.Address, t.Params);
                }
            }
        }));
        foreach (ModelTask t in tasks)
        {
            TaskInfo info = await _keeper.Client.Tasks.GetAsync(t.TaskId, ct);
            Assert.That((info.Executor, info.Price), Is.EqualTo(((BigInteger?)t.Executor, t.Price)), $"task {t.Index}: the best effective price won at its own price");
        }

        Lap("results");
        // Verify: the seed is the hash of a block two after the request; the keeper draws each committee by sortition.
        await MineAsync(3);
        List<BigInteger> candidates = [.. _agents.Select(a => a.Id)];
        foreach (ModelTask t in tasks)
        {
            CommitteeDraw draw = await _keeper.Client.Tasks.DrawCommitteeBySortitionAsync(t.TaskId, candidates, ct);
            Assert.That(draw.SeatsFilled, Is.EqualTo(CommitteeSize), $"task {t.Index}: a full committee");
            t.Members.AddRange(draw.Chosen.Select(x => x.AgentId));
            Assert.That(t.Members, Does.Not.Contain(t.Executor));
            _model.Draw(_keeper.Address, draw.SeatsFilled, t.Params);
        }

        Lap("committees drawn");
        var infos = new List<TaskInfo>();
        foreach (ModelTask t in tasks)
        {
            infos.Add(await _keeper.Client.Tasks.GetAsync(t.TaskId, ct));
        }

        await WarpToAsync(infos.Max(i => i.DrawClosesAt!.Value).ToUnixTimeSeconds() + 1);

        // Commit (each member through its own reviews client; the silent never commit), then reveal after the commit window.
        var seats = tasks.SelectMany(t => t.Members.Select(id => (Task: t, Agent: _agents.Single(a => a.Id == id)))).ToList();
        await Task.WhenAll(seats.GroupBy(s => s.Agent).Select(async g =>
        {
            foreach (var s in g)
            {
                Role role = Behaviour(s.Agent, s.Task);
                if (role == Role.Silent)
                {
                    continue;
                }

                bool approve = role == Role.Dishonest ? !s.Task.GoodResult : s.Task.GoodResult;
                await s.Agent.Reviews.CommitAsync(s.Task.TaskId, s.Agent.Id, approve, ct);
            }
        }));
        Lap("commits");
        await WarpToAsync(infos.Max(i => i.CommitEndsAt!.Value).ToUnixTimeSeconds() + 1);
        await Task.WhenAll(seats.GroupBy(s => s.Agent).Select(async g =>
        {
            foreach (var s in g)
            {
                if (Behaviour(s.Agent, s.Task) is Role.Honest or Role.Dishonest)
                {
                    await s.Agent.Reviews.RevealAsync(s.Task.TaskId, s.Agent.Id, ct);
                }
            }
        }));
        Lap("reveals");
        await WarpToAsync(infos.Max(i => i.RevealEndsAt!.Value).ToUnixTimeSeconds() + 1);

        // Settle each task and its members in one keeper call, in order, so that the model applies them in the chain's order.
        foreach (ModelTask t in tasks)
        {
            var members = t.Members.Select(id =>
            {
                Agent a = _agents.Single(x => x.Id == id);
                Vote vote = Behaviour(a, t) switch
                {
                    Role.Silent => Vote.Silent,
                    Role.Unrevealed => Vote.Unrevealed,
                    Role.Dishonest => t.GoodResult ? Vote.Reject : Vote.Approve,
                    _ => t.GoodResult ? Vote.Approve : Vote.Reject,
                };
                return (a.Id, a.Owner.Address, vote);
            }).ToList();
            MarketTaskStatus status = await _keeper.Client.Tasks.SettleAsync(t.TaskId, t.Members, ct);
            (_, long settledAt) = await LatestBlockAsync();
            Outcome expected = _model.Settle(t, members, _keeper.Address, settledAt);
            _outcomes[t.Index] = expected;
            Assert.That((int)status, Is.EqualTo((int)expected),
                $"task {t.Index}: votes {string.Join(",", members.Select(x => x.vote))} settle as the 2/3 rule says");
        }

        Lap("settled");
    }

    private async Task FlushBurnAndWithdrawAsync(CancellationToken ct)
    {
        var keeperContracts = _keeper.Client.Contracts;
        Require(await keeperContracts.TaskMarket.FlushProtocolFeesRequestAndWaitForReceiptAsync(ct));
        _model.FlushProtocolFees();
        if (_model.FeesToBurn != 0)
        {
            Require(await keeperContracts.Registry.BurnFeesRequestAndWaitForReceiptAsync(ct));
            _model.BurnRegistrationFees();
        }

        await Task.WhenAll(_actors.Where(a => _model.OwedTo(a.Address) != 0).Select(async a =>
        {
            BigInteger owed = await a.Client.Earnings.GetAsync(cancellationToken: ct);
            EarningsWithdrawal w = await a.Client.Earnings.WithdrawAsync(ct);
            lock (_model)
            {
                BigInteger expected = _model.Withdraw(a.Address);
                Assert.That((owed, w.Amount), Is.EqualTo((expected, expected)), $"{a.Address}: earnings as the rules credit them");
            }
        }));
        Assert.That(_actors.Where(a => _model.OwedTo(a.Address) != 0), Is.Empty);
    }

    /// <summary>The generated services return a failed receipt (status 0) without throwing: a direct call must check it.</summary>
    private static void Require(TransactionReceipt receipt) =>
        Assert.That(receipt.Status.Value, Is.EqualTo(BigInteger.One), $"transaction {receipt.TransactionHash} failed (gas used {receipt.GasUsed.Value})");

    private async Task FinalizeSlashesAsync(SuiteContracts c, CancellationToken ct)
    {
        BigInteger count = await c.Staking.SlashCountQueryAsync();
        Assert.That(count, Is.EqualTo(new BigInteger(_model.SlashCount)), "one slash per penalty the rules impose");
        // Anyone may finalize: the requesters and the keeper share the work, in parallel.
        List<BigInteger> ids = [.. Enumerable.Range(0, _model.PendingSlashes.Count).Select(i => count - _model.PendingSlashes.Count + 1 + i)];
        List<Actor> finalizers = [.. _requesters, _keeper];
        await Task.WhenAll(finalizers.Select(async (f, n) =>
        {
            for (int i = n; i < ids.Count; i += finalizers.Count)
            {
                TransactionReceipt r = await f.Client.Contracts.Staking.FinalizeSlashRequestAndWaitForReceiptAsync(ids[i], ct);
                if (r.Status.Value != 1)
                {
                    var tx = await _suite.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(r.TransactionHash);
                    Assert.Fail($"finalizeSlash({ids[i]}) by {f.Address} failed: gas used {r.GasUsed.Value} of limit {tx.Gas.Value}, block {r.BlockNumber.Value}");
                }
            }
        }));

        _model.FinalizeSlashes();
        Assert.That(await c.Staking.TotalPendingSlashesQueryAsync(), Is.EqualTo(BigInteger.Zero), "every slash finalized");
    }

    /// <summary>Every tracked balance, stake, reputation, the contracts' holdings, the supply and the sum over all holders.</summary>
    private async Task AssertChainMatchesModelAsync(SuiteContracts c, string when)
    {
        await MineAsync(1);
        (BigInteger block, long time) = await LatestBlockAsync();
        var at = new BlockParameter(new Nethereum.Hex.HexTypes.HexBigInteger(block));
        var failures = new List<string>();
        foreach (string address in TrackedAddresses())
        {
            BigInteger actual = await c.Token.BalanceOfQueryAsync(address, at);
            if (actual != _model.BalanceOf(address))
            {
                failures.Add($"balance of {address}: chain {actual}, rules {_model.BalanceOf(address)}");
            }
        }

        BigInteger staked = 0;
        double maxRelative = 0;
        foreach (Agent a in _agents)
        {
            BigInteger stake = await c.Staking.StakeOfQueryAsync(a.Id, at);
            staked += _model.Stake[a.Id];
            if (stake != _model.Stake[a.Id])
            {
                failures.Add($"stake of agent {a.Index}: chain {stake}, rules {_model.Stake[a.Id]}");
            }

            for (byte dim = 0; dim < 3; dim++)
            {
                double expected = _model.Reputation(a.Id, dim, time);
                BigInteger actual = await c.Reputation.ReputationOfQueryAsync(a.Id, dim, at);
                // The model decays in doubles (53-bit mantissa); the contract's fixed point agrees with it to double precision
                // (observed: at most 2.2e-16 relative), so 1e-13 relative is "equal" for a double and still fails any rule slip.
                double deviation = Math.Abs((double)actual - expected);
                if (expected > 0)
                {
                    maxRelative = Math.Max(maxRelative, deviation / expected);
                }

                if (deviation > expected * 1e-13 + 16)
                {
                    failures.Add($"reputation {dim} of agent {a.Index} ({a.Role}): chain {actual}, rules {expected:R}");
                }
            }
        }

        BigInteger supply = await c.Token.TotalSupplyQueryAsync(at);
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty, when);
            Assert.That(_model.BalanceOf(_model.Staking), Is.EqualTo(staked + _model.PendingSlashes.Aggregate(BigInteger.Zero, (s, x) => s + x)),
                $"{when}: Staking holds exactly the stakes and the pending slashes");
            Assert.That(_model.BalanceOf(_model.Market), Is.EqualTo(_model.Owed.Values.Aggregate(BigInteger.Zero, (s, x) => s + x) + _model.PendingProtocolFees),
                $"{when}: the market holds exactly what it owes");
            Assert.That(_model.BalanceOf(_model.Registry), Is.EqualTo(AgentCount * _bond + _model.FeesToBurn), $"{when}: the registry holds the bonds");
            Assert.That(supply, Is.EqualTo(_supplyBefore - _model.Burned), $"{when}: the supply fell by exactly what the rules burn");
        });
        Assert.That(await SumOfAllHoldersAsync(c, at), Is.EqualTo(supply), $"{when}: ACC is conserved (every holder's balance adds up to the supply)");
        TestContext.Out.WriteLine($"{when}: {TrackedAddresses().Count()} balances, {AgentCount} stakes and {AgentCount * 3} reputations as the rules say; " +
            $"supply {Format(supply)} ACC (burned {Format(_model.Burned)}); largest relative reputation deviation {maxRelative:E1}");
    }

    /// <summary>The balances of every address that ever received ACC (from the token's Transfer events since genesis) added up.</summary>
    private async Task<BigInteger> SumOfAllHoldersAsync(SuiteContracts c, BlockParameter? at = null)
    {
        var transfers = _suite.Web3.Eth.GetEvent<TransferEventDTO>(c.Token.ContractAddress);
        var logs = await transfers.GetAllChangesAsync(transfers.CreateFilterInput(BlockParameter.CreateEarliest(), at ?? BlockParameter.CreateLatest()));
        BigInteger sum = 0;
        foreach (string holder in logs.Select(l => l.Event.To.ToLowerInvariant()).Where(a => a != AddressUtil.ZERO_ADDRESS).Distinct())
        {
            sum += await c.Token.BalanceOfQueryAsync(holder, at ?? BlockParameter.CreateLatest());
        }

        return sum;
    }

    private IEnumerable<string> TrackedAddresses() =>
        _actors.Select(a => a.Address).Concat([_model.Market, _model.Staking, _model.Registry, _model.RewardsPool]);

    private Actor NewActor()
    {
        string key = NewKey();
        var actor = new Actor { PrivateKey = key, Address = new Secp256k1Signer(key).Address };
        _actors.Add(actor);
        return actor;
    }

    private static string NewKey() => EthECKey.GenerateKey().GetPrivateKeyAsBytes().ToHex().PadLeft(64, '0');

    private static string Format(BigInteger wei) => (wei / Acc).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private async Task WarpAsync(long seconds)
    {
        await _suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "evm_increaseTime", seconds));
        await MineAsync(1);
    }

    private async Task WarpToAsync(long timestamp)
    {
        (_, long now) = await LatestBlockAsync();
        if (timestamp > now)
        {
            await WarpAsync(timestamp - now);
        }
    }

    private async Task MineAsync(int blocks)
    {
        for (int i = 0; i < blocks; i++)
        {
            await _suite.Web3.Client.SendRequestAsync(new RpcRequest(2, "evm_mine"));
        }
    }

    private async Task<BigInteger> BlockNumberAsync() => (await _suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    private async Task<(BigInteger Number, long Time)> LatestBlockAsync()
    {
        var block = await _suite.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest());
        return (block.Number.Value, (long)block.Timestamp.Value);
    }

    private async Task<long> BlockTimeAsync(BigInteger number)
    {
        var block = await _suite.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(new Nethereum.Hex.HexTypes.HexBigInteger(number)));
        return (long)block.Timestamp.Value;
    }
}
