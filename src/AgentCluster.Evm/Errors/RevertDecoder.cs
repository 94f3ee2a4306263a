using System.Collections.Concurrent;
using System.Numerics;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Newtonsoft.Json.Linq;

namespace AgentCluster.Evm.Errors;

/// <summary>
/// Turns revert data, or the exception Nethereum threw for a revert, into a typed <see cref="ContractRevertException"/>:
/// <c>Error(string)</c> and <c>Panic(uint256)</c> always, and the custom errors it knows, by <c>[Error]</c> DTO type (decoded into
/// that type: <see cref="ContractCustomErrorException{TError}"/>) or by ABI. Unknown selectors and malformed data still give a
/// <see cref="ContractRevertException"/> with the raw data, never a decoding exception: the revert itself is the news.
/// Immutable and thread-safe; build one per set of contracts (the generated bindings expose the suite's).
/// </summary>
public sealed class RevertDecoder
{
    private const uint ErrorStringSelector = 0x08c379a0;
    private const uint PanicSelector = 0x4e487b71;

    private static readonly Parameter[] ErrorStringInputs = [new Parameter("string", "reason", 1)];
    private static readonly Parameter[] PanicInputs = [new Parameter("uint256", "code", 1)];

    private readonly Dictionary<uint, (ErrorABI Abi, Type? DtoType)> _errors = [];
    private static readonly ConcurrentDictionary<Type, Func<string, byte[], ErrorABI, IReadOnlyList<object?>, object, ContractRevertException>> Factories = new();

    /// <summary>A decoder for the given <c>[Error]</c> DTO types (Nethereum's <see cref="IErrorDTO"/> shape) and error ABIs.</summary>
    public RevertDecoder(IEnumerable<Type>? errorTypes = null, IEnumerable<ErrorABI>? errorAbis = null)
    {
        foreach (ErrorABI abi in errorAbis ?? [])
        {
            _errors.TryAdd(Key(abi.Sha3Signature), (abi, null));
        }

        foreach (Type type in errorTypes ?? [])
        {
            if (!ErrorAttribute.IsErrorType(type))
            {
                throw new ArgumentException($"{type.FullName} is not a Nethereum error DTO (it has no [Error] attribute).", nameof(errorTypes));
            }

            ErrorABI abi = new Nethereum.Contracts.Error(type).ErrorABI;
            _errors[Key(abi.Sha3Signature)] = (abi, type); // a DTO type wins over a bare ABI for the same selector
        }
    }

    /// <summary>A decoder that knows only <c>Error(string)</c> and <c>Panic(uint256)</c>.</summary>
    public static RevertDecoder Default { get; } = new();

    /// <summary>The custom errors this decoder knows.</summary>
    public IEnumerable<ErrorABI> CustomErrors => _errors.Values.Select(e => e.Abi);

    /// <summary>A decoder that knows this decoder's errors and the given ones.</summary>
    public RevertDecoder With(IEnumerable<Type>? errorTypes = null, IEnumerable<ErrorABI>? errorAbis = null) =>
        new(_errors.Values.Where(e => e.DtoType is not null).Select(e => e.DtoType!).Concat(errorTypes ?? []),
            _errors.Values.Where(e => e.DtoType is null).Select(e => e.Abi).Concat(errorAbis ?? []));

    /// <summary>Decodes revert data (selector + arguments; empty for a bare revert).</summary>
    public ContractRevertException Decode(ReadOnlySpan<byte> revertData)
    {
        byte[] data = revertData.ToArray();
        if (data.Length == 0)
        {
            return new ContractRevertException("Execution reverted without data (revert() or require without a message).", data);
        }

        if (data.Length < 4)
        {
            return new ContractRevertException(
                $"Execution reverted with {data.Length} byte(s) of data, too short for an error selector: {data.ToHex(true)}.", data);
        }

        uint key = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data);
        var decoder = new ParameterDecoder();
        byte[] body = data[4..];
        try
        {
            if (key == ErrorStringSelector)
            {
                CheckLayout(body, ErrorStringInputs);
                return new ContractRevertReasonException((string)decoder.DecodeDefaultData(body, ErrorStringInputs)[0].Result, data);
            }

            if (key == PanicSelector)
            {
                CheckLayout(body, PanicInputs);
                return new ContractPanicException((BigInteger)decoder.DecodeDefaultData(body, PanicInputs)[0].Result, data);
            }

            if (_errors.TryGetValue(key, out var known))
            {
                CheckLayout(body, known.Abi.InputParameters);
                List<ParameterOutput> outputs = decoder.DecodeDefaultData(body, known.Abi.InputParameters);
                object?[] args = outputs.OrderBy(o => o.Parameter.Order).Select(o => o.Result).ToArray();
                string rendered = string.Join(", ", outputs.OrderBy(o => o.Parameter.Order)
                    .Select(o => (string.IsNullOrEmpty(o.Parameter.Name) ? "" : o.Parameter.Name + ": ") + Render(o.Result)));
                string message = $"Execution reverted with {known.Abi.Name}({rendered}).";
                if (known.DtoType is null)
                {
                    return new ContractCustomErrorException(message, data, known.Abi, args);
                }

                object dto = data.ToHex(true).DecodeExceptionEncodedData(known.DtoType);
                return Factories.GetOrAdd(known.DtoType, CreateFactory)(message, data, known.Abi, args, dto);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ContractRevertException(
                $"Execution reverted with selector {data.AsSpan(0, 4).ToArray().ToHex(true)} but its arguments do not decode: {e.Message}", data);
        }

        return new ContractRevertException(
            $"Execution reverted with an unknown error, selector {data.AsSpan(0, 4).ToArray().ToHex(true)} ({data.Length} bytes of data).", data);
    }

