using System.Numerics;
using System.Security.Cryptography;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Testing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Evm.Tests.TransactionManagement;

/// <summary>
/// Keys below 2^248 (1 key in 256) through the durable manager: Nethereum 6.1.0's fast path cannot sign with them and
/// <c>Account.PrivateKey</c> drops their leading zero bytes; the manager signs with Secp256k1Signer from the padded 32 bytes.
/// </summary>
[Category("Anvil")]
[NonParallelizable]
public sealed class LeadingZeroKeyTests
{
    [Test]
    public async Task KeysWithOneAndTwoLeadingZeroBytes_SendThroughAgentClusterWeb3_AndAreMined()
    {
        await using TxmNode anvil = await TxmNode.StartAsync();
        string probe = await anvil.DeployProbeAsync();
        string directory = Path.Combine(Path.GetTempPath(), "agentcluster-txm-zero-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            foreach (int zeros in new[] { 1, 2 })
            {
                byte[] bytes = RandomNumberGenerator.GetBytes(32);
                bytes.AsSpan(0, zeros).Clear();
                bytes[zeros] |= 0x01; // exactly `zeros` leading zero bytes, and never the zero key
                string key = bytes.ToHex(true);
                var account = new Account(key, 31337);
                Assert.That(account.PrivateKey.Length, Is.LessThan(66), "Nethereum's Account.PrivateKey drops the leading zero bytes (why the manager pads it)");
                await anvil.RequestAsync("anvil_setBalance", account.Address, new Nethereum.Hex.HexTypes.HexBigInteger(BigInteger.Pow(10, 20)).HexValue);

                await using AgentClusterWeb3 web3 = await AgentClusterWeb3.CreateAsync(anvil.Node.RpcUrl, key, anvil.Node.ChainId, new DurableTransactionManagerOptions
                {
                    JournalPath = Path.Combine(directory, $"zero{zeros}.db"),
                    ChainId = 31337,
                    PollInterval = TimeSpan.FromMilliseconds(50),
                    ReceiptTimeout = TxmNode.Bound,
                });
                Assert.That(web3.DurableTransactionManager.Address, Is.EqualTo(account.Address).IgnoreCase);

                TransactionReceipt pinged = await web3.Eth.GetContractHandler(probe).SendRequestAndWaitForReceiptAsync(new PingFunction { Id = zeros, Note = "zero" });
                TransactionReceipt transfer = await web3.Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(AnvilAccounts.Addresses[3], 0.25m);
                foreach (TransactionReceipt receipt in new[] { pinged, transfer })
                {
                    Assert.That(receipt.Status.Value, Is.EqualTo(BigInteger.One));
                    Assert.That(receipt.From, Is.EqualTo(account.Address).IgnoreCase, "anvil recovered the sender from our signature");
                    Assert.That((await anvil.GetTransactionAsync(receipt.TransactionHash))!.Type.Value, Is.EqualTo((BigInteger)2));
                }

                Assert.That(await anvil.NonceAsync(account.Address), Is.EqualTo((BigInteger)2));
                Assert.That(await anvil.PingIdsAsync(probe, account.Address), Is.EqualTo(new[] { zeros }));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
