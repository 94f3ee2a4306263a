using System.Numerics;
using System.Text.Json;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Governance;
using AgentCluster.Swarm;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>
/// What the closing report of a governed run must show (used by LocalnetUpTests' in-process run, which runs the network once for both):
/// the run's appeal decided on chain by governance as the slashed agent's behaviour warrants, both proposals executed, and the swarm's
/// own votes inside the governor's tallies.
/// </summary>
internal static class LocalnetGovernanceAssertions
{
    public static void AppealDecidedByGovernance_AndSwarmVotesCounted(JsonElement report)
    {
        // The appeal: its decision is Staking's event read from the chain; the behaviour is the swarm's (it drives the agent).
        JsonElement[] appeals = [.. report.GetProperty("appealDecisions").EnumerateArray()];
        Assert.That(appeals, Has.Length.EqualTo(1), "one appeal, with its decision");
        JsonElement appeal = appeals[0];
        string behaviour = appeal.GetProperty("behaviour").GetString()!;
        Assert.That(behaviour, Is.AnyOf("Honest", "Dishonest", "Silent", "Unrevealed"), "the appellant is one of the swarm's agents");
        string expected = behaviour == "Honest" ? "SlashReversed" : "AppealDismissed";
        Assert.That(appeal.GetProperty("decision").GetString(), Is.EqualTo(expected),
            $"governance decided the appeal of a {behaviour} agent on chain ({expected}), not left it pending");
        Assert.That(appeal.GetProperty("proposed").GetString(), Is.EqualTo(behaviour == "Honest" ? "ReverseSlash" : "DismissAppeal"));

        // Both proposals ran through the timelock in the same governance round.
        JsonElement[] proposals = [.. report.GetProperty("proposals").EnumerateArray()];
        Assert.That(proposals.Select(p => p.GetProperty("state").GetString()), Is.EqualTo(new[] { "Executed", "Executed" }), "the fee and the appeal proposals were executed");
        JsonElement fee = proposals.Single(p => p.GetProperty("description").GetString()!.Contains("fee", StringComparison.Ordinal));
        string slashId = appeal.GetProperty("slashId").GetString()!;
        JsonElement decision = proposals.Single(p => p.GetProperty("description").GetString()!.Contains($"slash {slashId} ", StringComparison.Ordinal));

        foreach (JsonElement p in proposals)
        {
            JsonElement[] votes = [.. p.GetProperty("votesCast").EnumerateArray()];
            BigInteger Sum(string support, bool? swarm = null) => votes
                .Where(v => v.GetProperty("support").GetString() == support && (swarm is null || v.GetProperty("swarm").GetBoolean() == swarm))
                .Aggregate(BigInteger.Zero, (s, v) => s + BigInteger.Parse(v.GetProperty("weightWei").GetString()!));
            BigInteger Tally(string name) => BigInteger.Parse(p.GetProperty(name).GetString()!);

            // The governor's tallies are exactly the votes cast (VoteCast events), the swarm's included.
            Assert.That(Tally("forVotesWei"), Is.EqualTo(Sum("For")), "for: the governor counted every vote cast");
            Assert.That(Tally("againstVotesWei"), Is.EqualTo(Sum("Against")), "against: the governor counted every vote cast");
            Assert.That(Tally("abstainVotesWei"), Is.EqualTo(Sum("Abstain")), "abstain: the governor counted every vote cast");
            Assert.That(Sum("For", swarm: true), Is.GreaterThan(BigInteger.Zero), "the honest owners voted for, with weight");
            Assert.That(Tally("forVotesWei"), Is.GreaterThan(Sum("For", swarm: true)), "the deployer's votes (the quorum floor) are in the tally beside the swarm's");
            Assert.That(Sum("Against", swarm: false) + Sum("Abstain", swarm: false), Is.EqualTo(BigInteger.Zero), "only the swarm voted against or abstained");
            Assert.That(p.GetProperty("swarmVotes").GetInt32(), Is.EqualTo(p.GetProperty("votes").GetInt32() - 1), "every vote but the deployer's was the swarm's");
            Assert.That(votes.Where(v => v.GetProperty("swarm").GetBoolean()).Select(v => v.GetProperty("reason").GetString()), Has.All.Not.Empty, "every swarm vote gives a reason");
        }

        // Requesters pay the fee (against it) and are no party to the review (abstain on the appeal); the dishonest owners vote against.
        Assert.That(BigInteger.Parse(fee.GetProperty("swarmAgainstWei").GetString()!), Is.GreaterThan(BigInteger.Zero), "the requesters voted against the fee");
        Assert.That(BigInteger.Parse(decision.GetProperty("swarmAbstainWei").GetString()!), Is.GreaterThan(BigInteger.Zero), "the requesters abstained on the appeal");
        Assert.That(BigInteger.Parse(decision.GetProperty("swarmAgainstWei").GetString()!), Is.GreaterThan(BigInteger.Zero), "the dishonest owner voted against the decision");
    }
}

