using System.Numerics;
using System.Reflection;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Evm.Bindings.AccToken.ContractDefinition;
using AgentCluster.Evm.Bindings.AgentClusterGovernor.ContractDefinition;
using AgentCluster.Evm.Bindings.Staking.ContractDefinition;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Nethereum.Web3;

namespace AgentCluster.Swarm;

/// <summary>One vote cast on a proposal (the governor's VoteCast event).</summary>
/// <param name="Voter">The voter's address.</param>
/// <param name="Support">For, Against or Abstain.</param>
/// <param name="Weight">Its votes (wei of ACC at the proposal's snapshot).</param>
/// <param name="Reason">The reason it gave.</param>
public sealed record VoteCast(string Voter, string Support, BigInteger Weight, string Reason);

/// <summary>A proposal created during the run: its state and tallies as the governor holds them at the report's last block.</summary>
/// <param name="Id">The proposal id.</param>
/// <param name="Description">Its description.</param>
/// <param name="State">The governor's state (Executed when it ran through the timelock).</param>
/// <param name="For">Votes for (the governor's tally).</param>
/// <param name="Against">Votes against.</param>
/// <param name="Abstain">Abstentions.</param>
/// <param name="Votes">Every vote cast on it (VoteCast events).</param>
public sealed record ProposalOutcome(BigInteger Id, string Description, string State, BigInteger For, BigInteger Against, BigInteger Abstain,
    IReadOnlyList<VoteCast> Votes);

/// <summary>An appeal filed during the run and how it ended on chain.</summary>
/// <param name="SlashId">The slash appealed.</param>
/// <param name="AgentId">The slashed agent.</param>
/// <param name="Decision"><c>AppealDismissed</c> or <c>SlashReversed</c> (Staking's events, by governance), or <c>Pending</c>.</param>
public sealed record AppealOutcome(BigInteger SlashId, BigInteger AgentId, string Decision);

/// <summary>Gas of one kind of call (by function name) over a run, from the receipts.</summary>
public sealed record GasStage(string Function, int Transactions, BigInteger GasUsed);

/// <summary>
/// The closing report of a run, every figure read from the chain: task outcomes, slashes, appeals and their decisions, governance
/// proposals with the governor's tallies and every vote cast, fees burned, emissions released, gas per function from the receipts, and
/// the ACC conservation check (exact, uint256).
/// </summary>
public sealed record NetworkReport
{
    /// <summary>Tasks by on-chain outcome (Accepted, Rejected, Refunded, Inconclusive, and still open ones by status).</summary>
    public required IReadOnlyDictionary<string, int> Tasks { get; init; }

    /// <summary>Tasks settled (any final status).</summary>
    public int Settled => Tasks.Where(kv => kv.Key is "Accepted" or "Rejected" or "Refunded" or "Inconclusive").Sum(kv => kv.Value);

    /// <summary>Accepted / (Accepted + Rejected); 0 when none was judged.</summary>
    public double ApprovalRate
    {
        get
        {
            int a = Tasks.GetValueOrDefault("Accepted"), r = Tasks.GetValueOrDefault("Rejected");
            return a + r == 0 ? 0 : (double)a / (a + r);
        }
    }

    /// <summary>Slashes recorded by Staking since the run began.</summary>
    public required BigInteger Slashes { get; init; }

    /// <summary>Slash appeals filed since the run began (Staking's SlashAppealed events).</summary>
    public required int Appeals { get; init; }

    /// <summary>Appeals filed since the run began, each with its decision (Staking's AppealDismissed / SlashReversed events).</summary>
    public IReadOnlyList<AppealOutcome> AppealOutcomes { get; init; } = [];

    /// <summary>Governance proposals created since the run began (ProposalCreated), with the governor's state and tallies and every vote.</summary>
    public IReadOnlyList<ProposalOutcome> Proposals { get; init; } = [];

    /// <summary>ACC burned during the run (wei): transfers to the zero address.</summary>
    public required BigInteger Burned { get; init; }

    /// <summary>ACC released by the four emission pools during the run (wei).</summary>
    public required BigInteger EmissionsReleased { get; init; }

    /// <summary>Total supply at the run's start and end (wei).</summary>
    public required BigInteger SupplyBefore { get; init; }

    /// <summary>Total supply at the end (wei).</summary>
    public required BigInteger SupplyAfter { get; init; }

    /// <summary>ACC minted during the run (transfers from the zero address), expected 0.</summary>
    public required BigInteger Minted { get; init; }

