namespace AgentCluster.Evm.Rlp;

/// <summary>RLP encoding and strict (canonical-only) decoding, as specified in the Ethereum yellow paper, appendix B.</summary>
public static class RlpEncoder
{
    public static byte[] Encode(RlpItem item)
    {
        var buffer = new MemoryStream();
        Write(buffer, item);
        return buffer.ToArray();
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

    private static void Write(MemoryStream output, RlpItem item)
    {
        switch (item)
        {
            case RlpString s:
                if (s.Bytes.Length == 1 && s.Bytes[0] < 0x80)
                {
                    output.WriteByte(s.Bytes[0]);
                }
                else
                {
                    WriteLength(output, s.Bytes.Length, 0x80);
                    output.Write(s.Bytes);
                }

                break;
            case RlpList list:
                var payload = new MemoryStream();
                foreach (var child in list.Items)
                {
                    Write(payload, child);
                }

                WriteLength(output, (int)payload.Length, 0xc0);
                payload.WriteTo(output);
                break;
            default:
                throw new ArgumentException($"Unknown RLP item type {item.GetType().Name}.", nameof(item));
        }
    }

    private static void WriteLength(MemoryStream output, int length, byte offset)
    {
        if (length < 56)
        {
            output.WriteByte((byte)(offset + length));
            return;
        }

        byte[] lengthBytes = new System.Numerics.BigInteger(length).ToByteArray(isUnsigned: true, isBigEndian: true);
        output.WriteByte((byte)(offset + 55 + lengthBytes.Length));
        output.Write(lengthBytes);
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
