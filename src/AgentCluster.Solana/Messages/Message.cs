namespace AgentCluster.Solana.Messages;

/// <summary>
/// A transaction message, legacy or v0 (Solnet's <c>Message</c>): header, static account keys, recent blockhash, compiled
/// instructions and (v0) address table lookups. <see cref="Compile"/> produces exactly the bytes @solana/kit compiles from the
/// same fee payer, blockhash, instructions and lookup tables; <see cref="Serialize"/> and <see cref="Deserialize"/> round-trip.
/// </summary>
public sealed class Message
{
    /// <summary>The most bytes a transaction (signatures and message) may take: the network's packet data size.</summary>
    public const int PacketDataSize = 1232;

    /// <summary>The most accounts (static and loaded) a message may use (@solana/kit's limit and the runtime's account locks).</summary>
    public const int MaxAccounts = 64;

    /// <summary>The most signers a message may have (@solana/kit's limit; more do not fit the packet).</summary>
    public const int MaxSigners = 12;

    /// <summary>The most instructions in a message (@solana/kit's limit).</summary>
    public const int MaxInstructions = 64;

    /// <summary>The most accounts one instruction may list.</summary>
    public const int MaxAccountsPerInstruction = 255;

    private const byte VersionPrefix = 0x80;

    /// <summary>A message from its parts (as decoded); <see cref="Compile"/> is the way to build one from instructions.</summary>
    /// <exception cref="ArgumentException">Inconsistent parts: counts beyond the keys, indexes beyond the accounts, lookups in a legacy message.</exception>
    public Message(
        MessageVersion version,
        MessageHeader header,
        IEnumerable<PublicKey> accountKeys,
        string recentBlockhash,
        IEnumerable<CompiledInstruction> instructions,
        IEnumerable<MessageAddressTableLookup>? addressTableLookups = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(accountKeys);
        ArgumentNullException.ThrowIfNull(instructions);
        Version = version;
        Header = header;
        AccountKeys = accountKeys.Select((k, i) => k ?? throw new ArgumentNullException(nameof(accountKeys), $"Account key {i} is null.")).ToArray();
        RecentBlockhash = CheckBlockhash(recentBlockhash);
        Instructions = instructions.Select((x, i) => x ?? throw new ArgumentNullException(nameof(instructions), $"Instruction {i} is null.")).ToArray();
        AddressTableLookups = (addressTableLookups ?? []).Select((x, i) => x ?? throw new ArgumentNullException(nameof(addressTableLookups), $"Lookup {i} is null.")).ToArray();
        if (version == MessageVersion.Legacy && AddressTableLookups.Count > 0)
        {
            throw new ArgumentException("A legacy message has no address table lookups; use MessageVersion.V0.", nameof(addressTableLookups));
        }

        if (header.RequiredSignatures > AccountKeys.Count || header.RequiredSignatures == 0)
        {
            throw new ArgumentException($"The header asks for {header.RequiredSignatures} signatures with {AccountKeys.Count} account keys; a message needs 1 to {AccountKeys.Count} (the fee payer signs).", nameof(header));
        }

        if (header.ReadOnlySignedAccounts >= header.RequiredSignatures)
        {
            throw new ArgumentException($"The header marks {header.ReadOnlySignedAccounts} of {header.RequiredSignatures} signers read-only; the fee payer must be writable.", nameof(header));
        }

        if (header.RequiredSignatures + header.ReadOnlyUnsignedAccounts > AccountKeys.Count)
        {
            throw new ArgumentException($"The header counts {header.RequiredSignatures} signers and {header.ReadOnlyUnsignedAccounts} read-only non-signers; there are only {AccountKeys.Count} account keys.", nameof(header));
        }

        if (AccountKeys.Distinct().Count() != AccountKeys.Count)
        {
            throw new ArgumentException("The account keys repeat an address.", nameof(accountKeys));
        }

        int total = AccountKeys.Count + AddressTableLookups.Sum(l => l.WritableIndexes.Count + l.ReadOnlyIndexes.Count);
        if (total > 256)
        {
            throw new ArgumentException($"The message uses {total} accounts; an index is one byte, so at most 256.", nameof(accountKeys));
        }

        for (int i = 0; i < Instructions.Count; i++)
        {
            CompiledInstruction ix = Instructions[i];
            if (ix.ProgramIdIndex >= AccountKeys.Count)
            {
                throw new ArgumentException($"Instruction {i} calls account {ix.ProgramIdIndex}, beyond the {AccountKeys.Count} static keys (a program id cannot be loaded from a table).", nameof(instructions));
            }

            foreach (byte index in ix.AccountIndexes)
            {
                if (index >= total)
                {
                    throw new ArgumentException($"Instruction {i} uses account {index}, beyond the message's {total} accounts.", nameof(instructions));
                }
            }
        }
    }

