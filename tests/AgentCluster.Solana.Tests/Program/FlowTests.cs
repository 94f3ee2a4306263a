using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using AgentCluster.Solana.Programs;

namespace AgentCluster.Solana.Tests.Program;

/// <summary>
/// The decoders and helpers against a real flow of the program in LiteSVM (program-oracle.mjs flow: register, attest, stake,
/// unstake, submit, bid, assign, result, seed, draw, claim, commit, reveal, settle, a slash and its appeal, a proposal and votes,
/// finalize, withdraw, exit): the raw bytes decode to program.mjs's values, the logs to its events, and stake-at, decay and
/// sortition give the program's own answers.
/// </summary>
public sealed class FlowTests
{
    private static readonly Dictionary<string, Func<byte[], object>> Decoders = new()
    {
        ["Config"] = d => ConfigAccount.Decode(d),
        ["Agent"] = d => AgentAccount.Decode(d),
        ["Attestor"] = d => AttestorAccount.Decode(d),
        ["Slasher"] = d => SlasherAccount.Decode(d),
        ["SlashRecord"] = d => SlashRecordAccount.Decode(d),
        ["Reputation"] = d => ReputationAccount.Decode(d),
        ["Proposal"] = d => ProposalAccount.Decode(d),
        ["Vote"] = d => VoteAccount.Decode(d),
        ["Task"] = d => TaskAccount.Decode(d),
    };

    private static JsonNode Flow => ProgramOracle.Flow;

    private static PublicKey ProgramId => new((string)Flow["program"]!);

    private static IEnumerable<JsonNode> Accounts(string kind) => Flow["accounts"]!.AsArray().Where(a => (string)a!["kind"]! == kind)!;

    private static byte[] Raw(JsonNode account) => Convert.FromHexString((string)account["data"]!);

    private static JsonNode AccountAt(string address) => Flow["accounts"]!.AsArray().Single(a => (string)a!["address"]! == address)!;

    [Test]
    public void Accounts_OfEveryKind_DecodeToProgramMjsValues()
    {
        Assert.That(Flow["accounts"]!.AsArray().Select(a => (string)a!["kind"]!).Distinct(), Is.EquivalentTo(Decoders.Keys), "the flow made every account kind");
        Assert.Multiple(() =>
        {
            foreach (JsonNode account in Flow["accounts"]!.AsArray()!)
            {
                string kind = (string)account["kind"]!;
                object decoded = Decoders[kind](Raw(account));
                Compare(account["decoded"]!, decoded, $"{kind} {account["address"]}");
            }
        });
    }

    [Test]
    public void Decoders_RefuseAnotherKindsData_AndBadSizes_WithFormatException()
    {
        var samples = Decoders.Keys.ToDictionary(k => k, k => Raw(Accounts(k).First()));
        Assert.Multiple(() =>
        {
            foreach ((string kind, byte[] data) in samples)
            {
                foreach ((string other, var decode) in Decoders.Where(d => d.Key != kind))
                {
                    var e = Assert.Throws<FormatException>(() => decode(data), $"{kind}'s data decoded as {other}");
                    Assert.That(e!.Message, Does.Contain(other), "the message names the account it expected");
                }

                Assert.Throws<FormatException>(() => Decoders[kind](data[..^1]), $"{kind} one byte short");
            }

            // a task whose committee is over 64 must carry the extension
            byte[] task = Accounts("Task").Select(Raw).First(d => d.Length == 10216).ToArray();
            task[5] = 70;
            Assert.That(Assert.Throws<FormatException>(() => TaskAccount.Decode(task))!.Message, Does.Contain("Members"));
            // a reserved task (discriminator 0, the extension's size) is not yet a task
            Assert.That(Assert.Throws<FormatException>(() => TaskAccount.Decode(new byte[5472]))!.Message, Does.Contain("Task"));
            // an agent whose checkpoint count claims more points than its tail holds
            byte[] agent = samples["Agent"].ToArray();
            agent[148] = 200;
            Assert.That(Assert.Throws<FormatException>(() => AgentAccount.Decode(agent))!.Message, Does.Contain("StakeHistory"));
            agent[148] = agent[149] = agent[150] = agent[151] = 0xff; // 2^32 - 1 points: refused before anything is allocated
            Assert.That(Assert.Throws<FormatException>(() => AgentAccount.Decode(agent))!.Message, Does.Contain("4294967295 elements"));
        });
    }

