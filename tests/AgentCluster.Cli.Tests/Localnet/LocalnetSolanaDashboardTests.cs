using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition;
using AgentCluster.Swarm.Networks;
using Microsoft.Playwright;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>
/// The dashboard of a running <c>localnet up --chain both</c> in a real browser (Debian's chromium through Playwright): the chain switch
/// shows exactly the Solana program's agents under Solana, exactly the EVM registry's under EVM, and all of them under both; Solana
/// task rows are tagged with their chain and follow the switch. The expected agents are read from each chain directly (the registry's
/// AgentRegistered logs; the program's agent accounts by raw getProgramAccounts), not from the dashboard. With <c>--chain solana</c>
/// alone the dashboard runs too: it opens on Solana and says EVM is not running instead of waiting for an index.
/// </summary>
[TestFixture, Category("Anvil"), Category("Solana"), NonParallelizable]
public sealed class LocalnetSolanaDashboardTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const string VisibleAgents = "() => window.__acCy.nodes('.agent').filter(n => !n.hasClass('hidden')).map(n => n.id())";

    [Test]
    public async Task TheDashboardOfBothChains_ShowsSolanaAgentsUnderSolana_AndAllUnderBoth_InChromium()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is missing: scripts/setup installs Debian's chromium.");
        }

        string dir = Directory.CreateTempSubdirectory("agentcluster-localnet-dash-both-").FullName;
        try
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderrBuffer = new StringBuilder();
            TextWriter stderr = TextWriter.Synchronized(new StringWriter(stderrBuffer) { NewLine = "\n" });
            // Enough EVM tasks that the run is still going while the browser looks at it; it stops by itself afterwards.
            Task<int> run = Task.Run(() => Program.Run(["localnet", "up", "--chain", "both", "--agents", "12", "--until-settled", "8", "--seed", "3",
                "--dashboard-port", "0", "--port", "0", "--solana-port", "0", "--dir", dir, "--json", "--no-governance"], stdout, stderr, new StringReader("")));

            string Log()
            {
                lock (stderr)
                {
                    return stderrBuffer.ToString();
                }
            }

            using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                while (!run.IsCompleted && !waiting.IsCancellationRequested
                       && !(Log().Contains("agents running", StringComparison.Ordinal) && Log().Contains("solana swarm: agents registered, attested and staked 12/12", StringComparison.Ordinal)))
                {
                    await Task.Delay(200, waiting.Token);
                }
            }

            string log = Log();
            Assert.That(run.IsCompleted, Is.False, $"the network is still running once both swarms are up:\n{log}");
            string dashboardUrl = Regex.Match(log, @"localnet: dashboard (http://127\.0\.0\.1:[0-9]+/)").Groups[1].Value;
            string rpcUrl = Regex.Match(log, @"localnet: anvil (http://127\.0\.0\.1:[0-9]+/?)").Groups[1].Value;
            string solanaUrl = Regex.Match(log, @"localnet: solana (http://127\.0\.0\.1:[0-9]+/) \(pid").Groups[1].Value;
            Assert.That(new[] { dashboardUrl, rpcUrl, solanaUrl }, Has.All.Not.Empty, log);

            // What each chain says.
            using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "manifest.json")));
            var registered = new Web3(rpcUrl).Eth.GetEvent<AgentRegisteredEventDTO>(manifest.RootElement.GetProperty("contracts").GetProperty("AgentRegistry").GetString()!);
            var logs = await registered.GetAllChangesAsync(registered.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
            string[] evm = [.. logs.Select(l => $"a:{l.Event.AgentId}")];
            string programId = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "solana", "solana-localnet.json"))).RootElement.GetProperty("programId").GetString()!;
            using var solanaRpc = new AgentCluster.Solana.Rpc.SolanaRpcClient(new Uri(solanaUrl));
            var agentAccounts = (await solanaRpc.GetProgramAccountsAsync(new AgentCluster.Solana.PublicKey(programId),
                [AgentCluster.Solana.Rpc.ProgramAccountFilter.Memcmp(0, [2])], AgentCluster.Solana.Rpc.Commitment.Confirmed)).Value;
            string[] solana = [.. agentAccounts.Select(a => $"s:{AgentCluster.Solana.Base58.Encode(a.Account.Data.AsSpan(40, 32))}")]; // the agent key: bytes 40..72
            Assert.That(evm, Has.Length.EqualTo(12), "the EVM swarm registered its 12 agents");
            Assert.That(solana, Has.Length.EqualTo(12), "the Solana swarm registered its 12 agents");

            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
            IPage page = await browser.NewPageAsync();
            var pageErrors = new List<string>();
            page.PageError += (_, e) => pageErrors.Add(e);
            await page.GotoAsync(dashboardUrl);
            await page.WaitForSelectorAsync("#chain-switch:not([hidden])", new() { Timeout = (float)Wait.TotalMilliseconds });
            await page.WaitForFunctionAsync("n => window.__acCy && window.__acCy.nodes('.agent').length >= n", evm.Length + solana.Length, new() { Timeout = (float)Wait.TotalMilliseconds });

            Assert.That(await page.EvaluateAsync<string[]>(VisibleAgents), Is.EquivalentTo(evm.Concat(solana)), "both: every agent of both chains, nothing else");
            Assert.That(await page.EvaluateAsync<string[]>("() => window.__acCy.nodes('.agent').map(n => `${n.id()[0]}=${n.data('chain')}`)"),
                Has.All.Matches<string>(t => t is "a=evm" or "s=solana"), "each node tagged with its chain");
            await ShotAsync(page, "localnet-both-chains");

            await page.CheckAsync("#chain-switch input[value='solana']");
            Assert.That(await page.EvaluateAsync<string[]>(VisibleAgents), Is.EquivalentTo(solana), "Solana: exactly the program's agents");
            await page.WaitForSelectorAsync("#tasks tr[data-chain='solana']", new() { Timeout = (float)Wait.TotalMilliseconds });
            Assert.That(await page.EvaluateAsync<int>("() => [...document.querySelectorAll('#tasks tr[data-chain]')].filter(r => r.offsetParent !== null && r.dataset.chain !== 'solana').length"),
                Is.Zero, "no EVM task row shown under Solana");
            await ShotAsync(page, "localnet-solana-only");

            await page.CheckAsync("#chain-switch input[value='evm']");
            Assert.That(await page.EvaluateAsync<string[]>(VisibleAgents), Is.EquivalentTo(evm), "EVM: exactly the registry's agents");
            Assert.That(await page.EvaluateAsync<int>("() => [...document.querySelectorAll('#tasks tr[data-chain=solana]')].filter(r => r.offsetParent !== null).length"),
                Is.Zero, "no Solana task row shown under EVM");

            await page.CheckAsync("#chain-switch input[value='both']");
            Assert.That(await page.EvaluateAsync<string[]>(VisibleAgents), Is.EquivalentTo(evm.Concat(solana)), "both again: all of them");
            Assert.That(pageErrors, Is.Empty, "no script error on the page");

            Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(4)));
            Assert.That(finished, Is.SameAs(run), "localnet up stopped by itself");
            Assert.That(await run, Is.EqualTo(0), Log());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task TheDashboardOfChainSolanaAlone_OpensOnSolana_ShowsTheProgramsAgents_AndSaysEvmIsNotRunning_InChromium()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is missing: scripts/setup installs Debian's chromium.");
        }

        string dir = Directory.CreateTempSubdirectory("agentcluster-localnet-dash-solana-").FullName;
        try
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderrBuffer = new StringBuilder();
            TextWriter stderr = TextWriter.Synchronized(new StringWriter(stderrBuffer) { NewLine = "\n" });
            string Log()
            {
                lock (stderr)
                {
                    return stderrBuffer.ToString();
                }
            }

            // As `localnet up --chain solana --dashboard-port 0` parses (the option is accepted now), with no task limit: the swarm runs
            // until this test stops it (as Ctrl-C does), so the browser looks at a running network.
            var settings = new AgentCluster.Cli.Localnet.LocalnetSettings
            {
                Chain = "solana", Agents = 12, Seed = 3, DashboardPort = 0, SolanaPort = 0, SolanaPortGiven = true, Directory = dir, Json = true,
            };
            settings.Validate();
            using var stop = new CancellationTokenSource();
            Task<int> run = Task.Run(() => AgentCluster.Cli.Localnet.LocalnetCommand.RunAsync(settings, stdout, stderr, stop.Token));
            try
            {
                using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
                {
                    while (!run.IsCompleted && !waiting.IsCancellationRequested
                           && !Log().Contains("solana swarm: agents registered, attested and staked 12/12", StringComparison.Ordinal))
                    {
                        await Task.Delay(200, CancellationToken.None);
                    }
                }

                string log = Log();
                Assert.That(run.IsCompleted, Is.False, $"the network is still running once the swarm is up:\n{log}");
                string dashboardUrl = Regex.Match(log, @"localnet: dashboard (http://127\.0\.0\.1:[0-9]+/)").Groups[1].Value;
                string solanaUrl = Regex.Match(log, @"localnet: solana (http://127\.0\.0\.1:[0-9]+/) \(pid").Groups[1].Value;
                Assert.That(new[] { dashboardUrl, solanaUrl }, Has.All.Not.Empty, log);

                // What the chain says: the program's agent accounts by raw getProgramAccounts.
                string programId = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "solana", "solana-localnet.json"))).RootElement.GetProperty("programId").GetString()!;
                using var solanaRpc = new AgentCluster.Solana.Rpc.SolanaRpcClient(new Uri(solanaUrl));
                var agentAccounts = (await solanaRpc.GetProgramAccountsAsync(new AgentCluster.Solana.PublicKey(programId),
                    [AgentCluster.Solana.Rpc.ProgramAccountFilter.Memcmp(0, [2])], AgentCluster.Solana.Rpc.Commitment.Confirmed)).Value;
                string[] solana = [.. agentAccounts.Select(a => $"s:{AgentCluster.Solana.Base58.Encode(a.Account.Data.AsSpan(40, 32))}")];
                Assert.That(solana, Has.Length.EqualTo(12), "the Solana swarm registered its 12 agents");

                using IPlaywright playwright = await Playwright.CreateAsync();
                await using IBrowser browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
                IPage page = await browser.NewPageAsync();
                var pageErrors = new List<string>();
                page.PageError += (_, e) => pageErrors.Add(e);
                var snapshotRequests = new List<string>();
                page.Request += (_, r) => { if (r.Url.Contains("/api/snapshot", StringComparison.Ordinal)) snapshotRequests.Add(r.Url); };
                await page.GotoAsync(dashboardUrl);
                await page.WaitForSelectorAsync("#chain-switch:not([hidden])", new() { Timeout = (float)Wait.TotalMilliseconds });
                await page.WaitForFunctionAsync("n => window.__acCy && window.__acCy.nodes('.agent').length >= n", solana.Length, new() { Timeout = (float)Wait.TotalMilliseconds });

                Assert.That(await page.EvaluateAsync<string>("() => window.__acChain()"), Is.EqualTo("solana"), "the switch opens on Solana");
                Assert.That(await page.IsCheckedAsync("#chain-switch input[value='solana']"), Is.True);
                Assert.That(await page.EvaluateAsync<string[]>(VisibleAgents), Is.EquivalentTo(solana), "Solana: exactly the program's agents");
                Assert.That(await page.EvaluateAsync<string[]>("() => window.__acCy.nodes('.agent').map(n => n.data('chain'))"), Has.All.EqualTo("solana"), "no EVM node at all");
                await page.WaitForSelectorAsync("#tasks tr[data-chain='solana']", new() { Timeout = (float)Wait.TotalMilliseconds });

                // EVM: said not to run here, not waited for.
                Assert.That(await page.IsDisabledAsync("#chain-switch input[value='evm']"), Is.True, "EVM cannot be chosen");
                Assert.That(await page.TextContentAsync("#chain-switch"), Does.Contain("not running"));
                Assert.That(await page.TextContentAsync("#head"), Does.Contain("EVM: not running on this localnet"));
                await page.WaitForSelectorAsync("#status.live", new() { Timeout = (float)Wait.TotalMilliseconds });
                Assert.That(await page.TextContentAsync("#status"), Is.EqualTo("live"), "the page is live, not stuck on the index");
                Assert.That(snapshotRequests, Is.Empty, "the page does not poll an EVM index that does not exist");
                Assert.That(pageErrors, Is.Empty, "no script error on the page");
                await ShotAsync(page, "localnet-chain-solana");
            }
            finally
            {
                await stop.CancelAsync();
                Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2)));
                Assert.That(finished, Is.SameAs(run), "localnet up stopped when asked");
            }

            Assert.That(await run, Is.EqualTo(0), Log());
            Assert.That(Log(), Does.Contain("stopped: dashboard, solana swarm, solana keepers, solana localnet server"));
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
