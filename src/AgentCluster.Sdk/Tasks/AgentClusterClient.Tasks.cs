using AgentCluster.Sdk.Tasks;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    private TasksClient? _tasks;

    /// <summary>The task market: submit with permit, bid, results, stages, open tasks, keeper operations.</summary>
    public TasksClient Tasks => _tasks ??= new TasksClient(this);
}
