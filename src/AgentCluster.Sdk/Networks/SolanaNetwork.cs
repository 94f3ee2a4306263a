using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Reviews;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Program = AgentCluster.Solana.Programs.AgentClusterProgram;
using SolAgentStatus = AgentCluster.Solana.Programs.AgentStatus;
using SdkAgentStatus = AgentCluster.Sdk.Agents.AgentStatus;
using SolTaskStatus = AgentCluster.Solana.Programs.TaskStatus;

namespace AgentCluster.Sdk.Networks;

/// <summary>
/// <see cref="IAgentClusterNetwork"/> on Solana: the AgentCluster program through AgentCluster.Solana (its typed instructions and
/// account decoders). Agents are named by their agent key, tasks by their task account. Every send builds a transaction (legacy or v0), signs
/// it with the signer (fee payer) and the agent keys it needs, sends it with preflight (a failed preflight with the program's error is
/// an <see cref="AgentClusterProgramException"/> naming it) and waits, bounded, for the options' commitment; see <see cref="SendAsync"/>
/// for what a timeout does. On Solana the agent key itself signs <c>post_result</c> and <c>commit_vote</c>, so the network keeps the
/// keys of the agents it registered and those given to <see cref="UseKey"/>.
/// </summary>
public sealed class SolanaNetwork : IAgentClusterNetwork, INetworkAgents, INetworkStaking, INetworkTasks, INetworkReviews
{
    /// <summary>The smallest committee the program accepts.</summary>
    public const int MinCommitteeSize = 3;

    /// <summary>The largest committee the program accepts.</summary>
    public const int MaxCommitteeSize = 100;

    /// <summary>Committees above this need the task reserved first (<c>reserve_task</c>).</summary>
    public const int InlineSeats = 64;

    /// <summary>The longest an attestation may run (the program's bound).</summary>
    public static readonly TimeSpan MaxAttestationValidity = TimeSpan.FromDays(30);

    private readonly SolanaNetworkChain _chain;
    private readonly SolanaNetworkOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Account> _keys = new(StringComparer.Ordinal);
    private readonly BigInteger _saltChainId;
    private readonly Lock _storeGate = new();
    private SaltStore? _store;

    private Commitment Level => CommitmentExtensions.FromRpcName(_options.Commitment) ?? Commitment.Confirmed;

    private SolanaNetwork(SolanaNetworkChain chain, SolanaNetworkOptions options, SolanaDeployment deployment, Account signer, PublicKey mint,
        BigInteger saltChainId, ILogger logger)
    {
        _chain = chain;
        _options = options;
        Deployment = deployment;
        Signer = signer;
        Mint = mint;
        _saltChainId = saltChainId;
        _logger = logger;
    }

    /// <summary>The deployment connected to.</summary>
    public SolanaDeployment Deployment { get; }

    /// <summary>The AgentCluster program.</summary>
    public PublicKey ProgramId => Deployment.ProgramId;

    /// <summary>ACC's mint (checked against the config at connect time).</summary>
    public PublicKey Mint { get; }

    /// <summary>The signer: fee payer, owner of the agents it registers, requester of the tasks it submits.</summary>
    public Account Signer { get; }

    /// <summary>The node's URL.</summary>
    public Uri RpcUrl => _chain.Url;

    /// <inheritdoc/>
    public NetworkKind Kind => NetworkKind.Solana;

    /// <inheritdoc/>
    public string Name => $"solana:{ProgramId}";

    /// <inheritdoc/>
    public string Account => Signer.PublicKey.Key;

    /// <inheritdoc/>
    public int AccDecimals => 9;

    /// <inheritdoc/>
    public INetworkAgents Agents => this;

    /// <inheritdoc/>
    public INetworkStaking Staking => this;

    /// <inheritdoc/>
    public INetworkTasks Tasks => this;

    /// <inheritdoc/>
    public INetworkReviews Reviews => this;

    /// <summary>The signer's ACC account (its associated token account for <see cref="Mint"/>).</summary>
    public PublicKey SignerAccAccount => AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(Signer.PublicKey, Mint);

