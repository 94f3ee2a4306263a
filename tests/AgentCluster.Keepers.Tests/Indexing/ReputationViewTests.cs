using System.Numerics;
using AgentCluster.Keepers.Indexing;
using AgentCluster.Sdk.Reputation;
using Microsoft.Data.Sqlite;
using RepDef = AgentCluster.Evm.Bindings.Reputation.ContractDefinition;

namespace AgentCluster.Keepers.Tests.Indexing;

/// <summary>
/// The indexed, decay-applied reputation view against the Reputation contract on anvil: for every agent, the view at the chain's time
/// equals <c>getSummary</c> read at the same block, now and after 45 days, 200 days and 8 years (three eras: the rebase path); a past
/// time reads the value in force then; an index of the older schema is rebuilt by itself.
/// </summary>
public sealed class ReputationViewTests
{
    private IndexerWorld _world = null!;
    private string _dir = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _world = await IndexerWorld.StartAsync(cts.Token);
        _dir = Directory.CreateTempSubdirectory("reputation-view-").FullName;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task TheView_EqualsTheContract_NowAndAfterDecayOverDaysAndEras_AndReadsThePast()
    {
        using var indexer = new SuiteIndexer(_world.Suite.Web3, _world.Suite.Manifest, new SuiteIndexerOptions { DatabasePath = Path.Combine(_dir, "rep.db"), Confirmations = 0 });
        await IndexToHeadAsync(indexer);
        List<BigInteger> agents = [_world.AgentId, .. _world.Committee];
        DateTimeOffset start = await _world.ChainTimeAsync();
        Dictionary<BigInteger, IndexedReputation> before = await AssertViewEqualsContractAsync(indexer, agents, start);
        Assert.That(before.Values.Select(r => r.Compute), Has.All.GreaterThan(BigInteger.Zero), "attestation set the compute dimension of every agent");

        foreach (TimeSpan warp in new[] { TimeSpan.FromDays(45), TimeSpan.FromDays(200), TimeSpan.FromDays(8 * 365) })
        {
            await _world.WarpAsync(warp);
            await _world.MineAsync(1);
            await IndexToHeadAsync(indexer);
            Dictionary<BigInteger, IndexedReputation> now = await AssertViewEqualsContractAsync(indexer, agents, await _world.ChainTimeAsync());
            Assert.That(now[_world.AgentId].Compute, Is.LessThan(before[_world.AgentId].Compute), $"decayed after {warp}");
        }

        // The past: at the start time the view still reads what the contract read then (no later write to these agents).
        IndexedReputation past = await indexer.Reputation.ReputationAsync(_world.AgentId, start);
        Assert.That(past.Compute, Is.EqualTo(before[_world.AgentId].Compute));
        Assert.That((await indexer.Reputation.ReputationAsync(_world.AgentId, start.AddDays(-1))).Total, Is.EqualTo(BigInteger.Zero), "before the first change there is nothing");

        IReadOnlyList<IndexedReputationChange> history = await indexer.Reputation.ReputationHistoryAsync(_world.AgentId);
        Assert.That(history, Has.Count.EqualTo(1));
        Assert.That(history[0].Dimension, Is.EqualTo(ReputationDimension.Compute));
        Assert.That(history[0].Delta, Is.EqualTo(history[0].NewValue), "the first write adds its whole value");
        Assert.That(await indexer.Reputation.ReputationAsync(999_999, start), Has.Property(nameof(IndexedReputation.Total)).EqualTo(BigInteger.Zero));
        Assert.That(() => indexer.Reputation.ReputationAsync(0, start), Throws.InstanceOf<ArgumentOutOfRangeException>());

        // The same view opened read-only over the file, as the CLI and the dashboard do, without a node.
        ReputationView file = ReputationView.Open(Path.Combine(_dir, "rep.db"));
        Assert.That(await file.ReputationsAsync(start), Is.EqualTo(await indexer.Reputation.ReputationsAsync(start)));
        Assert.That(await file.LatestEventTimeAsync(), Is.Not.Null.And.GreaterThanOrEqualTo(start));
    }

