using System.Text.Json.Nodes;
using AgentCluster.Solana.Programs;
using P = AgentCluster.Solana.Programs.AgentClusterProgram;

namespace AgentCluster.Solana.Tests.Program;

/// <summary>Every instruction builder against tests/solana/program.mjs's builder for the same seeded random inputs.</summary>
public sealed class InstructionBuilderTests
{
    private const int Seed = 15_0615;
    private const int CasesPerInstruction = 12;

    /// <summary>Random inputs for one builder: its arguments for the oracle, and the C# instruction.</summary>
    private sealed class Inputs(Random rng)
    {
        public JsonObject Args { get; } = [];

        public PublicKey Key(string name)
        {
            var k = new PublicKey(Bytes(32));
            Args[name] = k.Key;
            return k;
        }

        public ulong U64(string name)
        {
            ulong v = rng.Next(4) == 0 ? (ulong)rng.Next(1, 1000) : (ulong)rng.NextInt64(1, long.MaxValue) * 2 + (ulong)rng.Next(2);
            Args[name] = v.ToString();
            return v;
        }

        public long I64(string name)
        {
            long v = rng.NextInt64(long.MinValue, long.MaxValue);
            Args[name] = v.ToString();
            return v;
        }

        public byte[] Hash(string name)
        {
            byte[] h = Bytes(32);
            Args[name] = Convert.ToHexString(h).ToLowerInvariant();
            return h;
        }

        public int Int(string name, int min, int max)
        {
            int v = (int)rng.NextInt64(min, (long)max + 1);
            Args[name] = v;
            return v;
        }

        public bool Bool(string name)
        {
            bool b = rng.Next(2) == 1;
            Args[name] = b;
            return b;
        }

        public T Enum<T>(string name)
            where T : struct, Enum
        {
            T[] values = System.Enum.GetValues<T>();
            T v = values[rng.Next(values.Length)];
            Args[name] = Convert.ToInt32(v);
            return v;
        }

        public byte[] Bytes(int n)
        {
            var b = new byte[n];
            rng.NextBytes(b);
            return b;
        }

        public bool Coin() => rng.Next(2) == 1;
    }

