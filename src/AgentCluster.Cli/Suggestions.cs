using System.CommandLine;
using System.Text.RegularExpressions;

namespace AgentCluster.Cli;

/// <summary>"Did you mean" for a mistyped command or option: the closest sibling by edit distance (adjacent swaps count as one edit).</summary>
internal static partial class Suggestions
{
    /// <summary>The token of System.CommandLine's "Unrecognized command or argument 'x'." message, or null for other messages.</summary>
    public static string? UnrecognizedToken(string message) => UnrecognizedPattern().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>
    /// "Unknown command 'agnet'. Did you mean 'agent'?" when <paramref name="token"/> is close to a subcommand of <paramref name="command"/>
    /// (or, for a token starting with '-', to one of its options); null when nothing is close (then the plain message stands).
    /// </summary>
    public static string? For(Command command, string token)
    {
        bool option = token.StartsWith('-');
        IEnumerable<string> names = option
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        string? best = Closest(token, names);
        return best is null ? null : $"Unknown {(option ? "option" : "command")} '{token}'. Did you mean '{best}'?";
    }

    /// <summary>The candidate nearest to <paramref name="token"/>, if within a third of its length (at least 1, at most 3 edits).</summary>
    public static string? Closest(string token, IEnumerable<string> candidates)
    {
        int limit = Math.Clamp(token.TrimStart('-').Length / 3, 1, 3);
        return candidates
            .Select(c => (Name: c, Distance: Distance(token.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of adjacent characters.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    [GeneratedRegex("^Unrecognized command or argument '(.*)'\\.?$")]
    private static partial Regex UnrecognizedPattern();
}
