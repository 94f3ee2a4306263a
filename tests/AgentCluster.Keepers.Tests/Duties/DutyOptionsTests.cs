using AgentCluster.Keepers.Hosting;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Tests.Duties;

/// <summary>The committee and settlement duties' settings: defaults, and each bad value refused naming its key (no node needed).</summary>
public sealed class DutyOptionsTests
{
    private const string KeyVariable = "AGENTCLUSTER_TEST_DUTY_OPTIONS_KEY";
    private string _manifest = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _manifest = Path.GetTempFileName();
        Environment.SetEnvironmentVariable(KeyVariable, new string('1', 64));
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        Environment.SetEnvironmentVariable(KeyVariable, null);
        File.Delete(_manifest);
    }

    private KeeperOptions Good() => new() { RpcUrl = "http://127.0.0.1:8545", ManifestPath = _manifest, PrivateKeyVariable = KeyVariable };

    [Test]
    public void Defaults_RunBothDuties_FiftyMembersPerTransaction_FeesReadHourly()
    {
        KeeperOptions o = Good();
        Assert.Multiple(() =>
        {
            Assert.That(o.Duties.Committee, Is.True);
            Assert.That(o.Duties.Settlement, Is.True);
            Assert.That(o.MembersPerSettlement, Is.EqualTo(50));
            Assert.That(o.FlushProtocolFeesEvery, Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(new KeeperOptionsValidator().Validate(null, o).Succeeded, Is.True);
        });
    }

    [TestCase(0, "AgentCluster:Keepers:MembersPerSettlement: 0 is outside 1 .. 100.")]
    [TestCase(101, "AgentCluster:Keepers:MembersPerSettlement: 101 is outside 1 .. 100.")]
    public void MembersPerSettlement_OutOfRange_IsRefused(int members, string expected)
    {
        KeeperOptions o = Good();
        o.MembersPerSettlement = members;
        ValidateOptionsResult result = new KeeperOptionsValidator().Validate(null, o);
        Assert.That(result.Failures, Is.EqualTo(new[] { expected }));
    }

    [TestCase("00:00:00.500", "AgentCluster:Keepers:FlushProtocolFeesEvery: 00:00:00.5000000 is outside 00:00:01 .. 7.00:00:00.")]
    [TestCase("8.00:00:00", "AgentCluster:Keepers:FlushProtocolFeesEvery: 8.00:00:00 is outside 00:00:01 .. 7.00:00:00.")]
    public void FlushProtocolFeesEvery_OutOfRange_IsRefused(string every, string expected)
    {
        KeeperOptions o = Good();
        o.FlushProtocolFeesEvery = TimeSpan.Parse(every, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(new KeeperOptionsValidator().Validate(null, o).Failures, Is.EqualTo(new[] { expected }));
    }
}
