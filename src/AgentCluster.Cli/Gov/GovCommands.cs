using System.CommandLine;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Cli.Chain;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Governance;

namespace AgentCluster.Cli.Gov;

/// <summary>
/// <c>agentcluster gov</c>: proposals from a file to execution. Every command connects through the SDK (which checks the node, the chain
/// id and the deployment first), says what it is about to do, and refuses what cannot succeed before sending anything.
/// </summary>
internal static class GovCommands
{
    public static Command Build(TextReader stdin)
    {
        var connection = new ChainConnection();
        var gov = new Command("gov", "Governance: propose from a file, vote, queue, execute, status, list.");
        foreach (Command c in new[] { Propose(connection, stdin), Delegate(connection), Vote(connection), Queue(connection, stdin, execute: false), Queue(connection, stdin, execute: true), Status(connection), List(connection) })
        {
            connection.AddTo(c);

            gov.Subcommands.Add(c);
        }

        return gov;
    }

    private static Command Propose(ChainConnection connection, TextReader stdin)
    {
        var file = new Option<string>("--file") { Description = "The proposal: JSON {description, calls: [{target, function, args, value}]}; @path, a path, or - for stdin.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Classify and show the proposal; send nothing." };
        var command = new Command("propose", "Sends a proposal after saying whether it will be critical (2/3 majority) or standard.") { file, dryRun };
        command.SetAction((parse, ct) => connection.RunAsync(parse, "agentcluster gov propose", async (client, output, json) =>
        {
            ProposalDraft draft = ProposalFile.Parse("--file", ReadFile(parse.GetRequiredValue(file), stdin), client.Manifest);
            bool critical = await client.Governance.IsCriticalAsync(draft, ct).ConfigureAwait(false);
            BigInteger id = await client.Governance.ProposalIdAsync(draft, ct).ConfigureAwait(false);
            if (!json)
            {
                output.WriteLine($"proposal {id}: {(critical ? "critical (needs 2/3 of the votes cast)" : "standard (simple majority)")}, {draft.Calls.Count} call(s)");
            }

            if (parse.GetValue(dryRun))
            {
                WriteJson(output, json, new { id = id.ToString(), critical, sent = false });
                return ExitCodes.Success;
            }

            ProposalSubmission sent = await client.Governance.ProposeAsync(draft, ct).ConfigureAwait(false);
            if (json)
            {
                WriteJson(output, true, new { id = sent.Id.ToString(), critical = sent.Critical, sent = true, transaction = sent.Receipt.TransactionHash });
            }
            else
            {
                output.WriteLine($"proposed in transaction {sent.Receipt.TransactionHash}");
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Delegate(ChainConnection connection)
    {
        var to = new Argument<string>("delegatee") { Description = "The address to delegate the signer's ACC votes to (the signer's own to vote with them)." };
        var command = new Command("delegate", "Delegates the signer's ACC votes (tokens count as votes only once delegated).") { to };
        command.SetAction((parse, ct) => connection.RunAsync(parse, "agentcluster gov delegate", async (client, output, json) =>
        {
            string delegatee = CliInput.Parse("<delegatee>", () => AgentCluster.Evm.Validation.EvmInput.ParseAddress(parse.GetRequiredValue(to)));
            var receipt = await client.Governance.DelegateAsync(delegatee, ct).ConfigureAwait(false);
            WriteResult(output, json, $"delegated the votes of {client.Address} to {delegatee} in transaction {receipt.TransactionHash}",
                new { from = client.Address, to = delegatee, transaction = receipt.TransactionHash });
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Vote(ChainConnection connection)
    {
        var id = new Argument<string>("proposal-id") { Description = "The proposal id (decimal or 0x-hex)." };
        var support = new Argument<string>("support") { Description = "for, against or abstain." };
        var reason = new Option<string>("--reason") { Description = "A reason recorded with the vote." };
        var command = new Command("vote", "Votes on an active proposal with the signer's delegated votes.") { id, support, reason };
        command.SetAction((parse, ct) => connection.RunAsync(parse, "agentcluster gov vote", async (client, output, json) =>
        {
            BigInteger proposal = CliInput.Integer(parse.GetRequiredValue(id), "<proposal-id>");
            VoteType type = parse.GetRequiredValue(support).ToLowerInvariant() switch
            {
                "for" => VoteType.For,
                "against" => VoteType.Against,
                "abstain" => VoteType.Abstain,
                string other => throw new CliInputException("<support>", $"'{other}' is not a vote: use for, against or abstain."),
            };
            var receipt = await client.Governance.VoteAsync(proposal, type, parse.GetValue(reason), ct).ConfigureAwait(false);
            WriteResult(output, json, $"voted {type.ToString().ToLowerInvariant()} on {proposal} in transaction {receipt.TransactionHash}",
                new { id = proposal.ToString(), support = type.ToString().ToLowerInvariant(), transaction = receipt.TransactionHash });
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Queue(ChainConnection connection, TextReader stdin, bool execute)
    {
        var file = new Option<string>("--file") { Description = "The same proposal file it was proposed from.", Required = true };
        string name = execute ? "execute" : "queue";
        var command = new Command(name, execute ? "Executes a queued proposal once its timelock delay has passed." : "Queues a succeeded proposal in the timelock.") { file };
        command.SetAction((parse, ct) => connection.RunAsync(parse, $"agentcluster gov {name}", async (client, output, json) =>
        {
            ProposalDraft draft = ProposalFile.Parse("--file", ReadFile(parse.GetRequiredValue(file), stdin), client.Manifest);
            BigInteger id = await client.Governance.ProposalIdAsync(draft, ct).ConfigureAwait(false);
            var receipt = execute
                ? await client.Governance.ExecuteAsync(draft, ct).ConfigureAwait(false)
                : await client.Governance.QueueAsync(draft, ct).ConfigureAwait(false);
            WriteResult(output, json, $"{(execute ? "executed" : "queued")} {id} in transaction {receipt.TransactionHash}",
                new { id = id.ToString(), transaction = receipt.TransactionHash });
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Status(ChainConnection connection)
    {
        var id = new Argument<string>("proposal-id") { Description = "The proposal id (decimal or 0x-hex)." };
        var command = new Command("status", "A proposal's state, classification, quorum, votes and schedule.") { id };
        command.SetAction((parse, ct) => connection.RunAsync(parse, "agentcluster gov status", async (client, output, json) =>
        {
            ProposalStatus s = await client.Governance.GetAsync(CliInput.Integer(parse.GetRequiredValue(id), "<proposal-id>"), ct).ConfigureAwait(false);
            if (json)
            {
                WriteJson(output, true, new
                {
                    id = s.Id.ToString(), state = s.State.ToString(), critical = s.Critical, quorum = s.Quorum?.ToString(),
                    forVotes = s.ForVotes.ToString(), againstVotes = s.AgainstVotes.ToString(), abstainVotes = s.AbstainVotes.ToString(),
                    voteStart = s.VoteStart.ToString(), voteEnd = s.VoteEnd.ToString(), eta = s.Eta.ToString(),
                });
            }
            else
            {
                output.WriteLine($"proposal  {s.Id}");
                output.WriteLine($"state     {s.State}{(s.Critical ? " (critical: 2/3)" : " (standard)")}");
                output.WriteLine($"votes     for {s.ForVotes}, against {s.AgainstVotes}, abstain {s.AbstainVotes} (wei of ACC); quorum {s.Quorum?.ToString() ?? "set when voting opens"}");
                output.WriteLine($"voting    {Time(s.VoteStart)} .. {Time(s.VoteEnd)}");
                if (s.Eta > 0)
                {
                    output.WriteLine($"executes  from {Time(s.Eta)}");
                }
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command List(ChainConnection connection)
    {
        var from = new Option<string>("--from-block") { Description = "The first block to look at (default: the deployment's)." };
        var command = new Command("list", "Every proposal of the deployment, with its state.") { from };
        command.SetAction((parse, ct) => connection.RunAsync(parse, "agentcluster gov list", async (client, output, json) =>
        {
            BigInteger? start = parse.GetValue(from) is { } text ? CliInput.Integer(text, "--from-block") : null;
            var rows = new List<(string Id, string State, string Description)>();
            foreach (var created in await client.Governance.ListAsync(start, ct).ConfigureAwait(false))
            {
                ProposalStatus s = await client.Governance.GetAsync(created.ProposalId, ct).ConfigureAwait(false);
                rows.Add((created.ProposalId.ToString(), s.State.ToString(), created.Description));
            }

            if (json)
            {
                WriteJson(output, true, rows.Select(r => new { id = r.Id, state = r.State, description = r.Description }));
            }
            else if (rows.Count == 0)
            {
                output.WriteLine("no proposals");
            }
            else
            {
                foreach (var r in rows)
                {
                    output.WriteLine($"{r.Id}  {r.State,-9}  {r.Description.Split('\n')[0]}");
                }
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static string ReadFile(string value, TextReader stdin) =>
        CliInput.ReadText("--file", value.StartsWith('@') || value == "-" ? value : "@" + value, stdin);

    private static string Time(BigInteger unix) => unix > 0 && unix < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds((long)unix).ToString("u") : unix.ToString();

    private static void WriteResult(TextWriter output, bool json, string text, object value) => ChainConnection.WriteResult(output, json, text, value);

    private static void WriteJson(TextWriter output, bool json, object value)
    {
        if (json)
        {
            ChainConnection.WriteJson(output, value);
        }
    }
}
