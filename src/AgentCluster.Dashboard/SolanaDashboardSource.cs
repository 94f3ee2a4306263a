using System.Globalization;
using AgentCluster.Solana;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Rpc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SolAgentStatus = AgentCluster.Solana.Programs.AgentStatus;

namespace AgentCluster.Dashboard;

/// <summary>
/// The dashboard's Solana source (docs/dashboard.md, "As built: Solana"): polls the AgentCluster program's agent and task accounts
/// (<c>getProgramAccounts</c> with the discriminator, through <see cref="SolanaRpcClient"/>) and decodes them with the bindings
/// (<see cref="AgentAccount"/>, <see cref="TaskAccount"/>); <c>/api/solana</c> serves the last read, which the page shows beside the EVM
/// index's agents and tasks, each tagged with its chain. A failed read keeps the last one and is logged once per kind of failure.
/// </summary>
public sealed class SolanaDashboardSource : BackgroundService
{
    private readonly DashboardOptions _options;
    private readonly ILogger<SolanaDashboardSource> _logger;
    private volatile SolanaView? _view;
    private string? _lastError;

    /// <summary>A source for <paramref name="options"/>' Solana RPC and program.</summary>
    public SolanaDashboardSource(DashboardOptions options, ILogger<SolanaDashboardSource> logger)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The last read (null: none yet).</summary>
    public SolanaView? View => _view;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.SolanaRpcUrl is not { } url || _options.SolanaProgramId is not { } programId)
        {
            return;
        }

        var program = new PublicKey(programId);
        using var rpc = new SolanaRpcClient(url, new SolanaRpcOptions { MaxRetryAttempts = 1, AttemptTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(10) });
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _view = await ReadAsync(rpc, program, stoppingToken).ConfigureAwait(false);
                _lastError = null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (_lastError != e.GetType().Name)
                {
                    _lastError = e.GetType().Name;
                    _logger.LogWarning("Solana source: reading {Program} on {Url} failed: {Message}", programId, url, e.Message);
                }
            }

            try
            {
                await Task.Delay(_options.SolanaPollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads the program's agents and tasks now.</summary>
    public static async Task<SolanaView> ReadAsync(SolanaRpcClient rpc, PublicKey program, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(program);
        var agents = await rpc.GetProgramAccountsAsync(program, [ProgramAccountFilter.Memcmp(0, [AgentAccount.Discriminators[0]])], Commitment.Confirmed, cancellationToken)
            .ConfigureAwait(false);
        var tasks = await rpc.GetProgramAccountsAsync(program, [ProgramAccountFilter.Memcmp(0, [TaskAccount.Discriminators[0]])], Commitment.Confirmed, cancellationToken)
            .ConfigureAwait(false);
        static string Time(long unix) => unix <= 0 ? "" : DateTimeOffset.FromUnixTimeSeconds(unix).ToString("O", CultureInfo.InvariantCulture);
        return new SolanaView(
            program.Key,
            DateTimeOffset.UtcNow,
            [.. agents.Value.Select(a => AgentAccount.Decode(a.Account.Data)).Select(a => new SolanaAgentView(a.AgentKey.Key, a.Owner.Key, a.Status.ToString(),
                a.Capabilities.ToString(CultureInfo.InvariantCulture), a.ActiveStake.ToString(CultureInfo.InvariantCulture), Time(a.AttestedUntil), a.Status == SolAgentStatus.Active))
                .OrderBy(a => a.AgentKey, StringComparer.Ordinal)],
            [.. tasks.Value.Select(t => (t.PublicKey, Task: TaskAccount.Decode(t.Account.Data))).Select(t => new SolanaTaskView(t.PublicKey.Key,
                t.Task.Id.ToString(CultureInfo.InvariantCulture), t.Task.Requester.Key, t.Task.Status.ToString(),
                t.Task.Executor.Equals(PublicKey.Default) ? null : t.Task.Executor.Key, t.Task.CommitteeSize, t.Task.Seats,
                t.Task.Bounty.ToString(CultureInfo.InvariantCulture), Time(t.Task.SubmittedAt)))
                .OrderBy(t => t.Submitted, StringComparer.Ordinal).ThenBy(t => t.Task, StringComparer.Ordinal)]);
    }
}

/// <summary>What the Solana source read: the program's agents and tasks (amounts in ACC base units, 9 decimals).</summary>
/// <param name="ProgramId">The program.</param>
/// <param name="ReadAt">When.</param>
/// <param name="Agents">Its agent accounts.</param>
/// <param name="Tasks">Its task accounts.</param>
public sealed record SolanaView(string ProgramId, DateTimeOffset ReadAt, IReadOnlyList<SolanaAgentView> Agents, IReadOnlyList<SolanaTaskView> Tasks)
{
    /// <summary>The chain's tag on the page.</summary>
    public string Chain => "solana";
}

/// <summary>A Solana agent on the page.</summary>
/// <param name="AgentKey">The agent key (base58): the agent's name on Solana.</param>
/// <param name="Owner">Its owner.</param>
/// <param name="Status">Pending, Active or Exited.</param>
/// <param name="Capabilities">Capability bits (decimal).</param>
/// <param name="Stake">Active stake (base units).</param>
/// <param name="AttestedUntil">Attestation expiry (ISO 8601; empty: never).</param>
/// <param name="Active">Status Active.</param>
public sealed record SolanaAgentView(string AgentKey, string Owner, string Status, string Capabilities, string Stake, string AttestedUntil, bool Active);

/// <summary>A Solana task on the page.</summary>
/// <param name="Task">The task account (base58).</param>
/// <param name="Id">The requester's task id.</param>
/// <param name="Requester">The requester.</param>
/// <param name="Status">Bidding .. Missed.</param>
/// <param name="Executor">The executor's agent key (null: none).</param>
/// <param name="CommitteeSize">Committee size asked for.</param>
/// <param name="Seats">Seats filled.</param>
/// <param name="Bounty">Bounty (base units).</param>
/// <param name="Submitted">Submission time (ISO 8601).</param>
public sealed record SolanaTaskView(string Task, string Id, string Requester, string Status, string? Executor, int CommitteeSize, int Seats, string Bounty, string Submitted);
