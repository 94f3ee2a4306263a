using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Sdk.Networks;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Programs;
using Program = AgentCluster.Solana.Programs.AgentClusterProgram;

namespace AgentCluster.Sdk.Tests.Networks;

/// <summary>
/// A whole task's life on the localnet server, driven through the SDK for the requester, the executor's owner and the committee's owner;
/// the keeper's steps (assign, fix_seed, draw_seat, settle_task, settle_executor, settle_member) are sent directly with the bindings'
/// builders (the Solana keeper service is another part's). Time is moved with localnet_warpTime.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SolanaTaskLifeTests
{
    private const ulong Acc = 1_000_000_000;

    [Test]
    public async Task ATaskFromSubmissionToPayouts_IsAcceptedPaysTheExecutorsOwnerItsPriceAndConservesAcc()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        CancellationToken ct = cts.Token;
        await using SolanaTestNet localnet = await SolanaTestNet.StartAsync(ct);
        SolanaNetworkKey attestor = await localnet.ApprovedAttestorAsync(ct);
        Account requester = await localnet.NewFundedAccountAsync(50_000 * Acc, ct);
        Account executorOwner = await localnet.NewFundedAccountAsync(50_000 * Acc, ct);
        Account committeeOwner = await localnet.NewFundedAccountAsync(100_000 * Acc, ct);
        Account keeper = await localnet.NewFundedAccountAsync(1, ct); // its ACC account receives the keeper rewards
        await using SolanaNetwork requesterNet = await localnet.ConnectAsync(requester, ct);
        await using SolanaNetwork executorNet = await localnet.ConnectAsync(executorOwner, ct);
        await using SolanaNetwork committeeNet = await localnet.ConnectAsync(committeeOwner, ct);
        await using SolanaNetwork keeperNet = await localnet.ConnectAsync(keeper, ct);
        PublicKey program = localnet.ProgramId;

        // Agents: one executor, three committee members, each registered, attested and staked through the SDK.
        AgentRef executor = await RegisterAttestStakeAsync(executorNet, attestor, 0b101, ct);
        var members = new List<AgentRef>();
        for (int i = 0; i < 3; i++)
        {
            members.Add(await RegisterAttestStakeAsync(committeeNet, attestor, 0b1, ct));
        }

        PublicKey[] holders = [requester.PublicKey, executorOwner.PublicKey, committeeOwner.PublicKey, keeper.PublicKey];
        ulong[] before = await BalancesAsync(localnet, holders, ct);
        ulong supplyBefore = await localnet.MintSupplyAsync(ct);

        // The requester submits; the worker finds it and bids.
        NetworkMarketTerms terms = await requesterNet.Tasks.GetTermsAsync(ct);
        Assert.That(terms.MinCommitteeSize, Is.EqualTo(3));
        DateTimeOffset now = await requesterNet.ChainTimeAsync(ct);
        BigInteger bounty = 100 * Acc, price = 60 * Acc;
        TaskRef task = await requesterNet.Tasks.SubmitAsync(new NetworkTaskSubmission
        {
            RequirementsHash = SHA256.HashData("requirements"u8), Capabilities = 0b100, Bounty = bounty, CommitteeSize = 3,
            Deadline = now + terms.BiddingWindow + TimeSpan.FromHours(6),
        }, ct);
        ConfigAccount config = await requesterNet.GetConfigAsync(ct);
        NetworkTask submitted = await requesterNet.Tasks.GetAsync(task, ct);
        Assert.Multiple(() =>
        {
            Assert.That(submitted.Status, Is.EqualTo(MarketTaskStatus.Bidding));
            Assert.That(submitted.Stage, Is.EqualTo(TaskStage.Submitted));
            Assert.That(submitted.Requester, Is.EqualTo(requester.PublicKey.Key));
            Assert.That(submitted.Bounty, Is.EqualTo(bounty));
            Assert.That(submitted.Fee, Is.EqualTo(SolanaNetwork.MinimumFee(config, bounty, 3)), "the default fee is the program's minimum");
            Assert.That(submitted.CommitteeSize, Is.EqualTo(3));
        });

        IReadOnlyList<NetworkTask> open = await executorNet.Tasks.FindOpenAsync(0b101, ct);
        Assert.That(open.Select(t => t.Task), Does.Contain(task));
        Assert.That((await executorNet.Tasks.FindOpenAsync(0b001, ct)).Select(t => t.Task), Does.Not.Contain(task), "capability 0b100 missing");
        await executorNet.Tasks.BidAsync(task, executor, price, ct);
        NetworkTask bid = await requesterNet.Tasks.GetAsync(task, ct);
        Assert.That((bid.Executor, bid.Price), Is.EqualTo(((AgentRef?)executor, price)));

        // Keeper: assign after the bidding window.
        await WarpPastAsync(localnet, requesterNet, DateTimeOffset.FromUnixTimeSeconds((await requesterNet.GetTaskAccountAsync(task, ct)).BiddingEndsAt), ct);
        Assert.That((await executorNet.Tasks.FindOpenAsync(0b101, ct)).Select(t => t.Task), Does.Not.Contain(task), "bidding closed");
        PublicKey taskAddress = new(task.Value), vault = Program.TaskVaultAddress(program, taskAddress), keeperAcc = keeperNet.SignerAccAccount;
        await keeperNet.SendAsync("assign_task", [Program.AssignTask(program, keeper.PublicKey, taskAddress, vault, keeperAcc)], [], ct);
        Assert.That((await requesterNet.Tasks.GetAsync(task, ct)).Stage, Is.EqualTo(TaskStage.Routed));

        // The executor's key posts the result (the network holds it: it registered the agent).
        byte[] result = SHA256.HashData("result"u8);
        await executorNet.Tasks.PostResultAsync(task, executor, result, "ipfs://result.json", ct);
        NetworkTask posted = await requesterNet.Tasks.GetAsync(task, ct);
        Assert.Multiple(() =>
        {
            Assert.That(posted.Stage, Is.EqualTo(TaskStage.Executed));
            Assert.That(posted.ResultHash, Is.EqualTo(result));
        });

        // Keeper: the seed (once its slot has a hash), then the three seats in the fill phase.
        await FixSeedAsync(keeperNet, Program.FixSeed(program, keeper.PublicKey, taskAddress, vault, keeperAcc), ct);
        Assert.That((await requesterNet.Tasks.GetAsync(task, ct)).Stage, Is.EqualTo(TaskStage.Verifying));
        foreach (AgentRef member in members)
        {
            await keeperNet.SendAsync("draw_seat", [Program.DrawSeat(program, keeper.PublicKey, taskAddress, vault, keeperAcc,
                Program.AgentAddress(program, new PublicKey(member.Value)))], [], ct);
        }

        IReadOnlyList<AgentRef> committee = await committeeNet.Reviews.GetCommitteeAsync(task, ct);
        Assert.That(committee, Is.EquivalentTo(members));

        // Members commit (their keys sign; the salts stored first), then reveal, after the draw window.
        await WarpPastAsync(localnet, requesterNet, DateTimeOffset.FromUnixTimeSeconds((await requesterNet.GetTaskAccountAsync(task, ct)).DrawClosesAt), ct);
        // As if a commit had been interrupted after its salt was stored and before it was sent: the next commit sends that salt.
        byte[] interruptedSalt = RandomNumberGenerator.GetBytes(32);
        PublicKey firstKey = new(committee[0].Value);
        Assert.That(committeeNet.Store.TryAddPending(new AgentCluster.Sdk.Reviews.StoredCommitment(committeeNet.SaltChainId, committeeNet.SaltMarket,
            SolanaNetwork.Id(taskAddress), SolanaNetwork.Id(firstKey), true, interruptedSalt, Program.VoteCommitment(taskAddress, firstKey, true, interruptedSalt),
            AgentCluster.Sdk.Reviews.CommitmentState.Pending)), Is.True);
        foreach (AgentRef member in committee)
        {
            await committeeNet.Reviews.CommitAsync(task, member, approve: true, ct);
        }

        Assert.That(committeeNet.Store.Find(committeeNet.SaltChainId, committeeNet.SaltMarket, SolanaNetwork.Id(taskAddress), SolanaNetwork.Id(firstKey))!.Salt,
            Is.EqualTo(interruptedSalt), "the interrupted commit's stored salt was used");

        Assert.That(() => committeeNet.Reviews.CommitAsync(task, committee[0], approve: true, ct), Throws.TypeOf<AgentCluster.Sdk.Reviews.ReviewAlreadyCommittedException>());
        TaskAccount committed = await requesterNet.GetTaskAccountAsync(task, ct);
        foreach (TaskSeat seat in committed.Members)
        {
            // The salt store holds each salt, and the commitment on chain is the program's hash of it.
            AgentCluster.Sdk.Reviews.StoredCommitment stored = committeeNet.Store.Find(committeeNet.SaltChainId, committeeNet.SaltMarket,
                SolanaNetwork.Id(taskAddress), SolanaNetwork.Id(seat.AgentKey))!;
            Assert.That(stored, Is.Not.Null);
            Assert.That(stored.State, Is.EqualTo(AgentCluster.Sdk.Reviews.CommitmentState.Committed));
            Assert.That(seat.Commitment, Is.EqualTo(Program.VoteCommitment(taskAddress, seat.AgentKey, true, stored.Salt)));
        }

        foreach (AgentRef member in committee)
        {
            await committeeNet.Reviews.RevealAsync(task, member, ct);
        }

        TaskAccount revealed = await requesterNet.GetTaskAccountAsync(task, ct);
        Assert.That((revealed.Commits, revealed.Reveals, revealed.Approvals), Is.EqualTo(((byte)3, (byte)3, (byte)3)));

        // Keeper: settle the task, the executor and each member.
        await keeperNet.SendAsync("settle_task", [Program.SettleTask(program, keeper.PublicKey, taskAddress, vault, keeperAcc)], [], ct);
        NetworkTask settled = await requesterNet.Tasks.GetAsync(task, ct);
        Assert.That((settled.Status, settled.Stage), Is.EqualTo((MarketTaskStatus.Accepted, (TaskStage?)TaskStage.Settled)));
        AgentAccount executorAccount = await executorNet.GetAgentAccountAsync(executor, ct);
        PublicKey executorKey = new(executor.Value);
        await keeperNet.SendAsync("settle_executor", [Program.SettleExecutor(program, keeper.PublicKey, taskAddress, vault, keeperAcc,
            Program.AgentAddress(program, executorKey), Program.SlashAddress(program, executorKey, executorAccount.SlashCount),
            Program.ReputationAddress(program, executorKey))], [], ct);
        TaskAccount seats = await requesterNet.GetTaskAccountAsync(task, ct);
        for (int seat = 0; seat < seats.Members.Count; seat++)
        {
            PublicKey memberKey = seats.Members[seat].AgentKey;
            AgentAccount memberAccount = await committeeNet.GetAgentAccountAsync(new AgentRef(memberKey.Key), ct);
            await keeperNet.SendAsync("settle_member", [Program.SettleMember(program, keeper.PublicKey, taskAddress, vault, keeperAcc,
                SolanaTestNet.AccAccount(seats.Members[seat].Owner, localnet.Mint), Program.ReputationAddress(program, memberKey),
                Program.AgentAddress(program, memberKey), Program.SlashAddress(program, memberKey, memberAccount.SlashCount), (byte)seat)], [], ct);
        }

        // Earnings: the executor's owner is owed its price, the requester the bounty's rest; both withdraw.
        TaskAccount final = await requesterNet.GetTaskAccountAsync(task, ct);
        Assert.Multiple(async () =>
        {
            Assert.That(await executorNet.Tasks.GetEarningsAsync(ct), Is.EqualTo(price));
            Assert.That(await requesterNet.Tasks.GetEarningsAsync(ct), Is.EqualTo(bounty - price));
            Assert.That(final.RequesterCredit, Is.EqualTo((ulong)(bounty - price)));
            Assert.That(await committeeNet.Tasks.GetEarningsAsync(ct), Is.EqualTo(BigInteger.Zero), "members are paid by settle_member, not by claims");
        });
        BigInteger executorOwnerBefore = await executorNet.GetAccBalanceAsync(ct);
        Assert.That(await executorNet.Tasks.WithdrawEarningsAsync(ct), Is.EqualTo(price));
        Assert.That(await executorNet.GetAccBalanceAsync(ct), Is.EqualTo(executorOwnerBefore + price));
        Assert.That(await requesterNet.Tasks.WithdrawEarningsAsync(ct), Is.EqualTo(bounty - price));
        Assert.That(await executorNet.Tasks.GetEarningsAsync(ct), Is.EqualTo(BigInteger.Zero));
        Assert.That(await executorNet.Tasks.WithdrawEarningsAsync(ct), Is.EqualTo(BigInteger.Zero), "nothing twice");

        // ACC conserved: what the holders gained or lost, what the vault still holds and what was burned add up to nothing.
        ulong[] after = await BalancesAsync(localnet, holders, ct);
        ulong vaultLeft = await localnet.TokenBalanceAsync(vault, ct);
        ulong burned = supplyBefore - await localnet.MintSupplyAsync(ct);
        BigInteger net = Enumerable.Range(0, holders.Length).Aggregate(BigInteger.Zero, (sum, i) => sum + after[i] - before[i]);
        Assert.Multiple(() =>
        {
            Assert.That(vaultLeft, Is.EqualTo(0UL), "the task vault ends empty");
            Assert.That(burned, Is.GreaterThan(0UL), "part of the fee is burned");
            Assert.That(net + vaultLeft + burned, Is.EqualTo(BigInteger.Zero), "ACC conserved");
            Assert.That((BigInteger)after[1] - before[1], Is.EqualTo(price), "the executor's owner gained exactly its price");
            Assert.That((BigInteger)before[0] - after[0], Is.EqualTo(price + submitted.Fee), "the requester paid the price and the fee");
            Assert.That(after[2], Is.GreaterThan(before[2]), "the aligned members' owner was paid");
        });
    }

    internal static async Task<AgentRef> RegisterAttestStakeAsync(SolanaNetwork net, SolanaNetworkKey attestor, ulong capabilities, CancellationToken ct)
    {
        AgentRef agent = await net.Agents.RegisterAsync(net.Agents.NewKey(), capabilities, "ipfs://agent.json", ct);
        DateTimeOffset now = await net.ChainTimeAsync(ct);
        await net.Agents.AttestAsync(agent, new NetworkAttestation(SHA256.HashData("enclave"u8), 8, 16_384, 100, now.AddDays(7)), attestor, ct);
        await net.Staking.StakeAsync(agent, 1_000 * Acc, ct);
        return agent;
    }

    private static async Task<ulong[]> BalancesAsync(SolanaTestNet localnet, PublicKey[] holders, CancellationToken ct)
    {
        var all = new ulong[holders.Length];
        for (int i = 0; i < holders.Length; i++)
        {
            all[i] = await localnet.TokenBalanceAsync(SolanaTestNet.AccAccount(holders[i], localnet.Mint), ct);
        }

        return all;
    }

    private static async Task WarpPastAsync(SolanaTestNet localnet, SolanaNetwork net, DateTimeOffset when, CancellationToken ct)
    {
        long seconds = (long)(when - await net.ChainTimeAsync(ct)).TotalSeconds + 2;
        if (seconds > 0)
        {
            await localnet.WarpAsync(seconds, ct);
        }

        Assert.That(await net.ChainTimeAsync(ct), Is.GreaterThan(when));
    }

    /// <summary>fix_seed needs its seed slot's hash in SlotHashes: the localnet's slots advance every 400 ms, so it is tried a bounded number of times.</summary>
    private static async Task FixSeedAsync(SolanaNetwork keeperNet, TransactionInstruction fixSeed, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await keeperNet.SendAsync("fix_seed", [fixSeed], [], ct);
                return;
            }
            catch (AgentClusterProgramException e) when (e.Error == AgentClusterProgramError.SeedNotReady && attempt < 30)
            {
                await Task.Delay(300, ct);
            }
        }
    }
}
