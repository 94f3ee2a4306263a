using System.Numerics;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Requester;
using WorkerAgent;

namespace Samples.Tests;

/// <summary>
/// The two samples against a fresh chain from AgentCluster.Testing (the package): the requester submits a task with a permit, the
/// worker registers, is attested, stakes, bids and posts its result, and the requester sees the task reach Executed. Outside a
/// checkout (as tests/AgentCluster.Packaging.Tests runs it) the chain is the deployment packed into AgentCluster.Testing.
/// </summary>
[TestFixture]
public sealed class SampleAgentsTests
{
    private static readonly BigInteger Acc = BigInteger.Pow(10, 18);

    [Test]
    [CancelAfter(240_000)]
    public async Task The_worker_wins_the_requesters_task_and_posts_its_result(CancellationToken ct)
    {
        await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync(AgentClusterSuiteOptions.WithTestAttestor(), ct);
        await TestContext.Progress.WriteLineAsync($"suite on {suite.Node.Kind} {suite.Node.RpcUrl}, from the package: {suite.FromPackage}");
        if (Environment.GetEnvironmentVariable("SAMPLES_EXPECT_PACKAGED") == "1")
        {
            Assert.That(suite.FromPackage, Is.True, "outside a checkout the suite must come from the deployment packed into AgentCluster.Testing");
        }

        const int requesterAccount = 1, workerOwnerAccount = 2;
        await suite.FundAsync(suite.Accounts[requesterAccount].Address, 1_000 * Acc, ct);
        await suite.FundAsync(suite.Accounts[workerOwnerAccount].Address, 20_000 * Acc, ct);
        string journals = Directory.CreateTempSubdirectory("samples-journals-").FullName;
        await using AgentClusterClient requesterClient = await ConnectAsync(suite, requesterAccount, journals, ct);
        await using AgentClusterClient workerClient = await ConnectAsync(suite, workerOwnerAccount, journals, ct);

        var worker = new Worker(workerClient, capabilities: 0b1, TestContext.Progress);
        await worker.RegisterAsync(AgentKey.Generate(), new Secp256k1Signer(AnvilAccounts.PrivateKeys[AgentClusterSuiteOptions.TestAttestorIndex]), ct);
        Assert.That((await workerClient.Agents.GetAsync(worker.AgentId, ct)).IsActive, Is.True, "attested");
        Assert.That(await workerClient.Staking.GetStakeAsync(worker.AgentId, ct), Is.EqualTo((await workerClient.Tasks.GetMarketParametersAsync(ct)).MinStake));

        SubmittedTask task = await RequesterFlow.SubmitAsync(requesterClient, "sample requirements", 0b1, 100 * Acc, ct);
        Task<IReadOnlyList<TaskStage>> follow = RequesterFlow.FollowAsync(requesterClient, task.TaskId, TaskStage.Executed, TimeSpan.FromMilliseconds(200),
            TestContext.Progress, ct);

        Assert.That(await worker.PollOnceAsync(ct), Is.Zero, "no result before the bidding window ends");
        Assert.That(worker.BidOn, Is.EqualTo(new[] { task.TaskId }), "the worker bid on the requester's task");
        TaskInfo bidding = await requesterClient.Tasks.GetAsync(task.TaskId, ct);
        Assert.That(bidding.Executor, Is.EqualTo(worker.AgentId), "the worker is the best bidder");

        // The market's clock: move past the bidding window; the worker's next round posts (which assigns the task first).
        TimeSpan left = bidding.BiddingEndsAt - await requesterClient.Tasks.ChainTimeAsync(ct) + TimeSpan.FromSeconds(1);
        await suite.Web3.Client.SendRequestAsync<string>("evm_increaseTime", null, (long)Math.Ceiling(left.TotalSeconds));
        await suite.Web3.Client.SendRequestAsync<string>("evm_mine");
        Assert.That(await worker.PollOnceAsync(ct), Is.EqualTo(1));
        Assert.That(worker.ResultsPosted, Is.EqualTo(new[] { task.TaskId }));

        IReadOnlyList<TaskStage> stages = await follow.WaitAsync(TimeSpan.FromSeconds(60), ct);
        Assert.That(stages[0], Is.EqualTo(TaskStage.Submitted));
        Assert.That(stages[^1], Is.EqualTo(TaskStage.Executed));
        TaskInfo executed = await requesterClient.Tasks.GetAsync(task.TaskId, ct);
        Assert.That(executed.Status, Is.EqualTo(MarketTaskStatus.Verifying));
        Assert.That(executed.Executor, Is.EqualTo(worker.AgentId));
        Assert.That(executed.ResultPostedAt, Is.Not.Null);
    }

    private static async Task<AgentClusterClient> ConnectAsync(AgentClusterSuite suite, int account, string journals, CancellationToken ct) =>
        await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
        {
            RpcUrl = suite.Node.RpcUrl.ToString(),
            Manifest = suite.Manifest,
            Account = suite.Accounts[account],
            JournalPath = Path.Combine(journals, $"account-{account}.db"),
        }, cancellationToken: ct);
}
