using AgentCluster.Cli.Localnet;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary><c>localnet up --block-time S</c>: a bad value is refused naming the option before anything starts; a good one passes.</summary>
public sealed class LocalnetBlockTimeTests
{
    [TestCase("0", ExitCodes.BadInput)]
    [TestCase("-1", ExitCodes.BadInput)]
    [TestCase("61", ExitCodes.BadInput)]
    [TestCase("one", ExitCodes.Usage)] // not a number: a parse error
    public void Up_RefusesABadBlockTime_NamingIt_BeforeStartingAnything(string value, int exitCode)
    {
        string dir = Path.Combine(Path.GetTempPath(), "never-created-" + Guid.NewGuid().ToString("N"));
        CliResult r = Cli.Run("localnet", "up", "--block-time", value, "--dir", dir);
        Assert.That(r.ExitCode, Is.EqualTo(exitCode));
        Assert.That(r.Stderr, Does.Contain("--block-time"));
        Assert.That(r.Stdout, Is.Empty);
        Assert.That(Directory.Exists(dir), Is.False, "the state directory was not created");
        Assert.That(LocalnetCommand.ChildAnvils(), Is.Empty, "nothing was started");
    }

    [TestCase(1)]
    [TestCase(60)]
    public void Settings_AcceptTheBounds(int seconds) =>
        Assert.DoesNotThrow(() => new LocalnetSettings { BlockTime = seconds }.Validate());

    [Test]
    public void Settings_WithoutBlockTime_KeepAutomine() => Assert.That(new LocalnetSettings().BlockTime, Is.Null);

    [TestCase(0)]
    [TestCase(61)]
    public void Settings_RefuseOutOfRange_WithTheRangeInTheMessage(int seconds)
    {
        var e = Assert.Throws<CliInputException>(() => new LocalnetSettings { BlockTime = seconds }.Validate());
        Assert.That(e!.Message, Does.Contain("--block-time").And.Contain("1..60"));
    }
}
