using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Cli.Localnet;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>
/// <c>agentcluster localnet up</c> in-process against a temporary directory: a real anvil child process, the suite deployed by
/// scripts/deploy, the keepers and the dashboard in-process, a 12-agent swarm until 5 tasks are settled.
/// </summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class LocalnetUpTests
{
    [Test]
    public async Task Up_TwelveAgents_UntilFiveSettled_ReportsConservedAcc_DashboardAnswers_AndLeavesNoAnvil()
    {
        string dir = Directory.CreateTempSubdirectory("agentcluster-localnet-").FullName;
        try
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderrBuffer = new StringBuilder();
            TextWriter stderr = TextWriter.Synchronized(new StringWriter(stderrBuffer) { NewLine = "\n" });
            Task<int> run = Task.Run(() => Program.Run(["localnet", "up", "--agents", "12", "--until-settled", "5", "--seed", "1", "--dashboard-port", "0",
                "--port", "0", "--dir", dir, "--json"], stdout, stderr, new StringReader("")));

            // While it runs: the dashboard it printed answers on 127.0.0.1.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            HttpStatusCode? answered = null;
            string? anvilPids = null;
            using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                while (answered is null && !run.IsCompleted && !waiting.IsCancellationRequested)
                {
                    string err;
                    lock (stderr)
                    {
                        err = stderrBuffer.ToString();
                    }

                    anvilPids ??= Regex.Match(err, @"\(pid ([0-9,]+)\)") is { Success: true } p ? p.Groups[1].Value : null;
                    if (Regex.Match(err, @"localnet: dashboard (http://127\.0\.0\.1:[0-9]+/)") is { Success: true } m)
                    {
                        answered = (await http.GetAsync(new Uri(m.Groups[1].Value), waiting.Token)).StatusCode;
                    }
                    else
                    {
                        await Task.Delay(200, waiting.Token);
                    }
                }
            }

            Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(3)));
            Assert.That(finished, Is.SameAs(run), "localnet up stopped by itself within 3 minutes");
            int code = await run;
            string log = stderrBuffer.ToString();
            TestContext.Out.WriteLine(log);
            Assert.That(code, Is.EqualTo(0), log);
            Assert.That(answered, Is.EqualTo(HttpStatusCode.OK), "the dashboard answered while the network ran");

            using JsonDocument report = JsonDocument.Parse(stdout.ToString());
            JsonElement r = report.RootElement;
            Assert.That(r.GetProperty("settled").GetInt32(), Is.GreaterThanOrEqualTo(5));
            JsonElement conservation = r.GetProperty("conservation");
            Assert.That(conservation.GetProperty("ok").GetBoolean(), Is.True);
            BigInteger supply = BigInteger.Parse(conservation.GetProperty("supplyAfterWei").GetString()!);
            Assert.That(BigInteger.Parse(conservation.GetProperty("sumOfHoldersWei").GetString()!), Is.EqualTo(supply), "holders add up to the supply");
            Assert.That(BigInteger.Parse(conservation.GetProperty("supplyBeforeWei").GetString()!) - BigInteger.Parse(r.GetProperty("burnedWei").GetString()!),
                Is.EqualTo(supply), "the supply fell by exactly the burns");
            Assert.That(BigInteger.Parse(r.GetProperty("slashes").GetString()!), Is.GreaterThan(BigInteger.Zero), "the lazy and dishonest agents were slashed");
            JsonElement governance = r.GetProperty("governance");
            Assert.That(governance.GetProperty("feeBpsAfter").GetInt32(), Is.EqualTo(governance.GetProperty("feeBpsBefore").GetInt32() + 100),
                "the fee proposal was voted and executed after the timelock, read back from the chain");
            Assert.That(r.GetProperty("appeals").GetInt32(), Is.EqualTo(1), "the first slash of the run was appealed by its agent's owner");
            LocalnetGovernanceAssertions.AppealDecidedByGovernance_AndSwarmVotesCounted(r);
            string[] functions = [.. r.GetProperty("gas").EnumerateArray().Select(g => g.GetProperty("function").GetString()!)];
            Assert.That(functions, Is.SupersetOf(new[] { "submitTask", "bid", "assign", "postResult", "drawCommittee", "commitVote", "revealVote", "settle", "appealSlash", "delegate", "castVoteWithReason", "execute" }),
                "gas is reported for every stage, keepers' included");

            Assert.That(anvilPids, Is.Not.Null, "the anvil child process was named");
            Assert.That(anvilPids!.Split(',').Select(int.Parse).Where(LocalnetCommand.IsRunning), Is.Empty, "no anvil left behind");
            Assert.That(LocalnetCommand.ChildAnvils(), Is.Empty, "no anvil child of this process");
            Assert.That(log, Does.Contain("localnet: stopped: swarm, keepers, dashboard, anvil"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The command as a process, stopped by SIGTERM mid-run (the same handler as Ctrl-C's SIGINT; a test host's child may have SIGINT
    /// ignored, as a shell's background job does): it stops in order, prints the report with conservation checked, exits 0, and its anvil
    /// is gone.
    /// </summary>
    [Test]
    public async Task Up_AsAProcess_StopsInOrderOnSigterm_PrintsTheReport_AndItsAnvilIsGone()
    {
        string dir = Directory.CreateTempSubdirectory("agentcluster-localnet-").FullName;
        try
        {
            using CliProcess up = CliProcess.Start(dir, "localnet", "up", "--agents", "11", "--seed", "2", "--dashboard-port", "0", "--port", "0", "--dir", dir,
                "--no-governance");
            Assert.That(await up.WaitForStderrAsync("round 1: 2 tasks submitted", TimeSpan.FromMinutes(2)), Is.True, $"the swarm started its first round: {up.Stderr}");
            await up.SignalAsync("-TERM");
            Assert.That(await up.WaitForExitAsync(TimeSpan.FromSeconds(90)), Is.True, $"it stopped within 90 s of SIGTERM: {up.Stderr}");
            string log = up.Stderr;
            string report = await up.Stdout;
            TestContext.Out.WriteLine(log + report);
            Assert.That(up.Process.ExitCode, Is.EqualTo(0), log);
            Assert.That(log, Does.Contain("localnet: stopping (signal received)").And.Contain("localnet: stopped: swarm, keepers, dashboard, anvil"));
            Assert.That(report, Does.Contain("ACC conservation   OK").And.Contain("governance         skipped (--no-governance)"));
            string pids = Regex.Match(log, @"\(pid ([0-9,]+)\)").Groups[1].Value;
            Assert.That(pids, Is.Not.Empty, "the anvil child process was named");
            Assert.That(pids.Split(',').Select(int.Parse).Where(LocalnetCommand.IsRunning), Is.Empty, "no anvil left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("--agents", "5", "--agents")]
    [TestCase("--agents", "1001", "--agents")]
    [TestCase("--until-settled", "0", "--until-settled")]
    [TestCase("--tasks", "0", "--tasks")]
    [TestCase("--dashboard-port", "70000", "--dashboard-port")]
    [TestCase("--port", "-1", "--port")]
    [TestCase("--chain", "cosmos", "--chain")]
    public void Up_RefusesABadOption_NamingIt_BeforeStartingAnything(string option, string value, string named)
    {
        CliResult r = Cli.Run("localnet", "up", option, value, "--dir", Path.Combine(Path.GetTempPath(), "never-created-" + Guid.NewGuid().ToString("N")));
        Assert.That(r.ExitCode, Is.Not.EqualTo(0));
        Assert.That(r.Stderr, Does.Contain(named));
        Assert.That(r.Stdout, Is.Empty);
        Assert.That(LocalnetCommand.ChildAnvils(), Is.Empty, "nothing was started");
    }
}
