using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Bindings.TaskMarket;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk.Tasks;
using Nethereum.ABI;
using Nethereum.ABI.EIP712;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;

namespace AgentCluster.Sdk.Reviews;

/// <summary>A commit that the salt store already holds for this task and agent: a member commits once per task.</summary>
public sealed class ReviewAlreadyCommittedException(string message) : AgentClusterException(message);

/// <summary>What <see cref="ReviewsClient.RevealPendingAsync"/> did with one stored commitment.</summary>
public enum RevealResult
{
    /// <summary>Revealed now.</summary>
    Revealed,

    /// <summary>The reveal window is not open yet; kept for a later call.</summary>
    NotYetOpen,

    /// <summary>The reveal window is over or the task settled; the vote can no longer be revealed (kept for the record).</summary>
    Closed,

    /// <summary>The reveal transaction failed; see the exception. Kept for a later call.</summary>
    Failed,
}

/// <summary>One commitment's fate in <see cref="ReviewsClient.RevealPendingAsync"/>.</summary>
/// <param name="TaskId">Task.</param>
/// <param name="AgentId">Member.</param>
/// <param name="Result">What happened.</param>
/// <param name="Error">The failure, for <see cref="RevealResult.Failed"/>.</param>
public sealed record RevealOutcome(BigInteger TaskId, BigInteger AgentId, RevealResult Result, Exception? Error = null);

/// <summary>
/// Commit-reveal for committee members. The salt is drawn from a CSPRNG and written durably to the <see cref="SaltStore"/>
/// (keyed by chain id, market, task and agent) before the commit transaction is sent, and kept until the reveal succeeded (then
/// marked revealed), so a process that restarts between commit and reveal still reveals: open a client over the same store and
/// call <see cref="RevealPendingAsync"/>. The commitment is the contract's: <c>keccak256(abi.encode(taskId, agentId, approve, salt))</c>.
/// </summary>
public sealed class ReviewsClient : IDisposable
{
    private readonly AgentClusterClient _client;
    private readonly bool _ownsStore;

    internal ReviewsClient(AgentClusterClient client, SaltStore store, bool ownsStore)
    {
        _client = client;
        Store = store;
        _ownsStore = ownsStore;
    }

    /// <summary>The salt store this client writes to.</summary>
    public SaltStore Store { get; }

    private TaskMarketService Market => _client.Contracts.TaskMarket;

    private string MarketKey => Market.ContractAddress.ToLowerInvariant();

    /// <summary>The commitment the market checks a reveal against: <c>keccak256(abi.encode(uint256 taskId, uint256 agentId, bool approve, bytes32 salt))</c>.</summary>
    /// <exception cref="ArgumentException">The salt is not 32 bytes.</exception>
    public static byte[] ComputeCommitment(BigInteger taskId, BigInteger agentId, bool approve, byte[] salt)
    {
        if (salt is not { Length: 32 })
        {
            throw new ArgumentException($"The salt must be 32 bytes, not {salt?.Length ?? 0}.", nameof(salt));
        }

        return new ABIEncode().GetSha3ABIEncoded(new ABIValue("uint256", taskId), new ABIValue("uint256", agentId), new ABIValue("bool", approve),
            new ABIValue("bytes32", salt));
    }

