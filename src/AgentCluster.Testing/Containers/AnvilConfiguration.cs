using Docker.DotNet.Models;
using DotNet.Testcontainers.Configurations;

namespace AgentCluster.Testing.Containers;

/// <summary>The anvil module's configuration (Testcontainers module style: immutable, merged by <see cref="AnvilBuilder"/>).</summary>
public sealed class AnvilConfiguration : ContainerConfiguration
{
    /// <summary>Creates a configuration with the anvil settings given (null = not set).</summary>
    public AnvilConfiguration(int? port = null, ulong? chainId = null, string? stateDirectory = null, TimeSpan? startTimeout = null)
    {
        Port = port;
        ChainId = chainId;
        StateDirectory = stateDirectory;
        StartTimeout = startTimeout;
    }

    /// <summary>Copies a generic resource configuration.</summary>
    public AnvilConfiguration(IResourceConfiguration<CreateContainerParameters> resourceConfiguration)
        : base(resourceConfiguration)
    {
    }

    /// <summary>Copies a generic container configuration.</summary>
    public AnvilConfiguration(IContainerConfiguration resourceConfiguration)
        : base(resourceConfiguration)
    {
    }

    /// <summary>Copies an anvil configuration.</summary>
    public AnvilConfiguration(AnvilConfiguration resourceConfiguration)
        : this(new AnvilConfiguration(), resourceConfiguration)
    {
    }

    /// <summary>Merges two configurations; values set in <paramref name="newValue"/> win.</summary>
    public AnvilConfiguration(AnvilConfiguration oldValue, AnvilConfiguration newValue)
        : base(oldValue, newValue)
    {
        Port = newValue.Port ?? oldValue.Port;
        ChainId = newValue.ChainId ?? oldValue.ChainId;
        StateDirectory = newValue.StateDirectory ?? oldValue.StateDirectory;
        StartTimeout = newValue.StartTimeout ?? oldValue.StartTimeout;
    }

    /// <summary>The port anvil listens on (host network, 127.0.0.1); null until chosen.</summary>
    public int? Port { get; }

    /// <summary>The chain id the readiness check expects; null = any.</summary>
    public ulong? ChainId { get; }

    /// <summary>A host directory bind-mounted at /state where anvil keeps its state across stop/start; null = none.</summary>
    public string? StateDirectory { get; }

    /// <summary>How long a start may take until eth_chainId answers; null = 30 s.</summary>
    public TimeSpan? StartTimeout { get; }
}