    /// <summary>Sum of the balances of every address that ever received ACC, at the end block (wei).</summary>
    public required BigInteger SumOfHolders { get; init; }

    /// <summary>Addresses that ever held ACC.</summary>
    public required int Holders { get; init; }

    /// <summary>True when the holders' balances add up to the supply exactly and the supply moved by exactly mints minus burns.</summary>
    public bool Conserved => SumOfHolders == SupplyAfter && SupplyBefore + Minted - Burned == SupplyAfter;

    /// <summary>Gas by function over every transaction of the run (the blocks from the start to the end).</summary>
    public required IReadOnlyList<GasStage> Gas { get; init; }

    /// <summary>The block range read.</summary>
    public required BigInteger FromBlock { get; init; }

    /// <summary>The last block read.</summary>
    public required BigInteger ToBlock { get; init; }

    /// <summary>
    /// Reads the report from the chain: <paramref name="taskIds"/> statuses, the token's Transfer logs since genesis (holders) and since
    /// <paramref name="fromBlock"/> (burns, mints, emissions), every receipt of the blocks since <paramref name="fromBlock"/> (gas by function).
    /// </summary>
    public static async Task<NetworkReport> ReadAsync(IWeb3 web3, AgentClusterClient client, BigInteger fromBlock, BigInteger supplyBefore,
        BigInteger slashesBefore, IEnumerable<BigInteger> taskIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(taskIds);
        BigInteger to = (await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().ConfigureAwait(false)).Value;
        var at = new BlockParameter(new HexBigInteger(to));
        var outcomes = new Dictionary<string, int>();
        foreach (BigInteger id in taskIds)
        {
            MarketTaskStatus s = (await client.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false)).Status;
            outcomes[s.ToString()] = outcomes.GetValueOrDefault(s.ToString()) + 1;
        }

        AccTokenService token = client.Contracts.Token;
        var transfers = web3.Eth.GetEvent<TransferEventDTO>(token.ContractAddress);
        var all = await transfers.GetAllChangesAsync(transfers.CreateFilterInput(BlockParameter.CreateEarliest(), at)).ConfigureAwait(false);
        List<string> holders = [.. all.Select(l => l.Event.To.ToLowerInvariant()).Where(a => a != AddressUtil.ZERO_ADDRESS).Distinct()];
        BigInteger sum = 0;
        foreach (string h in holders)
        {
            sum += await token.BalanceOfQueryAsync(h, at).ConfigureAwait(false);
        }

        var since = new BlockParameter(new HexBigInteger(fromBlock));
        var appealed = web3.Eth.GetEvent<SlashAppealedEventDTO>(client.Contracts.Staking.ContractAddress);
        var appealLogs = await appealed.GetAllChangesAsync(appealed.CreateFilterInput(since, at)).ConfigureAwait(false);
        var dismissed = web3.Eth.GetEvent<AppealDismissedEventDTO>(client.Contracts.Staking.ContractAddress);
        HashSet<BigInteger> dismissedIds = [.. (await dismissed.GetAllChangesAsync(dismissed.CreateFilterInput(since, at)).ConfigureAwait(false)).Select(e => e.Event.SlashId)];
        var reversed = web3.Eth.GetEvent<SlashReversedEventDTO>(client.Contracts.Staking.ContractAddress);
        HashSet<BigInteger> reversedIds = [.. (await reversed.GetAllChangesAsync(reversed.CreateFilterInput(since, at)).ConfigureAwait(false)).Select(e => e.Event.SlashId)];
        List<AppealOutcome> appeals = [.. appealLogs.Select(e => new AppealOutcome(e.Event.SlashId, e.Event.AgentId,
            dismissedIds.Contains(e.Event.SlashId) ? "AppealDismissed" : reversedIds.Contains(e.Event.SlashId) ? "SlashReversed" : "Pending"))];
        HashSet<string> pools = [.. new[] { "ValidatorsPool", "ComputePool", "MarketplacePool", "ReviewPool" }
            .Select(p => client.Manifest.AddressOf(p).ToLowerInvariant())];
        var during = all.Where(l => l.Log.BlockNumber.Value > fromBlock).ToList();
        BigInteger Total(IEnumerable<EventLog<TransferEventDTO>> logs) => logs.Aggregate(BigInteger.Zero, (s, l) => s + l.Event.Value);

