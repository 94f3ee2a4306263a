using System.Numerics;
using AgentCluster.Evm.Errors;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Reputation;
using AgentCluster.Sdk.Tests.Agents;
using AgentCluster.Testing;
using RepDef = AgentCluster.Evm.Bindings.Reputation.ContractDefinition;

namespace AgentCluster.Sdk.Tests.Reputation;

/// <summary>Reputation reads on anvil: decay as the contract applies it, past reads by day, the 8-day ring and its typed revert.</summary>
[Category("Anvil")]
public sealed class ReputationClientTests
{
    private const long Day = 86_400;
    private static readonly BigInteger Score = 122 * SdkTestChain.Acc; // the attestation helper's benchmark
    private AgentClusterSuite _suite = null!;
    private AgentClusterClient _owner = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var bound = SdkTestChain.Bound();
        _suite = await SdkTestChain.StartAsync();
        await SdkTestChain.FundAsync(_suite, 2, 30_000 * SdkTestChain.Acc, bound.Token);
        _owner = await SdkTestChain.ClientAsync(_suite, 2, bound.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }
    }

    [Test]
    [Order(1)] // first on this chain: the network total below is this agent's alone
    public async Task ComputeReputation_DecaysByHalfIn90Days_AndPastReadsGiveTheDayStartValue()
    {
        using var bound = SdkTestChain.Bound();
        (BigInteger agentId, _) = await SdkTestChain.RegisterAndAttestAsync(_suite, _owner, bound.Token);
        long attestedAt = (long)await SdkTestChain.BlockTimeAsync(_suite);
        ReputationSummary now = await _owner.Reputation.GetAsync(agentId, bound.Token);
        Assert.That(Near(now.Compute, Score, 1_000_000_000), Is.True, $"undecayed at the write: {now.Compute}");
        Assert.That(now[ReputationDimension.Compute], Is.EqualTo(now.Compute));
        Assert.That(await _owner.Reputation.GetAsync(agentId, ReputationDimension.Compute, bound.Token), Is.EqualTo(now.Compute));
        Assert.That(await _owner.Reputation.GetAsync(agentId, ReputationDimension.Task, bound.Token), Is.EqualTo(BigInteger.Zero));
        Assert.That(await _owner.Reputation.GetNetworkTotalAsync(ReputationDimension.Compute, bound.Token), Is.EqualTo(now.Compute),
            "the only agent with compute reputation on this chain");

        // A day's changes count from the next day: the value at the attestation's own day start is 0 (before the first write).
        Assert.That(await _owner.Reputation.GetAtAsync(agentId, ReputationDimension.Compute, DateTimeOffset.FromUnixTimeSeconds(attestedAt), bound.Token),
            Is.EqualTo(BigInteger.Zero));

        await SdkTestChain.IncreaseTimeAsync(_suite, TimeSpan.FromDays(90));
        ReputationSummary later = await _owner.Reputation.GetAsync(agentId, bound.Token);
        Assert.That(Near(later.Compute, Score / 2, 1_000_000), Is.True, $"90-day half-life: {later.Compute} vs {Score / 2}");
        Assert.That(later.Total, Is.EqualTo(later.Task + later.Validator + later.Compute + later.Social));

        // The next day's start (one day after the write's day) holds the value decayed to that day start; 6 days old: never pruned.
        long nextDay = attestedAt - attestedAt % Day + Day;
        BigInteger atNextDay = await _owner.Reputation.GetAtAsync(agentId, ReputationDimension.Compute, DateTimeOffset.FromUnixTimeSeconds(nextDay + 3600), bound.Token);
        Assert.That(atNextDay, Is.LessThanOrEqualTo(now.Compute).And.GreaterThan(Score * 99 / 100), "decayed over less than a day");
        ReputationSummary summaryAt = await _owner.Reputation.GetSummaryAtAsync(agentId, DateTimeOffset.FromUnixTimeSeconds(nextDay), bound.Token);
        Assert.That((summaryAt.Compute, summaryAt.Task, summaryAt.Total), Is.EqualTo((atNextDay, BigInteger.Zero, atNextDay)));
    }

    [Test]
    public async Task PastRead_OlderThanTheEightDayRing_RevertsReputationHistoryPruned_NamingAgentAndDay()
    {
        using var bound = SdkTestChain.Bound();
        (BigInteger agentId, _) = await SdkTestChain.RegisterAndAttestAsync(_suite, _owner, bound.Token);
        long firstDay = (long)await SdkTestChain.BlockTimeAsync(_suite);
        firstDay -= firstDay % Day;

        // A write on each of the next 9 days (re-attestations set compute reputation): 10 days with writes, the ring keeps 8.
        for (ulong nonce = 2; nonce <= 10; nonce++)
        {
            await SdkTestChain.IncreaseTimeAsync(_suite, TimeSpan.FromDays(1));
            await SdkTestChain.AttestAsync(_suite, _owner, agentId, nonce, bound.Token);
        }

        DateTimeOffset pruned = DateTimeOffset.FromUnixTimeSeconds(firstDay + Day + 60);
        var e = Assert.ThrowsAsync<ContractCustomErrorException<RepDef.ReputationHistoryPrunedError>>(
            () => _owner.Reputation.GetAtAsync(agentId, ReputationDimension.Compute, pruned, bound.Token))!;
        Assert.That((e.Error.AgentId, e.Error.DayStart), Is.EqualTo((agentId, new BigInteger(firstDay + Day))));

        // Less than 7 days old never reverts.
        long now = (long)await SdkTestChain.BlockTimeAsync(_suite);
        BigInteger recent = await _owner.Reputation.GetAtAsync(agentId, ReputationDimension.Compute, DateTimeOffset.FromUnixTimeSeconds(now - 6 * Day), bound.Token);
        Assert.That(recent, Is.GreaterThan(Score * 9 / 10));

        // The future reverts too, typed.
        var future = Assert.ThrowsAsync<ContractCustomErrorException<RepDef.ReputationFutureLookupError>>(
            () => _owner.Reputation.GetAtAsync(agentId, ReputationDimension.Task, DateTimeOffset.FromUnixTimeSeconds(now + 10 * Day), bound.Token))!;
        Assert.That(future.Error.Timepoint, Is.EqualTo(new BigInteger(now + 10 * Day)));
    }

    [Test]
    public async Task BadInput_UnknownAgentAndBadDimension_AreRefusedSayingWhat()
    {
        using var bound = SdkTestChain.Bound();
        BigInteger unknown = AgentsClient.AgentIdOf(SdkTestChain.NewKey().Address);
        Assert.That(Assert.ThrowsAsync<UnknownAgentException>(() => _owner.Reputation.GetAsync(unknown, bound.Token))!.AgentId, Is.EqualTo(unknown));
        Assert.That(Assert.ThrowsAsync<UnknownAgentException>(() => _owner.Reputation.GetAtAsync(unknown, ReputationDimension.Task, DateTimeOffset.UnixEpoch, bound.Token))!
            .AgentId, Is.EqualTo(unknown));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Reputation.GetAsync(unknown, (ReputationDimension)4, bound.Token))!.Message,
            Does.Contain("Task, Validator, Compute or Social"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Reputation.GetAsync(BigInteger.MinusOne, bound.Token))!.ParamName, Is.EqualTo("agentId"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => _owner.Reputation.GetSummaryAtAsync(unknown, DateTimeOffset.UnixEpoch.AddDays(-1), bound.Token))!.ParamName, Is.EqualTo("timepoint"));
    }

    private static bool Near(BigInteger actual, BigInteger expected, long relative) => BigInteger.Abs(actual - expected) <= expected / relative;
}