    /// <summary>
    /// Commits <paramref name="approve"/> for member <paramref name="agentId"/> (owned by the signer, or whose key the signer is):
    /// draws a salt, stores it durably, then sends <c>commitVote</c>. A pending entry left by an interrupted commit with the same
    /// vote is resumed with its stored salt.
    /// </summary>
    /// <exception cref="ReviewAlreadyCommittedException">The store already holds a commit for this task and agent.</exception>
    public async Task<StoredCommitment> CommitAsync(BigInteger taskId, BigInteger agentId, bool approve, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Committing a vote");
        TasksClient.RequireId(taskId, nameof(taskId));
        TasksClient.RequireId(agentId, nameof(agentId));
        StoredCommitment? existing = Store.Find(_client.ChainId, MarketKey, taskId, agentId);
        StoredCommitment entry;
        if (existing is null)
        {
            byte[] salt = RandomNumberGenerator.GetBytes(32);
            entry = new StoredCommitment(_client.ChainId, MarketKey, taskId, agentId, approve, salt, ComputeCommitment(taskId, agentId, approve, salt), CommitmentState.Pending);
            if (!Store.TryAddPending(entry))
            {
                throw new ReviewAlreadyCommittedException($"Agent {agentId} already has a commitment for task {taskId} in {Store.Path} (written concurrently).");
            }
        }
        else if (existing.State == CommitmentState.Pending && existing.Approve == approve)
        {
            entry = existing; // an interrupted commit: send it again with the stored salt
        }
        else
        {
            throw new ReviewAlreadyCommittedException(
                $"Agent {agentId} already committed a vote for task {taskId} (state {existing.State}, stored in {Store.Path}); a member commits once per task.");
        }

        try
        {
            TransactionReceipt receipt = await Market.CommitVoteRequestAndWaitForReceiptAsync(taskId, agentId, entry.Commitment, cancellationToken).ConfigureAwait(false);
            TasksClient.EnsureSucceeded(receipt, "commitVote");
        }
        catch (ContractCustomErrorException<AlreadyCommittedError>) when (existing is not null)
        {
            // The interrupted commit was mined after all.
        }
        catch (ContractCustomErrorException<AlreadyCommittedError>)
        {
            Store.Remove(_client.ChainId, MarketKey, taskId, agentId);
            throw new ReviewAlreadyCommittedException($"Agent {agentId} already committed a vote for task {taskId} on-chain (not from this salt store, {Store.Path}).");
        }
        catch (ContractRevertException)
        {
            // Refused by the contract: nothing was committed, the salt can never be needed.
            Store.Remove(_client.ChainId, MarketKey, taskId, agentId);
            throw;
        }

        Store.SetState(_client.ChainId, MarketKey, taskId, agentId, CommitmentState.Committed);
        return entry with { State = CommitmentState.Committed };
    }

    /// <summary>Reveals the stored vote of <paramref name="agentId"/> for <paramref name="taskId"/> (anyone may send a reveal).</summary>
    /// <exception cref="InvalidOperationException">The store holds no commitment for it.</exception>
    public async Task<TransactionReceipt> RevealAsync(BigInteger taskId, BigInteger agentId, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Revealing a vote");
        StoredCommitment entry = Store.Find(_client.ChainId, MarketKey, taskId, agentId)
            ?? throw new InvalidOperationException($"No stored commitment for agent {agentId} on task {taskId} in {Store.Path}.");
        TransactionReceipt receipt = TasksClient.EnsureSucceeded(
            await Market.RevealVoteRequestAndWaitForReceiptAsync(taskId, agentId, entry.Approve, entry.Salt, cancellationToken).ConfigureAwait(false), "revealVote");
        Store.SetState(_client.ChainId, MarketKey, taskId, agentId, CommitmentState.Revealed);
        return receipt;
    }

