using System.Numerics;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;

namespace AgentCluster.Evm.Errors;

/// <summary>
/// A contract call, gas estimation or transaction reverted. Carries the raw revert data and, when the error is known, its name,
/// signature and decoded arguments; the message names them. Distinct from RPC and transport failures, which are never this type.
/// Subtypes: <see cref="ContractCustomErrorException{TError}"/> for a custom error whose Nethereum <c>[Error]</c> DTO is known
/// (<see cref="ContractCustomErrorException"/> when only its ABI is), <see cref="ContractRevertReasonException"/> for
/// <c>Error(string)</c> and <see cref="ContractPanicException"/> for <c>Panic(uint256)</c>. The Nethereum exception it was
/// translated from, if any, is the <see cref="Exception.InnerException"/>.
/// </summary>
public class ContractRevertException : Exception
{
    /// <summary>A revert with its raw data and, when decoded, the error's name, signature and arguments.</summary>
    public ContractRevertException(string message, byte[] revertData, string? errorName = null, string? errorSignature = null,
        IReadOnlyList<object?>? arguments = null, Exception? innerException = null)
        : base(message, innerException)
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

    /// <summary>The decoded arguments in declaration order (Nethereum's .NET values); empty when unknown.</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>The 4-byte selector as 0x-hex, or null when the data is shorter than 4 bytes.</summary>
    public string? Selector => RevertData.Length >= 4 ? RevertData.AsSpan(0, 4).ToArray().ToHex(true) : null;

    /// <summary>Rethrown with a new inner exception (the decoder builds the value first, then attaches what it came from).</summary>
    internal virtual ContractRevertException WithInner(Exception inner) =>
        new(Message, RevertData, ErrorName, ErrorSignature, Arguments, inner);
}

/// <summary>A revert with a reason string: <c>Error(string)</c>, selector 0x08c379a0.</summary>
public sealed class ContractRevertReasonException(string reason, byte[] revertData, Exception? innerException = null)
    : ContractRevertException($"Execution reverted: {reason}", revertData, "Error", "Error(string)", [reason], innerException)
{
    /// <summary>The reason string given to <c>revert</c> / <c>require</c>.</summary>
    public string Reason { get; } = reason;

    internal override ContractRevertException WithInner(Exception inner) => new ContractRevertReasonException(Reason, RevertData, inner);
}

/// <summary>A Solidity panic: <c>Panic(uint256)</c>, selector 0x4e487b71 (Nethereum does not decode these).</summary>
public sealed class ContractPanicException(BigInteger code, byte[] revertData, Exception? innerException = null)
    : ContractRevertException($"Execution panicked with code 0x{code:x2}: {Describe(code)}", revertData, "Panic", "Panic(uint256)", [code], innerException)
{
    /// <summary>The panic code (0x11 arithmetic overflow, 0x12 division by zero, 0x32 index out of bounds, ...).</summary>
    public BigInteger Code { get; } = code;

    /// <summary>What <see cref="Code"/> means (<see cref="Describe"/>).</summary>
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

    internal override ContractRevertException WithInner(Exception inner) => new ContractPanicException(Code, RevertData, inner);
}

/// <summary>A custom error of a known ABI (<see cref="Abi"/>); <see cref="ContractCustomErrorException{TError}"/> when its DTO type is known too.</summary>
public class ContractCustomErrorException(string message, byte[] revertData, ErrorABI abi, IReadOnlyList<object?> arguments, Exception? innerException = null)
    : ContractRevertException(message, revertData, abi.Name, abi.Signature(), arguments, innerException)
{
    /// <summary>The custom error's ABI (name and parameters).</summary>
    public ErrorABI Abi { get; } = abi;

    internal override ContractRevertException WithInner(Exception inner) => new ContractCustomErrorException(Message, RevertData, Abi, Arguments, inner);
}

/// <summary>
/// A custom error decoded into its Nethereum <c>[Error]</c> DTO: <c>catch (ContractCustomErrorException&lt;InsufficientBondError&gt; e)</c>
/// and read <c>e.Error.Required</c>.
/// </summary>
public sealed class ContractCustomErrorException<TError>(string message, byte[] revertData, ErrorABI abi, IReadOnlyList<object?> arguments,
    TError error, Exception? innerException = null)
    : ContractCustomErrorException(message, revertData, abi, arguments, innerException)
    where TError : class
{
    /// <summary>The custom error decoded into its DTO, with its arguments as properties.</summary>
    public TError Error { get; } = error;

    internal override ContractRevertException WithInner(Exception inner) =>
        new ContractCustomErrorException<TError>(Message, RevertData, Abi, Arguments, Error, inner);
}

internal static class ErrorAbiExtensions
{
    /// <summary>The canonical signature, e.g. <c>InsufficientBond(uint256,uint256)</c>.</summary>
    public static string Signature(this ErrorABI abi) =>
        abi.Name + "(" + string.Join(",", abi.InputParameters.Select(p => p.ABIType.CanonicalName)) + ")";
}
