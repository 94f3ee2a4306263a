namespace AgentCluster.Evm.Abi;

/// <summary>
/// An event: <c>event Transfer(address indexed from, address indexed to, uint256 value)</c>.
/// Topic 0 is Keccak-256 of the canonical signature (absent for anonymous events); indexed static values are their
/// 32-byte encoding; indexed dynamic values (string, bytes, arrays, tuples) are the Keccak-256 of their in-place encoding
/// and cannot be decoded back, so <see cref="DecodeLog"/> returns their <see cref="Hash32"/>.
/// </summary>
public sealed class AbiEvent
{
    public AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int indexed = inputs.Count(p => p.Indexed);
        if (indexed > (anonymous ? 4 : 3))
        {
            throw new FormatException($"Event {name} has {indexed} indexed parameters; at most {(anonymous ? 4 : 3)} are allowed.");
        }

        Name = name;
        Inputs = inputs;
        Anonymous = anonymous;
        Signature = $"{name}({string.Join(",", inputs.Select(p => p.Type.CanonicalName))})";
        Topic0 = Keccak.HashUtf8(Signature);
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public bool Anonymous { get; }

    public string Signature { get; }

    /// <summary>Keccak-256 of <see cref="Signature"/> (what <c>cast sig-event</c> prints).</summary>
    public Hash32 Topic0 { get; }

    public static AbiEvent Parse(string signature)
    {
        var parsed = AbiSignatureParser.ParseSignature(signature, "event");
        return new AbiEvent(parsed.Name, parsed.Inputs, parsed.Anonymous);
    }

    /// <summary>The topic of one indexed value.</summary>
    public static Hash32 EncodeTopic(AbiType type, object? value)
    {
        const string path = "indexed value";
        return type.IsDynamic || type is ArrayType or TupleType
            ? Keccak.Hash(AbiEncoder.EncodeInPlace(type, value, path, topLevel: true))
            : new Hash32(AbiEncoder.EncodeInPlace(type, value, path, topLevel: true));
    }

    /// <summary>Encodes a log as an emitter would: topics (topic 0 first unless anonymous) and data (the non-indexed values).</summary>
    /// <param name="values">One value per input, in declaration order.</param>
    public (IReadOnlyList<Hash32> Topics, byte[] Data) EncodeLog(params object?[] values)
    {
        if (values.Length != Inputs.Count)
        {
            throw new AbiEncodingException($"Event {Signature} has {Inputs.Count} parameter(s), got {values.Length} value(s).");
        }

        var topics = new List<Hash32>();
        if (!Anonymous)
        {
            topics.Add(Topic0);
        }

        var dataTypes = new List<AbiType>();
        var dataValues = new List<object?>();
        for (int i = 0; i < Inputs.Count; i++)
        {
            if (Inputs[i].Indexed)
            {
                topics.Add(EncodeTopic(Inputs[i].Type, values[i]));
            }
            else
            {
                dataTypes.Add(Inputs[i].Type);
                dataValues.Add(values[i]);
            }
        }

        return (topics, AbiEncoder.Encode(dataTypes, dataValues));
    }

    /// <summary>Decodes a log's topics and data into one value per input, in declaration order.</summary>
    /// <exception cref="AbiDecodingException">Topic 0 does not match, the topic count is wrong, or the data is malformed.</exception>
    public DecodedEvent DecodeLog(IReadOnlyList<Hash32> topics, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        int expectedTopics = Inputs.Count(p => p.Indexed) + (Anonymous ? 0 : 1);
        if (topics.Count != expectedTopics)
        {
            throw new AbiDecodingException($"Event {Signature} expects {expectedTopics} topic(s), the log has {topics.Count}.");
        }

        if (!Anonymous && topics[0] != Topic0)
        {
            throw new AbiDecodingException($"Log topic 0 is {topics[0]}, not {Topic0} of {Signature}.");
        }

        var nonIndexed = Inputs.Where(p => !p.Indexed).Select(p => p.Type).ToArray();
        object?[] dataValues = AbiDecoder.Decode(nonIndexed, data);
        var values = new object?[Inputs.Count];
        int topic = Anonymous ? 0 : 1, dataIndex = 0;
        for (int i = 0; i < Inputs.Count; i++)
        {
            AbiParameter p = Inputs[i];
            if (!p.Indexed)
            {
                values[i] = dataValues[dataIndex++];
            }
            else if (p.Type.IsDynamic || p.Type is ArrayType or TupleType)
            {
                values[i] = topics[topic++];
            }
            else
            {
                values[i] = AbiDecoder.Decode([p.Type], topics[topic++].ToArray())[0];
            }
        }

        return new DecodedEvent(this, values);
    }

    public override string ToString() => Signature;
}

/// <summary>A decoded log: one value per event input in declaration order (indexed dynamic inputs as their <see cref="Hash32"/>).</summary>
public sealed record DecodedEvent(AbiEvent Event, IReadOnlyList<object?> Values)
{
    /// <summary>The value of the named input.</summary>
    /// <exception cref="KeyNotFoundException">No input has that name.</exception>
    public object? this[string name]
    {
        get
        {
            for (int i = 0; i < Event.Inputs.Count; i++)
            {
                if (Event.Inputs[i].Name == name)
                {
                    return Values[i];
                }
            }

            throw new KeyNotFoundException($"Event {Event.Signature} has no input named '{name}'.");
        }
    }
}
