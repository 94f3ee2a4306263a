using AgentCluster.Sdk;
using AgentCluster.Swarm;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>The swarm library refuses bad options before anything is sent, naming the option.</summary>
public sealed class SwarmOptionsTests
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
    public void ValidOptions_PassValidation() => Assert.DoesNotThrow(() => Valid().Validate());

    [TestCase(10, null, null, 0.1, "Agents")]
    [TestCase(1_001, null, null, 0.1, "Agents")]
    [TestCase(50, 0, null, 0.1, "Tasks")]
    [TestCase(50, null, 0, 0.1, "UntilSettled")]
    [TestCase(50, null, null, 0.5, "DishonestShare")]
    public void BadOption_IsRefused_NamingIt(int agents, int? tasks, int? untilSettled, double dishonest, string named)
    {
        SwarmOptions options = Valid() with { Agents = agents, Tasks = tasks, UntilSettled = untilSettled, DishonestShare = dishonest };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.That(e!.ParamName, Is.EqualTo(named));
    }

    [Test]
    public void StartAsync_RefusesBadOptions_BeforeConnecting()
    {
        // The node URL answers nothing: a refusal that names the option proves validation ran before any connection.
        SwarmOptions options = Valid() with { Agents = 3 };
        var e = Assert.ThrowsAsync<ArgumentException>(() => SwarmRunner.StartAsync(options));
        Assert.That(e!.Message, Does.Contain("agents must be 11..1000"));
    }
}
