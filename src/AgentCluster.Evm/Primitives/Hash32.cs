using System.Buffers.Binary;

namespace AgentCluster.Evm;

/// <summary>A 32-byte value: a Keccak-256 hash, a transaction hash, a log topic, a <c>bytes32</c>.</summary>
public readonly record struct Hash32
{
    public const int Length = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    /// <summary>Creates a hash from exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public Hash32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A 32-byte hash needs exactly 32 bytes, got {bytes.Length}.", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The all-zero value.</summary>
    public static Hash32 Zero => default;

    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>Parses 64 hex digits, with or without <c>0x</c>.</summary>
    /// <exception cref="FormatException">Malformed hex or not 32 bytes.</exception>
    public static Hash32 Parse(string hex) => new(Hex.DecodeExact(hex, Length, "a 32-byte hash"));

    public static bool TryParse(string? hex, out Hash32 hash)
    {
        hash = default;
        if (!Hex.IsValid(hex))
        {
            return false;
        }

        byte[] bytes = Hex.Decode(hex!);
        if (bytes.Length != Length)
        {
            return false;
        }

        hash = new Hash32(bytes);
        return true;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    /// <summary>Lowercase hex with <c>0x</c>.</summary>
    public override string ToString() => Hex.Encode(ToArray());
}
