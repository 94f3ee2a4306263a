using DotNet.Testcontainers.Containers;

namespace AgentCluster.Testing.Containers;

/// <summary>An anvil container (see <see cref="AnvilBuilder"/>).</summary>
public sealed class AnvilContainer : DockerContainer
{
    private readonly AnvilConfiguration _configuration;

    /// <summary>Created by <see cref="AnvilBuilder.Build"/>.</summary>
    public AnvilContainer(AnvilConfiguration configuration)
        : base(configuration)
    {
        _configuration = configuration;
    }

    /// <summary>The port anvil listens on at 127.0.0.1 (host network).</summary>
    public int Port => _configuration.Port ?? throw new InvalidOperationException("The anvil container has no port (not built by AnvilBuilder).");

    /// <summary>The JSON-RPC endpoint, <c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri GetRpcUrl() => new($"http://127.0.0.1:{Port}/");
}
