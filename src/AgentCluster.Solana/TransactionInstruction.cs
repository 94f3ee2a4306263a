namespace AgentCluster.Solana;

/// <summary>One instruction: the program it calls, the accounts in the order the program reads them, and its data (Solnet's shape).</summary>
public sealed class TransactionInstruction
{
    /// <summary>An instruction; the lists are copied.</summary>
    /// <exception cref="ArgumentNullException">A null part.</exception>
    public TransactionInstruction(PublicKey programId, IEnumerable<AccountMeta> keys, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(programId);
        ArgumentNullException.ThrowIfNull(keys);
        ProgramId = programId;
        Keys = keys.Select((k, i) => k ?? throw new ArgumentNullException(nameof(keys), $"Account {i} is null.")).ToArray();
        Data = data.ToArray();
    }

    /// <summary>The program called.</summary>
    public PublicKey ProgramId { get; }

    /// <summary>The accounts, in order.</summary>
    public IReadOnlyList<AccountMeta> Keys { get; }

    /// <summary>The instruction data (a copy is kept; do not change the array returned).</summary>
    public byte[] Data { get; }
}
