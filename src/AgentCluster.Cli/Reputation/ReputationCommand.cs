using System.CommandLine;
using System.Numerics;
using AgentCluster.Cli.Chain;
using AgentCluster.Keepers.Indexing;
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

    /// <summary>The most days of history shown from a keeper's index (it keeps every change).</summary>
    public const int MaxIndexDays = 365;

    public static Command Build()
    {
        var connection = new ChainConnection();
        var agent = new Argument<string>("agent") { Description = "The agent: its key's address (0x...) or its id in decimal.", Arity = ArgumentArity.ZeroOrOne };
        var days = new Option<string>("--days") { Description = $"Also show the value at the start of each of the last n days (0..{MaxDays}, default 3; up to {MaxIndexDays} with --index)." };
        var index = new Option<string>("--index") { Description = "Read a keeper's index file (its IndexDbPath) instead of the chain: no node needed, every past day available." };
        var top = new Option<string>("--top") { Description = "With --index and no agent: the n agents with the highest total (1..1000)." };
        var at = new Option<string>("--at") { Description = "With --index: read at this time (unix seconds, ISO-8601 or +<n>d|h|m from now) instead of now." };
        var command = new Command("reputation", "An agent's reputation (task, validator, compute, social, total) now and over the last days, in points.") { agent, days, index, top, at };
        connection.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(agent) is null && result.GetValue(top) is null)
            {
                result.AddError("Required argument 'agent' missing for command: 'reputation' (or give --top N with --index).");
            }
        });
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(index) is { } indexPath)
            {
                return IndexedAsync(parse, connection.Json, indexPath, parse.GetValue(agent), parse.GetValue(days), parse.GetValue(top), parse.GetValue(at), ct);
            }

            if (parse.GetValue(at) is not null)
            {
                throw new CliInputException("--at", "needs --index (the chain answers for now and past day starts only).");
            }

            if (parse.GetValue(top) is not null)
            {
                throw new CliInputException("--top", "needs --index (the ranking is read from a keeper's index).");
            }

            BigInteger id = AgentId(parse.GetValue(agent) ?? throw new CliInputException("<agent>", "give the agent (its key's address or id), or --top N with --index."), "<agent>");
            int n = Days(parse.GetValue(days), MaxDays, "the contract keeps 8 daily checkpoints");

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

    private static int Days(string? text, int max, string why)
    {
        if (text is null)
        {
            return 3;
        }

        BigInteger value = Integer(text, "--days");
        return value < 0 || value > max ? throw new CliInputException("--days", $"{value} is out of range: 0..{max} ({why}).") : (int)value;
    }

    /// <summary>
    /// The index path: the view of <see cref="ReputationView"/> over the file, "now" being the later of the clock and the newest indexed
    /// event (a local chain whose time was moved ahead). Bad input and a file that is not an index: one line on stderr, exit 1.
    /// </summary>
    private static async Task<int> IndexedAsync(ParseResult parse, Option<bool> jsonOption, string path, string? agentText, string? daysText, string? topText, string? atText, CancellationToken ct)
    {
        TextWriter output = parse.InvocationConfiguration.Output;
        TextWriter error = parse.InvocationConfiguration.Error;
        bool json = parse.GetValue(jsonOption);
        try
        {
            ReputationView view = ReputationView.Open(path);
            DateTimeOffset now = await view.LatestEventTimeAsync(ct).ConfigureAwait(false) is { } latest && latest > DateTimeOffset.UtcNow ? latest : DateTimeOffset.UtcNow;
            if (atText is not null)
            {
                now = Time(atText, "--at", now);
            }

            if (agentText is null)
            {
                BigInteger n = topText is null ? throw new CliInputException("<agent>", "give the agent (its key's address or id), or --top N.") : Integer(topText, "--top");
                if (n < 1 || n > 1000)
                {
                    throw new CliInputException("--top", $"{n} is out of range: 1..1000.");
                }

                IReadOnlyList<IndexedReputation> ranking = [.. (await view.ReputationsAsync(now, ct).ConfigureAwait(false)).Take((int)n)];
                if (json)
                {
                    ChainConnection.WriteJson(output, new { at = Unix(now), agents = ranking.Select(r => new { agentId = r.AgentId.ToString(), values = Values(r) }).ToArray() });
                    return ExitCodes.Success;
                }

                output.WriteLine($"top {ranking.Count} agents by total at {now:yyyy-MM-dd HH:mm:ss}Z (points; from the index {path})");
                Table(output, ["agent", "task", "validator", "compute", "social", "total"],
                    [.. ranking.Select(r => new[] { r.AgentId.ToString(), Points(r.Task), Points(r.Validator), Points(r.Compute), Points(r.Social), Points(r.Total) })]);
                return ExitCodes.Success;
            }

            if (topText is not null)
            {
                throw new CliInputException("--top", "give an agent or --top, not both.");
            }

            BigInteger id = AgentId(agentText, "<agent>");
            int days = Days(daysText, MaxIndexDays, "how far back the index is read");
            IndexedReputation current = await view.ReputationAsync(id, now, ct).ConfigureAwait(false);
            var history = new List<(DateTimeOffset Day, IndexedReputation Values)>();
            for (int d = 1; d <= days; d++)
            {
                var day = new DateTimeOffset((now - TimeSpan.FromDays(d)).UtcDateTime.Date, TimeSpan.Zero);
                history.Add((day, await view.ReputationAsync(id, day, ct).ConfigureAwait(false)));
            }

            if (json)
            {
                ChainConnection.WriteJson(output, new
                {
                    agentId = id.ToString(), at = Unix(now), now = Values(current),
                    history = history.Select(h => new { dayStart = Unix(h.Day), values = Values(h.Values) }).ToArray(),
                });
                return ExitCodes.Success;
            }

            output.WriteLine($"agent {id} at {now:yyyy-MM-dd HH:mm:ss}Z (points; from the index {path}; past columns at each UTC day's start)");
            string[] header = ["dimension", "now", .. history.Select(h => h.Day.ToString("yyyy-MM-dd"))];
            var rows = Enum.GetValues<ReputationDimension>().Select(d => (string[])[Name(d), Points(current[d]), .. history.Select(h => Points(h.Values[d]))]).ToList();
            rows.Add(["total", Points(current.Total), .. history.Select(h => Points(h.Values.Total))]);
            Table(output, header, rows);
            return ExitCodes.Success;
        }
        catch (CliInputException e)
        {
            error.WriteLine($"agentcluster reputation: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or InvalidOperationException)
        {
            error.WriteLine($"agentcluster reputation: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static object Values(IndexedReputation r) => new
    {
        task = r.Task.ToString(), validator = r.Validator.ToString(), compute = r.Compute.ToString(), social = r.Social.ToString(), total = r.Total.ToString(),
    };

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
