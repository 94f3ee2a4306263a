using System.CommandLine;
using System.Numerics;
using AgentCluster.Cli.Chain;
using AgentCluster.Sdk.Reputation;
using static AgentCluster.Cli.Chain.ChainInput;

namespace AgentCluster.Cli.Reputation;

/// <summary>
/// <c>agentcluster reputation &lt;agent&gt;</c>: the four dimensions and their total now (decayed by the contract on read, 90-day half-life),
/// at the start of each of the last days (the contract keeps 8 daily checkpoints, so up to 7 days back always answers), and the network totals.
/// </summary>
internal static class ReputationCommand
{
    /// <summary>The most days of history shown (the contract's ring of 8 daily checkpoints answers up to 7 days back).</summary>
    public const int MaxDays = 7;

    public static Command Build()
    {
        var connection = new ChainConnection();
        var agent = new Argument<string>("agent") { Description = "The agent: its key's address (0x...) or its id in decimal." };
        var days = new Option<string>("--days") { Description = $"Also show the value at the start of each of the last n days (0..{MaxDays}, default 3)." };
        var command = new Command("reputation", "An agent's reputation (task, validator, compute, social, total) now and over the last days, in points.") { agent, days };
        connection.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            BigInteger id = AgentId(parse.GetRequiredValue(agent), "<agent>");
            int n = 3;
            if (parse.GetValue(days) is { } text)
            {
                BigInteger value = Integer(text, "--days");
                n = value < 0 || value > MaxDays ? throw new CliInputException("--days", $"{value} is out of range: 0..{MaxDays} (the contract keeps 8 daily checkpoints).") : (int)value;
            }

            return connection.RunAsync(parse, "agentcluster reputation", async (client, output, json) =>
            {
                ReputationSummary now = await client.Reputation.GetAsync(id, ct).ConfigureAwait(false);
                DateTimeOffset chainNow = await client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
                var history = new List<(DateTimeOffset Day, ReputationSummary Values)>();
                for (int d = 1; d <= n; d++)
                {
                    DateTimeOffset at = chainNow - TimeSpan.FromDays(d);
                    if (at < DateTimeOffset.UnixEpoch)
                    {
                        break;
                    }

                    history.Add((new DateTimeOffset(at.UtcDateTime.Date, TimeSpan.Zero), await client.Reputation.GetSummaryAtAsync(id, at, ct).ConfigureAwait(false)));
                }

                var totals = new Dictionary<ReputationDimension, BigInteger>();
                foreach (ReputationDimension dimension in Enum.GetValues<ReputationDimension>())
                {
                    totals[dimension] = await client.Reputation.GetNetworkTotalAsync(dimension, ct).ConfigureAwait(false);
                }

                if (json)
                {
                    ChainConnection.WriteJson(output, new
                    {
                        agentId = id.ToString(),
                        now = Values(now),
                        history = history.Select(h => new { dayStart = Unix(h.Day), values = Values(h.Values) }).ToArray(),
                        network = totals.ToDictionary(t => Name(t.Key), t => t.Value.ToString()),
                    });
                    return ExitCodes.Success;
                }

                string[] header = ["dimension", "now", .. history.Select(h => h.Day.ToString("yyyy-MM-dd")), "network total"];
                var rows = new List<string[]>();
                foreach (ReputationDimension dimension in Enum.GetValues<ReputationDimension>())
                {
                    rows.Add([Name(dimension), Points(now[dimension]), .. history.Select(h => Points(h.Values[dimension])), Points(totals[dimension])]);
                }

                rows.Add(["total", Points(now.Total), .. history.Select(h => Points(h.Values.Total)), Points(totals.Values.Aggregate(BigInteger.Zero, (a, b) => a + b))]);
                output.WriteLine($"agent {id} (points; decayed on read with a 90-day half-life; past columns at each UTC day's start)");
                Table(output, header, rows);
                return ExitCodes.Success;
            }, ct);
        });
        return command;
    }

    private static string Name(ReputationDimension d) => d.ToString().ToLowerInvariant();

    private static string Points(BigInteger value) => FormatAcc(value);

    private static object Values(ReputationSummary s) => new
    {
        task = s.Task.ToString(), validator = s.Validator.ToString(), compute = s.Compute.ToString(), social = s.Social.ToString(), total = s.Total.ToString(),
    };

    private static void Table(TextWriter output, string[] header, List<string[]> rows)
    {
        int[] widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (string[] row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        }
    }
}
