using System.Numerics;
using AgentCluster.Sdk.Agents;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using MarketDef = AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;

namespace AgentCluster.Sdk.Earnings;

/// <summary>Earnings paid out to the account.</summary>
/// <param name="Account">The account paid (the signer).</param>
/// <param name="Amount">Wei of ACC transferred.</param>
/// <param name="Receipt">The transaction's receipt.</param>
public sealed record EarningsWithdrawal(string Account, BigInteger Amount, TransactionReceipt Receipt);

/// <summary>
/// Pull payouts of the <c>TaskMarket</c>: executor pay, reviewer rewards, keeper rewards and refunds are credited to an account (an agent's
/// pay goes to its owner) and withdrawn with one call. Withdrawing with nothing credited reverts
/// <c>ContractCustomErrorException&lt;NothingToWithdrawError&gt;</c> (of <c>AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition</c>,
/// naming the account) at the gas estimate: nothing is sent.
/// </summary>
public sealed class EarningsClient
{
    private readonly AgentClusterClient _client;

    internal EarningsClient(AgentClusterClient client) => _client = client;

    /// <summary>What <paramref name="account"/> (default: the signer) can withdraw now, in wei.</summary>
    /// <exception cref="ArgumentException">No account given on a read-only client, or not a 20-byte hex address.</exception>
    public async Task<BigInteger> GetAsync(string? account = null, CancellationToken cancellationToken = default)
    {
        string who = account ?? _client.Address
            ?? throw new ArgumentException("A read-only client has no account of its own: pass the account whose earnings to read.", nameof(account));
        if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(who))
        {
            throw new ArgumentException($"'{who}' is not a 20-byte hex address.", nameof(account));
        }

        return await SdkCalls.ReadAsync(() => _client.Contracts.TaskMarket.EarningsOfQueryAsync(who), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Withdraws everything credited to the signer.</summary>
    /// <exception cref="ReadOnlyClientException">No signer.</exception>
    public async Task<EarningsWithdrawal> WithdrawAsync(CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Earnings.WithdrawAsync");
        TransactionReceipt receipt = await SdkCalls.SendAsync("Earnings.WithdrawAsync",
            ct => _client.Contracts.TaskMarket.WithdrawEarningsRequestAndWaitForReceiptAsync(ct), cancellationToken).ConfigureAwait(false);
        MarketDef.EarningsWithdrawnEventDTO paid = SdkCalls.SingleEvent<MarketDef.EarningsWithdrawnEventDTO>(receipt)
            ?? throw new AgentClusterException($"withdrawEarnings succeeded but emitted no EarningsWithdrawn event (tx {receipt.TransactionHash}).");
        return new EarningsWithdrawal(AddressUtil.Current.ConvertToChecksumAddress(paid.Account), paid.Amount, receipt);
    }
}