    /// <summary>
    /// When <paramref name="exception"/> (or an inner exception) is a revert as Nethereum reports it
    /// (<see cref="SmartContractCustomErrorRevertException"/>, <see cref="SmartContractRevertException"/>, or an
    /// <see cref="RpcResponseException"/> whose error carries revert data), the typed revert, with the original as inner exception.
    /// </summary>
    public bool TryTranslate(Exception exception, out ContractRevertException revert)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is ContractRevertException already)
            {
                revert = already;
                return true;
            }

            if (TryGetRevertData(e) is { } data)
            {
                revert = Decode(data).WithInner(exception);
                return true;
            }
        }

        revert = null!;
        return false;
    }

    /// <summary>Translates a revert (see <see cref="TryTranslate"/>); any other exception is returned unchanged.</summary>
    public Exception Translate(Exception exception) => TryTranslate(exception, out var revert) ? revert : exception;

    /// <summary>The revert data a Nethereum exception carries, or null when it is not a revert.</summary>
    public static byte[]? TryGetRevertData(Exception e) => e switch
    {
        SmartContractCustomErrorRevertException custom => HexOrEmpty(custom.ExceptionEncodedData),
        SmartContractRevertException reason => HexOrEmpty(reason.EncodedData),
        RpcResponseException rpc when IsRevert(rpc.RpcError) => HexOrEmpty(DataString(rpc.RpcError.Data)),
        _ => null,
    };

    private static bool IsRevert(RpcError? error) => error is not null &&
        (error.Code == 3 || (error.Message ?? "").Contains("revert", StringComparison.OrdinalIgnoreCase));

    private static string? DataString(object? data) => data switch
    {
        null => null,
        string s => s,
        JValue { Type: JTokenType.String } v => (string?)v,
        JObject o when o["data"] is JValue { Type: JTokenType.String } inner => (string?)inner,
        _ => null,
    };

    private static byte[] HexOrEmpty(string? hex) => string.IsNullOrEmpty(hex) || hex == "0x" ? [] : hex.HexToByteArray();

    private static Func<string, byte[], ErrorABI, IReadOnlyList<object?>, object, ContractRevertException> CreateFactory(Type dtoType)
    {
        Type exceptionType = typeof(ContractCustomErrorException<>).MakeGenericType(dtoType);
        return (message, data, abi, args, dto) =>
            (ContractRevertException)Activator.CreateInstance(exceptionType, message, data, abi, args, dto, null)!;
    }

    /// <summary>
    /// Nethereum's decoder reads past the end of short data as if it were there (it takes what bytes exist), so a truncated
    /// revert would decode into made-up values. ABI data is whole 32-byte words, at least the head of the parameters, and each
    /// string/bytes parameter's offset and length stay inside it.
    /// </summary>
    private static void CheckLayout(byte[] body, Parameter[] inputs)
    {
        if (body.Length % 32 != 0)
        {
            throw new FormatException($"ABI data is whole 32-byte words; {body.Length} bytes follow the selector");
        }

        int head = inputs.Sum(p => p.ABIType.IsDynamic() ? 32 : p.ABIType.FixedSize);
        if (body.Length < head)
        {
            throw new FormatException($"the arguments need at least {head} bytes; {body.Length} follow the selector");
        }

        int slot = 0;
        foreach (Parameter p in inputs.OrderBy(p => p.Order))
        {
            if (p.ABIType.CanonicalName is "string" or "bytes")
            {
                BigInteger offset = Word(body, slot);
                if (offset + 32 > body.Length)
                {
                    throw new FormatException($"{p.Name}'s offset {offset} points past the end of the data");
                }

                BigInteger length = Word(body, (int)offset);
                if (offset + 32 + length > body.Length)
                {
                    throw new FormatException($"{p.Name}'s length {length} runs past the end of the data");
                }
            }

            slot += p.ABIType.IsDynamic() ? 32 : p.ABIType.FixedSize;
        }
    }

    private static BigInteger Word(byte[] data, int at) => new(data.AsSpan(at, 32), isUnsigned: true, isBigEndian: true);

    private static uint Key(string sha3Signature) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(sha3Signature.HexToByteArray().AsSpan(0, 4));

    private static string Render(object? value) => value switch
    {
        byte[] bytes => bytes.ToHex(true),
        string s => "\"" + s + "\"",
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>().Select(Render)) + "]",
        null => "null",
        _ => value.ToString() ?? "",
    };
}
