using System.Buffers.Binary;
using System.Text.Json.Nodes;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Tests.Oracles;

namespace AgentCluster.Solana.Tests.Core;

public class ProgramTests
{
    [Test]
    public void Ed25519_instruction_is_the_projects_JS_layout_and_its_offsets_point_at_a_valid_signature()
    {
        var requests = new List<JsonObject>();
        var mine = new List<TransactionInstruction>();
        for (int seed = 0; seed < 50; seed++)
        {
            var g = new Gen(95_000 + seed);
            Account signer = Gen.AccountFrom(g.Random);
            byte[] message = g.Bytes(g.Random.Next(0, 200));
            TransactionInstruction ix = Ed25519Program.VerifySignature(signer, message);
            mine.Add(ix);
            requests.Add(new JsonObject { ["op"] = "ed25519Instruction", ["publicKey"] = Gen.Hex(signer.PublicKey.Span), ["signature"] = Gen.Hex(signer.Sign(message)), ["message"] = Gen.Hex(message) });

            // Read it the way the native program does: the offsets locate key, signature and message in this instruction's data.
            byte[] d = ix.Data;
            Assert.That((d[0], d[1]), Is.EqualTo(((byte)1, (byte)0)));
            ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(at));
            Assert.That(new[] { U16(4), U16(8), U16(14) }, Is.All.EqualTo(0xffff));
            var key = new PublicKey(d.AsSpan(U16(6), 32));
            Assert.That(Ed25519Signature.Verify(key, d.AsSpan(U16(10), U16(12)), d.AsSpan(U16(2), 64)), Is.True, $"seed {seed}");
            Assert.That(key, Is.EqualTo(signer.PublicKey));
        }

        string[] answers = Kit.Run(requests);
        for (int i = 0; i < mine.Count; i++)
        {
            Assert.That($"{mine[i].ProgramId}|{mine[i].Keys.Count}|{Gen.Hex(mine[i].Data)}", Is.EqualTo(answers[i]), $"seed {i}");
        }
    }

    [Test]
    public void Bad_program_input_is_refused_by_name()
    {
        PublicKey k = PublicKey.Default;
        Assert.That(() => Ed25519Program.VerifySignature(k, "m"u8, new byte[63]), Throws.ArgumentException.With.Property("ParamName").EqualTo("signature"));
        Assert.That(() => Ed25519Program.VerifySignature(k, new byte[70_000], new byte[64]), Throws.ArgumentException.With.Property("ParamName").EqualTo("message"));
        Assert.That(() => ComputeBudgetProgram.RequestHeapFrame(1000), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("bytes"));
        Assert.That(() => ComputeBudgetProgram.RequestHeapFrame(512 * 1024), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => SystemProgram.CreateWithSeed(k, new string('x', 33), k), Throws.ArgumentException.With.Message.Contain("is 33"));
        Assert.That(() => SystemProgram.Transfer(null!, k, 1), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("from"));
        Assert.That(() => TokenProgram.MintTo(k, k, null!, 1), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("mintAuthority"));
    }

    [Test]
    public void Token_decoders_refuse_wrong_sizes_and_bad_tags()
    {
        Assert.That(() => TokenProgram.DecodeMint(new byte[81]), Throws.TypeOf<FormatException>().With.Message.Contain("82 bytes; got 81"));
        Assert.That(() => TokenProgram.DecodeAccount(new byte[82]), Throws.TypeOf<FormatException>().With.Message.Contain("165 bytes; got 82"));
        byte[] mint = new byte[82];
        mint[0] = 2;
        Assert.That(() => TokenProgram.DecodeMint(mint), Throws.TypeOf<FormatException>().With.Message.Contain("mint authority"));
        byte[] account = new byte[165];
        account[108] = 3;
        Assert.That(() => TokenProgram.DecodeAccount(account), Throws.TypeOf<FormatException>().With.Message.Contain("state is 0..2; got 3"));
    }

    [Test]
    public void Well_known_ids_are_kits()
    {
        PublicKey[] mine =
        [
            WellKnown.SystemProgram, WellKnown.TokenProgram, WellKnown.AssociatedTokenAccountProgram, WellKnown.ComputeBudgetProgram,
            WellKnown.SysvarRent, WellKnown.SysvarClock, WellKnown.SysvarInstructions, WellKnown.SysvarSlotHashes,
        ];
        Assert.That(string.Join(',', mine.Select(k => k.Key)), Is.EqualTo(Kit.Run(new JsonObject { ["op"] = "wellKnown" })));
    }
}
