using System.Numerics;
using AgentCluster.Evm.Errors;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Staking;
using AgentCluster.Sdk.Tests.Agents;
using AgentCluster.Testing;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using StakingDef = AgentCluster.Evm.Bindings.Staking.ContractDefinition;

namespace AgentCluster.Sdk.Tests.Staking;

/// <summary>register -> attest -> stake -> request unstake -> withdraw through the SDK on anvil, balances checked to the wei.</summary>
[Category("Anvil")]
public sealed class StakingClientTests
{
    private AgentClusterSuite _suite = null!;
    private AgentClusterClient _owner = null!, _other = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var bound = SdkTestChain.Bound();
        _suite = await SdkTestChain.StartAsync();
        await SdkTestChain.FundAsync(_suite, 2, 80_000 * SdkTestChain.Acc, bound.Token);
        await SdkTestChain.FundAsync(_suite, 3, 20_000 * SdkTestChain.Acc, bound.Token);
        _owner = await SdkTestChain.ClientAsync(_suite, 2, bound.Token);
        _other = await SdkTestChain.ClientAsync(_suite, 3, bound.Token);
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
    public async Task RegisterAttestStakeUnstakeWithdraw_MovesExactlyTheAmounts()
    {
        using var bound = SdkTestChain.Bound();
        string me = _owner.Address!;
        BigInteger start = await SdkTestChain.AccBalanceAsync(_owner, me);
        (BigInteger agentId, _) = await SdkTestChain.RegisterAndAttestAsync(_suite, _owner, bound.Token);
        Assert.That(await _owner.Agents.GetStatusAsync(agentId, bound.Token), Is.EqualTo(AgentStatus.Active));
        BigInteger afterRegister = await SdkTestChain.AccBalanceAsync(_owner, me);
        Assert.That(afterRegister, Is.EqualTo(start - 10_100 * SdkTestChain.Acc), "bond 10,000 + fee 100");
        Assert.That(await _owner.Staking.GetStakeAsync(agentId, bound.Token), Is.EqualTo(BigInteger.Zero));

        // stake
        BigInteger amount = 1_000 * SdkTestChain.Acc;
        StakeDeposit deposit = await _owner.Staking.StakeAsync(agentId, amount, bound.Token);
        Assert.That((deposit.AgentId, deposit.Amount, deposit.NewStake), Is.EqualTo((agentId, amount, amount)));
        Assert.That(deposit.Approval, Is.Not.Null, "stake takes no permit: approve first");
        Assert.That(await SdkTestChain.AccBalanceAsync(_owner, me), Is.EqualTo(afterRegister - amount));
        Assert.That(await _owner.Staking.GetStakeAsync(agentId, bound.Token), Is.EqualTo(amount));
        ulong stakedAt = await SdkTestChain.BlockTimeAsync(_suite, deposit.Receipt);

        // a second stake with a standing allowance sends no approval
        await _owner.Contracts.Token.ApproveRequestAndWaitForReceiptAsync(_owner.Contracts.Staking.ContractAddress, 5 * SdkTestChain.Acc, bound.Token);
        StakeDeposit more = await _owner.Staking.StakeAsync(agentId, 5 * SdkTestChain.Acc, bound.Token);
        Assert.That((more.Approval, more.NewStake), Is.EqualTo(((TransactionReceipt?)null, amount + 5 * SdkTestChain.Acc)));
        BigInteger staked = amount + 5 * SdkTestChain.Acc;
        ulong moreAt = await SdkTestChain.BlockTimeAsync(_suite, more.Receipt);

        // stake at past times (checkpoints)
        await SdkTestChain.IncreaseTimeAsync(_suite, TimeSpan.FromHours(1));
        Assert.That(await _owner.Staking.GetStakeAtAsync(agentId, DateTimeOffset.FromUnixTimeSeconds((long)stakedAt - 1), bound.Token), Is.EqualTo(BigInteger.Zero));
        Assert.That(await _owner.Staking.GetStakeAtAsync(agentId, DateTimeOffset.FromUnixTimeSeconds((long)stakedAt), bound.Token), Is.EqualTo(moreAt == stakedAt ? staked : amount));
        Assert.That(await _owner.Staking.GetStakeAtAsync(agentId, DateTimeOffset.FromUnixTimeSeconds((long)moreAt), bound.Token), Is.EqualTo(staked));

        // request unstake
        BigInteger part = 400 * SdkTestChain.Acc;
        UnstakeRequest request = await _owner.Staking.RequestUnstakeAsync(agentId, part, bound.Token);
        ulong requestedAt = await SdkTestChain.BlockTimeAsync(_suite, request.Receipt);
        TimeSpan period = await _owner.Staking.GetUnbondingPeriodAsync(bound.Token);
        Assert.That(period, Is.EqualTo(TimeSpan.FromDays(30)));
        Assert.That((request.Amount, request.TotalUnbonding, request.UnlocksAt),
            Is.EqualTo((part, part, DateTimeOffset.FromUnixTimeSeconds((long)requestedAt) + period)));
        Assert.That(await _owner.Staking.GetStakeAsync(agentId, bound.Token), Is.EqualTo(staked - part));
        Assert.That(await _owner.Staking.GetPendingUnstakeAsync(agentId, bound.Token), Is.EqualTo(new PendingUnstake(part, request.UnlocksAt)));
        Assert.That(await SdkTestChain.AccBalanceAsync(_owner, me), Is.EqualTo(afterRegister - staked), "unbonding stake is still held");

        // withdraw too early: typed revert naming the unlock time
        var early = Assert.ThrowsAsync<ContractCustomErrorException<StakingDef.StillUnbondingError>>(() => _owner.Staking.WithdrawAsync(agentId, bound.Token))!;
        Assert.That((early.Error.AgentId, early.Error.UnlocksAt), Is.EqualTo((agentId, new BigInteger(request.UnlocksAt.ToUnixTimeSeconds()))));

        // after the unbonding period: paid to the owner exactly (anyone may send it)
        await SdkTestChain.IncreaseTimeAsync(_suite, period);
        StakeWithdrawal paid = await _other.Staking.WithdrawAsync(agentId, bound.Token);
        Assert.That((paid.AgentId, paid.To, paid.Amount), Is.EqualTo((agentId, me, part)));
        Assert.That(await SdkTestChain.AccBalanceAsync(_owner, me), Is.EqualTo(afterRegister - staked + part));
        Assert.That(await _owner.Staking.GetPendingUnstakeAsync(agentId, bound.Token), Is.EqualTo(new PendingUnstake(BigInteger.Zero, null)));
        Assert.That(await _owner.Staking.GetStakeAsync(agentId, bound.Token), Is.EqualTo(staked - part));

        var nothing = Assert.ThrowsAsync<ContractCustomErrorException<StakingDef.NothingToWithdrawError>>(() => _owner.Staking.WithdrawAsync(agentId, bound.Token))!;
        Assert.That(nothing.Error.AgentId, Is.EqualTo(agentId));
    }