    [Test]
    public void Events_FromTheFlowsRealLogs_EqualProgramMjsEvents()
    {
        var seen = new HashSet<string>();
        int total = 0;
        Assert.Multiple(() =>
        {
            foreach (JsonNode tx in Flow["logs"]!.AsArray()!)
            {
                var lines = tx["lines"]!.AsArray().Select(l => (string)l!).ToList();
                var expected = tx["events"]!.AsArray();
                IReadOnlyList<AgentClusterEvent> events = AgentClusterEvents.Parse(lines, ProgramId);
                Assert.That(events.Select(e => e.GetType().Name), Is.EqualTo(expected.Select(e => (string)e!["name"]! + "Event")), string.Join("\n", lines));
                for (int i = 0; i < Math.Min(events.Count, expected.Count); i++)
                {
                    Compare(expected[i]!, events[i], $"{expected[i]!["name"]}", skip: "name");
                    seen.Add(events[i].GetType().Name);
                    total++;
                }
            }
        });
        TestContext.Out.WriteLine($"{total} events of {seen.Count} kinds: {string.Join(", ", seen.Order())}");
        Assert.That(seen, Has.Count.GreaterThanOrEqualTo(28), "the flow's events cover most kinds");
    }

    [Test]
    public void StakeAt_FromTheDecodedHistory_EqualsTheProgramsStakeAtAnswers()
    {
        var answers = Flow["stakeAt"]!.AsArray();
        Assert.That(answers, Has.Count.GreaterThan(20));
        Assert.That(answers.Select(a => (string)a!["stake"]!).Distinct().Count(), Is.GreaterThan(3), "the answers differ over time");
        Assert.Multiple(() =>
        {
            foreach (JsonNode a in answers!)
            {
                AgentAccount agent = AgentAccount.Decode(Raw(AccountAt((string)a!["agent"]!)));
                long time = long.Parse((string)a["time"]!, CultureInfo.InvariantCulture);
                Assert.That(agent.StakeAt(time).ToString(CultureInfo.InvariantCulture), Is.EqualTo((string)a["stake"]!), $"stake of {agent.AgentKey} at {time}");
            }
        });
    }

    [Test]
    public void ReputationDecay_OfTheDecodedAccount_EqualsTheProgramsReputationOfAnswers()
    {
        var answers = Flow["reputationOf"]!.AsArray();
        int decayed = 0;
        Assert.Multiple(() =>
        {
            foreach (JsonNode a in answers!)
            {
                ReputationAccount reputation = ReputationAccount.Decode(Raw(AccountAt((string)a!["reputation"]!)));
                var dimension = (ReputationDimension)(int)a["dimension"]!;
                long now = long.Parse((string)a["now"]!, CultureInfo.InvariantCulture);
                ulong value = reputation.ReputationAt(dimension, now);
                Assert.That(value.ToString(CultureInfo.InvariantCulture), Is.EqualTo((string)a["value"]!), $"{reputation.AgentKey} {dimension}");
                if (value > 0 && value < reputation.Dimensions[(int)dimension].Value)
                {
                    decayed++;
                }
            }
        });
        Assert.That(decayed, Is.GreaterThan(0), "some answer is a decayed nonzero value (37 days after it was stored)");
    }

