using System.Buffers.Binary;

namespace AgentCluster.Keepers.Attestation;

/// <summary>Bounds-checked little-endian reading of a quote; every failure is a <see cref="QuoteFormatException"/>.</summary>
internal ref struct QuoteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _end;

    public QuoteReader(ReadOnlySpan<byte> data, int start, int end)
    {
        _data = data;
        Position = start;
        _end = end;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _end - Position;

    public ReadOnlySpan<byte> Take(int length, string field)
    {
        if (length < 0 || length > Remaining)
        {
            throw new QuoteFormatException(field, Position, $"needs {length} bytes but only {Remaining} remain");
        }

        ReadOnlySpan<byte> span = _data.Slice(Position, length);
        Position += length;
        return span;
    }

    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public int Length32(string field)
    {
        int at = Position;
        uint value = U32(field);
        if (value > (uint)Remaining)
        {
            throw new QuoteFormatException(field, at, $"declares {value} bytes but only {Remaining} follow");
        }

        return (int)value;
    }
}
