using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Testing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Cli.Tests;

/// <summary>
/// One suite per fixture (deployed with anvil #6 as the approved attestor, as scripts/localnet does), its manifest in a temp directory,
/// and a runner that gives the CLI a key through an environment variable and checks that no output ever contains a key.
/// </summary>
[Category("Anvil"), NonParallelizable]
public abstract class ChainTestBase
{
    protected const int AttestorIndex = 6;
    protected static readonly BigInteger Acc = BigInteger.Pow(10, 18);

    private readonly List<string> _secrets = [];
    private readonly List<string> _variables = [];

    protected AgentClusterSuite Suite { get; private set; } = null!;

    protected string Dir { get; private set; } = null!;

    protected string ManifestPath { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartChainAsync()
    {
        Suite = await AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions
        {
            DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[AttestorIndex] },
        });
        Dir = Directory.CreateTempSubdirectory("agentcluster-cli-").FullName;
        ManifestPath = Path.Combine(Dir, "manifest.json");
        var m = Suite.Manifest;
        File.WriteAllText(ManifestPath, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }));
        for (int i = 0; i < 10; i++)
        {
            SetSecret(KeyVariable(i), AnvilAccounts.PrivateKeys[i]);
        }

        await SetUpChainAsync();
    }

    /// <summary>Per-fixture chain set-up, after the suite is up.</summary>
    protected virtual Task SetUpChainAsync() => Task.CompletedTask;

    [OneTimeTearDown]
    public async Task StopChainAsync()
    {
        foreach (string variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        await Suite.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>The variable holding anvil account <paramref name="index"/>'s key for the CLI.</summary>
    protected static string KeyVariable(int index) => $"AGENTCLUSTER_CLI_TEST_KEY_{index}";

    /// <summary>Puts a secret in an environment variable; every run checks that no output contains it.</summary>
    protected void SetSecret(string variable, string value)
    {
        Environment.SetEnvironmentVariable(variable, value);
        _variables.Add(variable);
        _secrets.Add(value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value);
    }

    /// <summary>A fresh agent key in a fresh variable: (variable, address).</summary>
    protected (string Variable, string Address) NewAgentKey()
    {
        AgentCluster.Sdk.Identity.AgentKey key;
        string hex;
        do
        {
            // Nethereum's Account drops a key's leading zero bytes: keep keys whose 64 digits it gives back whole.
            key = AgentCluster.Sdk.Identity.AgentKey.Generate();
            hex = key.ToAccount().PrivateKey.Replace("0x", "", StringComparison.OrdinalIgnoreCase);
        }
        while (hex.Length != 64);

        string variable = $"AGENTCLUSTER_CLI_TEST_AGENT_{_variables.Count}";
        SetSecret(variable, hex);
        return (variable, key.Address);
    }

    /// <summary>Runs the CLI against the suite as anvil account <paramref name="signer"/> (null: no key) and checks no key leaked.</summary>
    private protected CliResult Run(int? signer, params string[] args)
    {
        string[] connection = ["--rpc-url", Suite.Node.RpcUrl.ToString(), "--manifest", ManifestPath, "--journal", Path.Combine(Dir, $"journal-{signer}.db")];
        string[] key = signer is { } i ? ["--private-key-env", KeyVariable(i)] : [];
        return NoSecrets(Cli.Run([.. args, .. connection, .. key]));
    }

    /// <summary>Fails if stdout or stderr contains any secret put in the environment by this fixture (in any case).</summary>
    private protected CliResult NoSecrets(CliResult result)
    {
        foreach (string secret in _secrets)
        {
            Assert.That(result.Stdout + result.Stderr, Does.Not.Contain(secret).IgnoreCase, "a key was printed");
        }

        return result;
    }

    /// <summary>Asserts a failure: the exit code, nothing on stdout, and the one message on stderr.</summary>
    private protected static void AssertRefused(CliResult result, string message, int exitCode = ExitCodes.BadInput)
    {
        Assert.That((result.ExitCode, result.Stdout), Is.EqualTo((exitCode, "")), result.Stderr);
        Assert.That(result.Stderr, Does.Contain(message));
    }

    /// <summary>Stdout of a successful run (stderr may carry progress only).</summary>
    private protected static string Ok(CliResult result)
    {
        Assert.That(result.ExitCode, Is.EqualTo(0), $"exit {result.ExitCode}, stderr: {result.Stderr}");
        return result.Stdout.TrimEnd('\n');
    }

    private protected static JsonElement Json(CliResult result) => JsonDocument.Parse(Ok(result)).RootElement.Clone();

    protected Task<BigInteger> NonceAsync(int account) =>
        Suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(AnvilAccounts.Addresses[account], BlockParameter.CreatePending()).ContinueWith(t => t.Result.Value);

    protected async Task WarpAsync(TimeSpan by)
    {
        await Suite.Web3.Client.SendRequestAsync<string>("evm_increaseTime", null, new HexBigInteger((long)by.TotalSeconds));
        await Suite.Web3.Client.SendRequestAsync<string>("evm_mine");
    }

    protected async Task<ulong> ChainTimeAsync()
    {
        BlockWithTransactionHashes b = await Suite.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest());
        return (ulong)b.Timestamp.Value;
    }

    /// <summary>An SDK client signing as anvil account <paramref name="index"/> (test set-up and checks go through the SDK, not the CLI).</summary>
    protected Task<AgentClusterClient> ClientAsync(int index) => Suite.CreateClientAsync(index);

    /// <summary>Has the approved attestor (#6) attest <paramref name="agentId"/>: 8 cores, 16 GiB GPU, 500 tokens/s, valid 7 days.</summary>
    protected async Task<AgentAttestation> AttestAsync(AgentClusterClient client, BigInteger agentId, ulong nonce = 1)
    {
        ulong now = await ChainTimeAsync();
        var attestation = new AgentAttestation(agentId, Nethereum.Util.Sha3Keccack.Current.CalculateHash("measurement"u8.ToArray()), 8, 16 * 1024, 500,
            now + (ulong)TimeSpan.FromDays(7).TotalSeconds, nonce);
        byte[] signature = client.Agents.SignAttestation(attestation, new Secp256k1Signer(AnvilAccounts.PrivateKeys[AttestorIndex]));
        await client.Agents.SubmitAttestationAsync(attestation, signature);
        return attestation;
    }
}
