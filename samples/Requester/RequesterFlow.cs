using System.Numerics;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using Nethereum.Util;

namespace Requester;

/// <summary>A requester: submits a task with a permit (bounty + fee in one transaction, no approve) and follows it through its stages.</summary>
public static class RequesterFlow
{
    /// <summary>Submits a task for <paramref name="capabilities"/> paying <paramref name="bounty"/> wei of ACC, due an hour after bidding ends.</summary>
    public static async Task<SubmittedTask> SubmitAsync(AgentClusterClient client, string requirements, ulong capabilities, BigInteger bounty,
        CancellationToken ct)
    {
        MarketParameters market = await client.Tasks.GetMarketParametersAsync(ct);
        DateTimeOffset now = await client.Tasks.ChainTimeAsync(ct);
        TimeSpan due = market.BiddingWindow + TimeSpan.FromHours(1);
        return await client.Tasks.SubmitAsync(new TaskSubmission
        {
            RequirementsHash = Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(requirements)),
            Capabilities = capabilities,
            Bounty = bounty,
            Deadline = now + (due < market.MaxTaskDuration ? due : market.MaxTaskDuration),
        }, ct);
    }

    /// <summary>Follows the task, writing each stage, until it reaches <paramref name="until"/> (or settles). Returns the stages seen.</summary>
    public static async Task<IReadOnlyList<TaskStage>> FollowAsync(AgentClusterClient client, BigInteger taskId, TaskStage until, TimeSpan pollInterval,
        TextWriter log, CancellationToken ct)
    {
        var seen = new List<TaskStage>();
        await foreach (TaskStageChange change in client.Tasks.WatchAsync(taskId, pollInterval, ct))
        {
            seen.Add(change.Stage);
            log.WriteLine($"requester: task {taskId} is {change.Stage} ({change.Task.Status}, executor {change.Task.Executor?.ToString() ?? "none"})");
            if (change.Stage >= until)
            {
                break;
            }
        }

        return seen;
    }
}
