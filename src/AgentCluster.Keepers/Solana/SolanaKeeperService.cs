using AgentCluster.Sdk.Networks;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Programs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Solana;

/// <summary>
/// The Solana keeper: one bounded pass every <see cref="SolanaKeeperOptions.PollInterval"/>. A pass reads the chain's clock, every task
/// and (when a committee or a settlement is due) every agent, asks <see cref="SolanaKeeperPlanner"/> what is due, and sends it, at most
/// <see cref="SolanaKeeperOptions.MaxActionsPerPass"/> transactions. Work someone else did first is logged at Debug and skipped; any other
/// failure is logged with its task and the pass carries on; a pass that fails as a whole is logged and counted, and the next one tries
/// again. Nothing it meets stops the host (docs/keepers-solana.md).
/// </summary>
public sealed class SolanaKeeperService : BackgroundService
{
    /// <summary>The compute units asked for an ATA's idempotent creation and a reputation account's opening (upper estimates).</summary>
    internal const uint CreateAtaUnits = 30_000, OpenReputationUnits = 12_000;

    /// <summary>The program's errors that mean "already done by someone else, or no longer due": skipped at Debug.</summary>
    public static readonly IReadOnlySet<AgentClusterProgramError> AlreadyDoneErrors = new HashSet<AgentClusterProgramError>
    {
        AgentClusterProgramError.TaskWrongStatus, AgentClusterProgramError.MemberSettled, AgentClusterProgramError.ExecutorSettled,
        AgentClusterProgramError.AlreadySeated, AgentClusterProgramError.KeyNotBetter, AgentClusterProgramError.WindowClosed,
        AgentClusterProgramError.RevealNotOver, AgentClusterProgramError.SeedNotReady, AgentClusterProgramError.BiddingOpen,
        AgentClusterProgramError.DeadlineNotPassed, AgentClusterProgramError.TaskNotSettled, AgentClusterProgramError.NotMember,
        AgentClusterProgramError.CommitteeNotFull, AgentClusterProgramError.AlreadyInitialized,
    };

    private readonly SolanaKeeperOptions _options;
    private readonly ISolanaKeeperChain _chain;
    private readonly SolanaKeeperMetrics _metrics;
    private readonly ILogger<SolanaKeeperService> _logger;
    private readonly Lazy<(SolanaDeployment Deployment, Account Signer, SolanaKeeperPlanner Planner)> _setup;
    private bool _keeperAccReady;
    private int _failedPasses;
    private long _completedPasses;
    private long _sent;

    /// <summary>Creates the keeper; the deployment and keypair files are read when it starts.</summary>
    public SolanaKeeperService(IOptions<SolanaKeeperOptions> options, ISolanaKeeperChain chain, SolanaKeeperMetrics metrics, ILogger<SolanaKeeperService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _chain = chain ?? throw new ArgumentNullException(nameof(chain));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _setup = new(() =>
        {
            SolanaDeployment deployment = SolanaDeployment.Load(_options.DeploymentPath!);
            Account signer = KeypairFile.Read(_options.KeypairPath!);
            return (deployment, signer, new SolanaKeeperPlanner(deployment, signer.PublicKey));
        });
    }

    /// <summary>The keeper's public key.</summary>
    public PublicKey Keeper => _setup.Value.Signer.PublicKey;

    /// <summary>The keeper's ACC account (its associated token account), where its rewards go.</summary>
    public PublicKey KeeperAcc => _setup.Value.Planner.KeeperAcc;

    /// <summary>Passes completed without a fault.</summary>
    public long CompletedPasses => Interlocked.Read(ref _completedPasses);

    /// <summary>Transactions confirmed since the start.</summary>
    public long TransactionsSent => Interlocked.Read(ref _sent);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SolanaKeeperLog.Started(_logger, Keeper.Key, _setup.Value.Deployment.ProgramId.Key, _options.PollInterval, _options.MaxActionsPerPass);
        using var timer = new PeriodicTimer(_options.PollInterval);
        do
        {
            try
            {
                await RunPassAsync(stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _completedPasses);
                if (_failedPasses > 0)
                {
                    SolanaKeeperLog.Recovered(_logger, _failedPasses);
                    _failedPasses = 0;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _failedPasses++;
                _metrics.Failure(null);
                SolanaKeeperLog.PassFailed(_logger, Describe(e), e);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));

        SolanaKeeperLog.Stopped(_logger);
    }

