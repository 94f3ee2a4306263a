using AgentCluster.Solana.Keys;

namespace AgentCluster.Solana.Messages;

/// <summary>
/// A transaction: a <see cref="Message"/> and one 64-byte signature per signer key, in the order of the message's signer keys
/// (an unsigned slot is 64 zero bytes). Sign all at once or in parts (<see cref="Sign"/>, <see cref="AddSignature"/>); the id is the
/// first signature in base58; the wire bytes are the compact-u16 signature count, the signatures, then the message.
/// </summary>
public sealed class Transaction
{
    private readonly byte[][] _signatures;
    private readonly byte[] _messageBytes;

    /// <summary>An unsigned transaction for <paramref name="message"/>.</summary>
    public Transaction(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Message = message;
        _messageBytes = message.Serialize();
        _signatures = Enumerable.Range(0, message.Header.RequiredSignatures).Select(_ => new byte[Account.SignatureLength]).ToArray();
    }

    private Transaction(Message message, byte[] messageBytes, byte[][] signatures)
    {
        Message = message;
        _messageBytes = messageBytes;
        _signatures = signatures;
    }

    /// <summary>The message signed.</summary>
    public Message Message { get; }

    /// <summary>A copy of the message's bytes (what is signed).</summary>
    public byte[] MessageBytes => (byte[])_messageBytes.Clone();

    /// <summary>Copies of the signatures, in the order of <see cref="Message.SignerKeys"/> (64 zero bytes where unsigned).</summary>
    public IReadOnlyList<byte[]> Signatures => _signatures.Select(s => (byte[])s.Clone()).ToArray();

    /// <summary>The signer keys that have no signature yet.</summary>
    public IReadOnlyList<PublicKey> MissingSigners =>
        Message.SignerKeys.Where((_, i) => IsEmpty(_signatures[i])).ToArray();

    /// <summary>True when every signer key has a signature.</summary>
    public bool IsFullySigned => _signatures.All(s => !IsEmpty(s));

    /// <summary>The transaction id: the first (the fee payer's) signature in base58.</summary>
    /// <exception cref="InvalidOperationException">The fee payer has not signed yet.</exception>
    public string Id => IsEmpty(_signatures[0])
        ? throw new InvalidOperationException($"The transaction has no id yet: the fee payer {Message.FeePayer} has not signed.")
        : Base58.Encode(_signatures[0]);

    /// <summary>Signs with each of <paramref name="signers"/> (some or all of the signer keys; the rest may sign later).</summary>
    /// <exception cref="ArgumentException">A signer that is not one of the message's signer keys (named).</exception>
    public Transaction Sign(params IEnumerable<Account> signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        Account[] list = signers.ToArray();
        IReadOnlyList<PublicKey> keys = Message.SignerKeys;
        foreach (Account signer in list)
        {
            ArgumentNullException.ThrowIfNull(signer, nameof(signers));
            if (!keys.Contains(signer.PublicKey))
            {
                throw new ArgumentException($"{signer.PublicKey} is not a signer of this message (its signers: {string.Join(", ", keys)}).", nameof(signers));
            }
        }

        foreach (Account signer in list)
        {
            _signatures[IndexOfSigner(signer.PublicKey)] = signer.Sign(_messageBytes);
        }

        return this;
    }

    /// <summary>Adds a signature made elsewhere (a wallet, another process) for <paramref name="signer"/>; it must verify.</summary>
    /// <exception cref="ArgumentException">The key is not a signer of the message, or the signature is not 64 bytes or does not verify.</exception>
    public Transaction AddSignature(PublicKey signer, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(signer);
        int index = IndexOfSigner(signer);
        if (index < 0)
        {
            throw new ArgumentException($"{signer} is not a signer of this message.", nameof(signer));
        }

        if (signature.Length != Account.SignatureLength)
        {
            throw new ArgumentException($"A signature is {Account.SignatureLength} bytes; got {signature.Length}.", nameof(signature));
        }

        if (!Ed25519Signature.Verify(signer, _messageBytes, signature))
        {
            throw new ArgumentException($"The signature is not {signer}'s signature of this message.", nameof(signature));
        }

        _signatures[index] = signature.ToArray();
        return this;
    }

    /// <summary>True when every signature is present and verifies against its signer key and the message.</summary>
    public bool VerifySignatures()
    {
        IReadOnlyList<PublicKey> keys = Message.SignerKeys;
        for (int i = 0; i < keys.Count; i++)
        {
            if (IsEmpty(_signatures[i]) || !Ed25519Signature.Verify(keys[i], _messageBytes, _signatures[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The wire bytes (what <c>sendTransaction</c> takes, base64-encoded).</summary>
    /// <param name="requireAllSignatures">Refuse when a signer has not signed (default); false writes zeros in its slot, for handing a partly signed transaction on.</param>
    /// <exception cref="InvalidOperationException">A signature is missing (the keys are named) and <paramref name="requireAllSignatures"/> is true.</exception>
    public byte[] Serialize(bool requireAllSignatures = true)
    {
        if (requireAllSignatures && !IsFullySigned)
        {
            throw new InvalidOperationException($"The transaction is missing the signature of {string.Join(", ", MissingSigners)}.");
        }

        var output = new List<byte>(Message.PacketDataSize);
        ShortVec.Write(output, _signatures.Length);
        foreach (byte[] signature in _signatures)
        {
            output.AddRange(signature);
        }

        output.AddRange(_messageBytes);
        return output.ToArray();
    }

    /// <summary>The wire bytes in base64 (<see cref="Serialize"/>).</summary>
    public string ToBase64(bool requireAllSignatures = true) => Convert.ToBase64String(Serialize(requireAllSignatures));

    /// <summary>Decodes wire bytes (signatures are kept as found; <see cref="VerifySignatures"/> checks them).</summary>
    /// <exception cref="FormatException">Over the packet size, truncated, trailing bytes, a signature count that is not the header's, or a bad message.</exception>
    public static Transaction Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Message.PacketDataSize)
        {
            throw new FormatException($"The transaction is {bytes.Length} bytes; a transaction is at most {Message.PacketDataSize}.");
        }

        var reader = new WireReader(bytes.ToArray());
        int count = reader.Length("the signatures");
        var signatures = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            signatures[i] = reader.Bytes(Account.SignatureLength, $"signature {i}");
        }

        int start = reader.Offset;
        Message message = Message.Read(ref reader);
        if (reader.Remaining != 0)
        {
            throw new FormatException($"The transaction has {reader.Remaining} bytes after its message.");
        }

        if (count != message.Header.RequiredSignatures)
        {
            throw new FormatException($"The transaction carries {count} signatures; its message's header asks for {message.Header.RequiredSignatures}.");
        }

        return new Transaction(message, bytes[start..].ToArray(), signatures);
    }

    /// <summary>Decodes base64 wire bytes (<see cref="Deserialize(ReadOnlySpan{byte})"/>).</summary>
    /// <exception cref="FormatException">Not base64, or not a transaction.</exception>
    public static Transaction FromBase64(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        return Deserialize(Convert.FromBase64String(base64));
    }

    private int IndexOfSigner(PublicKey key)
    {
        IReadOnlyList<PublicKey> keys = Message.SignerKeys;
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i] == key)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsEmpty(byte[] signature) => signature.All(b => b == 0);
}