    private static readonly Dictionary<string, Func<Inputs, PublicKey, TransactionInstruction>> Cases = new()
    {
        ["Initialize"] = (i, p) => P.Initialize(p, i.Key("authority")),
        ["GenesisMint"] = (i, p) => P.GenesisMint(p, i.Key("authority"), (byte)i.Int("mintBump", 0, 255)),
        ["GenesisVaults"] = (i, p) =>
        {
            var authority = i.Key("authority");
            int step = i.Int("step", 2, 5);
            return P.GenesisVaults(p, authority, P.VaultAddress(p, (VaultKind)(2 * (step - 2))), P.VaultAddress(p, (VaultKind)(2 * (step - 2) + 1)),
                (byte)step, (byte)i.Int("bumpA", 0, 255), (byte)i.Int("bumpB", 0, 255));
        },
        ["Genesis"] = (i, p) => P.Genesis(p, i.Key("authority"), i.Int("step", 1, 5)),
        ["RegisterAgent"] = (i, p) => P.RegisterAgent(p, i.Key("owner"), i.Key("agentKey"), i.Key("agent"), i.Key("ownerAcc"), i.U64("capabilities")),
        ["Stake"] = (i, p) => P.Stake(p, i.Key("owner"), i.Key("agent"), i.Key("ownerAcc"), i.U64("amount")),
        ["RequestUnstake"] = (i, p) => P.RequestUnstake(p, i.Key("owner"), i.Key("agent"), i.U64("amount")),
        ["Withdraw"] = (i, p) => P.Withdraw(p, i.Key("owner"), i.Key("agent"), i.Key("ownerAcc")),
        ["SetAttestor"] = (i, p) => P.SetAttestor(p, i.Key("authority"), i.Key("attestor"), i.Key("attestorKey"), i.Bool("approved")),
        ["Attest"] = (i, p) => P.Attest(p, i.Key("agent"), i.Key("attestor"), i.Hash("measurementHash"), (uint)i.Int("cpuCores", 0, int.MaxValue),
            (uint)i.Int("gpuMemoryMb", 0, int.MaxValue), (uint)i.Int("tokensPerSecond", 0, int.MaxValue), i.I64("expiresAt"), i.U64("nonce")),
        ["RequestExit"] = (i, p) => P.RequestExit(p, i.Key("owner"), i.Key("agent")),
        ["WithdrawBond"] = (i, p) => P.WithdrawBond(p, i.Key("agent"), i.Key("ownerAcc")),
        ["SetSlasher"] = (i, p) => P.SetSlasher(p, i.Key("authority"), i.Key("slasher"), i.Key("slasherKey"), i.Bool("approved")),
        ["Slash"] = (i, p) => P.Slash(p, i.Key("slasher"), i.Key("slasherAccount"), i.Key("agent"), i.Key("record"), (ushort)i.Int("severityBps", 100, 10000),
            i.Key("harmedParty"), i.Hash("reason")),
        ["AppealSlash"] = (i, p) => P.AppealSlash(p, i.Key("owner"), i.Key("agent"), i.Key("record")),
        ["ReverseSlash"] = (i, p) => P.ReverseSlash(p, i.Key("authority"), i.Key("record"), i.Key("agent")),
        ["DismissAppeal"] = (i, p) => P.DismissAppeal(p, i.Key("authority"), i.Key("record"), i.Coin() ? i.Key("harmedAcc") : null),
        ["FinalizeSlash"] = (i, p) => P.FinalizeSlash(p, i.Key("record"), i.Coin() ? i.Key("harmedAcc") : null),
        ["OpenReputation"] = (i, p) => P.OpenReputation(p, i.Key("payer"), i.Key("agent"), i.Key("reputation")),
        ["RecordReputation"] = (i, p) => P.RecordReputation(p, i.Key("authority"), i.Key("reputation"), i.Enum<ReputationDimension>("dimension"), i.I64("delta")),
        ["StakeAt"] = (i, p) => P.StakeAt(p, i.Key("agent"), i.I64("time")),
        ["ReputationOf"] = (i, p) => P.ReputationOf(p, i.Key("reputation"), i.Enum<ReputationDimension>("dimension")),
        ["Propose"] = (i, p) => P.Propose(p, i.Key("owner"), i.Key("agent"), i.Key("proposal"), i.Hash("id"), i.Enum<GovernanceAction>("action"), i.Hash("target"),
            i.U64("value")),
        ["Vote"] = (i, p) => P.Vote(p, i.Key("owner"), i.Key("agent"), i.Key("proposal"), i.Key("vote"), i.Enum<VoteSupport>("support")),
        ["ExecuteProposal"] = (i, p) =>
        {
            var executor = i.Key("executor");
            var proposal = i.Key("proposal");
            var extra = Enumerable.Range(0, i.Int("extraCount", 0, 5)).Select(n => new AccountMeta(new PublicKey(i.Bytes(32)), i.Coin(), i.Coin())).ToList();
            i.Args["remainingAccounts"] = new JsonArray(extra.Select(m => (JsonNode)new JsonObject
            {
                ["address"] = m.PublicKey.Key, ["signer"] = m.IsSigner, ["writable"] = m.IsWritable,
            }).ToArray());
            return P.ExecuteProposal(p, executor, proposal, extra);
        },
        ["SubmitTask"] = (i, p) => P.SubmitTask(p, i.Key("requester"), i.Key("task"), i.Key("taskVault"), i.Key("requesterAcc"), i.U64("id"), i.U64("bounty"),
            i.U64("fee"), i.Hash("requirements"), i.U64("capabilities"), i.I64("deadline"), (byte)i.Int("committeeSize", 3, 100)),
        ["ReserveTask"] = (i, p) => P.ReserveTask(p, i.Key("requester"), i.Key("task"), i.U64("id")),
        ["Bid"] = (i, p) => P.Bid(p, i.Key("agentKey"), i.Key("agent"), i.Key("task"), i.U64("price")),
        ["AssignTask"] = (i, p) => P.AssignTask(p, i.Key("keeper"), i.Key("task"), i.Key("taskVault"), i.Key("keeperAcc")),
        ["PostResult"] = (i, p) => P.PostResult(p, i.Key("executorKey"), i.Key("task"), i.Hash("result")),
        ["ReportMissedDeadline"] = (i, p) => P.ReportMissedDeadline(p, i.Key("keeper"), i.Key("task"), i.Key("taskVault"), i.Key("keeperAcc")),
        ["FixSeed"] = (i, p) => P.FixSeed(p, i.Key("keeper"), i.Key("task"), i.Key("taskVault"), i.Key("keeperAcc")),
        ["DrawSeat"] = (i, p) => P.DrawSeat(p, i.Key("keeper"), i.Key("task"), i.Key("taskVault"), i.Key("keeperAcc"), i.Key("candidateAgent")),
        ["ClaimSeat"] = (i, p) => P.ClaimSeat(p, i.Key("keeper"), i.Key("task"), i.Key("taskVault"), i.Key("keeperAcc"), i.Key("candidateAgent"),
            (byte)i.Int("seat", 0, 99)),
        ["CommitVote"] = (i, p) => P.CommitVote(p, i.Key("memberKey"), i.Key("task"), (byte)i.Int("seat", 0, 99), i.Hash("commitment")),
        ["RevealVote"] = (i, p) => P.RevealVote(p, i.Key("task"), (byte)i.Int("seat", 0, 99), i.Bool("approve"), i.Hash("salt")),
        ["SettleTask"] = (i, p) => P.SettleTask(p, i.Key("keeper"), i.Key("task"), i.Key("taskVault"), i.Key("keeperAcc")),
        ["SettleMember"] = (i, p) => P.SettleMember(p, i.Key("keeper"), i.Key("task"), i.Key("taskVault"), i.Key("keeperAcc"), i.Key("memberAcc"),
            i.Key("memberReputation"), i.Key("memberAgent"), i.Key("slashRecord"), (byte)i.Int("seat", 0, 99)),
        ["ClaimPayout"] = (i, p) => P.ClaimPayout(p, i.Key("payee"), i.Key("task"), i.Key("taskVault"), i.Key("payeeAcc")),
        ["SettleExecutor"] = (i, p) => P.SettleExecutor(p, i.Key("keeper"), i.Key("task"), i.Key("taskVault"), i.Key("keeperAcc"), i.Key("executorAgent"),
            i.Key("slashRecord"), i.Key("executorReputation")),
    };