    /// <summary>One pass: read, plan, send (at most <see cref="SolanaKeeperOptions.MaxActionsPerPass"/> transactions). Returns the transactions confirmed.</summary>
    internal async Task<int> RunPassAsync(CancellationToken cancellationToken)
    {
        (SolanaDeployment deployment, Account signer, SolanaKeeperPlanner planner) = _setup.Value;
        SolanaChainTime time = await _chain.GetChainTimeAsync(cancellationToken).ConfigureAwait(false);
        List<SolanaTaskEntry> tasks = Decode(await _chain.GetProgramAccountsAsync(deployment.ProgramId, TaskAccount.Discriminators[0], cancellationToken)
            .ConfigureAwait(false), "task", (a, d) => new SolanaTaskEntry(a, TaskAccount.Decode(d)));
        var agents = new Dictionary<PublicKey, SolanaAgentEntry>();
        if (SolanaKeeperPlanner.NeedsAgents(tasks, time.UnixTimestamp))
        {
            foreach (SolanaAgentEntry agent in Decode(await _chain.GetProgramAccountsAsync(deployment.ProgramId, AgentAccount.Discriminators[0], cancellationToken)
                .ConfigureAwait(false), "agent", (a, d) => new SolanaAgentEntry(a, AgentAccount.Decode(d))))
            {
                agents[agent.Account.AgentKey] = agent;
            }
        }

        IReadOnlyList<SolanaKeeperAction> plan = planner.Plan(time, tasks, agents);
        if (plan.Count == 0)
        {
            return 0;
        }

        if (!_keeperAccReady)
        {
            await EnsureKeeperAccAsync(deployment, signer, planner.KeeperAcc, cancellationToken).ConfigureAwait(false);
        }

        // Which of the accounts the planned work needs exist already (ATAs of members' owners, reputation accounts).
        var queue = new LinkedList<SolanaKeeperAction>(plan);
        var needed = new HashSet<PublicKey>();
        foreach (SolanaKeeperUnit unit in plan.Take(_options.MaxActionsPerPass).SelectMany(a => a.Units))
        {
            if (unit.AtaOwner is { } owner)
            {
                needed.Add(AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(owner, SolanaKeeperPlanner.MintOf(deployment)));
            }

            if (unit.ReputationAgentKey is { } key)
            {
                needed.Add(AgentClusterProgram.ReputationAddress(deployment.ProgramId, key));
            }
        }

        var existing = new HashSet<PublicKey>();
        if (needed.Count > 0)
        {
            PublicKey[] list = [.. needed];
            IReadOnlyList<bool> exists = await _chain.AccountsExistAsync(list, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < list.Length; i++)
            {
                if (exists[i])
                {
                    existing.Add(list[i]);
                }
            }
        }

        int sent = 0, attempted = 0;
        while (queue.First is { } node && attempted < _options.MaxActionsPerPass)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SolanaKeeperAction action = node.Value;
            queue.RemoveFirst();
            (List<TransactionInstruction> instructions, List<PublicKey> created) = Compose(action, deployment, signer.PublicKey, existing);
            string kind = SolanaKeeperMetrics.KindTag(action.Kind);
            attempted++;
            try
            {
                SolanaSentTransaction tx = await _chain.SendAsync(instructions, signer, cancellationToken).ConfigureAwait(false);
                sent++;
                Interlocked.Increment(ref _sent);
                existing.UnionWith(created);
                _metrics.Action(action.Kind, action.Units.Count, tx.ComputeUnits);
                SolanaKeeperLog.Sent(_logger, kind, action.Units.Count, action.Task.Key, action.TaskId, tx.Signature, tx.ComputeUnits?.ToString() ?? "?");
            }
            catch (TransactionTooLargeException) when (action.Units.Count > 1)
            {
                attempted--; // nothing was sent
                SolanaKeeperLog.Split(_logger, kind, action.Units.Count, action.Task.Key);
                int half = action.Units.Count / 2;
                queue.AddFirst(action with { Units = action.Units.Skip(half).ToArray() });
                queue.AddFirst(action with { Units = action.Units.Take(half).ToArray() });
            }
            catch (SolanaTransactionRefusedException e) when (IsAlreadyDone(e, deployment))
            {
                _metrics.Skipped(action.Kind);
                SolanaKeeperLog.AlreadyDone(_logger, kind, action.Task.Key, action.TaskId, ((AgentClusterProgramError)e.CustomCode!.Value).ToString());
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics.Failure(action.Kind);
                SolanaKeeperLog.ActionFailed(_logger, kind, action.Task.Key, action.TaskId, Describe(e), e);
            }
        }

