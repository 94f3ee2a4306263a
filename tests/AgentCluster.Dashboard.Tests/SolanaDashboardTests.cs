using System.Net;
using System.Text.Json;
using AgentCluster.Sdk.Networks;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Rpc;
using AgentCluster.Testing.Solana;

namespace AgentCluster.Dashboard.Tests;

/// <summary>
/// The dashboard's Solana source (docs/dashboard.md, "As built: Solana"): its options checked before anything starts; against the real
/// localnet server process, <c>/api/solana</c> shows the agent an owner registered through the SDK's SolanaNetwork and the task it
/// submitted, as the program stores them; an EVM-only dashboard answers 404 there.
/// </summary>
[TestFixture, Category("Solana"), NonParallelizable]
public sealed class SolanaDashboardTests
{
    [Test]
    public void Options_SolanaRpcAndProgramGoTogether_AndAreChecked()
    {
        Assert.That(() => new DashboardOptions { IndexDbPath = "i.db", SolanaRpcUrl = new Uri("http://127.0.0.1:8899") }.Validate(),
            Throws.ArgumentException.With.Message.Contains("SolanaProgramId"));
        Assert.That(() => new DashboardOptions { IndexDbPath = "i.db", SolanaProgramId = "11111111111111111111111111111111" }.Validate(),
            Throws.ArgumentException.With.Message.Contains("SolanaRpcUrl"));
        Assert.That(() => new DashboardOptions { IndexDbPath = "i.db", SolanaRpcUrl = new Uri("http://127.0.0.1:8899"), SolanaProgramId = "not-base58-0OIl" }.Validate(),
            Throws.ArgumentException.With.Message.Contains("SolanaProgramId").And.Message.Contains("base58"));
        Assert.That(() => new DashboardOptions { IndexDbPath = "i.db", SolanaRpcUrl = new Uri("ftp://127.0.0.1/"), SolanaProgramId = "11111111111111111111111111111111" }.Validate(),
            Throws.ArgumentException.With.Message.Contains("SolanaRpcUrl"));
        Assert.That(() => new DashboardOptions { IndexDbPath = "i.db", SolanaPollInterval = TimeSpan.FromMilliseconds(10) }.Validate(),
            Throws.ArgumentException.With.Message.Contains("SolanaPollInterval"));
        Assert.That(() => new DashboardOptions { IndexDbPath = "i.db", SolanaRpcUrl = new Uri("http://127.0.0.1:8899"), SolanaProgramId = "11111111111111111111111111111111" }.Validate(),
            Throws.Nothing);
    }

    [Test]
    public void Options_WithoutAnIndex_NeedASolanaSource()
    {
        Assert.That(() => new DashboardOptions().Validate(),
            Throws.ArgumentException.With.Message.EqualTo("DashboardOptions.IndexDbPath is required: the keepers' index file (keepers run --index-db). (Parameter 'IndexDbPath')"));
        var solanaOnly = new DashboardOptions { SolanaRpcUrl = new Uri("http://127.0.0.1:8899"), SolanaProgramId = "11111111111111111111111111111111" };
        Assert.That(solanaOnly.Validate, Throws.Nothing);
        Assert.That(solanaOnly.HasEvm, Is.False, "no index: no EVM chain");
        Assert.That(new DashboardOptions { IndexDbPath = "i.db" }.HasEvm, Is.True);
    }

