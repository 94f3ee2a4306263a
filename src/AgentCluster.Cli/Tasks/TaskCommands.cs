using System.CommandLine;
using System.Numerics;
using AgentCluster.Cli.Chain;
using AgentCluster.Evm.Rpc;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using MarketDef = AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Cli.Agent;
using static AgentCluster.Cli.Chain.ChainInput;

namespace AgentCluster.Cli.Tasks;

/// <summary><c>agentcluster task</c>: submit (with an EIP-2612 permit, no approve), status (the five stages, executor, committee, windows), list.</summary>
internal static class TaskCommands
{
    /// <summary>The most tasks <c>task list</c> looks at in one call (newest first); continue with --before.</summary>
    public const int MaxScan = 1000;

    /// <summary>The most tasks <c>task list</c> prints in one call.</summary>
    public const int MaxLimit = 500;

    public static Command Build()
    {
        var connection = new ChainConnection();
        var task = new Command("task", "Tasks: submit with a permit, status through the five stages, list (amounts in ACC).");
        foreach (Command c in new[] { Submit(connection), Status(connection), List(connection) })
        {
            connection.AddTo(c);
            task.Subcommands.Add(c);
        }

        // --chain solana: the same subcommands through the chain-neutral SDK (Agent/SolanaChainCommands.cs).
        var solana = new Agent.SolanaChainCommands(connection);
        Command submit = task.Subcommands[0], status = task.Subcommands[1], list = task.Subcommands[2];
        solana.Wrap(submit, "agentcluster task submit", submit.Opts("--min-reputation"), Agent.SolanaChainCommands.Submit(submit.Opt("--bounty"), submit.Opt("--fee"),
            submit.Opt("--deadline"), submit.Opt("--spec-hash"), submit.Opt("--spec-file"), submit.Opt("--capabilities"), submit.Opt("--committee-size")));
        solana.Wrap(status, "agentcluster task status", [], Agent.SolanaChainCommands.TaskStatus(status.Arg(0)));
        solana.Wrap(list, "agentcluster task list", list.Opts("--before"), Agent.SolanaChainCommands.List(list.Opt("--state"), list.Opt("--requester"), list.Opt("--limit")));
        return task;
    }

