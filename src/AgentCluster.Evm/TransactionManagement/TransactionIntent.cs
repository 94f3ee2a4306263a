using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>The in-memory state of one intent; the mutable fields are guarded by the manager's gate.</summary>
internal sealed class ManagedIntent
{
    public required long Id { get; init; }

    public required string? To { get; init; }

    public required BigInteger Value { get; init; }

    public required byte[] Data { get; init; }

    public required ulong GasLimit { get; init; }

    public ulong Nonce { get; set; }

    /// <summary>Every signed version (all nonces), oldest first; replaced as a whole so readers outside the gate see a consistent array.</summary>
    public JournalAttempt[] Attempts { get; set; } = [];

    /// <summary>When the latest attempt started waiting (its creation, or the manager's start for one loaded from the journal).</summary>
    public DateTimeOffset AttemptSince { get; set; }

    /// <summary>The last time the node accepted (or already had) the latest attempt; null: not since it was signed or loaded.</summary>
    public DateTimeOffset? LastBroadcastAt { get; set; }

    public TransactionReceipt? Receipt { get; set; }

    public TaskCompletionSource<TransactionReceipt> Mined { get; set; } = NewCompletion();

    public static TaskCompletionSource<TransactionReceipt> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A transaction handed to a <see cref="DurableTransactionManager"/> (an "intent"). Its hash can change while it is pending: a
/// replacement (same nonce, higher fees) gets a new hash, and a resynchronisation after another transaction took its nonce gets a
/// new nonce and hash. Every hash it ever had leads back to it (<see cref="DurableTransactionManager.FindIntent"/>).
/// </summary>
public sealed class TransactionIntent
{
    private readonly DurableTransactionManager _manager;

    internal TransactionIntent(DurableTransactionManager manager, ManagedIntent intent)
    {
        _manager = manager;
        Intent = intent;
    }

    /// <summary>The journal's id of this intent; stable across restarts.</summary>
    public long Id => Intent.Id;

    /// <summary>The sender.</summary>
    public string From => _manager.Address;

    /// <summary>The recipient; null for a contract creation.</summary>
    public string? To => Intent.To;

    /// <summary>The value in wei.</summary>
    public BigInteger Value => Intent.Value;

    /// <summary>The calldata, 0x-prefixed hex.</summary>
    public string Data => Intent.Data.ToHex(true);

    /// <summary>The gas limit of every signed version.</summary>
    public BigInteger GasLimit => Intent.GasLimit;

    /// <summary>The nonce of the latest signed version.</summary>
    public BigInteger Nonce => Intent.Nonce;

    /// <summary>The hash of the latest signed version (the one with the highest fees).</summary>
    public string TransactionHash => Intent.Attempts[^1].Hash;

    /// <summary>Every hash this intent had, oldest first (replacements and re-signings at a new nonce).</summary>
    public IReadOnlyList<string> TransactionHashes => Intent.Attempts.Select(a => a.Hash).ToArray();

    /// <summary>The receipt once mined (before confirmations), else null.</summary>
    public TransactionReceipt? Receipt => Intent.Receipt;

    internal ManagedIntent Intent { get; }

    /// <summary>
    /// Waits until one version of this transaction is mined and has <paramref name="confirmations"/> blocks on top (the block with it
    /// counts as the first), and returns that receipt (Nethereum's type; its hash is the version that was mined). A receipt whose
    /// block disappears in between puts the transaction back to pending. The receipt's status may be a failure: a mined, reverted
    /// transaction is still mined.
    /// </summary>
    /// <exception cref="TimeoutException">Not confirmed within <paramref name="timeout"/>.</exception>
    public Task<TransactionReceipt> WaitForReceiptAsync(int confirmations = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _manager.WaitForReceiptAsync(Intent, confirmations, timeout, cancellationToken);

    /// <summary>Sender, nonce and transaction hash, for logs.</summary>
    public override string ToString() => $"{From} nonce {Nonce} {TransactionHash}";
}
