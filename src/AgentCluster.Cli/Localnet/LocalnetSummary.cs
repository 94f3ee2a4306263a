using System.Globalization;
using System.Numerics;
using AgentCluster.Keepers.Indexing;
using AgentCluster.Sdk.Tasks;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AgentCluster.Cli.Localnet;

/// <summary>What the live summary shows, read every 2 s from the chain and the dashboard's snapshot of the keepers' index.</summary>
/// <param name="Block">The chain's head.</param>
/// <param name="IndexedBlock">The last block the keepers' index holds (null before its first pass).</param>
/// <param name="Round">The swarm's round.</param>
/// <param name="TasksOnChain">The market's task count.</param>
/// <param name="Stages">Tasks by stage, from the index.</param>
/// <param name="SettledThisRun">Tasks of this run settled (the index).</param>
/// <param name="SettledPerMinute">Tasks of this run settled per wall-clock minute since the swarm started.</param>
/// <param name="ApprovalRate">Accepted / settled, over every settled task of the index (null: none settled).</param>
/// <param name="Slashes">Slashes on chain since this run started.</param>
/// <param name="Appeals">Slashes the swarm appealed.</param>
/// <param name="Alerts">The dashboard's anomaly alerts so far.</param>
/// <param name="LastAlert">The newest alert, said in words (null: none).</param>
/// <param name="SwarmSubmitted">The swarm's own counter of submitted tasks (a cross-check).</param>
/// <param name="SwarmSettled">The swarm's own counter of settled tasks (a cross-check).</param>
/// <param name="Dashboard">The dashboard's address.</param>
internal sealed record SummaryFigures(BigInteger Block, ulong? IndexedBlock, int Round, BigInteger TasksOnChain, TaskStageCounts Stages, int SettledThisRun,
    double SettledPerMinute, double? ApprovalRate, BigInteger Slashes, int Appeals, int Alerts, string? LastAlert, int SwarmSubmitted, int SwarmSettled, Uri Dashboard)
{
    /// <summary>Keeper lag: blocks between the chain's head and the index (null before the index's first pass).</summary>
    public BigInteger? KeeperLag => IndexedBlock is { } i ? BigInteger.Max(BigInteger.Zero, Block - i) : null;

    /// <summary>The plain line written every 2 s when stderr is not a terminal (CI, tests, pipes): the first fields are fixed for scripts.</summary>
    public string PlainLine() =>
        $"[live] block {Block} | round {Round} | tasks on chain {TasksOnChain} (swarm: submitted {SwarmSubmitted}, settled {SwarmSettled}) "
        + $"| slashes {Slashes}, appeals {Appeals} | dashboard {Dashboard} | stages {Stages} | settled/min {SettledPerMinute.ToString("F1", CultureInfo.InvariantCulture)} "
        + $"| approval {(ApprovalRate is { } a ? a.ToString("P0", CultureInfo.InvariantCulture) : "-")} | keeper lag {(KeeperLag is { } l ? $"{l} blocks" : "-")} | alerts {Alerts}";
}

/// <summary>Tasks by stage (the market's five: bidding, executing, verifying, settled, with settled split by outcome).</summary>
/// <param name="Bidding">Submitted, not assigned.</param>
/// <param name="Executing">Assigned, no result yet.</param>
/// <param name="Verifying">Result posted, not settled.</param>
/// <param name="Accepted">Settled, accepted.</param>
/// <param name="Rejected">Settled, rejected.</param>
/// <param name="Other">Settled otherwise (refunded, expired).</param>
internal sealed record TaskStageCounts(int Bidding, int Executing, int Verifying, int Accepted, int Rejected, int Other)
{
    /// <summary>Settled in all.</summary>
    public int Settled => Accepted + Rejected + Other;

    /// <summary>Counts the index's tasks by stage.</summary>
    public static TaskStageCounts Of(IEnumerable<NetworkTask> tasks)
    {
        int bidding = 0, executing = 0, verifying = 0, accepted = 0, rejected = 0, other = 0;
        foreach (NetworkTask t in tasks)
        {
            if (t.Outcome is { } outcome)
            {
                _ = outcome == (byte)MarketTaskStatus.Accepted ? accepted++ : outcome == (byte)MarketTaskStatus.Rejected ? rejected++ : other++;
            }
            else if (t.Stages.ResultPosted is not null)
            {
                verifying++;
            }
            else if (t.Executor is not null || t.Stages.Assigned is not null)
            {
                executing++;
            }
            else
            {
                bidding++;
            }
        }

        return new TaskStageCounts(bidding, executing, verifying, accepted, rejected, other);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"bidding {Bidding}, executing {Executing}, verifying {Verifying}, settled {Settled} (accepted {Accepted}, rejected {Rejected}, other {Other})";
}

/// <summary>
/// The live summary of <c>localnet up</c>: on a terminal (stderr not redirected) one screen redrawn in place every 2 s with
/// Spectre.Console's live display, the progress lines said meanwhile shown in its last rows; otherwise a plain
/// <c>localnet: [live] ...</c> line every 2 s. A failure to read never stops the network: the summary says so and ends.
/// </summary>
internal sealed class LocalnetSummary
{
    private const int RecentLines = 6;
    private readonly Func<Task<SummaryFigures>> _read;
    private readonly TextWriter _error;
    private readonly IAnsiConsole? _terminal;
    private readonly Queue<string> _recent = new();
    private volatile bool _live;