    private static Command Submit(ChainConnection connection)
    {
        var bounty = new Option<string>("--bounty") { Description = "The most the requester pays the executor, in ACC as decimal text (100, 0.5).", Required = true };
        var fee = new Option<string>("--fee") { Description = "The protocol fee in ACC (default: the market's minimum for the bounty and committee)." };
        var deadline = new Option<string>("--deadline") { Description = "When the result is due: +<n>d/+<n>h/+<n>m from the chain's now, unix seconds or ISO-8601 (default +1d).", };
        var specHash = new Option<string>("--spec-hash") { Description = "keccak-256 of the requirements (spec and acceptance criteria), 0x and 64 hex digits." };
        var specFile = new Option<string>("--spec-file") { Description = "The requirements file; its bytes are hashed with keccak-256 (instead of --spec-hash)." };
        var capabilities = new Option<string>("--capabilities") { Description = "Capability bits the executor must all advertise, decimal or 0x-hex (default 0: any)." };
        var committee = new Option<string>("--committee-size") { Description = $"Reviewers drawn ({TasksClient.MinCommitteeSize}..{TasksClient.MaxCommitteeSize}, default {TasksClient.MinCommitteeSize})." };
        var minReputation = new Option<string>("--min-reputation") { Description = "The executor's Task reputation floor in whole points (default 0)." };
        var command = new Command("submit", "Submits a task: bounty + fee are escrowed with a signed permit (one transaction, no approve).")
        {
            bounty, fee, deadline, specHash, specFile, capabilities, committee, minReputation,
        };
        command.SetAction((parse, ct) =>
        {
            BigInteger bountyWei = Acc(parse.GetRequiredValue(bounty), "--bounty");
            BigInteger? feeWei = parse.GetValue(fee) is { } f ? Acc(f, "--fee", allowZero: true) : null;
            string deadlineText = parse.GetValue(deadline) ?? "+1d";
            Time(deadlineText, "--deadline", DateTimeOffset.UnixEpoch); // the form now; the value against the chain's clock below
            byte[] hash = (parse.GetValue(specHash), parse.GetValue(specFile)) switch
            {
                ({ } h, null) => Hash32(h, "--spec-hash"),
                (null, { } path) => Sha3Keccack.Current.CalculateHash(ReadBytes(path)),
                (null, null) => throw new CliInputException("--spec-hash", "give the requirements as --spec-file <path> (hashed) or --spec-hash <0x...32 bytes>."),
                _ => throw new CliInputException("--spec-hash", "give --spec-hash or --spec-file, not both."),
            };
            ulong caps = parse.GetValue(capabilities) is { } c ? Capabilities(c, "--capabilities") : 0;
            byte size = (byte)SmallInteger(parse.GetValue(committee), "--committee-size", TasksClient.MinCommitteeSize, TasksClient.MinCommitteeSize, TasksClient.MaxCommitteeSize);
            ulong floor = (ulong)SmallInteger(parse.GetValue(minReputation), "--min-reputation", 0, 0, (1L << 40) - 1);
            return connection.RunAsync(parse, "agentcluster task submit", async (client, output, json) =>
            {
                DateTimeOffset now = await client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
                SubmittedTask t = await client.Tasks.SubmitAsync(new TaskSubmission
                {
                    RequirementsHash = hash, Capabilities = caps, Bounty = bountyWei, Fee = feeWei, Deadline = Time(deadlineText, "--deadline", now),
                    CommitteeSize = size, MinReputation = floor,
                }, ct).ConfigureAwait(false);
                ChainConnection.WriteResult(output, json,
                    $"submitted task {t.TaskId}: bounty {FormatAcc(bountyWei)} ACC + fee {FormatAcc(t.Fee)} ACC escrowed (transaction {t.TransactionHash}, block {t.BlockNumber})",
                    new
                    {
                        taskId = t.TaskId.ToString(), bounty = bountyWei.ToString(), fee = t.Fee.ToString(), requirementsHash = hash.ToHex(true),
                        transaction = t.TransactionHash, block = t.BlockNumber.ToString(),
                    });
                return ExitCodes.Success;
            }, ct, progress: true);
        });
        return command;
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliInputException("--spec-file", $"cannot read '{path}': {e.Message}", e);
        }
    }

    private static long SmallInteger(string? text, string argument, long fallback, long min, long max)
    {
        if (text is null)
        {
            return fallback;
        }

        BigInteger value = Integer(text, argument);
        return value < min || value > max ? throw new CliInputException(argument, $"{value} is out of range: {min}..{max}.") : (long)value;
    }

    private static Command Status(ChainConnection connection)
    {
        var id = new Argument<string>("task-id") { Description = "The task id (decimal or 0x-hex)." };
        var command = new Command("status", "A task's stage (of five), amounts, executor, committee and windows.") { id };
        command.SetAction((parse, ct) =>
        {
            BigInteger taskId = Id(parse.GetRequiredValue(id), "<task-id>", "task");
            return connection.RunAsync(parse, "agentcluster task status", async (client, output, json) =>
            {
                TaskInfo t = await client.Tasks.GetAsync(taskId, ct).ConfigureAwait(false);
                IReadOnlyList<BigInteger> committee = t.DrawClosesAt is null ? [] : await client.Tasks.GetCommitteeAsync(taskId, ct).ConfigureAwait(false);
                if (json)
                {
                    ChainConnection.WriteJson(output, new
                    {
                        taskId = t.TaskId.ToString(), requester = t.Requester, status = t.Status.ToString(), stage = t.Stage?.ToString(),
                        capabilities = t.Capabilities.ToString(), bounty = t.Bounty.ToString(), fee = t.Fee.ToString(), price = t.Price.ToString(),
                        committeeSize = t.CommitteeSize, minReputation = t.MinReputation.ToString(),
                        executor = t.Executor?.ToString(), committee = committee.Select(m => m.ToString()).ToArray(),
                        seats = t.Seats, commits = t.Commits, reveals = t.Reveals, approvals = t.Approvals,
                        biddingEndsAt = Unix(t.BiddingEndsAt), deadline = Unix(t.Deadline), resultPostedAt = Unix(t.ResultPostedAt),
                        drawClosesAt = Unix(t.DrawClosesAt), commitEndsAt = Unix(t.CommitEndsAt), revealEndsAt = Unix(t.RevealEndsAt),
                    });
                    return ExitCodes.Success;
                }

                output.WriteLine($"task       {t.TaskId}");
                output.WriteLine($"stage      {Stages(t.Stage)}");
                output.WriteLine($"status     {t.Status}");
                output.WriteLine($"requester  {t.Requester}");
                output.WriteLine($"bounty     {FormatAcc(t.Bounty)} ACC, fee {FormatAcc(t.Fee)} ACC");
                output.WriteLine($"needs      capabilities 0x{t.Capabilities:x}, task reputation >= {t.MinReputation}");
                output.WriteLine(t.Executor is { } e ? $"executor   agent {e} at {FormatAcc(t.Price)} ACC{(t.Status == MarketTaskStatus.Bidding ? " (best bid so far)" : "")}" : "executor   none yet");
                output.WriteLine($"committee  {t.Seats}/{t.CommitteeSize} seated, {t.Commits} committed, {t.Reveals} revealed, {t.Approvals} approve{(committee.Count > 0 ? $": {string.Join(", ", committee)}" : "")}");
                output.WriteLine($"bidding    until {Show(t.BiddingEndsAt)}");
                output.WriteLine($"deadline   {Show(t.Deadline)}{(t.ResultPostedAt is { } p ? $" (result posted {Show(p)})" : "")}");
                if (t.DrawClosesAt is not null)
                {
                    output.WriteLine($"review     draw until {Show(t.DrawClosesAt)}, commit until {Show(t.CommitEndsAt)}, reveal until {Show(t.RevealEndsAt)}");
                }

                return ExitCodes.Success;
            }, ct);
        });
        return command;
    }

    /// <summary>The five stages with the current one in brackets: "Submitted > [Routed] > Executed > Verifying > Settled".</summary>
    private static string Stages(TaskStage? current) =>
        string.Join(" > ", Enum.GetValues<TaskStage>().Select(s => s == current ? $"[{s}]" : s.ToString()));

    private static Command List(ChainConnection connection)
    {
        var state = new Option<string>("--state") { Description = "open (bidding, window not over; default), bidding, assigned, verifying, settled, accepted, rejected, refunded, inconclusive or all." };
        var requester = new Option<string>("--requester") { Description = "Only tasks of this requester (address)." };
        var limit = new Option<string>("--limit") { Description = $"At most this many tasks (default 20, at most {MaxLimit})." };
        var before = new Option<string>("--before") { Description = "Start below this task id (newest first; the previous page's 'next' value)." };
        var command = new Command("list", $"Tasks newest first, filtered by state and requester; looks at {MaxScan} task ids at most per call (continue with --before).")
        {
            state, requester, limit, before,
        };
        command.SetAction((parse, ct) =>
        {
            string wanted = (parse.GetValue(state) ?? "open").Trim().ToLowerInvariant();
            string[] states = ["open", "bidding", "assigned", "verifying", "settled", "accepted", "rejected", "refunded", "inconclusive", "all"];
            if (!states.Contains(wanted))
            {
                throw new CliInputException("--state", $"'{parse.GetValue(state)}' is not a state: use {string.Join(", ", states)}.");
            }

            string? from = parse.GetValue(requester) is { } r ? Address(r, "--requester") : null;
            int max = (int)SmallInteger(parse.GetValue(limit), "--limit", 20, 1, MaxLimit);
            BigInteger? below = parse.GetValue(before) is { } b ? Id(b, "--before", "task") : null;
            return connection.RunAsync(parse, "agentcluster task list", async (client, output, json) =>
            {
                BigInteger count = await RpcCancellation.RunAsync(() => client.Contracts.TaskMarket.TaskCountQueryAsync(), ct).ConfigureAwait(false);
                DateTimeOffset now = await client.Tasks.ChainTimeAsync(ct).ConfigureAwait(false);
                BigInteger id = below is { } top ? BigInteger.Min(top - 1, count) : count;
                var found = new List<TaskInfo>();
                int scanned = 0;
                for (; id >= 1 && found.Count < max && scanned < MaxScan; id--, scanned++)
                {
                    TaskInfo t = await client.Tasks.GetAsync(id, ct).ConfigureAwait(false);
                    if ((from is null || string.Equals(t.Requester, from, StringComparison.OrdinalIgnoreCase)) && Matches(t, wanted, now))
                    {
                        found.Add(t);
                    }
                }

                string? next = id >= 1 ? (id + 1).ToString() : null;
                if (json)
                {
                    ChainConnection.WriteJson(output, new
                    {
                        tasks = found.Select(t => new
                        {
                            taskId = t.TaskId.ToString(), status = t.Status.ToString(), stage = t.Stage?.ToString(), requester = t.Requester,
                            capabilities = t.Capabilities.ToString(), bounty = t.Bounty.ToString(), fee = t.Fee.ToString(),
                            executor = t.Executor?.ToString(), biddingEndsAt = Unix(t.BiddingEndsAt), deadline = Unix(t.Deadline),
                        }).ToArray(),
                        next,
                    });
                    return ExitCodes.Success;
                }

                if (found.Count == 0)
                {
                    output.WriteLine($"no {(wanted == "all" ? "" : wanted + " ")}tasks{(from is null ? "" : $" of {from}")}");
                }
                else
                {
                    output.WriteLine($"{"task",-8} {"stage",-10} {"status",-12} {"bounty (ACC)",-16} {"deadline",-20} requester");
                    foreach (TaskInfo t in found)
                    {
                        output.WriteLine($"{t.TaskId,-8} {t.Stage,-10} {t.Status,-12} {FormatAcc(t.Bounty),-16} {Show(t.Deadline),-20} {t.Requester}");
                    }
                }

                if (next is not null)
                {
                    output.WriteLine($"more: --before {next}");
                }

                return ExitCodes.Success;
            }, ct);
        });
        return command;
    }

    private static bool Matches(TaskInfo t, string state, DateTimeOffset now) => state switch
    {
        "all" => true,
        "open" => t.Status == MarketTaskStatus.Bidding && t.BiddingEndsAt > now,
        "settled" => t.Stage == TaskStage.Settled,
        _ => string.Equals(t.Status.ToString(), state, StringComparison.OrdinalIgnoreCase),
    };
}
