using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace AgentCluster.Solana.Programs;

/// <summary>The generated bindings' small shared pieces: argument checks, the data writer, the account readers.</summary>
internal static class ProgramLayout
{
    private static readonly ConcurrentDictionary<(PublicKey Program, string Name), (PublicKey, byte)> Pdas = new();

    /// <summary>A PDA that depends on the program id alone (or a small enum), found once per program.</summary>
    public static (PublicKey Address, byte Bump) Cached(PublicKey programId, string name, Func<(PublicKey, byte)> find) =>
        Pdas.GetOrAdd((programId, name), _ => find());

    public static void CheckHash(byte[]? value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length != 32)
        {
            throw new ArgumentException($"{name} must be 32 bytes, got {value.Length}.", name);
        }
    }

    public static byte[] Hash(byte[]? value, string name)
    {
        CheckHash(value, name);
        return value!;
    }

    public static void CheckDefined<T>(T value, string name)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is not a defined {typeof(T).Name}.");
        }
    }

    public static void CheckRange(ulong value, ulong min, ulong max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be within {min}..{max}.");
        }
    }

    public static void CheckNotZero(ulong value, string name)
    {
        if (value == 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must not be zero (the program refuses it).");
        }
    }

    public static void Append(List<AccountMeta> keys, IEnumerable<AccountMeta>? extra, string name)
    {
        if (extra is null)
        {
            return;
        }

        foreach (AccountMeta meta in extra)
        {
            keys.Add(meta ?? throw new ArgumentException($"{name} holds a null account.", name));
        }
    }

    public static byte[] U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return b;
    }

    public static byte[] U64(ulong value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return b;
    }

    /// <summary>Instruction data, written little-endian into a buffer of the exact size.</summary>
    public sealed class Writer(int size)
    {
        private readonly byte[] _data = new byte[size];
        private int _at;

        public void U8(byte v) => _data[_at++] = v;

        public void U16(ushort v) => Advance(2, s => BinaryPrimitives.WriteUInt16LittleEndian(s, v));

        public void U32(uint v) => Advance(4, s => BinaryPrimitives.WriteUInt32LittleEndian(s, v));

        public void U64(ulong v) => Advance(8, s => BinaryPrimitives.WriteUInt64LittleEndian(s, v));

        public void I64(long v) => Advance(8, s => BinaryPrimitives.WriteInt64LittleEndian(s, v));

        public void Key(PublicKey key) => Bytes(key.KeyBytes);

        public void Bytes(byte[] bytes)
        {
            bytes.CopyTo(_data, _at);
            _at += bytes.Length;
        }

        public byte[] ToArray() =>
            _at == _data.Length ? _data : throw new InvalidOperationException($"instruction data: wrote {_at} of {_data.Length} bytes");

        private delegate void SpanWrite(Span<byte> span);

        private void Advance(int n, SpanWrite write)
        {
            write(_data.AsSpan(_at, n));
            _at += n;
        }
    }

    // ---- account readers ----

    public delegate T SpanDecoder<out T>(ReadOnlySpan<byte> span);

    public static PublicKey ReadKey(ReadOnlySpan<byte> span) => new(span);

    public static void CheckExactSize(ReadOnlySpan<byte> d, string account, int size)
    {
        if (d.Length != size)
        {
            throw new FormatException($"{account} account data is {size} bytes, got {d.Length}.");
        }
    }

    public static void CheckTailSize(ReadOnlySpan<byte> d, string account, int min, int stride)
    {
        if (d.Length < min || (d.Length - min) % stride != 0)
        {
            throw new FormatException($"{account} account data is {min} bytes and a whole number of {stride}-byte elements, got {d.Length}.");
        }
    }

    public static void CheckOneOfSizes(ReadOnlySpan<byte> d, string account, int[] sizes)
    {
        if (Array.IndexOf(sizes, d.Length) < 0)
        {
            throw new FormatException($"{account} account data is {string.Join(" or ", sizes)} bytes, got {d.Length}.");
        }
    }

    public static void CheckDiscriminator(ReadOnlySpan<byte> d, string account, IReadOnlyList<byte> discriminators)
    {
        if (!discriminators.Contains(d[0]))
        {
            throw new FormatException($"not a {account} account: discriminator {d[0]}, expected {string.Join(" or ", discriminators)}.");
        }
    }

    /// <summary>count elements from offset (past inlineCount, from extensionOffset); FormatException when they do not fit.</summary>
    public static IReadOnlyList<T> ReadArray<T>(ReadOnlySpan<byte> d, string field, int offset, int stride, long count, SpanDecoder<T> decode) =>
        ReadArray(d, field, offset, stride, count, int.MaxValue, 0, decode);

    public static IReadOnlyList<T> ReadArray<T>(ReadOnlySpan<byte> d, string field, int offset, int stride, long count, int inlineCount,
        int extensionOffset, SpanDecoder<T> decode)
    {
        // the last element's end, checked before anything is allocated (a count is data too)
        long end = count <= inlineCount ? offset + (count * stride) : extensionOffset + ((count - inlineCount) * stride);
        if (count > 0 && end > d.Length)
        {
            throw new FormatException($"{field}: {count} elements end at byte {end}, past the data's {d.Length} bytes.");
        }

        var items = new T[count];
        for (long i = 0; i < count; i++)
        {
            long at = i < inlineCount ? offset + (i * stride) : extensionOffset + ((i - inlineCount) * stride);
            items[i] = decode(d.Slice((int)at, stride));
        }

        return items;
    }
}
