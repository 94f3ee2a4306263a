using System.Numerics;

namespace AgentCluster.Evm.Rlp;

/// <summary>An RLP item: either a byte string (<see cref="RlpString"/>) or a list of items (<see cref="RlpList"/>).</summary>
public abstract record RlpItem;

/// <summary>An RLP byte string.</summary>
public sealed record RlpString(byte[] Bytes) : RlpItem
{
    public static readonly RlpString Empty = new([]);

    public static RlpString Of(byte[] bytes) => new(bytes);

    /// <summary>A non-negative integer as a minimal big-endian byte string (zero is the empty string).</summary>
    public static RlpString OfInteger(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "RLP integers cannot be negative.");
        }

        return value.IsZero ? Empty : new(value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>
    /// Reads the string as a non-negative integer. Rejects leading zero bytes (non-canonical) and values wider than
    /// <paramref name="maxBytes"/>; <paramref name="field"/> names the value in the error message.
    /// </summary>
    public BigInteger ToInteger(string field = "integer", int maxBytes = 32)
    {
        if (Bytes.Length > 0 && Bytes[0] == 0)
        {
            throw new RlpException($"RLP {field} has a leading zero byte; integers must be minimal big-endian.");
        }

        if (Bytes.Length > maxBytes)
        {
            throw new RlpException($"RLP {field} is {Bytes.Length} bytes long; at most {maxBytes} are allowed.");
        }

        return new BigInteger(Bytes, isUnsigned: true, isBigEndian: true);
    }

    public bool Equals(RlpString? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Hex.Encode(Bytes);
}

/// <summary>An RLP list.</summary>
public sealed record RlpList(IReadOnlyList<RlpItem> Items) : RlpItem
{
    public RlpList(params RlpItem[] items)
        : this((IReadOnlyList<RlpItem>)items)
    {
    }

    public int Count => Items.Count;

    public RlpItem this[int index] => Items[index];

    public bool Equals(RlpList? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

/// <summary>Malformed or non-canonical RLP input.</summary>
public sealed class RlpException(string message) : FormatException(message);
