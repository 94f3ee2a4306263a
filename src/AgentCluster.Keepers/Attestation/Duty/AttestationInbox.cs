using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentCluster.Keepers.Attestation.Duty;

/// <summary>One agent's evidence in the inbox: its quote file and its benchmark file (both present).</summary>
/// <param name="AgentKey">The agent key address from the file names (lower-case, 0x + 40 hex).</param>
/// <param name="QuotePath">The quote file (<c>0x….quote</c>: raw bytes or hex).</param>
/// <param name="BenchmarkPath">The benchmark file (<c>0x….benchmark.json</c>).</param>
public sealed record AttestationSubmission(string AgentKey, string QuotePath, string BenchmarkPath);

/// <summary>
/// The folder agents hand evidence in to (docs/attestation.md, "Duty"). A submission is <c>0x&lt;agent key&gt;.quote</c> plus
/// <c>0x&lt;agent key&gt;.benchmark.json</c>; it is taken once both exist (write each under another name and rename it in, so a half-written
/// file is never read). Processed submissions move to <c>done/&lt;agent key&gt;-&lt;UTC time&gt;/</c> or <c>rejected/…/</c> with a
/// <c>reason.txt</c>, so nothing is lost and the agent can see why. Other files are left alone; a <c>.quote</c> or <c>.benchmark.json</c> whose
/// name is not an address is rejected.
/// </summary>
public sealed partial class AttestationInbox
{
    /// <summary>The quote file's suffix.</summary>
    public const string QuoteSuffix = ".quote";

    /// <summary>The benchmark file's suffix.</summary>
    public const string BenchmarkSuffix = ".benchmark.json";

    /// <summary>The sub-folder of accepted submissions.</summary>
    public const string DoneFolder = "done";

    /// <summary>The sub-folder of rejected submissions.</summary>
    public const string RejectedFolder = "rejected";

    /// <summary>The file in a processed submission's folder that says what happened.</summary>
    public const string ReasonFile = "reason.txt";

    private readonly TimeProvider _time;

    /// <summary>Opens (and creates) the inbox at <paramref name="path"/>.</summary>
    public AttestationInbox(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(Path);
    }

    /// <summary>The inbox folder.</summary>
    public string Path { get; }

    /// <summary>
    /// The complete submissions now in the inbox (oldest quote first), and the files whose name is not an agent key (to reject).
    /// </summary>
    public (IReadOnlyList<AttestationSubmission> Complete, IReadOnlyList<string> Misnamed) Scan()
    {
        var complete = new List<(DateTime, AttestationSubmission)>();
        var misnamed = new List<string>();
        string[] files = [.. Directory.EnumerateFiles(Path)];
        var byName = files.GroupBy(f => System.IO.Path.GetFileName(f), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        foreach (string file in files)
        {
            string name = System.IO.Path.GetFileName(file);
            bool isQuote = name.EndsWith(QuoteSuffix, StringComparison.OrdinalIgnoreCase);
            bool isBenchmark = name.EndsWith(BenchmarkSuffix, StringComparison.OrdinalIgnoreCase);
            if (!isQuote && !isBenchmark)
            {
                continue;
            }

            string stem = name[..^(isQuote ? QuoteSuffix.Length : BenchmarkSuffix.Length)];
            if (!AddressPattern().IsMatch(stem))
            {
                misnamed.Add(file);
                continue;
            }

            if (isQuote)
            {
                if (byName.TryGetValue(stem + BenchmarkSuffix, out string? found))
                {
                    complete.Add((File.GetLastWriteTimeUtc(file), new AttestationSubmission(stem.ToLowerInvariant(), file, found)));
                }
            }
        }

        return ([.. complete.OrderBy(c => c.Item1).ThenBy(c => c.Item2.AgentKey, StringComparer.Ordinal).Select(c => c.Item2)], misnamed);
    }

    /// <summary>Moves a processed submission to <c>done/</c> with <paramref name="reason"/>; returns its new folder (null if another process took it first).</summary>
    public string? Accept(AttestationSubmission submission, string reason) => Move(DoneFolder, submission.AgentKey, [submission.QuotePath, submission.BenchmarkPath], reason);

    /// <summary>Moves a processed submission to <c>rejected/</c> with <paramref name="reason"/>; returns its new folder (null if another process took it first).</summary>
    public string? Reject(AttestationSubmission submission, string reason) => Move(RejectedFolder, submission.AgentKey, [submission.QuotePath, submission.BenchmarkPath], reason);

    /// <summary>Moves a misnamed file to <c>rejected/</c> with <paramref name="reason"/>.</summary>
    public string? RejectFile(string file, string reason) => Move(RejectedFolder, System.IO.Path.GetFileName(file), [file], reason);

    private string? Move(string folder, string label, string[] files, string reason)
    {
        string stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string target = System.IO.Path.Combine(Path, folder, $"{label}-{stamp}");
        for (int i = 2; Directory.Exists(target); i++)
        {
            target = System.IO.Path.Combine(Path, folder, $"{label}-{stamp}-{i}");
        }

        Directory.CreateDirectory(target);
        // The reason first: whoever sees the folder sees why.
        File.WriteAllText(System.IO.Path.Combine(target, ReasonFile), reason.EndsWith('\n') ? reason : reason + "\n");
        bool moved = false;
        foreach (string file in files)
        {
            try
            {
                File.Move(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
                moved = true;
            }
            catch (FileNotFoundException)
            {
                // Another keeper sharing this inbox took it first.
            }
        }

        if (!moved)
        {
            Directory.Delete(target, recursive: true);
            return null;
        }

        return target;
    }

    [GeneratedRegex("^0x[0-9a-fA-F]{40}$")]
    private static partial Regex AddressPattern();
}
