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
        AssertRefused(Run(null, "reputation"), "agentcluster reputation: Required argument 'agent' missing for command: 'reputation' (or give --top N with --index).", ExitCodes.Usage);

    [Test]
    public async Task From_a_keepers_index_without_a_node_the_values_are_the_contracts_and_the_ranking_is_by_total()
    {
        string dir = Directory.CreateTempSubdirectory("cli-rep-index-").FullName;
        try
        {
            string db = Path.Combine(dir, "index.db");
            using (var indexer = new AgentCluster.Keepers.Indexing.SuiteIndexer(Suite.Web3, Suite.Manifest,
                new AgentCluster.Keepers.Indexing.SuiteIndexerOptions { DatabasePath = db, Confirmations = 0 }))
            {
                ulong head = (ulong)(await Suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
                for (int i = 0; i < 100 && !(indexer.IndexedBlock >= head); i++)
                {
                    await indexer.IndexOnceAsync();
                }

                Assert.That(indexer.IndexedBlock, Is.GreaterThanOrEqualTo(head), "indexed within the bound");
            }

            await using AgentClusterClient client = await ClientAsync(Owner);
            ReputationSummary now = await client.Reputation.GetAsync(_agentId);
            string chainNow = (await ChainTimeAsync()).ToString();
            JsonElement json = Json(Run(null, "reputation", _agentKey, "--index", db, "--at", chainNow, "--days", "10", "--json"));
            Assert.That(json.GetProperty("at").GetString(), Is.EqualTo(chainNow));
            Assert.That(json.GetProperty("now").GetProperty("compute").GetString(), Is.EqualTo(now.Compute.ToString()), "the index's decay is the contract's");
            Assert.That(json.GetProperty("now").GetProperty("total").GetString(), Is.EqualTo(now.Total.ToString()));
            Assert.That(json.GetProperty("history").GetArrayLength(), Is.EqualTo(10), "more than the contract's 7 days");

            JsonElement top = Json(Run(null, "reputation", "--top", "3", "--index", db, "--at", chainNow, "--json"));
            JsonElement[] agents = top.GetProperty("agents").EnumerateArray().ToArray();
            Assert.That(agents, Is.Not.Empty);
            Assert.That(agents.Select(a => BigInteger.Parse(a.GetProperty("values").GetProperty("total").GetString()!)), Is.Ordered.Descending);
            Assert.That(agents.Select(a => a.GetProperty("agentId").GetString()), Does.Contain(_agentId.ToString()));

            string table = Ok(Run(null, "reputation", "--top", "3", "--index", db));
            Assert.That(table, Does.StartWith("top ").And.Contain("agent").And.Contain(_agentId.ToString()));

            AssertRefused(Run(null, "reputation", _agentKey, "--index", Path.Combine(dir, "none.db")), $"agentcluster reputation: No index at '{Path.Combine(dir, "none.db")}': give the keeper's IndexDbPath.");
            AssertRefused(Run(null, "reputation", "--top", "0", "--index", db), "agentcluster reputation: --top: 0 is out of range: 1..1000.");
            AssertRefused(Run(null, "reputation", _agentKey, "--top", "3", "--index", db), "agentcluster reputation: --top: give an agent or --top, not both.");
            AssertRefused(Run(null, "reputation", _agentKey, "--index", db, "--days", "366"), "agentcluster reputation: --days: 366 is out of range: 0..365 (how far back the index is read).");
            AssertRefused(Run(null, "reputation", _agentKey, "--at", "+1d"), "agentcluster reputation: --at: needs --index (the chain answers for now and past day starts only).");
            AssertRefused(Run(null, "reputation", "--top", "3"), "agentcluster reputation: --top: needs --index (the ranking is read from a keeper's index).");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
