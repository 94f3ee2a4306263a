using System.Globalization;
using System.Numerics;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Networks;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Swarm.Networks;
using AgentCluster.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nethereum.JsonRpc.Client;

namespace AgentCluster.Cli.Tests.Solana;

/// <summary>
/// The chain-neutral swarm the localnet runs on Solana (<see cref="NetworkSwarm"/>, written against IAgentClusterNetwork only) driving
/// <see cref="EvmNetwork"/> instead: a real anvil with the suite deployed, the EVM keepers in-process (assignment, committee,
/// settlement), 13 agents with their own owners, one round of two tasks. What it shows: the same loop runs the protocol end to end on
/// the other chain, read back through the SDK.
/// </summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class NetworkSwarmEvmTests
{
    [Test]
    public async Task NetworkSwarm_OnEvmNetwork_RunsARoundToSettlement_WithTheEvmKeepers()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        CancellationToken ct = bound.Token;
        string dir = Directory.CreateTempSubdirectory("agentcluster-network-swarm-").FullName;
        await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync(AgentClusterSuiteOptions.WithTestAttestor(), ct);
        string manifestPath = Path.Combine(dir, "manifest.json");
        await File.WriteAllTextAsync(manifestPath, System.Text.Json.JsonSerializer.Serialize(new
        {
            chainId = suite.Manifest.ChainId, block = suite.Manifest.Block, deployer = suite.Manifest.Deployer, contracts = suite.Manifest.Contracts,
        }), ct);

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentCluster:Keepers:RpcUrl"] = suite.Node.RpcUrl.ToString(),
            ["AgentCluster:Keepers:ManifestPath"] = manifestPath,
            ["AgentCluster:Keepers:JournalPath"] = Path.Combine(dir, "keeper-journal.db"),
            ["AgentCluster:Keepers:IndexDbPath"] = Path.Combine(dir, "index.db"),
            ["AgentCluster:Keepers:PollInterval"] = "00:00:00.500",
            ["AgentCluster:Keepers:HealthPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
        });
        builder.Logging.ClearProviders();
        builder.Services.AddAgentClusterKeepers(builder.Configuration, o => o.Key = AgentKeySource.FromPrivateKey(AnvilAccounts.PrivateKeys[7]));
        using IHost keepers = builder.Build();
        await keepers.StartAsync(ct);
        try
        {
            var host = new EvmSwarmHost(suite.Node.RpcUrl, suite.Manifest, seed: 5, AnvilAccounts.PrivateKeys[AgentClusterSuiteOptions.TestAttestorIndex], Path.Combine(dir, "swarm"),
                (address, token) => suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", address, "0x3635c9adc5dea00000")),
                (address, amount, token) => suite.FundAsync(address, amount, token),
                (by, token) => suite.IncreaseTimeAsync(by, token),
                (blocks, token) => suite.MineAsync(blocks, token));
            var lines = new List<string>();
            var progress = new SyncProgress(line =>
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                TestContext.Out.WriteLine(line);
            });
            await using NetworkSwarm swarm = await NetworkSwarm.StartAsync(host,
                new NetworkSwarmOptions { Agents = 13, Tasks = 2, Seed = 5, KeeperWait = TimeSpan.FromSeconds(60) }, progress, ct);
            await swarm.RunAsync(ct);

            Assert.That(swarm.Kind, Is.EqualTo(NetworkKind.Evm));
            Assert.That(swarm.Submitted, Is.EqualTo(2));
            Assert.That(swarm.Agents, Has.Count.EqualTo(13));
            Assert.That(swarm.Agents.Select(a => a.Owner).Distinct().Count(), Is.EqualTo(13), "each agent has its own owner");

            // Read back through a network of its own (not the swarm's): the agents are active and staked, the tasks settled.
            await using IAgentClusterNetwork reader = await host.ConnectAsync("reader", ct);
            foreach (NetworkSwarmAgent a in swarm.Agents)
            {
                NetworkAgent agent = await reader.Agents.GetAsync(a.Agent, ct);
                Assert.That(agent.IsActive, Is.True, $"agent {a.Agent} is attested");
                Assert.That(agent.Owner, Is.EqualTo(a.Owner).IgnoreCase);
                Assert.That(agent.Stake, Is.GreaterThan(BigInteger.Zero));
            }

            string log;
            lock (lines)
            {
                log = string.Join('\n', lines);
            }

            foreach (TaskRef task in swarm.TaskRefs)
            {
                NetworkTask t = await reader.Tasks.GetAsync(task, ct);
                Assert.That(t.Stage, Is.EqualTo(TaskStage.Settled), $"task {task} settled by the EVM keepers after the swarm's round:\n{log}");
                Assert.That(t.Status, Is.AnyOf(MarketTaskStatus.Accepted, MarketTaskStatus.Rejected, MarketTaskStatus.Inconclusive), $"task {task} was judged by its committee");
                Assert.That(t.Executor, Is.Not.Null);
                Assert.That(swarm.Agents.Select(a => a.Agent), Does.Contain(t.Executor!.Value), "its executor is one of the swarm's agents");
                IReadOnlyList<AgentRef> committee = await reader.Reviews.GetCommitteeAsync(task, ct);
                Assert.That(committee, Has.Count.EqualTo(t.CommitteeSize));
            }

            Assert.That(swarm.Settled, Is.EqualTo(2), "the swarm's own count agrees");
            Assert.That(log, Does.Contain("round 1: the clock moved 01:00:01 past the bidding window"));
            Assert.That(log, Does.Contain("round 1: the clock moved 06:00:01 past the commit window"));
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await keepers.StopAsync(stop.Token);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
