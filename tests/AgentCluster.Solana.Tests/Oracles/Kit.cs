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
    public static string[] Run(IReadOnlyList<JsonObject> requests)
    {
        string script = Path.Combine(TestContext.CurrentContext.TestDirectory, "Oracles", "kit-oracle.mjs");
        var info = new ProcessStartInfo("node", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"node is needed for the @solana/kit oracle: {e.Message}");
            throw;
        }

        using (process)
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Task writer = Task.Run(() =>
            {
                foreach (JsonObject request in requests)
                {
                    process.StandardInput.WriteLine(request.ToJsonString());
                }

                process.StandardInput.Close();
            });
            var results = new List<string>();
            Task reader = Task.Run(() =>
            {
                while (process.StandardOutput.ReadLine() is { } line)
                {
                    using var json = JsonDocument.Parse(line);
                    results.Add(json.RootElement.TryGetProperty("ok", out JsonElement ok) ? ok.GetString()! : "error: " + json.RootElement.GetProperty("error").GetString());
                }
            });
            if (!Task.WaitAll([reader, writer], Timeout) || !process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"kit oracle did not answer {requests.Count} requests within {Timeout.TotalSeconds} s ({results.Count} answered): {(stderr.Wait(1000) ? stderr.Result : "")}");
            }

            if (results.Count != requests.Count)
            {
                Assert.Fail($"kit oracle answered {results.Count} of {requests.Count} requests (exit {process.ExitCode}): {stderr.Result}");
            }

            return results.ToArray();
        }
    }
}