    /// <summary>
    /// Reveals every stored, unrevealed commitment of this chain and market whose reveal window is open (it opens when the commit
    /// window ends, or as soon as every member committed). Each one is reported; failures do not stop the others.
    /// </summary>
    public async Task<IReadOnlyList<RevealOutcome>> RevealPendingAsync(CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Revealing votes");
        var outcomes = new List<RevealOutcome>();
        IReadOnlyList<StoredCommitment> open = Store.List(_client.ChainId, MarketKey, CommitmentState.Committed, CommitmentState.Pending);
        if (open.Count == 0)
        {
            return outcomes;
        }

        DateTimeOffset now = await _client.Tasks.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        foreach (StoredCommitment c in open)
        {
            TaskInfo task;
            try
            {
                task = await _client.Tasks.GetAsync(c.TaskId, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                // The market does not know the task (a store carried over from another deployment at the same address).
                outcomes.Add(new RevealOutcome(c.TaskId, c.AgentId, RevealResult.Closed, e));
                continue;
            }

            if (task.Status != MarketTaskStatus.Verifying || task.RevealEndsAt is { } ends && now >= ends)
            {
                outcomes.Add(new RevealOutcome(c.TaskId, c.AgentId, task.Status is MarketTaskStatus.Bidding or MarketTaskStatus.Assigned ? RevealResult.NotYetOpen : RevealResult.Closed));
                continue;
            }

            DateTimeOffset? opensAt = task.Commits == task.Seats && task.Seats == task.CommitteeSize ? task.DrawClosesAt : task.CommitEndsAt;
            if (opensAt is null || now < opensAt)
            {
                outcomes.Add(new RevealOutcome(c.TaskId, c.AgentId, RevealResult.NotYetOpen));
                continue;
            }

            try
            {
                await RevealAsync(c.TaskId, c.AgentId, cancellationToken).ConfigureAwait(false);
                outcomes.Add(new RevealOutcome(c.TaskId, c.AgentId, RevealResult.Revealed));
            }
            catch (ContractRevertException e)
            {
                outcomes.Add(new RevealOutcome(c.TaskId, c.AgentId, RevealResult.Failed, e));
            }
        }

        return outcomes;
    }

    /// <summary>
    /// For a commit relayed by a keeper (<c>commitVotesBySig</c>): draws a salt, stores it durably (state Pending) exactly as
    /// <see cref="CommitAsync"/> does, and returns the commit signed by the agent key, for the keeper to send. Nothing is sent here;
    /// <see cref="RevealPendingAsync"/> reveals Pending rows too once the window is open.
    /// </summary>
    /// <exception cref="ReviewAlreadyCommittedException">The store already holds a commit for this task and agent.</exception>
    /// <exception cref="ArgumentException">The key is not the agent's key.</exception>
    public SignedCommit PrepareSignedCommit(BigInteger taskId, BigInteger agentId, bool approve, Secp256k1Signer agentKey)
    {
        ArgumentNullException.ThrowIfNull(agentKey);
        TasksClient.RequireId(taskId, nameof(taskId));
        TasksClient.RequireId(agentId, nameof(agentId));
        byte[] salt = RandomNumberGenerator.GetBytes(32);
        byte[] commitment = ComputeCommitment(taskId, agentId, approve, salt);
        SignedCommit signed = SignCommit(taskId, agentId, commitment, agentKey); // checks the key before anything is stored
        var entry = new StoredCommitment(_client.ChainId, MarketKey, taskId, agentId, approve, salt, commitment, CommitmentState.Pending);
        if (!Store.TryAddPending(entry))
        {
            throw new ReviewAlreadyCommittedException($"Agent {agentId} already has a commitment for task {taskId} in {Store.Path}; a member commits once per task.");
        }

        return signed;
    }

    /// <summary>
    /// Signs a commitment with the member's agent key for relaying through <c>commitVotesBySig</c>: EIP-712
    /// <c>Commit(uint256 taskId,uint256 agentId,bytes32 commitment)</c> under the domain {"AgentCluster TaskMarket", "1", chain id,
    /// market}. The market recovers the signer and requires it to be the agent key (<c>agentId = uint160(agentKey)</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The commitment is not 32 bytes, or the key is not the agent's key.</exception>
    public SignedCommit SignCommit(BigInteger taskId, BigInteger agentId, byte[] commitment, Secp256k1Signer agentKey)
    {
        ArgumentNullException.ThrowIfNull(agentKey);
        if (commitment is not { Length: 32 })
        {
            throw new ArgumentException($"The commitment must be 32 bytes, not {commitment?.Length ?? 0}.", nameof(commitment));
        }

        BigInteger keyId = new BigInteger(agentKey.Address.HexToByteArray(), isUnsigned: true, isBigEndian: true);
        if (keyId != agentId)
        {
            throw new ArgumentException($"The key {agentKey.Address} is not the key of agent {agentId}.", nameof(agentKey));
        }

        byte[] digest = CommitDigest(taskId, agentId, commitment);
        string signature = EthECDSASignature.CreateStringSignature(agentKey.SignHash(digest));
        return new SignedCommit { AgentId = agentId, Commitment = commitment, Signature = signature.HexToByteArray() };
    }

    /// <summary>The EIP-712 digest of a commit-by-signature, computed locally with Nethereum's encoder (the market's <c>commitDigest</c>).</summary>
    public byte[] CommitDigest(BigInteger taskId, BigInteger agentId, byte[] commitment)
    {
        var typedData = new TypedData<Domain>
        {
            Domain = new Domain { Name = "AgentCluster TaskMarket", Version = "1", ChainId = _client.ChainId, VerifyingContract = Market.ContractAddress },
            Types = MemberDescriptionFactory.GetTypesMemberDescription(typeof(Domain), typeof(CommitMessage)),
            PrimaryType = "Commit",
        };
        return Eip712TypedDataEncoder.Current.EncodeAndHashTypedData(new CommitMessage { TaskId = taskId, AgentId = agentId, Commitment = commitment }, typedData);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStore)
        {
            Store.Dispose();
        }
    }

    [Struct("Commit")]
    private sealed class CommitMessage
    {
        [Parameter("uint256", "taskId", 1)]
        public BigInteger TaskId { get; set; }

        [Parameter("uint256", "agentId", 2)]
        public BigInteger AgentId { get; set; }

        [Parameter("bytes32", "commitment", 3)]
        public byte[] Commitment { get; set; } = [];
    }
}