    [Test]
    public async Task ASolanaOnlyDashboard_SaysItHasNoEvm_AndTheEvmApisAnswerAsBeforeAnIndex()
    {
        // The Solana RPC is a closed port: the source never reads (503 on /api/solana), which is not what this test is about.
        await using DashboardServer dashboard = await DashboardServer.StartAsync(new DashboardOptions
        {
            Port = 0, SolanaRpcUrl = new Uri("http://127.0.0.1:9/"), SolanaProgramId = "11111111111111111111111111111111",
        });
        using var http = new HttpClient { BaseAddress = dashboard.Url, Timeout = TimeSpan.FromSeconds(30) };
        using JsonDocument chains = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/chains", UriKind.Relative)));
        Assert.That(chains.RootElement.GetProperty("evm").GetBoolean(), Is.False);
        Assert.That(chains.RootElement.GetProperty("solana").GetBoolean(), Is.True);
        using HttpResponseMessage snapshot = await http.GetAsync(new Uri("/api/snapshot", UriKind.Relative));
        Assert.That(snapshot.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await snapshot.Content.ReadAsStringAsync(), Does.Contain("No EVM chain"));
        using HttpResponseMessage agent = await http.GetAsync(new Uri("/api/agents/1", UriKind.Relative));
        Assert.That(agent.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        using HttpResponseMessage health = await http.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ApiSolana_ShowsTheProgramsAgentsAndTasks_AsTheSdkRegisteredThem()
    {
        string dir = Directory.CreateTempSubdirectory("agentcluster-dash-solana-").FullName;
        await using SolanaLocalnet localnet = await SolanaLocalnet.StartAsync();
        try
        {
            // An owner with SOL and ACC registers an agent and submits a task through the SDK.
            Account owner = Account.Generate();
            string keypair = Path.Combine(dir, "owner.json");
            KeypairFile.Write(keypair, owner);
            string deployment = Path.Combine(dir, "solana-localnet.json");
            await File.WriteAllTextAsync(deployment, localnet.InfoJson);
            using (SolanaRpcClient rpc = localnet.CreateClient())
            {
                string airdrop = await rpc.RequestAirdropAsync(owner.PublicKey, 10_000_000_000);
                await rpc.ConfirmTransactionAsync(airdrop, Commitment.Confirmed, TimeSpan.FromSeconds(30));
                await rpc.FundAccAsync(owner.PublicKey, 50_000_000_000_000);
            }

            await using IAgentClusterNetwork net = await AgentClusterNetwork.ConnectAsync(new AgentClusterNetworkOptions
            {
                Chain = "solana", Solana = new SolanaNetworkOptions { RpcUrl = localnet.RpcUrl.ToString(), DeploymentPath = deployment, KeypairPath = keypair },
            });
            NetworkKey key = net.Agents.NewKey();
            AgentRef agent = await net.Agents.RegisterAsync(key, 6, "ipfs://a.json");
            await net.Staking.StakeAsync(agent, net.Acc(1_234m));
            DateTimeOffset now = await net.ChainTimeAsync();
            TaskRef task = await net.Tasks.SubmitAsync(new NetworkTaskSubmission { RequirementsHash = new byte[32], Bounty = net.Acc(50m), Deadline = now.AddHours(3) });

            await using DashboardServer dashboard = await DashboardServer.StartAsync(new DashboardOptions
            {
                IndexDbPath = Path.Combine(dir, "none.db"), Port = 0, SolanaRpcUrl = localnet.RpcUrl, SolanaProgramId = localnet.ProgramId.Key,
                SolanaPollInterval = TimeSpan.FromMilliseconds(200),
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            JsonElement view = default;
            using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while (true)
                {
                    using HttpResponseMessage r = await http.GetAsync(new Uri(dashboard.Url, "api/solana"), bound.Token);
                    if (r.StatusCode == HttpStatusCode.OK)
                    {
                        view = JsonDocument.Parse(await r.Content.ReadAsStringAsync(bound.Token)).RootElement.Clone();
                        if (view.GetProperty("tasks").GetArrayLength() > 0)
                        {
                            break;
                        }
                    }
                    else
                    {
                        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "before the first read");
                    }

                    await Task.Delay(100, bound.Token);
                }
            }

            Assert.That(view.GetProperty("chain").GetString(), Is.EqualTo("solana"));
            Assert.That(view.GetProperty("programId").GetString(), Is.EqualTo(localnet.ProgramId.Key));
            JsonElement a = view.GetProperty("agents").EnumerateArray().Single();
            Assert.That(a.GetProperty("agentKey").GetString(), Is.EqualTo(agent.Value));
            Assert.That(a.GetProperty("owner").GetString(), Is.EqualTo(owner.PublicKey.Key));
            Assert.That(a.GetProperty("capabilities").GetString(), Is.EqualTo("6"));
            Assert.That(a.GetProperty("stake").GetString(), Is.EqualTo("1234000000000"));
            Assert.That(a.GetProperty("status").GetString(), Is.EqualTo("Pending"));
            JsonElement t = view.GetProperty("tasks").EnumerateArray().Single();
            Assert.That(t.GetProperty("task").GetString(), Is.EqualTo(task.Value));
            Assert.That(t.GetProperty("requester").GetString(), Is.EqualTo(owner.PublicKey.Key));
            Assert.That(t.GetProperty("status").GetString(), Is.EqualTo("Bidding"));
            Assert.That(t.GetProperty("bounty").GetString(), Is.EqualTo("50000000000"));
            Assert.That(t.GetProperty("committeeSize").GetInt32(), Is.EqualTo(3));

            await using DashboardServer evmOnly = await DashboardServer.StartAsync(new DashboardOptions { IndexDbPath = Path.Combine(dir, "none.db"), Port = 0 });
            using HttpResponseMessage none = await http.GetAsync(new Uri(evmOnly.Url, "api/solana"));
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "an EVM-only dashboard has no Solana source");
            Assert.That(await http.GetStringAsync(new Uri(evmOnly.Url, "api/chains")), Is.EqualTo("{\"evm\":true,\"solana\":false}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
