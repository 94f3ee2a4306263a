using System.Numerics;
using AgentCluster.Evm;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Evm.Bindings.AgentRegistry;
using AgentCluster.Evm.Bindings.Staking;
using AgentCluster.Evm.Signing;
using AgentCluster.Keepers.Indexing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Governance;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.Dashboard.Tests;

/// <summary>
/// A suite on anvil (account 9 attests), agents registered, attested and staked through the generated services (owner: account 2), tasks
/// submitted through the SDK (requester: account 1), and a <see cref="SuiteIndexer"/> following the chain into a temporary index file,
/// as the keeper host does.
/// </summary>
internal sealed class DashboardWorld : IAsyncDisposable
{
    public const int Requester = 1;
    public const int AgentOwner = 2;
    public const int Attestor = 9;
    public static readonly BigInteger Acc = BigInteger.Pow(10, 18);

    private readonly CancellationTokenSource _stop = new();
    private Task? _indexing;

    private DashboardWorld(AgentClusterSuite suite, string dir)
    {
        Suite = suite;
        Directory = dir;
        IndexPath = Path.Combine(dir, "index.db");
    }

    public AgentClusterSuite Suite { get; }

    public string Directory { get; }

    public string IndexPath { get; }

    public List<BigInteger> Agents { get; } = [];

    /// <summary>A proposal in its voting period, with the deployer's vote for it.</summary>
    public BigInteger ProposalId { get; private set; }

    public const string ProposalDescription = "Dashboard test: let account 7 spend 1 wei of the timelock's ACC";

    public static async Task<DashboardWorld> StartAsync(int agents, CancellationToken ct)
    {
        var options = new AgentClusterSuiteOptions
        {
            DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[Attestor] },
        };
        var world = new DashboardWorld(await AgentClusterSuite.StartAsync(options, ct), System.IO.Directory.CreateTempSubdirectory("dashboard-").FullName);
        try
        {
            await world.Suite.ReleaseEmissionsAsync(TimeSpan.FromDays(3), ct); // above the 1M ACC proposal threshold after funding
            await world.Suite.FundAsync(AnvilAccounts.Addresses[Requester], 5_000 * Acc, ct);
            await world.Suite.FundAsync(AnvilAccounts.Addresses[AgentOwner], 150_000 * Acc, ct);
            for (int i = 0; i < agents; i++)
            {
                await world.RegisterAgentAsync(i % 2 == 0 ? 0b1UL : 0b11UL, ct);
            }

            await world.ProposeAndVoteAsync(ct);
            var indexer = new SuiteIndexer(world.Suite.Web3, world.Suite.Manifest,
                new SuiteIndexerOptions { DatabasePath = world.IndexPath, PollInterval = TimeSpan.FromMilliseconds(200) });
            await indexer.IndexOnceAsync(ct); // the file exists and holds the set-up before the dashboard starts
            world._indexing = Task.Run(async () =>
            {
                using (indexer)
                {
                    await indexer.RunAsync(world._stop.Token);
                }
            }, CancellationToken.None);
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }

