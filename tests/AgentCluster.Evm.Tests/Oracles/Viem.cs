using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Evm.Tests.Oracles;

/// <summary>Runs many requests through viem (node) in one process: the second oracle, for cases cast cannot check.</summary>
internal static class Viem
{
    /// <summary>The longest one batch may take (node starts in ~0.3 s; hundreds of requests take well under a second).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Sends every request to one node process running viem-oracle.mjs; returns the answers in order ("error: ..." for a refused request).</summary>
    public static string[] Run(IReadOnlyList<JsonObject> requests)
    {
        string script = Path.Combine(TestContext.CurrentContext.TestDirectory, "Oracles", "viem-oracle.mjs");
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
            Assert.Fail($"node is needed for the viem oracle: {e.Message}");
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
                Assert.Fail($"viem oracle did not answer {requests.Count} requests within {Timeout.TotalSeconds} s ({results.Count} answered): {(stderr.Wait(1000) ? stderr.Result : "")}");
            }
            if (results.Count != requests.Count)
            {
                Assert.Fail($"viem oracle answered {results.Count} of {requests.Count} requests (exit {process.ExitCode}): {stderr.Result}");
            }

            return results.ToArray();
        }
    }
}
