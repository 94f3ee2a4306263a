namespace AgentCluster.Solana.Programs;

/// <summary>An event the AgentCluster program emitted (sol_log_data: "Program data: &lt;base64 code&gt; &lt;base64 payload&gt;").</summary>
public abstract record AgentClusterEvent
{
    /// <summary>The event's code (include/agentcluster/events.h).</summary>
    public abstract byte Code { get; }
}

/// <summary>Reading the program's events from a transaction's log messages.</summary>
public static partial class AgentClusterEvents
{
    private const string DataPrefix = "Program data: ";

    /// <summary>
    /// The program's events in a transaction's logs, in order. With <paramref name="programId"/>, only data lines logged while
    /// that program is the innermost running one count (the "Program X invoke [n]" / "Program X success|failed" lines are
    /// followed); without it, every data line with a known code counts. Lines of unknown codes are skipped.
    /// </summary>
    /// <param name="logs">The log messages.</param>
    /// <param name="programId">The AgentCluster program's address, or null.</param>
    /// <returns>The decoded events.</returns>
    /// <exception cref="FormatException">A data line of the program is not two base64 fields, or its payload is too short.</exception>
    public static IReadOnlyList<AgentClusterEvent> Parse(IEnumerable<string> logs, PublicKey? programId = null)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var events = new List<AgentClusterEvent>();
        var stack = new Stack<string>();
        string? id = programId?.Key;
        foreach (string line in logs)
        {
            if (line is null)
            {
                continue;
            }

            if (line.StartsWith("Program ", StringComparison.Ordinal) && !line.StartsWith(DataPrefix, StringComparison.Ordinal))
            {
                string[] words = line.Split(' ');
                if (words.Length >= 4 && words[2] == "invoke")
                {
                    stack.Push(words[1]);
                }
                else if (words.Length >= 3 && (words[2] == "success" || words[2].StartsWith("failed", StringComparison.Ordinal)) && stack.Count > 0)
                {
                    stack.Pop();
                }

                continue;
            }

            if (!line.StartsWith(DataPrefix, StringComparison.Ordinal) || (id is not null && (stack.Count == 0 || stack.Peek() != id)))
            {
                continue;
            }

            string[] fields = line[DataPrefix.Length..].Split(' ');
            if (fields.Length != 2)
            {
                if (id is null)
                {
                    continue;
                }

                throw new FormatException($"not an AgentCluster event (two base64 fields expected): {line}");
            }

            byte[] code, payload;
            try
            {
                code = Convert.FromBase64String(fields[0]);
                payload = Convert.FromBase64String(fields[1]);
            }
            catch (FormatException e)
            {
                throw new FormatException($"not base64: {line}", e);
            }

            if (code.Length == 1 && Decode(code[0], payload) is { } ev)
            {
                events.Add(ev);
            }
        }

        return events;
    }
}
