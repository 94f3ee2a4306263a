using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Cli.Localnet;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>
/// <c>localnet up --block-time S</c>: a bad value is refused naming the option before anything starts; with a good one, anvil mines a block
/// every S seconds (interval mining, automine off) once the swarm is set up, and the swarm still settles its tasks.
/// </summary>
[NonParallelizable]
public sealed class LocalnetBlockTimeTests
{
    [Test, Category("Anvil")]
    public async Task Up_WithBlockTime_SwitchesAnvilToIntervalMining_AndTheSwarmStillSettles()
    {
        string dir = Directory.CreateTempSubdirectory("agentcluster-localnet-blocktime-").FullName;
        try
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderrBuffer = new StringBuilder();
            TextWriter stderr = TextWriter.Synchronized(new StringWriter(stderrBuffer) { NewLine = "\n" });
            Task<int> run = Task.Run(() => Program.Run(["localnet", "up", "--agents", "11", "--until-settled", "2", "--seed", "3", "--dashboard-port", "0",
                "--port", "0", "--dir", dir, "--json", "--no-governance", "--block-time", "1"], stdout, stderr, new StringReader("")));

            // Once it says so (before the swarm's first task), anvil's mining mode, read from anvil itself.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            bool? automine = null;
            long? interval = null;
            using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                while (automine is null && !run.IsCompleted && !waiting.IsCancellationRequested)
                {
                    string err;
                    lock (stderr)
                    {
                        err = stderrBuffer.ToString();
                    }

                    if (err.Contains("anvil mines a block every 1 s", StringComparison.Ordinal)
                        && Regex.Match(err, @"localnet: anvil (http://127\.0\.0\.1:[0-9]+/)") is { Success: true } m)
                    {
                        var rpc = new Uri(m.Groups[1].Value);
                        automine = (await RpcAsync(http, rpc, "anvil_getAutomine", waiting.Token)).GetBoolean();
                        interval = (await RpcAsync(http, rpc, "anvil_getIntervalMining", waiting.Token)).GetInt64();
                    }
                    else
                    {
                        await Task.Delay(200, waiting.Token);
                    }
                }
            }

            Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(4)));
            Assert.That(finished, Is.SameAs(run), "localnet up stopped by itself within 4 minutes");
            int code = await run;
            string log = stderrBuffer.ToString();
            Assert.That(code, Is.EqualTo(0), log);
            Assert.That(automine, Is.False, "automine is off once the swarm is set up");
            Assert.That(interval, Is.EqualTo(1), "anvil mines a block every second");
            using JsonDocument report = JsonDocument.Parse(stdout.ToString());
            Assert.That(report.RootElement.GetProperty("settled").GetInt32(), Is.GreaterThanOrEqualTo(2), "the swarm settled its tasks with 1 s blocks");
            Assert.That(LocalnetCommand.ChildAnvils(), Is.Empty, "no anvil left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<JsonElement> RpcAsync(HttpClient http, Uri rpc, string method, CancellationToken ct)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync(rpc, new { jsonrpc = "2.0", id = 1, method, @params = Array.Empty<object>() }, ct);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.GetProperty("result").Clone();
    }

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
