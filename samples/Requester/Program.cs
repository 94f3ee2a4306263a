using System.Numerics;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Tasks;
using Requester;

// Usage: AGENTCLUSTER_RPC_URL=... AGENTCLUSTER_MANIFEST=deployments/localnet.json AGENTCLUSTER_REQUESTER_KEY=0x... dotnet run --project samples/Requester
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

await using var client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
{
    RpcUrl = Environment.GetEnvironmentVariable("AGENTCLUSTER_RPC_URL") ?? "http://127.0.0.1:8545",
    ManifestPath = Environment.GetEnvironmentVariable("AGENTCLUSTER_MANIFEST") ?? "deployments/localnet.json",
    Key = AgentKeySource.FromEnvironment("AGENTCLUSTER_REQUESTER_KEY"),
}, cancellationToken: cts.Token);

SubmittedTask task = await RequesterFlow.SubmitAsync(client, "Summarise https://example.org in 100 words", capabilities: 0b1,
    bounty: 100 * BigInteger.Pow(10, 18), cts.Token);
Console.WriteLine($"requester: submitted task {task.TaskId} (fee {task.Fee} wei, tx {task.TransactionHash})");
await RequesterFlow.FollowAsync(client, task.TaskId, TaskStage.Settled, TimeSpan.FromSeconds(5), Console.Out, cts.Token);