        return world;
    }

    /// <summary>The deployer (holding the released emissions) delegates to itself, proposes, and votes for once voting opens.</summary>
    private async Task ProposeAndVoteAsync(CancellationToken ct)
    {
        await using AgentClusterClient deployer = await Suite.CreateClientAsync(0, ct);
        await deployer.Governance.DelegateAsync(deployer.Address!, ct);
        await Suite.IncreaseTimeAsync(TimeSpan.FromSeconds(1));
        await Suite.MineAsync(1);
        var draft = new ProposalDraft([ProposalCall.Of(Suite.Manifest.AddressOf("AccToken"),
            new AgentCluster.Evm.Bindings.AccToken.ContractDefinition.ApproveFunction { Spender = AnvilAccounts.Addresses[7], Value = 1 })], ProposalDescription);
        ProposalSubmission sent = await deployer.Governance.ProposeAsync(draft, ct);
        await Suite.IncreaseTimeAsync(TimeSpan.FromSeconds((double)await deployer.Contracts.Governor.VotingDelayQueryAsync() + 1));
        await Suite.MineAsync(1);
        await deployer.Governance.VoteAsync(sent.Id, VoteType.For, "fine", ct);
        ProposalId = sent.Id;
    }

    public async Task<SubmittedTask> SubmitTaskAsync(string requirements, CancellationToken ct)
    {
        AgentClusterClient client = await Suite.CreateClientAsync(Requester, ct);
        return await client.Tasks.SubmitAsync(new TaskSubmission
        {
            RequirementsHash = Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(requirements)),
            Capabilities = 0b1,
            Bounty = 10 * Acc,
            Deadline = await Suite.ChainTimeAsync() + TimeSpan.FromDays(1),
            CommitteeSize = 10,
        }, ct);
    }

    /// <summary>Registers, attests (8 cores: the compute reputation) and stakes 1,000 ACC + 100 ACC per agent already there.</summary>
    public async Task<BigInteger> RegisterAgentAsync(ulong capabilities, CancellationToken ct)
    {
        AgentClusterWeb3 web3 = await Suite.CreateWeb3Async(AgentOwner, ct);
        var token = new AccTokenService(web3, Suite.Manifest.AddressOf("AccToken"));
        var registry = new AgentRegistryService(web3, Suite.Manifest.AddressOf("AgentRegistry"));
        var staking = new StakingService(web3, Suite.Manifest.AddressOf("Staking"));
        string owner = AnvilAccounts.Addresses[AgentOwner];
        var keySigner = new Secp256k1Signer(EthECKey.GenerateKey().GetPrivateKeyAsBytes().ToHex().PadLeft(64, '0'));
        BigInteger deadline = (await Suite.ChainTimeAsync()).ToUnixTimeSeconds() + 3600;
        BigInteger nonce = await registry.KeyNonceQueryAsync(keySigner.Address);
        byte[] digest = await registry.AgentKeyBindingDigestQueryAsync(keySigner.Address, owner, nonce, deadline);
        byte[] keySig = EthECDSASignature.CreateStringSignature(keySigner.SignHash(digest)).HexToByteArray();
        BigInteger bond = await registry.BondQueryAsync() + await registry.RegistrationFeeQueryAsync();
        Require(await token.ApproveRequestAndWaitForReceiptAsync(registry.ContractAddress, bond, ct));
        Require(await registry.RegisterRequestAndWaitForReceiptAsync(keySigner.Address, "ipfs://agent", capabilities, new byte[32], deadline, keySig, ct));
        BigInteger agentId = new(keySigner.Address.HexToByteArray(), isUnsigned: true, isBigEndian: true);

        var attestation = new AgentCluster.Evm.Bindings.Attestation
        {
            AgentId = agentId,
            MeasurementHash = Sha3Keccack.Current.CalculateHash("enclave"u8.ToArray()),
            CpuCores = 8,
            GpuMemoryMb = 16_384,
            TokensPerSecond = 100,
            ExpiresAt = (ulong)(await Suite.ChainTimeAsync()).ToUnixTimeSeconds() + 29 * 86_400,
            Nonce = 1,
        };
        byte[] attDigest = await registry.AttestationDigestQueryAsync(attestation);
        byte[] attSig = EthECDSASignature.CreateStringSignature(new Secp256k1Signer(AnvilAccounts.PrivateKeys[Attestor]).SignHash(attDigest)).HexToByteArray();
        Require(await registry.AttestRequestAndWaitForReceiptAsync(attestation, attSig, ct));
        BigInteger stake = (1_000 + 100 * Agents.Count) * Acc;
        Require(await token.ApproveRequestAndWaitForReceiptAsync(staking.ContractAddress, stake, ct));
        Require(await staking.StakeRequestAndWaitForReceiptAsync(agentId, stake, ct));
        Agents.Add(agentId);
        return agentId;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_indexing is not null)
        {
            try
            {
                await _indexing.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
        await Suite.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Require(TransactionReceipt receipt)
    {
        if (receipt.Status?.Value != 1)
        {
            throw new InvalidOperationException($"Set-up transaction {receipt.TransactionHash} failed.");
        }
    }
}
