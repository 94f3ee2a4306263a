using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Tests.Oracles;

namespace AgentCluster.Solana.Tests.Core;

/// <summary>Messages, transactions, signatures, PDAs, compact-u16 and the address order, each against @solana/kit on seeded random cases.</summary>
public class MessageDifferentialTests
{
    private const int Cases = 300;

    [Test]
    public void Address_order_is_kits_comparator()
    {
        var requests = new List<JsonObject>();
        var lists = new List<List<PublicKey>>();
        for (int seed = 0; seed < 200; seed++)
        {
            var gen = new Gen(seed);
            var keys = Enumerable.Range(0, 30).Select(_ => gen.Key()).ToList();
            foreach (PublicKey k in keys.ToArray())
            {
                for (int v = 0; v < 3; v++)
                {
                    if (gen.CaseVariant(k) is { } variant)
                    {
                        keys.Add(variant);
                    }
                }
            }

            keys.Add(PublicKey.Default);
            lists.Add(keys);
            requests.Add(new JsonObject { ["op"] = "sort", ["addresses"] = new JsonArray(keys.Select(k => (JsonNode)JsonValue.Create(k.Key)!).ToArray()) });
        }

        string[] answers = Kit.Run(requests);
        // The case variants are the hard part of the order (equal but for case): there must be plenty.
        Assert.That(lists.Sum(l => l.Count - l.Select(k => k.Key.ToLowerInvariant()).Distinct().Count()), Is.GreaterThan(500));
        for (int seed = 0; seed < lists.Count; seed++)
        {
            string mine = string.Join(',', lists[seed].Order(AddressOrder.Instance).Select(k => k.Key));
            Assert.That(mine, Is.EqualTo(answers[seed]), $"seed {seed}");
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Compiled_message_bytes_are_kits(bool v0)
    {
        var requests = new List<JsonObject>();
        var cases = new List<(PublicKey, string, List<TransactionInstruction>, List<AddressLookupTable>)>();
        for (int seed = 0; seed < Cases; seed++)
        {
            var gen = new Gen(seed * 2 + (v0 ? 1 : 0));
            var (feePayer, ixs, tables) = gen.MessageCase(v0, allowInvalid: true);
            string blockhash = gen.Blockhash();
            cases.Add((feePayer, blockhash, ixs, tables));
            requests.Add(Gen.MessageRequest("message", v0, feePayer, blockhash, ixs, tables));
        }

        string[] answers = Kit.Run(requests);
        int refused = 0, withLookups = 0;
        for (int seed = 0; seed < Cases; seed++)
        {
            var (feePayer, blockhash, ixs, tables) = cases[seed];
            if (answers[seed].StartsWith("error:", StringComparison.Ordinal))
            {
                refused++;
                Assert.Throws<ArgumentException>(() => Message.Compile(feePayer, blockhash, ixs, v0 ? MessageVersion.V0 : MessageVersion.Legacy, tables), $"seed {seed}: kit refused ({answers[seed]})");
                continue;
            }

            Message message = Message.Compile(feePayer, blockhash, ixs, v0 ? MessageVersion.V0 : MessageVersion.Legacy, tables);
            byte[] bytes = message.Serialize();
            Assert.That(Gen.Hex(bytes), Is.EqualTo(answers[seed]), $"seed {seed}");
            withLookups += message.AddressTableLookups.Count > 0 ? 1 : 0;

            // Each account's flags in the message are the OR of every use (the fee payer a writable signer), wherever it sits.
            var loaded = message.AddressTableLookups.SelectMany(l => l.WritableIndexes.Select(i => tables.First(t => t.Key == l.AccountKey).Addresses[i]))
                .Concat(message.AddressTableLookups.SelectMany(l => l.ReadOnlyIndexes.Select(i => tables.First(t => t.Key == l.AccountKey).Addresses[i])));
            var all = message.AccountKeys.Concat(loaded).ToList();
            Assert.That(all.Distinct().Count(), Is.EqualTo(all.Count), $"seed {seed}: every account once");
            var uses = ixs.SelectMany(ix => ix.Keys).Append(new AccountMeta(feePayer, true, true)).Concat(ixs.Select(ix => new AccountMeta(ix.ProgramId, false, false))).ToList();
            for (int i = 0; i < all.Count; i++)
            {
                var used = uses.Where(u => u.PublicKey == all[i]).ToList();
                Assert.That(message.IsWritable(i), Is.EqualTo(used.Any(u => u.IsWritable)), $"seed {seed}: account {i} writable");
                Assert.That(message.IsSigner(i), Is.EqualTo(used.Any(u => u.IsSigner)), $"seed {seed}: account {i} signer");
            }

            Assert.That(ixs.Select(ix => ix.Keys.Select(k => k.PublicKey)), Is.EqualTo(message.Instructions.Select(c => c.AccountIndexes.Select(i => all[i]))), $"seed {seed}: instruction accounts");

            // The round trip: decoding gives the same message back.
            Message again = Message.Deserialize(bytes);
            Assert.That(Gen.Hex(again.Serialize()), Is.EqualTo(answers[seed]), $"seed {seed} (round trip)");
            Assert.That(again.AccountKeys, Is.EqualTo(message.AccountKeys), $"seed {seed}");
            Assert.That(again.Header, Is.EqualTo(message.Header), $"seed {seed}");
        }

        // The generator must exercise both paths (refusals are rare, valid cases most).
        Assert.That(Cases - refused, Is.GreaterThan(Cases * 3 / 4));
        Assert.That(refused, Is.GreaterThan(0), "some cases (a writable program, the fee payer as a program) are refused by both");
        if (v0)
        {
            Assert.That(withLookups, Is.GreaterThan(Cases / 3));
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Signed_wire_transactions_are_kits_and_kit_verifies_ours(bool v0)
    {
        const int n = 150;
        var requests = new List<JsonObject>();
        var transactions = new List<Transaction>();
        for (int seed = 0; seed < n; seed++)
        {
            var gen = new Gen(10_000 + seed * 2 + (v0 ? 1 : 0));
            var accounts = Enumerable.Range(0, gen.Random.Next(1, 5)).Select(_ => Gen.AccountFrom(gen.Random)).ToList();
            var (feePayer, ixs, tables) = gen.MessageCase(v0, accounts.Select(a => a.PublicKey).ToList());
            string blockhash = gen.Blockhash();
            Message message = Message.Compile(feePayer, blockhash, ixs, v0 ? MessageVersion.V0 : MessageVersion.Legacy, tables);
            var used = accounts.Where(a => message.SignerKeys.Contains(a.PublicKey)).ToList();
            Transaction tx = new Transaction(message).Sign(used);
            transactions.Add(tx);
            JsonObject request = Gen.MessageRequest("transaction", v0, feePayer, blockhash, ixs, tables);
            request["seeds"] = new JsonArray(used.Select(a => (JsonNode)JsonValue.Create(Gen.Hex(a.Seed))!).ToArray());
            requests.Add(request);
        }

        for (int seed = 0; seed < n; seed++)
        {
            requests.Add(new JsonObject { ["op"] = "decodeTransaction", ["base64"] = transactions[seed].ToBase64() });
        }

        string[] answers = Kit.Run(requests);
        for (int seed = 0; seed < n; seed++)
        {
            Transaction tx = transactions[seed];
            byte[] wire = tx.Serialize();
            Assert.That(Gen.Hex(wire), Is.EqualTo(answers[seed]), $"seed {seed}: wire bytes");
            Assert.That(tx.VerifySignatures(), Is.True, $"seed {seed}");
            using var decoded = JsonDocument.Parse(answers[n + seed]);
            JsonElement root = decoded.RootElement;
            Assert.That(root.GetProperty("valid").GetBoolean(), Is.True, $"seed {seed}: kit verifies our signatures");
            Assert.That(root.GetProperty("id").GetString(), Is.EqualTo(tx.Id), $"seed {seed}: the id");
            Assert.That(root.GetProperty("wire").GetString(), Is.EqualTo(tx.ToBase64()), $"seed {seed}: kit re-encodes the same bytes");
            Assert.That(root.GetProperty("signers").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(tx.Message.SignerKeys.Select(k => k.Key)), $"seed {seed}");
            Assert.That(root.GetProperty("version").GetString(), Is.EqualTo(v0 ? "0" : "legacy"), $"seed {seed}");
            Assert.That(root.GetProperty("blockhash").GetString(), Is.EqualTo(tx.Message.RecentBlockhash), $"seed {seed}");

            // And our decoder reads the same transaction back, signatures verifying.
            Transaction again = Transaction.Deserialize(wire);
            Assert.That(again.VerifySignatures(), Is.True, $"seed {seed}");
            Assert.That(again.Id, Is.EqualTo(tx.Id), $"seed {seed}");
            Assert.That(Gen.Hex(again.Serialize()), Is.EqualTo(Gen.Hex(wire)), $"seed {seed}");
        }
    }

    [Test]
    public void Partly_signed_transactions_are_kits_and_decode_with_the_missing_signers()
    {
        const int n = 100;
        var requests = new List<JsonObject>();
        var cases = new List<(Transaction Tx, List<PublicKey> Missing)>();
        for (int seed = 0; seed < n; seed++)
        {
            var gen = new Gen(15_000 + seed);
            bool v0 = seed % 2 == 1;
            var accounts = Enumerable.Range(0, gen.Random.Next(2, 5)).Select(_ => Gen.AccountFrom(gen.Random)).ToList();
            var (feePayer, ixs, tables) = gen.MessageCase(v0, accounts.Select(a => a.PublicKey).ToList());
            string blockhash = gen.Blockhash();
            Message message = Message.Compile(feePayer, blockhash, ixs, v0 ? MessageVersion.V0 : MessageVersion.Legacy, tables);
            var signing = accounts.Where(a => message.SignerKeys.Contains(a.PublicKey) && gen.Chance(0.5)).ToList();
            Transaction tx = new Transaction(message).Sign(signing);
            cases.Add((tx, message.SignerKeys.Where(k => !signing.Any(a => a.PublicKey == k)).ToList()));
            JsonObject request = Gen.MessageRequest("transaction", v0, feePayer, blockhash, ixs, tables);
            request["seeds"] = new JsonArray(signing.Select(a => (JsonNode)JsonValue.Create(Gen.Hex(a.Seed))!).ToArray());
            requests.Add(request);
        }

        string[] answers = Kit.Run(requests);
        Assert.That(cases.Count(c => c.Missing.Count > 0), Is.GreaterThan(n / 2));
        for (int seed = 0; seed < n; seed++)
        {
            var (tx, missing) = cases[seed];
            Assert.That(Gen.Hex(tx.Serialize(requireAllSignatures: false)), Is.EqualTo(answers[seed]), $"seed {seed}");
            Transaction decoded = Transaction.Deserialize(Convert.FromHexString(answers[seed]));
            Assert.That(decoded.MissingSigners, Is.EqualTo(missing), $"seed {seed}");
            Assert.That(decoded.IsFullySigned, Is.EqualTo(missing.Count == 0), $"seed {seed}");
        }
    }

    [Test]
    public void Signatures_and_public_keys_from_a_seed_are_kits()
    {
        var requests = new List<JsonObject>();
        var cases = new List<(Account Account, byte[] Data)>();
        for (int seed = 0; seed < Cases; seed++)
        {
            var gen = new Gen(20_000 + seed);
            Account account = Gen.AccountFrom(gen.Random);
            byte[] data = gen.Bytes(gen.Random.Next(0, 1232));
            cases.Add((account, data));
            requests.Add(new JsonObject { ["op"] = "publicKey", ["seed"] = Gen.Hex(account.Seed) });
            requests.Add(new JsonObject { ["op"] = "signBytes", ["seed"] = Gen.Hex(account.Seed), ["data"] = Gen.Hex(data) });
            byte[] tampered = (byte[])data.Clone();
            if (tampered.Length > 0)
            {
                tampered[gen.Random.Next(tampered.Length)] ^= 1;
            }
            else
            {
                tampered = [1];
            }

            requests.Add(new JsonObject { ["op"] = "verify", ["publicKey"] = account.PublicKey.Key, ["signature"] = Gen.Hex(account.Sign(data)), ["data"] = Gen.Hex(tampered) });
        }

        string[] answers = Kit.Run(requests);
        for (int seed = 0; seed < Cases; seed++)
        {
            var (account, data) = cases[seed];
            Assert.That(account.PublicKey.Key, Is.EqualTo(answers[3 * seed]), $"seed {seed}: public key");
            byte[] signature = account.Sign(data);
            Assert.That(Gen.Hex(signature), Is.EqualTo(answers[(3 * seed) + 1]), $"seed {seed}: signature");
            Assert.That(Ed25519Signature.Verify(account.PublicKey, data, signature), Is.True, $"seed {seed}");
            Assert.That(answers[(3 * seed) + 2], Is.EqualTo("false"), $"seed {seed}: kit refuses our signature of other data");
        }
    }

    [Test]
    public void Program_derived_addresses_and_bumps_are_kits()
    {
        var requests = new List<JsonObject>();
        var cases = new List<(byte[][] Seeds, PublicKey Program)>();
        for (int seed = 0; seed < Cases; seed++)
        {
            var gen = new Gen(30_000 + seed);
            byte[][] seeds = Enumerable.Range(0, gen.Random.Next(0, 16)).Select(_ => gen.Bytes(gen.Random.Next(0, 33))).ToArray();
            PublicKey program = gen.Key();
            cases.Add((seeds, program));
            requests.Add(new JsonObject { ["op"] = "pda", ["program"] = program.Key, ["seeds"] = new JsonArray(seeds.Select(s => (JsonNode)JsonValue.Create(Gen.Hex(s))!).ToArray()) });
        }

        string[] answers = Kit.Run(requests);
        int notFirstBump = 0;
        for (int seed = 0; seed < Cases; seed++)
        {
            var (address, bump) = PublicKey.FindProgramAddress(cases[seed].Seeds, cases[seed].Program);
            Assert.That($"{address}:{bump}", Is.EqualTo(answers[seed]), $"seed {seed}");
            notFirstBump += bump < 255 ? 1 : 0;
        }

        Assert.That(notFirstBump, Is.GreaterThan(0), "some cases need a bump below 255 (about half do)");
    }

    [Test]
    public void Compact_u16_is_kits()
    {
        var gen = new Gen(40_000);
        var values = new List<int> { 0, 1, 0x7f, 0x80, 0xff, 0x3fff, 0x4000, 0xfffe, 0xffff };
        values.AddRange(Enumerable.Range(0, Cases).Select(_ => gen.Random.Next(0, 0x10000)));
        values.AddRange(Enumerable.Range(0, 100).Select(_ => gen.Random.Next(0, 0x200)));
        var requests = values.Select(v => new JsonObject { ["op"] = "shortU16", ["value"] = v }).ToList();
        string[] answers = Kit.Run(requests);
        for (int i = 0; i < values.Count; i++)
        {
            byte[] mine = ShortVec.Encode(values[i]);
            Assert.That(Gen.Hex(mine), Is.EqualTo(answers[i]), $"value {values[i]}");
            Assert.That(ShortVec.Decode(mine, out int length), Is.EqualTo(values[i]));
            Assert.That(length, Is.EqualTo(mine.Length));
        }
    }
}