        return new NetworkReport
        {
            Tasks = outcomes,
            Slashes = await client.Contracts.Staking.SlashCountQueryAsync().ConfigureAwait(false) - slashesBefore,
            Appeals = appealLogs.Count,
            AppealOutcomes = appeals,
            Proposals = await ProposalsAsync(web3, client, since, at, cancellationToken).ConfigureAwait(false),
            Burned = Total(during.Where(l => l.Event.To.Equals(AddressUtil.ZERO_ADDRESS, StringComparison.OrdinalIgnoreCase))),
            Minted = Total(during.Where(l => l.Event.From.Equals(AddressUtil.ZERO_ADDRESS, StringComparison.OrdinalIgnoreCase))),
            EmissionsReleased = Total(during.Where(l => pools.Contains(l.Event.From.ToLowerInvariant()))),
            SupplyBefore = supplyBefore,
            SupplyAfter = await token.TotalSupplyQueryAsync(at).ConfigureAwait(false),
            SumOfHolders = sum,
            Holders = holders.Count,
            Gas = await GasByFunctionAsync(web3, fromBlock + 1, to, cancellationToken).ConfigureAwait(false),
            FromBlock = fromBlock,
            ToBlock = to,
        };
    }

    private static async Task<IReadOnlyList<ProposalOutcome>> ProposalsAsync(IWeb3 web3, AgentClusterClient client, BlockParameter from, BlockParameter to, CancellationToken ct)
    {
        var governor = client.Contracts.Governor;
        var created = web3.Eth.GetEvent<ProposalCreatedEventDTO>(governor.ContractAddress);
        var cast = web3.Eth.GetEvent<VoteCastEventDTO>(governor.ContractAddress);
        var proposals = await created.GetAllChangesAsync(created.CreateFilterInput(from, to)).ConfigureAwait(false);
        var votes = await cast.GetAllChangesAsync(cast.CreateFilterInput(from, to)).ConfigureAwait(false);
        var outcomes = new List<ProposalOutcome>();
        foreach (var p in proposals)
        {
            ct.ThrowIfCancellationRequested();
            BigInteger id = p.Event.ProposalId;
            var state = (Sdk.Governance.ProposalState)await governor.StateQueryAsync(id, to).ConfigureAwait(false);
            ProposalVotesOutputDTO tally = await governor.ProposalVotesQueryAsync(id, to).ConfigureAwait(false);
            outcomes.Add(new ProposalOutcome(id, p.Event.Description, state.ToString(), tally.ForVotes, tally.AgainstVotes, tally.AbstainVotes,
                [.. votes.Where(v => v.Event.ProposalId == id).Select(v => new VoteCast(v.Event.Voter, ((Sdk.Governance.VoteType)v.Event.Support).ToString(), v.Event.Weight, v.Event.Reason))]));
        }

        return outcomes;
    }

    private static readonly Lazy<Dictionary<string, string>> Selectors = new(() =>
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        MethodInfo get = typeof(ABITypedRegistry).GetMethod(nameof(ABITypedRegistry.GetFunctionABI), 1, Type.EmptyTypes)!;
        foreach (Type t in typeof(AccTokenService).Assembly.GetTypes().Where(t => t.GetCustomAttribute<FunctionAttribute>() is not null && !t.IsAbstract))
        {
            var abi = (Nethereum.ABI.Model.FunctionABI)get.MakeGenericMethod(t).Invoke(null, null)!;
            map.TryAdd("0x" + abi.Sha3Signature, abi.Name);
        }

        return map;
    });

    private static async Task<IReadOnlyList<GasStage>> GasByFunctionAsync(IWeb3 web3, BigInteger from, BigInteger to, CancellationToken ct)
    {
        var gas = new Dictionary<string, (int N, BigInteger Gas)>();
        for (BigInteger b = from; b <= to; b++)
        {
            ct.ThrowIfCancellationRequested();
            var block = await web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new BlockParameter(new HexBigInteger(b))).ConfigureAwait(false);
            foreach (Transaction tx in block.Transactions)
            {
                TransactionReceipt r = await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TransactionHash).ConfigureAwait(false);
                string input = tx.Input ?? "0x";
                string name = input.Length >= 10 && Selectors.Value.TryGetValue(input[..10], out string? n) ? n : input.Length < 10 ? "(ether transfer)" : "(other)";
                (int N, BigInteger Gas) g = gas.GetValueOrDefault(name);
                gas[name] = (g.N + 1, g.Gas + r.GasUsed.Value);
            }
        }

        return [.. gas.OrderByDescending(kv => kv.Value.Gas).Select(kv => new GasStage(kv.Key, kv.Value.N, kv.Value.Gas))];
    }
}