    /// <summary>Legacy or v0.</summary>
    public MessageVersion Version { get; }

    /// <summary>The counts of signers and read-only accounts.</summary>
    public MessageHeader Header { get; }

    /// <summary>The static account keys: writable signers (the fee payer first), read-only signers, writable non-signers, read-only non-signers.</summary>
    public IReadOnlyList<PublicKey> AccountKeys { get; }

    /// <summary>The recent blockhash (base58 of 32 bytes).</summary>
    public string RecentBlockhash { get; }

    /// <summary>The instructions, in order.</summary>
    public IReadOnlyList<CompiledInstruction> Instructions { get; }

    /// <summary>The tables a v0 message loads addresses from (empty for legacy).</summary>
    public IReadOnlyList<MessageAddressTableLookup> AddressTableLookups { get; }

    /// <summary>The fee payer (the first account key).</summary>
    public PublicKey FeePayer => AccountKeys[0];

    /// <summary>The keys that must sign, in the order of the transaction's signatures.</summary>
    public IReadOnlyList<PublicKey> SignerKeys => AccountKeys.Take(Header.RequiredSignatures).ToArray();

    /// <summary>True when static account <paramref name="index"/> must sign.</summary>
    public bool IsSigner(int index) => index < Header.RequiredSignatures;

    /// <summary>
    /// True when account <paramref name="index"/> is writable: a static key by the header's counts; a loaded address when it comes
    /// from a lookup's writable indexes (loaded addresses follow the static keys: every table's writable ones, then every table's read-only ones).
    /// </summary>
    public bool IsWritable(int index)
    {
        int n = AccountKeys.Count;
        if (index < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "An account index is not negative.");
        }

        if (index < n)
        {
            return index < Header.RequiredSignatures
                ? index < Header.RequiredSignatures - Header.ReadOnlySignedAccounts
                : index < n - Header.ReadOnlyUnsignedAccounts;
        }

