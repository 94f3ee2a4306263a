using AgentCluster.Solana;
using AgentCluster.Solana.Keys;

namespace AgentCluster.Keepers.Solana;

/// <summary>
/// What the Solana keeper needs from a node: the program's own clock, accounts, balances, and sending a transaction through to
/// confirmation. <see cref="SolanaRpcKeeperChain"/> is the implementation over the JSON-RPC client; a test may give its own.
/// </summary>
public interface ISolanaKeeperChain
{
    /// <summary>The Clock sysvar (slot and unix time: the program's <c>now</c>) and the newest slot in the SlotHashes sysvar.</summary>
    Task<SolanaChainTime> GetChainTimeAsync(CancellationToken cancellationToken);

    /// <summary>Every account of <paramref name="program"/> whose first byte is <paramref name="discriminator"/> (address, data).</summary>
    Task<IReadOnlyList<SolanaProgramAccount>> GetProgramAccountsAsync(PublicKey program, byte discriminator, CancellationToken cancellationToken);

    /// <summary>Whether each of <paramref name="addresses"/> exists (in order).</summary>
    Task<IReadOnlyList<bool>> AccountsExistAsync(IReadOnlyList<PublicKey> addresses, CancellationToken cancellationToken);

    /// <summary>The lamports held by <paramref name="address"/>.</summary>
    Task<ulong> GetBalanceAsync(PublicKey address, CancellationToken cancellationToken);

    /// <summary>The node's current slot (a liveness probe).</summary>
    Task<ulong> GetSlotAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Builds one transaction of <paramref name="instructions"/> paid and signed by <paramref name="signer"/>, sends it with preflight, waits
    /// (bounded) for its confirmation and returns its signature and the compute units it used.
    /// </summary>
    /// <exception cref="SolanaTransactionRefusedException">The transaction failed (at preflight or on chain): which instruction, and the error.</exception>
    /// <exception cref="AgentCluster.Solana.Messages.TransactionTooLargeException">The instructions do not fit one transaction.</exception>
    Task<SolanaSentTransaction> SendAsync(IReadOnlyList<TransactionInstruction> instructions, Account signer, CancellationToken cancellationToken);
}

/// <summary>The chain's time as the program sees it.</summary>
/// <param name="Slot">The Clock's slot.</param>
/// <param name="UnixTimestamp">The Clock's unix time (the program's <c>now</c>).</param>
/// <param name="NewestSlotHashSlot">The newest slot in SlotHashes, or null when it is empty.</param>
public sealed record SolanaChainTime(ulong Slot, long UnixTimestamp, ulong? NewestSlotHashSlot);

/// <summary>A program account: its address and data.</summary>
/// <param name="Address">The account's address.</param>
/// <param name="Data">Its data.</param>
public sealed record SolanaProgramAccount(PublicKey Address, byte[] Data);

/// <summary>A confirmed transaction.</summary>
/// <param name="Signature">Its signature (base58): the transaction id.</param>
/// <param name="ComputeUnits">The compute units it consumed, when the node reported them.</param>
public sealed record SolanaSentTransaction(string Signature, ulong? ComputeUnits);

/// <summary>A transaction the chain refused: at preflight, or failed on chain after it was sent.</summary>
public sealed class SolanaTransactionRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="instructionIndex">The failing instruction's index in the transaction, when the error names one.</param>
    /// <param name="customCode">The program's custom error code (<c>{"Custom": n}</c>), when it is one.</param>
    /// <param name="program">The program of the failing instruction, when known.</param>
    /// <param name="logs">The transaction's logs, when the node gave them.</param>
    /// <param name="inner">The underlying exception.</param>
    public SolanaTransactionRefusedException(string message, int? instructionIndex, uint? customCode, PublicKey? program,
        IReadOnlyList<string>? logs = null, Exception? inner = null)
        : base(message, inner)
    {
        InstructionIndex = instructionIndex;
        CustomCode = customCode;
        Program = program;
        Logs = logs ?? [];
    }

    /// <summary>The failing instruction's index, when the error names one.</summary>
    public int? InstructionIndex { get; }

    /// <summary>The program's custom error code, when the failure is one.</summary>
    public uint? CustomCode { get; }

    /// <summary>The program of the failing instruction, when known.</summary>
    public PublicKey? Program { get; }

    /// <summary>The transaction's logs (empty when the node gave none).</summary>
    public IReadOnlyList<string> Logs { get; }
}
