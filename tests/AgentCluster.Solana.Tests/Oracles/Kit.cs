using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Solana.Tests.Oracles;

/// <summary>
/// Runs a batch of requests through @solana/kit (node, kit-oracle.mjs) in one process: the independent oracle for the Solana formats.
/// The script runs from the test output directory inside the repository, so node finds kit in the repository's node_modules.
/// </summary>
internal static class Kit
{
    /// <summary>The longest one batch may take (node starts in well under a second; a few hundred requests take a few seconds).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    /// <summary>One request.</summary>
    public static string Run(JsonObject request) => Run([request])[0];

    /// <summary>Sends every request to one node process; returns the answers in order ("error: ..." for a request kit refused).</summary>
    public static string[] Run(IReadOnlyList<JsonObject> requests) =>
        AgentCluster.Testing.NodeScript.Run("@solana/kit oracle", Script, requests, Timeout);

    /// <summary>The oracle script in the test output.</summary>
    public static string Script => Path.Combine(TestContext.CurrentContext.TestDirectory, "Oracles", "kit-oracle.mjs");
}

/// <summary>One kit-oracle process held open for a conversation (request, answer, request...): for LiteSVM sessions whose next request depends on the last answer.</summary>
internal sealed class KitSession : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    public KitSession()
    {
        _process = AgentCluster.Testing.NodeScript.Start("@solana/kit oracle", Kit.Script, []);
    }

    /// <summary>Sends one request; returns its answer ("error: ..." when kit refused). Fails the test when no answer comes in time.</summary>
    public string Call(JsonObject request)
    {
        _process.StandardInput.WriteLine(request.ToJsonString());
        _process.StandardInput.Flush();
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(CallTimeout) || line.Result is null)
        {
            Assert.Fail($"kit oracle gave no answer to {request["op"]} within {CallTimeout.TotalSeconds} s");
        }

        return AgentCluster.Testing.NodeScript.Answer(line.Result!);
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
