using System.Numerics;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Evm.Errors;
using AgentCluster.Keepers.Sharing;
using AgentCluster.Sdk;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// Closes the bidding of every task whose bidding window ended (<c>TaskMarket.assign</c>): the best bid is assigned, or without one the
/// requester is refunded. The market credits the caller the task's <c>keeperReward</c> (pull-based, in its earnings); the duty counts the
/// reward from the receipt's <c>Earned</c> events for the signer, and the gas from the receipt. Idempotent on-chain: a task another
/// keeper closed first reverts <c>WrongStatus</c> at gas estimation (no transaction, no gas) and is skipped.
/// </summary>
public sealed class AssignmentDuty(KeeperClient client, IAssignableTasks tasks, KeeperRota rota, IOptions<KeeperOptions> options, KeeperMetrics metrics,
    ILogger<AssignmentDuty> logger) : KeeperDuty(DutyName, client, options, metrics, logger)
{
    /// <summary>The duty's name in logs and metrics.</summary>
    public const string DutyName = "assignment";

    /// <summary>The work kind in the <see cref="KeeperRota"/>.</summary>
    public const string WorkKind = "assign";

    /// <summary>
    /// How long a task this keeper's own assign was mined for is not sent again when it looks open again (a reorganisation took the block
    /// back): the durable transaction manager re-sends that same transaction (same nonce) within a few of its polls; a new one would be the
    /// same call sent twice as a new nonce (found by the fault suite, tests/AgentCluster.Keepers.Tests/Faults). After this, if the task is
    /// still open, the duty acts again.
    /// </summary>
    public static readonly TimeSpan ResendHold = TimeSpan.FromMinutes(1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<BigInteger, SentAssign> _sent = new();

    private sealed class SentAssign(string hash, DateTimeOffset at)
    {
        public string Hash { get; } = hash;

        public DateTimeOffset At { get; } = at;

        public bool Logged { get; set; }
    }

    /// <inheritdoc />
    protected override async Task RunPassAsync(AgentClusterClient client, CancellationToken cancellationToken)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (var old in _sent.Where(kv => now - kv.Value.At >= ResendHold).ToList())
        {
            _sent.TryRemove(old.Key, out _);
        }

        foreach (BigInteger taskId in await tasks.FindAssignableAsync(client, cancellationToken).ConfigureAwait(false))
        {
            if (_sent.TryGetValue(taskId, out SentAssign? mine))
            {
                if (!mine.Logged)
                {
                    mine.Logged = true;
                    KeeperLog.OpenAgain(Logger, taskId.ToString(), mine.Hash, ResendHold);
                }

                continue;
            }

            if (!rota.ShouldAct(client.Address!, taskId, WorkKind))
            {
                continue; // another keeper's, until its take-over delay passes
            }

            TransactionReceipt receipt;
            try
            {
                receipt = await client.Tasks.AssignAsync(taskId, cancellationToken).ConfigureAwait(false);
            }
            catch (ContractCustomErrorException<WrongStatusError> e)
            {
                KeeperLog.AlreadyDone(Logger, taskId.ToString(), e.Message);
                rota.Done(taskId, WorkKind);
                continue;
            }

            rota.Done(taskId, WorkKind);
            _sent[taskId] = new SentAssign(receipt.TransactionHash, DateTimeOffset.UtcNow);

            BigInteger gas = receipt.GasUsed.Value * (receipt.EffectiveGasPrice?.Value ?? BigInteger.Zero);
            BigInteger reward = receipt.DecodeAllEvents<EarnedEventDTO>()
                .Where(e => string.Equals(e.Event.Account, client.Address, StringComparison.OrdinalIgnoreCase))
                .Aggregate(BigInteger.Zero, (sum, e) => sum + e.Event.Amount);
            string outcome = receipt.DecodeAllEvents<TaskAssignedEventDTO>().Count > 0 ? "assigned" : "refunded (no bid)";
            Metrics.Action(Name, gas, reward);
            KeeperLog.Assigned(Logger, taskId.ToString(), outcome, receipt.TransactionHash, gas.ToString(), reward.ToString());
        }
    }
}
