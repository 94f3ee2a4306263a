namespace AgentCluster.Testing;

/// <summary>
/// A running anvil node on <c>127.0.0.1</c>: a container (Testcontainers, image <c>agentcluster/anvil:&lt;tag&gt;</c>) or an anvil
/// process. Disposing it removes the container or kills the process; nothing is left behind.
/// </summary>
public interface IAnvilNode : IAsyncDisposable
{
    /// <summary>The JSON-RPC endpoint, <c>http://127.0.0.1:&lt;port&gt;/</c>. It stays the same across <see cref="StopAsync"/> / <see cref="StartAsync"/>.</summary>
    Uri RpcUrl { get; }

    /// <summary><c>"container"</c> or <c>"process"</c> (see <see cref="AnvilKinds"/>).</summary>
    string Kind { get; }

    /// <summary>The chain id the node answers to <c>eth_chainId</c>.</summary>
    ulong ChainId { get; }

    /// <summary>Stops the node gracefully (SIGTERM, so anvil writes its state); the chain is kept for <see cref="StartAsync"/>.</summary>
    Task StopAsync(CancellationToken ct = default);

    /// <summary>Starts the node again on the same port with the chain as it was at <see cref="StopAsync"/>; returns once it answers.</summary>
    Task StartAsync(CancellationToken ct = default);

    /// <summary>Freezes the node (docker pause / SIGSTOP): connections are accepted but never answered, like a hung node.</summary>
    Task PauseAsync(CancellationToken ct = default);

    /// <summary>Resumes a paused node (docker unpause / SIGCONT).</summary>
    Task UnpauseAsync(CancellationToken ct = default);
}

/// <summary>The values of <see cref="IAnvilNode.Kind"/>.</summary>
public static class AnvilKinds
{
    /// <summary>anvil in a Docker container started through Testcontainers.</summary>
    public const string Container = "container";

    /// <summary>anvil as a child process (no Docker engine reachable, or forced with <c>AGENTCLUSTER_ANVIL=process</c>).</summary>
    public const string Process = "process";
}
