namespace AgentCluster.Testing.Tests;

/// <summary>Sets environment variables for a test and restores the previous values on dispose.</summary>
internal sealed class EnvScope : IDisposable
{
    private readonly Dictionary<string, string?> _previous = [];

    public EnvScope(params (string Name, string? Value)[] values)
    {
        foreach ((string name, string? value) in values)
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    /// <summary>Forces the node kind (container / process) through AGENTCLUSTER_ANVIL.</summary>
    public static EnvScope Kind(string kind) => new((Anvil.KindVariable, kind));

    public void Dispose()
    {
        foreach ((string name, string? value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
