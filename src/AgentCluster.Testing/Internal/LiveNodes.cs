namespace AgentCluster.Testing.Internal;

/// <summary>Nodes not yet disposed; when the process exits (a test host that never disposed them), they are killed/removed.</summary>
internal static class LiveNodes
{
    private static readonly HashSet<IAnvilNode> Nodes = [];
    private static int _hooked;

    public static void Add(IAnvilNode node)
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => CleanUp();
        }

        lock (Nodes)
        {
            Nodes.Add(node);
        }
    }

    public static void Remove(IAnvilNode node)
    {
        lock (Nodes)
        {
            Nodes.Remove(node);
        }
    }

    private static void CleanUp()
    {
        IAnvilNode[] left;
        lock (Nodes)
        {
            left = [.. Nodes];
        }

        foreach (IAnvilNode node in left)
        {
            if (node is ProcessAnvilNode process)
            {
                process.KillNow();
            }
            else
            {
                try
                {
                    _ = node.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
                }
                catch (AggregateException)
                {
                    // Best effort at exit.
                }
            }
        }
    }
}
