namespace AgentCluster.Evm.Rlp;

/// <summary>RLP encoding and strict (canonical-only) decoding, as specified in the Ethereum yellow paper, appendix B.</summary>
public static class RlpEncoder
{
    public static byte[] Encode(RlpItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var output = new byte[EncodedLength(item)];
        Write(output, item);
        return output;
    }

    /// <summary>An EIP-2718 typed envelope: the type byte followed by the RLP of <paramref name="payload"/>, in one allocation.</summary>
    internal static byte[] EncodeTyped(byte type, RlpItem payload)
    {
        var output = new byte[1 + EncodedLength(payload)];
        output[0] = type;
        Write(output.AsSpan(1), payload);
        return output;
    }

    /// <summary>
    /// Decodes exactly one item that must span the whole input. Rejects every non-canonical form: a single byte below
    /// 0x80 wrapped in a length prefix, long-form lengths under 56, lengths with leading zeros, trailing bytes,
    /// and lengths that run past the end.
    /// </summary>
    /// <exception cref="RlpException">Says what was malformed and at which offset.</exception>
    public static RlpItem Decode(ReadOnlySpan<byte> data)
    {
        int position = 0;
        RlpItem item = ReadItem(data, ref position, data.Length);
        if (position != data.Length)
        {
            throw new RlpException($"RLP input has {data.Length - position} trailing byte(s) after the item ending at offset {position}.");
        }

        return item;
    }

    // Encoding sizes the output first (EncodedLength), then writes each item straight into it: one array per encoding, no
    // intermediate buffers per list.

    private static int EncodedLength(RlpItem item) => item switch
    {
        RlpString s when s.Bytes.Length == 1 && s.Bytes[0] < 0x80 => 1,
        RlpString s => HeaderLength(s.Bytes.Length) + s.Bytes.Length,
        RlpList list => ListLength(PayloadLength(list)),
        _ => throw new ArgumentException($"Unknown RLP item type {item.GetType().Name}.", nameof(item)),
    };

    private static int PayloadLength(RlpList list)
    {
        int length = 0;
        IReadOnlyList<RlpItem> items = list.Items;
        for (int i = 0; i < items.Count; i++)
        {
            length = checked(length + EncodedLength(items[i]));
        }

        return length;
    }

    private static int ListLength(int payloadLength) => HeaderLength(payloadLength) + payloadLength;

    /// <summary>The prefix's size: one byte below 56, else one byte plus the big-endian length without leading zeros.</summary>
    private static int HeaderLength(int length) => length < 56 ? 1 : 1 + ((39 - int.LeadingZeroCount(length)) / 8);

    /// <summary>Writes the item at the start of <paramref name="output"/>; returns the bytes written.</summary>
    private static int Write(Span<byte> output, RlpItem item)
    {
        switch (item)
        {
            case RlpString s when s.Bytes.Length == 1 && s.Bytes[0] < 0x80:
                output[0] = s.Bytes[0];
                return 1;
            case RlpString s:
            {
                int header = WriteHeader(output, s.Bytes.Length, 0x80);
                s.Bytes.CopyTo(output[header..]);
                return header + s.Bytes.Length;
            }

            case RlpList list:
            {
                int header = WriteHeader(output, PayloadLength(list), 0xc0);
                int position = header;
                IReadOnlyList<RlpItem> items = list.Items;
                for (int i = 0; i < items.Count; i++)
                {
                    position += Write(output[position..], items[i]);
                }

                return position;
            }

            default:
                throw new ArgumentException($"Unknown RLP item type {item.GetType().Name}.", nameof(item));
        }
    }

    private static int WriteHeader(Span<byte> output, int length, byte offset)
    {
        if (length < 56)
        {
            output[0] = (byte)(offset + length);
            return 1;
        }

        int bytes = HeaderLength(length) - 1;
        output[0] = (byte)(offset + 55 + bytes);
        for (int i = bytes; i >= 1; i--)
        {
            output[i] = (byte)length;
            length >>= 8;
        }

        return bytes + 1;
    }

    private static RlpItem ReadItem(ReadOnlySpan<byte> data, ref int position, int end)
    {
        if (position >= end)
        {
            throw new RlpException($"RLP input ended at offset {position} where an item was expected.");
        }

        int start = position;
        byte prefix = data[position++];
        if (prefix < 0x80)
        {
            return new RlpString([prefix]);
        }

        if (prefix <= 0xb7)
        {
            int length = prefix - 0x80;
            byte[] bytes = Take(data, ref position, end, length, start).ToArray();
            if (length == 1 && bytes[0] < 0x80)
            {
                throw new RlpException($"Non-canonical RLP at offset {start}: the single byte 0x{bytes[0]:x2} must be encoded as itself, not with a length prefix.");
            }

            return new RlpString(bytes);
        }

        if (prefix <= 0xbf)
        {
            int length = ReadLongLength(data, ref position, end, prefix - 0xb7, start);
            return new RlpString(Take(data, ref position, end, length, start).ToArray());
        }

        int payloadLength = prefix <= 0xf7 ? prefix - 0xc0 : ReadLongLength(data, ref position, end, prefix - 0xf7, start);
        Take(data, ref position, end, payloadLength, start);
        int payloadEnd = position;
        int inner = payloadEnd - payloadLength;
        var items = new List<RlpItem>();
        while (inner < payloadEnd)
        {
            items.Add(ReadItem(data, ref inner, payloadEnd));
        }

        return new RlpList(items);
    }

    private static int ReadLongLength(ReadOnlySpan<byte> data, ref int position, int end, int lengthOfLength, int start)
    {
        ReadOnlySpan<byte> lengthBytes = Take(data, ref position, end, lengthOfLength, start);
        if (lengthBytes[0] == 0)
        {
            throw new RlpException($"Non-canonical RLP at offset {start}: the length has a leading zero byte.");
        }

        if (lengthOfLength > 4)
        {
            throw new RlpException($"RLP item at offset {start} declares a {lengthOfLength}-byte length, larger than any input this decoder accepts.");
        }

        long length = 0;
        foreach (byte b in lengthBytes)
        {
            length = (length << 8) | b;
        }

        if (length < 56)
        {
            throw new RlpException($"Non-canonical RLP at offset {start}: a length of {length} must use the short form.");
        }

        if (length > int.MaxValue)
        {
            throw new RlpException($"RLP item at offset {start} declares a length of {length} bytes, too large.");
        }

        return (int)length;
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data, ref int position, int end, int length, int start)
    {
        if (length > end - position)
        {
            string where = end == data.Length ? "in the input" : "in the enclosing list";
            throw new RlpException($"RLP item at offset {start} declares {length} byte(s) but only {end - position} remain {where}.");
        }

        ReadOnlySpan<byte> slice = data.Slice(position, length);
        position += length;
        return slice;
    }
}
