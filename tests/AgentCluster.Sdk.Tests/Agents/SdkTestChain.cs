using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Evm.Bindings.EmissionVault;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk.Agents;
using AgentCluster.Testing;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Sdk.Tests.Agents;

/// <summary>
/// Test plumbing shared by the agents, staking, reputation and earnings tests: a suite deployed with anvil account #6 as the approved
/// attestor (as scripts/localnet does), ACC for test accounts the way scripts/lib/localnet-fund.mjs gets it (the chain's clock moved one
/// day so the emission vaults have vested, release() to the deployer, a transfer), clients over the suite's per-account Web3s, and
/// time travel.
/// </summary>
internal static class SdkTestChain
{
    /// <summary>anvil account #6: the attestor scripts/localnet approves.</summary>
    internal const int AttestorIndex = 6;

    internal static readonly BigInteger Acc = BigInteger.Pow(10, 18);

    internal static Task<AgentClusterSuite> StartAsync() => AgentClusterSuite.StartAsync(new AgentClusterSuiteOptions
    {
        DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[AttestorIndex] },
    });

    /// <summary>A client signing as anvil account <paramref name="index"/> (1-9) through the suite's Web3 for that account.</summary>
    internal static async Task<AgentClusterClient> ClientAsync(AgentClusterSuite suite, int index, CancellationToken ct) =>
        await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = await suite.CreateWeb3Async(index, ct), Manifest = suite.Manifest },
            cancellationToken: ct);

    /// <summary>A read-only client (no account) on the suite's node.</summary>
    internal static Task<AgentClusterClient> ReadOnlyClientAsync(AgentClusterSuite suite, CancellationToken ct) =>
        AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { RpcUrl = suite.Node.RpcUrl.ToString(), Manifest = suite.Manifest }, cancellationToken: ct);

    /// <summary>Gives anvil account <paramref name="index"/> <paramref name="amount"/> wei of ACC from the deployer, releasing the pools first when needed.</summary>
    internal static Task FundAsync(AgentClusterSuite suite, int index, BigInteger amount, CancellationToken ct) =>
        suite.FundAsync(AnvilAccounts.Addresses[index], amount, ct);

    internal static async Task<BigInteger> AccBalanceAsync(AgentClusterClient client, string address) =>
        await client.Contracts.Token.BalanceOfQueryAsync(address);

    /// <summary>Moves the chain's clock forward and mines a block (anvil evm_increaseTime + evm_mine).</summary>
    internal static async Task IncreaseTimeAsync(AgentClusterSuite suite, TimeSpan by)
    {
        await suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "evm_increaseTime", (long)by.TotalSeconds));
        await suite.Web3.Client.SendRequestAsync(new RpcRequest(2, "evm_mine"));
    }

    internal static async Task<ulong> BlockTimeAsync(AgentClusterSuite suite, BlockParameter? block = null)
    {
        BlockWithTransactionHashes b = await suite.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(block ?? BlockParameter.CreateLatest());
        return (ulong)b.Timestamp.Value;
    }

    internal static Task<ulong> BlockTimeAsync(AgentClusterSuite suite, TransactionReceipt receipt) =>
        BlockTimeAsync(suite, new BlockParameter(receipt.BlockNumber));

    /// <summary>A fresh random agent key.</summary>
    internal static Secp256k1Signer NewKey() => new(RandomNumberGenerator.GetBytes(32));

    internal static byte[] Hash(string text) => Nethereum.Util.Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Registers a fresh agent for <paramref name="client"/> and has the localnet attestor attest it (valid 7 days).</summary>
    internal static async Task<(BigInteger AgentId, AgentAttestation Attestation)> RegisterAndAttestAsync(AgentClusterSuite suite, AgentClusterClient client,
        CancellationToken ct, ulong capabilities = 0b101)
    {
        AgentRegistration registration = await client.Agents.RegisterAsync(NewKey(), "ipfs://agent.json", capabilities, Hash("vector"), ct);
        AgentAttestation attestation = await AttestAsync(suite, client, registration.AgentId, 1, ct);
        return (registration.AgentId, attestation);
    }

    /// <summary>The attestor's part: signs an attestation (8 cores, 16 GiB GPU, 500 tokens/s: 122 compute points) and submits it.</summary>
    internal static async Task<AgentAttestation> AttestAsync(AgentClusterSuite suite, AgentClusterClient client, BigInteger agentId, ulong nonce, CancellationToken ct)
    {
        ulong now = await BlockTimeAsync(suite);
        var attestation = new AgentAttestation(agentId, Hash("measurement"), 8, 16 * 1024, 500, now + (ulong)TimeSpan.FromDays(7).TotalSeconds, nonce);
        byte[] signature = client.Agents.SignAttestation(attestation, new Secp256k1Signer(AnvilAccounts.PrivateKeys[AttestorIndex]));
        Assert.That((await client.Agents.SubmitAttestationAsync(attestation, signature, ct)).Succeeded(), Is.True);
        return attestation;
    }

    /// <summary>Every wait is bounded.</summary>
    internal static CancellationTokenSource Bound() => new(TimeSpan.FromSeconds(120));
}
