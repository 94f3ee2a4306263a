using System.Buffers.Binary;
using System.Text.Json;
using AgentCluster.Cli.Localnet;
using AgentCluster.Solana.Rpc;
using AgentCluster.Swarm.Networks;

namespace AgentCluster.Cli.Tests.Solana;

/// <summary>
/// <c>agentcluster agent</c> and <c>task</c> with <c>--chain solana</c> against the real localnet server process: what the commands say is
/// compared with the program's accounts read by raw getProgramAccounts (and the keypair file with @solana/kit); the options of the
/// other chain and Solana's bounds are refused naming the argument, before anything is sent.
/// </summary>
[TestFixture, Category("Solana"), NonParallelizable]
public sealed class SolanaCliTests
{
    private string _dir = "";
    private SolanaLocalnetNode _node = null!;
    private SolanaRpcClient _rpc = null!;
    private string _owner = "";
    private string _ownerKeypair = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _dir = Directory.CreateTempSubdirectory("agentcluster-cli-solana-").FullName;
        _node = await SolanaLocalnetNode.StartAsync(SolanaOracle.Root, Path.Combine(_dir, "solana"), 0, CancellationToken.None);
        _rpc = new SolanaRpcClient(_node.RpcUrl);
        _ownerKeypair = Path.Combine(_dir, "owner.json");
        _owner = SolanaSwarmHost.WriteKeypairFile(_ownerKeypair, "cli-tests/owner");
        await _rpc.RequestAirdropAsync(new AgentCluster.Solana.PublicKey(_owner), 10_000_000_000);
        await _rpc.FundAccAsync(new AgentCluster.Solana.PublicKey(_owner), 100_000_000_000_000); // 100,000 ACC
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _rpc.Dispose();
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string[] Solana(params string[] args) =>
        [.. args, "--chain", "solana", "--deployment", _node.InfoPath, "--keypair", _ownerKeypair, "--rpc-url", _node.RpcUrl.ToString()];

    private static JsonElement Json(CliResult r)
    {
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }

    /// <summary>The program's account of <paramref name="discriminator"/> whose bytes at <paramref name="keyOffset"/> are <paramref name="key"/>, read raw.</summary>
    private async Task<byte[]> AccountAsync(byte discriminator, int keyOffset, string key)
    {
        var found = (await _rpc.GetProgramAccountsAsync(new AgentCluster.Solana.PublicKey(_node.Info.ProgramId), [
            ProgramAccountFilter.Memcmp(0, [discriminator]),
            ProgramAccountFilter.Memcmp(keyOffset, new AgentCluster.Solana.PublicKey(key).KeyBytes)], Commitment.Confirmed)).Value;
        Assert.That(found, Has.Count.EqualTo(1), $"one account with {key} at {keyOffset}");
        return found[0].Account.Data;
    }

    [Test]
    public async Task AgentRegisterStakeStatus_OnSolana_AsTheProgramsAgentAccountHasThem()
    {
        string agentKeypair = Path.Combine(_dir, "agent-1.json");
        JsonElement registered = Json(Cli.Run(Solana("agent", "register", "--uri", "ipfs://agent-1.json", "--capabilities", "0x5", "--agent-keypair", agentKeypair, "--json")));
        Assert.That(registered.GetProperty("created").GetBoolean(), Is.True, "a new agent key was written");
        string agent = registered.GetProperty("agent").GetString()!;
        Assert.That(await SolanaOracle.KeypairAddressAsync(agentKeypair), Is.EqualTo(agent), "the agent is the key in the file (@solana/kit reads it)");
        Assert.That(registered.GetProperty("owner").GetString(), Is.EqualTo(_owner));

        JsonElement staked = Json(Cli.Run(Solana("agent", "stake", agent, "1500.5", "--json")));
        Assert.That(staked.GetProperty("stake").GetString(), Is.EqualTo("1500500000000"), "1500.5 ACC in 9-decimal base units");

        JsonElement status = Json(Cli.Run(Solana("agent", "status", agent, "--json")));
        byte[] account = await AccountAsync(2, 40, agent); // ac_agent: the agent key at 40
        Assert.That(status.GetProperty("owner").GetString(), Is.EqualTo(AgentCluster.Solana.Base58.Encode(account.AsSpan(8, 32))), "owner at 8");
        Assert.That(status.GetProperty("capabilities").GetString(), Is.EqualTo(BinaryPrimitives.ReadUInt64LittleEndian(account.AsSpan(80, 8)).ToString()));
        Assert.That(status.GetProperty("stake").GetString(), Is.EqualTo(BinaryPrimitives.ReadUInt64LittleEndian(account.AsSpan(112, 8)).ToString()), "active stake at 112");
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("Pending"), "not attested yet");
        Assert.That(account[3], Is.Zero, "Pending on chain");

        CliResult again = Cli.Run(Solana("agent", "register", "--uri", "ipfs://agent-1.json", "--agent-keypair", agentKeypair));
        Assert.That(again.ExitCode, Is.EqualTo(ExitCodes.BadInput), "a key binds once");
        Assert.That(again.Stderr, Does.StartWith("agentcluster agent register: "));
        Assert.That(again.Stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");

        CliResult text = Cli.Run(Solana("agent", "status", agent));
        Assert.That(text.Stdout, Does.Contain($"owner        {_owner}").And.Contain("stake        1500.5 ACC"));
    }