    [Test]
    public async Task RequestUnstake_OfMoreThanTheStake_RevertsInsufficientStake_WithAvailableAndRequested()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://s", 0, SdkTestChain.Hash("s"), bound.Token);
        await _owner.Staking.StakeAsync(r.AgentId, 10 * SdkTestChain.Acc, bound.Token);
        var e = Assert.ThrowsAsync<ContractCustomErrorException<StakingDef.InsufficientStakeError>>(
            () => _owner.Staking.RequestUnstakeAsync(r.AgentId, 11 * SdkTestChain.Acc, bound.Token))!;
        Assert.That((e.Error.AgentId, e.Error.Available, e.Error.Requested), Is.EqualTo((r.AgentId, 10 * SdkTestChain.Acc, 11 * SdkTestChain.Acc)));

        var notOwner = Assert.ThrowsAsync<ContractCustomErrorException<StakingDef.NotAgentOwnerError>>(
            () => _other.Staking.StakeAsync(r.AgentId, SdkTestChain.Acc, bound.Token))!;
        Assert.That(notOwner.Error.Caller, Is.EqualTo(_other.Address).IgnoreCase);

        DateTimeOffset later = DateTimeOffset.FromUnixTimeSeconds((long)await SdkTestChain.BlockTimeAsync(_suite)).AddYears(5);
        var future = Assert.ThrowsAsync<ContractCustomErrorException<StakingDef.FutureLookupError>>(
            () => _owner.Staking.GetStakeAtAsync(r.AgentId, later, bound.Token))!;
        Assert.That(future.Error.Timepoint, Is.EqualTo(new BigInteger(later.ToUnixTimeSeconds())));
    }

    [Test]
    public async Task BadInput_IsRefusedBeforeAnythingIsSent()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://z", 0, SdkTestChain.Hash("z"), bound.Token);
        BigInteger nonce = (await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(_owner.Address)).Value;

        var zero = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Staking.StakeAsync(r.AgentId, 0, bound.Token))!;
        Assert.That((zero.ParamName, zero.Message.Contains("positive amount", StringComparison.Ordinal)), Is.EqualTo(("amount", true)));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Staking.StakeAsync(r.AgentId, -5, bound.Token))!.Message, Does.Contain("not -5"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Staking.RequestUnstakeAsync(r.AgentId, 0, bound.Token))!.ParamName, Is.EqualTo("amount"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Staking.GetSlashAsync(0, bound.Token))!.Message, Does.Contain("start at 1"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Staking.GetStakeAtAsync(r.AgentId, DateTimeOffset.UnixEpoch.AddSeconds(-1), bound.Token))!
            .ParamName, Is.EqualTo("timepoint"));

        BigInteger unknown = AgentsClient.AgentIdOf(SdkTestChain.NewKey().Address);
        Assert.That(Assert.ThrowsAsync<UnknownAgentException>(() => _owner.Staking.StakeAsync(unknown, 1, bound.Token))!.AgentId, Is.EqualTo(unknown));
        Assert.That(Assert.ThrowsAsync<UnknownAgentException>(() => _owner.Staking.GetStakeAsync(unknown, bound.Token))!.AgentId, Is.EqualTo(unknown));
        Assert.That(Assert.ThrowsAsync<UnknownAgentException>(() => _owner.Staking.WithdrawAsync(unknown, bound.Token))!.AgentId, Is.EqualTo(unknown));

        var tooMuch = Assert.ThrowsAsync<InsufficientAccException>(() => _owner.Staking.StakeAsync(r.AgentId, BigInteger.Pow(10, 30), bound.Token))!;
        Assert.That(tooMuch.Needed, Is.EqualTo(BigInteger.Pow(10, 30)));
        Assert.That((await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(_owner.Address)).Value, Is.EqualTo(nonce), "nothing was sent");

        SlashInfo none = await _owner.Staking.GetSlashAsync(1, bound.Token);
        Assert.That((none.Status, none.Amount), Is.EqualTo((SlashStatus.None, BigInteger.Zero)), "no slash yet on a fresh chain");
    }
    [Test]
    public async Task Slash_IsReadBack_AndTheOwnerAppealsIt_WithinTheWindowOnly()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://slashed", 0, SdkTestChain.Hash("sl"), bound.Token);
        await _owner.Staking.StakeAsync(r.AgentId, 100 * SdkTestChain.Acc, bound.Token);

        // Governance (the timelock, impersonated on anvil) makes anvil account #7 a slasher; #7 slashes 10 %.
        string timelock = _suite.Manifest.AddressOf("Timelock");
        var rpc = new Nethereum.Web3.Web3(_suite.Node.RpcUrl.ToString());
        await rpc.Client.SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(1, "anvil_impersonateAccount", timelock));
        await rpc.Client.SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(2, "anvil_setBalance", timelock, "0xDE0B6B3A7640000"));
        string slasher = AnvilAccounts.Addresses[7];
        var setSlasher = new StakingDef.SetSlasherFunction { Slasher = slasher, Allowed = true };
        string hash = await rpc.Eth.TransactionManager.SendTransactionAsync(new Nethereum.RPC.Eth.DTOs.TransactionInput(
            setSlasher.GetCallData().ToHex(true), _owner.Contracts.Staking.ContractAddress, timelock, new Nethereum.Hex.HexTypes.HexBigInteger(200_000), null));
        Assert.That((await rpc.Eth.TransactionManager.TransactionReceiptService.PollForReceiptAsync(hash, bound.Token)).Succeeded(), Is.True);
        await rpc.Client.SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(3, "anvil_stopImpersonatingAccount", timelock));

        var slasherStaking = new Evm.Bindings.Staking.StakingService(await _suite.CreateWeb3Async(7, bound.Token), _owner.Contracts.Staking.ContractAddress);
        var slashReceipt = await slasherStaking.SlashRequestAndWaitForReceiptAsync(r.AgentId, 1_000, _other.Address!, SdkTestChain.Hash("reason"), bound.Token);
        StakingDef.SlashedEventDTO slashed = slashReceipt.DecodeAllEvents<StakingDef.SlashedEventDTO>().Single().Event;
        Assert.That(slashed.Amount, Is.EqualTo(10 * SdkTestChain.Acc));
        Assert.That(await _owner.Staking.GetStakeAsync(r.AgentId, bound.Token), Is.EqualTo(90 * SdkTestChain.Acc));

        SlashInfo info = await _owner.Staking.GetSlashAsync(slashed.SlashId, bound.Token);
        Assert.That((info.AgentId, info.Amount, info.Status, info.Resolved, info.HarmedParty, info.AppealDecisionDeadline),
            Is.EqualTo((r.AgentId, 10 * SdkTestChain.Acc, SlashStatus.Pending, false, _other.Address, (DateTimeOffset?)null)));
        Assert.That(info.AppealDeadline, Is.EqualTo(SdkCallsTime(slashed.AppealDeadline)));

        // Only the owner appeals; then the slash is Appealed with governance's deadline.
        var stranger = Assert.ThrowsAsync<ContractCustomErrorException<StakingDef.NotAgentOwnerError>>(() => _other.Staking.AppealSlashAsync(slashed.SlashId, bound.Token))!;
        Assert.That(stranger.Error.AgentId, Is.EqualTo(r.AgentId));
        SlashAppeal appeal = await _owner.Staking.AppealSlashAsync(slashed.SlashId, bound.Token);
        ulong appealedAt = await SdkTestChain.BlockTimeAsync(_suite, appeal.Receipt);
        BigInteger period = await _owner.Contracts.Staking.AppealDecisionPeriodQueryAsync();
        Assert.That((appeal.SlashId, appeal.AgentId, appeal.DecisionDeadline), Is.EqualTo((slashed.SlashId, r.AgentId, SdkCallsTime(appealedAt + (ulong)period))));
        SlashInfo appealed = await _owner.Staking.GetSlashAsync(slashed.SlashId, bound.Token);
        Assert.That((appealed.Status, appealed.AppealDecisionDeadline), Is.EqualTo((SlashStatus.Appealed, (DateTimeOffset?)appeal.DecisionDeadline)));

        var twice = Assert.ThrowsAsync<ContractCustomErrorException<StakingDef.AlreadyAppealedError>>(() => _owner.Staking.AppealSlashAsync(slashed.SlashId, bound.Token))!;
        Assert.That(twice.Error.SlashId, Is.EqualTo(slashed.SlashId));
    }

    private static DateTimeOffset SdkCallsTime(BigInteger unixSeconds) => DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds);
}
