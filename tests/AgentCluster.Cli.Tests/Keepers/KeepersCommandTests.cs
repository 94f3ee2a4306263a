namespace AgentCluster.Cli.Tests.Keepers;

/// <summary><c>agentcluster keepers run</c> refuses a bad configuration before anything runs, naming each bad setting (no node needed).</summary>
public sealed class KeepersCommandTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("keepers-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Run_WithABadConfigFile_ExitsNonZeroNamingEachBadSetting()
    {
        string manifest = Path.Combine(_dir, "manifest.json");
        File.WriteAllText(manifest, "{}");
        string config = Path.Combine(_dir, "appsettings.json");
        File.WriteAllText(config, $$"""
            { "AgentCluster": { "Keepers": {
                "RpcUrl": "ftp://x", "ManifestPath": "{{manifest.Replace("\\", "\\\\")}}", "PrivateKeyVariable": "AGENTCLUSTER_TEST_UNSET_KEEPER_KEY",
                "PollInterval": "00:00:00.001" } } }
            """);

        CliResult result = Cli.Run("keepers", "run", "--config", config);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.Stderr.TrimEnd('\n').Split('\n'), Is.EquivalentTo(new[]
        {
            "agentcluster keepers run: AgentCluster:Keepers:RpcUrl: 'ftp://x' is not an http(s) URL.",
            "agentcluster keepers run: AgentCluster:Keepers:PrivateKeyVariable: $AGENTCLUSTER_TEST_UNSET_KEEPER_KEY is not set or empty.",
            "agentcluster keepers run: AgentCluster:Keepers:PollInterval: 00:00:00.0010000 is outside 00:00:00.1000000 .. 00:10:00.",
        }));
    }

    [Test]
    public void Run_OptionsOverrideTheConfigFile_AndAreValidatedToo()
    {
        string config = Path.Combine(_dir, "appsettings.json");
        File.WriteAllText(config, """{ "AgentCluster": { "Keepers": { "RpcUrl": "ftp://from-file" } } }""");

        CliResult result = Cli.Run("keepers", "run", "--config", config, "--rpc-url", "http://127.0.0.1:1", "--manifest", Path.Combine(_dir, "none.json"),
            "--health-port", "0");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stderr, Does.Not.Contain("RpcUrl"), "the option replaced the file's bad URL");
        Assert.That(result.Stderr, Does.Contain($"agentcluster keepers run: AgentCluster:Keepers:ManifestPath: no file at '{Path.Combine(_dir, "none.json")}'."));
        Assert.That(result.Stderr, Does.Contain("agentcluster keepers run: AgentCluster:Keepers:HealthPort: 0 is not a TCP port (1 .. 65535)."));
    }

    [Test]
    public void Run_WithAMissingConfigFile_NamesTheOption()
    {
        CliResult result = Cli.Run("keepers", "run", "--config", Path.Combine(_dir, "nope.json"));
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stderr, Is.EqualTo($"agentcluster keepers run: --config: No settings file at {Path.Combine(_dir, "nope.json")}.\n"));
    }

    [Test]
    public void Run_WithAValueTheBinderCannotRead_NamesTheSetting()
    {
        CliResult result = Cli.Run("keepers", "run", "--poll-interval", "soon");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stderr, Does.Contain("'soon' at 'AgentCluster:Keepers:PollInterval'"));
    }

    [Test]
    public void Run_ThePeerAndTakeOverOptions_ReachTheSettingsAndAreValidated()
    {
        CliResult result = Cli.Run("keepers", "run", "--rpc-url", "http://127.0.0.1:1", "--peer", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
            "--peer", "0xnot", "--take-over-after", "00:00:01", "--index-db", "");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(result.Stderr, Does.Contain("agentcluster keepers run: AgentCluster:Keepers:Peers: '0xnot' is not an address (0x and 40 hex digits)."));
        Assert.That(result.Stderr, Does.Contain("agentcluster keepers run: AgentCluster:Keepers:TakeOverAfter: 00:00:01 is under two poll intervals (00:00:10)"));
        Assert.That(result.Stderr, Does.Contain("agentcluster keepers run: AgentCluster:Keepers:IndexDbPath: empty"));
    }
}