    [Test]
    public void EveryGeneratedBuilder_HasAnOracleCase()
    {
        var builders = typeof(P).GetMethods().Where(m => m.ReturnType == typeof(TransactionInstruction)).Select(m => m.Name).ToHashSet();
        Assert.That(Cases.Keys, Is.EquivalentTo(builders), "each builder is compared with program.mjs");
    }

    [Test]
    public void EveryBuilder_EqualsProgramMjs_ProgramAccountsAndData_ForSeededRandomInputs()
    {
        var rng = new Random(Seed);
        var requests = new List<JsonObject>();
        var built = new List<(string Name, TransactionInstruction Ix)>();
        foreach ((string name, var build) in Cases)
        {
            for (int n = 0; n < CasesPerInstruction; n++)
            {
                var program = new PublicKey(rng.Next(3) == 0 ? Enumerable.Range(0, 32).Select(b => (byte)(b * 7)).ToArray() : RandomBytes(rng));
                var inputs = new Inputs(rng);
                TransactionInstruction ix = build(inputs, program);
                requests.Add(new JsonObject { ["name"] = name, ["program"] = program.Key, ["args"] = inputs.Args });
                built.Add((name, ix));
            }
        }

        JsonNode[] answers = ProgramOracle.Instructions(requests);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < built.Count; k++)
            {
                (string name, TransactionInstruction ix) = built[k];
                JsonNode a = answers[k];
                string what = $"{name} #{k % CasesPerInstruction} ({requests[k]["args"]!.ToJsonString()})";
                Assert.That(ix.ProgramId.Key, Is.EqualTo((string)a["program"]!), what);
                Assert.That(Convert.ToHexString(ix.Data).ToLowerInvariant(), Is.EqualTo((string)a["data"]!), what + ": data");
                var expected = a["accounts"]!.AsArray().Select(m => $"{m!["address"]} s={m["signer"]} w={m["writable"]}").ToArray();
                var actual = ix.Keys.Select(m => $"{m.PublicKey.Key} s={(m.IsSigner ? "true" : "false")} w={(m.IsWritable ? "true" : "false")}").ToArray();
                Assert.That(actual, Is.EqualTo(expected), what + ": accounts");
            }
        });
    }

    [Test]
    public void PdaHelpers_EqualProgramMjs()
    {
        var rng = new Random(Seed + 1);
        var requests = new List<JsonObject>();
        var mine = new List<PublicKey>();
        for (int n = 0; n < 8; n++)
        {
            var program = new PublicKey(RandomBytes(rng));
            var key = new PublicKey(RandomBytes(rng));
            var other = new PublicKey(RandomBytes(rng));
            byte[] id = RandomBytes(rng);
            uint index = (uint)rng.Next();
            ulong taskId = (ulong)rng.NextInt64();
            var kind = (VaultKind)rng.Next(8);
            void Add(string pda, JsonObject args, PublicKey address)
            {
                args["pda"] = pda;
                requests.Add(new JsonObject { ["name"] = "Pda", ["program"] = program.Key, ["args"] = args });
                mine.Add(address);
            }

            Add("Config", [], P.ConfigAddress(program));
            Add("Mint", [], P.MintAddress(program));
            Add("Vault", new JsonObject { ["vault"] = (int)kind }, P.VaultAddress(program, kind));
            Add("Agent", new JsonObject { ["agentKey"] = key.Key }, P.AgentAddress(program, key));
            Add("Attestor", new JsonObject { ["key"] = key.Key }, P.AttestorAddress(program, key));
            Add("Slasher", new JsonObject { ["key"] = key.Key }, P.SlasherAddress(program, key));
            Add("Slash", new JsonObject { ["agentKey"] = key.Key, ["index"] = index }, P.SlashAddress(program, key, index));
            Add("Reputation", new JsonObject { ["agentKey"] = key.Key }, P.ReputationAddress(program, key));
            Add("Proposal", new JsonObject { ["id"] = Convert.ToHexString(id).ToLowerInvariant() }, P.ProposalAddress(program, id));
            Add("Vote", new JsonObject { ["proposal"] = other.Key, ["agentKey"] = key.Key }, P.VoteAddress(program, other, key));
            Add("Task", new JsonObject { ["requester"] = key.Key, ["id"] = taskId.ToString() }, P.TaskAddress(program, key, taskId));
            Add("TaskVault", new JsonObject { ["task"] = other.Key }, P.TaskVaultAddress(program, other));
        }

        JsonNode[] answers = ProgramOracle.Instructions(requests);
        Assert.That(mine.Select(k => k.Key), Is.EqualTo(answers.Select(a => (string)a["address"]!)));
    }

    [Test]
    public void Builders_RefuseBadInput_WithTheParameterNamed()
    {
        var p = new PublicKey(new byte[32]);
        var k = new PublicKey(Enumerable.Repeat((byte)9, 32).ToArray());
        var hash = new byte[32];
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentException>(() => P.PostResult(p, k, k, new byte[31]))!.ParamName, Is.EqualTo("result"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => P.PostResult(p, k, k, null!))!.ParamName, Is.EqualTo("result"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => P.Stake(p, k, null!, k, 1))!.ParamName, Is.EqualTo("agent"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => P.Stake(null!, k, k, k, 1))!.ParamName, Is.EqualTo("programId"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.Stake(p, k, k, k, 0))!.ParamName, Is.EqualTo("amount"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.RequestUnstake(p, k, k, 0))!.ParamName, Is.EqualTo("amount"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.SubmitTask(p, k, k, k, k, 1, 0, 1, hash, 0, 1, 3))!.ParamName, Is.EqualTo("bounty"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.SubmitTask(p, k, k, k, k, 1, 1, 1, hash, 0, 1, 2))!.ParamName, Is.EqualTo("committeeSize"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.SubmitTask(p, k, k, k, k, 1, 1, 1, hash, 0, 1, 101))!.ParamName, Is.EqualTo("committeeSize"));
            Assert.That(Assert.Throws<ArgumentException>(() => P.SubmitTask(p, k, k, k, k, 1, 1, 1, new byte[33], 0, 1, 3))!.ParamName, Is.EqualTo("requirements"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.Slash(p, k, k, k, k, 99, k, hash))!.ParamName, Is.EqualTo("severityBps"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.ClaimSeat(p, k, k, k, k, k, 100))!.ParamName, Is.EqualTo("seat"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.RecordReputation(p, k, k, (ReputationDimension)4, 1))!.ParamName, Is.EqualTo("dimension"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.Vote(p, k, k, k, k, (VoteSupport)3))!.ParamName, Is.EqualTo("support"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.Propose(p, k, k, k, hash, (GovernanceAction)11, hash, 0))!.ParamName, Is.EqualTo("action"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => P.Genesis(p, k, 6))!.ParamName, Is.EqualTo("step"));
            Assert.That(Assert.Throws<ArgumentException>(() => P.ExecuteProposal(p, k, k, [null!]))!.ParamName, Is.EqualTo("remainingAccounts"));
            Assert.That(Assert.Throws<ArgumentException>(() => P.ProposalAddress(p, new byte[5]))!.ParamName, Is.EqualTo("id"));
        });
    }

    private static byte[] RandomBytes(Random rng)
    {
        var b = new byte[32];
        rng.NextBytes(b);
        return b;
    }
}
