using AgentCluster.Solana.Keys;

namespace AgentCluster.Solana.Messages;

/// <summary>
/// Builds and signs a transaction, Solnet-style: <c>new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(hash)
/// .AddInstruction(ix).Build(payer)</c>. The message is compiled by <see cref="Message.Compile"/> (kit's order and bytes).
/// </summary>
public sealed class TransactionBuilder
{
    private readonly List<TransactionInstruction> _instructions = [];
    private readonly List<AddressLookupTable> _tables = [];
    private PublicKey? _feePayer;
    private string? _recentBlockhash;
    private MessageVersion _version = MessageVersion.Legacy;

    /// <summary>Sets the fee payer (the first signer).</summary>
    public TransactionBuilder SetFeePayer(PublicKey feePayer)
    {
        ArgumentNullException.ThrowIfNull(feePayer);
        _feePayer = feePayer;
        return this;
    }

    /// <summary>Sets the fee payer to <paramref name="feePayer"/>'s key.</summary>
    public TransactionBuilder SetFeePayer(Account feePayer)
    {
        ArgumentNullException.ThrowIfNull(feePayer);
        return SetFeePayer(feePayer.PublicKey);
    }

    /// <summary>Sets the recent blockhash (base58 of 32 bytes).</summary>
    public TransactionBuilder SetRecentBlockHash(string recentBlockhash)
    {
        ArgumentNullException.ThrowIfNull(recentBlockhash);
        _recentBlockhash = recentBlockhash;
        return this;
    }

    /// <summary>Appends an instruction.</summary>
    public TransactionBuilder AddInstruction(TransactionInstruction instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        _instructions.Add(instruction);
        return this;
    }

    /// <summary>Appends instructions in order.</summary>
    public TransactionBuilder AddInstructions(IEnumerable<TransactionInstruction> instructions)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        foreach (TransactionInstruction instruction in instructions)
        {
            AddInstruction(instruction);
        }

        return this;
    }

    /// <summary>Sets the message version (legacy unless set; lookup tables set v0).</summary>
    public TransactionBuilder SetVersion(MessageVersion version)
    {
        _version = version;
        return this;
    }

    /// <summary>Adds an address lookup table (and makes the message v0); earlier tables are preferred for an address in several.</summary>
    public TransactionBuilder AddAddressLookupTable(AddressLookupTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _tables.Add(table);
        _version = MessageVersion.V0;
        return this;
    }

    /// <summary>Compiles the message.</summary>
    /// <exception cref="InvalidOperationException">No fee payer or no recent blockhash set.</exception>
    /// <exception cref="ArgumentException">The instructions cannot be compiled (see <see cref="Message.Compile"/>).</exception>
    /// <exception cref="TransactionTooLargeException">The transaction would not fit the packet.</exception>
    public Message CompileMessage()
    {
        PublicKey feePayer = _feePayer ?? throw new InvalidOperationException("No fee payer: call SetFeePayer first.");
        string blockhash = _recentBlockhash ?? throw new InvalidOperationException("No recent blockhash: call SetRecentBlockHash first.");
        return Message.Compile(feePayer, blockhash, _instructions, _version, _tables);
    }

    /// <summary>Compiles and signs with every one of <paramref name="signers"/>, which must be exactly the message's signers.</summary>
    /// <exception cref="ArgumentException">A signer the message does not need, or a signer key with no account given (both named).</exception>
    public Transaction BuildTransaction(params IEnumerable<Account> signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        Account[] list = signers.ToArray();
        Message message = CompileMessage();
        var missing = message.SignerKeys.Where(k => !list.Any(a => a?.PublicKey == k)).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException($"Missing signer{(missing.Length > 1 ? "s" : "")}: {string.Join(", ", missing)} must sign this transaction.", nameof(signers));
        }

        return new Transaction(message).Sign(list);
    }

    /// <summary>Compiles, signs with all of <paramref name="signers"/> and returns the wire bytes.</summary>
    /// <exception cref="ArgumentException">A missing or extra signer (named).</exception>
    public byte[] Build(params IEnumerable<Account> signers) => BuildTransaction(signers).Serialize();
}
