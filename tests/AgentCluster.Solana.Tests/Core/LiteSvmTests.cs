using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Tests.Oracles;

namespace AgentCluster.Solana.Tests.Core;

/// <summary>Transactions built and signed here, sent as wire bytes to the real runtime (LiteSVM, through the kit oracle), the resulting accounts decoded here.</summary>
public class LiteSvmTests
{
    private static Account Key(int seed) => Gen.AccountFrom(new Random(90_000 + seed));

    private static string Send(KitSession svm, Transaction tx) => svm.Call(new JsonObject { ["op"] = "svmSend", ["base64"] = tx.ToBase64() });

    private static (PublicKey Owner, ulong Lamports, byte[] Data) Fetch(KitSession svm, PublicKey address)
    {
        string answer = svm.Call(new JsonObject { ["op"] = "svmAccount", ["address"] = address.Key });
        Assert.That(answer, Is.Not.EqualTo("none"), $"account {address} exists");
        using var json = JsonDocument.Parse(answer);
        return (new PublicKey(json.RootElement.GetProperty("owner").GetString()!), ulong.Parse(json.RootElement.GetProperty("lamports").GetString()!), Convert.FromHexString(json.RootElement.GetProperty("data").GetString()!));
    }

    private static string Blockhash(KitSession svm) => svm.Call(new JsonObject { ["op"] = "svmBlockhash" });

    private static ulong Rent(KitSession svm, int size) => ulong.Parse(svm.Call(new JsonObject { ["op"] = "svmRent", ["size"] = size }));

