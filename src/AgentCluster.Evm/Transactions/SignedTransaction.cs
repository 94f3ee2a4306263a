using System.Numerics;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rlp;

namespace AgentCluster.Evm.Transactions;

/// <summary>A transaction with its signature: the raw bytes to broadcast, the transaction hash, the sender.</summary>
public sealed class SignedTransaction
{
    private Address? _sender;

    public SignedTransaction(Transaction transaction, EthECDSASignature signature)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(signature);
        Transaction = transaction;
        Signature = signature;
        Raw = transaction.EncodeSigned(signature);
        Hash = Keccak.Hash(Raw);
    }

    public Transaction Transaction { get; }

    public EthECDSASignature Signature { get; }

    /// <summary>The signed encoding (RLP for legacy, type byte + RLP for typed transactions).</summary>
    public byte[] Raw { get; }

    /// <summary>Keccak-256 of <see cref="Raw"/>: the transaction hash a node reports.</summary>
    public Hash32 Hash { get; }

    /// <summary>0x-hex of <see cref="Raw"/>.</summary>
    public string RawHex => Hex.Encode(Raw);

    /// <summary>The address that signed the transaction.</summary>
    public Address RecoverSender() => _sender ??= EthECKey.RecoverAddress(Transaction.GetSigningHash(), Signature);

    /// <summary>Parses 0x-hex raw transaction bytes.</summary>
    public static SignedTransaction Parse(string rawHex) => Decode(Hex.Decode(rawHex));

    /// <summary>
    /// Decodes a raw signed transaction of type 0 (legacy, EIP-155 or not), 1 (EIP-2930) or 2 (EIP-1559).
    /// Rejects non-canonical RLP, wrong field counts, malformed fields and high-s signatures (EIP-2), each with a message naming the field.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not a valid signed transaction (<see cref="RlpException"/> for bad RLP).</exception>
    public static SignedTransaction Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.Length == 0)
        {
            throw new FormatException("A raw transaction cannot be empty.");
        }

        byte first = raw[0];
        if (first >= 0xc0)
        {
            return DecodeLegacy(Fields(RlpEncoder.Decode(raw), 9, "legacy"));
        }

        if (first > 0x7f)
        {
            throw new FormatException($"A raw transaction starts with a type byte 0x00-0x7f or an RLP list (0xc0-0xff), not 0x{first:x2}.");
        }

        RlpList fields;
        switch (first)
        {
            case 1:
                fields = Fields(RlpEncoder.Decode(raw[1..]), 11, "EIP-2930 (type 1)");
                var tx1 = new Eip2930Transaction
                {
                    ChainId = ULong(fields[0], "chainId"),
                    Nonce = ULong(fields[1], "nonce"),
                    GasPrice = Uint(fields[2], "gasPrice"),
                    GasLimit = ULong(fields[3], "gasLimit"),
                    To = To(fields[4]),
                    Value = Uint(fields[5], "value"),
                    Data = Bytes(fields[6], "data"),
                    AccessList = AccessList(fields[7]),
                };
                return new SignedTransaction(tx1, TypedSignature(fields, 8));
            case 2:
                fields = Fields(RlpEncoder.Decode(raw[1..]), 12, "EIP-1559 (type 2)");
                var tx2 = new Eip1559Transaction
                {
                    ChainId = ULong(fields[0], "chainId"),
                    Nonce = ULong(fields[1], "nonce"),
                    MaxPriorityFeePerGas = Uint(fields[2], "maxPriorityFeePerGas"),
                    MaxFeePerGas = Uint(fields[3], "maxFeePerGas"),
                    GasLimit = ULong(fields[4], "gasLimit"),
                    To = To(fields[5]),
                    Value = Uint(fields[6], "value"),
                    Data = Bytes(fields[7], "data"),
                    AccessList = AccessList(fields[8]),
                };
                return new SignedTransaction(tx2, TypedSignature(fields, 9));
            default:
                throw new FormatException($"Transaction type {first} is not supported (supported: legacy, 1 = EIP-2930, 2 = EIP-1559).");
        }
    }

    public override string ToString() => $"{Transaction.GetType().Name} {Hash}";

    private static SignedTransaction DecodeLegacy(RlpList fields)
    {
        BigInteger v = Integer(fields[6], "v");
        ulong? chainId;
        int recoveryId;
        if (v == 27 || v == 28)
        {
            chainId = null;
            recoveryId = (int)(v - 27);
        }
        else if (v >= 35)
        {
            BigInteger id = (v - 35) / 2;
            if (id > ulong.MaxValue)
            {
                throw new FormatException($"Legacy transaction v = {v} implies a chain id above 2^64-1.");
            }

            chainId = (ulong)id;
            recoveryId = (int)((v - 35) % 2);
        }
        else
        {
            throw new FormatException($"Legacy transaction v must be 27, 28 or chainId*2+35/36 (EIP-155), got {v}.");
        }

        var tx = new LegacyTransaction
        {
            Nonce = ULong(fields[0], "nonce"),
            GasPrice = Uint(fields[1], "gasPrice"),
            GasLimit = ULong(fields[2], "gasLimit"),
            To = To(fields[3]),
            Value = Uint(fields[4], "value"),
            Data = Bytes(fields[5], "data"),
            ChainId = chainId,
        };
        return new SignedTransaction(tx, DecodeSignature(fields[7], fields[8], recoveryId));
    }

    private static EthECDSASignature TypedSignature(RlpList fields, int index)
    {
        BigInteger yParity = Integer(fields[index], "yParity");
        if (yParity > 1)
        {
            throw new FormatException($"Typed transaction yParity must be 0 or 1, got {yParity}.");
        }

        return DecodeSignature(fields[index + 1], fields[index + 2], (int)yParity);
    }

    private static EthECDSASignature DecodeSignature(RlpItem rItem, RlpItem sItem, int recoveryId)
    {
        var r = Uint(rItem, "r");
        var s = Uint(sItem, "s");
        EthECDSASignature signature;
        try
        {
            signature = new EthECDSASignature(r, s, recoveryId);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new FormatException($"Invalid transaction signature: {e.Message}", e);
        }

        if (!signature.IsLowS)
        {
            throw new FormatException("Invalid transaction signature: s is in the upper half of the curve order, which EIP-2 forbids.");
        }

        return signature;
    }

    private static RlpList Fields(RlpItem item, int count, string kind)
    {
        if (item is not RlpList list)
        {
            throw new FormatException($"A {kind} transaction must be an RLP list, got a byte string.");
        }

        if (list.Count != count)
        {
            throw new FormatException($"A signed {kind} transaction has {count} fields, got {list.Count}.");
        }

        return list;
    }

    private static RlpString String(RlpItem item, string field) =>
        item as RlpString ?? throw new FormatException($"Transaction field {field} must be a byte string, got a list.");

    private static BigInteger Integer(RlpItem item, string field) => String(item, field).ToInteger(field, 32);

    private static UInt256 Uint(RlpItem item, string field) => new(Integer(item, field));

    private static ulong ULong(RlpItem item, string field) => (ulong)String(item, field).ToInteger(field, 8);

    private static byte[] Bytes(RlpItem item, string field) => String(item, field).Bytes;

    private static Address? To(RlpItem item)
    {
        byte[] bytes = Bytes(item, "to");
        return bytes.Length switch
        {
            0 => null,
            Address.Length => new Address(bytes),
            _ => throw new FormatException($"Transaction field to must be empty (contract creation) or 20 bytes, got {bytes.Length}."),
        };
    }

    private static IReadOnlyList<AccessListEntry> AccessList(RlpItem item)
    {
        if (item is not RlpList list)
        {
            throw new FormatException("Transaction field accessList must be a list.");
        }

        var entries = new List<AccessListEntry>(list.Count);
        foreach (RlpItem entryItem in list.Items)
        {
            if (entryItem is not RlpList { Count: 2 } entry || entry[1] is not RlpList keys)
            {
                throw new FormatException("Each access list entry must be a list [address, [storageKeys...]].");
            }

            byte[] address = Bytes(entry[0], "accessList address");
            if (address.Length != Address.Length)
            {
                throw new FormatException($"Access list address must be 20 bytes, got {address.Length}.");
            }

            var storageKeys = keys.Items.Select(k =>
            {
                byte[] key = Bytes(k, "accessList storage key");
                return key.Length == Hash32.Length ? new Hash32(key) : throw new FormatException($"Access list storage key must be 32 bytes, got {key.Length}.");
            }).ToArray();
            entries.Add(new AccessListEntry(new Address(address), storageKeys));
        }

        return entries;
    }
}
