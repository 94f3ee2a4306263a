using System.Text.Json.Nodes;

namespace AgentCluster.Evm.Tests.Oracles;

/// <summary>Runs many requests through viem (node) in one process: the second oracle, for cases cast cannot check.</summary>
internal static class Viem
{
    /// <summary>The longest one batch may take (node starts in ~0.3 s; hundreds of requests take well under a second).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Sends every request to one node process running viem-oracle.mjs; returns the answers in order ("error: ..." for a refused request).</summary>
    public static string[] Run(IReadOnlyList<JsonObject> requests) =>
        AgentCluster.Testing.NodeScript.Run("viem oracle", Path.Combine(TestContext.CurrentContext.TestDirectory, "Oracles", "viem-oracle.mjs"), requests, Timeout);
}
