using System.Numerics;
using AgentCluster.Evm.Rpc;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// Where <see cref="AssignmentDuty"/> finds its work: tasks still <see cref="MarketTaskStatus.Bidding"/> whose bidding window has ended
/// (by chain time), so that <c>assign</c> can close them. The indexer is meant to implement this from its tables (no storage scans);
/// until it does, <see cref="RecentTasksScanner"/> is registered.
/// </summary>
public interface IAssignableTasks
{
    /// <summary>The ids of tasks whose bidding can be closed now, oldest first.</summary>
    Task<IReadOnlyList<BigInteger>> FindAssignableAsync(AgentClusterClient client, CancellationToken cancellationToken = default);
}

/// <summary>
/// TEMPORARY implementation of <see cref="IAssignableTasks"/> until the indexer provides one: reads the newest
/// <see cref="KeeperOptions.RecentTasksWindow"/> tasks through the SDK (<c>taskCount</c>, then <c>getTask</c> per id) and keeps those in
/// Bidding whose window ended by the latest block's time. Bounded (one call per task in the window per pass), but a task older than the
/// window is never seen: replace it by the indexer's implementation (register it as <see cref="IAssignableTasks"/> before
/// <c>AddAgentClusterKeepers</c>, which then keeps it).
/// </summary>
public sealed class RecentTasksScanner(IOptions<KeeperOptions> options) : IAssignableTasks
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<BigInteger>> FindAssignableAsync(AgentClusterClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        BigInteger count = await RpcCancellation.RunAsync(() => client.Contracts.TaskMarket.TaskCountQueryAsync(), cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = await client.Tasks.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        BigInteger first = BigInteger.Max(1, count - options.Value.RecentTasksWindow + 1);
        var due = new List<BigInteger>();
        for (BigInteger id = first; id <= count; id++)
        {
            TaskInfo task = await client.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (task.Status == MarketTaskStatus.Bidding && task.BiddingEndsAt <= now)
            {
                due.Add(id);
            }
        }

        return due;
    }
}
