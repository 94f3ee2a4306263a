using System.Text.Json;
using AgentCluster.Solana.Rpc;

namespace AgentCluster.Solana.Programs;

/// <summary>A transaction failed with one of the AgentCluster program's errors (InstructionError [index, Custom(code)]).</summary>
public sealed class AgentClusterProgramException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The program's error.</param>
    /// <param name="instructionIndex">The failed instruction's index in the transaction.</param>
    /// <param name="logs">The transaction's logs, if known.</param>
    /// <param name="inner">The exception that carried the error (e.g. a <see cref="TransactionSimulationException"/>), if any.</param>
    public AgentClusterProgramException(AgentClusterProgramError error, int instructionIndex, IReadOnlyList<string>? logs = null, Exception? inner = null)
        : base($"AgentCluster program error {error} ({(uint)error}) in instruction {instructionIndex}.", inner)
    {
        Error = error;
        InstructionIndex = instructionIndex;
        Logs = logs ?? [];
    }

    /// <summary>The program's error.</summary>
    public AgentClusterProgramError Error { get; }

    /// <summary>The custom error code.</summary>
    public uint Code => (uint)Error;

    /// <summary>The failed instruction's index in the transaction.</summary>
    public int InstructionIndex { get; }

    /// <summary>The transaction's logs (empty when not known).</summary>
    public IReadOnlyList<string> Logs { get; }

    /// <summary>The typed exception for a custom code of the program, or null when the code is not one of its errors.</summary>
    /// <param name="instructionIndex">The failed instruction's index.</param>
    /// <param name="customCode">The Custom(n) code.</param>
    /// <param name="logs">The logs, if known.</param>
    /// <returns>The exception, or null.</returns>
    public static AgentClusterProgramException? TryFrom(int instructionIndex, long customCode, IReadOnlyList<string>? logs = null) =>
        customCode is >= 0 and <= uint.MaxValue && Enum.IsDefined((AgentClusterProgramError)(uint)customCode)
            ? new AgentClusterProgramException((AgentClusterProgramError)(uint)customCode, instructionIndex, logs)
            : null;

    /// <summary>
    /// The typed exception for a failed preflight (the RPC client's <see cref="TransactionSimulationException"/>), or null when its error
    /// is no custom error of the program (see <see cref="TryFrom(TransactionError?, IReadOnlyList{string}?, PublicKey?, IReadOnlyList{PublicKey}?, Exception?)"/>).
    /// The simulation exception becomes the inner exception.
    /// </summary>
    /// <param name="simulation">The failed preflight.</param>
    /// <param name="programId">The AgentCluster program's address, or null.</param>
    /// <param name="instructionPrograms">The transaction's instructions' program ids, or null.</param>
    /// <returns>The exception, or null.</returns>
    public static AgentClusterProgramException? TryFrom(TransactionSimulationException simulation, PublicKey? programId = null,
        IReadOnlyList<PublicKey>? instructionPrograms = null)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        return TryFrom(simulation.Error, simulation.Logs, programId, instructionPrograms, simulation);
    }

    /// <summary>The typed exception for the RPC client's decoded <see cref="TransactionError"/>, or null (as the JSON overload).</summary>
    /// <param name="error">The decoded transaction error, or null.</param>
    /// <param name="logs">The logs, if known.</param>
    /// <param name="programId">The AgentCluster program's address, or null.</param>
    /// <param name="instructionPrograms">The transaction's instructions' program ids, or null.</param>
    /// <param name="inner">The exception that carried the error, if any.</param>
    /// <returns>The exception, or null.</returns>
    public static AgentClusterProgramException? TryFrom(TransactionError? error, IReadOnlyList<string>? logs = null, PublicKey? programId = null,
        IReadOnlyList<PublicKey>? instructionPrograms = null, Exception? inner = null)
    {
        if (error?.InstructionIndex is not { } index || error.CustomCode is not { } code || !IsOurs(index, programId, instructionPrograms)
            || !Enum.IsDefined((AgentClusterProgramError)code))
        {
            return null;
        }

        return new AgentClusterProgramException((AgentClusterProgramError)code, index, logs, inner);
    }

    private static bool IsOurs(int index, PublicKey? programId, IReadOnlyList<PublicKey>? instructionPrograms) =>
        programId is null || instructionPrograms is null || (index >= 0 && index < instructionPrograms.Count && instructionPrograms[index] == programId);

    /// <summary>
    /// The typed exception for a transaction error as the RPC gives it ({"InstructionError":[i,{"Custom":n}]}), or null when the error
    /// is of another kind or the code is not the program's. With <paramref name="instructionPrograms"/> (each instruction's program
    /// id, in order) and <paramref name="programId"/>, a custom error of another program's instruction is not taken for ours.
    /// </summary>
    /// <param name="err">The err JSON.</param>
    /// <param name="logs">The logs, if known.</param>
    /// <param name="programId">The AgentCluster program's address, or null.</param>
    /// <param name="instructionPrograms">The transaction's instructions' program ids, or null.</param>
    /// <returns>The exception, or null.</returns>
    public static AgentClusterProgramException? TryFrom(JsonElement err, IReadOnlyList<string>? logs = null, PublicKey? programId = null,
        IReadOnlyList<PublicKey>? instructionPrograms = null)
    {
        if (err.ValueKind != JsonValueKind.Object || !err.TryGetProperty("InstructionError", out JsonElement ie) || ie.ValueKind != JsonValueKind.Array ||
            ie.GetArrayLength() != 2 || !ie[0].TryGetInt32(out int index) || ie[1].ValueKind != JsonValueKind.Object ||
            !ie[1].TryGetProperty("Custom", out JsonElement custom) || !custom.TryGetInt64(out long code))
        {
            return null;
        }

        if (!IsOurs(index, programId, instructionPrograms))
        {
            return null;
        }

        return TryFrom(index, code, logs);
    }
}
