using System.Numerics;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Errors;
using AgentCluster.Sdk.Earnings;
using AgentCluster.Sdk.Tests.Agents;
using AgentCluster.Testing;
using Nethereum.RPC.Eth.DTOs;
using MarketDef = AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;

namespace AgentCluster.Sdk.Tests.Earnings;

/// <summary>
/// Pull payouts on anvil. The cheapest real earnings: a task that gets no bid is closed by <c>assign</c> after its bidding window; the
/// caller is credited the keeper reward and the requester the rest of bounty + fee. Requester and caller being one account, it is owed
/// exactly bounty + fee.
/// </summary>
[Category("Anvil")]
public sealed class EarningsClientTests
{
    private AgentClusterSuite _suite = null!;
    private AgentClusterClient _requester = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var bound = SdkTestChain.Bound();
        _suite = await SdkTestChain.StartAsync();
        await SdkTestChain.FundAsync(_suite, 4, 5_000 * SdkTestChain.Acc, bound.Token);
        _requester = await SdkTestChain.ClientAsync(_suite, 4, bound.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }
    }

    [Test]
    public async Task Withdraw_PaysOutExactlyWhatWasCredited_ThenNothingIsLeft()
    {
        using var bound = SdkTestChain.Bound();
        string me = _requester.Address!;
        Assert.That(await _requester.Earnings.GetAsync(cancellationToken: bound.Token), Is.EqualTo(BigInteger.Zero));

        var market = _requester.Contracts.TaskMarket;
        MarketParams p = (await market.ParamsQueryAsync()).ReturnValue1;
        BigInteger bounty = 1_000 * SdkTestChain.Acc;
        BigInteger fee = await market.MinimumFeeQueryAsync(bounty, 10);
        ulong now = await SdkTestChain.BlockTimeAsync(_suite);
        await _requester.Contracts.Token.ApproveRequestAndWaitForReceiptAsync(market.ContractAddress, bounty + fee, bound.Token);
        var request = new TaskRequest
        {
            RequirementsHash = SdkTestChain.Hash("requirements"), Capabilities = 0, Bounty = bounty, Fee = fee,
            Deadline = now + p.BiddingWindow + 3600, CommitteeSize = 10, MinReputation = 0,
        };
        Assert.That((await market.SubmitTaskRequestAndWaitForReceiptAsync(request, new Permit { R = new byte[32], S = new byte[32] }, bound.Token)).Succeeded(), Is.True);
        BigInteger taskId = await market.TaskCountQueryAsync();
        await SdkTestChain.IncreaseTimeAsync(_suite, TimeSpan.FromSeconds(p.BiddingWindow + 1));
        Assert.That((await market.AssignRequestAndWaitForReceiptAsync(taskId, bound.Token)).Succeeded(), Is.True, "no bid: refunded, the caller paid");

        Assert.That(await _requester.Earnings.GetAsync(me, bound.Token), Is.EqualTo(bounty + fee), "keeper reward + refund of the rest");
        await using AgentClusterClient reader = await SdkTestChain.ReadOnlyClientAsync(_suite, bound.Token);
        Assert.That(await reader.Earnings.GetAsync(me, bound.Token), Is.EqualTo(bounty + fee));

        BigInteger before = await SdkTestChain.AccBalanceAsync(_requester, me);
        EarningsWithdrawal paid = await _requester.Earnings.WithdrawAsync(bound.Token);
        Assert.That((paid.Account, paid.Amount), Is.EqualTo((me, bounty + fee)));
        Assert.That(paid.Receipt.Succeeded(), Is.True);
        Assert.That(await SdkTestChain.AccBalanceAsync(_requester, me), Is.EqualTo(before + bounty + fee));
        Assert.That(await _requester.Earnings.GetAsync(cancellationToken: bound.Token), Is.EqualTo(BigInteger.Zero));

        // Nothing left: the estimate reverts typed, naming the account, and nothing is sent.
        BigInteger nonce = (await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(me)).Value;
        var e = Assert.ThrowsAsync<ContractCustomErrorException<MarketDef.NothingToWithdrawError>>(() => _requester.Earnings.WithdrawAsync(bound.Token))!;
        Assert.That(e.Error.Account, Is.EqualTo(me).IgnoreCase);
        Assert.That((await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(me)).Value, Is.EqualTo(nonce));
    }

    [Test]
    public void Get_WithAMalformedAddress_SaysSo()
    {
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => _requester.Earnings.GetAsync("0xnope"))!.Message, Does.Contain("20-byte hex address"));
    }
}
