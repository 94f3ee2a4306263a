using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Cli.Localnet;
using AgentCluster.Cli.Tests.Solana;
using AgentCluster.Sdk.Networks;
using AgentCluster.Solana.Rpc;
using AgentCluster.Swarm.Networks;

namespace AgentCluster.Cli.Tests.Localnet;

/// <summary>
/// <c>localnet up --chain solana|both</c>'s Solana side (docs/localnet.md, "As built: Solana") against the real localnet server
/// process (scripts/solana-localnet): the options refused before anything starts, the server started and stopped with the command
/// (and one left running by a killed command stopped by the next), the closing report read from the chain (compared with @solana/kit's
/// reads), and the swarm host's funding, clock and keypair files.
/// </summary>
[TestFixture, Category("Solana"), NonParallelizable]
public sealed class LocalnetSolanaTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("agentcluster-localnet-solana-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCase("--port", "9000")]
    [TestCase("--manifest", "m.json")]
    [TestCase("--fund-accounts", "10")]
    [TestCase("--block-time", "2")]
    public void Up_ChainSolana_RefusesAnEvmOption_NamingIt_BeforeStartingAnything(string option, string value)
    {
        CliResult r = Cli.Run("localnet", "up", "--chain", "solana", option, value, "--dir", _dir);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(r.Stderr, Does.Contain(option));
        Assert.That(r.Stdout, Is.Empty);
        Assert.That(Directory.Exists(Path.Combine(_dir, "solana")), Is.False, "no server was started");
    }

    [TestCase(new[] { "--chain", "solana", "--no-governance" }, "--no-governance", "EVM option")]
    [TestCase(new[] { "--chain", "solana", "--resume" }, "--resume", "keeps no chain between runs")]
    [TestCase(new[] { "--chain", "evm", "--solana-port", "9000" }, "--solana-port", "runs no Solana server")]
    [TestCase(new[] { "--chain", "solana", "--solana-port", "70000" }, "--solana-port", "0..65535")]
    [TestCase(new[] { "--chain", "both", "--port", "9100", "--solana-port", "9100" }, "--solana-port", "must differ from --port")]
    [TestCase(new[] { "--chain", "solana", "--dashboard-port", "9101", "--solana-port", "9101" }, "--solana-port", "must differ from --dashboard-port")]
    [TestCase(new[] { "--chain", "cosmos" }, "--chain", "evm, solana or both")]
    public void Up_RefusesABadChainCombination_SayingWhy(string[] options, string named, string why)
    {
        CliResult r = Cli.Run(["localnet", "up", .. options, "--dir", _dir]);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(r.Stderr, Does.Contain(named).And.Contain(why));
        Assert.That(Directory.Exists(Path.Combine(_dir, "solana")), Is.False, "no server was started");
    }

    [Test]
    public async Task Up_ChainSolana_StartsTheServer_ReportsFromTheChain_AndLeavesNoServer()
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        Task<int> run = Task.Run(() => Program.Run(["localnet", "up", "--chain", "solana", "--solana-port", "0", "--agents", "11", "--tasks", "2", "--dir", _dir, "--json"],
            stdout, stderr, new StringReader("")));
        Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(5)));
        Assert.That(finished, Is.SameAs(run), "localnet up --chain solana ended by itself within 5 minutes");
        int code = await run;
        string log = stderr.ToString();
        TestContext.Out.WriteLine(log);
        Assert.That(code, Is.EqualTo(0), log);

        Match started = Regex.Match(log, @"localnet: solana (http://127\.0\.0\.1:[0-9]+/) \(pid ([0-9]+)\)");
        Assert.That(started.Success, Is.True, "the server's URL and pid are printed");
        int pid = int.Parse(started.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(LocalnetCommand.IsRunning(pid), Is.False, "the server the command started is gone");
        Assert.That(log, Does.Contain($"solana: the localnet server (pid {pid}) stopped"));
        Assert.That(File.Exists(SolanaLocalnetNode.PidFileOf(Path.Combine(_dir, "solana"))), Is.False, "the pid file is removed at a clean stop");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.That(async () => await http.GetAsync(new Uri(new Uri(started.Groups[1].Value), "health")), Throws.InstanceOf<HttpRequestException>(),
            "nothing listens on the server's port any more");

        using JsonDocument report = JsonDocument.Parse(stdout.ToString());
        JsonElement solana = report.RootElement.GetProperty("solana");
        JsonElement conservation = solana.GetProperty("conservation");
        Assert.That(conservation.GetProperty("ok").GetBoolean(), Is.True);
        Assert.That(conservation.GetProperty("sumOfHoldersBaseUnits").GetString(), Is.EqualTo(conservation.GetProperty("supplyAfterBaseUnits").GetString()));
        Assert.That(BigInteger.Parse(conservation.GetProperty("supplyBeforeBaseUnits").GetString()!) - BigInteger.Parse(solana.GetProperty("burnedBaseUnits").GetString()!),
            Is.EqualTo(BigInteger.Parse(conservation.GetProperty("supplyAfterBaseUnits").GetString()!)), "the supply fell by exactly the burns");
        Assert.That(conservation.GetProperty("holders").GetInt32(), Is.GreaterThanOrEqualTo(8), "the eight genesis vaults at least");
        Assert.That(solana.GetProperty("programId").GetString(), Is.EqualTo(SolanaLocalnetInfo.Load(solana.GetProperty("deployment").GetString()!).ProgramId));

        // The swarm through SolanaNetwork, read back from the program's accounts and transactions.
        Assert.That(solana.GetProperty("agents").GetInt32(), Is.EqualTo(11), "11 agent accounts");
        Assert.That(solana.GetProperty("activeAgents").GetInt32(), Is.EqualTo(11), "all attested (the authority approved the swarm's attestor)");
        Assert.That(solana.GetProperty("swarm").GetProperty("submitted").GetInt32(), Is.EqualTo(2));
        Assert.That(solana.GetProperty("tasks").EnumerateObject().Sum(p => p.Value.GetInt32()), Is.EqualTo(2), "2 task accounts");
        Assert.That(BigInteger.Parse(solana.GetProperty("burnedBaseUnits").GetString()!), Is.GreaterThan(BigInteger.Zero), "the registration fees were burned");
        var units = solana.GetProperty("computeUnits").EnumerateArray().ToDictionary(c => c.GetProperty("instruction").GetString()!, c => c);
        Assert.That(units.Keys, Is.SupersetOf(new[] { "set_attestor", "attest", "stake", "submit_task", "bid", "post_result", "commit_vote", "reveal_vote" }),
            "compute units of every instruction the swarm sent");
        Assert.That(units.Keys, Is.SupersetOf(new[] { "assign_task", "fix_seed", "draw_seat", "settle_task" }), "and of the Solana keeper's, in the same report");
        Assert.That(solana.GetProperty("settled").GetInt32(), Is.EqualTo(2), $"both tasks settled by the Solana keeper after the swarm's round:\n{log}");
        Assert.That(log, Does.Contain("solana keepers running"));
        Assert.That(log, Does.Contain("solana swarm: round 1: the clock moved 01:00:01 past the bidding window"), "the warp is said");
        Assert.That(units.Keys.Count(k => k.StartsWith("register_agent", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(units.Where(kv => kv.Key.StartsWith("register_agent", StringComparison.Ordinal)).Single().Value.GetProperty("transactions").GetInt32(), Is.EqualTo(11));
        Assert.That(units["attest"].GetProperty("transactions").GetInt32(), Is.EqualTo(11));
        Assert.That(units["submit_task"].GetProperty("transactions").GetInt32(), Is.EqualTo(2));
        Assert.That(units["assign_task"].GetProperty("transactions").GetInt32(), Is.EqualTo(2), "one assignment per task");
        Assert.That(units.Values.All(u => u.GetProperty("units").GetInt64() > 0), Is.True, "every transaction consumed compute units");
        Assert.That(solana.GetProperty("failedTransactions").GetInt32(), Is.Zero);
    }

    [Test, Category("Anvil")]
    public async Task Up_ChainBoth_RunsBothSidesSideBySide_OneReport_KeepersInOneHost_AndLeavesNothingRunning()
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderrBuffer = new StringBuilder();
        TextWriter stderr = TextWriter.Synchronized(new StringWriter(stderrBuffer) { NewLine = "\n" });
        Task<int> run = Task.Run(() => Program.Run(["localnet", "up", "--chain", "both", "--solana-port", "0", "--port", "0", "--dashboard-port", "0", "--agents", "12",
            "--tasks", "2", "--until-settled", "2", "--no-governance", "--dir", _dir, "--json"], stdout, stderr, new StringReader("")));
        Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(6)));
        Assert.That(finished, Is.SameAs(run), "localnet up --chain both ended by itself within 6 minutes");
        int code = await run;
        string log = stderrBuffer.ToString();
        TestContext.Out.WriteLine(log);
        Assert.That(code, Is.EqualTo(0), log);
        Assert.That(log, Does.Contain("and the Solana keeper in the same host"), "one keeper host for both chains");
        Assert.That(log, Does.Contain("swarm of 12 agents running").And.Contain("solana swarm: round 1: 2 settled"), "both swarms ran");

        using JsonDocument report = JsonDocument.Parse(stdout.ToString());
        JsonElement r = report.RootElement;
        Assert.That(r.GetProperty("conservation").GetProperty("ok").GetBoolean(), Is.True, "EVM conserved");
        Assert.That(r.GetProperty("settled").GetInt32(), Is.GreaterThanOrEqualTo(2), "EVM tasks settled");
        JsonElement solana = r.GetProperty("solana");
        Assert.That(solana.GetProperty("conservation").GetProperty("ok").GetBoolean(), Is.True, "Solana conserved");
        Assert.That(solana.GetProperty("settled").GetInt32(), Is.EqualTo(2), "Solana tasks settled by the Solana keeper in the shared host");
        Assert.That(solana.GetProperty("agents").GetInt32(), Is.EqualTo(12));

        int solanaPid = int.Parse(Regex.Match(log, @"localnet: solana http://127\.0\.0\.1:[0-9]+/ \(pid ([0-9]+)\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(LocalnetCommand.IsRunning(solanaPid), Is.False, "the Solana server is gone");
        Assert.That(LocalnetCommand.ChildAnvils(), Is.Empty, "no anvil left");
        Assert.That(log, Does.Contain("stopped: swarm, keepers, dashboard, anvil"));
    }

    [Test]
    public async Task Up_ChainSolana_AsAProcess_StopsOnSigterm_PrintsTheReport_AndItsServerIsGone()
    {
        using CliProcess up = CliProcess.Start(_dir, "localnet", "up", "--chain", "solana", "--solana-port", "0", "--agents", "11", "--dir", _dir);
        Assert.That(await up.WaitForStderrAsync("solana swarm: round 1: 2 tasks submitted", TimeSpan.FromMinutes(3)), Is.True,
            $"the swarm started its first round (no --tasks: it runs until stopped): {up.Stderr}");
        await up.SignalAsync("-TERM");
        Assert.That(await up.WaitForExitAsync(TimeSpan.FromMinutes(2)), Is.True, "it stopped within 2 minutes of SIGTERM");
        string log = up.Stderr;
        Assert.That(up.Process.ExitCode, Is.EqualTo(0), log);
        Assert.That(log, Does.Contain("localnet: stopping (signal received)"));
        Assert.That(log, Does.Contain("stopping (Ctrl-C): reading the closing report"));
        int pid = int.Parse(Regex.Match(log, @"localnet: solana http://127\.0\.0\.1:[0-9]+/ \(pid ([0-9]+)\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(log, Does.Contain($"solana: the localnet server (pid {pid}) stopped"));
        Assert.That(LocalnetCommand.IsRunning(pid), Is.False, "the server is gone");
        Assert.That(await up.Stdout, Does.Contain("ACC conservation OK"), "the report was printed after the stop");
    }

    [Test]
    public async Task Up_ChainSolana_StopsAServerAKilledCommandLeftRunning()
    {
        string solanaDir = Path.Combine(_dir, "solana");
        // What a kill -9 of `up` leaves: the server running and its pid file.
        SolanaLocalnetNode orphan = await SolanaLocalnetNode.StartAsync(SolanaOracle.Root, solanaDir, 0, CancellationToken.None);
        int pid = orphan.Pid;
        try
        {
            Assert.That(SolanaLocalnetNode.IsOurServer(pid, solanaDir), Is.True, "the pid is recognised as this directory's server");
            Assert.That(SolanaLocalnetNode.IsOurServer(pid, Path.Combine(_dir, "other")), Is.False, "not another directory's");
            Assert.That(SolanaLocalnetNode.IsOurServer(Environment.ProcessId, solanaDir), Is.False, "nor another process");

            CliResult r = Cli.Run("localnet", "up", "--chain", "solana", "--solana-port", "0", "--agents", "11", "--tasks", "1", "--dir", _dir);
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
            Assert.That(r.Stderr, Does.Contain($"stopped a Solana localnet server left running by an earlier up on {_dir} (pid {pid})"));
            Assert.That(LocalnetCommand.IsRunning(pid), Is.False, "the orphan is gone");
            Assert.That(r.Stdout, Does.Contain("ACC conservation OK"), "the text report");
        }
        finally
        {
            await orphan.DisposeAsync();
        }
    }

    [Test]
    public async Task Report_ReadsComputeUnitsAndConservation_AsSolanaKitSeesThem()
    {
        await using SolanaLocalnetNode node = await SolanaLocalnetNode.StartAsync(SolanaOracle.Root, Path.Combine(_dir, "solana"), 0, CancellationToken.None);
        using var rpc = new SolanaRpcClient(node.RpcUrl);
        var programId = new AgentCluster.Solana.PublicKey(node.Info.ProgramId);
        var mint = new AgentCluster.Solana.PublicKey(node.Info.Mint);
        BigInteger before = await SolanaNetworkReport.ReadSupplyAsync(rpc, mint);
        Assert.That(before, Is.EqualTo(BigInteger.Pow(10, 18)), "the genesis supply: 10^9 ACC of 9 decimals");

        (string _, long units1) = await SolanaOracle.SetAttestorAsync(node);
        (string _, long units2) = await SolanaOracle.SetAttestorAsync(node);
        string owner = new SolanaSwarmHost(rpc, 7, Path.Combine(_dir, "keys"), (_, _) => throw new NotSupportedException(), (_, _) => throw new NotSupportedException())
            .Files("someone").Address;
        await rpc.FundAccAsync(new AgentCluster.Solana.PublicKey(owner), 5_000_000_000);

        SolanaNetworkReport r = await SolanaNetworkReport.ReadAsync(rpc, programId, mint, before);
        ComputeStage stage = r.ComputeUnits.Single(c => c.Instruction == "set_attestor");
        Assert.That(stage.Transactions, Is.EqualTo(2), "both set_attestor transactions are found through getSignaturesForAddress");
        Assert.That(stage.Units, Is.EqualTo(units1 + units2), "their computeUnitsConsumed, as @solana/kit read them");
        Assert.That(stage.MaxUnits, Is.EqualTo(Math.Max(units1, units2)));
        Assert.That(r.ComputeUnits.Select(c => c.Instruction), Is.EquivalentTo(new[] { "set_attestor" }), "nothing else named the program");
        Assert.That(r.FailedTransactions, Is.Zero);
        Assert.That(r.Conserved, Is.True);
        Assert.That(r.Holders, Is.EqualTo(9), "the eight vaults and the owner's new associated token account");
        Assert.That(r.SumOfHolders, Is.EqualTo(r.SupplyAfter));
        Assert.That(r.Burned, Is.EqualTo(BigInteger.Zero), "set_attestor and localnet_fundAcc burn nothing");
        Assert.That(r.Tasks, Is.Empty);
        Assert.That(r.Slashes, Is.Zero);
        (ulong _, ulong acc) = await SolanaOracle.BalancesAsync(node, owner);
        Assert.That(acc, Is.EqualTo(5_000_000_000UL), "localnet_fundAcc's ACC, read by @solana/kit");
    }

    [Test]
    public async Task ApproveAttestor_TheAuthoritysSetAttestor_ApprovesTheKey_OnChain()
    {
        await using SolanaLocalnetNode node = await SolanaLocalnetNode.StartAsync(SolanaOracle.Root, Path.Combine(_dir, "solana"), 0, CancellationToken.None);
        using var rpc = new SolanaRpcClient(node.RpcUrl);
        var attestorKey = AgentCluster.Solana.Keys.Account.Generate().PublicKey;
        var programId = new AgentCluster.Solana.PublicKey(node.Info.ProgramId);
        var mint = new AgentCluster.Solana.PublicKey(node.Info.Mint);
        var attestorPda = AgentCluster.Solana.Programs.AgentClusterProgram.AttestorAddress(programId, attestorKey);
        Assert.That((await rpc.GetAccountInfoAsync(attestorPda, Commitment.Confirmed)).Value, Is.Null, "no attestor record before");

        string signature = await LocalnetSolanaSdk.ApproveAttestorAsync(node, attestorKey, CancellationToken.None);

        byte[]? data = (await rpc.GetAccountInfoAsync(attestorPda, Commitment.Confirmed)).Value?.Data;
        Assert.That(data, Is.Not.Null, "set_attestor created the attestor record");
        Assert.That(data![0], Is.EqualTo(3), "an attestor record (AC_DISC_ATTESTOR)");
        Assert.That(data[3], Is.EqualTo(1), "approved");
        Assert.That(AgentCluster.Solana.Base58.Encode(data.AsSpan(8, 32)), Is.EqualTo(attestorKey.Key), "for the key asked");
        SolanaNetworkReport r = await SolanaNetworkReport.ReadAsync(rpc, programId, mint, await SolanaNetworkReport.ReadSupplyAsync(rpc, mint));
        Assert.That(r.ComputeUnits.Single().Instruction, Is.EqualTo("set_attestor"), $"the one transaction {signature} named the program");
    }

    [Test]
    public void Report_Conserved_IsFalse_WhenHoldersDoNotAddUpToTheSupply_OrTheSupplyGrew()
    {
        SolanaNetworkReport ok = Report(supplyBefore: 100, supplyAfter: 90, sum: 90);
        Assert.That(ok.Conserved, Is.True);
        Assert.That(ok.Burned, Is.EqualTo(new BigInteger(10)));
        Assert.That(Report(100, 90, 89).Conserved, Is.False, "a holder's unit missing");
        Assert.That(Report(100, 101, 101).Conserved, Is.False, "a supply that grew (the mint has no authority after genesis)");

        static SolanaNetworkReport Report(BigInteger supplyBefore, BigInteger supplyAfter, BigInteger sum) => new()
        {
            ProgramId = "p", Tasks = new Dictionary<string, int> { ["Accepted"] = 3, ["Rejected"] = 1, ["Bidding"] = 2 }, Agents = 0, ActiveAgents = 0, Slashes = 0,
            Appeals = 0, ComputeUnits = [], FailedTransactions = 0, SupplyBefore = supplyBefore, SupplyAfter = supplyAfter, SumOfHolders = sum, Holders = 1,
        };
    }

    [TestCase(new byte[] { 21, 1, 2 }, "bid")]
    [TestCase(new byte[] { 19, 1 }, "vote")]
    [TestCase(new byte[] { 19, 2 }, "execute_proposal")]
    [TestCase(new byte[] { 41, 0 }, "reserve_task")]
    [TestCase(new byte[] { 200 }, "tag200")]
    public void InstructionName_FollowsTheProgramsTags(byte[] data, string name) =>
        Assert.That(SolanaNetworkReport.InstructionName(data), Is.EqualTo(name));

    [Test]
    public async Task SwarmHost_FundsWithSolAndAcc_MovesTheClock_AndWritesKeypairsSolanaKitReads()
    {
        await using SolanaLocalnetNode node = await SolanaLocalnetNode.StartAsync(SolanaOracle.Root, Path.Combine(_dir, "solana"), 0, CancellationToken.None);
        using var rpc = new SolanaRpcClient(node.RpcUrl);
        var host = new SolanaSwarmHost(rpc, 3, Path.Combine(_dir, "swarm"), (_, _) => throw new NotSupportedException(), (_, _) => throw new NotSupportedException());
        SolanaParticipantFiles a = host.Files("owner-0"), again = host.Files("owner-0"), b = host.Files("owner-1");
        Assert.That(again.Address, Is.EqualTo(a.Address), "the same seed and role give the same key");
        Assert.That(b.Address, Is.Not.EqualTo(a.Address));
        Assert.That(await SolanaOracle.KeypairAddressAsync(a.KeypairPath), Is.EqualTo(a.Address), "@solana/kit reads the file and derives the same address");
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(a.KeypairPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "the secret is the user's only");
        }

        await host.FundAsync(new AccountOnly(a.Address), 1_234_000_000_000, CancellationToken.None);
        (ulong lamports, ulong acc) = await SolanaOracle.BalancesAsync(node, a.Address);
        Assert.That(lamports, Is.EqualTo(SolanaSwarmHost.Lamports));
        Assert.That(acc, Is.EqualTo(1_234_000_000_000UL));

        long t0 = (await rpc.WarpTimeAsync(1)).UnixTimestamp;
        await host.AdvanceClockAsync(TimeSpan.FromHours(1), CancellationToken.None);
        long t1 = (await rpc.WarpTimeAsync(1)).UnixTimestamp;
        Assert.That(t1 - t0, Is.GreaterThanOrEqualTo(3600 + 1), "the clock moved an hour (and the second warp's second)");
        Assert.That(t1 - t0, Is.LessThan(3600 + 1 + 120), "and not much more (the wall clock only)");
    }

    /// <summary>A participant the host only funds: its address, nothing else.</summary>
    private sealed class AccountOnly(string account) : IAgentClusterNetwork
    {
        public NetworkKind Kind => NetworkKind.Solana;

        public string Name => "solana:test";

        public string Account { get; } = account;

        public int AccDecimals => 9;

        public INetworkAgents Agents => throw new NotSupportedException();

        public INetworkStaking Staking => throw new NotSupportedException();

        public INetworkTasks Tasks => throw new NotSupportedException();

        public INetworkReviews Reviews => throw new NotSupportedException();

        public Task<DateTimeOffset> ChainTimeAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<BigInteger> GetAccBalanceAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
