using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Testing;
using Nethereum.Hex.HexTypes;

namespace AgentCluster.Cli.Tests.Gov;

/// <summary><c>agentcluster gov</c> against anvil: a proposal from a file to execution with the CLI alone, and its refusals.</summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class GovCommandTests
{
    private AgentClusterSuite _suite = null!;
    private string _dir = null!;
    private string _manifest = null!;
    private string? _savedKey;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _suite = await AgentClusterSuite.StartAsync();
        _dir = Directory.CreateTempSubdirectory("agentcluster-gov-").FullName;
        _manifest = Path.Combine(_dir, "manifest.json");
        var m = _suite.Manifest;
        File.WriteAllText(_manifest, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }));
        await _suite.ReleaseEmissionsAsync(TimeSpan.FromDays(25)); // the deployer's ACC: above the 10M quorum floor
        _savedKey = Environment.GetEnvironmentVariable("AGENTCLUSTER_PRIVATE_KEY");
        Environment.SetEnvironmentVariable("AGENTCLUSTER_PRIVATE_KEY", AnvilAccounts.PrivateKeys[0]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Environment.SetEnvironmentVariable("AGENTCLUSTER_PRIVATE_KEY", _savedKey);
        await _suite.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private CliResult Gov(params string[] args) =>
        Cli.Run(["gov", .. args, "--rpc-url", _suite.Node.RpcUrl.ToString(), "--manifest", _manifest, "--journal", Path.Combine(_dir, "journal.db")]);

    private async Task WarpAsync(BigInteger seconds)
    {
        await _suite.Web3.Client.SendRequestAsync<string>("evm_increaseTime", null, new HexBigInteger(seconds));
        await _suite.Web3.Client.SendRequestAsync<string>("evm_mine");
    }

    private string ProposalFile(string spender, int amount)
    {
        string path = Path.Combine(_dir, $"proposal-{amount}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            description = $"Let {spender} spend {amount} wei of the timelock's ACC",
            calls = new[] { new { target = "AccToken", function = "approve(address spender, uint256 amount)", args = new object[] { spender, amount } } },
        }));
        return path;
    }

    [Test]
    public async Task A_proposal_goes_from_file_to_execution_with_the_cli_alone()
    {
        string spender = AnvilAccounts.Addresses[6];
        string file = ProposalFile(spender, 777);
        Assert.That(Gov("delegate", AnvilAccounts.Addresses[0]).Output, Does.StartWith("delegated the votes of"));
        await WarpAsync(1);

        string dry = Gov("propose", "--file", file, "--dry-run").Output;
        Assert.That(dry, Does.Match(@"^proposal \d+: (standard \(simple majority\)|critical \(needs 2/3 of the votes cast\)), 1 call\(s\)$"));

        using JsonDocument sent = JsonDocument.Parse(Gov("propose", "--file", file, "--json").Output);
        string id = sent.RootElement.GetProperty("id").GetString()!;
        Assert.That(sent.RootElement.GetProperty("sent").GetBoolean(), Is.True);
        Assert.That(dry, Does.StartWith($"proposal {id}:"), "the dry run named the id the proposal got");
        Assert.That(sent.RootElement.GetProperty("critical").GetBoolean(), Is.EqualTo(dry.Contains("critical")));

        CliResult early = Gov("vote", id, "for");
        Assert.That((early.ExitCode, early.Stderr), Is.EqualTo((1, $"agentcluster gov vote: Proposal {id} is Pending; only an Active proposal takes votes.\n")));

        var governor = new AgentCluster.Evm.Bindings.AgentClusterGovernor.AgentClusterGovernorService(_suite.Web3, _suite.Manifest.AddressOf("Governor"));
        await WarpAsync(await governor.VotingDelayQueryAsync() + 1);
        Assert.That(Gov("vote", id, "for", "--reason", "fine").Output, Does.StartWith($"voted for on {id}"));
        await WarpAsync(await governor.VotingPeriodQueryAsync() + 1);
        Assert.That(Gov("queue", "--file", file).Output, Does.StartWith($"queued {id}"));
        CliResult tooSoon = Gov("execute", "--file", file);
        Assert.That(tooSoon.ExitCode, Is.EqualTo(1));
        Assert.That(tooSoon.Stderr, Does.Contain("timelock delay ends"));
        var timelock = new AgentCluster.Evm.Bindings.AgentClusterTimelock.AgentClusterTimelockService(_suite.Web3, _suite.Manifest.AddressOf("Timelock"));
        await WarpAsync(await timelock.GetMinDelayQueryAsync() + 1);
        Assert.That(Gov("execute", "--file", file).Output, Does.StartWith($"executed {id}"));

        var token = new AccTokenService(_suite.Web3, _suite.Manifest.AddressOf("AccToken"));
        Assert.That(await token.AllowanceQueryAsync(_suite.Manifest.AddressOf("Timelock"), spender), Is.EqualTo(new BigInteger(777)));
        Assert.That(Gov("status", id).Output, Does.Contain("state     Executed"));
        Assert.That(Gov("list").Output, Does.Contain($"{id}  Executed"));
    }

    [Test]
    public void Mistakes_are_refused_with_a_message_and_nothing_sent()
    {
        string bad = Path.Combine(_dir, "bad.json");
        File.WriteAllText(bad, """{"description": "x", "calls": [{"target": "NoSuchContract", "function": "f()"}]}""");
        CliResult unknown = Gov("propose", "--file", bad);
        Assert.That(unknown.ExitCode, Is.EqualTo(1));
        Assert.That(unknown.Stderr, Does.Contain("the manifest has no contract 'NoSuchContract'").And.Contain("AccToken"));

        CliResult missing = Cli.Run("gov", "status", "1", "--rpc-url", _suite.Node.RpcUrl.ToString(), "--manifest", Path.Combine(_dir, "none.json"));
        Assert.That((missing.ExitCode, missing.Stderr), Is.EqualTo((1, $"agentcluster gov status: --manifest: No deployment manifest at {Path.Combine(_dir, "none.json")} (scripts/deploy or scripts/localnet writes one; pass --manifest or set AGENTCLUSTER_MANIFEST).\n")));

        Environment.SetEnvironmentVariable("AGENTCLUSTER_TEST_BADKEY", "0xnotakey-secret");
        CliResult badKey = Gov("propose", "--file", ProposalFile(AnvilAccounts.Addresses[5], 1), "--private-key-env", "AGENTCLUSTER_TEST_BADKEY");
        Assert.That(badKey.ExitCode, Is.EqualTo(1));
        Assert.That(badKey.Stderr, Does.Contain("does not hold a private key").And.Not.Contain("secret"));

        CliResult wrongVote = Gov("vote", "1", "maybe");
        Assert.That(wrongVote.Stderr, Does.Contain("'maybe' is not a vote"));
    }
}
