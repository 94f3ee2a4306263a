using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition;
using AgentCluster.Evm.Bindings.Reputation;
using Microsoft.Playwright;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>
/// The dashboard of a running <c>localnet up</c> in a real browser (Debian's chromium through Playwright): the graph shows exactly the
/// agents registered on the localnet's chain, grouped by the swarm's capability clusters; tasks appear in the timeline; an agent's page
/// shows the reputation the contract reports at the block the page read. Screenshots are attached as artefacts.
/// </summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class LocalnetDashboardTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Test]
    public async Task TheDashboardOfARunningLocalnet_ShowsItsAgentsTasksAndReputation_InChromium()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is missing: scripts/setup installs Debian's chromium.");
        }

        string dir = Directory.CreateTempSubdirectory("agentcluster-localnet-dash-").FullName;
        using var stopRun = new CancellationTokenSource();
        try
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderrBuffer = new StringBuilder();
            TextWriter stderr = TextWriter.Synchronized(new StringWriter(stderrBuffer) { NewLine = "\n" });
            // Enough settled tasks that the run is still going while the browser looks at it; it stops by itself afterwards.
            Task<int> run = Task.Run(() => Program.Run(["localnet", "up", "--agents", "12", "--until-settled", "8", "--seed", "3", "--dashboard-port", "0",
                "--port", "0", "--dir", dir, "--json", "--no-governance"], stdout, stderr, new StringReader("")));

            string Log()
            {
                lock (stderr)
                {
                    return stderrBuffer.ToString();
                }
            }

            // The swarm is set up (agents registered, attested, staked) once it says it is running.
            string? dashboardUrl = null, rpcUrl = null;
            using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                while (!run.IsCompleted && !waiting.IsCancellationRequested && !Log().Contains("agents running", StringComparison.Ordinal))
                {
                    await Task.Delay(200, waiting.Token);
                }

                string log = Log();
                dashboardUrl = Regex.Match(log, @"localnet: dashboard (http://127\.0\.0\.1:[0-9]+/)") is { Success: true } d ? d.Groups[1].Value : null;
                rpcUrl = Regex.Match(log, @"localnet: anvil (http://127\.0\.0\.1:[0-9]+/?)") is { Success: true } a ? a.Groups[1].Value : null;
            }

            Assert.That(run.IsCompleted, Is.False, $"the network is still running once its swarm is up:\n{Log()}");
            Assert.That(dashboardUrl, Is.Not.Null, Log());
            Assert.That(rpcUrl, Is.Not.Null, Log());

            // What the chain says: every AgentRegistered of the suite's registry.
            using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "manifest.json")));
            JsonElement contracts = manifest.RootElement.GetProperty("contracts");
            var web3 = new Web3(rpcUrl);
            var registered = web3.Eth.GetEvent<AgentRegisteredEventDTO>(contracts.GetProperty("AgentRegistry").GetString()!);
            var logs = await registered.GetAllChangesAsync(registered.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
            string[] expected = [.. logs.Select(l => $"a:{l.Event.AgentId}")];
            Assert.That(expected, Has.Length.EqualTo(12), "the swarm registered its 12 agents");

            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
            IPage page = await browser.NewPageAsync();
            var pageErrors = new List<string>();
            page.PageError += (_, e) => pageErrors.Add(e);
            await page.GotoAsync(dashboardUrl!);
            await page.WaitForFunctionAsync("n => window.__acCy && window.__acCy.nodes('.agent').length >= n", expected.Length, new() { Timeout = (float)Wait.TotalMilliseconds });
            string[] shown = await page.EvaluateAsync<string[]>("() => window.__acCy.nodes('.agent').map(n => n.id())");
            Assert.That(shown, Is.EquivalentTo(expected), "one node per agent registered on the localnet's chain, nothing else");
            Assert.That(await page.EvaluateAsync<int>("() => window.__acCy.nodes('.cluster').length"), Is.EqualTo(3),
                "the swarm's three capability clusters are visible as groups");

            // Tasks arrive in the timeline while the swarm runs (no reload), and collaboration edges with them.
            await page.WaitForSelectorAsync("#tasks tr[data-task]", new() { Timeout = (float)Wait.TotalMilliseconds });
            await page.WaitForFunctionAsync("() => window.__acCy.edges().length > 0", null, new() { Timeout = (float)Wait.TotalMilliseconds });
            await ShotAsync(page, "localnet-network");

            // An agent's page: the four reputation dimensions equal getSummary at the block the page read.
            string agent = expected[0][2..];
            await page.GotoAsync(new Uri(new Uri(dashboardUrl!), $"agents/{agent}").ToString());
            await page.WaitForSelectorAsync("body[data-loaded='true']", new() { Timeout = (float)Wait.TotalMilliseconds });
            ulong block = ulong.Parse((await page.GetAttributeAsync("td[data-dim='task']", "data-block"))!, System.Globalization.CultureInfo.InvariantCulture);
            var summary = await new ReputationService(web3, contracts.GetProperty("Reputation").GetString()!)
                .GetSummaryQueryAsync(BigInteger.Parse(agent, System.Globalization.CultureInfo.InvariantCulture), new BlockParameter(block));
            var onPage = new Dictionary<string, BigInteger>();
            foreach (string dim in new[] { "task", "validator", "compute", "social" })
            {
                onPage[dim] = BigInteger.Parse((await page.GetAttributeAsync($"td[data-dim='{dim}']", "data-raw"))!, System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.That(onPage, Is.EqualTo(new Dictionary<string, BigInteger>
            {
                ["task"] = summary.Task, ["validator"] = summary.Validator, ["compute"] = summary.Compute, ["social"] = summary.Social,
            }), $"getSummary at block {block}");
            Assert.That(onPage["compute"], Is.GreaterThan(BigInteger.Zero), "the swarm's attestation gave compute reputation");
            await ShotAsync(page, "localnet-agent");
            Assert.That(pageErrors, Is.Empty, "no script error on the page");

            Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(3)));
            Assert.That(finished, Is.SameAs(run), "localnet up stopped by itself");
            Assert.That(await run, Is.EqualTo(0), Log());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        string shots = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        string file = Path.Combine(shots, $"{name}.png");
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
        TestContext.AddTestAttachment(file, $"dashboard: {name}");
    }
}
