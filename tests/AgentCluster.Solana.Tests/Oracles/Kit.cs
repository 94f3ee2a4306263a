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

/// <summary>One kit-oracle process held open for a conversation (request, answer, request...): for LiteSVM sessions whose next request depends on the last answer.</summary>
internal sealed class KitSession : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    public KitSession()
    {
        string script = Path.Combine(TestContext.CurrentContext.TestDirectory, "Oracles", "kit-oracle.mjs");
        var info = new ProcessStartInfo("node", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
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

        using var json = JsonDocument.Parse(line.Result!);
        return json.RootElement.TryGetProperty("ok", out JsonElement ok) ? ok.GetString()! : "error: " + json.RootElement.GetProperty("error").GetString();
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
