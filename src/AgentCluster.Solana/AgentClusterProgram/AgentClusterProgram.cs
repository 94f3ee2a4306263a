using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AgentCluster.Solana.Programs;

/// <summary>
/// The AgentCluster program (contracts/solana): PDAs, one typed builder per instruction (generated from
/// contracts/solana/program.json, accounts in the program's order) and a few hand-written conveniences. The program id is
/// always a parameter: deployments differ.
/// </summary>
public static partial class AgentClusterProgram
{
    /// <summary>The ACC token's decimals.</summary>
    public const int Decimals = 9;

    /// <summary>1 ACC in base units.</summary>
    public const ulong Unit = 1_000_000_000UL;

    /// <summary>The smallest committee.</summary>
    public const int MinCommittee = 3;

    /// <summary>The largest committee.</summary>
    public const int MaxCommittee = 100;

    /// <summary>Seats inline in a task; larger committees need <see cref="ReserveTask"/> before <see cref="SubmitTask"/>.</summary>
    public const int InlineSeats = 64;

    /// <summary>The program's program-data account under the upgradeable loader (PDA of the loader, seed: the program id).</summary>
    /// <param name="programId">The AgentCluster program's address.</param>
    /// <returns>The program data address.</returns>
    public static PublicKey ProgramDataAddress(PublicKey programId)
    {
        ArgumentNullException.ThrowIfNull(programId);
        return ProgramLayout.Cached(programId, "ProgramData", () => PublicKey.FindProgramAddress([programId.KeyBytes], LoaderId)).Address;
    }

    /// <summary>Genesis step <paramref name="step"/> (1: the mint; 2..5: two vaults each) with the canonical bumps.</summary>
    /// <param name="programId">The AgentCluster program's address.</param>
    /// <param name="authority">The config's authority (the upgrade authority that ran <see cref="Initialize"/>).</param>
    /// <param name="step">1..5.</param>
    /// <returns>The instruction.</returns>
    /// <exception cref="ArgumentException">A null argument or a step outside 1..5.</exception>
    public static TransactionInstruction Genesis(PublicKey programId, PublicKey authority, int step)
    {
        ArgumentNullException.ThrowIfNull(programId);
        ArgumentNullException.ThrowIfNull(authority);
        ProgramLayout.CheckRange((ulong)Math.Max(step, 0), 1, 5, nameof(step));
        if (step == 1)
        {
            return GenesisMint(programId, authority, FindMintAddress(programId).Bump);
        }

        var first = (VaultKind)(2 * (step - 2));
        var a = FindVaultAddress(programId, first);
        var b = FindVaultAddress(programId, first + 1);
        return GenesisVaults(programId, authority, a.Address, b.Address, (byte)step, a.Bump, b.Bump);
    }

    /// <summary>Every genesis instruction in order: <see cref="Initialize"/>, then steps 1..5 (they fit one transaction).</summary>
    /// <param name="programId">The AgentCluster program's address.</param>
    /// <param name="authority">The program's upgrade authority.</param>
    /// <returns>The six instructions.</returns>
    public static IReadOnlyList<TransactionInstruction> GenesisAll(PublicKey programId, PublicKey authority) =>
        [Initialize(programId, authority), .. Enumerable.Range(1, 5).Select(s => Genesis(programId, authority, s))];

    /// <summary>What a member commits: sha256("ACVOTE", task, agent key, vote, salt).</summary>
    /// <param name="task">The task's address.</param>
    /// <param name="agentKey">The member's agent key.</param>
    /// <param name="approve">The vote (true: approve).</param>
    /// <param name="salt">32 secret bytes.</param>
    /// <returns>The 32-byte commitment.</returns>
    public static byte[] VoteCommitment(PublicKey task, PublicKey agentKey, bool approve, byte[] salt)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(agentKey);
        ProgramLayout.CheckHash(salt, nameof(salt));
        return SHA256.HashData([.. "ACVOTE"u8, .. task.Span, .. agentKey.Span, approve ? (byte)1 : (byte)0, .. salt]);
    }

    /// <summary>The seed fix_seed derives: sha256("ACSEED", slot hash, task).</summary>
    /// <param name="slotHash">The seed slot's hash (32 bytes).</param>
    /// <param name="task">The task's address.</param>
    /// <returns>The 32-byte seed.</returns>
    public static byte[] TaskSeed(byte[] slotHash, PublicKey task)
    {
        ProgramLayout.CheckHash(slotHash, nameof(slotHash));
        ArgumentNullException.ThrowIfNull(task);
        return SHA256.HashData([.. "ACSEED"u8, .. slotHash, .. task.Span]);
    }

    /// <summary>The 136-byte message an attestor signs (ac_attestation_message): "ACATTEST", program, agent key, the fields.</summary>
    /// <param name="programId">The AgentCluster program's address.</param>
    /// <param name="agentKey">The agent key.</param>
    /// <param name="measurementHash">The TEE measurement (32 bytes).</param>
    /// <param name="cpuCores">CPU cores.</param>
    /// <param name="gpuMemoryMb">GPU memory in MB.</param>
    /// <param name="tokensPerSecond">Tokens per second.</param>
    /// <param name="expiresAt">Unix seconds.</param>
    /// <param name="nonce">Above the agent's last nonce.</param>
    /// <returns>The message to sign (Ed25519) and verify in the same transaction as <see cref="Attest"/>.</returns>
    public static byte[] AttestationMessage(PublicKey programId, PublicKey agentKey, byte[] measurementHash, uint cpuCores, uint gpuMemoryMb,
        uint tokensPerSecond, long expiresAt, ulong nonce)
    {
        ArgumentNullException.ThrowIfNull(programId);
        ArgumentNullException.ThrowIfNull(agentKey);
        ProgramLayout.CheckHash(measurementHash, nameof(measurementHash));
        var m = new byte[136];
        Encoding.ASCII.GetBytes("ACATTEST").CopyTo(m, 0);
        programId.Span.CopyTo(m.AsSpan(8));
        agentKey.Span.CopyTo(m.AsSpan(40));
        measurementHash.CopyTo(m, 72);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(104), cpuCores);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(108), gpuMemoryMb);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(112), tokensPerSecond);
        BinaryPrimitives.WriteInt64LittleEndian(m.AsSpan(120), expiresAt);
        BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan(128), nonce);
        return m;
    }

    /// <summary>The market terms as a proposal's 32-byte target (SetMarketParams).</summary>
    /// <param name="terms">The terms.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] EncodeMarketTerms(MarketTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var b = new byte[MarketTerms.Size];
        var s = b.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s[0..], terms.BiddingWindow);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], terms.MaxTaskDuration);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], terms.DrawWindow);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], terms.CommitWindow);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], terms.RevealWindow);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], terms.FeeBps);
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], terms.ReviewerShareBps);
        BinaryPrimitives.WriteUInt16LittleEndian(s[24..], terms.MissedSeverityBps);
        BinaryPrimitives.WriteUInt16LittleEndian(s[26..], terms.RejectedSeverityBps);
        BinaryPrimitives.WriteUInt16LittleEndian(s[28..], terms.NonRevealSeverityBps);
        BinaryPrimitives.WriteUInt16LittleEndian(s[30..], terms.MinoritySeverityBps);
        return b;
    }
}
