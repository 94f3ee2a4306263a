namespace AgentCluster.Evm.Abi;

/// <summary>
/// A function: name, inputs, outputs. <see cref="Parse"/> takes <c>transfer(address,uint256)</c>,
/// <c>balanceOf(address)(uint256)</c> (cast's form) or <c>function transfer(address to, uint256 amount) returns (bool)</c>.
/// </summary>
public sealed class AbiFunction
{
    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter>? outputs = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Inputs = inputs;
        Outputs = outputs ?? [];
        Signature = $"{name}({string.Join(",", inputs.Select(p => p.Type.CanonicalName))})";
        Selector = Keccak.HashUtf8(Signature).ToArray()[..4];
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public IReadOnlyList<AbiParameter> Outputs { get; }

    /// <summary>The canonical signature, e.g. <c>transfer(address,uint256)</c>.</summary>
    public string Signature { get; }

    /// <summary>The first 4 bytes of Keccak-256 of <see cref="Signature"/>.</summary>
    public byte[] Selector { get; }

    public string SelectorHex => Hex.Encode(Selector);

    /// <exception cref="FormatException">Malformed signature.</exception>
    public static AbiFunction Parse(string signature)
    {
        var parsed = AbiSignatureParser.ParseSignature(signature, "function");
        return new AbiFunction(parsed.Name, parsed.Inputs, parsed.Outputs);
    }

    /// <summary>Selector + ABI-encoded arguments: the calldata of a call.</summary>
    public byte[] EncodeCall(params object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Length != Inputs.Count)
        {
            throw new AbiEncodingException($"{Signature} takes {Inputs.Count} argument(s), got {arguments.Length}.");
        }

        return [.. Selector, .. AbiEncoder.Encode(Inputs.Select(p => p.Type).ToArray(), arguments)];
    }

    /// <summary>Decodes calldata (checking the selector) into the argument values.</summary>
    public object?[] DecodeCall(ReadOnlySpan<byte> calldata)
    {
        if (calldata.Length < 4 || !calldata[..4].SequenceEqual(Selector))
        {
            string found = calldata.Length < 4 ? $"only {calldata.Length} byte(s)" : Hex.Encode(calldata[..4]);
            throw new AbiDecodingException($"Calldata does not start with the selector {SelectorHex} of {Signature}; found {found}.");
        }

        return AbiDecoder.Decode(Inputs.Select(p => p.Type).ToArray(), calldata[4..]);
    }

    /// <summary>Encodes return values (what the contract returns).</summary>
    public byte[] EncodeOutput(params object?[] values) => AbiEncoder.Encode(Outputs.Select(p => p.Type).ToArray(), values);

    /// <summary>Decodes the return data of a call.</summary>
    public object?[] DecodeOutput(ReadOnlySpan<byte> returnData) => AbiDecoder.Decode(Outputs.Select(p => p.Type).ToArray(), returnData);

    public override string ToString() => Signature;
}

/// <summary>A custom error, e.g. <c>InsufficientBond(uint256 required, uint256 provided)</c>; encoded like a function call.</summary>
public sealed class AbiError
{
    public AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Inputs = inputs;
        Signature = $"{name}({string.Join(",", inputs.Select(p => p.Type.CanonicalName))})";
        Selector = Keccak.HashUtf8(Signature).ToArray()[..4];
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public string Signature { get; }

    public byte[] Selector { get; }

    public string SelectorHex => Hex.Encode(Selector);

    public static AbiError Parse(string signature)
    {
        var parsed = AbiSignatureParser.ParseSignature(signature, "error");
        return new AbiError(parsed.Name, parsed.Inputs);
    }

    /// <summary>Revert data for this error: selector + encoded arguments.</summary>
    public byte[] Encode(params object?[] arguments) => [.. Selector, .. AbiEncoder.Encode(Inputs.Select(p => p.Type).ToArray(), arguments)];

    /// <summary>Decodes the arguments from revert data that starts with this error's selector.</summary>
    public object?[] Decode(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4 || !revertData[..4].SequenceEqual(Selector))
        {
            throw new AbiDecodingException($"Revert data does not start with the selector {SelectorHex} of {Signature}.");
        }

        return AbiDecoder.Decode(Inputs.Select(p => p.Type).ToArray(), revertData[4..]);
    }

    public override string ToString() => Signature;
}
