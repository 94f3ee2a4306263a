using System.Numerics;
using System.Text.Json;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Reputation;
using AgentCluster.Testing;

namespace AgentCluster.Cli.Tests.Reputation;

/// <summary><c>agentcluster reputation</c> against anvil: the values are the contract's, now and at past day starts, in a table and as JSON.</summary>
public sealed class ReputationCommandTests : ChainTestBase
{
    private const int Owner = 5;
    private BigInteger _agentId;
    private string _agentKey = null!;

    protected override async Task SetUpChainAsync()
    {
        await Suite.FundAsync(AnvilAccounts.Addresses[Owner], 100_000 * Acc);
        await using AgentClusterClient client = await ClientAsync(Owner);
        AgentRegistration r = await client.Agents.RegisterAsync(AgentKey.Generate().Signer, "ipfs://rep.json", 0, new byte[32]);
        (_agentId, _agentKey) = (r.AgentId, r.AgentKey);
        await AttestAsync(client, _agentId); // sets the compute dimension from the benchmark
        await WarpAsync(TimeSpan.FromDays(2)); // so that yesterday's day start has the value, decayed
    }

    [Test]
    public async Task Reputation_now_and_at_past_day_starts_is_what_the_contract_says()
    {
        await using AgentClusterClient client = await ClientAsync(Owner);
        ReputationSummary now = await client.Reputation.GetAsync(_agentId);
        Assert.That(now.Compute, Is.GreaterThan(BigInteger.Zero), "the attestation set a compute reputation");
        DateTimeOffset chainNow = DateTimeOffset.FromUnixTimeSeconds((long)await ChainTimeAsync());

        JsonElement json = Json(Run(null, "reputation", _agentKey, "--days", "3", "--json"));
        Assert.That(json.GetProperty("agentId").GetString(), Is.EqualTo(_agentId.ToString()));
        Assert.That(json.GetProperty("now").GetProperty("compute").GetString(), Is.EqualTo(now.Compute.ToString()));
        Assert.That(json.GetProperty("now").GetProperty("total").GetString(), Is.EqualTo(now.Total.ToString()));
        JsonElement[] history = json.GetProperty("history").EnumerateArray().ToArray();
        Assert.That(history, Has.Length.EqualTo(3));
        for (int d = 1; d <= 3; d++)
        {
            DateTimeOffset at = chainNow - TimeSpan.FromDays(d);
            ReputationSummary then = await client.Reputation.GetSummaryAtAsync(_agentId, at);
            Assert.That(history[d - 1].GetProperty("dayStart").GetString(), Is.EqualTo(new DateTimeOffset(at.UtcDateTime.Date, TimeSpan.Zero).ToUnixTimeSeconds().ToString()));
            Assert.That(history[d - 1].GetProperty("values").GetProperty("compute").GetString(), Is.EqualTo(then.Compute.ToString()));
        }

        Assert.That(history[2].GetProperty("values").GetProperty("compute").GetString(), Is.EqualTo("0"), "three days back is before the attestation");
        Assert.That(json.GetProperty("network").GetProperty("compute").GetString(),
            Is.EqualTo((await client.Reputation.GetNetworkTotalAsync(ReputationDimension.Compute)).ToString()));

        string table = Ok(Run(null, "reputation", _agentId.ToString(), "--days", "1"));
        string[] lines = table.Split('\n');
        Assert.That(lines[0], Is.EqualTo($"agent {_agentId} (points; decayed on read with a 90-day half-life; past columns at each UTC day's start)"));
        Assert.That(lines[1], Does.Match($@"^dimension\s+now\s+{(chainNow - TimeSpan.FromDays(1)):yyyy-MM-dd}\s+network total$"));
        Assert.That(lines[4], Does.Match($@"^compute\s+{System.Text.RegularExpressions.Regex.Escape(Chain.ChainInput.FormatAcc(now.Compute))}\s"));
        Assert.That(lines[6], Does.StartWith("total"));
    }

    [TestCase(new[] { "--days", "8" }, "--days: 8 is out of range: 0..7 (the contract keeps 8 daily checkpoints).")]
    [TestCase(new[] { "--days", "-1" }, "--days: -1 is out of range: 0..7 (the contract keeps 8 daily checkpoints).")]
    [TestCase(new[] { "--days", "two" }, "--days: 'two' is not an integer (decimal digits, or 0x-hex).")]
    public void Bad_options_are_refused(string[] options, string message) =>
        AssertRefused(Run(null, ["reputation", _agentId.ToString(), .. options]), $"agentcluster reputation: {message}");

    [Test]
    public void A_missing_agent_is_a_usage_error() =>
        AssertRefused(Run(null, "reputation"), "agentcluster reputation: Required argument 'agent' missing for command: 'reputation'.", ExitCodes.Usage);
}