    /// <summary>A summary reading with <paramref name="read"/>; drawn on <paramref name="terminal"/> when given, else plain lines on <paramref name="error"/>.</summary>
    public LocalnetSummary(Func<Task<SummaryFigures>> read, TextWriter error, IAnsiConsole? terminal)
    {
        _read = read;
        _error = error;
        _terminal = terminal;
    }

    /// <summary>A Spectre console on the process's stderr when it is a terminal, else null (plain lines).</summary>
    public static IAnsiConsole? TerminalOrNull(TextWriter error) =>
        ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error), Interactive = InteractionSupport.Yes })
            : null;

    /// <summary>While the live screen is drawn, a progress line goes into its last rows (true); otherwise the caller writes it (false).</summary>
    public bool TryPost(string line)
    {
        if (!_live)
        {
            return false;
        }

        lock (_recent)
        {
            _recent.Enqueue(line);
            while (_recent.Count > RecentLines)
            {
                _recent.Dequeue();
            }
        }

        return true;
    }

    /// <summary>Reads and shows the figures every 2 s until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        if (_terminal is null)
        {
            await LoopAsync(f => _error.WriteLine($"localnet: {f.PlainLine()}"), stop).ConfigureAwait(false);
            return;
        }

        _live = true;
        try
        {
            await _terminal.Live(new Text("localnet: reading the network...")).AutoClear(false).Overflow(VerticalOverflow.Ellipsis)
                .StartAsync(async context => await LoopAsync(f =>
                {
                    context.UpdateTarget(Render(f));
                    context.Refresh();
                }, stop).ConfigureAwait(false)).ConfigureAwait(false);
        }
        finally
        {
            _live = false;
        }
    }

    private async Task LoopAsync(Action<SummaryFigures> show, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(2_000, stop).ConfigureAwait(false);
                show(await _read().ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _live = false;
                _error.WriteLine($"localnet: [live] summary stopped: {e.Message}"); // the summary is a view: its failure never stops the network
                return;
            }
        }
    }

    private IRenderable Render(SummaryFigures f)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string value) => grid.AddRow(new Markup($"[bold]{Markup.Escape(name)}[/]"), new Markup(value));
        Row("chain", $"block {f.Block}, round {f.Round}");
        Row("tasks", Markup.Escape($"{f.TasksOnChain} on chain; bidding {f.Stages.Bidding}, executing {f.Stages.Executing}, verifying {f.Stages.Verifying}, "
            + $"settled {f.Stages.Settled} (accepted {f.Stages.Accepted}, rejected {f.Stages.Rejected})"));
        Row("throughput", Markup.Escape($"{f.SettledThisRun} settled this run, {f.SettledPerMinute.ToString("F1", CultureInfo.InvariantCulture)} per minute"));
        Row("approval", f.ApprovalRate is { } a ? a.ToString("P1", CultureInfo.InvariantCulture) : "-");
        Row("slashes", $"{f.Slashes} this run, {f.Appeals} appealed");
        Row("keepers", f.KeeperLag is { } lag ? (lag <= 2 ? $"[green]lag {lag} blocks[/]" : $"[yellow]lag {lag} blocks[/]") : "[grey]index not read yet[/]");
        Row("alerts", f.Alerts == 0 ? "[green]none[/]" : $"[red]{f.Alerts}[/] {Markup.Escape(f.LastAlert ?? "")}");
        Row("swarm", Markup.Escape($"submitted {f.SwarmSubmitted}, settled {f.SwarmSettled} (its own counters, a cross-check)"));
        Row("dashboard", $"[bold]{Markup.Escape(f.Dashboard.ToString())}[/]");
        string[] recent;
        lock (_recent)
        {
            recent = [.. _recent];
        }

        IRenderable log = recent.Length == 0 ? new Text("") : new Rows(recent.Select(l => new Text(l, new Style(Color.Grey))));
        return new Panel(new Rows(grid, new Rule().RuleStyle(Style.Parse("grey")), log))
            .Header("AgentCluster localnet - Ctrl-C stops", Justify.Left).Border(BoxBorder.Rounded).Expand();
    }
}
