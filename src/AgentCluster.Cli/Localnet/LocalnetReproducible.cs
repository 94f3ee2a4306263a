using System.Globalization;
using System.Numerics;
using System.Text;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Swarm;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Nethereum.Web3;
using MemberDrawn = AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition.MemberDrawnEventDTO;

namespace AgentCluster.Cli.Localnet;

/// <summary>
/// What a run of one <c>--seed</c> is made of, as short fingerprints read from the chain (docs/localnet.md, "As built: lifecycle"):
/// the genesis timestamp, the agents (id, owner, behaviour, cluster, registered capability-vector hash), the tasks (requester,
/// capabilities, bounty) and their outcome (executor and committee). Two fresh runs of one seed agree on the first three; the outcome
/// is shown to tell whether they do: committees are drawn with block hashes as seeds, and the blocks depend on the order (and grouping)
/// in which the swarm's and the keepers' concurrent transactions were mined, which varies between runs.
/// </summary>
/// <param name="GenesisTimestamp">Block 0's timestamp (unix seconds).</param>
/// <param name="FirstAgent">The agent id of the swarm's agent 0 (its key is keccak("agentcluster-swarm/&lt;seed&gt;/agent/0")).</param>
/// <param name="Agents">Fingerprint of the agents, in the swarm's order.</param>
/// <param name="Tasks">Fingerprint of this run's tasks, as a set (ids may differ: requesters submit concurrently).</param>
/// <param name="Committees">Fingerprint of each task's executor and drawn members, as a set.</param>
internal sealed record LocalnetReproducible(long GenesisTimestamp, string FirstAgent, string Agents, string Tasks, string Committees)
{
    public static async Task<LocalnetReproducible> ReadAsync(IWeb3 web3, AgentClusterClient client, SwarmRunner swarm, BigInteger fromBlock, CancellationToken ct)
    {
        var genesis = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(0)).ConfigureAwait(false);
        var agents = new StringBuilder();
        foreach (var a in swarm.Agents)
        {
            var caps = await client.Contracts.Registry.CapabilitiesOfQueryAsync(a.AgentId).ConfigureAwait(false);
            agents.Append(CultureInfo.InvariantCulture, $"{a.AgentId}/{a.Owner.ToLowerInvariant()}/{a.Behaviour}/{a.Cluster}/{caps.CapabilityVectorHash.ToHex()}\n");
        }

        string market = client.Manifest.AddressOf("TaskMarket");
        var drawnEvent = web3.Eth.GetEvent<MemberDrawn>(market);
        var drawn = await drawnEvent.GetAllChangesAsync(drawnEvent.CreateFilterInput(new BlockParameter(new HexBigInteger(fromBlock)), BlockParameter.CreateLatest()))
            .ConfigureAwait(false);
        var tasks = new List<string>();
        var outcomes = new List<string>();
        foreach (BigInteger id in swarm.TaskIds)
        {
            TaskInfo t = await client.Tasks.GetAsync(id, ct).ConfigureAwait(false);
            string task = $"{t.Requester.ToLowerInvariant()}/{t.Capabilities}/{t.Bounty}";
            tasks.Add(task);
            IEnumerable<BigInteger> members = drawn.Where(e => e.Event.TaskId == id).Select(e => e.Event.AgentId).Order();
            outcomes.Add($"{task} -> {t.Executor?.ToString(CultureInfo.InvariantCulture) ?? "none"} [{string.Join(",", members)}]");
        }

        return new LocalnetReproducible((long)genesis.Timestamp.Value, swarm.Agents.Count > 0 ? swarm.Agents[0].AgentId.ToString(CultureInfo.InvariantCulture) : "",
            Hash(agents.ToString()), Hash(string.Join("\n", tasks.Order(StringComparer.Ordinal))), Hash(string.Join("\n", outcomes.Order(StringComparer.Ordinal))));
    }

    private static string Hash(string text) => Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(text)).ToHex()[..16];
}