/// <summary>
/// The swarm's governance rules (the end-to-end run sees a lazy or dishonest appellant; an honest agent is never slashed with the shares
/// the swarm allows, so the reverse path is covered here).
/// </summary>
public sealed class SwarmVotingTests
{
    [TestCase(Behaviour.Honest, AppealDecision.ReverseSlash)]
    [TestCase(Behaviour.Dishonest, AppealDecision.DismissAppeal)]
    [TestCase(Behaviour.Silent, AppealDecision.DismissAppeal)]
    [TestCase(Behaviour.Unrevealed, AppealDecision.DismissAppeal)]
    public void Judge_DecidesByTheSlashedAgentsBehaviour_SayingWhy(Behaviour slashed, AppealDecision expected)
    {
        (AppealDecision decision, string why) = SwarmVoting.Judge(slashed);
        Assert.That(decision, Is.EqualTo(expected));
        Assert.That(why, Does.Contain(slashed == Behaviour.Honest ? "reverse" : "dismiss the appeal"));
    }

    [TestCase(Behaviour.Honest, false, VoteType.For)]
    [TestCase(Behaviour.Honest, true, VoteType.For)]
    [TestCase(Behaviour.Dishonest, false, VoteType.Against)]
    [TestCase(Behaviour.Dishonest, true, VoteType.Against)]
    [TestCase(null, false, VoteType.Against)]
    [TestCase(null, true, VoteType.Abstain)]
    public void VoteOf_VotesByBehaviour_WithAReason(Behaviour? owner, bool onAppeal, VoteType expected)
    {
        (VoteType Vote, string Reason)? vote = SwarmVoting.VoteOf(owner, onAppeal, "the slash was a mistake, reverse it");
        Assert.That(vote, Is.Not.Null);
        Assert.That(vote!.Value.Vote, Is.EqualTo(expected));
        Assert.That(vote.Value.Reason, Is.Not.Empty);
    }

    [TestCase(Behaviour.Silent)]
    [TestCase(Behaviour.Unrevealed)]
    public void VoteOf_LazyOwners_DoNotVote(Behaviour owner)
    {
        Assert.That(SwarmVoting.VoteOf(owner, onAppeal: false, null), Is.Null);
        Assert.That(SwarmVoting.VoteOf(owner, onAppeal: true, "x"), Is.Null);
    }
}

/// <summary>The swarm's governance options are refused when incomplete, naming them, before anything is sent.</summary>
public sealed class SwarmGovernanceOptionsTests
{
    private static SwarmOptions Valid() => new()
    {
        RpcUrl = new Uri("http://127.0.0.1:1"),
        ChainId = 31337,
        Manifest = DeploymentManifest.Parse("""{"chainId":31337,"block":1,"deployer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","contracts":{"AccToken":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}}"""),
        AttestorPrivateKey = "0x" + new string('1', 64),
        FundAsync = (_, _, _) => Task.CompletedTask,
        WorkDirectory = Path.GetTempPath(),
    };

    [Test]
    public void WithoutASigningDeployer_IsRefused_NamingIt()
    {
        SwarmOptions options = Valid() with
        {
            Governance = new SwarmGovernanceOptions { Deployer = null!, ReleaseEmissionsAsync = (_, _) => Task.FromResult(BigInteger.Zero) },
        };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.That(e!.ParamName, Is.EqualTo(nameof(SwarmOptions.Governance)));
        Assert.That(e.Message, Does.Contain("Deployer must be a client that signs"));
    }

    [Test]
    public void WithoutReleaseOfEmissions_IsRefused_NamingIt()
    {
        SwarmOptions options = Valid() with { Governance = new SwarmGovernanceOptions { Deployer = null!, ReleaseEmissionsAsync = null! } };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.That(e!.ParamName, Is.EqualTo(nameof(SwarmOptions.Governance)));
        Assert.That(e.Message, Does.Contain("ReleaseEmissionsAsync is required"));
    }
}
