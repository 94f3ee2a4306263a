using System.Text.Json.Nodes;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;

namespace AgentCluster.Solana.Tests.Core;

/// <summary>Seeded random Solana values for the differential tests (System.Random with a seed is stable, so a seed reproduces a case).</summary>
internal sealed class Gen(int seed)
{
    public Random Random { get; } = new(seed);

    public int Seed { get; } = seed;

    public byte[] Bytes(int n)
    {
        byte[] b = new byte[n];
        Random.NextBytes(b);
        return b;
    }

    public PublicKey Key() => new(Bytes(32));

    public string Blockhash() => Base58.Encode(Bytes(32));

    public T Pick<T>(IReadOnlyList<T> list) => list[Random.Next(list.Count)];

    public bool Chance(double p) => Random.NextDouble() < p;

    /// <summary>A key whose base58 differs from <paramref name="key"/>'s only in the case of some letters, when one decodes to 32 bytes.</summary>
    public PublicKey? CaseVariant(PublicKey key)
    {
        const string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        char[] text = key.Key.ToCharArray();
        for (int tries = 0; tries < 8; tries++)
        {
            int i = Random.Next(text.Length);
            char flipped = char.IsUpper(text[i]) ? char.ToLowerInvariant(text[i]) : char.ToUpperInvariant(text[i]);
            if (flipped != text[i] && alphabet.Contains(flipped))
            {
                text[i] = flipped;
            }
        }

        string s = new(text);
        return s != key.Key && PublicKey.TryParse(s, out PublicKey? variant) ? variant : null;
    }

    /// <summary>A random instruction set: keys repeated across and within instructions, mixed flags, random data.</summary>
    public (PublicKey FeePayer, List<TransactionInstruction> Instructions, List<AddressLookupTable> Tables) MessageCase(
        bool v0, IReadOnlyList<PublicKey>? signerPool = null, bool allowInvalid = false)
    {
        var pool = Enumerable.Range(0, Random.Next(2, 14)).Select(_ => Key()).ToList();
        foreach (PublicKey k in pool.ToArray())
        {
            if (Chance(0.15) && CaseVariant(k) is { } variant)
            {
                pool.Add(variant);
            }
        }

        var signers = signerPool?.ToList() ?? Enumerable.Range(0, Random.Next(1, 5)).Select(_ => Key()).ToList();
        PublicKey feePayer = signers[0];
        var programs = Enumerable.Range(0, Random.Next(1, 4)).Select(_ => Key()).ToList();
        var instructions = new List<TransactionInstruction>();
        int count = Random.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            var metas = new List<AccountMeta>();
            int n = Random.Next(0, 8);
            for (int j = 0; j < n; j++)
            {
                double r = Random.NextDouble();
                if (r < 0.2)
                {
                    metas.Add(new AccountMeta(Pick(signers), true, Chance(0.5)));
                }
                else if (r < 0.25)
                {
                    // A program id used as an account: read-only (writable only when invalid cases are wanted).
                    metas.Add(new AccountMeta(Pick(programs), signerPool is null && Chance(0.2), allowInvalid && Chance(0.3)));
                }
                else if (r < 0.3)
                {
                    metas.Add(new AccountMeta(feePayer, Chance(0.5), Chance(0.5)));
                }
                else
                {
                    metas.Add(new AccountMeta(Pick(pool), false, Chance(0.5)));
                }
            }

            PublicKey program = allowInvalid && Chance(0.03) ? feePayer : Pick(programs);
            instructions.Add(new TransactionInstruction(program, metas, Bytes(Random.Next(0, 33))));
        }

        var tables = new List<AddressLookupTable>();
        if (v0)
        {
            var candidates = pool.Concat(signers).Concat(programs).Append(feePayer).ToList();
            int tableCount = Random.Next(0, 4);
            for (int t = 0; t < tableCount; t++)
            {
                var addresses = candidates.Where(_ => Chance(0.5)).OrderBy(_ => Random.Next()).ToList();
                addresses.InsertRange(Random.Next(addresses.Count + 1), Enumerable.Range(0, Random.Next(0, 3)).Select(_ => Key()));
                if (addresses.Count > 0 && Chance(0.2))
                {
                    addresses.Add(Pick(addresses)); // a repeated address: the first index counts
                }

                tables.Add(new AddressLookupTable(Key(), addresses));
            }
        }

        return (feePayer, instructions, tables);
    }

    /// <summary>The oracle's JSON for a message case.</summary>
    public static JsonObject MessageRequest(string op, bool v0, PublicKey feePayer, string blockhash, IEnumerable<TransactionInstruction> instructions, IEnumerable<AddressLookupTable> tables) => new()
    {
        ["op"] = op,
        ["version"] = v0 ? "v0" : "legacy",
        ["feePayer"] = feePayer.Key,
        ["blockhash"] = blockhash,
        ["instructions"] = new JsonArray(instructions.Select(ix => (JsonNode)new JsonObject
        {
            ["program"] = ix.ProgramId.Key,
            ["accounts"] = new JsonArray(ix.Keys.Select(k => (JsonNode)new JsonObject { ["address"] = k.PublicKey.Key, ["signer"] = k.IsSigner, ["writable"] = k.IsWritable }).ToArray()),
            ["data"] = Convert.ToHexString(ix.Data).ToLowerInvariant(),
        }).ToArray()),
        ["tables"] = new JsonArray(tables.Select(t => (JsonNode)new JsonObject
        {
            ["address"] = t.Key.Key,
            ["addresses"] = new JsonArray(t.Addresses.Select(a => (JsonNode)JsonValue.Create(a.Key)!).ToArray()),
        }).ToArray()),
    };

    public static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexString(b).ToLowerInvariant();

    public static Account AccountFrom(Random random)
    {
        byte[] seed = new byte[32];
        random.NextBytes(seed);
        return Account.FromSeed(seed);
    }
}
