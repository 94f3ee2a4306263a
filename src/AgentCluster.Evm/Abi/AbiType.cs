namespace AgentCluster.Evm.Abi;

/// <summary>
/// A Solidity ABI type. Build with <see cref="Parse"/> (<c>"uint256"</c>, <c>"(address,bytes)[]"</c>, <c>"tuple(uint8,string)[3]"</c>)
/// or the factory members. <see cref="CanonicalName"/> is the form used in selectors (<c>uint</c> becomes <c>uint256</c>).
/// </summary>
public abstract record AbiType
{
    public static readonly AbiType Address = new AddressType();
    public static readonly AbiType Bool = new BoolType();
    public static readonly AbiType Bytes = new BytesType();
    public static readonly AbiType String = new StringType();
    public static readonly AbiType UInt256 = new UIntType(256);
    public static readonly AbiType Int256 = new IntType(256);
    public static readonly AbiType Bytes32 = new FixedBytesType(32);

    /// <summary>The canonical type name used in signatures.</summary>
    public abstract string CanonicalName { get; }

    /// <summary>True when the encoding has a head offset and a tail (bytes, string, T[], and anything containing them).</summary>
    public abstract bool IsDynamic { get; }

    /// <summary>Bytes the value takes in the head of an enclosing tuple: 32 for dynamic types, the inline size for static ones.</summary>
    public virtual int HeadSize => 32;

    /// <summary>Parses one type.</summary>
    /// <exception cref="FormatException">Says what part of the type is invalid.</exception>
    public static AbiType Parse(string type) => AbiSignatureParser.ParseSingleType(type);

    public sealed override string ToString() => CanonicalName;
}

/// <summary><c>uintN</c>, N a multiple of 8 from 8 to 256.</summary>
public sealed record UIntType : AbiType
{
    public UIntType(int bits)
    {
        AbiSignatureParser.CheckBits(bits, "uint");
        Bits = bits;
    }

    public int Bits { get; }

    public override string CanonicalName => "uint" + Bits;

    public override bool IsDynamic => false;
}

/// <summary><c>intN</c>, N a multiple of 8 from 8 to 256 (two's complement).</summary>
public sealed record IntType : AbiType
{
    public IntType(int bits)
    {
        AbiSignatureParser.CheckBits(bits, "int");
        Bits = bits;
    }

    public int Bits { get; }

    public override string CanonicalName => "int" + Bits;

    public override bool IsDynamic => false;
}

public sealed record AddressType : AbiType
{
    public override string CanonicalName => "address";

    public override bool IsDynamic => false;
}

public sealed record BoolType : AbiType
{
    public override string CanonicalName => "bool";

    public override bool IsDynamic => false;
}

/// <summary><c>bytesN</c>, N from 1 to 32, right-padded.</summary>
public sealed record FixedBytesType : AbiType
{
    public FixedBytesType(int size)
    {
        if (size is < 1 or > 32)
        {
            throw new FormatException($"bytes{size} is not a type: bytesN needs N between 1 and 32.");
        }

        Size = size;
    }

    public int Size { get; }

    public override string CanonicalName => "bytes" + Size;

    public override bool IsDynamic => false;
}

public sealed record BytesType : AbiType
{
    public override string CanonicalName => "bytes";

    public override bool IsDynamic => true;
}

public sealed record StringType : AbiType
{
    public override string CanonicalName => "string";

    public override bool IsDynamic => true;
}

/// <summary><c>T[]</c> (<see cref="Length"/> null) or <c>T[k]</c>.</summary>
public sealed record ArrayType : AbiType
{
    public ArrayType(AbiType element, int? length = null)
    {
        ArgumentNullException.ThrowIfNull(element);
        if (length is <= 0)
        {
            throw new FormatException($"{element.CanonicalName}[{length}] is not a type: a fixed-size array needs a length of at least 1.");
        }

        Element = element;
        Length = length;
    }

    public AbiType Element { get; }

    public int? Length { get; }

    public override string CanonicalName => Element.CanonicalName + (Length is { } n ? $"[{n}]" : "[]");

    public override bool IsDynamic => Length is null || Element.IsDynamic;

    public override int HeadSize => IsDynamic ? 32 : checked(Length!.Value * Element.HeadSize);
}

/// <summary>A tuple (a Solidity struct): <c>(T1,T2,...)</c>. Component names are kept for decoding by name but are not part of the canonical name.</summary>
public sealed record TupleType : AbiType
{
    public TupleType(IReadOnlyList<AbiParameter> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        Components = components;
    }

    public TupleType(params AbiType[] types)
        : this(types.Select(t => new AbiParameter(t)).ToArray())
    {
    }

    public IReadOnlyList<AbiParameter> Components { get; }

    public override string CanonicalName => "(" + string.Join(",", Components.Select(c => c.Type.CanonicalName)) + ")";

    public override bool IsDynamic => Components.Any(c => c.Type.IsDynamic);

    public override int HeadSize => IsDynamic ? 32 : Components.Sum(c => c.Type.HeadSize);

    public bool Equals(TupleType? other) => other is not null && CanonicalName == other.CanonicalName;

    public override int GetHashCode() => CanonicalName.GetHashCode(StringComparison.Ordinal);
}

/// <summary>A named (or unnamed) parameter of a function, event, error or tuple.</summary>
public sealed record AbiParameter(AbiType Type, string? Name = null, bool Indexed = false)
{
    public override string ToString() => Type.CanonicalName + (Indexed ? " indexed" : "") + (string.IsNullOrEmpty(Name) ? "" : " " + Name);
}
