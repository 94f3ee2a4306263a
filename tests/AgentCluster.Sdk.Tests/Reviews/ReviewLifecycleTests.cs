using System.Numerics;
using System.Security.Cryptography;
using System.Threading.Channels;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Sdk.Reviews;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Sdk.Tests.Tasks;
using Nethereum.Contracts;
using Nethereum.Util;

namespace AgentCluster.Sdk.Tests.Reviews;

/// <summary>A task from submission to settlement on anvil: the watcher's stages, commit, a "restart" over the same salt store, reveal, settle.</summary>
[NonParallelizable]
public class ReviewLifecycleTests
{
    private const int CommitteeSize = 10;
    private MarketWorld _world = null!;
    private string _dir = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        _world = await MarketWorld.StartAsync(CommitteeSize + 2, cts.Token); // two more candidates than seats: the sortition chooses
        _dir = Path.Combine(Path.GetTempPath(), "sdk-reviews-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Commitment_And_CommitDigest_AreTheContracts()
    {
        await using AgentClusterClient client = await _world.ClientAsync(MarketWorld.CommitteeOwner, CancellationToken.None);
        using ReviewsClient reviews = client.OpenReviews(Path.Combine(_dir, "formula.db"));
        for (int i = 0; i < 4; i++)
        {
            BigInteger taskId = new(RandomNumberGenerator.GetBytes(32), isUnsigned: true);
            BigInteger agentId = new(RandomNumberGenerator.GetBytes(20), isUnsigned: true);
            byte[] salt = RandomNumberGenerator.GetBytes(32);
            bool approve = i % 2 == 0;
            byte[] ours = ReviewsClient.ComputeCommitment(taskId, agentId, approve, salt);
            Assert.That(ours, Is.EqualTo(await client.Contracts.TaskMarket.CommitmentOfQueryAsync(taskId, agentId, approve, salt)));
            Assert.That(reviews.CommitDigest(taskId, agentId, ours), Is.EqualTo(await client.Contracts.TaskMarket.CommitDigestQueryAsync(taskId, agentId, ours)));
        }
    }

    [Test]
    public async Task Task_GoesThroughFiveStages_CommitSurvivesARestart_RevealIsAccepted_AndSettles()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        CancellationToken ct = timeout.Token;
        await using AgentClusterClient requester = await _world.ClientAsync(MarketWorld.Requester, ct);
        await using AgentClusterClient executor = await _world.ClientAsync(MarketWorld.ExecutorOwner, ct);
        await using AgentClusterClient keeper = await _world.ClientAsync(0, ct);
        string saltDb = Path.Combine(_dir, "salts.db");

        SubmittedTask submitted = await requester.Tasks.SubmitAsync(new TaskSubmission
        {
            RequirementsHash = Sha3Keccack.Current.CalculateHash("translate"u8.ToArray()),
            Capabilities = 0b1,
            Bounty = 100 * MarketWorld.Acc,
            Deadline = await _world.ChainTimeAsync() + TimeSpan.FromDays(2),
            CommitteeSize = CommitteeSize,
        }, ct);
        BigInteger taskId = submitted.TaskId;

        // The watcher runs beside the test; each stage is awaited before the next action, so none can be skipped between polls.
        var stages = Channel.CreateUnbounded<TaskStageChange>();
        Task watcher = Task.Run(async () =>
        {
            await foreach (TaskStageChange change in requester.Tasks.WatchAsync(taskId, TimeSpan.FromMilliseconds(100), ct))
            {
                await stages.Writer.WriteAsync(change, ct);
            }

            stages.Writer.Complete();
        }, ct);
        async Task<TaskStage> NextStageAsync()
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(30));
            return (await stages.Reader.ReadAsync(wait.Token)).Stage;
        }

        var seen = new List<TaskStage> { await NextStageAsync() };

        await executor.Tasks.BidAsync(taskId, _world.Executor, 90 * MarketWorld.Acc, ct);
        await _world.WarpAsync(3_601);
        await keeper.Tasks.AssignAsync(taskId, ct);
        seen.Add(await NextStageAsync());

        await executor.Tasks.PostResultAsync(taskId, Sha3Keccack.Current.CalculateHash("done"u8.ToArray()), "ipfs://done", ct);
        seen.Add(await NextStageAsync());

        await _world.MineAsync(3); // LocalRandomness: the seed is readable from the block after request + 2
        CommitteeDraw draw = await keeper.Tasks.DrawCommitteeBySortitionAsync(taskId, cancellationToken: ct); // candidates from the registry's events
        seen.Add(await NextStageAsync());
        TaskInfo drawn = await keeper.Tasks.GetAsync(taskId, ct);
        List<BigInteger> members = [.. draw.Chosen.Select(c => c.AgentId)];
        var keys = new Dictionary<BigInteger, BigInteger>();
        foreach (BigInteger id in _world.Committee)
        {
            keys[id] = await keeper.Contracts.TaskMarket.SortitionKeyQueryAsync(taskId, id);
        }

        // The batched read (JSON-RPC batches of eth_call) gives exactly the contract's key of each candidate; an agent without stake
        // (an id nobody registered) has no key and is left out, not an error.
        var batched = await keeper.Tasks.SortitionKeysAsync(taskId, [.. _world.Committee, 10_000], ct);
        Assert.That(batched.ToDictionary(k => k.AgentId, k => k.Key), Is.EqualTo(keys), "one key per staked candidate, equal to sortitionKey's");
        Assert.That(batched.Select(k => k.Key), Is.Ordered, "best (smallest) first");

        List<BigInteger> leftOut = [.. _world.Committee.Except(members)];
        Assert.Multiple(() =>
        {
            Assert.That(drawn.Seats, Is.EqualTo(CommitteeSize));
            Assert.That(draw.SeatsFilled, Is.EqualTo(CommitteeSize));
            Assert.That(members, Does.Not.Contain(_world.Executor), "the executor is excluded");
            Assert.That(leftOut, Has.Count.EqualTo(2));
            Assert.That(leftOut.Select(id => keys[id]).Min(), Is.GreaterThan(members.Select(id => keys[id]).Max()), "the chosen have the smallest keys");
        });
        BigInteger worst = members.MaxBy(id => keys[id]);
        var claim = Assert.ThrowsAsync<AgentCluster.Evm.Errors.ContractCustomErrorException<KeyNotBetterError>>(
            () => keeper.Contracts.TaskMarket.ClaimSeatRequestAndWaitForReceiptAsync(taskId, leftOut[0], worst, ct));
        Assert.That(claim!.Error.EvictedKey, Is.EqualTo(keys[worst]), "the contract agrees: no left-out candidate beats a member");

        await _world.WarpAsync((long)(drawn.DrawClosesAt!.Value - await _world.ChainTimeAsync()).TotalSeconds + 1); // commit phase

        var votes = members.Select((id, i) => (Id: id, Approve: i < 8)).ToList(); // 8 of 10 approve: Accepted
        // A process that stored its salt and died before sending the commit: the next commit with the same vote resumes with that salt.
        byte[] interruptedSalt = RandomNumberGenerator.GetBytes(32);
        using (var store = new SaltStore(saltDb))
        {
            Assert.That(store.TryAddPending(new StoredCommitment(requester.ChainId, requester.Contracts.TaskMarket.ContractAddress.ToLowerInvariant(), taskId,
                votes[0].Id, votes[0].Approve, interruptedSalt, ReviewsClient.ComputeCommitment(taskId, votes[0].Id, votes[0].Approve, interruptedSalt),
                CommitmentState.Pending)), Is.True);
        }

        await using (AgentClusterClient member = await _world.ClientAsync(MarketWorld.CommitteeOwner, ct))
        using (ReviewsClient reviews = member.OpenReviews(saltDb))
        {
            var otherVote = Assert.ThrowsAsync<ReviewAlreadyCommittedException>(() => reviews.CommitAsync(taskId, votes[0].Id, !votes[0].Approve, ct));
            Assert.That(otherVote!.Message, Does.Contain("state Pending"), "an interrupted commit is resumed only with the vote it stored");
            foreach ((BigInteger id, bool approve) in votes.Take(CommitteeSize - 1))
            {
                StoredCommitment c = await reviews.CommitAsync(taskId, id, approve, ct);
                Assert.That(c.State, Is.EqualTo(CommitmentState.Committed));
            }

            Assert.That(reviews.Store.Find(member.ChainId, member.Contracts.TaskMarket.ContractAddress, taskId, votes[0].Id)!.Salt, Is.EqualTo(interruptedSalt),
                "the resumed commit used the stored salt (the reveal below proves the contract holds its commitment)");
            // The last member signs with its agent key and a keeper relays the commit; the salt is stored the same way.
            (BigInteger lastId, bool lastVote) = votes[^1];
            var signed = reviews.PrepareSignedCommit(taskId, lastId, lastVote, _world.AgentKeys[lastId]);
            var forged = new AgentCluster.Evm.Bindings.SignedCommit
            {
                AgentId = lastId,
                Commitment = signed.Commitment,
                Signature = reviews.SignCommit(taskId, votes[0].Id, signed.Commitment, _world.AgentKeys[votes[0].Id]).Signature,
            };
            var bad = Assert.ThrowsAsync<AgentCluster.Evm.Errors.ContractCustomErrorException<InvalidCommitSignatureError>>(
                () => keeper.Contracts.TaskMarket.CommitVotesBySigRequestAndWaitForReceiptAsync(taskId, [forged], ct));
            Assert.That(bad!.Error.AgentId, Is.EqualTo(lastId), "another agent's signature is refused, naming the agent");
            Assert.That((await keeper.Contracts.TaskMarket.CommitVotesBySigRequestAndWaitForReceiptAsync(taskId, [signed], ct)).Status.Value, Is.EqualTo(BigInteger.One));
            Assert.Throws<ReviewAlreadyCommittedException>(() => reviews.PrepareSignedCommit(taskId, lastId, lastVote, _world.AgentKeys[lastId]));

            var again = Assert.ThrowsAsync<ReviewAlreadyCommittedException>(() => reviews.CommitAsync(taskId, votes[0].Id, !votes[0].Approve, ct));
            Assert.That(again!.Message, Does.Contain($"already committed a vote for task {taskId}"));
        }

        Assert.That((await keeper.Tasks.GetAsync(taskId, ct)).Commits, Is.EqualTo(CommitteeSize));

        // "Restart": a new client and a new store object over the same file; nothing but the file carries the salts.
        await using (AgentClusterClient member = await _world.ClientAsync(MarketWorld.CommitteeOwner, ct))
        using (ReviewsClient reviews = member.OpenReviews(saltDb))
        {
            Assert.That(reviews.Store.List(member.ChainId, member.Contracts.TaskMarket.ContractAddress, CommitmentState.Committed), Has.Count.EqualTo(CommitteeSize - 1));
            Assert.That(reviews.Store.List(member.ChainId, member.Contracts.TaskMarket.ContractAddress, CommitmentState.Pending).Single().AgentId, Is.EqualTo(votes[^1].Id),
                "the relayed commit stays Pending in the store until its reveal");
            Assert.ThrowsAsync<ReviewAlreadyCommittedException>(() => reviews.CommitAsync(taskId, votes[1].Id, votes[1].Approve, ct), "refused after the restart too");

            IReadOnlyList<RevealOutcome> outcomes = await reviews.RevealPendingAsync(ct);
            Assert.That(outcomes.Select(o => o.Result), Is.All.EqualTo(RevealResult.Revealed));
            Assert.That(outcomes.Select(o => o.AgentId), Is.EquivalentTo(members));
            Assert.That(reviews.Store.List(member.ChainId, member.Contracts.TaskMarket.ContractAddress, CommitmentState.Revealed), Has.Count.EqualTo(CommitteeSize));
            Assert.That(await reviews.RevealPendingAsync(ct), Is.Empty, "nothing left to reveal");
        }

        TaskInfo revealed = await keeper.Tasks.GetAsync(taskId, ct);
        Assert.Multiple(() =>
        {
            Assert.That(revealed.Reveals, Is.EqualTo(CommitteeSize), "the contract accepted every reveal");
            Assert.That(revealed.Approvals, Is.EqualTo(8));
        });

        MarketTaskStatus outcome = await keeper.Tasks.SettleAsync(taskId, cancellationToken: ct);
        Assert.That(outcome, Is.EqualTo(MarketTaskStatus.Accepted));
        seen.Add(await NextStageAsync());
        await watcher.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.That(seen, Is.EqualTo(new[] { TaskStage.Submitted, TaskStage.Routed, TaskStage.Executed, TaskStage.Verifying, TaskStage.Settled }));

        Assert.That(await keeper.Tasks.SettleMemberAsync(taskId, members[0], ct), Is.True);
        Assert.That(await keeper.Tasks.SettleMemberAsync(taskId, members[0], ct), Is.False, "a member is settled once");
        IReadOnlyList<BigInteger> rest = await keeper.Tasks.SettleMembersAsync(taskId, members.Skip(1).ToList(), ct);
        Assert.That(rest, Is.EquivalentTo(members.Skip(1)));
    }

    [Test]
    public void SaltStore_IsWal_AndKeepsRowsAcrossReopen()
    {
        string path = Path.Combine(_dir, "reopen.db");
        var row = new StoredCommitment(31337, "0xabc", 7, 9, true, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), CommitmentState.Pending);
        using (var store = new SaltStore(path))
        {
            Assert.That(store.TryAddPending(row), Is.True);
            Assert.That(store.TryAddPending(row with { Approve = false }), Is.False, "one row per (chain, market, task, agent)");
            store.SetState(31337, "0xABC", 7, 9, CommitmentState.Committed);
        }

        using (var reopened = new SaltStore(path))
        {
            StoredCommitment? found = reopened.Find(31337, "0xabc", 7, 9);
            Assert.That(found, Is.Not.Null);
            Assert.Multiple(() =>
            {
                Assert.That(found!.Salt, Is.EqualTo(row.Salt));
                Assert.That(found.Approve, Is.True);
                Assert.That(found.State, Is.EqualTo(CommitmentState.Committed));
            });
        }

        using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        check.Open();
        using var cmd = check.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.That(cmd.ExecuteScalar(), Is.EqualTo("wal"));
    }

    [Test]
    public async Task CommitRefusedByTheContract_LeavesNoSalt_AndIsTyped()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using AgentClusterClient member = await _world.ClientAsync(MarketWorld.CommitteeOwner, timeout.Token);
        using ReviewsClient reviews = member.OpenReviews(Path.Combine(_dir, "refused.db"));
        BigInteger missing = 424_242;
        var e = Assert.ThrowsAsync<AgentCluster.Evm.Errors.ContractCustomErrorException<UnknownTaskError>>(() => reviews.CommitAsync(missing, _world.Committee[0], true, timeout.Token));
        Assert.That(e!.Error.TaskId, Is.EqualTo(missing));
        Assert.That(reviews.Store.Find(member.ChainId, member.Contracts.TaskMarket.ContractAddress, missing, _world.Committee[0]), Is.Null);
    }
}
