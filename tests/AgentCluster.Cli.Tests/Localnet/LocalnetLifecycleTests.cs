using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Cli.Localnet;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>
/// The localnet's lifecycle (docs/localnet.md, "As built: lifecycle"): a stopped network is resumed (same chain, no deploy, agents not
/// registered again, conservation exact from genesis) or started fresh; a resume that cannot be is refused before anything starts;
/// an anvil left behind by a killed command is stopped by the next <c>up</c>.
/// </summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class LocalnetLifecycleTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("agentcluster-localnet-life-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Up_Stopped_ThenResume_ContinuesTheSameChain_ThenFresh_StartsOver()
    {
        string[] common = ["--agents", "11", "--seed", "3", "--dashboard-port", "0", "--port", "0", "--dir", _dir, "--no-governance", "--json"];
        (int code1, JsonElement first, string log1) = await UpAsync([.. common, "--until-settled", "2"]);
        Assert.That(code1, Is.EqualTo(0), log1);
        Assert.That(Mode(first), Is.EqualTo("fresh"));
        Assert.That(log1, Does.Contain("chain saved to " + Path.Combine(_dir, "anvil-state.json")));
        Assert.That(File.Exists(Path.Combine(_dir, "anvil-state.json")), Is.True, "anvil wrote its chain at stop");
        Assert.That(File.Exists(Path.Combine(_dir, "anvil.pid")), Is.False, "a clean stop forgets the pid");
        Assert.That(Regex.IsMatch(log1, @"localnet: \[live\] block [0-9]+ \| round [0-9]+ \| tasks on chain [0-9]+ .* \| stages bidding [0-9]+, executing [0-9]+, verifying [0-9]+, settled [0-9]+ .* \| keeper lag ([0-9]+ blocks|-) \| alerts [0-9]+"),
            Is.True, "stderr is not a terminal: the live summary is plain lines with the stages, keeper lag and alerts");

        (int code2, JsonElement second, string log2) = await UpAsync([.. common, "--until-settled", "2", "--resume"]);
        Assert.That(code2, Is.EqualTo(0), log2);
        Assert.That(log2, Does.Contain("from the saved chain").And.Not.Contain("deploying the suite"), "no deploy on resume");
        Assert.That(Mode(second), Is.EqualTo("resumed"));
        Assert.That(Block(second, "from"), Is.GreaterThanOrEqualTo(Block(first, "to")), "the block number continues");
        Assert.That(TaskId(second, "firstTask"), Is.EqualTo(TaskId(first, "lastTask") + 1), "the task count continues");
        JsonElement network = second.GetProperty("network");
        Assert.That(network.GetProperty("agentsRegisteredBefore").GetInt32(), Is.EqualTo(11), "the old agents are found on the chain");
        Assert.That(network.GetProperty("agentsRegisteredNow").GetInt32(), Is.EqualTo(0), "and not registered again");
        Assert.That(second.GetProperty("settled").GetInt32(), Is.GreaterThanOrEqualTo(2), "the resumed network settles tasks");
        AssertConserved(second);

        (int code3, JsonElement third, string log3) = await UpAsync([.. common, "--until-settled", "2", "--fresh"]);
        Assert.That(code3, Is.EqualTo(0), log3);
        Assert.That(log3, Does.Contain("--fresh: the saved network").And.Contain("deploying the suite"));
        Assert.That(Mode(third), Is.EqualTo("fresh"));
        Assert.That(TaskId(third, "firstTask"), Is.EqualTo(BigInteger.One), "a fresh chain's first task is task 1");
        Assert.That(Block(third, "from"), Is.LessThan(Block(second, "to")), "a fresh chain starts over");
        Assert.That(third.GetProperty("network").GetProperty("agentsRegisteredNow").GetInt32(), Is.EqualTo(11));
        AssertConserved(third);

        // Two fresh runs of one seed: the same clock at genesis, agents (keys, behaviours, clusters, vectors) and tasks.
        JsonElement a = first.GetProperty("reproducible"), c = third.GetProperty("reproducible");
        Assert.That(a.GetProperty("genesisTimestamp").GetInt64(), Is.EqualTo(LocalnetCommand.GenesisTimestamp).And.EqualTo(c.GetProperty("genesisTimestamp").GetInt64()));
        Assert.That(c.GetProperty("agents").GetString(), Is.EqualTo(a.GetProperty("agents").GetString()), "the same agents");
        Assert.That(c.GetProperty("tasks").GetString(), Is.EqualTo(a.GetProperty("tasks").GetString()), "the same tasks");
        string key = Nethereum.Hex.HexConvertors.Extensions.HexByteConvertorExtensions.ToHex(
            Nethereum.Util.Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes("agentcluster-swarm/3/agent/0")));
        Assert.That(a.GetProperty("firstAgent").GetString(),
            Is.EqualTo(AgentCluster.Sdk.Agents.AgentsClient.AgentIdOf(new Nethereum.Signer.EthECKey(key).GetPublicAddress()).ToString(CultureInfo.InvariantCulture)),
            "agent 0's key derives from the seed");
        Assert.That(second.GetProperty("reproducible").GetProperty("agents").GetString(), Is.EqualTo(a.GetProperty("agents").GetString()),
            "the resumed run has the same agents");
    }

    [Test]
    public void Resume_WithNothingSaved_IsRefused_NamingIt_BeforeStartingAnything()
    {
        CliResult r = Cli.Run("localnet", "up", "--resume", "--dir", _dir);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(r.Stderr, Does.Contain("--resume").And.Contain("nothing to resume"));
        Assert.That(LocalnetCommand.ChildAnvils(), Is.Empty, "nothing was started");
    }

    [Test]
    public void FreshAndResume_Together_AreRefused()
    {
        CliResult r = Cli.Run("localnet", "up", "--resume", "--fresh", "--dir", _dir);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(r.Stderr, Does.Contain("--fresh and --resume cannot be given together"));
    }

    /// <summary>The saved run's record says seed 3 and 11 agents: another seed or size is refused naming the option.</summary>
    [TestCase("--seed", "4", "--seed")]
    [TestCase("--agents", "12", "--agents")]
    public void Resume_OfAnotherSeedOrSize_IsRefused_NamingIt(string option, string value, string named)
    {
        File.WriteAllText(Path.Combine(_dir, "anvil-state.json"), "{}");
        File.WriteAllText(Path.Combine(_dir, "manifest.json"), "{}");
        File.WriteAllText(Path.Combine(_dir, "localnet.json"), """{"Seed":3,"Agents":11,"ChainId":31337,"Created":"2026-01-01T00:00:00+00:00"}""");
        CliResult r = Cli.Run("localnet", "up", "--resume", option, value, "--dir", _dir);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(r.Stderr, Does.Contain(named).And.Contain("start over with --fresh"));
        Assert.That(File.Exists(Path.Combine(_dir, "anvil-state.json")), Is.True, "nothing was deleted");
        Assert.That(LocalnetCommand.ChildAnvils(), Is.Empty, "nothing was started");
    }

    /// <summary>
    /// The command as a process, killed with SIGKILL once its swarm runs: its anvil is orphaned (checked: still running). The next
    /// <c>up --resume</c> stops that anvil first (SIGTERM: it writes its chain), says so, and continues the chain the killed run left.
    /// </summary>
    [Test]
    public async Task Up_KilledWithSigkill_LeavesAnvil_TheNextUpStopsIt_AndResumesItsChain()
    {
        int orphan;
        using (CliProcess up = CliProcess.Start(_dir, "localnet", "up", "--agents", "11", "--seed", "5", "--dashboard-port", "0", "--port", "0", "--dir", _dir, "--no-governance"))
        {
            Assert.That(await up.WaitForStderrAsync("round 1: 2 tasks submitted", TimeSpan.FromMinutes(2)), Is.True, $"the swarm started its first round: {up.Stderr}");
            await up.SignalAsync("-KILL"); // SIGKILL of the command only, as `kill -9` does
            Assert.That(await up.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True, "the killed command exited");
            orphan = int.Parse(Regex.Match(up.Stderr, @"\(pid ([0-9]+)\)").Groups[1].Value, CultureInfo.InvariantCulture);
        }

        try
        {
            Assert.That(LocalnetCommand.IsRunning(orphan), Is.True, "the killed command's anvil was left running (what the next up must clean)");
            (int code, JsonElement report, string log2) = await UpAsync(["--resume", "--until-settled", "1", "--dashboard-port", "0", "--port", "0", "--dir", _dir,
                "--no-governance", "--json"]);
            Assert.That(code, Is.EqualTo(0), log2);
            Assert.That(log2, Does.Contain($"stopped an anvil left running by an earlier up on {_dir} (pid {orphan}; its chain saved)"));
            Assert.That(LocalnetCommand.IsRunning(orphan), Is.False, "the orphan is gone");
            Assert.That(Mode(report), Is.EqualTo("resumed"));
            Assert.That(TaskId(report, "firstTask"), Is.GreaterThan(new BigInteger(2)), "the killed run's tasks are on the resumed chain");
            Assert.That(report.GetProperty("network").GetProperty("agentsRegisteredBefore").GetInt32(), Is.EqualTo(11));
            AssertConserved(report);
        }
        finally
        {
            if (LocalnetCommand.IsRunning(orphan))
            {
                Process.GetProcessById(orphan).Kill();
            }
        }
    }

    /// <summary>
    /// On a terminal (util-linux <c>script</c> gives the command a pseudo-terminal) a second <c>up</c> with neither --fresh nor --resume
    /// asks, asks again after an unclear answer, and resumes on Enter; the live summary is then Spectre's panel, not plain lines.
    /// </summary>
    [Test]
    public async Task Up_OnATerminal_AsksWhetherToResume_EnterResumes_AndTheLiveScreenIsDrawn()
    {
        string? script = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "script")).FirstOrDefault(File.Exists);
        if (script is null)
        {
            Assert.Ignore("util-linux `script` is not installed: no pseudo-terminal to run the command on");
        }

        (int code1, _, string log1) = await UpAsync(["--agents", "11", "--seed", "6", "--until-settled", "1", "--dashboard-port", "0", "--port", "0", "--dir", _dir, "--no-governance", "--json"]);
        Assert.That(code1, Is.EqualTo(0), log1);

        string dll = Path.Combine(AppContext.BaseDirectory, "agentcluster.dll");
        string typescript = Path.Combine(_dir, "typescript.log");
        string command = $"stty cols 120 rows 40; exec dotnet '{dll}' localnet up --until-settled 1 --dashboard-port 0 --port 0 --dir '{_dir}' --no-governance --json";
        var info = new ProcessStartInfo(script!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-qefc", command, typescript })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        Task<string> drain = process.StandardOutput.ReadToEndAsync();
        await process.StandardInput.WriteAsync("maybe\n\n"); // an unclear answer, then Enter
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        await drain;
        string screen = Regex.Replace(File.ReadAllText(typescript), @"\x1b\[[0-9;?]*[A-Za-z]", "");
        TestContext.Out.WriteLine(screen);
        Assert.That(process.ExitCode, Is.EqualTo(0), screen);
        Assert.That(Regex.Matches(screen, @"exists\. Resume it, or start fresh \(deletes it\)\? \[R/f\]").Count, Is.EqualTo(2), "asked, and asked again after 'maybe'");
        Assert.That(screen, Does.Contain("localnet: resuming the saved network in " + _dir + " (seed 6, 11 agents"), "Enter resumes the saved run's seed and size");
        Assert.That(screen, Does.Contain("AgentCluster localnet - Ctrl-C stops"), "the live summary is the redrawn panel on a terminal");
        Assert.That(screen, Does.Not.Contain("localnet: [live]"), "no plain lines on a terminal");
        Assert.That(screen, Does.Contain("\"mode\":\"resumed\"").And.Contain("localnet: stopped: swarm, keepers, dashboard, anvil"));
    }

    private static async Task<(int Code, JsonElement Report, string Log)> UpAsync(string[] options)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringBuilder();
        TextWriter err = TextWriter.Synchronized(new StringWriter(stderr) { NewLine = "\n" });
        Task<int> run = System.Threading.Tasks.Task.Run(() => Program.Run(["localnet", "up", .. options], stdout, err, new StringReader("")));
        Task finished = await System.Threading.Tasks.Task.WhenAny(run, System.Threading.Tasks.Task.Delay(TimeSpan.FromMinutes(3)));
        Assert.That(finished, Is.SameAs(run), $"localnet up stopped by itself within 3 minutes: {stderr}");
        int code = await run;
        string log = stderr.ToString();
        TestContext.Out.WriteLine(log);
        string json = stdout.ToString();
        return (code, json.Length > 0 ? JsonDocument.Parse(json).RootElement.Clone() : default, log);
    }

    private static string Mode(JsonElement r) => r.GetProperty("network").GetProperty("mode").GetString()!;

    private static BigInteger Block(JsonElement r, string which) => BigInteger.Parse(r.GetProperty("blocks").GetProperty(which).GetString()!, CultureInfo.InvariantCulture);

    private static BigInteger TaskId(JsonElement r, string which) => BigInteger.Parse(r.GetProperty("network").GetProperty(which).GetString()!, CultureInfo.InvariantCulture);

    private static void AssertConserved(JsonElement r)
    {
        JsonElement c = r.GetProperty("conservation");
        Assert.That(c.GetProperty("ok").GetBoolean(), Is.True, "ACC conserved");
        Assert.That(BigInteger.Parse(c.GetProperty("sumOfHoldersWei").GetString()!, CultureInfo.InvariantCulture),
            Is.EqualTo(BigInteger.Parse(c.GetProperty("supplyAfterWei").GetString()!, CultureInfo.InvariantCulture)), "every holder since genesis adds up to the supply");
    }
}
