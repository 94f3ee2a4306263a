using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;

namespace AgentCluster.Solana.Tests.Core;

/// <summary>The refusals and the partial-signing flow of messages and transactions.</summary>
public class MessageTests
{
    private static readonly string Blockhash = Base58.Encode(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly PublicKey Program = new(Enumerable.Repeat((byte)7, 32).ToArray());

    private static TransactionInstruction Ix(params AccountMeta[] metas) => new(Program, metas, [1, 2, 3]);

    [TestCase("8100", "not minimal")]
    [TestCase("808000", "not minimal")]
    [TestCase("ffff04", "overflows")]
    [TestCase("ffff83", "overflows")]
    [TestCase("80", "truncated")]
    [TestCase("", "truncated")]
    public void Compact_u16_decoding_refuses_bad_encodings(string hex, string why)
    {
        var e = Assert.Throws<FormatException>(() => ShortVec.Decode(Convert.FromHexString(hex), out _));
        Assert.That(e!.Message, Does.Contain(why));
    }

    [Test]
    public void Compact_u16_encoding_refuses_values_out_of_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShortVec.Encode(0x10000));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShortVec.Encode(-1));
        Assert.That(ShortVec.Decode(Convert.FromHexString("ffff03"), out int n), Is.EqualTo(0xffff));
        Assert.That(n, Is.EqualTo(3));
    }

    [Test]
    public void Flags_merge_and_the_header_counts_them()
    {
        Account payer = Gen.AccountFrom(new Random(1));
        PublicKey a = new(Enumerable.Repeat((byte)1, 32).ToArray()), b = new(Enumerable.Repeat((byte)2, 32).ToArray());
        Message m = Message.Compile(payer.PublicKey, Blockhash, [Ix(AccountMeta.ReadOnly(a, false), AccountMeta.ReadOnly(b, true)), Ix(AccountMeta.Writable(a, false), AccountMeta.ReadOnly(payer.PublicKey, false))]);
        Assert.That(m.AccountKeys, Is.EqualTo(new[] { payer.PublicKey, b, a, Program }));
        Assert.That(m.Header, Is.EqualTo(new MessageHeader(2, 1, 1)));
        Assert.That(Enumerable.Range(0, 4).Select(m.IsWritable), Is.EqualTo(new[] { true, false, true, false }));
        Assert.That(m.Instructions[0].AccountIndexes, Is.EqualTo(new byte[] { 2, 1 }));
        Assert.That(m.Instructions[1].AccountIndexes, Is.EqualTo(new byte[] { 2, 0 }));
    }

    [Test]
    public void Bad_input_is_refused_by_name_before_anything_is_built()
    {
        PublicKey payer = new(Enumerable.Repeat((byte)9, 32).ToArray());
        var e = Assert.Throws<ArgumentException>(() => Message.Compile(payer, "1111", [Ix()]));
        Assert.That(e!.ParamName, Is.EqualTo("recentBlockhash"));
        Assert.That(e.Message, Does.Contain("decodes to 4 bytes"));
        e = Assert.Throws<ArgumentException>(() => Message.Compile(payer, Blockhash, [Ix()], MessageVersion.Legacy, [new AddressLookupTable(payer, [])]));
        Assert.That(e!.Message, Does.Contain("need a v0 message"));
        e = Assert.Throws<ArgumentException>(() => Message.Compile(payer, Blockhash, [new TransactionInstruction(payer, [], [])]));
        Assert.That(e!.Message, Does.Contain("is the fee payer"));
        e = Assert.Throws<ArgumentException>(() => Message.Compile(payer, Blockhash, [Ix(AccountMeta.Writable(Program, false))]));
        Assert.That(e!.Message, Does.Contain($"marks program {Program} writable"));
    }

    [Test]
    public void Too_many_accounts_signers_or_instructions_are_refused_with_counts()
    {
        PublicKey payer = new(Enumerable.Repeat((byte)9, 32).ToArray());
        var random = new Random(3);
        PublicKey Key()
        {
            byte[] b = new byte[32];
            random.NextBytes(b);
            return new PublicKey(b);
        }

        var many = Enumerable.Range(0, 64).Select(_ => AccountMeta.ReadOnly(Key(), false)).ToArray();
        var e = Assert.Throws<ArgumentException>(() => Message.Compile(payer, Blockhash, [Ix(many)]));
        Assert.That(e!.Message, Does.Contain("uses 66 accounts; at most 64"));
        var signers = Enumerable.Range(0, 13).Select(_ => AccountMeta.ReadOnly(Key(), true)).ToArray();
        e = Assert.Throws<ArgumentException>(() => Message.Compile(payer, Blockhash, [Ix(signers)]));
        Assert.That(e!.Message, Does.Contain("14 signers; at most 12"));
        e = Assert.Throws<ArgumentException>(() => Message.Compile(payer, Blockhash, Enumerable.Range(0, 65).Select(_ => Ix())));
        Assert.That(e!.Message, Does.Contain("65 instructions; at most 64"));
        var wide = Enumerable.Range(0, 256).Select(_ => AccountMeta.ReadOnly(payer, false)).ToArray();
        e = Assert.Throws<ArgumentException>(() => Message.Compile(payer, Blockhash, [Ix(wide)]));
        Assert.That(e!.Message, Does.Contain("lists 256 accounts; at most 255"));
    }

    [Test]
    public void A_transaction_over_the_packet_is_refused_with_its_size()
    {
        PublicKey payer = new(Enumerable.Repeat((byte)9, 32).ToArray());
        var e = Assert.Throws<TransactionTooLargeException>(() => Message.Compile(payer, Blockhash, [new TransactionInstruction(Program, [], new byte[1200])]));
        // 1 + 64 (one signature) + 3 (header) + 1 + 64 (two keys) + 32 (blockhash) + 1 + 1 + 1 + 2 + 1200 (the instruction).
        Assert.That(e!.Size, Is.EqualTo(1370));
        Assert.That(e.Message, Does.Contain("1370 bytes").And.Contain("1232"));
        Assert.That(Message.Compile(payer, Blockhash, [new TransactionInstruction(Program, [], new byte[1200 - 138])]).TransactionSize, Is.EqualTo(1232));
    }

    [Test]
    public void Builder_names_a_missing_signer_and_refuses_an_extra_one()
    {
        Account payer = Gen.AccountFrom(new Random(11)), other = Gen.AccountFrom(new Random(12)), stranger = Gen.AccountFrom(new Random(13));
        TransactionBuilder Builder() => new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(Blockhash).AddInstruction(Ix(AccountMeta.ReadOnly(other.PublicKey, true)));
        var e = Assert.Throws<ArgumentException>(() => Builder().Build(payer));
        Assert.That(e!.Message, Does.Contain($"Missing signer: {other.PublicKey}"));
        e = Assert.Throws<ArgumentException>(() => Builder().Build(payer, other, stranger));
        Assert.That(e!.Message, Does.Contain($"{stranger.PublicKey} is not a signer of this message"));
        Assert.That(() => new TransactionBuilder().SetRecentBlockHash(Blockhash).Build(payer), Throws.InvalidOperationException.With.Message.Contain("SetFeePayer"));
        Assert.That(() => new TransactionBuilder().SetFeePayer(payer).Build(payer), Throws.InvalidOperationException.With.Message.Contain("SetRecentBlockHash"));
        Transaction tx = Transaction.Deserialize(Builder().Build(payer, other));
        Assert.That(tx.VerifySignatures(), Is.True);
    }

    [Test]
    public void Partial_signing_then_adding_a_signature_made_elsewhere()
    {
        Account payer = Gen.AccountFrom(new Random(21)), other = Gen.AccountFrom(new Random(22));
        Message message = new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(Blockhash).AddInstruction(Ix(AccountMeta.Writable(other.PublicKey, true))).CompileMessage();
        Transaction tx = new Transaction(message).Sign(payer);
        Assert.That(tx.IsFullySigned, Is.False);
        Assert.That(tx.MissingSigners, Is.EqualTo(new[] { other.PublicKey }));
        Assert.That(() => tx.Serialize(), Throws.InvalidOperationException.With.Message.Contain(other.PublicKey.Key));
        Assert.That(tx.VerifySignatures(), Is.False);

        // Hand the partly signed bytes on; the other signer signs the same message bytes; add it.
        Transaction received = Transaction.Deserialize(tx.Serialize(requireAllSignatures: false));
        byte[] signature = other.Sign(received.MessageBytes);
        Assert.That(() => tx.AddSignature(other.PublicKey, payer.Sign(received.MessageBytes)), Throws.ArgumentException.With.Message.Contain("is not"));
        Assert.That(() => tx.AddSignature(Account.Generate().PublicKey, signature), Throws.ArgumentException.With.Message.Contain("is not a signer"));
        tx.AddSignature(other.PublicKey, signature);
        Assert.That(tx.IsFullySigned && tx.VerifySignatures(), Is.True);
        Assert.That(tx.Id, Is.EqualTo(Base58.Encode(tx.Signatures[0])));
        Assert.That(() => new Transaction(message).Id, Throws.InvalidOperationException.With.Message.Contain("has not signed"));
    }

    [Test]
    public void A_tampered_transaction_fails_verification_and_bad_bytes_are_format_errors()
    {
        Account payer = Gen.AccountFrom(new Random(31));
        byte[] wire = new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(Blockhash).AddInstruction(Ix()).Build(payer);
        byte[] tampered = (byte[])wire.Clone();
        tampered[^1] ^= 1;
        Assert.That(Transaction.Deserialize(tampered).VerifySignatures(), Is.False);
        Assert.That(() => Transaction.Deserialize(wire.AsSpan(0, wire.Length - 1)), Throws.TypeOf<FormatException>().With.Message.Contain("Truncated"));
        Assert.That(() => Transaction.Deserialize([.. wire, 0]), Throws.TypeOf<FormatException>().With.Message.Contain("after its message"));
        Assert.That(() => Transaction.Deserialize(new byte[1300]), Throws.TypeOf<FormatException>().With.Message.Contain("1300 bytes"));
        byte[] twoSignatures = [2, .. wire[1..65], .. wire[1..]];
        Assert.That(() => Transaction.Deserialize(twoSignatures), Throws.TypeOf<FormatException>().With.Message.Contain("asks for 1"));
        byte[] v1 = [.. wire[..65], 0x81, .. wire[65..]];
        Assert.That(() => Transaction.Deserialize(v1), Throws.TypeOf<FormatException>().With.Message.Contain("version 1 is not supported"));
    }
}
