using System.Numerics;
using AgentCluster.Cli.Localnet;
using AgentCluster.Keepers.Indexing;
using AgentCluster.Sdk.Tasks;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>The live summary's figures (not its rendering): tasks by stage from the index, keeper lag, the plain line's fields.</summary>
public sealed class LocalnetSummaryTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);

    private static NetworkTask Task(int id, bool assigned = false, bool result = false, MarketTaskStatus? outcome = null) =>
        new(id, "0xr", 1, 1000, 10, T, 1, assigned ? 7 : null, [], outcome is { } o ? (byte)o : null,
            new TaskStages(T, assigned ? T : null, result ? T : null, null, outcome is null ? null : T));

    [Test]
    public void Stages_CountEachTaskOnce_ByItsLatestStage_AndSettledByOutcome()
    {
        TaskStageCounts c = TaskStageCounts.Of([
            Task(1), Task(2), Task(3, assigned: true), Task(4, assigned: true, result: true),
            Task(5, true, true, MarketTaskStatus.Accepted), Task(6, true, true, MarketTaskStatus.Accepted), Task(7, true, true, MarketTaskStatus.Rejected),
        ]);
        Assert.That(c, Is.EqualTo(new TaskStageCounts(Bidding: 2, Executing: 1, Verifying: 1, Accepted: 2, Rejected: 1, Other: 0)));
        Assert.That(c.Settled, Is.EqualTo(3));
    }

    [Test]
    public void PlainLine_KeepsTheFirstFields_AndSaysLagAlertsAndApproval()
    {
        var f = new SummaryFigures(120, 117, 3, 9, new TaskStageCounts(1, 2, 3, 2, 1, 0), 3, 1.5, 2.0 / 3, 4, 1, 2, "warning x", 9, 3,
            new Uri("http://127.0.0.1:8080/"));
        Assert.That(f.KeeperLag, Is.EqualTo(new BigInteger(3)));
        Assert.That(f.PlainLine(), Does.StartWith("[live] block 120 | round 3 | tasks on chain 9 (swarm: submitted 9, settled 3) | slashes 4, appeals 1 | dashboard http://127.0.0.1:8080/ |")
            .And.Contain("| stages bidding 1, executing 2, verifying 3, settled 3 (accepted 2, rejected 1, other 0) |")
            .And.Contain("| approval 67 % |").And.Contain("| keeper lag 3 blocks |").And.EndWith("| alerts 2"));
        Assert.That((f with { IndexedBlock = null }).PlainLine(), Does.Contain("| keeper lag - |"), "before the index's first pass");
    }
}