        if (queue.Count > 0)
        {
            SolanaKeeperLog.PassLimit(_logger, _options.MaxActionsPerPass, queue.Count);
        }

        return sent;
    }

    /// <summary>Whether the program refused the instruction because its work is done or no longer due.</summary>
    internal static bool IsAlreadyDone(SolanaTransactionRefusedException e, SolanaDeployment deployment) =>
        e.CustomCode is { } code && e.Program == deployment.ProgramId && AlreadyDoneErrors.Contains((AgentClusterProgramError)code);

    private static (List<TransactionInstruction> Instructions, List<PublicKey> Created) Compose(SolanaKeeperAction action, SolanaDeployment deployment,
        PublicKey keeper, HashSet<PublicKey> existing)
    {
        var body = new List<TransactionInstruction>();
        var created = new List<PublicKey>();
        ulong units = 5_000;
        foreach (SolanaKeeperUnit unit in action.Units)
        {
            if (unit.AtaOwner is { } owner)
            {
                PublicKey ata = AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(owner, SolanaKeeperPlanner.MintOf(deployment));
                if (!existing.Contains(ata) && !created.Contains(ata))
                {
                    body.Add(AssociatedTokenAccountProgram.CreateIdempotent(keeper, owner, SolanaKeeperPlanner.MintOf(deployment)));
                    created.Add(ata);
                    units += CreateAtaUnits;
                }
            }

            if (unit is { ReputationAgentKey: { } key, ReputationAgentAddress: { } agentAddress })
            {
                PublicKey reputation = AgentClusterProgram.ReputationAddress(deployment.ProgramId, key);
                if (!existing.Contains(reputation) && !created.Contains(reputation))
                {
                    body.Add(AgentClusterProgram.OpenReputation(deployment.ProgramId, keeper, agentAddress, reputation));
                    created.Add(reputation);
                    units += OpenReputationUnits;
                }
            }

            body.Add(unit.Instruction);
            units += unit.ComputeUnits;
        }

        var instructions = new List<TransactionInstruction>(body.Count + 1) { ComputeBudgetProgram.SetComputeUnitLimit((uint)Math.Min(units, 1_400_000)) };
        instructions.AddRange(body);
        return (instructions, created);
    }

    private async Task EnsureKeeperAccAsync(SolanaDeployment deployment, Account signer, PublicKey keeperAcc, CancellationToken cancellationToken)
    {
        if (!(await _chain.AccountsExistAsync([keeperAcc], cancellationToken).ConfigureAwait(false))[0])
        {
            await _chain.SendAsync([AssociatedTokenAccountProgram.CreateIdempotent(signer.PublicKey, signer.PublicKey, SolanaKeeperPlanner.MintOf(deployment))],
                signer, cancellationToken).ConfigureAwait(false);
            SolanaKeeperLog.KeeperAccReady(_logger, keeperAcc.Key);
        }

        _keeperAccReady = true;
    }

    private List<T> Decode<T>(IReadOnlyList<SolanaProgramAccount> accounts, string kind, Func<PublicKey, byte[], T> decode)
    {
        var list = new List<T>(accounts.Count);
        foreach (SolanaProgramAccount a in accounts)
        {
            try
            {
                list.Add(decode(a.Address, a.Data));
            }
            catch (FormatException e)
            {
                SolanaKeeperLog.Undecodable(_logger, a.Address.Key, kind, e.Message);
            }
        }

        return list;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string Describe(Exception e) =>
        $"{e.GetType().Name}: {e.Message.Split('\n')[0]}" + (e.InnerException is { } inner ? $" ({inner.Message.Split('\n')[0]})" : "");
}