    [Test]
    public void OpeningSomethingThatIsNotAnIndex_SaysWhat()
    {
        Assert.That(() => ReputationView.Open(Path.Combine(_dir, "missing.db")), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("No index at"));
        string text = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(text, "not a database");
        Assert.That(() => ReputationView.Open(text).LatestEventTimeAsync(), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("is not a keeper index"));
    }

    [Test]
    public async Task AnIndexOfTheOlderSchema_IsEmptiedAndRebuilt_AndThenHasTheReputationView()
    {
        string path = Path.Combine(_dir, "old.db");
        using (var first = new SuiteIndexer(_world.Suite.Web3, _world.Suite.Manifest, new SuiteIndexerOptions { DatabasePath = path, Confirmations = 0 }))
        {
            await IndexToHeadAsync(first);
        }

        // Make it look like a schema-1 index: no reputation rows and the old version number.
        await using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await db.OpenAsync();
            await using SqliteCommand cmd = db.CreateCommand();
            cmd.CommandText = "DELETE FROM reputation_changes; DELETE FROM block_times; UPDATE meta SET value = '1' WHERE key = 'schema';";
            await cmd.ExecuteNonQueryAsync();
        }

        var logger = new MessageLogger();
        using var reopened = new SuiteIndexer(_world.Suite.Web3, _world.Suite.Manifest, new SuiteIndexerOptions { DatabasePath = path, Confirmations = 0 }, logger);
        Assert.That(reopened.IndexedBlock, Is.Null, "emptied");
        Assert.That(logger.Messages, Has.Some.Contains("was built by schema 1; schema 2 stores more"));
        await IndexToHeadAsync(reopened);
        Assert.That((await reopened.Reputation.ReputationAsync(_world.AgentId, await _world.ChainTimeAsync())).Compute, Is.GreaterThan(BigInteger.Zero));
    }

    private async Task<Dictionary<BigInteger, IndexedReputation>> AssertViewEqualsContractAsync(SuiteIndexer indexer, List<BigInteger> agents, DateTimeOffset at)
    {
        IReadOnlyList<IndexedReputation> all = await indexer.Reputation.ReputationsAsync(at);
        Assert.That(all.Select(r => r.AgentId), Is.SupersetOf(agents));
        Assert.That(all.Select(r => r.Total), Is.Ordered.Descending, "highest total first");
        var byAgent = all.ToDictionary(r => r.AgentId);
        foreach (BigInteger agent in agents)
        {
            RepDef.GetSummaryOutputDTO onChain = await new AgentCluster.Evm.Bindings.Reputation.ReputationService(_world.Suite.Web3, _world.Suite.Manifest.AddressOf("Reputation")).GetSummaryQueryAsync(agent);
            IndexedReputation view = byAgent[agent];
            Assert.That(new[] { view.Task, view.Validator, view.Compute, view.Social, view.Total },
                Is.EqualTo(new[] { onChain.Task, onChain.Validator, onChain.Compute, onChain.Social, onChain.Total }), $"agent {agent} at {at}");
            Assert.That(await indexer.Reputation.ReputationAsync(agent, at), Is.EqualTo(view));
        }

        return byAgent;
    }

    private async Task IndexToHeadAsync(SuiteIndexer indexer)
    {
        ulong head = await _world.HeadAsync();
        for (int i = 0; i < 1_000 && !(indexer.IndexedBlock >= head); i++)
        {
            await indexer.IndexOnceAsync();
        }

        Assert.That(indexer.IndexedBlock, Is.GreaterThanOrEqualTo(head));
    }

    private sealed class MessageLogger : Microsoft.Extensions.Logging.ILogger<SuiteIndexer>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        public IEnumerable<string> Messages => _messages;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => _messages.Enqueue(formatter(state, exception));
    }
}
