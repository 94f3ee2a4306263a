using System.Text.Json.Nodes;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Tests.Oracles;

namespace AgentCluster.Solana.Tests.Core;

/// <summary>The native programs' instructions (data and account metas) and the token account decoders against the @solana-program clients.</summary>
public class ProgramDifferentialTests
{
    private const int Rounds = 40;

    private static string Describe(TransactionInstruction ix) =>
        $"{ix.ProgramId}|{string.Join(',', ix.Keys.Select(k => $"{k.PublicKey}:{(k.IsSigner ? 2 : 0) | (k.IsWritable ? 1 : 0)}"))}|{Gen.Hex(ix.Data)}";

    private static JsonObject Request(string name, JsonObject args) => new() { ["op"] = "instruction", ["name"] = name, ["args"] = args };

    private static ulong U64(Gen g) => g.Chance(0.2) ? ulong.MaxValue - (ulong)g.Random.Next(3) : (ulong)g.Random.NextInt64() >> g.Random.Next(0, 60);

    [Test]
    public void Instructions_are_the_program_clients()
    {
        var requests = new List<JsonObject>();
        var mine = new List<(string Name, int Seed, TransactionInstruction Ix)>();
        void Add(int seed, string name, JsonObject args, TransactionInstruction ix)
        {
            requests.Add(Request(name, args));
            mine.Add((name, seed, ix));
        }

        for (int seed = 0; seed < Rounds; seed++)
        {
            var g = new Gen(60_000 + seed);
            PublicKey a = g.Key(), b = g.Key(), c = g.Key(), d = g.Key();
            ulong x = U64(g), y = U64(g);
            byte decimals = (byte)g.Random.Next(256);
            string S(PublicKey k) => k.Key;

            Add(seed, "system.createAccount", new() { ["from"] = S(a), ["newAccount"] = S(b), ["lamports"] = x.ToString(), ["space"] = y.ToString(), ["owner"] = S(c) }, SystemProgram.CreateAccount(a, b, x, y, c));
            Add(seed, "system.assign", new() { ["account"] = S(a), ["owner"] = S(b) }, SystemProgram.Assign(a, b));
            Add(seed, "system.transfer", new() { ["from"] = S(a), ["to"] = S(b), ["lamports"] = x.ToString() }, SystemProgram.Transfer(a, b, x));
            Add(seed, "system.allocate", new() { ["account"] = S(a), ["space"] = y.ToString() }, SystemProgram.Allocate(a, y));
            string seedText = new(Enumerable.Range(0, g.Random.Next(0, 33)).Select(_ => (char)g.Random.Next('a', 'z' + 1)).ToArray());
            PublicKey @base = g.Chance(0.5) ? a : d;
            PublicKey derived = SystemProgram.CreateWithSeed(@base, seedText, c);
            Add(seed, "system.createAccountWithSeed", new() { ["from"] = S(a), ["newAccount"] = S(derived), ["base"] = S(@base), ["seed"] = seedText, ["lamports"] = x.ToString(), ["space"] = y.ToString(), ["owner"] = S(c) }, SystemProgram.CreateAccountWithSeed(a, derived, @base, seedText, x, y, c));

            PublicKey? freeze = g.Chance(0.5) ? d : null;
            Add(seed, "token.initializeMint2", new() { ["mint"] = S(a), ["decimals"] = decimals, ["mintAuthority"] = S(b), ["freezeAuthority"] = freeze?.Key }, TokenProgram.InitializeMint2(a, decimals, b, freeze));
            Add(seed, "token.initializeAccount3", new() { ["account"] = S(a), ["mint"] = S(b), ["owner"] = S(c) }, TokenProgram.InitializeAccount3(a, b, c));
            Add(seed, "token.transfer", new() { ["source"] = S(a), ["destination"] = S(b), ["authority"] = S(c), ["amount"] = x.ToString() }, TokenProgram.Transfer(a, b, c, x));
            Add(seed, "token.transferChecked", new() { ["source"] = S(a), ["mint"] = S(d), ["destination"] = S(b), ["authority"] = S(c), ["amount"] = x.ToString(), ["decimals"] = decimals }, TokenProgram.TransferChecked(a, d, b, c, x, decimals));
            Add(seed, "token.mintTo", new() { ["mint"] = S(a), ["destination"] = S(b), ["mintAuthority"] = S(c), ["amount"] = x.ToString() }, TokenProgram.MintTo(a, b, c, x));
            Add(seed, "token.burn", new() { ["account"] = S(a), ["mint"] = S(b), ["authority"] = S(c), ["amount"] = x.ToString() }, TokenProgram.Burn(a, b, c, x));
            Add(seed, "token.approve", new() { ["source"] = S(a), ["delegate"] = S(b), ["owner"] = S(c), ["amount"] = x.ToString() }, TokenProgram.Approve(a, b, c, x));
            Add(seed, "token.closeAccount", new() { ["account"] = S(a), ["destination"] = S(b), ["owner"] = S(c) }, TokenProgram.CloseAccount(a, b, c));

            PublicKey? tokenProgram = g.Chance(0.3) ? WellKnown.Token2022Program : g.Chance(0.5) ? WellKnown.TokenProgram : null;
            Add(seed, "ata.create", new() { ["payer"] = S(a), ["owner"] = S(b), ["mint"] = S(c), ["tokenProgram"] = tokenProgram?.Key }, AssociatedTokenAccountProgram.Create(a, b, c, tokenProgram));
            Add(seed, "ata.createIdempotent", new() { ["payer"] = S(a), ["owner"] = S(b), ["mint"] = S(c), ["tokenProgram"] = tokenProgram?.Key }, AssociatedTokenAccountProgram.CreateIdempotent(a, b, c, tokenProgram));

            uint units = (uint)g.Random.NextInt64(0, uint.MaxValue + 1L);
            uint heap = (uint)g.Random.Next(32, 257) * 1024;
            Add(seed, "computeBudget.setComputeUnitLimit", new() { ["units"] = units }, ComputeBudgetProgram.SetComputeUnitLimit(units));
            Add(seed, "computeBudget.setComputeUnitPrice", new() { ["microLamports"] = x.ToString() }, ComputeBudgetProgram.SetComputeUnitPrice(x));
            Add(seed, "computeBudget.requestHeapFrame", new() { ["bytes"] = heap }, ComputeBudgetProgram.RequestHeapFrame(heap));
        }

        string[] answers = Kit.Run(requests);
        for (int i = 0; i < mine.Count; i++)
        {
            Assert.That(Describe(mine[i].Ix), Is.EqualTo(answers[i]), $"{mine[i].Name}, seed {mine[i].Seed}");
        }

        Assert.That(mine.Select(m => m.Name).Distinct().Count(), Is.EqualTo(18));
    }

