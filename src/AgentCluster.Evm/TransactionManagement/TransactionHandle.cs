using AgentCluster.Evm.Rpc;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>
/// A transaction handed to a <see cref="TransactionManager"/>. Its nonce and hash can change while it is pending: a replacement
/// (same nonce, higher fees) gets a new hash, and a resynchronisation after the nonce was taken elsewhere gets a new nonce.
/// </summary>
public sealed class TransactionHandle
{
    private readonly TransactionManager _manager;

    internal TransactionHandle(TransactionManager manager, ManagedIntent intent)
    {
        _manager = manager;
        Intent = intent;
    }

    /// <summary>The journal's id of this intent; stable across restarts.</summary>
    public long Id => Intent.Id;

    public Address Sender => _manager.Sender;

    public Address? To => Intent.To;

    public UInt256 Value => Intent.Value;

    public ReadOnlyMemory<byte> Data => Intent.Data;

    public ulong GasLimit => Intent.GasLimit;

    /// <summary>The nonce of the latest signed version.</summary>
    public ulong Nonce => Intent.Nonce;

    /// <summary>The hash of the latest signed version (the one with the highest fees).</summary>
    public Hash32 Hash => Intent.Attempts[^1].Hash;

    /// <summary>Every signed version still able to be mined, oldest first.</summary>
    public IReadOnlyList<Hash32> Hashes => Intent.Attempts.Select(a => a.Hash).ToArray();

    /// <summary>The receipt once mined (before confirmations), else null.</summary>
    public TransactionReceipt? Receipt => Intent.Receipt;

    internal ManagedIntent Intent { get; }

    /// <summary>
    /// Waits until one version of this transaction is mined and has <paramref name="confirmations"/> blocks on top (the block with it
    /// counts as the first), and returns that receipt. A receipt whose block disappears in between puts the transaction back to pending.
    /// The receipt's status may be a failure: a mined, reverted transaction is still mined.
    /// </summary>
    /// <exception cref="TimeoutException">Not confirmed within <paramref name="timeout"/>.</exception>
    public Task<TransactionReceipt> WaitForReceiptAsync(int confirmations = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _manager.WaitForReceiptAsync(Intent, confirmations, timeout, cancellationToken);

    public override string ToString() => $"{Sender} nonce {Nonce} {Hash}";
}
