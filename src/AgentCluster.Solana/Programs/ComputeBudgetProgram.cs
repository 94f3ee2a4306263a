namespace AgentCluster.Solana.Programs;

/// <summary>The Compute Budget program's instructions (a u8 index, then the value, little-endian; no accounts), as @solana-program/compute-budget builds them.</summary>
public static class ComputeBudgetProgram
{
    /// <summary>The program id.</summary>
    public static PublicKey ProgramId => WellKnown.ComputeBudgetProgram;

    /// <summary>The largest heap frame the runtime grants, in bytes.</summary>
    public const uint MaxHeapFrameBytes = 256 * 1024;

    /// <summary>The smallest (default) heap frame, in bytes.</summary>
    public const uint MinHeapFrameBytes = 32 * 1024;

    /// <summary>Requests a heap of <paramref name="bytes"/> (a multiple of 1,024 from 32 KiB to 256 KiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a multiple of 1,024 within 32 KiB..256 KiB.</exception>
    public static TransactionInstruction RequestHeapFrame(uint bytes)
    {
        if (bytes % 1024 != 0 || bytes is < MinHeapFrameBytes or > MaxHeapFrameBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"A heap frame is a multiple of 1,024 bytes from {MinHeapFrameBytes} to {MaxHeapFrameBytes}.");
        }

        return new(ProgramId, [], new Data().U8(1).U32(bytes).ToArray());
    }

    /// <summary>Sets the transaction's compute unit limit.</summary>
    public static TransactionInstruction SetComputeUnitLimit(uint units) => new(ProgramId, [], new Data().U8(2).U32(units).ToArray());

    /// <summary>Sets the priority fee: the price of a compute unit in micro-lamports.</summary>
    public static TransactionInstruction SetComputeUnitPrice(ulong microLamports) => new(ProgramId, [], new Data().U8(3).U64(microLamports).ToArray());
}
