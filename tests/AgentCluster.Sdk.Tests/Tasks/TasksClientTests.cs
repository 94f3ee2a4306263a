using System.Numerics;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Evm.Errors;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Nethereum.Contracts;
using Nethereum.Util;

namespace AgentCluster.Sdk.Tests.Tasks;

/// <summary>The tasks sub-client against a deployed suite on anvil (set up by <see cref="MarketWorld"/>).</summary>
[NonParallelizable]
public class TasksClientTests
{
    private MarketWorld _world = null!;
    private AgentClusterClient _requester = null!;
    private AgentClusterClient _executor = null!;
    private AgentClusterClient _keeper = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        _world = await MarketWorld.StartAsync(committeeSize: 0, cts.Token);
        _requester = await _world.ClientAsync(MarketWorld.Requester, cts.Token);
        _executor = await _world.ClientAsync(MarketWorld.ExecutorOwner, cts.Token);
        _keeper = await _world.ClientAsync(0, cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    private static CancellationToken Bound() => new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token;

    private async Task<TaskSubmission> RequestAsync(BigInteger? bounty = null, ulong capabilities = 0b001) => new()
    {
        RequirementsHash = Sha3Keccack.Current.CalculateHash("summarise the paper"u8.ToArray()),
        Capabilities = capabilities,
        Bounty = bounty ?? 100 * MarketWorld.Acc,
        Deadline = await _world.ChainTimeAsync() + TimeSpan.FromDays(1),
        CommitteeSize = 10,
    };

    [Test]
    public async Task Submit_WithPermit_EscrowsExactlyBountyPlusFee_InOneTransactionWithoutApprove()
    {
        CancellationToken ct = Bound();
        TaskSubmission request = await RequestAsync();
        string requester = _requester.Address!;
        string market = _requester.Contracts.TaskMarket.ContractAddress;
        BigInteger before = await _requester.Contracts.Token.BalanceOfQueryAsync(requester);
        BigInteger marketBefore = await _requester.Contracts.Token.BalanceOfQueryAsync(market);
        BigInteger nonceBefore = await _world.NonceAsync(MarketWorld.Requester);
        BigInteger minFee = await _requester.Contracts.TaskMarket.MinimumFeeQueryAsync(request.Bounty, 10);

        SubmittedTask submitted = await _requester.Tasks.SubmitAsync(request, ct);

        Assert.Multiple(async () =>
        {
            Assert.That(submitted.Fee, Is.EqualTo(minFee), "without a fee the contract's minimum is used");
            Assert.That(await _requester.Contracts.Token.BalanceOfQueryAsync(requester), Is.EqualTo(before - request.Bounty - minFee));
            Assert.That(await _requester.Contracts.Token.BalanceOfQueryAsync(market), Is.EqualTo(marketBefore + request.Bounty + minFee));
            Assert.That(await _world.NonceAsync(MarketWorld.Requester), Is.EqualTo(nonceBefore + 1), "exactly one transaction: no approve");
            Assert.That(await _requester.Contracts.Token.AllowanceQueryAsync(requester, market), Is.EqualTo(BigInteger.Zero), "the permit's allowance was spent exactly");
        });

        TaskInfo task = await _requester.Tasks.GetAsync(submitted.TaskId, ct);
        Assert.Multiple(() =>
        {
            Assert.That(task.Status, Is.EqualTo(MarketTaskStatus.Bidding));
            Assert.That(task.Stage, Is.EqualTo(TaskStage.Submitted));
            Assert.That(task.Requester, Is.EqualTo(requester).IgnoreCase);
            Assert.That(task.Bounty, Is.EqualTo(request.Bounty));
            Assert.That(task.Fee, Is.EqualTo(minFee));
            Assert.That(task.Deadline.ToUnixTimeSeconds(), Is.EqualTo(request.Deadline.ToUnixTimeSeconds()));
            Assert.That(task.CommitteeSize, Is.EqualTo(10));
            Assert.That(task.Executor, Is.Null);
        });
    }

    [Test]
    public async Task Submit_BadRequests_AreRefusedBeforeAnythingIsSent()
    {
        CancellationToken ct = Bound();
        TaskSubmission good = await RequestAsync();
        BigInteger minFee = await _requester.Tasks.GetMinimumFeeAsync(good.Bounty, 10, ct);
        BigInteger nonceBefore = await _world.NonceAsync(MarketWorld.Requester);
        DateTimeOffset now = await _world.ChainTimeAsync();

        var cases = new (TaskSubmission Request, string Expected)[]
        {
            (good with { Bounty = 0 }, "Bounty must be more than 0"),
            (good with { Fee = minFee - 1 }, $"below the market's minimum fee {minFee}"),
            (good with { CommitteeSize = 9 }, "CommitteeSize must be between 10 and 100 (got 9)"),
            (good with { CommitteeSize = 101 }, "CommitteeSize must be between 10 and 100 (got 101)"),
            (good with { Deadline = now + TimeSpan.FromMinutes(30) }, "after the bidding window"),
            (good with { Deadline = now + TimeSpan.FromDays(8) }, "at most 7.00:00:00 from now"),
            (good with { RequirementsHash = new byte[31] }, "RequirementsHash must be 32 bytes"),
            (good with { Bounty = 10_000_000 * MarketWorld.Acc }, "less than bounty + fee"),
        };
        foreach ((TaskSubmission request, string expected) in cases)
        {
            var e = Assert.ThrowsAsync<ArgumentException>(() => _requester.Tasks.SubmitAsync(request, ct));
            Assert.That(e!.Message, Does.Contain(expected));
        }

        Assert.That(await _world.NonceAsync(MarketWorld.Requester), Is.EqualTo(nonceBefore), "no transaction was sent");
    }

    [Test]
    public async Task Bid_Assign_PostResult_MoveTheTaskThroughRoutingAndExecution()
    {
        CancellationToken ct = Bound();
        SubmittedTask submitted = await _requester.Tasks.SubmitAsync(await RequestAsync(), ct);
        BigInteger price = 80 * MarketWorld.Acc;

        await _executor.Tasks.BidAsync(submitted.TaskId, _world.Executor, price, ct);
        TaskInfo bidding = await _executor.Tasks.GetAsync(submitted.TaskId, ct);
        Assert.Multiple(() =>
        {
            Assert.That(bidding.Executor, Is.EqualTo(_world.Executor), "the only bid is the best bid");
            Assert.That(bidding.Price, Is.EqualTo(price));
        });

        await _world.WarpAsync(3_601);
        await _keeper.Tasks.AssignAsync(submitted.TaskId, ct);
        Assert.That((await _keeper.Tasks.GetAsync(submitted.TaskId, ct)).Status, Is.EqualTo(MarketTaskStatus.Assigned));

        byte[] resultHash = Sha3Keccack.Current.CalculateHash("the summary"u8.ToArray());
        var receipt = await _executor.Tasks.PostResultAsync(submitted.TaskId, resultHash, "ipfs://result", ct);
        var posted = receipt.DecodeAllEvents<ResultPostedEventDTO>().Single().Event;
        TaskInfo verifying = await _executor.Tasks.GetAsync(submitted.TaskId, ct);
        Assert.Multiple(() =>
        {
            Assert.That(posted.ResultHash, Is.EqualTo(resultHash));
            Assert.That(posted.ResultURI, Is.EqualTo("ipfs://result"));
            Assert.That(verifying.Status, Is.EqualTo(MarketTaskStatus.Verifying));
            Assert.That(verifying.Stage, Is.EqualTo(TaskStage.Executed));
            Assert.That(verifying.ResultPostedAt, Is.Not.Null);
        });
    }

    [Test]
    public async Task Bid_AboveTheBounty_RevertsAsTypedInvalidPriceWithItsArguments()
    {
        CancellationToken ct = Bound();
        TaskSubmission request = await RequestAsync();
        SubmittedTask submitted = await _requester.Tasks.SubmitAsync(request, ct);
        BigInteger price = request.Bounty + 1;

        var e = Assert.ThrowsAsync<ContractCustomErrorException<InvalidPriceError>>(() => _executor.Tasks.BidAsync(submitted.TaskId, _world.Executor, price, ct));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Error.Price, Is.EqualTo(price));
            Assert.That(e.Error.Bounty, Is.EqualTo(request.Bounty));
            Assert.That(e.Message, Does.StartWith("Execution reverted with InvalidPrice(").And.Contain(price.ToString()).And.Contain(request.Bounty.ToString()),
                "the message a user sees names the error and its arguments");
        });
    }

    [Test]
    public async Task FindOpenTasks_MatchesCapabilities_AndResumesFromTheNextBlock()
    {
        CancellationToken ct = Bound();
        BigInteger from = (await _world.Suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        SubmittedTask fits = await _requester.Tasks.SubmitAsync(await RequestAsync(capabilities: 0b001), ct);
        SubmittedTask needsMore = await _requester.Tasks.SubmitAsync(await RequestAsync(capabilities: 0b010), ct);

        OpenTaskPage page = await _executor.Tasks.FindOpenTasksAsync(MarketWorld.ExecutorCapabilities, from, cancellationToken: ct);
        var ids = page.Tasks.Select(t => t.TaskId).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Does.Contain(fits.TaskId));
            Assert.That(ids, Does.Not.Contain(needsMore.TaskId), "0b010 is not among the executor's 0b101");
            Assert.That(page.Tasks.Single(t => t.TaskId == fits.TaskId).Bounty, Is.EqualTo(100 * MarketWorld.Acc));
        });

        SubmittedTask later = await _requester.Tasks.SubmitAsync(await RequestAsync(capabilities: 0b100), ct);
        OpenTaskPage next = await _executor.Tasks.FindOpenTasksAsync(MarketWorld.ExecutorCapabilities, page.NextFromBlock, cancellationToken: ct);
        Assert.That(next.Tasks.Select(t => t.TaskId), Is.EqualTo(new[] { later.TaskId }), "resuming sees only the newer submission");
    }

    [Test]
    public async Task Watch_RejectsAnUnboundedPollInterval_AndStopsOnCancellation()
    {
        CancellationToken ct = Bound();
        SubmittedTask submitted = await _requester.Tasks.SubmitAsync(await RequestAsync(), ct);
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (TaskStageChange _ in _requester.Tasks.WatchAsync(submitted.TaskId, TimeSpan.FromMilliseconds(1), ct))
            {
            }
        });

        using var cts = new CancellationTokenSource();
        var seen = new List<TaskStage>();
        Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (TaskStageChange change in _requester.Tasks.WatchAsync(submitted.TaskId, TimeSpan.FromMilliseconds(100), cts.Token))
            {
                seen.Add(change.Stage);
                cts.CancelAfter(TimeSpan.FromMilliseconds(300));
            }
        });
        Assert.That(seen, Is.EqualTo(new[] { TaskStage.Submitted }));
    }

    [Test]
    public void GetAsync_UnknownTask_SaysSo()
    {
        var e = Assert.ThrowsAsync<ArgumentException>(() => _requester.Tasks.GetAsync(999_999, Bound()));
        Assert.That(e!.Message, Does.Contain("Task 999999 does not exist"));
    }
}
