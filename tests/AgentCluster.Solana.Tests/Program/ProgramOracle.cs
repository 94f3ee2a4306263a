using System.Text.Json.Nodes;

namespace AgentCluster.Solana.Tests.Program;

/// <summary>Runs Oracles/program-oracle.mjs (tests/solana/program.mjs and the real program in LiteSVM) in one node process.</summary>
internal static class ProgramOracle
{
    /// <summary>The longest one run may take (the flow runs ~250 transactions in LiteSVM in a few seconds).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    private static readonly Lazy<JsonNode> FlowResult = new(() => JsonNode.Parse(Run("flow", []).Single())!);

    /// <summary>The repository root (the directory holding AgentCluster.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The flow's result, run once per test run.</summary>
    public static JsonNode Flow => FlowResult.Value;

    /// <summary>Builds each request's instruction with program.mjs; returns the answers in order ("error: ..." for a refused one).</summary>
    public static JsonNode[] Instructions(IReadOnlyList<JsonObject> requests) =>
        Run("instructions", requests).Select(line =>
        {
            JsonNode answer = JsonNode.Parse(line)!;
            return answer["ok"] ?? throw new AssertionException($"program oracle refused a request: {answer["error"]}");
        }).ToArray();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentCluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AgentCluster.sln not found above the test directory");
    }

    private static string[] Run(string mode, IReadOnlyList<JsonObject> requests)
    {
        string[] lines = AgentCluster.Testing.NodeScript.RunLines($"program oracle ({mode})",
            Path.Combine(TestContext.CurrentContext.TestDirectory, "Oracles", "program-oracle.mjs"), [RepoRoot, mode], requests, Timeout);
        if (mode == "instructions" && lines.Length != requests.Count)
        {
            Assert.Fail($"program oracle ({mode}) gave {lines.Length} answers to {requests.Count} requests");
        }

        return lines;
    }
}