    [Test]
    public void A_mint_its_token_accounts_transfers_and_an_Ed25519_check_run_in_the_runtime()
    {
        using var svm = new KitSession();
        svm.Call(new JsonObject { ["op"] = "svmNew" });
        Account payer = Key(1), mint = Key(2), owner = Key(3), receiver = Key(4), freeze = Key(5);
        Assert.That(svm.Call(new JsonObject { ["op"] = "svmAirdrop", ["address"] = payer.PublicKey.Key, ["lamports"] = "100000000000" }), Is.EqualTo("ok"));

        // A mint, the owner's ATA, 1,000 minted: signed by the payer and the new mint account.
        PublicKey ownerAta = AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(owner.PublicKey, mint.PublicKey);
        Transaction setup = new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(Blockhash(svm))
            .AddInstruction(ComputeBudgetProgram.SetComputeUnitLimit(400_000))
            .AddInstruction(ComputeBudgetProgram.SetComputeUnitPrice(1))
            .AddInstruction(SystemProgram.CreateAccount(payer.PublicKey, mint.PublicKey, Rent(svm, TokenProgram.MintSize), TokenProgram.MintSize, TokenProgram.ProgramId))
            .AddInstruction(TokenProgram.InitializeMint2(mint.PublicKey, 6, payer.PublicKey, freeze.PublicKey))
            .AddInstruction(AssociatedTokenAccountProgram.Create(payer.PublicKey, owner.PublicKey, mint.PublicKey))
            .AddInstruction(TokenProgram.MintTo(mint.PublicKey, ownerAta, payer.PublicKey, 1_000))
            .BuildTransaction(payer, mint);
        Assert.That(Send(svm, setup), Is.EqualTo("ok"));
        var (mintOwner, _, mintData) = Fetch(svm, mint.PublicKey);
        Assert.That(mintOwner, Is.EqualTo(TokenProgram.ProgramId));
        Assert.That(TokenProgram.DecodeMint(mintData), Is.EqualTo(new TokenMint(payer.PublicKey, 1_000, 6, true, freeze.PublicKey)));
        TokenAccount held = TokenProgram.DecodeAccount(Fetch(svm, ownerAta).Data);
        Assert.That((held.Mint, held.Owner, held.Amount, held.State), Is.EqualTo((mint.PublicKey, owner.PublicKey, 1_000UL, TokenAccountState.Initialized)));

        // v0, partly signed by the payer, then the owner's signature added: an idempotent ATA, a checked transfer,
        // an approval, a burn, an Ed25519 check of a message the owner signed, and lamports moved.
        PublicKey receiverAta = AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(receiver.PublicKey, mint.PublicKey);
        byte[] attested = "attested by the owner"u8.ToArray();
        Message message = new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(Blockhash(svm)).SetVersion(MessageVersion.V0)
            .AddInstruction(AssociatedTokenAccountProgram.CreateIdempotent(payer.PublicKey, receiver.PublicKey, mint.PublicKey))
            .AddInstruction(AssociatedTokenAccountProgram.CreateIdempotent(payer.PublicKey, receiver.PublicKey, mint.PublicKey))
            .AddInstruction(TokenProgram.TransferChecked(ownerAta, mint.PublicKey, receiverAta, owner.PublicKey, 300, 6))
            .AddInstruction(TokenProgram.Transfer(ownerAta, receiverAta, owner.PublicKey, 100))
            .AddInstruction(TokenProgram.Approve(ownerAta, receiver.PublicKey, owner.PublicKey, 50))
            .AddInstruction(TokenProgram.Burn(ownerAta, mint.PublicKey, owner.PublicKey, 200))
            .AddInstruction(Ed25519Program.VerifySignature(owner, attested))
            .AddInstruction(SystemProgram.Transfer(payer.PublicKey, owner.PublicKey, 5_000_000))
            .CompileMessage();
        Transaction tx = new Transaction(message).Sign(payer);
        Transaction handedOn = Transaction.Deserialize(tx.Serialize(requireAllSignatures: false));
        handedOn.AddSignature(owner.PublicKey, owner.Sign(handedOn.MessageBytes));
        Assert.That(Send(svm, handedOn), Is.EqualTo("ok"));
        TokenAccount after = TokenProgram.DecodeAccount(Fetch(svm, ownerAta).Data);
        Assert.That((after.Amount, after.Delegate, after.DelegatedAmount), Is.EqualTo((400UL, (PublicKey?)receiver.PublicKey, 50UL)));
        Assert.That(TokenProgram.DecodeAccount(Fetch(svm, receiverAta).Data).Amount, Is.EqualTo(400UL));
        Assert.That(TokenProgram.DecodeMint(Fetch(svm, mint.PublicKey).Data).Supply, Is.EqualTo(800UL));
        Assert.That(Fetch(svm, owner.PublicKey).Lamports, Is.EqualTo(5_000_000UL));

        // The runtime's Ed25519 precompile refuses a signature of other bytes.
        TransactionInstruction forged = Ed25519Program.VerifySignature(owner.PublicKey, "something else"u8, owner.Sign(attested));
        Transaction bad = new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(Blockhash(svm)).AddInstruction(forged).BuildTransaction(payer);
        Assert.That(Send(svm, bad), Does.StartWith("failed:"));

        // Empty the receiver's account and close it; its rent goes to the receiver.
        Transaction close = new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(Blockhash(svm))
            .AddInstruction(TokenProgram.Burn(receiverAta, mint.PublicKey, receiver.PublicKey, 400))
            .AddInstruction(TokenProgram.CloseAccount(receiverAta, receiver.PublicKey, receiver.PublicKey))
            .BuildTransaction(payer, receiver);
        Assert.That(Send(svm, close), Is.EqualTo("ok"));
        Assert.That(svm.Call(new JsonObject { ["op"] = "svmAccount", ["address"] = receiverAta.Key }), Is.EqualTo("none"));
        Assert.That(Fetch(svm, receiver.PublicKey).Lamports, Is.EqualTo(Rent(svm, TokenProgram.AccountSize)));
    }

    [Test]
    public void System_allocate_assign_and_create_with_seed_run_in_the_runtime()
    {
        using var svm = new KitSession();
        svm.Call(new JsonObject { ["op"] = "svmNew" });
        Account payer = Key(11), plain = Key(12), @base = Key(13);
        svm.Call(new JsonObject { ["op"] = "svmAirdrop", ["address"] = payer.PublicKey.Key, ["lamports"] = "10000000000" });
        PublicKey owner = Gen.AccountFrom(new Random(14)).PublicKey;
        PublicKey seeded = SystemProgram.CreateWithSeed(@base.PublicKey, "agent-7", owner);
        Transaction tx = new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(Blockhash(svm))
            .AddInstruction(SystemProgram.Transfer(payer.PublicKey, plain.PublicKey, Rent(svm, 40)))
            .AddInstruction(SystemProgram.Allocate(plain.PublicKey, 40))
            .AddInstruction(SystemProgram.Assign(plain.PublicKey, owner))
            .AddInstruction(SystemProgram.CreateAccountWithSeed(payer.PublicKey, seeded, @base.PublicKey, "agent-7", Rent(svm, 10), 10, owner))
            .BuildTransaction(payer, plain, @base);
        Assert.That(Send(svm, tx), Is.EqualTo("ok"));
        var (plainOwner, _, plainData) = Fetch(svm, plain.PublicKey);
        Assert.That((plainOwner, plainData.Length), Is.EqualTo((owner, 40)));
        var (seededOwner, _, seededData) = Fetch(svm, seeded);
        Assert.That((seededOwner, seededData.Length), Is.EqualTo((owner, 10)));
    }
}

