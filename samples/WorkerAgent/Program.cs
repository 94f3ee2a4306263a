using AgentCluster.Evm.Signing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;
using WorkerAgent;

// Usage (e.g. against scripts/localnet deployed with AC_ATTESTORS = anvil account 9):
//   AGENTCLUSTER_RPC_URL=http://127.0.0.1:8545 AGENTCLUSTER_MANIFEST=deployments/localnet.json \
//   AGENTCLUSTER_OWNER_KEY=0x... [AGENTCLUSTER_ATTESTOR_KEY=0x...] [AGENTCLUSTER_AGENT_KEY=0x...] dotnet run --project samples/WorkerAgent
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

await using var client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
{
    RpcUrl = Environment.GetEnvironmentVariable("AGENTCLUSTER_RPC_URL") ?? "http://127.0.0.1:8545",
    ManifestPath = Environment.GetEnvironmentVariable("AGENTCLUSTER_MANIFEST") ?? "deployments/localnet.json",
    Key = AgentKeySource.FromEnvironment("AGENTCLUSTER_OWNER_KEY"),
}, cancellationToken: cts.Token);

AgentKey agentKey = Environment.GetEnvironmentVariable("AGENTCLUSTER_AGENT_KEY") is { Length: > 0 }
    ? AgentKey.FromEnvironment("AGENTCLUSTER_AGENT_KEY")
    : AgentKey.Generate();
Secp256k1Signer? attestor = Environment.GetEnvironmentVariable("AGENTCLUSTER_ATTESTOR_KEY") is { Length: > 0 } attestorKey
    ? new Secp256k1Signer(attestorKey)
    : null;

var worker = new Worker(client, capabilities: 0b1, Console.Out);
try
{
    await worker.RegisterAsync(agentKey, attestor, cts.Token);
    await worker.RunAsync(TimeSpan.FromSeconds(5), maxResults: null, cts.Token);
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.WriteLine($"worker: stopped; {worker.ResultsPosted.Count} result(s) posted");
}
