using System.Text.Json.Nodes;
using AgentCluster.Evm.Tests.Oracles;

namespace AgentCluster.Evm.Tests.Differential;

/// <summary>Runs a batch of oracle calls and reports every case that disagrees, with its inputs and the seed offset.</summary>
internal static class Diff
{
    /// <summary>Runs the cast invocations (a few at a time) and checks each output; <paramref name="mismatch"/> returns null when the case agrees.</summary>
    public static void WithCast(IReadOnlyList<string[]> invocations, Func<int, string, string?> mismatch)
    {
        Assert.That(invocations, Is.Not.Empty, "no cases generated");
        string[] outputs = Cast.RunMany(invocations);
        Report("cast", outputs.Length, i => mismatch(i, outputs[i]),
            i => "cast " + string.Join(' ', invocations[i].Select(a => a.Length > 300 ? a[..300] + "..." : a)));
    }

    /// <summary>Sends the requests to one viem process and checks each answer.</summary>
    public static void WithViem(IReadOnlyList<JsonObject> requests, Func<int, string, string?> mismatch)
    {
        Assert.That(requests, Is.Not.Empty, "no cases generated");
        string[] answers = Viem.Run(requests);
        Report("viem", answers.Length, i => mismatch(i, answers[i]), i => Truncate(requests[i].ToJsonString(), 600));
    }

    /// <summary>Compares with viem's answers exactly (both sides lowercase 0x-hex).</summary>
    public static void WithViem(IReadOnlyList<JsonObject> requests, IReadOnlyList<string> ours) =>
        WithViem(requests, (i, theirs) => theirs == ours[i] ? null : $"ours {ours[i]}\n  viem {theirs}");

    private static void Report(string oracle, int count, Func<int, string?> check, Func<int, string> describe)
    {
        var failures = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string? problem;
            try
            {
                problem = check(i);
            }
            catch (Exception e)
            {
                problem = $"threw {e.GetType().Name}: {e.Message}";
            }

            if (problem is not null)
            {
                failures.Add($"case {i}: {describe(i)}\n  {problem}");
            }
        }

        Assert.That(failures, Is.Empty,
            $"{failures.Count} of {count} cases differ from {oracle} (seed offset {RandomAbi.SeedOffset}):\n" + string.Join("\n", failures.Take(8)));
    }

    private static string Truncate(string s, int max) => s.Length > max ? s[..max] + "..." : s;
}
