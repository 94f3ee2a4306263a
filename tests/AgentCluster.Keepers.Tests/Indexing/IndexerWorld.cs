using System.Numerics;
using AgentCluster.Evm;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.Keepers.Tests.Indexing;

/// <summary>
/// A suite with account 9 as attestor, ACC released to the deployer and sent to the requesters, one agent registered, attested and
/// staked (account 2), through the generated services and the SDK. Accounts 1, 4, 5, 6: requesters (4, 5 and 6 only for the reorganisation tests, whose transactions the chain takes back).
/// </summary>
internal sealed class IndexerWorld : IAsyncDisposable
{
    public const int Requester = 1;
    public const int AgentOwner = 2;
    public const int CommitteeOwner = 3;
    public const int CommitteeAgents = 11;
    public const int Attestor = 9;
    public static readonly BigInteger Acc = BigInteger.Pow(10, 18);
    public static readonly BigInteger Stake = 1_000 * Acc;

    private IndexerWorld(AgentClusterSuite suite) => Suite = suite;

    public AgentClusterSuite Suite { get; }

    /// <summary>The executor agent (owner: account 2).</summary>
    public BigInteger AgentId { get; private set; }

    /// <summary>The committee candidates (owner: account 3).</summary>
    public List<BigInteger> Committee { get; } = [];

    public DateTimeOffset AttestationExpiresAt { get; private set; }

    public static async Task<IndexerWorld> StartAsync(CancellationToken ct)
    {
        var options = new AgentClusterSuiteOptions
        {
            DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[Attestor] },
        };
        var world = new IndexerWorld(await AgentClusterSuite.StartAsync(options, ct));
        try
        {
            await world.Suite.ReleaseEmissionsAsync(TimeSpan.FromDays(1), ct);
            foreach ((int account, int acc) in new[] { (Requester, 5_000), (AgentOwner, 20_000), (CommitteeOwner, 150_000), (4, 1_000), (5, 1_000), (6, 1_000) })
            {
                await world.Suite.FundAsync(AnvilAccounts.Addresses[account], acc * Acc, ct);
            }

            world.AgentId = await world.RegisterAgentAsync(AgentOwner, ct);
            for (int i = 0; i < CommitteeAgents; i++)
            {
                world.Committee.Add(await world.RegisterAgentAsync(CommitteeOwner, ct));
            }
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }

        return world;
    }

    public Task<AgentClusterClient> ClientAsync(int account, CancellationToken ct) => Suite.CreateClientAsync(account, ct);

    public async Task<SubmittedTask> SubmitTaskAsync(int account, BigInteger bounty, string requirements, CancellationToken ct)
    {
        AgentClusterClient client = await ClientAsync(account, ct);
        return await client.Tasks.SubmitAsync(new TaskSubmission
        {
            RequirementsHash = Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(requirements)),
            Capabilities = 0b1,
            Bounty = bounty,
            Deadline = await ChainTimeAsync() + TimeSpan.FromDays(1),
            CommitteeSize = 10,
        }, ct);
    }

    public async Task<ulong> HeadAsync() => (ulong)(await Suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    public Task MineAsync(int blocks) => Suite.MineAsync(blocks);

    public Task<DateTimeOffset> ChainTimeAsync() => Suite.ChainTimeAsync();

    /// <summary>Every log of the manifest's contracts from the manifest's block to <paramref name="toBlock"/>, straight from the node.</summary>
    public async Task<List<FilterLog>> ChainLogsAsync(ulong toBlock)
    {
        var filter = new NewFilterInput { Address = [.. Suite.Manifest.Contracts.Values] };
        return await ((Nethereum.RPC.IEthApiService)Suite.Web3.Eth).GetAllLogsPagedAsync(filter, Suite.Manifest.Block, toBlock);
    }

    public ValueTask DisposeAsync() => Suite.DisposeAsync();

    public Task WarpAsync(TimeSpan by) => Suite.IncreaseTimeAsync(by);

    private async Task<BigInteger> RegisterAgentAsync(int ownerAccount, CancellationToken ct)
    {
        AgentClusterWeb3 web3 = await Suite.CreateWeb3Async(ownerAccount, ct);
        var token = new AgentCluster.Evm.Bindings.AccToken.AccTokenService(web3, Suite.Manifest.AddressOf("AccToken"));
        var registry = new AgentCluster.Evm.Bindings.AgentRegistry.AgentRegistryService(web3, Suite.Manifest.AddressOf("AgentRegistry"));
        var staking = new AgentCluster.Evm.Bindings.Staking.StakingService(web3, Suite.Manifest.AddressOf("Staking"));
        string owner = AnvilAccounts.Addresses[ownerAccount];
        var keySigner = new Secp256k1Signer(EthECKey.GenerateKey().GetPrivateKeyAsBytes().ToHex().PadLeft(64, '0'));
        BigInteger deadline = (await ChainTimeAsync()).ToUnixTimeSeconds() + 3600;
        BigInteger nonce = await registry.KeyNonceQueryAsync(keySigner.Address);
        byte[] digest = await registry.AgentKeyBindingDigestQueryAsync(keySigner.Address, owner, nonce, deadline);
        byte[] keySig = EthECDSASignature.CreateStringSignature(keySigner.SignHash(digest)).HexToByteArray();
        BigInteger bond = await registry.BondQueryAsync() + await registry.RegistrationFeeQueryAsync();
        Require(await token.ApproveRequestAndWaitForReceiptAsync(registry.ContractAddress, bond, ct));
        Require(await registry.RegisterRequestAndWaitForReceiptAsync(keySigner.Address, "ipfs://agent", 0b1, new byte[32], deadline, keySig, ct));
        BigInteger agentId = new(keySigner.Address.HexToByteArray(), isUnsigned: true, isBigEndian: true);

        DateTimeOffset expiresAt = DateTimeOffset.FromUnixTimeSeconds((await ChainTimeAsync()).ToUnixTimeSeconds() + 29 * 86_400);
        if (ownerAccount == AgentOwner)
        {
            AttestationExpiresAt = expiresAt;
        }

        var attestation = new AgentCluster.Evm.Bindings.Attestation
        {
            AgentId = agentId,
            MeasurementHash = Sha3Keccack.Current.CalculateHash("enclave"u8.ToArray()),
            CpuCores = 8,
            GpuMemoryMb = 16_384,
            TokensPerSecond = 100,
            ExpiresAt = (ulong)expiresAt.ToUnixTimeSeconds(),
            Nonce = 1,
        };
        byte[] attDigest = await registry.AttestationDigestQueryAsync(attestation);
        byte[] attSig = EthECDSASignature.CreateStringSignature(new Secp256k1Signer(AnvilAccounts.PrivateKeys[Attestor]).SignHash(attDigest)).HexToByteArray();
        Require(await registry.AttestRequestAndWaitForReceiptAsync(attestation, attSig, ct));
        Require(await token.ApproveRequestAndWaitForReceiptAsync(staking.ContractAddress, Stake, ct));
        Require(await staking.StakeRequestAndWaitForReceiptAsync(agentId, Stake, ct));
        return agentId;
    }

    private static void Require(TransactionReceipt receipt)
    {
        if (receipt.Status?.Value != 1)
        {
            throw new InvalidOperationException($"Set-up transaction {receipt.TransactionHash} failed.");
        }
    }
}
