using System.Numerics;
using System.Text.Json;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Staking;
using AgentCluster.Testing;

namespace AgentCluster.Cli.Tests.Agent;

/// <summary><c>agentcluster agent</c> against anvil: register, stake, unstake, withdraw, status, and every refusal with its message.</summary>
public sealed class AgentCommandTests : ChainTestBase
{
    private const int Owner = 1;
    private const int Stranger = 2;
    private const int Poor = 3; // holds no ACC
    private BigInteger _agentId;
    private string _agentAddress = null!;

    protected override async Task SetUpChainAsync()
    {
        await Suite.FundAsync(AnvilAccounts.Addresses[Owner], 100_000 * Acc);
        await Suite.FundAsync(AnvilAccounts.Addresses[Stranger], 100_000 * Acc);
        // One registered, attested agent of Owner for the refusal tests (registered through the CLI in the lifecycle test as well).
        (string variable, _agentAddress) = NewAgentKey();
        JsonElement r = Json(Run(Owner, "agent", "register", "--uri", "ipfs://fixture.json", "--agent-key-env", variable, "--json"));
        _agentId = BigInteger.Parse(r.GetProperty("agentId").GetString()!);
        await using AgentClusterClient client = await ClientAsync(Owner);
        await AttestAsync(client, _agentId);
        Ok(Run(Owner, "agent", "stake", _agentId.ToString(), "100"));
    }

    [Test]
    public async Task An_agent_goes_through_register_stake_unstake_withdraw_with_the_cli_alone()
    {
        await using AgentClusterClient client = await ClientAsync(Owner);
        RegistrationTerms terms = await client.Agents.GetTermsAsync();
        BigInteger before = await client.Contracts.Token.BalanceOfQueryAsync(AnvilAccounts.Addresses[Owner]);
        (string variable, string agentKey) = NewAgentKey();

        CliResult registered = Run(Owner, "agent", "register", "--uri", "ipfs://agent.json", "--capabilities", "0x5", "--agent-key-env", variable, "--json");
        JsonElement r = Json(registered);
        BigInteger id = AgentsClient.AgentIdOf(agentKey);
        Assert.That(r.GetProperty("agentId").GetString(), Is.EqualTo(id.ToString()), "the agent id is the agent key's address as a number");
        Assert.That(r.GetProperty("owner").GetString(), Is.EqualTo(AnvilAccounts.Addresses[Owner]));
        Assert.That(r.GetProperty("bond").GetString(), Is.EqualTo(terms.Bond.ToString()));
        Assert.That(registered.Stderr, Does.Match(@"waiting for confirmation of 0x[0-9a-f]{64} \(nonce \d+\)\.\.\.\n0x[0-9a-f]{64} confirmed in block \d+"),
            "progress goes to stderr, the JSON alone to stdout");
        Assert.That(await client.Contracts.Token.BalanceOfQueryAsync(AnvilAccounts.Addresses[Owner]), Is.EqualTo(before - terms.Bond - terms.RegistrationFee));

        BigInteger nonce = await NonceAsync(Owner);
        AssertRefused(Run(Owner, "agent", "register", "--uri", "ipfs://again.json", "--agent-key-env", variable),
            $"agentcluster agent register: The agent key {agentKey} is already registered as agent {id} (status Pending); a key registers once, ever.");
        Assert.That(await NonceAsync(Owner), Is.EqualTo(nonce), "nothing sent");

        string pending = Ok(Run(null, "agent", "status", agentKey));
        Assert.That(pending, Does.Contain($"agent        {id}").And.Contain("status       Pending").And.Contain("capabilities 0x5")
            .And.Contain($"bond         {Chain.ChainInput.FormatAcc(terms.Bond)} ACC").And.Contain("attestation  none"));

        AgentAttestation attestation = await AttestAsync(client, id);
        CliResult staked = Run(Owner, "agent", "stake", agentKey, "1500.5");
        Assert.That(Ok(staked), Does.Match($@"^staked 1500\.5 ACC on agent {id}; stake now 1500\.5 ACC \(transaction 0x[0-9a-f]{{64}}\)$"));
        Assert.That(await client.Staking.GetStakeAsync(id), Is.EqualTo(1500 * Acc + Acc / 2));

        string unstaked = Ok(Run(Owner, "agent", "unstake", id.ToString(), "0.5"));
        PendingUnstake unbonding = await client.Staking.GetPendingUnstakeAsync(id);
        Assert.That(unbonding.Amount, Is.EqualTo(Acc / 2));
        Assert.That(unstaked, Does.StartWith($"unstaking 0.5 ACC of agent {id}; 0.5 ACC withdrawable from {Chain.ChainInput.Show(unbonding.UnlocksAt)}"));

        JsonElement status = Json(Run(null, "agent", "status", id.ToString(), "--json"));
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("Active"));
        Assert.That(status.GetProperty("stake").GetString(), Is.EqualTo((1500 * Acc).ToString()), "uint256 values are decimal strings of wei");
        Assert.That(status.GetProperty("unbonding").GetString(), Is.EqualTo((Acc / 2).ToString()));
        Assert.That(status.GetProperty("withdrawableAt").GetString(), Is.EqualTo(unbonding.UnlocksAt!.Value.ToUnixTimeSeconds().ToString()));
        Assert.That(status.GetProperty("attestation").GetProperty("expiresAt").GetString(), Is.EqualTo(attestation.ExpiresAt.ToString()));
        Assert.That(status.GetProperty("reputation").GetProperty("compute").GetString(), Is.EqualTo((await client.Reputation.GetAsync(id)).Compute.ToString()));