        return index < n + AddressTableLookups.Sum(l => l.WritableIndexes.Count);
    }

    /// <summary>
    /// Compiles instructions into a message as @solana/kit does (<c>compileTransactionMessage</c>, after
    /// <c>compressTransactionMessageUsingAddressLookupTables</c> for v0): one entry an address with its signer and writable flags
    /// merged; the fee payer first, then writable signers, read-only signers, writable non-signers, read-only non-signers, each
    /// group in <see cref="AddressOrder"/>; program ids are read-only non-signers. For v0, a non-signer account that is not a program
    /// id and is in a table is loaded from the first table (in the order given) that holds it, at the first index; loaded addresses
    /// are ordered writable first, then by table address, then by address, and the lookups by table address.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A bad blockhash, lookup tables for a legacy message, a program that is the fee payer or writable, or past the limits
    /// (<see cref="MaxAccounts"/>, <see cref="MaxSigners"/>, <see cref="MaxInstructions"/>, <see cref="MaxAccountsPerInstruction"/>).
    /// </exception>
    /// <exception cref="TransactionTooLargeException">The signed transaction would exceed <see cref="PacketDataSize"/> bytes.</exception>
    public static Message Compile(
        PublicKey feePayer,
        string recentBlockhash,
        IEnumerable<TransactionInstruction> instructions,
        MessageVersion version = MessageVersion.Legacy,
        IEnumerable<AddressLookupTable>? lookupTables = null)
    {
        ArgumentNullException.ThrowIfNull(feePayer);
        ArgumentNullException.ThrowIfNull(instructions);
        string blockhash = CheckBlockhash(recentBlockhash);
        TransactionInstruction[] ixs = instructions.Select((x, i) => x ?? throw new ArgumentNullException(nameof(instructions), $"Instruction {i} is null.")).ToArray();
        AddressLookupTable[] tables = (lookupTables ?? []).Select((t, i) => t ?? throw new ArgumentNullException(nameof(lookupTables), $"Table {i} is null.")).ToArray();
        if (version == MessageVersion.Legacy && tables.Length > 0)
        {
            throw new ArgumentException("Address lookup tables need a v0 message; set MessageVersion.V0.", nameof(lookupTables));
        }

        if (ixs.Length > MaxInstructions)
        {
            throw new ArgumentException($"The message has {ixs.Length} instructions; at most {MaxInstructions}.", nameof(instructions));
        }

        for (int i = 0; i < ixs.Length; i++)
        {
            if (ixs[i].Keys.Count > MaxAccountsPerInstruction)
            {
                throw new ArgumentException($"Instruction {i} lists {ixs[i].Keys.Count} accounts; at most {MaxAccountsPerInstruction}.", nameof(instructions));
            }
        }

        var entries = new Dictionary<PublicKey, Entry> { [feePayer] = new Entry(Kind.FeePayer, true, true, null, 0) };
        var invoked = new HashSet<PublicKey>();
        var programIds = ixs.Select(x => x.ProgramId).ToHashSet();
        var eligible = tables.SelectMany(t => t.Addresses).Where(a => !programIds.Contains(a)).ToHashSet();
        for (int i = 0; i < ixs.Length; i++)
        {
            PublicKey program = ixs[i].ProgramId;
            invoked.Add(program);
            if (entries.TryGetValue(program, out Entry? existing))
            {
                if (existing.Writable)
                {
                    throw new ArgumentException(
                        existing.Kind == Kind.FeePayer
                            ? $"Instruction {i} calls program {program}, which is the fee payer; a program cannot pay fees."
                            : $"Instruction {i} calls program {program}, which an earlier instruction marks writable; a called program must be read-only.",
                        nameof(instructions));
                }

                if (existing.Kind != Kind.Static)
                {
                    entries[program] = new Entry(Kind.Static, false, false, null, 0);
                }
            }
            else
            {
                entries[program] = new Entry(Kind.Static, false, false, null, 0);
            }

            foreach (AccountMeta meta in ixs[i].Keys)
            {
                PublicKey key = meta.PublicKey;
                PublicKey? table = null;
                int tableIndex = 0;
                if (!meta.IsSigner && eligible.Contains(key))
                {
                    AddressLookupTable first = tables.First(t => t.Addresses.Contains(key));
                    table = first.Key;
                    tableIndex = IndexOf(first.Addresses, key);
                }

                if (!entries.TryGetValue(key, out Entry? entry))
                {
                    entries[key] = table is null
                        ? new Entry(Kind.Static, meta.IsSigner, meta.IsWritable, null, 0)
                        : new Entry(Kind.Lookup, false, meta.IsWritable, table, tableIndex);
                    continue;
                }

                bool signer = entry.Signer || meta.IsSigner, writable = entry.Writable || meta.IsWritable;
                switch (entry.Kind)
                {
                    case Kind.FeePayer:
                        break;
                    case Kind.Lookup:
                        if (table is not null)
                        {
                            entries[key] = table != entry.Table && AddressOrder.Instance.Compare(table, entry.Table) < 0
                                ? new Entry(Kind.Lookup, false, writable, table, tableIndex)
                                : entry with { Writable = writable };
                        }
                        else
                        {
                            entries[key] = meta.IsSigner
                                ? new Entry(Kind.Static, signer, writable, null, 0)
                                : entry with { Writable = writable };
                        }

                        break;
                    default:
                        if (invoked.Contains(key))
                        {
                            if (meta.IsWritable)
                            {
                                throw new ArgumentException($"Instruction {i} marks program {key} writable; a called program must be read-only.", nameof(instructions));
                            }

                            entries[key] = entry with { Signer = signer, Writable = writable };
                        }
                        else if (table is not null && !entry.Signer)
                        {
                            entries[key] = new Entry(Kind.Lookup, false, writable, table, tableIndex);
                        }
                        else
                        {
                            entries[key] = entry with { Signer = signer, Writable = writable };
                        }

                        break;
                }
            }
        }

        var ordered = entries.ToList();
        ordered.Sort((a, b) => CompareEntries(a.Key, a.Value, b.Key, b.Value));
        if (ordered.Count > MaxAccounts)
        {
            throw new ArgumentException($"The message uses {ordered.Count} accounts; at most {MaxAccounts}{(version == MessageVersion.Legacy ? " (a v0 message with lookup tables does not shorten this count, only the bytes)" : "")}.", nameof(instructions));
        }

        int signers = ordered.Count(e => e.Value.Signer);
        if (signers > MaxSigners)
        {
            throw new ArgumentException($"The message has {signers} signers; at most {MaxSigners}.", nameof(instructions));
        }

        var statics = ordered.Where(e => e.Value.Kind != Kind.Lookup).ToList();
        var header = new MessageHeader(
            (byte)signers,
            (byte)statics.Count(e => e.Value.Signer && !e.Value.Writable),
            (byte)statics.Count(e => !e.Value.Signer && !e.Value.Writable));
        var lookups = new List<(PublicKey Table, List<byte> Writable, List<byte> ReadOnly)>();
        foreach (var (_, entry) in ordered.Where(e => e.Value.Kind == Kind.Lookup))
        {
            int at = lookups.FindIndex(l => l.Table == entry.Table);
            if (at < 0)
            {
                lookups.Add((entry.Table!, [], []));
                at = lookups.Count - 1;
            }

            (entry.Writable ? lookups[at].Writable : lookups[at].ReadOnly).Add((byte)entry.TableIndex);
        }

        lookups.Sort((a, b) => AddressOrder.Instance.Compare(a.Table, b.Table));

        // The runtime's account order: static keys, then each lookup's writable addresses, then each lookup's read-only ones.
        var index = new Dictionary<PublicKey, int>();
        foreach (var (key, _) in statics)
        {
            index[key] = index.Count;
        }

        var loaded = ordered.Where(e => e.Value.Kind == Kind.Lookup).ToList();
        foreach (bool writablePass in new[] { true, false })
        {
            foreach (var lookup in lookups)
            {
                foreach (byte tableIndex in writablePass ? lookup.Writable : lookup.ReadOnly)
                {
                    PublicKey key = loaded.First(e => e.Value.Table == lookup.Table && e.Value.TableIndex == tableIndex && e.Value.Writable == writablePass).Key;
                    index[key] = index.Count;
                }
            }
        }

        var compiled = ixs.Select(x => new CompiledInstruction((byte)index[x.ProgramId], x.Keys.Select(k => (byte)index[k.PublicKey]), x.Data));
        var message = new Message(
            version,
            header,
            statics.Select(e => e.Key),
            blockhash,
            compiled,
            lookups.Select(l => new MessageAddressTableLookup(l.Table, l.Writable, l.ReadOnly)));
        int size = message.TransactionSize;
        if (size > PacketDataSize)
        {
            throw new TransactionTooLargeException(size);
        }

        return message;
    }

    /// <summary>The size in bytes of the transaction carrying this message: its signatures (64 bytes each, with their count) and the message.</summary>
    public int TransactionSize => ShortVec.EncodedLength(Header.RequiredSignatures) + (64 * Header.RequiredSignatures) + Serialize().Length;

    /// <summary>The message's wire bytes (what the signers sign).</summary>
    public byte[] Serialize()
    {
        var output = new List<byte>(256);
        if (Version == MessageVersion.V0)
        {
            output.Add(VersionPrefix);
        }

        output.Add(Header.RequiredSignatures);
        output.Add(Header.ReadOnlySignedAccounts);
        output.Add(Header.ReadOnlyUnsignedAccounts);
        ShortVec.Write(output, AccountKeys.Count);
        foreach (PublicKey key in AccountKeys)
        {
            output.AddRange(key.Span);
        }

        output.AddRange(Base58.Decode(RecentBlockhash));
        ShortVec.Write(output, Instructions.Count);
        foreach (CompiledInstruction ix in Instructions)
        {
            output.Add(ix.ProgramIdIndex);
            ShortVec.Write(output, ix.AccountIndexes.Count);
            output.AddRange(ix.AccountIndexes);
            ShortVec.Write(output, ix.Data.Length);
            output.AddRange(ix.Data);
        }

        if (Version == MessageVersion.V0)
        {
            ShortVec.Write(output, AddressTableLookups.Count);
            foreach (MessageAddressTableLookup lookup in AddressTableLookups)
            {
                output.AddRange(lookup.AccountKey.Span);
                ShortVec.Write(output, lookup.WritableIndexes.Count);
                output.AddRange(lookup.WritableIndexes);
                ShortVec.Write(output, lookup.ReadOnlyIndexes.Count);
                output.AddRange(lookup.ReadOnlyIndexes);
            }
        }

        return output.ToArray();
    }

    /// <summary>Decodes a message (legacy or v0) that fills <paramref name="bytes"/> exactly.</summary>
    /// <exception cref="FormatException">Truncated, trailing bytes, an unsupported version, or inconsistent counts and indexes (the message says which).</exception>
    public static Message Deserialize(ReadOnlySpan<byte> bytes)
    {
        var reader = new WireReader(bytes.ToArray());
        Message message = Read(ref reader);
        if (reader.Remaining != 0)
        {
            throw new FormatException($"The message has {reader.Remaining} bytes after its end.");
        }

        return message;
    }

    internal static Message Read(ref WireReader reader)
    {
        MessageVersion version = MessageVersion.Legacy;
        byte first = reader.Byte("the header");
        if ((first & VersionPrefix) != 0)
        {
            int v = first & 0x7f;
            if (v != 0)
            {
                throw new FormatException($"Message version {v} is not supported (legacy and v0 are).");
            }

            version = MessageVersion.V0;
            first = reader.Byte("the header");
        }

        var header = new MessageHeader(first, reader.Byte("the header"), reader.Byte("the header"));
        int keyCount = reader.Length("the account keys");
        var keys = new PublicKey[keyCount];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = new PublicKey(reader.Bytes(32, $"account key {i}"));
        }

        string blockhash = Base58.Encode(reader.Bytes(32, "the recent blockhash"));
        int ixCount = reader.Length("the instructions");
        var ixs = new CompiledInstruction[ixCount];
        for (int i = 0; i < ixCount; i++)
        {
            byte program = reader.Byte($"instruction {i}");
            byte[] accounts = reader.Bytes(reader.Length($"instruction {i}'s accounts"), $"instruction {i}'s accounts");
            byte[] data = reader.Bytes(reader.Length($"instruction {i}'s data"), $"instruction {i}'s data");
            ixs[i] = new CompiledInstruction(program, accounts, data);
        }

        var lookups = new List<MessageAddressTableLookup>();
        if (version == MessageVersion.V0)
        {
            int lookupCount = reader.Length("the address table lookups");
            for (int i = 0; i < lookupCount; i++)
            {
                var table = new PublicKey(reader.Bytes(32, $"lookup {i}'s table"));
                byte[] writable = reader.Bytes(reader.Length($"lookup {i}'s writable indexes"), $"lookup {i}'s writable indexes");
                byte[] readOnly = reader.Bytes(reader.Length($"lookup {i}'s read-only indexes"), $"lookup {i}'s read-only indexes");
                lookups.Add(new MessageAddressTableLookup(table, writable, readOnly));
            }
        }

        try
        {
            return new Message(version, header, keys, blockhash, ixs, lookups);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Not a valid message: {e.Message.Split(" (Parameter")[0]}", e);
        }
    }

    private static int IndexOf(IReadOnlyList<PublicKey> list, PublicKey key)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == key)
            {
                return i;
            }
        }

        return -1;
    }

    private static int CompareEntries(PublicKey leftKey, Entry left, PublicKey rightKey, Entry right)
    {
        if (left.Kind != right.Kind)
        {
            return left.Kind.CompareTo(right.Kind);
        }

        if (left.Signer != right.Signer)
        {
            return left.Signer ? -1 : 1;
        }

        if (left.Writable != right.Writable)
        {
            return left.Writable ? -1 : 1;
        }

        return left.Kind == Kind.Lookup && left.Table != right.Table
            ? AddressOrder.Instance.Compare(left.Table, right.Table)
            : AddressOrder.Instance.Compare(leftKey, rightKey);
    }

    private static string CheckBlockhash(string recentBlockhash)
    {
        ArgumentNullException.ThrowIfNull(recentBlockhash, nameof(recentBlockhash));
        byte[] bytes;
        try
        {
            bytes = Base58.Decode(recentBlockhash);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"The recent blockhash is not base58: {e.Message}", nameof(recentBlockhash), e);
        }

        return bytes.Length == 32
            ? recentBlockhash
            : throw new ArgumentException($"The recent blockhash '{recentBlockhash}' decodes to {bytes.Length} bytes; a blockhash is 32.", nameof(recentBlockhash));
    }

    private enum Kind
    {
        FeePayer,
        Static,
        Lookup,
    }

    private sealed record Entry(Kind Kind, bool Signer, bool Writable, PublicKey? Table, int TableIndex);
}

/// <summary>Reads wire bytes with errors that name the part that is missing.</summary>
internal ref struct WireReader
{
    private readonly byte[] _bytes;
    private int _offset;

    public WireReader(byte[] bytes)
    {
        _bytes = bytes;
        _offset = 0;
    }

    public readonly int Remaining => _bytes.Length - _offset;

    public readonly int Offset => _offset;

    public byte Byte(string what)
    {
        if (_offset >= _bytes.Length)
        {
            throw new FormatException($"Truncated at byte {_offset}: {what} is missing.");
        }

        return _bytes[_offset++];
    }

    public byte[] Bytes(int count, string what)
    {
        if (count > Remaining)
        {
            throw new FormatException($"Truncated at byte {_offset}: {what} needs {count} bytes, {Remaining} remain.");
        }

        byte[] result = _bytes.AsSpan(_offset, count).ToArray();
        _offset += count;
        return result;
    }

    public int Length(string what)
    {
        try
        {
            int value = ShortVec.Decode(_bytes.AsSpan(_offset), out int length);
            _offset += length;
            return value;
        }
        catch (FormatException e)
        {
            throw new FormatException($"At byte {_offset}, the length of {what}: {e.Message}", e);
        }
    }
}
