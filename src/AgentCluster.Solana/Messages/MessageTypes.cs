namespace AgentCluster.Solana.Messages;

/// <summary>A message's format.</summary>
public enum MessageVersion
{
    /// <summary>The original format: every account listed in the message.</summary>
    Legacy,

    /// <summary>Version 0: accounts may also be loaded from address lookup tables.</summary>
    V0,
}

/// <summary>The three counts at the head of a message (Solnet's <c>MessageHeader</c>).</summary>
/// <param name="RequiredSignatures">The signers: the first this many account keys.</param>
/// <param name="ReadOnlySignedAccounts">The read-only signers: the last this many of the signers.</param>
/// <param name="ReadOnlyUnsignedAccounts">The read-only non-signers: the last this many of the static account keys.</param>
public sealed record MessageHeader(byte RequiredSignatures, byte ReadOnlySignedAccounts, byte ReadOnlyUnsignedAccounts);

/// <summary>An instruction inside a message: indexes into the message's accounts (static keys, then loaded addresses) and the data.</summary>
public sealed class CompiledInstruction
{
    /// <summary>A compiled instruction; the arrays are copied.</summary>
    public CompiledInstruction(byte programIdIndex, IEnumerable<byte> accountIndexes, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(accountIndexes);
        ProgramIdIndex = programIdIndex;
        AccountIndexes = accountIndexes.ToArray();
        Data = data.ToArray();
    }

    /// <summary>The index of the program called.</summary>
    public byte ProgramIdIndex { get; }

    /// <summary>The indexes of the instruction's accounts, in its order.</summary>
    public IReadOnlyList<byte> AccountIndexes { get; }

    /// <summary>The instruction data (do not change the array).</summary>
    public byte[] Data { get; }
}

/// <summary>An address lookup table as the compiler is given it: its address and the addresses it holds, in the table's order.</summary>
public sealed class AddressLookupTable
{
    /// <summary>A table; the list is copied.</summary>
    public AddressLookupTable(PublicKey key, IEnumerable<PublicKey> addresses)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(addresses);
        Key = key;
        Addresses = addresses.Select((a, i) => a ?? throw new ArgumentNullException(nameof(addresses), $"Address {i} of table {key} is null.")).ToArray();
        if (Addresses.Count > 256)
        {
            throw new ArgumentException($"An address lookup table holds at most 256 addresses; table {key} has {Addresses.Count}.", nameof(addresses));
        }
    }

    /// <summary>The table's address.</summary>
    public PublicKey Key { get; }

    /// <summary>The addresses it holds (index = position).</summary>
    public IReadOnlyList<PublicKey> Addresses { get; }
}

/// <summary>One table a v0 message loads addresses from: the indexes of the writable and of the read-only addresses it takes.</summary>
public sealed class MessageAddressTableLookup
{
    /// <summary>A lookup; the lists are copied.</summary>
    public MessageAddressTableLookup(PublicKey accountKey, IEnumerable<byte> writableIndexes, IEnumerable<byte> readOnlyIndexes)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentNullException.ThrowIfNull(writableIndexes);
        ArgumentNullException.ThrowIfNull(readOnlyIndexes);
        AccountKey = accountKey;
        WritableIndexes = writableIndexes.ToArray();
        ReadOnlyIndexes = readOnlyIndexes.ToArray();
    }

    /// <summary>The table's address.</summary>
    public PublicKey AccountKey { get; }

    /// <summary>Indexes in the table of the addresses loaded writable.</summary>
    public IReadOnlyList<byte> WritableIndexes { get; }

    /// <summary>Indexes in the table of the addresses loaded read-only.</summary>
    public IReadOnlyList<byte> ReadOnlyIndexes { get; }
}

/// <summary>A transaction that would not fit the network's packet (1,232 bytes).</summary>
public sealed class TransactionTooLargeException : InvalidOperationException
{
    /// <summary>An error for a transaction of <paramref name="size"/> bytes.</summary>
    public TransactionTooLargeException(int size)
        : base($"The transaction is {size} bytes with its signatures; a transaction must fit the {Messages.Message.PacketDataSize}-byte packet ({size - Messages.Message.PacketDataSize} over).") =>
        Size = size;

    /// <summary>The transaction's size in bytes, signatures included.</summary>
    public int Size { get; }
}
