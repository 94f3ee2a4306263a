using System.Numerics;
using AgentCluster.Evm;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Bindings.EmissionVault;
using AgentCluster.Evm.Signing;
using AgentCluster.Testing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;

namespace AgentCluster.Sdk.Tests.Tasks;

/// <summary>
/// Test set-up through the generated services only (not the SDK's agent sub-clients): a suite with account 9 as attestor, ACC
/// vested from the emission pools to the deployer (one day of chain time) and sent on, and agents registered, attested and staked.
/// Accounts: 0 deployer and keeper, 1 requester, 2 executor owner, 3 owner of the committee agents.
/// </summary>
internal sealed class MarketWorld : IAsyncDisposable
{
    public const int Requester = 1;
    public const int ExecutorOwner = 2;
    public const int CommitteeOwner = 3;
    public const int Attestor = 9;
    public const ulong ExecutorCapabilities = 0b101;
    public static readonly BigInteger Acc = BigInteger.Pow(10, 18);

    private MarketWorld(AgentClusterSuite suite) => Suite = suite;

    public AgentClusterSuite Suite { get; }

    public BigInteger Executor { get; private set; }

    public List<BigInteger> Committee { get; } = [];

    /// <summary>Each agent's signing key (agentId = uint160(key address)).</summary>
    public Dictionary<BigInteger, Secp256k1Signer> AgentKeys { get; } = [];

    public static async Task<MarketWorld> StartAsync(int committeeSize, CancellationToken ct)
    {
        var options = new AgentClusterSuiteOptions
        {
            DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[Attestor] },
        };
        var world = new MarketWorld(await AgentClusterSuite.StartAsync(options, ct));
        try
        {
            await world.FundAsync(ct);
            world.Executor = await world.RegisterAgentAsync(ExecutorOwner, ExecutorCapabilities, ct);
            for (int i = 0; i < committeeSize; i++)
            {
                world.Committee.Add(await world.RegisterAgentAsync(CommitteeOwner, 0b1, ct));
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

    public Task WarpAsync(long seconds) => Suite.IncreaseTimeAsync(TimeSpan.FromSeconds(seconds));

    public Task MineAsync(int blocks) => Suite.MineAsync(blocks);

    public async Task<BigInteger> NonceAsync(int account) =>
        (await Suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(AnvilAccounts.Addresses[account], BlockParameter.CreateLatest())).Value;

    public Task<DateTimeOffset> ChainTimeAsync() => Suite.ChainTimeAsync();

    public ValueTask DisposeAsync() => Suite.DisposeAsync();

    /// <summary>As scripts/localnet does: one day of chain time, release the four emission pools to the deployer, send ACC on.</summary>
    private async Task FundAsync(CancellationToken ct)
    {
        await Suite.ReleaseEmissionsAsync(TimeSpan.FromDays(1), ct);
        foreach ((int account, BigInteger amount) in new[] { (Requester, 50_000 * Acc), (ExecutorOwner, 20_000 * Acc), (CommitteeOwner, 150_000 * Acc) })
        {
            await Suite.FundAsync(AnvilAccounts.Addresses[account], amount, ct);
        }
    }

    private async Task<BigInteger> RegisterAgentAsync(int ownerAccount, ulong capabilities, CancellationToken ct)
    {
        AgentClusterWeb3 web3 = await Suite.CreateWeb3Async(ownerAccount, ct);
        var c = new SuiteContractsAccess(Suite, web3);
        string owner = AnvilAccounts.Addresses[ownerAccount];
        var agentKey = EthECKey.GenerateKey();
        var keySigner = new Secp256k1Signer(agentKey.GetPrivateKeyAsBytes().ToHex().PadLeft(64, '0'));
        string keyAddress = keySigner.Address;
        BigInteger deadline = (await ChainTimeAsync()).ToUnixTimeSeconds() + 3600;
        BigInteger nonce = await c.Registry.KeyNonceQueryAsync(keyAddress);
        byte[] digest = await c.Registry.AgentKeyBindingDigestQueryAsync(keyAddress, owner, nonce, deadline);
        byte[] keySig = EthECDSASignature.CreateStringSignature(keySigner.SignHash(digest)).HexToByteArray();
        BigInteger bond = await c.Registry.BondQueryAsync() + await c.Registry.RegistrationFeeQueryAsync();
        BigInteger stake = 1_000 * Acc;
        Require(await c.Token.ApproveRequestAndWaitForReceiptAsync(c.Registry.ContractAddress, bond, ct));
        Require(await c.Registry.RegisterRequestAndWaitForReceiptAsync(keyAddress, "ipfs://agent", capabilities, new byte[32], deadline, keySig, ct));
        BigInteger agentId = new(keyAddress.HexToByteArray(), isUnsigned: true, isBigEndian: true);
        AgentKeys[agentId] = keySigner;

        var attestation = new Attestation
        {
            AgentId = agentId,
            MeasurementHash = Nethereum.Util.Sha3Keccack.Current.CalculateHash("enclave"u8.ToArray()),
            CpuCores = 8,
            GpuMemoryMb = 16_384,
            TokensPerSecond = 100,
            ExpiresAt = (ulong)(await ChainTimeAsync()).ToUnixTimeSeconds() + 29 * 86_400,
            Nonce = 1,
        };
        byte[] attDigest = await c.Registry.AttestationDigestQueryAsync(attestation);
        var attestor = new Secp256k1Signer(AnvilAccounts.PrivateKeys[Attestor]);
        byte[] attSig = EthECDSASignature.CreateStringSignature(attestor.SignHash(attDigest)).HexToByteArray();
        Require(await c.Registry.AttestRequestAndWaitForReceiptAsync(attestation, attSig, ct));

        Require(await c.Token.ApproveRequestAndWaitForReceiptAsync(c.Staking.ContractAddress, stake, ct));
        Require(await c.Staking.StakeRequestAndWaitForReceiptAsync(agentId, stake, ct));
        return agentId;
    }

    private static void Require(TransactionReceipt receipt)
    {
        if (receipt.Status?.Value != 1)
        {
            throw new InvalidOperationException($"Set-up transaction {receipt.TransactionHash} failed.");
        }
    }

    /// <summary>The generated services over a given Web3 (the SDK's SuiteContracts constructor is internal to the SDK).</summary>
    private sealed class SuiteContractsAccess(AgentClusterSuite suite, Nethereum.Web3.IWeb3? web3 = null)
    {
        private readonly Nethereum.Web3.IWeb3 _web3 = web3 ?? suite.Web3;

        public AgentCluster.Evm.Bindings.AccToken.AccTokenService Token => new(_web3, suite.Manifest.AddressOf("AccToken"));

        public AgentCluster.Evm.Bindings.AgentRegistry.AgentRegistryService Registry => new(_web3, suite.Manifest.AddressOf("AgentRegistry"));

        public AgentCluster.Evm.Bindings.Staking.StakingService Staking => new(_web3, suite.Manifest.AddressOf("Staking"));
    }
}