    /// <summary>
    /// Connects: the options checked, the deployment file and the signer's keypair file read, then the node asked (getHealth), the
    /// program account found executable, the config PDA found with genesis complete and its mint equal to the deployment's. Nothing is
    /// sent.
    /// </summary>
    /// <exception cref="ArgumentException">Bad options (the message names the option).</exception>
    /// <exception cref="FileNotFoundException">The deployment or keypair file does not exist.</exception>
    /// <exception cref="FormatException">The deployment file is not a deployment.</exception>
    /// <exception cref="KeypairFileException">The keypair file is not a keypair.</exception>
    /// <exception cref="NodeUnreachableException">The node does not answer (the message names the URL).</exception>
    /// <exception cref="SolanaDeploymentException">No such program, not executable, no config, genesis unfinished, or another mint.</exception>
    public static async Task<SolanaNetwork> ConnectAsync(SolanaNetworkOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        SolanaDeployment deployment = options.Deployment ?? SolanaDeployment.Load(options.DeploymentPath!);
        Account signer = options.Account ?? KeypairFile.Read(options.KeypairPath!);
        string url = options.RpcUrl ?? deployment.RpcUrl
            ?? throw new ArgumentException("Solana network options: set RpcUrl (the deployment records no 'rpc').");
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Solana network options: the deployment's rpc '{url}' is not an http or https URL; set RpcUrl.");
        }

        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SolanaNetwork>();
        var chain = new SolanaNetworkChain(uri, logger);
        try
        {
            string health;
            try
            {
                health = await chain.GetHealthAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SolanaNodeUnreachableException e)
            {
                throw new NodeUnreachableException($"The Solana node at {uri} does not answer: {e.Message}", e);
            }
            catch (SolanaRpcException e)
            {
                throw new NodeUnreachableException($"The Solana node at {uri} is not healthy: {e.Message}", e);
            }

            if (health != "ok")
            {
                throw new NodeUnreachableException($"The Solana node at {uri} is not healthy (getHealth: {health}).", new InvalidOperationException(health));
            }

            Commitment commitment = CommitmentExtensions.FromRpcName(options.Commitment) ?? Commitment.Confirmed;
            PublicKey config = Program.ConfigAddress(deployment.ProgramId);
            if (deployment.Config is { } recorded && recorded != config)
            {
                throw new SolanaDeploymentException($"The deployment records config {recorded}, but program {deployment.ProgramId}'s config PDA is {config}.");
            }

            IReadOnlyList<SolanaChainAccount?> accounts = await chain.GetAccountsAsync([deployment.ProgramId, config], commitment, cancellationToken).ConfigureAwait(false);
            SolanaChainAccount program = accounts[0]
                ?? throw new SolanaDeploymentException($"No account at the program id {deployment.ProgramId} on {uri}: wrong deployment or wrong cluster.");
            if (!program.Executable)
            {
                throw new SolanaDeploymentException($"The account at the program id {deployment.ProgramId} on {uri} is not executable: it is not a program.");
            }

            SolanaChainAccount configAccount = accounts[1]
                ?? throw new SolanaDeploymentException($"Program {deployment.ProgramId} on {uri} has no config account ({config}): it was never initialized.");
            if (configAccount.Owner != deployment.ProgramId)
            {
                throw new SolanaDeploymentException($"The config account {config} is owned by {configAccount.Owner}, not by program {deployment.ProgramId}.");
            }

            ConfigAccount decoded;
            try
            {
                decoded = ConfigAccount.Decode(configAccount.Data);
            }
            catch (FormatException e)
            {
                throw new SolanaDeploymentException($"The config account {config} of program {deployment.ProgramId} does not decode: {e.Message}");
            }

            if (decoded.GenesisStage < 6 || decoded.Discriminator != ConfigAccount.Discriminators[0])
            {
                throw new SolanaDeploymentException($"Program {deployment.ProgramId}'s genesis is not complete (stage {decoded.GenesisStage} of 6): nothing can be done before it is.");
            }

            if (deployment.Mint is { } mint && mint != decoded.Mint)
            {
                throw new SolanaDeploymentException($"The deployment records mint {mint}, but program {deployment.ProgramId}'s config holds mint {decoded.Mint}.");
            }

            string genesis = await chain.GetGenesisHashAsync(cancellationToken).ConfigureAwait(false);
            var saltChainId = new BigInteger(Base58.Decode(genesis), isUnsigned: true, isBigEndian: true);
            logger.LogInformation("Connected to AgentCluster program {Program} on {Url} as {Signer}", deployment.ProgramId, uri, signer.PublicKey);
            return new SolanaNetwork(chain, options, deployment with { Mint = decoded.Mint, Config = config }, signer, decoded.Mint, saltChainId, logger);
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }

    // ------------------------------------------------------------------ keys

    /// <inheritdoc/>
    public NetworkKey NewKey() => new SolanaNetworkKey(Solana.Keys.Account.Generate());

    /// <summary>
    /// Lets the network sign with <paramref name="key"/> (an agent key loaded from a keypair file, say): agents' <c>post_result</c> and
    /// <c>commit_vote</c> must be signed by the agent key itself. The keys of agents registered through this network are kept already.
    /// </summary>
    /// <exception cref="ArgumentException">A key of another chain.</exception>
    public void UseKey(NetworkKey key) => _keys[Expect(key, nameof(key)).Address] = ((SolanaNetworkKey)key).Account;

    // ------------------------------------------------------------------ chain

    /// <inheritdoc/>
    public async Task<DateTimeOffset> ChainTimeAsync(CancellationToken cancellationToken = default)
    {
        SolanaChainAccount clock = await _chain.GetAccountAsync(WellKnown.SysvarClock, Level, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The node at {RpcUrl} has no Clock sysvar.");
        return DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64LittleEndian(clock.Data.AsSpan(32, 8)));
    }

    /// <inheritdoc/>
    public async Task<BigInteger> GetAccBalanceAsync(CancellationToken cancellationToken = default) =>
        SolanaTokenReads.TokenAmount(await _chain.GetAccountAsync(SignerAccAccount, Level, cancellationToken).ConfigureAwait(false));

    /// <summary>The program's config (parameters, market terms, vaults), read now.</summary>
    public async Task<ConfigAccount> GetConfigAsync(CancellationToken cancellationToken = default)
    {
        SolanaChainAccount account = await _chain.GetAccountAsync(Program.ConfigAddress(ProgramId), Level, cancellationToken).ConfigureAwait(false)
            ?? throw new SolanaDeploymentException($"Program {ProgramId}'s config account is gone.");
        return ConfigAccount.Decode(account.Data);
    }

    // ------------------------------------------------------------------ agents