    [Test]
    public void Associated_token_addresses_are_kits()
    {
        var requests = new List<JsonObject>();
        var mine = new List<string>();
        for (int seed = 0; seed < 300; seed++)
        {
            var g = new Gen(70_000 + seed);
            PublicKey owner = g.Key(), mint = g.Key();
            PublicKey program = g.Chance(0.3) ? WellKnown.Token2022Program : WellKnown.TokenProgram;
            mine.Add(AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(owner, mint, program).Key);
            requests.Add(new JsonObject { ["op"] = "ata", ["owner"] = owner.Key, ["mint"] = mint.Key, ["tokenProgram"] = program.Key });
        }

        Assert.That(mine, Is.EqualTo(Kit.Run(requests)));
    }

    [Test]
    public void Mint_and_token_account_decoders_read_what_kit_encodes()
    {
        var requests = new List<JsonObject>();
        var expectedMints = new List<TokenMint>();
        var expectedAccounts = new List<TokenAccount>();
        for (int seed = 0; seed < 200; seed++)
        {
            var g = new Gen(80_000 + seed);
            var mint = new TokenMint(g.Chance(0.7) ? g.Key() : null, U64(g), (byte)g.Random.Next(256), g.Chance(0.8), g.Chance(0.5) ? g.Key() : null);
            expectedMints.Add(mint);
            requests.Add(new JsonObject
            {
                ["op"] = "encodeMint", ["mintAuthority"] = mint.MintAuthority?.Key, ["supply"] = mint.Supply.ToString(), ["decimals"] = mint.Decimals,
                ["isInitialized"] = mint.IsInitialized, ["freezeAuthority"] = mint.FreezeAuthority?.Key,
            });
            var account = new TokenAccount(g.Key(), g.Key(), U64(g), g.Chance(0.5) ? g.Key() : null, (TokenAccountState)g.Random.Next(3), g.Chance(0.3) ? U64(g) : null, U64(g), g.Chance(0.5) ? g.Key() : null);
            expectedAccounts.Add(account);
            requests.Add(new JsonObject
            {
                ["op"] = "encodeToken", ["mint"] = account.Mint.Key, ["owner"] = account.Owner.Key, ["amount"] = account.Amount.ToString(), ["delegate"] = account.Delegate?.Key,
                ["state"] = (int)account.State, ["isNative"] = account.IsNative?.ToString(), ["delegatedAmount"] = account.DelegatedAmount.ToString(), ["closeAuthority"] = account.CloseAuthority?.Key,
            });
        }

        string[] answers = Kit.Run(requests);
        for (int seed = 0; seed < expectedMints.Count; seed++)
        {
            byte[] mintBytes = Convert.FromHexString(answers[2 * seed]);
            Assert.That(mintBytes, Has.Length.EqualTo(TokenProgram.MintSize));
            Assert.That(TokenProgram.DecodeMint(mintBytes), Is.EqualTo(expectedMints[seed]), $"seed {seed}: mint");
            byte[] accountBytes = Convert.FromHexString(answers[(2 * seed) + 1]);
            Assert.That(accountBytes, Has.Length.EqualTo(TokenProgram.AccountSize));
            Assert.That(TokenProgram.DecodeAccount(accountBytes), Is.EqualTo(expectedAccounts[seed]), $"seed {seed}: account");
        }
    }
}
