using System.Numerics;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Tasks;
using Nethereum.Util;

namespace WorkerAgent;

/// <summary>
/// A worker agent: registers its key under the client's account (the owner), waits for an attestation (or has the given attestor
/// sign one, as on a local chain), stakes the market's minimum, then bids on every open task it can do and posts a result for each
/// task it wins.
/// </summary>
public sealed class Worker(AgentClusterClient client, ulong capabilities, TextWriter log)
{
    private readonly HashSet<BigInteger> _bids = [];
    private BigInteger _from;

    /// <summary>The agent id once registered.</summary>
    public BigInteger AgentId { get; private set; }

    /// <summary>Ids of the tasks this worker bid on, in order.</summary>
    public List<BigInteger> BidOn { get; } = [];

    /// <summary>Ids of the tasks this worker posted a result for, in order.</summary>
    public List<BigInteger> ResultsPosted { get; } = [];

    /// <summary>Registers <paramref name="agentKey"/>, gets it attested (by <paramref name="attestor"/> if given) and stakes.</summary>
    public async Task RegisterAsync(AgentKey agentKey, Secp256k1Signer? attestor, CancellationToken ct)
    {
        byte[] vectorHash = Sha3Keccack.Current.CalculateHash("sample worker capability vector"u8.ToArray());
        AgentRegistration agent = await client.Agents.RegisterAsync(agentKey.Signer, "ipfs://sample-worker.json", capabilities, vectorHash, ct);
        AgentId = agent.AgentId;
        _from = agent.Receipt.BlockNumber.Value;
        log.WriteLine($"worker: registered agent {AgentId} (key {agentKey.Address})");
        if (attestor is not null)
        {
            // What an attestor service does after checking the agent's enclave and benchmark.
            DateTimeOffset now = await client.Tasks.ChainTimeAsync(ct);
            AgentAttestation last = await client.Agents.GetAttestationAsync(AgentId, ct);
            var attestation = new AgentAttestation(AgentId, Sha3Keccack.Current.CalculateHash("sample enclave"u8.ToArray()), 8, 16_384, 100,
                (ulong)now.AddDays(29).ToUnixTimeSeconds(), last.Nonce + 1);
            await client.Agents.SubmitAttestationAsync(attestation, client.Agents.SignAttestation(attestation, attestor), ct);
        }

        while (!(await client.Agents.GetAsync(AgentId, ct)).IsActive)
        {
            log.WriteLine("worker: waiting for an attestation ...");
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
        }

        BigInteger stake = (await client.Tasks.GetMarketParametersAsync(ct)).MinStake;
        await client.Staking.StakeAsync(AgentId, stake, ct);
        log.WriteLine($"worker: staked {stake} wei of ACC");
    }

    /// <summary>One round: bid on new open tasks, post results for tasks won whose bidding is over. Returns the results posted in it.</summary>
    public async Task<int> PollOnceAsync(CancellationToken ct)
    {
        OpenTaskPage page = await client.Tasks.FindOpenTasksAsync(capabilities, _from, cancellationToken: ct);
        _from = page.NextFromBlock;
        foreach (OpenTask task in page.Tasks.Where(t => _bids.Add(t.TaskId)))
        {
            await client.Tasks.BidAsync(task.TaskId, AgentId, task.Bounty, ct);
            BidOn.Add(task.TaskId);
            log.WriteLine($"worker: bid {task.Bounty} on task {task.TaskId}");
        }

        int posted = 0;
        DateTimeOffset now = await client.Tasks.ChainTimeAsync(ct);
        foreach (BigInteger id in _bids.ToList())
        {
            TaskInfo t = await client.Tasks.GetAsync(id, ct);
            if (now < t.BiddingEndsAt)
            {
                continue;
            }

            if (t.Executor == AgentId && t.Stage <= TaskStage.Routed)
            {
                byte[] result = DoTheWork(t);
                await client.Tasks.PostResultAsync(id, Sha3Keccack.Current.CalculateHash(result), $"ipfs://sample-result-{id}.json", ct);
                ResultsPosted.Add(id);
                posted++;
                log.WriteLine($"worker: posted the result of task {id}");
            }

            _bids.Remove(id);
        }

        return posted;
    }

    /// <summary>Polls every <paramref name="interval"/> until <paramref name="maxResults"/> results are posted (null: until cancelled).</summary>
    public async Task RunAsync(TimeSpan interval, int? maxResults, CancellationToken ct)
    {
        while (maxResults is null || ResultsPosted.Count < maxResults)
        {
            await PollOnceAsync(ct);
            if (maxResults is null || ResultsPosted.Count < maxResults)
            {
                await Task.Delay(interval, ct);
            }
        }
    }

    private static byte[] DoTheWork(TaskInfo task) => System.Text.Encoding.UTF8.GetBytes($"sample result of task {task.TaskId}");
}