        CliResult early = Run(Owner, "agent", "withdraw", id.ToString());
        AssertRefused(early, $"agentcluster agent withdraw: Execution reverted with StillUnbonding(");
        Assert.That(early.Stderr, Does.Contain(unbonding.UnlocksAt.Value.ToUnixTimeSeconds().ToString()), "the revert's argument: when it unlocks");

        await WarpAsync(await client.Staking.GetUnbondingPeriodAsync() + TimeSpan.FromSeconds(1));
        BigInteger beforeWithdraw = await client.Contracts.Token.BalanceOfQueryAsync(AnvilAccounts.Addresses[Owner]);
        Assert.That(Ok(Run(Stranger, "agent", "withdraw", agentKey)), Does.StartWith($"withdrew 0.5 ACC of agent {id} to {AnvilAccounts.Addresses[Owner]}"));
        Assert.That(await client.Contracts.Token.BalanceOfQueryAsync(AnvilAccounts.Addresses[Owner]), Is.EqualTo(beforeWithdraw + Acc / 2));

        JsonElement mine = Json(Run(Owner, "agent", "status", "--json"));
        Assert.That(mine.EnumerateArray().Select(a => a.GetProperty("agentId").GetString()), Is.EquivalentTo(new[] { _agentId.ToString(), id.ToString() }),
            "without an agent: every agent the signer owns");
        Assert.That(Ok(Run(Poor, "agent", "status")), Is.EqualTo($"{AnvilAccounts.Addresses[Poor]} owns no agent"));
    }

    [TestCase("0x12", "<agent>: Address '0x12' has 2 hex digits; an address is exactly 40 (20 bytes).")]
    [TestCase("0xF39fd6e51aad88F6F4ce6aB8827279cffFb92266", "<agent>: Address '0xF39fd6e51aad88F6F4ce6aB8827279cffFb92266'")]
    [TestCase("0xzz9fd6e51aad88f6f4ce6ab8827279cfffb92266", "<agent>: Address '0xzz9fd6e51aad88f6f4ce6ab8827279cfffb92266' has a non-hex character 'z' at index 2.")]
    [TestCase("agent-7", "<agent>: 'agent-7' is not an agent: give the agent key's address (0x and 40 hex digits) or the agent id in decimal.")]
    [TestCase("0", "<agent>: 0 is not a possible agent id (an agent id is its key's address as a number: 1 .. 2^160-1).")]
    [TestCase("1461501637330902918203684832716283019655932542976", "<agent>: 1461501637330902918203684832716283019655932542976 is not a possible agent id")]
    [TestCase("0x0000000000000000000000000000000000000000", "<agent>: the zero address is not an agent.")]
    [TestCase("0x00000000000000000000000000000000000000aa", "Agent 170 is not registered in the AgentRegistry of this deployment (statusOf is None).")]
    [TestCase("170", "Agent 170 is not registered in the AgentRegistry of this deployment (statusOf is None).")]
    public async Task A_bad_or_unknown_agent_is_refused_before_anything_is_sent(string agent, string message)
    {
        BigInteger nonce = await NonceAsync(Owner);
        foreach (string[] args in new[] { new[] { "agent", "stake", agent, "1" }, ["agent", "unstake", agent, "1"], ["agent", "withdraw", agent], ["agent", "status", agent], ["reputation", agent] })
        {
            AssertRefused(Run(Owner, args), $"agentcluster {string.Join(' ', args.Take(args[0] == "agent" ? 2 : 1))}: {message}");
        }

        Assert.That(await NonceAsync(Owner), Is.EqualTo(nonce), "nothing sent");
    }

    [TestCase("-5", "<amount>: '-5' is negative; an amount of ACC is positive.")]
    [TestCase("0", "<amount>: the amount is 0; give a positive amount of ACC.")]
    [TestCase("0.0", "<amount>: the amount is 0; give a positive amount of ACC.")]
    [TestCase("1.0000000000000000001", "<amount>: '1.0000000000000000001' has 19 decimals; ACC has 18 (1 wei = 0.000000000000000001 ACC).")]
    [TestCase("1e18", "<amount>: '1e18' is not an amount of ACC: write decimal ACC such as 1500 or 0.5 (no sign, exponent or unit).")]
    [TestCase("1,500", "<amount>: '1,500' is not an amount of ACC")]
    [TestCase("12 ACC", "<amount>: '12 ACC' is not an amount of ACC")]
    [TestCase(".", "<amount>: '.' is not an amount of ACC")]
    [TestCase("5.", "<amount>: '5.' is not an amount of ACC")]
    [TestCase("0x10", "<amount>: '0x10' is not an amount of ACC")]
    public async Task A_bad_amount_is_refused_before_anything_is_sent(string amount, string message)
    {
        BigInteger nonce = await NonceAsync(Owner);
        AssertRefused(Run(Owner, "agent", "stake", _agentId.ToString(), amount), $"agentcluster agent stake: {message}");
        AssertRefused(Run(Owner, "agent", "unstake", _agentId.ToString(), amount), $"agentcluster agent unstake: {message}");
        Assert.That(await NonceAsync(Owner), Is.EqualTo(nonce), "nothing sent");
    }

    [Test]
    public void The_smallest_amount_is_one_wei()
    {
        // 18 decimals are accepted: one wei of stake, exactly.
        string before = Json(Run(null, "agent", "status", _agentId.ToString(), "--json")).GetProperty("stake").GetString()!;
        Ok(Run(Owner, "agent", "stake", _agentId.ToString(), "0.000000000000000001"));
        Assert.That(Json(Run(null, "agent", "status", _agentId.ToString(), "--json")).GetProperty("stake").GetString(), Is.EqualTo((BigInteger.Parse(before) + 1).ToString()));
    }

    [Test]
    public async Task Reverts_are_shown_as_the_contract_error_with_its_arguments_and_cost_nothing()
    {
        BigInteger owner = await NonceAsync(Owner);
        BigInteger stranger = await NonceAsync(Stranger);
        AssertRefused(Run(Stranger, "agent", "unstake", _agentId.ToString(), "1"),
            $"agentcluster agent unstake: Execution reverted with NotAgentOwner(agentId: {_agentId}, caller: \"{AnvilAccounts.Addresses[Stranger]}\").\n");
        CliResult tooMuch = Run(Owner, "agent", "unstake", _agentId.ToString(), "1000000");
        AssertRefused(tooMuch, $"agentcluster agent unstake: Execution reverted with InsufficientStake(agentId: {_agentId}, available: ");
        Assert.That(tooMuch.Stderr, Does.Contain($"requested: {1_000_000 * Acc})."));
        AssertRefused(Run(Owner, "agent", "withdraw", _agentId.ToString()), "agentcluster agent withdraw: Execution reverted with NothingToWithdraw(");
        Assert.That((await NonceAsync(Owner), await NonceAsync(Stranger)), Is.EqualTo((owner, stranger)), "a revert is found by the estimate: nothing sent");
    }

    [Test]
    public async Task Sdk_checks_come_through_with_their_message()
    {
        BigInteger nonce = await NonceAsync(Poor);
        AssertRefused(Run(Poor, "agent", "stake", _agentId.ToString(), "1"), "agentcluster agent stake: Staking.StakeAsync needs 1000000000000000000 wei of ACC but the signer holds 0 wei.");
        (string variable, _) = NewAgentKey();
        AssertRefused(Run(Poor, "agent", "register", "--uri", "ipfs://x", "--agent-key-env", variable), "agentcluster agent register: Agents.RegisterAsync needs");
        AssertRefused(Run(null, "agent", "stake", _agentId.ToString(), "1"),
            "agentcluster agent stake: this command sends a transaction and needs a signer: set $AGENTCLUSTER_PRIVATE_KEY, or give --private-key-env VAR or --keystore FILE.");
        Assert.That(await NonceAsync(Poor), Is.EqualTo(nonce));
    }

    [Test]
    public async Task Register_refuses_bad_input_before_anything_is_sent()
    {
        BigInteger nonce = await NonceAsync(Owner);
        (string variable, string address) = NewAgentKey();
        AssertRefused(Run(Owner, "agent", "register", "--uri", "ipfs://x", "--agent-key-env", "AGENTCLUSTER_CLI_TEST_UNSET"),
            "agentcluster agent register: --agent-key-env: $AGENTCLUSTER_CLI_TEST_UNSET is not set or empty: it must hold the agent's own key (or give --agent-keystore).");
        SetSecret("AGENTCLUSTER_CLI_TEST_BAD_AGENT", "0x1234secretsecret");
        AssertRefused(Run(Owner, "agent", "register", "--uri", "ipfs://x", "--agent-key-env", "AGENTCLUSTER_CLI_TEST_BAD_AGENT"),
            "agentcluster agent register: --agent-key-env: $AGENTCLUSTER_CLI_TEST_BAD_AGENT does not hold a private key (64 hex digits, 18 characters given); it is not printed.");
        AssertRefused(Run(Owner, "agent", "register", "--uri", " ", "--agent-key-env", variable), "agentcluster agent register: --uri: the registration file's URI is empty.");
        AssertRefused(Run(Owner, "agent", "register", "--uri", "ipfs://x", "--capabilities", "0x1g", "--agent-key-env", variable), "agentcluster agent register: --capabilities:");
        AssertRefused(Run(Owner, "agent", "register", "--uri", "ipfs://x", "--capabilities", "18446744073709551616", "--agent-key-env", variable),
            "agentcluster agent register: --capabilities: 18446744073709551616 is not a capability bitmask (0 .. 2^64-1).");
        AssertRefused(Run(Owner, "agent", "register", "--uri", "ipfs://x", "--capability-vector-hash", "0x1234", "--agent-key-env", variable),
            "agentcluster agent register: --capability-vector-hash: a hash is 32 bytes (0x and 64 hex digits), not 2.");
        AssertRefused(Run(Owner, "agent", "register", "--uri", "ipfs://x", "--agent-keystore", Path.Combine(Dir, "none.json")),
            $"agentcluster agent register: --agent-keystore: No keystore file at {Path.Combine(Dir, "none.json")}.");
        AssertRefused(Run(Owner, "agent", "register", "--agent-key-env", variable), "Option '--uri' is required.", ExitCodes.Usage);
        Assert.That(await NonceAsync(Owner), Is.EqualTo(nonce), "nothing sent");
        AssertRefused(Run(null, "agent", "status", address), $"Agent {AgentsClient.AgentIdOf(address)} is not registered", ExitCodes.BadInput);
    }

    /// <summary>Every chain command, with valid arguments: the connection problems must be reported the same way by each.</summary>
    private string[][] ChainCommands() =>
    [
        ["agent", "register", "--uri", "ipfs://x", "--agent-key-env", KeyVariable(8)],
        ["agent", "stake", _agentId.ToString(), "1"],
        ["agent", "unstake", _agentId.ToString(), "1"],
        ["agent", "withdraw", _agentId.ToString()],
        ["agent", "status", _agentId.ToString()],
        ["task", "submit", "--bounty", "10", "--spec-hash", "0x" + new string('1', 64)],
        ["task", "status", "1"],
        ["task", "list"],
        ["reputation", _agentId.ToString()],
    ];

    private CliResult RunWith(string[] command, params string[] connection) =>
        NoSecrets(Cli.Run([.. command, .. connection, "--journal", Path.Combine(Dir, "journal-conn.db")]));

    [Test]
    public async Task Connection_problems_are_reported_by_every_command_before_anything_is_sent()
    {
        BigInteger nonce = await NonceAsync(Owner);
        string rpc = Suite.Node.RpcUrl.ToString();
        string missing = Path.Combine(Dir, "missing.json");
        string otherChain = Path.Combine(Dir, "other-chain.json");
        var m = Suite.Manifest;
        File.WriteAllText(otherChain, JsonSerializer.Serialize(new { chainId = 5, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }));
        string keystore = Path.Combine(Dir, "owner.keystore.json");
        if (!File.Exists(keystore))
        {
            await AgentCluster.Sdk.Identity.AgentKey.FromPrivateKey(AnvilAccounts.PrivateKeys[Owner])
                .ExportKeystoreAsync(keystore, "right password", new AgentCluster.Sdk.Identity.KeystoreOptions { ScryptN = 1 << 10 });
        }

        SetSecret("AGENTCLUSTER_CLI_TEST_NOT_A_KEY", "0xnot-a-key-but-secret");
        SetSecret("AGENTCLUSTER_CLI_TEST_WRONG_PASSWORD", "wrong password");
        SetSecret("AGENTCLUSTER_CLI_TEST_RIGHT_PASSWORD", "right password");
        foreach (string[] command in ChainCommands())
        {
            string where = $"agentcluster {string.Join(' ', command.Take(command[0] == "reputation" ? 1 : 2))}: ";
            AssertRefused(RunWith(command, "--rpc-url", rpc, "--manifest", missing, "--private-key-env", KeyVariable(Owner)),
                where + $"--manifest: No deployment manifest at {missing} (scripts/deploy or scripts/localnet writes one; pass --manifest or set AGENTCLUSTER_MANIFEST).");
            AssertRefused(RunWith(command, "--rpc-url", "http://127.0.0.1:1", "--manifest", ManifestPath, "--private-key-env", KeyVariable(Owner)),
                where + "The node at 127.0.0.1 does not answer eth_chainId");
            AssertRefused(RunWith(command, "--rpc-url", "not a url", "--manifest", ManifestPath, "--private-key-env", KeyVariable(Owner)),
                where + "--rpc-url: 'not a url' is not an http(s) URL.");
            AssertRefused(RunWith(command, "--rpc-url", rpc, "--manifest", otherChain, "--private-key-env", KeyVariable(Owner)),
                where + "The node is on chain 31337 but the manifest is for chain 5: wrong RPC URL or wrong manifest.");
            AssertRefused(RunWith(command, "--rpc-url", rpc, "--manifest", ManifestPath, "--private-key-env", "AGENTCLUSTER_CLI_TEST_NOT_A_KEY"),
                where + "--private-key-env: $AGENTCLUSTER_CLI_TEST_NOT_A_KEY does not hold a private key (64 hex digits, 22 characters given); it is not printed.");
            AssertRefused(RunWith(command, "--rpc-url", rpc, "--manifest", ManifestPath, "--private-key-env", "AGENTCLUSTER_CLI_TEST_UNSET"),
                where + "--private-key-env: $AGENTCLUSTER_CLI_TEST_UNSET is not set or empty.");
            AssertRefused(RunWith(command, "--rpc-url", rpc, "--manifest", ManifestPath, "--keystore", keystore, "--password-env", "AGENTCLUSTER_CLI_TEST_WRONG_PASSWORD"),
                where + $"The password for the keystore {keystore} is wrong (the keystore's MAC does not match).");
            AssertRefused(RunWith(command, "--rpc-url", rpc, "--manifest", ManifestPath, "--keystore", keystore, "--password-env", "AGENTCLUSTER_CLI_TEST_UNSET"),
                where + "--password-env: $AGENTCLUSTER_CLI_TEST_UNSET is not set: it must hold the keystore's password (never given on the command line).");
            AssertRefused(RunWith(command, "--rpc-url", rpc, "--manifest", ManifestPath, "--keystore", Path.Combine(Dir, "nokeystore.json")),
                where + $"--keystore: No keystore file at {Path.Combine(Dir, "nokeystore.json")}.");
        }

        Assert.That(await NonceAsync(Owner), Is.EqualTo(nonce), "nothing sent");
        // The right password works: the keystore's account reads its agents, and signs a send.
        Assert.That(Ok(RunWith(["agent", "status"], "--rpc-url", rpc, "--manifest", ManifestPath, "--keystore", keystore, "--password-env", "AGENTCLUSTER_CLI_TEST_RIGHT_PASSWORD")),
            Does.Contain($"agent        {_agentId}"));
        Assert.That(Ok(RunWith(["agent", "stake", _agentId.ToString(), "2"], "--rpc-url", rpc, "--manifest", ManifestPath, "--keystore", keystore,
            "--password-env", "AGENTCLUSTER_CLI_TEST_RIGHT_PASSWORD")), Does.StartWith($"staked 2 ACC on agent {_agentId}"));
        Assert.That(await NonceAsync(Owner), Is.GreaterThan(nonce));
    }

    [TestCase("agent", "stake", "ACC to add, as decimal text: 1500, 0.5 (18 decimals at most).")]
    [TestCase("agent", "unstake", "ACC to move from active stake to unbonding, as decimal text: 1500, 0.5.")]
    [TestCase("task", "submit", "in ACC as decimal text (100, 0.5)")]
    [TestCase("agent", "register", "the key is never printed")]
    public void Help_states_the_unit_and_where_keys_come_from(string group, string command, string text)
    {
        CliResult help = Cli.Run(group, command, "--help");
        Assert.That(help.ExitCode, Is.EqualTo(0));
        Assert.That(help.Stdout.ReplaceLineEndings(" ").Replace("  ", " "), Does.Contain(text));
        Assert.That(help.Stdout, Does.Contain("--private-key-env").And.Contain("--keystore").And.Contain("--json"));
    }

    [TestCase(new[] { "agnet" }, "agentcluster: Unknown command 'agnet'. Did you mean 'agent'?")]
    [TestCase(new[] { "reputaton", "1" }, "agentcluster: Unknown command 'reputaton'. Did you mean 'reputation'?")]
    [TestCase(new[] { "tsak", "list" }, "agentcluster: Unknown command 'tsak'. Did you mean 'task'?")]
    [TestCase(new[] { "agent", "stkae", "1", "1" }, "agentcluster agent: Unknown command 'stkae'. Did you mean 'stake'?")]
    [TestCase(new[] { "agent", "unstak", "1", "1" }, "agentcluster agent: Unknown command 'unstak'. Did you mean 'unstake'?")]
    [TestCase(new[] { "task", "sumbit" }, "agentcluster task: Unknown command 'sumbit'. Did you mean 'submit'?")]
    [TestCase(new[] { "agent", "status", "1", "--jsn" }, "agentcluster agent status: Unknown option '--jsn'. Did you mean '--json'?")]
    [TestCase(new[] { "task", "list", "--limt", "3" }, "agentcluster task list: Unknown option '--limt'. Did you mean '--limit'?")]
    [TestCase(new[] { "agent", "register", "--uri", "x", "--rpc-ulr", "y" }, "agentcluster agent register: Unknown option '--rpc-ulr'. Did you mean '--rpc-url'?")]
    public void A_typo_gets_a_suggestion_and_exit_code_usage(string[] args, string message)
    {
        CliResult result = Cli.Run(args);
        Assert.That((result.ExitCode, result.Stdout), Is.EqualTo((ExitCodes.Usage, "")));
        Assert.That(result.Stderr.Split('\n')[0], Is.EqualTo(message));
    }
}