    [Test]
    public void Sortition_KeysEqualEverySeatsIncludingTheExtension_AndTheBestKeysAreTheCommitteeTheProgramAccepted()
    {
        var tasks = Accounts("Task").Select(a => TaskAccount.Decode(Raw(a))).ToList();
        Assert.That(tasks.Max(t => t.CommitteeSize), Is.GreaterThan(AgentClusterProgram.InlineSeats), "a committee reaches into the extension");
        var agents = Accounts("Agent").Select(a => AgentAccount.Decode(Raw(a))).ToDictionary(a => a.AgentKey);
        Assert.Multiple(() =>
        {
            foreach (TaskAccount t in tasks)
            {
                Assert.That(t.Members, Has.Count.EqualTo(t.CommitteeSize));
                Assert.That(t.Members.Count(s => s.State != SeatState.Empty), Is.EqualTo(t.Seats));
                foreach ((TaskSeat seat, int i) in t.Members.Select((s, i) => (s, i)))
                {
                    Assert.That(AgentClusterMath.SortitionNegLog2U(t.Seed, seat.AgentKey), Is.EqualTo(seat.NegLog2U), $"-log2(u) of seat {i}");
                    Assert.That(t.MemberAgents[i], Is.EqualTo(AgentClusterProgram.AgentAddress(ProgramId, seat.AgentKey)), $"seat {i}'s agent account");
                    if (agents.TryGetValue(seat.AgentKey, out AgentAccount? agent))
                    {
                        Assert.That(agent.StakeAt(t.ResultPostedAt - 1), Is.EqualTo(seat.Weight), "the weight is the stake at the snapshot");
                    }
                }
            }
        });

        TaskAccount task = TaskAccount.Decode(Raw(AccountAt((string)Flow["committee"]!["task"]!)));
        long snapshot = task.ResultPostedAt - 1;
        var candidates = Flow["committee"]!["candidates"]!.AsArray()
            .Select(c => (Key: new PublicKey((string)c!["agentKey"]!), Agent: AgentAccount.Decode(Raw(AccountAt((string)c["agent"]!))))).ToList();
        var chosen = AgentClusterMath.Sortition(task.Seed, candidates.Select(c => (c.Key, c.Agent.StakeAt(snapshot))), task.CommitteeSize);
        Assert.That(chosen.Select(c => c.AgentKey.Key), Is.EquivalentTo(task.Members.Select(s => s.AgentKey.Key)),
            $"claims: {Flow["claims"]!.ToJsonString()}");
    }

    /// <summary>Compares program.mjs's normalized values (decimal text, hex bytes, base58 keys) with a decoded object's properties.</summary>
    private static void Compare(JsonNode expected, object? actual, string path, string? skip = null)
    {
        switch (expected)
        {
            case JsonObject obj:
                foreach ((string key, JsonNode? value) in obj)
                {
                    if (key == skip)
                    {
                        continue;
                    }

                    string name = key switch
                    {
                        "vote" when actual is VoteRevealedEvent => "Approve",
                        _ => char.ToUpperInvariant(key[0]) + key[1..],
                    };
                    PropertyInfo? property = actual!.GetType().GetProperty(name);
                    if (property is null)
                    {
                        Assert.Fail($"{path}: {actual.GetType().Name} has no {name}");
                        continue;
                    }

                    Compare(value!, property.GetValue(actual), $"{path}.{name}");
                }

                break;
            case JsonArray array:
                var items = ((IEnumerable)actual!).Cast<object?>().ToList();
                Assert.That(items, Has.Count.EqualTo(array.Count), $"{path}: count");
                for (int i = 0; i < Math.Min(items.Count, array.Count); i++)
                {
                    Compare(array[i]!, items[i], $"{path}[{i}]");
                }

                break;
            default:
                string text = (string)expected!;
                Assert.That(Normalize(actual, text), Is.EqualTo(text), path);
                break;
        }
    }

    private static string Normalize(object? value, string expected) => value switch
    {
        PublicKey k => k.Key,
        byte[] b when b.Length == 32 && expected.Length != 64 => new PublicKey(b).Key, // program.mjs reads some 32-byte fields as keys
        byte[] b => Convert.ToHexString(b).ToLowerInvariant(),
        bool b => b ? "1" : "0",
        Enum e => Convert.ToInt64(e, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };
}
