using System.Buffers.Binary;

namespace AgentCluster.Solana.Programs;

/// <summary>Little-endian instruction data, appended field by field.</summary>
internal sealed class Data
{
    private readonly List<byte> _bytes = [];

    public Data U8(byte v)
    {
        _bytes.Add(v);
        return this;
    }

    public Data U16(ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        _bytes.AddRange(b);
        return this;
    }

    public Data U32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        _bytes.AddRange(b);
        return this;
    }

    public Data U64(ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        _bytes.AddRange(b);
        return this;
    }

    public Data Key(PublicKey key)
    {
        _bytes.AddRange(key.Span);
        return this;
    }

    public Data Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    public static void NotNull(object? value, string name) => ArgumentNullException.ThrowIfNull(value, name);
}