    [Test]
    public async Task TaskSubmitStatusList_OnSolana_AsTheProgramsTaskAccountHasThem()
    {
        JsonElement submitted = Json(Cli.Run(Solana("task", "submit", "--bounty", "100", "--spec-hash", "0x" + new string('a', 64), "--deadline", "+2h",
            "--capabilities", "2", "--committee-size", "4", "--json")));
        string task = submitted.GetProperty("task").GetString()!;
        Assert.That(submitted.GetProperty("bounty").GetString(), Is.EqualTo("100000000000"));
        Assert.That(submitted.GetProperty("committeeSize").GetInt32(), Is.EqualTo(4));

        var tasks = (await _rpc.GetProgramAccountsAsync(new AgentCluster.Solana.PublicKey(_node.Info.ProgramId),
            [ProgramAccountFilter.Memcmp(0, [20])], Commitment.Confirmed)).Value;
        Assert.That(tasks.Select(t => t.PublicKey.Key), Does.Contain(task), "the printed task is a task account of the program");
        Assert.That(tasks.Single(t => t.PublicKey.Key == task).Account.Data[4], Is.Zero, "status Bidding on chain");

        JsonElement status = Json(Cli.Run(Solana("task", "status", task, "--json")));
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("Bidding"));
        Assert.That(status.GetProperty("stage").GetString(), Is.EqualTo("Submitted"));
        Assert.That(status.GetProperty("requester").GetString(), Is.EqualTo(_owner));
        Assert.That(status.GetProperty("fee").GetString(), Is.EqualTo(submitted.GetProperty("fee").GetString()));
        Assert.That(status.GetProperty("committee").GetArrayLength(), Is.Zero, "no committee before the draw");

        JsonElement list = Json(Cli.Run(Solana("task", "list", "--json")));
        Assert.That(list.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task").GetString()), Does.Contain(task), "open tasks include it");
        JsonElement other = Json(Cli.Run(Solana("task", "list", "--requester", "11111111111111111111111111111111", "--json")));
        Assert.That(other.GetProperty("tasks").GetArrayLength(), Is.Zero, "another requester has none");
    }

    [TestCase(new[] { "agent", "unstake", "x", "1" }, "--chain", "not available on Solana")]
    [TestCase(new[] { "agent", "withdraw", "x" }, "--chain", "not available on Solana")]
    [TestCase(new[] { "agent", "stake", "x", "1", "--manifest", "m.json" }, "--manifest", "EVM option")]
    [TestCase(new[] { "agent", "register", "--uri", "u", "--agent-key-env", "K" }, "--agent-key-env", "EVM option")]
    [TestCase(new[] { "agent", "register", "--uri", "u" }, "--agent-keypair", "needs the agent key's keypair file")]
    [TestCase(new[] { "task", "submit", "--bounty", "0.0000000001", "--spec-hash", "0x0000000000000000000000000000000000000000000000000000000000000001" }, "--bounty", "more than 9 decimals")]
    [TestCase(new[] { "task", "submit", "--bounty", "1", "--spec-hash", "0x0000000000000000000000000000000000000000000000000000000000000001", "--committee-size", "2" }, "--committee-size", "3..100")]
    [TestCase(new[] { "task", "submit", "--bounty", "1", "--spec-hash", "0x01", "--min-reputation", "5" }, "--min-reputation", "EVM option")]
    [TestCase(new[] { "task", "list", "--state", "settled" }, "--state", "only open tasks")]
    public void Solana_RefusesWhatItCannotDo_NamingTheArgument(string[] args, string named, string why)
    {
        CliResult r = Cli.Run(Solana(args));
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(r.Stderr, Does.Contain(named).And.Contain(why));
        Assert.That(r.Stdout, Is.Empty);
    }

    [TestCase("--deployment")]
    [TestCase("--keypair")]
    public void Evm_RefusesASolanaOption(string option)
    {
        CliResult r = Cli.Run("agent", "status", "0x0000000000000000000000000000000000000001", option, "x.json");
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(r.Stderr, Does.Contain(option).And.Contain("is for --chain solana"));
    }

    [Test]
    public void Solana_MissingDeploymentOrKeypair_AndAnUnknownChain_AreRefused()
    {
        CliResult noDeployment = Cli.Run("agent", "status", "x", "--chain", "solana", "--deployment", Path.Combine(_dir, "none.json"), "--keypair", _ownerKeypair);
        Assert.That(noDeployment.Stderr, Does.Contain("--deployment").And.Contain("no deployment file"));
        CliResult noKeypair = Cli.Run("agent", "status", "x", "--chain", "solana", "--deployment", _node.InfoPath, "--keypair", Path.Combine(_dir, "none.json"));
        Assert.That(noKeypair.Stderr, Does.Contain("--keypair").And.Contain("no keypair file"));
        CliResult cosmos = Cli.Run("task", "list", "--chain", "cosmos");
        Assert.That(cosmos.Stderr, Does.Contain("--chain").And.Contain("evm or solana"));
        Assert.That(new[] { noDeployment.ExitCode, noKeypair.ExitCode, cosmos.ExitCode }, Has.All.EqualTo(ExitCodes.BadInput));
    }
}