    /// <inheritdoc/>
    /// <remarks>
    /// <c>register_agent</c> with the signer's ACC account (its associated token account, created idempotently in the same transaction),
    /// then <c>open_reputation</c> so the market can record the agent's reputation; the agent key signs too, and the network keeps it.
    /// Solana keeps no metadata URI: <paramref name="metadataUri"/> is checked and not stored.
    /// </remarks>
    /// <exception cref="ArgumentException">A key of another chain, an empty URI, or a key already registered.</exception>
    /// <exception cref="InsufficientAccException">The signer holds less ACC than bond + fee.</exception>
    public async Task<AgentRef> RegisterAsync(NetworkKey agentKey, ulong capabilities, string metadataUri, CancellationToken cancellationToken = default)
    {
        SolanaNetworkKey key = Expect(agentKey, nameof(agentKey));
        ArgumentException.ThrowIfNullOrWhiteSpace(metadataUri);
        PublicKey agentPda = Program.AgentAddress(ProgramId, key.Account.PublicKey);
        if (await _chain.GetAccountAsync(agentPda, Level, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new ArgumentException($"Agent key {key.Address} is already registered (agent account {agentPda}); a key binds once, ever.", nameof(agentKey));
        }

        ConfigAccount config = await GetConfigAsync(cancellationToken).ConfigureAwait(false);
        BigInteger needed = (BigInteger)config.RegistrationBond + config.RegistrationFee;
        BigInteger balance = await GetAccBalanceAsync(cancellationToken).ConfigureAwait(false);
        if (balance < needed)
        {
            throw new InsufficientAccException("Registering an agent (bond + fee, ACC base units of 9 decimals)", needed, balance);
        }

        await SendAsync("register_agent",
        [
            AssociatedTokenAccountProgram.CreateIdempotent(Signer.PublicKey, Signer.PublicKey, Mint),
            Program.RegisterAgent(ProgramId, Signer.PublicKey, key.Account.PublicKey, agentPda, SignerAccAccount, capabilities),
            Program.OpenReputation(ProgramId, Signer.PublicKey, agentPda, Program.ReputationAddress(ProgramId, key.Account.PublicKey)),
        ], [key.Account], cancellationToken).ConfigureAwait(false);
        _keys[key.Address] = key.Account;
        return new AgentRef(key.Address);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The attestor's <see cref="SolanaNetworkKey"/> signs the 136-byte message <c>attest</c> rebuilds (docs/solana-program.md,
    /// "Attestations"), carried by an Ed25519 native-program instruction right before <c>attest</c>; the nonce is the agent's last + 1.
    /// The signer pays the fee; the attestor does not sign the transaction.
    /// </remarks>
    /// <exception cref="ArgumentException">A key of another chain, a measurement hash that is not 32 bytes, an expiry not in the future or over 30 days ahead.</exception>
    /// <exception cref="SolanaUnknownAgentException">No such agent.</exception>
    public async Task AttestAsync(AgentRef agent, NetworkAttestation attestation, NetworkKey attestor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        SolanaNetworkKey attestorKey = Expect(attestor, nameof(attestor));
        PublicKey agentKey = AgentKeyOf(agent);
        if (attestation.MeasurementHash is not { Length: 32 })
        {
            throw new ArgumentException($"The measurement hash must be 32 bytes, not {attestation.MeasurementHash?.Length ?? 0}.", nameof(attestation));
        }

        DateTimeOffset now = await ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        if (attestation.ExpiresAt <= now || attestation.ExpiresAt > now + MaxAttestationValidity)
        {
            throw new ArgumentException($"The attestation's expiry {attestation.ExpiresAt:O} must be after the chain's time {now:O} and at most 30 days ahead.", nameof(attestation));
        }

        AgentAccount account = await ReadAgentAsync(agentKey, cancellationToken).ConfigureAwait(false);
        long expires = attestation.ExpiresAt.ToUnixTimeSeconds();
        ulong nonce = account.AttestationNonce + 1;
        byte[] message = Program.AttestationMessage(ProgramId, agentKey, attestation.MeasurementHash, attestation.CpuCores, attestation.GpuMemoryMb,
            attestation.TokensPerSecond, expires, nonce);
        await SendAsync("attest",
        [
            Ed25519Program.VerifySignature(attestorKey.Account, message),
            Program.Attest(ProgramId, Program.AgentAddress(ProgramId, agentKey), Program.AttestorAddress(ProgramId, attestorKey.Account.PublicKey),
                attestation.MeasurementHash, attestation.CpuCores, attestation.GpuMemoryMb, attestation.TokensPerSecond, expires, nonce),
        ], [], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="SolanaUnknownAgentException">No such agent.</exception>
    public async Task<NetworkAgent> GetAsync(AgentRef agent, CancellationToken cancellationToken = default)
    {
        PublicKey agentKey = AgentKeyOf(agent);
        AgentAccount account = await ReadAgentAsync(agentKey, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = await ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        return new NetworkAgent(agent, account.AgentKey.Key, account.Owner.Key, StatusOf(account, now), account.Capabilities, account.ActiveStake,
            account.AttestedUntil == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(account.AttestedUntil));
    }

    /// <summary>The agent account, decoded (status, owner, stake, attestation, slash counter, stake history).</summary>
    /// <exception cref="SolanaUnknownAgentException">No such agent.</exception>
    public Task<AgentAccount> GetAgentAccountAsync(AgentRef agent, CancellationToken cancellationToken = default) =>
        ReadAgentAsync(AgentKeyOf(agent), cancellationToken);

    /// <summary>The SDK's status of an agent account at <paramref name="now"/>: Suspended is an Active agent whose attestation has run out (the program's rule).</summary>
    public static SdkAgentStatus StatusOf(AgentAccount account, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.Status switch
        {
            SolAgentStatus.Pending => SdkAgentStatus.Pending,
            SolAgentStatus.Active => account.AttestedUntil <= now.ToUnixTimeSeconds() ? SdkAgentStatus.Suspended : SdkAgentStatus.Active,
            SolAgentStatus.Exited => SdkAgentStatus.Exited,
            _ => SdkAgentStatus.None,
        };
    }

    // ------------------------------------------------------------------ staking

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">An amount of 0 or over 2^64 - 1.</exception>
    /// <exception cref="ArgumentException">An agent the signer does not own.</exception>
    /// <exception cref="InsufficientAccException">The signer holds less ACC than the amount.</exception>
    public async Task<BigInteger> StakeAsync(AgentRef agent, BigInteger amount, CancellationToken cancellationToken = default)
    {
        PublicKey agentKey = AgentKeyOf(agent);
        ulong units = U64(amount, nameof(amount), allowZero: false);
        AgentAccount account = await ReadAgentAsync(agentKey, cancellationToken).ConfigureAwait(false);
        RequireOwner(account, agent);
        BigInteger balance = await GetAccBalanceAsync(cancellationToken).ConfigureAwait(false);
        if (balance < amount)
        {
            throw new InsufficientAccException("Staking (ACC base units of 9 decimals)", amount, balance);
        }

        await SendAsync("stake", [Program.Stake(ProgramId, Signer.PublicKey, Program.AgentAddress(ProgramId, agentKey), SignerAccAccount, units)], [],
            cancellationToken).ConfigureAwait(false);
        return (await ReadAgentAsync(agentKey, cancellationToken).ConfigureAwait(false)).ActiveStake;
    }

    /// <inheritdoc/>
    public async Task<BigInteger> GetStakeAsync(AgentRef agent, CancellationToken cancellationToken = default) =>
        (await ReadAgentAsync(AgentKeyOf(agent), cancellationToken).ConfigureAwait(false)).ActiveStake;

    // ------------------------------------------------------------------ tasks

    /// <inheritdoc/>
    /// <remarks>The least stake is 1 base unit: the program asks an agent to have some active stake to bid, and stake at the snapshot to sit on a committee.</remarks>
    public async Task<NetworkMarketTerms> GetTermsAsync(CancellationToken cancellationToken = default)
    {
        MarketTerms terms = (await GetConfigAsync(cancellationToken).ConfigureAwait(false)).MarketTerms;
        return new NetworkMarketTerms(TimeSpan.FromSeconds(terms.BiddingWindow), TimeSpan.FromSeconds(terms.MaxTaskDuration), BigInteger.One,
            MinCommitteeSize, MaxCommitteeSize);
    }

    /// <summary>The program's least fee for a task: max(fee bps x bounty / 10,000, (3 x size + 4) x keeper reward + 1).</summary>
    public static BigInteger MinimumFee(ConfigAccount config, BigInteger bounty, int committeeSize)
    {
        ArgumentNullException.ThrowIfNull(config);
        BigInteger byBps = bounty * config.MarketTerms.FeeBps / 10_000;
        BigInteger keeperBudget = (3 * (BigInteger)committeeSize + 4) * config.KeeperReward + 1;
        return BigInteger.Max(byBps, keeperBudget);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The task's id is a fresh random u64 (its address is the PDA of the requester and the id); a committee over 64 reserves the
    /// address first (<c>reserve_task</c>, in the same transaction). The fee defaults to <see cref="MinimumFee"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">A requirements hash that is not 32 bytes, a committee size outside 3..100, a deadline not after the bidding window or beyond the maximum duration, or a fee below the minimum.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bounty of 0 or an amount over 2^64 - 1.</exception>
    /// <exception cref="InsufficientAccException">The signer holds less ACC than bounty + fee.</exception>
    public async Task<TaskRef> SubmitAsync(NetworkTaskSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (submission.RequirementsHash is not { Length: 32 })
        {
            throw new ArgumentException($"RequirementsHash must be 32 bytes, not {submission.RequirementsHash?.Length ?? 0}.", nameof(submission));
        }

        int size = submission.CommitteeSize ?? MinCommitteeSize;
        if (size is < MinCommitteeSize or > MaxCommitteeSize)
        {
            throw new ArgumentException($"CommitteeSize must be between {MinCommitteeSize} and {MaxCommitteeSize} on a Solana network (got {size}).", nameof(submission));
        }

        ulong bounty = U64(submission.Bounty, nameof(submission) + ".Bounty", allowZero: false);
        ConfigAccount config = await GetConfigAsync(cancellationToken).ConfigureAwait(false);
        BigInteger minimum = MinimumFee(config, submission.Bounty, size);
        BigInteger feeAmount = submission.Fee ?? minimum;
        if (feeAmount < minimum)
        {
            throw new ArgumentException($"Fee {feeAmount} is below the program's minimum {minimum} for a bounty of {submission.Bounty} and a committee of {size}.", nameof(submission));
        }

        ulong fee = U64(feeAmount, nameof(submission) + ".Fee", allowZero: false);
        DateTimeOffset now = await ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset biddingEnds = now.AddSeconds(config.MarketTerms.BiddingWindow), latest = now.AddSeconds(config.MarketTerms.MaxTaskDuration);
        if (submission.Deadline <= biddingEnds || submission.Deadline > latest)
        {
            throw new ArgumentException($"Deadline {submission.Deadline:O} must be after the bidding window (ends about {biddingEnds:O}) and no later than {latest:O} (chain time {now:O}).",
                nameof(submission));
        }

        BigInteger balance = await GetAccBalanceAsync(cancellationToken).ConfigureAwait(false);
        if (balance < (BigInteger)bounty + fee)
        {
            throw new InsufficientAccException("Submitting a task (bounty + fee, ACC base units of 9 decimals)", (BigInteger)bounty + fee, balance);
        }

        (ulong id, PublicKey task) = await FreshTaskAsync(cancellationToken).ConfigureAwait(false);
        var instructions = new List<TransactionInstruction>();
        if (size > InlineSeats)
        {
            instructions.Add(Program.ReserveTask(ProgramId, Signer.PublicKey, task, id));
        }

        instructions.Add(Program.SubmitTask(ProgramId, Signer.PublicKey, task, Program.TaskVaultAddress(ProgramId, task), SignerAccAccount, id, bounty, fee,
            submission.RequirementsHash, submission.Capabilities, submission.Deadline.ToUnixTimeSeconds(), (byte)size));
        await SendAsync("submit_task", instructions, [], cancellationToken).ConfigureAwait(false);
        return new TaskRef(task.Key);
    }

    /// <inheritdoc/>
    /// <exception cref="SolanaUnknownTaskException">No task at that address.</exception>
    public async Task<NetworkTask> GetAsync(TaskRef task, CancellationToken cancellationToken = default) =>
        Map(TaskAddressOf(task), await ReadTaskAsync(TaskAddressOf(task), cancellationToken).ConfigureAwait(false));

    /// <summary>The task account, decoded (seats, credits, windows).</summary>
    /// <exception cref="SolanaUnknownTaskException">No task at that address.</exception>
    public Task<TaskAccount> GetTaskAccountAsync(TaskRef task, CancellationToken cancellationToken = default) => ReadTaskAsync(TaskAddressOf(task), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// One getProgramAccounts with two memcmp filters (the task discriminator at 0, status Bidding at 4), then the bidding window
    /// (against the Clock) and the capabilities; oldest first.
    /// </remarks>
    public async Task<IReadOnlyList<NetworkTask>> FindOpenAsync(ulong capabilities, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<(PublicKey Address, byte[] Data)> found = await _chain.GetProgramAccountsAsync(ProgramId,
            [(0, [TaskAccount.Discriminators[0]]), (4, [(byte)SolTaskStatus.Bidding])], Level, cancellationToken).ConfigureAwait(false);
        long now = (await ChainTimeAsync(cancellationToken).ConfigureAwait(false)).ToUnixTimeSeconds();
        return found.Select(f => (f.Address, Task: TaskAccount.Decode(f.Data)))
            .Where(t => t.Task.Status == SolTaskStatus.Bidding && now < t.Task.BiddingEndsAt && (t.Task.Capabilities & ~capabilities) == 0)
            .OrderBy(t => t.Task.SubmittedAt).ThenBy(t => t.Address.Key, StringComparer.Ordinal)
            .Select(t => Map(t.Address, t.Task)).ToList();
    }

    /// <inheritdoc/>
    /// <remarks>The signer signs as the agent's owner (or, for an agent of another owner whose key the network holds, the agent key signs).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A price over 2^64 - 1 or negative.</exception>
    /// <exception cref="ArgumentException">An agent neither owned by the signer nor held by the network.</exception>
    public async Task BidAsync(TaskRef task, AgentRef agent, BigInteger price, CancellationToken cancellationToken = default)
    {
        PublicKey taskAddress = TaskAddressOf(task);
        PublicKey agentKey = AgentKeyOf(agent);
        ulong units = U64(price, nameof(price), allowZero: true);
        AgentAccount account = await ReadAgentAsync(agentKey, cancellationToken).ConfigureAwait(false);
        Account? bySigner = account.Owner == Signer.PublicKey ? null
            : _keys.TryGetValue(agentKey.Key, out Account? held) ? held
            : throw new ArgumentException($"Agent {agent} is owned by {account.Owner}, not by this network's signer {Signer.PublicKey}, and its key is not held: " +
                "bid from its owner's network, or give the agent key with UseKey.", nameof(agent));
        await ReadTaskAsync(taskAddress, cancellationToken).ConfigureAwait(false);
        await SendAsync("bid", [Program.Bid(ProgramId, bySigner?.PublicKey ?? Signer.PublicKey, Program.AgentAddress(ProgramId, agentKey), taskAddress, units)],
            bySigner is null ? [] : [bySigner], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>The agent key signs <c>post_result</c>; Solana keeps only the hash, so <paramref name="resultUri"/> is checked and not stored.</remarks>
    /// <exception cref="ArgumentException">A hash that is not 32 bytes, an empty URI, or an agent whose key the network does not hold.</exception>
    public async Task PostResultAsync(TaskRef task, AgentRef agent, byte[] resultHash, string resultUri, CancellationToken cancellationToken = default)
    {
        PublicKey taskAddress = TaskAddressOf(task);
        PublicKey agentKey = AgentKeyOf(agent);
        if (resultHash is not { Length: 32 })
        {
            throw new ArgumentException($"The result hash must be 32 bytes, not {resultHash?.Length ?? 0}.", nameof(resultHash));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(resultUri);
        Account key = HeldKey(agent, agentKey, "post a result");
        await ReadTaskAsync(taskAddress, cancellationToken).ConfigureAwait(false);
        await SendAsync("post_result", [Program.PostResult(ProgramId, key.PublicKey, taskAddress, resultHash)], [key], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>The sum, over the settled tasks where the signer is the requester or the executor's owner, of what each task still owes it.</remarks>
    public async Task<BigInteger> GetEarningsAsync(CancellationToken cancellationToken = default) =>
        (await OwedAsync(cancellationToken).ConfigureAwait(false)).Aggregate(BigInteger.Zero, (sum, o) => sum + o.Amount);

    /// <inheritdoc/>
    /// <remarks>One <c>claim_payout</c> per task that owes the signer (its ACC account created idempotently first); returns the total claimed.</remarks>
    public async Task<BigInteger> WithdrawEarningsAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<(PublicKey Task, ulong Amount)> owed = await OwedAsync(cancellationToken).ConfigureAwait(false);
        BigInteger total = BigInteger.Zero;
        bool first = true;
        foreach ((PublicKey task, ulong amount) in owed)
        {
            var instructions = new List<TransactionInstruction>();
            if (first)
            {
                instructions.Add(AssociatedTokenAccountProgram.CreateIdempotent(Signer.PublicKey, Signer.PublicKey, Mint));
                first = false;
            }

            instructions.Add(Program.ClaimPayout(ProgramId, Signer.PublicKey, task, Program.TaskVaultAddress(ProgramId, task), SignerAccAccount));
            await SendAsync("claim_payout", instructions, [], cancellationToken).ConfigureAwait(false);
            total += amount;
        }

        return total;
    }

    // ------------------------------------------------------------------ reviews

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AgentRef>> GetCommitteeAsync(TaskRef task, CancellationToken cancellationToken = default)
    {
        TaskAccount account = await ReadTaskAsync(TaskAddressOf(task), cancellationToken).ConfigureAwait(false);
        return account.Members.Where(s => s.State != SeatState.Empty).Select(s => new AgentRef(s.AgentKey.Key)).ToList();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The salt (32 random bytes) and the commitment sha256("ACVOTE", task, agent key, vote, salt) are written durably to the salt store
    /// before anything is sent; the agent key signs <c>commit_vote</c>. A commit interrupted before it landed is sent again with the
    /// stored salt (same vote only); a refused commit removes its row.
    /// </remarks>
    /// <exception cref="ArgumentException">An agent not seated on the task, or whose key the network does not hold.</exception>
    /// <exception cref="ReviewAlreadyCommittedException">The agent already committed for this task.</exception>
    public async Task CommitAsync(TaskRef task, AgentRef agent, bool approve, CancellationToken cancellationToken = default)
    {
        PublicKey taskAddress = TaskAddressOf(task);
        PublicKey agentKey = AgentKeyOf(agent);
        Account key = HeldKey(agent, agentKey, "commit a vote");
        TaskAccount account = await ReadTaskAsync(taskAddress, cancellationToken).ConfigureAwait(false);
        byte seat = SeatOf(account, agentKey, task, agent);
        SaltStore store = Store;
        (BigInteger taskId, BigInteger agentId) = (Id(taskAddress), Id(agentKey));
        StoredCommitment? existing = store.Find(_saltChainId, SaltMarket, taskId, agentId);
        StoredCommitment entry;
        if (existing is null)
        {
            byte[] salt = RandomNumberGenerator.GetBytes(32);
            entry = new StoredCommitment(_saltChainId, SaltMarket, taskId, agentId, approve, salt, Program.VoteCommitment(taskAddress, agentKey, approve, salt),
                CommitmentState.Pending);
            if (!store.TryAddPending(entry))
            {
                throw new ReviewAlreadyCommittedException($"Agent {agent} already has a commitment for task {task} in {store.Path} (written concurrently).");
            }
        }
        else if (existing.State == CommitmentState.Pending && existing.Approve == approve)
        {
            entry = existing;
            if (account.Members[seat].State != SeatState.Seated && account.Members[seat].Commitment.AsSpan().SequenceEqual(entry.Commitment))
            {
                store.SetState(_saltChainId, SaltMarket, taskId, agentId, CommitmentState.Committed); // it landed before the interruption
                return;
            }
        }
        else
        {
            throw new ReviewAlreadyCommittedException(
                $"Agent {agent} already committed a vote for task {task} (state {existing.State}, stored in {store.Path}); a member commits once per task.");
        }

        try
        {
            await SendAsync("commit_vote", [Program.CommitVote(ProgramId, key.PublicKey, taskAddress, seat, entry.Commitment)], [key], cancellationToken)
                .ConfigureAwait(false);
        }
        catch (AgentClusterProgramException)
        {
            store.Remove(_saltChainId, SaltMarket, taskId, agentId); // refused: this salt can never be needed
            throw;
        }

        store.SetState(_saltChainId, SaltMarket, taskId, agentId, CommitmentState.Committed);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">No stored commitment of this agent for this task.</exception>
    public async Task RevealAsync(TaskRef task, AgentRef agent, CancellationToken cancellationToken = default)
    {
        PublicKey taskAddress = TaskAddressOf(task);
        PublicKey agentKey = AgentKeyOf(agent);
        (BigInteger taskId, BigInteger agentId) = (Id(taskAddress), Id(agentKey));
        StoredCommitment entry = Store.Find(_saltChainId, SaltMarket, taskId, agentId)
            ?? throw new InvalidOperationException($"No commitment of agent {agent} for task {task} in the salt store {Store.Path}: nothing to reveal.");
        TaskAccount account = await ReadTaskAsync(taskAddress, cancellationToken).ConfigureAwait(false);
        byte seat = SeatOf(account, agentKey, task, agent);
        await SendAsync("reveal_vote", [Program.RevealVote(ProgramId, taskAddress, seat, entry.Approve, entry.Salt)], [], cancellationToken).ConfigureAwait(false);
        Store.SetState(_saltChainId, SaltMarket, taskId, agentId, CommitmentState.Revealed);
    }

    /// <summary>The salt store (opened on first use at the options' <see cref="SolanaNetworkOptions.ReviewStorePath"/>).</summary>
    public SaltStore Store
    {
        get
        {
            lock (_storeGate)
            {
                return _store ??= new SaltStore(_options.ReviewStorePath ?? $"agentcluster-solana-{Signer.PublicKey}.salts.db");
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        lock (_storeGate)
        {
            _store?.Dispose();
            _store = null;
        }

        _chain.Dispose();
        return ValueTask.CompletedTask;
    }

    // ------------------------------------------------------------------ sending

    /// <summary>
    /// Builds (in the options' <see cref="SolanaNetworkOptions.TransactionVersion"/>), signs, sends and confirms one transaction of <paramref name="instructions"/> with the signer as fee payer and
    /// <paramref name="extraSigners"/>; returns its signature. A failed preflight with the AgentCluster program's error throws
    /// <see cref="AgentClusterProgramException"/> (name, code, instruction, logs) and nothing lands. After sending, the signature's status
    /// is polled until the options' commitment (bounded by <see cref="SolanaNetworkOptions.ConfirmTimeout"/>); the same signed bytes are
    /// sent again now and then (safe: one signature lands at most once), and only once the blockhash has expired with the signature
    /// still unknown is the transaction rebuilt with a new blockhash (at most three blockhashes). A timeout with the blockhash still
    /// valid is a <see cref="SolanaTransactionTimeoutException"/> naming the signature, which may still land.
    /// </summary>
    public async Task<string> SendAsync(string operation, IReadOnlyList<TransactionInstruction> instructions, IReadOnlyList<Account> extraSigners,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(extraSigners);
        Commitment commitment = Level;
        DateTimeOffset deadline = DateTimeOffset.UtcNow + _options.ConfirmTimeout;
        List<PublicKey> programs = instructions.Select(i => i.ProgramId).ToList();
        for (int blockhashes = 1; ; blockhashes++)
        {
            (string blockhash, ulong lastValid) = await _chain.GetLatestBlockhashAsync(commitment, cancellationToken).ConfigureAwait(false);
            Transaction tx = new TransactionBuilder().SetVersion(_options.TransactionVersion).SetFeePayer(Signer.PublicKey).SetRecentBlockHash(blockhash).AddInstructions(instructions)
                .BuildTransaction([Signer, .. extraSigners.Where(a => a.PublicKey != Signer.PublicKey).DistinctBy(a => a.PublicKey.Key)]);
            byte[] wire = tx.Serialize();
            string signature = tx.Id;
            try
            {
                await _chain.SendTransactionAsync(wire, skipPreflight: false, commitment, cancellationToken).ConfigureAwait(false);
            }
            catch (TransactionSimulationException e)
            {
                throw (Exception?)Typed(e.Error, e.Logs, operation, signature, programs) ?? new SolanaTransactionFailedException(operation, signature, e.Message);
            }
            catch (SolanaNodeUnreachableException e)
            {
                // The client retried the same bytes; whether one landed is for the signature's status to say.
                _logger.LogWarning(e, "{Operation}: sending {Signature} failed in transport; checking its status", operation, signature);
            }

            _logger.LogDebug("{Operation}: sent {Signature}", operation, signature);
            DateTimeOffset lastSend = DateTimeOffset.UtcNow;
            while (true)
            {
                SignatureStatus? status = await _chain.GetSignatureStatusAsync(signature, cancellationToken).ConfigureAwait(false);
                if (status is not null)
                {
                    if (status.Error is { } error)
                    {
                        throw (Exception?)Typed(error, [], operation, signature, programs) ?? new SolanaTransactionFailedException(operation, signature, error.Json);
                    }

                    if (status.ConfirmationStatus is { } reached ? reached >= commitment : status.Confirmations is null)
                    {
                        return signature;
                    }
                }
                else if (await _chain.GetBlockHeightAsync(commitment, cancellationToken).ConfigureAwait(false) > lastValid)
                {
                    // Expired: one last look (it may have landed at the edge); unseen, a new blockhash is safe, as these bytes can never land.
                    if (await _chain.GetSignatureStatusAsync(signature, cancellationToken).ConfigureAwait(false) is null)
                    {
                        if (blockhashes >= 3 || DateTimeOffset.UtcNow > deadline)
                        {
                            throw new SolanaTransactionTimeoutException(operation, signature, $"expired unseen ({blockhashes} blockhash(es)): nothing landed.");
                        }

                        _logger.LogWarning("{Operation}: {Signature} expired unseen; rebuilding with a new blockhash", operation, signature);
                        break;
                    }

                    continue;
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new SolanaTransactionTimeoutException(operation, signature,
                        $"did not reach '{commitment.ToRpcName()}' within {_options.ConfirmTimeout}; it may still land until block height {lastValid}: check its status before sending again.");
                }

                if (status is null && DateTimeOffset.UtcNow - lastSend > TimeSpan.FromSeconds(2))
                {
                    try
                    {
                        await _chain.SendTransactionAsync(wire, skipPreflight: true, commitment, cancellationToken).ConfigureAwait(false); // same bytes: safe
                    }
                    catch (Exception e) when (e is SolanaNodeUnreachableException or SolanaRpcException)
                    {
                        _logger.LogDebug(e, "{Operation}: resending {Signature} failed", operation, signature);
                    }

                    lastSend = DateTimeOffset.UtcNow;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(150), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The program's typed error for a transaction error of one of its instructions (null for anything else).</summary>
    private AgentClusterProgramException? Typed(TransactionError? error, IReadOnlyList<string> logs, string operation, string signature, List<PublicKey> programs)
    {
        if (error is { InstructionIndex: int index, CustomCode: uint code } && index >= 0 && index < programs.Count && programs[index] == ProgramId)
        {
            _logger.LogDebug("{Operation}: {Signature} refused by the program: {Code}", operation, signature, code);
            return AgentClusterProgramException.TryFrom(index, code, logs);
        }

        return null;
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>The salt store's market key for this deployment.</summary>
    internal string SaltMarket => $"solana:{Convert.ToHexString(ProgramId.Span).ToLowerInvariant()}";

    /// <summary>The salt store's chain id for this cluster (its genesis hash as an unsigned number).</summary>
    internal BigInteger SaltChainId => _saltChainId;

    /// <summary>A task address or agent key as the salt store's id (its 32 bytes as an unsigned big-endian number).</summary>
    internal static BigInteger Id(PublicKey key) => new(key.Span, isUnsigned: true, isBigEndian: true);

    private async Task<(ulong Id, PublicKey Task)> FreshTaskAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            ulong id = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));
            PublicKey task = Program.TaskAddress(ProgramId, Signer.PublicKey, id);
            if (await _chain.GetAccountAsync(task, Level, cancellationToken).ConfigureAwait(false) is null)
            {
                return (id, task);
            }
        }

        throw new InvalidOperationException("Eight random task ids were all taken: the random number generator is broken.");
    }

    private async Task<IReadOnlyList<(PublicKey Task, ulong Amount)>> OwedAsync(CancellationToken cancellationToken)
    {
        byte[] disc = [TaskAccount.Discriminators[0]];
        var found = new Dictionary<string, (PublicKey Address, byte[] Data)>(StringComparer.Ordinal);
        foreach (int offset in new[] { 16, 80 }) // the requester, the executor's owner
        {
            foreach ((PublicKey Address, byte[] Data) f in await _chain.GetProgramAccountsAsync(ProgramId, [(0, disc), (offset, Signer.PublicKey.KeyBytes)],
                         Level, cancellationToken).ConfigureAwait(false))
            {
                found[f.Address.Key] = f;
            }
        }

        var owed = new List<(PublicKey, ulong)>();
        foreach ((PublicKey address, byte[] data) in found.Values.OrderBy(f => f.Address.Key, StringComparer.Ordinal))
        {
            TaskAccount t = TaskAccount.Decode(data);
            if (t.Status < SolTaskStatus.Accepted)
            {
                continue;
            }

            ulong amount = (t.Requester == Signer.PublicKey ? t.RequesterCredit : 0) + (t.ExecutorOwner == Signer.PublicKey ? t.ExecutorCredit : 0);
            if (amount > 0)
            {
                owed.Add((address, amount));
            }
        }

        return owed;
    }

    private async Task<AgentAccount> ReadAgentAsync(PublicKey agentKey, CancellationToken cancellationToken)
    {
        SolanaChainAccount account = await _chain.GetAccountAsync(Program.AgentAddress(ProgramId, agentKey), Level, cancellationToken).ConfigureAwait(false)
            ?? throw new SolanaUnknownAgentException(agentKey.Key);
        return AgentAccount.Decode(account.Data);
    }

    private async Task<TaskAccount> ReadTaskAsync(PublicKey task, CancellationToken cancellationToken)
    {
        SolanaChainAccount account = await _chain.GetAccountAsync(task, Level, cancellationToken).ConfigureAwait(false)
            ?? throw new SolanaUnknownTaskException(task.Key);
        if (account.Owner != ProgramId || account.Data.Length == 0 || account.Data[0] != TaskAccount.Discriminators[0])
        {
            throw new SolanaUnknownTaskException(task.Key);
        }

        return TaskAccount.Decode(account.Data);
    }

    private static byte SeatOf(TaskAccount account, PublicKey agentKey, TaskRef task, AgentRef agent)
    {
        for (int i = 0; i < account.Members.Count; i++)
        {
            if (account.Members[i].State != SeatState.Empty && account.Members[i].AgentKey == agentKey)
            {
                return (byte)i;
            }
        }

        throw new ArgumentException($"Agent {agent} has no seat on task {task}'s committee.", nameof(agent));
    }

    private void RequireOwner(AgentAccount account, AgentRef agent)
    {
        if (account.Owner != Signer.PublicKey)
        {
            throw new ArgumentException($"Agent {agent} is owned by {account.Owner}, not by this network's signer {Signer.PublicKey}.", nameof(agent));
        }
    }

    private Account HeldKey(AgentRef agent, PublicKey agentKey, string what) =>
        _keys.TryGetValue(agentKey.Key, out Account? key)
            ? key
            : throw new ArgumentException($"To {what} for agent {agent} on Solana the agent key itself signs, and this network does not hold it: register the agent " +
                "through this network, or load its keypair (SolanaNetworkKey.FromKeypairFile) and pass it to UseKey.", nameof(agent));

    private static ulong U64(BigInteger value, string name, bool allowZero) =>
        value < (allowZero ? BigInteger.Zero : BigInteger.One) || value > ulong.MaxValue
            ? throw new ArgumentOutOfRangeException(name, value, $"{name} must be {(allowZero ? "0" : "1")}..2^64-1 ACC base units (9 decimals) on Solana.")
            : (ulong)value;

    private NetworkTask Map(PublicKey address, TaskAccount t)
    {
        (MarketTaskStatus status, TaskStage stage) = t.Status switch
        {
            SolTaskStatus.Bidding => (MarketTaskStatus.Bidding, TaskStage.Submitted),
            SolTaskStatus.Assigned => (MarketTaskStatus.Assigned, TaskStage.Routed),
            SolTaskStatus.ResultPosted => (MarketTaskStatus.Verifying, TaskStage.Executed),
            SolTaskStatus.Verifying => (MarketTaskStatus.Verifying, TaskStage.Verifying),
            SolTaskStatus.Accepted => (MarketTaskStatus.Accepted, TaskStage.Settled),
            SolTaskStatus.Rejected => (MarketTaskStatus.Rejected, TaskStage.Settled),
            SolTaskStatus.Inconclusive => (MarketTaskStatus.Inconclusive, TaskStage.Settled),
            _ => (MarketTaskStatus.Refunded, TaskStage.Settled), // Refunded, Missed (a missed deadline is refunded, as on Base)
        };
        bool hasExecutor = t.Executor != PublicKey.Default;
        bool hasResult = t.Status >= SolTaskStatus.ResultPosted && t.Result.Any(b => b != 0);
        return new NetworkTask
        {
            Task = new TaskRef(address.Key), Requester = t.Requester.Key, Status = status, Stage = stage, Capabilities = t.Capabilities,
            Bounty = t.Bounty, Fee = t.Fee, CommitteeSize = t.CommitteeSize, BiddingEndsAt = DateTimeOffset.FromUnixTimeSeconds(t.BiddingEndsAt),
            Deadline = DateTimeOffset.FromUnixTimeSeconds(t.Deadline), Executor = hasExecutor ? new AgentRef(t.Executor.Key) : null,
            Price = hasExecutor ? t.Price : 0, ResultHash = hasResult ? t.Result : null,
        };
    }

    private static SolanaNetworkKey Expect(NetworkKey key, string name)
    {
        ArgumentNullException.ThrowIfNull(key, name);
        return key as SolanaNetworkKey
            ?? throw new ArgumentException($"{name} is a {key.Kind} key ({key.Address}); a Solana network needs an Ed25519 key from its own NewKey() or a SolanaNetworkKey.", name);
    }

    private static PublicKey AgentKeyOf(AgentRef agent) =>
        PublicKey.TryParse(agent.Value, out PublicKey? key) && key is not null
            ? key
            : throw new ArgumentException($"'{agent.Value}' is not a Solana agent key (base58 of 32 bytes); was it made by another network?", nameof(agent));

    private static PublicKey TaskAddressOf(TaskRef task) =>
        PublicKey.TryParse(task.Value, out PublicKey? key) && key is not null
            ? key
            : throw new ArgumentException($"'{task.Value}' is not a Solana task address (base58 of 32 bytes); was it made by another network?", nameof(task));
}
