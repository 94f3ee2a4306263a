using System.Globalization;
using System.Numerics;

namespace AgentCluster.Evm;

/// <summary>
/// An unsigned 256-bit integer (<c>uint256</c>, wei amounts). A range-checked wrapper over <see cref="BigInteger"/>:
/// every way in validates 0 &lt;= value &lt; 2^256, arithmetic is checked and throws <see cref="OverflowException"/>
/// instead of wrapping. <c>default</c> is zero.
/// </summary>
public readonly record struct UInt256 : IComparable<UInt256>
{
    public static readonly BigInteger MaxBigInteger = (BigInteger.One << 256) - 1;

    private readonly BigInteger _value;

    /// <exception cref="ArgumentOutOfRangeException">Negative or at least 2^256.</exception>
    public UInt256(BigInteger value)
    {
        if (value.Sign < 0 || value > MaxBigInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A uint256 must be between 0 and 2^256-1.");
        }

        _value = value;
    }

    public static UInt256 Zero => default;

    public static UInt256 One => new(BigInteger.One);

    public static UInt256 MaxValue => new(MaxBigInteger);

    public BigInteger Value => _value;

    public bool IsZero => _value.IsZero;

    /// <summary>From 32 big-endian bytes (or fewer; shorter input is left-padded).</summary>
    public static UInt256 FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 32)
        {
            throw new ArgumentException($"A uint256 has at most 32 bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new UInt256(new BigInteger(bytes, isUnsigned: true, isBigEndian: true));
    }

    /// <summary>32 big-endian bytes.</summary>
    public byte[] ToBigEndian32()
    {
        var result = new byte[32];
        byte[] raw = _value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (!_value.IsZero)
        {
            raw.CopyTo(result, 32 - raw.Length);
        }

        return result;
    }

    /// <summary>Parses decimal, or hex with a <c>0x</c> prefix.</summary>
    /// <exception cref="FormatException">Not a number.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Out of range.</exception>
    public static UInt256 Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return new UInt256(Hex.DecodeQuantity(text));
        }

        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
        {
            throw new FormatException($"'{Hex.Shorten(text)}' is not a decimal or 0x-hex unsigned integer.");
        }

        return new UInt256(BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    public static implicit operator UInt256(ulong value) => new(value);

    public static implicit operator UInt256(uint value) => new(value);

    public static explicit operator UInt256(BigInteger value) => new(value);

    public static implicit operator BigInteger(UInt256 value) => value._value;

    public static explicit operator ulong(UInt256 value) => (ulong)value._value;

    public static UInt256 operator +(UInt256 a, UInt256 b) => Checked(a._value + b._value);

    public static UInt256 operator -(UInt256 a, UInt256 b) => Checked(a._value - b._value);

    public static UInt256 operator *(UInt256 a, UInt256 b) => Checked(a._value * b._value);

    public static UInt256 operator /(UInt256 a, UInt256 b) => new(a._value / b._value);

    public static UInt256 operator %(UInt256 a, UInt256 b) => new(a._value % b._value);

    public static bool operator <(UInt256 a, UInt256 b) => a._value < b._value;

    public static bool operator >(UInt256 a, UInt256 b) => a._value > b._value;

    public static bool operator <=(UInt256 a, UInt256 b) => a._value <= b._value;

    public static bool operator >=(UInt256 a, UInt256 b) => a._value >= b._value;

    public int CompareTo(UInt256 other) => _value.CompareTo(other._value);

    public override string ToString() => _value.ToString(CultureInfo.InvariantCulture);

    private static UInt256 Checked(BigInteger value) =>
        value.Sign < 0 || value > MaxBigInteger ? throw new OverflowException($"uint256 arithmetic overflowed: {value} is outside 0..2^256-1.") : new UInt256(value);
}

/// <summary>
/// A signed 256-bit integer (<c>int256</c>). A range-checked wrapper over <see cref="BigInteger"/>
/// (-2^255 &lt;= value &lt; 2^255); arithmetic throws <see cref="OverflowException"/> instead of wrapping.
/// </summary>
public readonly record struct Int256 : IComparable<Int256>
{
    public static readonly BigInteger MaxBigInteger = (BigInteger.One << 255) - 1;
    public static readonly BigInteger MinBigInteger = -(BigInteger.One << 255);

    private readonly BigInteger _value;

    /// <exception cref="ArgumentOutOfRangeException">Outside -2^255..2^255-1.</exception>
    public Int256(BigInteger value)
    {
        if (value < MinBigInteger || value > MaxBigInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "An int256 must be between -2^255 and 2^255-1.");
        }

        _value = value;
    }

    public BigInteger Value => _value;

    /// <summary>32 big-endian two's-complement bytes.</summary>
    public byte[] ToBigEndian32()
    {
        BigInteger unsigned = _value.Sign < 0 ? (BigInteger.One << 256) + _value : _value;
        return new UInt256(unsigned).ToBigEndian32();
    }

    /// <summary>From 32 big-endian two's-complement bytes.</summary>
    public static Int256 FromBigEndian32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 32)
        {
            throw new ArgumentException($"An int256 needs exactly 32 bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new Int256(new BigInteger(bytes, isUnsigned: false, isBigEndian: true));
    }

    public static implicit operator Int256(long value) => new(value);

    public static explicit operator Int256(BigInteger value) => new(value);

    public static implicit operator BigInteger(Int256 value) => value._value;

    public static Int256 operator +(Int256 a, Int256 b) => Checked(a._value + b._value);

    public static Int256 operator -(Int256 a, Int256 b) => Checked(a._value - b._value);

    public static Int256 operator *(Int256 a, Int256 b) => Checked(a._value * b._value);

    public static bool operator <(Int256 a, Int256 b) => a._value < b._value;

    public static bool operator >(Int256 a, Int256 b) => a._value > b._value;

    public static bool operator <=(Int256 a, Int256 b) => a._value <= b._value;

    public static bool operator >=(Int256 a, Int256 b) => a._value >= b._value;

    public int CompareTo(Int256 other) => _value.CompareTo(other._value);

    public override string ToString() => _value.ToString(CultureInfo.InvariantCulture);

    private static Int256 Checked(BigInteger value) =>
        value < MinBigInteger || value > MaxBigInteger ? throw new OverflowException($"int256 arithmetic overflowed: {value} is outside -2^255..2^255-1.") : new Int256(value);
}
