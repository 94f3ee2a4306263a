namespace AgentCluster.Evm.Abi;

/// <summary>
/// Turns revert data into a typed <see cref="ContractRevertException"/>: <c>Error(string)</c> and <c>Panic(uint256)</c> always,
/// and the custom errors it was given (e.g. every error of a contract's ABI). Unknown selectors and malformed data still give a
/// <see cref="ContractRevertException"/> with the raw data, never a decoding exception: the revert itself is the news.
/// </summary>
public sealed class RevertDecoder
{
    private static readonly AbiError ErrorString = AbiError.Parse("Error(string)");
    private static readonly AbiError Panic = AbiError.Parse("Panic(uint256)");

    private readonly Dictionary<uint, AbiError> _errors = [];

    public RevertDecoder(IEnumerable<AbiError>? customErrors = null)
    {
        foreach (AbiError error in customErrors ?? [])
        {
            _errors[Key(error.Selector)] = error;
        }
    }

    /// <summary>A decoder that knows only Error(string) and Panic(uint256).</summary>
    public static RevertDecoder Default { get; } = new();

    public IReadOnlyCollection<AbiError> CustomErrors => _errors.Values;

    public ContractRevertException Decode(ReadOnlySpan<byte> revertData)
    {
        byte[] data = revertData.ToArray();
        if (data.Length == 0)
        {
            return new ContractRevertException("Execution reverted without data (revert() or require without a message).", data);
        }

        if (data.Length < 4)
        {
            return new ContractRevertException($"Execution reverted with {data.Length} byte(s) of data, too short for an error selector: {Hex.Encode(data)}.", data);
        }

        uint key = Key(data);
        try
        {
            if (key == Key(ErrorString.Selector))
            {
                return new ContractRevertReasonException((string)ErrorString.Decode(data)[0]!, data);
            }

            if (key == Key(Panic.Selector))
            {
                return new ContractPanicException((System.Numerics.BigInteger)Panic.Decode(data)[0]!, data);
            }

            if (_errors.TryGetValue(key, out AbiError? error))
            {
                object?[] args = error.Decode(data);
                string rendered = string.Join(", ", error.Inputs.Select((p, i) => (p.Name is { Length: > 0 } n ? n + ": " : "") + Render(args[i])));
                return new ContractRevertException($"Execution reverted with {error.Name}({rendered}).", data, error.Name, error.Signature, args);
            }
        }
        catch (AbiDecodingException e)
        {
            return new ContractRevertException($"Execution reverted with selector {Hex.Encode(data.AsSpan(0, 4))} but its arguments do not decode: {e.Message}", data);
        }

        return new ContractRevertException($"Execution reverted with an unknown error, selector {Hex.Encode(data.AsSpan(0, 4))} ({data.Length} bytes of data).", data);
    }

    private static string Render(object? value) => value switch
    {
        byte[] bytes => Hex.Encode(bytes),
        string s => "\"" + s + "\"",
        object?[] items => "[" + string.Join(", ", items.Select(Render)) + "]",
        null => "null",
        _ => value.ToString() ?? "",
    };

    private static uint Key(ReadOnlySpan<byte> selector) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(selector);
}
