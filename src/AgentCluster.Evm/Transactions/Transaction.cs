using System.Numerics;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rlp;

namespace AgentCluster.Evm.Transactions;

/// <summary>One entry of an EIP-2930 access list.</summary>
public sealed record AccessListEntry(Address Address, IReadOnlyList<Hash32> StorageKeys)
{
    public bool Equals(AccessListEntry? other) => other is not null && Address == other.Address && StorageKeys.SequenceEqual(other.StorageKeys);

    public override int GetHashCode() => HashCode.Combine(Address, StorageKeys.Count);
}

/// <summary>
/// An unsigned transaction. Subtypes: <see cref="LegacyTransaction"/> (type 0, EIP-155 or pre-155),
/// <see cref="Eip2930Transaction"/> (type 1) and <see cref="Eip1559Transaction"/> (type 2).
/// Fields follow the wire format; <see cref="To"/> null means contract creation.
/// Equality is by value, including <see cref="Data"/>'s bytes.
/// </summary>
public abstract record Transaction
{
    public ulong Nonce { get; init; }

    public ulong GasLimit { get; init; }

    /// <summary>The recipient; null creates a contract from <see cref="Data"/>.</summary>
    public Address? To { get; init; }

    public UInt256 Value { get; init; }

    public byte[] Data { get; init; } = [];

    /// <summary>The EIP-2718 type byte (0 for legacy).</summary>
    public abstract byte Type { get; }

    /// <summary>The chain id the signature commits to; null only for a pre-EIP-155 legacy transaction.</summary>
    public abstract ulong? SigningChainId { get; }

    /// <summary>The exact bytes whose Keccak-256 is signed.</summary>
    public abstract byte[] EncodeForSigning();

    /// <summary>Keccak-256 of <see cref="EncodeForSigning"/>.</summary>
    public Hash32 GetSigningHash() => Keccak.Hash(EncodeForSigning());

    /// <summary>Signs with <paramref name="key"/> (RFC 6979, low-s).</summary>
    public SignedTransaction Sign(EthECKey key) => new(this, key.Sign(GetSigningHash()));

    /// <summary>The raw signed encoding (what eth_sendRawTransaction takes).</summary>
    internal abstract byte[] EncodeSigned(EthECDSASignature signature);

    public virtual bool Equals(Transaction? other) =>
        other is not null && other.GetType() == GetType() && Nonce == other.Nonce && GasLimit == other.GasLimit && To == other.To &&
        Value == other.Value && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Type, Nonce, GasLimit, To, Value, Data.Length);

    internal static RlpItem EncodeTo(Address? to) => to is { } address ? RlpString.Of(address.ToArray()) : RlpString.Empty;

    internal static RlpList EncodeAccessList(IReadOnlyList<AccessListEntry> accessList) =>
        new(accessList.Select(e => (RlpItem)new RlpList(
            RlpString.Of(e.Address.ToArray()),
            new RlpList(e.StorageKeys.Select(k => (RlpItem)RlpString.Of(k.ToArray())).ToArray()))).ToArray());

    internal static RlpItem[] SignatureFields(BigInteger v, EthECDSASignature signature) =>
        [RlpString.OfInteger(v), RlpString.OfInteger(signature.R), RlpString.OfInteger(signature.S)];

    internal static byte[] Typed(byte type, RlpList payload) => RlpEncoder.EncodeTyped(type, payload);
}

/// <summary>A legacy (type 0) transaction; with a <see cref="ChainId"/> it is signed per EIP-155, without one as before EIP-155.</summary>
public sealed record LegacyTransaction : Transaction
{
    public UInt256 GasPrice { get; init; }

    /// <summary>The EIP-155 chain id; null for a pre-EIP-155 (replayable) transaction.</summary>
    public ulong? ChainId { get; init; }

    public override byte Type => 0;

    public override ulong? SigningChainId => ChainId;

    public override byte[] EncodeForSigning()
    {
        var fields = new List<RlpItem>(Fields());
        if (ChainId is { } chainId)
        {
            fields.AddRange([RlpString.OfInteger(chainId), RlpString.Empty, RlpString.Empty]);
        }

        return RlpEncoder.Encode(new RlpList(fields.ToArray()));
    }

    internal override byte[] EncodeSigned(EthECDSASignature signature)
    {
        BigInteger v = ChainId is { } chainId ? (BigInteger)chainId * 2 + 35 + signature.RecoveryId : 27 + signature.RecoveryId;
        return RlpEncoder.Encode(new RlpList([.. Fields(), .. SignatureFields(v, signature)]));
    }

    public bool Equals(LegacyTransaction? other) => base.Equals(other) && GasPrice == other!.GasPrice && ChainId == other.ChainId;

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), GasPrice, ChainId);

    private RlpItem[] Fields() =>
    [
        RlpString.OfInteger(Nonce), RlpString.OfInteger(GasPrice), RlpString.OfInteger(GasLimit),
        EncodeTo(To), RlpString.OfInteger(Value), RlpString.Of(Data),
    ];
}

/// <summary>An EIP-2930 (type 1) transaction: legacy gas price plus an access list.</summary>
public sealed record Eip2930Transaction : Transaction
{
    public required ulong ChainId { get; init; }

    public UInt256 GasPrice { get; init; }

    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    public override byte Type => 1;

    public override ulong? SigningChainId => ChainId;

    public override byte[] EncodeForSigning() => Typed(Type, new RlpList(Fields()));

    internal override byte[] EncodeSigned(EthECDSASignature signature) =>
        Typed(Type, new RlpList([.. Fields(), .. SignatureFields(signature.RecoveryId, signature)]));

    public bool Equals(Eip2930Transaction? other) =>
        base.Equals(other) && ChainId == other!.ChainId && GasPrice == other.GasPrice && AccessList.SequenceEqual(other.AccessList);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), ChainId, GasPrice);

    private RlpItem[] Fields() =>
    [
        RlpString.OfInteger(ChainId), RlpString.OfInteger(Nonce), RlpString.OfInteger(GasPrice), RlpString.OfInteger(GasLimit),
        EncodeTo(To), RlpString.OfInteger(Value), RlpString.Of(Data), EncodeAccessList(AccessList),
    ];
}

/// <summary>An EIP-1559 (type 2) transaction.</summary>
public sealed record Eip1559Transaction : Transaction
{
    public required ulong ChainId { get; init; }

    public UInt256 MaxPriorityFeePerGas { get; init; }

    public UInt256 MaxFeePerGas { get; init; }

    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    public override byte Type => 2;

    public override ulong? SigningChainId => ChainId;

    public override byte[] EncodeForSigning() => Typed(Type, new RlpList(Fields()));

    internal override byte[] EncodeSigned(EthECDSASignature signature) =>
        Typed(Type, new RlpList([.. Fields(), .. SignatureFields(signature.RecoveryId, signature)]));

    public bool Equals(Eip1559Transaction? other) =>
        base.Equals(other) && ChainId == other!.ChainId && MaxPriorityFeePerGas == other.MaxPriorityFeePerGas &&
        MaxFeePerGas == other.MaxFeePerGas && AccessList.SequenceEqual(other.AccessList);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), ChainId, MaxFeePerGas, MaxPriorityFeePerGas);

    private RlpItem[] Fields() =>
    [
        RlpString.OfInteger(ChainId), RlpString.OfInteger(Nonce), RlpString.OfInteger(MaxPriorityFeePerGas), RlpString.OfInteger(MaxFeePerGas),
        RlpString.OfInteger(GasLimit), EncodeTo(To), RlpString.OfInteger(Value), RlpString.Of(Data), EncodeAccessList(AccessList),
    ];
}
