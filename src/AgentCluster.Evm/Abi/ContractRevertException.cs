using System.Numerics;

namespace AgentCluster.Evm.Abi;

/// <summary>
/// A contract call or transaction reverted. Carries the raw revert data and, when the error is known, its name and
/// decoded arguments. Distinct from RPC/transport failures, which are never this type.
/// Subtypes: <see cref="ContractRevertReasonException"/> for <c>Error(string)</c> (require/revert with a message) and
/// <see cref="ContractPanicException"/> for <c>Panic(uint256)</c> (assert, overflow, division by zero, ...).
/// </summary>
public class ContractRevertException : Exception
{
    public ContractRevertException(string message, byte[] revertData, string? errorName = null, string? errorSignature = null, IReadOnlyList<object?>? arguments = null)
        : base(message)
    {
        RevertData = revertData;
        ErrorName = errorName;
        ErrorSignature = errorSignature;
        Arguments = arguments ?? [];
    }

    /// <summary>The raw revert data (selector + arguments); empty for a bare <c>revert()</c>.</summary>
    public byte[] RevertData { get; }

    /// <summary>The error's name (<c>InsufficientBond</c>, <c>Error</c>, <c>Panic</c>); null when the selector is unknown or there is no data.</summary>
    public string? ErrorName { get; }

    /// <summary>The canonical signature, e.g. <c>InsufficientBond(uint256,uint256)</c>; null when unknown.</summary>
    public string? ErrorSignature { get; }

    /// <summary>The decoded arguments in declaration order; empty when unknown.</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>The 4-byte selector, or null when the data is shorter than 4 bytes.</summary>
    public byte[]? Selector => RevertData.Length >= 4 ? RevertData[..4] : null;
}

/// <summary>A revert with a reason string: <c>Error(string)</c>, selector 0x08c379a0.</summary>
public sealed class ContractRevertReasonException(string reason, byte[] revertData)
    : ContractRevertException($"Execution reverted: {reason}", revertData, "Error", "Error(string)", [reason])
{
    public string Reason { get; } = reason;
}

/// <summary>A Solidity panic: <c>Panic(uint256)</c>, selector 0x4e487b71.</summary>
public sealed class ContractPanicException(BigInteger code, byte[] revertData)
    : ContractRevertException($"Execution panicked with code 0x{code:x2}: {Describe(code)}", revertData, "Panic", "Panic(uint256)", [code])
{
    public BigInteger Code { get; } = code;

    public string Description => Describe(Code);

    /// <summary>The meaning of a panic code, from the Solidity documentation.</summary>
    public static string Describe(BigInteger code) => (int)BigInteger.Min(code, int.MaxValue) switch
    {
        0x00 => "generic compiler-inserted panic",
        0x01 => "assert(false)",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "conversion of an out-of-range value to an enum",
        0x22 => "access to an incorrectly encoded storage byte array",
        0x31 => "pop() on an empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory (too much memory allocated or an array too large)",
        0x51 => "call to a zero-initialized internal function variable",
        _ => "unknown panic code",
    };
}