/// <summary>A v0 transaction loading accounts from address lookup tables, run in the runtime (the tables written straight into LiteSVM).</summary>
public class LiteSvmLookupTableTests
{
    private static readonly PublicKey LookupTableProgram = new("AddressLookupTab1e1111111111111111111111111");

    /// <summary>An active lookup table's account data: the program's 56-byte meta (LookupTable state, never deactivated, extended at slot 0, no authority), then the addresses.</summary>
    private static byte[] TableData(IReadOnlyList<PublicKey> addresses)
    {
        byte[] meta = new byte[56];
        meta[0] = 1; // ProgramState::LookupTable
        BitConverter.TryWriteBytes(meta.AsSpan(4), ulong.MaxValue); // deactivation_slot: active
        meta[20] = (byte)addresses.Count; // last_extended_slot_start_index (extended at slot 0)
        return [.. meta, .. addresses.SelectMany(a => a.KeyBytes)];
    }

    [Test]
    public void Lamports_reach_accounts_loaded_writable_from_two_tables()
    {
        using var svm = new KitSession();
        svm.Call(new JsonObject { ["op"] = "svmNew" });
        Account payer = Gen.AccountFrom(new Random(99_001));
        svm.Call(new JsonObject { ["op"] = "svmAirdrop", ["address"] = payer.PublicKey.Key, ["lamports"] = "10000000000" });
        var random = new Random(99_002);
        var recipients = Enumerable.Range(0, 12).Select(_ => Gen.AccountFrom(random).PublicKey).ToList();
        var tables = new[]
        {
            new AddressLookupTable(Gen.AccountFrom(random).PublicKey, recipients.Take(7).Append(Programs.WellKnown.SysvarClock)),
            new AddressLookupTable(Gen.AccountFrom(random).PublicKey, recipients.Skip(4).Reverse()),
        };
        foreach (AddressLookupTable table in tables)
        {
            Assert.That(svm.Call(new JsonObject { ["op"] = "svmSetAccount", ["address"] = table.Key.Key, ["owner"] = LookupTableProgram.Key, ["lamports"] = "10000000", ["data"] = Gen.Hex(TableData(table.Addresses)) }), Is.EqualTo("ok"));
        }

        svm.Call(new JsonObject { ["op"] = "svmWarp", ["slots"] = 2 });
        var builder = new TransactionBuilder().SetFeePayer(payer).SetRecentBlockHash(svm.Call(new JsonObject { ["op"] = "svmBlockhash" }));
        for (int i = 0; i < recipients.Count; i++)
        {
            builder.AddInstruction(Programs.SystemProgram.Transfer(payer.PublicKey, recipients[i], 1_000_000UL + (ulong)i));
        }

        // A read-only loaded account too: the Clock sysvar as an extra account of a transfer (the System program ignores extras).
        builder.AddInstruction(new TransactionInstruction(Programs.WellKnown.SystemProgram, [AccountMeta.Writable(payer.PublicKey, true), AccountMeta.Writable(recipients[0], false), AccountMeta.ReadOnly(Programs.WellKnown.SysvarClock, false)], Programs.SystemProgram.Transfer(payer.PublicKey, recipients[0], 5).Data));
        foreach (AddressLookupTable table in tables)
        {
            builder.AddAddressLookupTable(table);
        }

        Transaction tx = builder.BuildTransaction(payer);
        Assert.That(tx.Message.AddressTableLookups, Has.Count.EqualTo(2), "both tables are used");
        Assert.That(tx.Message.AddressTableLookups.Sum(l => l.ReadOnlyIndexes.Count), Is.EqualTo(1), "the clock is loaded read-only");
        Assert.That(tx.Message.AccountKeys, Has.Count.EqualTo(2), "only the payer and the System program are static");
        Assert.That(svm.Call(new JsonObject { ["op"] = "svmSend", ["base64"] = tx.ToBase64() }), Is.EqualTo("ok"));
        for (int i = 0; i < recipients.Count; i++)
        {
            string answer = svm.Call(new JsonObject { ["op"] = "svmAccount", ["address"] = recipients[i].Key });
            using var json = JsonDocument.Parse(answer);
            Assert.That(ulong.Parse(json.RootElement.GetProperty("lamports").GetString()!), Is.EqualTo(1_000_000UL + (ulong)i + (i == 0 ? 5UL : 0)), $"recipient {i}");
        }
    }
}
