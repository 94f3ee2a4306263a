using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Testing;

/// <summary>
/// Runs a node script that speaks the project's oracle protocol: one JSON request per line on stdin, one JSON line per answer on
/// stdout, in order (<c>{"ok": ...}</c> or <c>{"error": "..."}</c>). The tests' independent oracles (viem, @solana/kit, the Solana
/// program's JS description) use it; the script runs with the repository's node_modules when it sits inside the checkout.
/// </summary>
public static class NodeScript
{
    /// <summary>
    /// Starts <c>node script args...</c>, writes every request, closes stdin and returns every stdout line, all within
    /// <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">node is missing, the script did not finish in time, or it exited non-zero (the
    /// message carries <paramref name="name"/> and the script's stderr).</exception>
    public static string[] RunLines(string name, string script, IReadOnlyList<string> args, IReadOnlyList<JsonObject> requests, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(requests);
        using Process process = Start(name, script, args, redirectError: true);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task writer = Task.Run(() =>
        {
            foreach (JsonObject request in requests)
            {
                process.StandardInput.WriteLine(request.ToJsonString());
            }

            process.StandardInput.Close();
        });
        var lines = new List<string>();
        Task reader = Task.Run(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        });
        if (!Task.WaitAll([reader, writer], timeout) || !process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException(
                $"the {name} did not answer {requests.Count} request(s) within {timeout.TotalSeconds} s ({lines.Count} answered): {(stderr.Wait(1000) ? stderr.Result : "")}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the {name} exited {process.ExitCode} after {lines.Count} answer(s): {stderr.Result}");
        }

        return lines.ToArray();
    }

    /// <summary>
    /// <see cref="RunLines"/> for scripts that answer every request: the answers in order, each the <c>ok</c> string or
    /// <c>"error: " + error</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">As <see cref="RunLines"/>, or fewer or more answers than requests.</exception>
    public static string[] Run(string name, string script, IReadOnlyList<JsonObject> requests, TimeSpan timeout)
    {
        string[] lines = RunLines(name, script, [], requests, timeout);
        return lines.Length == requests.Count
            ? lines.Select(Answer).ToArray()
            : throw new InvalidOperationException($"the {name} answered {lines.Length} of {requests.Count} requests.");
    }

    /// <summary>One answer line as <see cref="Run"/> returns it: the <c>ok</c> string, or <c>"error: " + error</c>.</summary>
    public static string Answer(string line)
    {
        using var json = JsonDocument.Parse(line);
        return json.RootElement.TryGetProperty("ok", out JsonElement ok) ? ok.GetString()! : "error: " + json.RootElement.GetProperty("error").GetString();
    }

    /// <summary>Starts the script with stdin and stdout redirected (and stderr when asked), for a conversation of requests and answers.</summary>
    /// <exception cref="InvalidOperationException">node is not installed or did not start.</exception>
    public static Process Start(string name, string script, IReadOnlyList<string> args, bool redirectError = false)
    {
        var info = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = redirectError, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"node did not start for the {name}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"node is needed for the {name}: {e.Message}", e);
        }
    }
}
