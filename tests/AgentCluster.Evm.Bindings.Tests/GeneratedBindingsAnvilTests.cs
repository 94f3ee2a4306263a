using System.Numerics;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Evm.Bindings.AgentClusterTimelock;
using AgentCluster.Evm.Bindings.AgentClusterTimelock.ContractDefinition;
using AgentCluster.Evm.Bindings.EmissionVault;
using AgentCluster.Evm.Bindings.FeeRouter;
using AgentCluster.Evm.Bindings.TeamVesting;
using AgentCluster.Evm.Bindings.Treasury;
using AgentCluster.Evm.Errors;
using AgentCluster.Testing;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using RouterDef = AgentCluster.Evm.Bindings.FeeRouter.ContractDefinition;
using Token = AgentCluster.Evm.Bindings.AccToken.ContractDefinition;
using TreasuryDef = AgentCluster.Evm.Bindings.Treasury.ContractDefinition;
using VaultDef = AgentCluster.Evm.Bindings.EmissionVault.ContractDefinition;
using VestingDef = AgentCluster.Evm.Bindings.TeamVesting.ContractDefinition;

namespace AgentCluster.Evm.Bindings.Tests;

/// <summary>
/// The generated services against a real anvil, used the way a Nethereum user would (a plain <see cref="Web3"/> with an
/// <see cref="Account"/>, anvil's key 0): the foundation of the suite (timelock, emission vaults, team vesting, treasury, token, fee
/// router) deployed at the addresses scripts/evm/AgentClusterDeployment.sol predicts from the deployer's nonce, then read, sent to,
/// and made to revert, each revert arriving as a typed exception.
/// </summary>
[Category("Anvil")]
[NonParallelizable]
public sealed class GeneratedBindingsAnvilTests
{
    // AccGenesis: 1e9 ACC split 30/25/15/10/8/12 %.
    private static readonly BigInteger TotalSupply = BigInteger.Parse("1000000000000000000000000000");
    private static readonly BigInteger ValidatorsShare = Share(3_000), ComputeShare = Share(2_500), MarketplaceShare = Share(1_500), ReviewShare = Share(1_000);
    private static readonly BigInteger TreasuryShare = Share(800);
    private static readonly BigInteger TeamShare = TotalSupply - ValidatorsShare - ComputeShare - MarketplaceShare - ReviewShare - TreasuryShare;
    private const ulong TimelockDelay = 7 * 24 * 3600;
    private const ulong TeamCliff = 365 * 24 * 3600, TeamDuration = 4 * 365 * 24 * 3600;

    private IAnvilNode _node = null!;
    private Web3 _web3 = null!;
    private string _me = null!;
    private AgentClusterTimelockService _timelock = null!;
    private EmissionVaultService _validatorsPool = null!;
    private TeamVestingService _teamVesting = null!;
    private TreasuryService _treasury = null!;
    private AccTokenService _token = null!;
    private FeeRouterService _feeRouter = null!;
    private TransactionReceipt _tokenDeployment = null!;
    private string _predictedToken = null!;

    [OneTimeSetUp]
    public async Task DeployFoundationAsync()
    {
        _node = await Anvil.StartAsync();
        var account = new Account(AnvilAccounts.PrivateKeys[0], (int)_node.ChainId);
        _web3 = new Web3(account, _node.RpcUrl.ToString());
        _me = account.Address;
        Assert.That(_me, Is.EqualTo(AnvilAccounts.Addresses[0]).IgnoreCase);

        using var bound = Bound();
        ulong genesis = (ulong)(await _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest())).Timestamp.Value;
        BigInteger nonce = (await _web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(_me, BlockParameter.CreatePending())).Value;
        _predictedToken = ContractUtils.CalculateContractAddress(_me, nonce + 7);
        string predictedGovernor = ContractUtils.CalculateContractAddress(_me, nonce + 10);

        _timelock = await AgentClusterTimelockService.DeployContractAndGetServiceAsync(_web3,
            new AgentClusterTimelockDeployment { MinDelay = TimelockDelay, Governor = predictedGovernor }, bound.Token); // nonce + 0
        string gov = _timelock.ContractAddress;
        _validatorsPool = await DeployVaultAsync("validators", ValidatorsShare, genesis, gov, bound.Token);
        EmissionVaultService compute = await DeployVaultAsync("compute", ComputeShare, genesis, gov, bound.Token);
        EmissionVaultService marketplace = await DeployVaultAsync("marketplace", MarketplaceShare, genesis, gov, bound.Token);
        EmissionVaultService review = await DeployVaultAsync("review", ReviewShare, genesis, gov, bound.Token);
        _teamVesting = await TeamVestingService.DeployContractAndGetServiceAsync(_web3, new VestingDef.TeamVestingDeployment
        {
            Token = _predictedToken, Allocation = TeamShare, Start = genesis, Cliff = TeamCliff, Duration = TeamDuration, Beneficiary = _me,
        }, bound.Token);
        _treasury = await TreasuryService.DeployContractAndGetServiceAsync(_web3, new TreasuryDef.TreasuryDeployment { Governance = gov }, bound.Token); // nonce + 6
        _tokenDeployment = await AccTokenService.DeployContractAndWaitForReceiptAsync(_web3, new Token.AccTokenDeployment // nonce + 7
        {
            Governance = gov,
            Recipients = new GenesisRecipients
            {
                ValidatorsPool = _validatorsPool.ContractAddress, ComputePool = compute.ContractAddress, MarketplacePool = marketplace.ContractAddress,
                ReviewPool = review.ContractAddress, Treasury = _treasury.ContractAddress, TeamVesting = _teamVesting.ContractAddress,
            },
            NonVotingHolders = [], // no protocol contracts in this foundation-only deployment: nothing is non-voting
        }, bound.Token);
        _token = new AccTokenService(_web3, _tokenDeployment.ContractAddress);
        _feeRouter = await FeeRouterService.DeployContractAndGetServiceAsync(_web3,
            new RouterDef.FeeRouterDeployment { Token = _token.ContractAddress, RewardsPool = _validatorsPool.ContractAddress, Governance = gov }, bound.Token); // nonce + 8
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    [Test]
    public async Task Deploy_AtThePredictedAddress_ViewsReadTheGenesis_AndTheMintsDecodeFromReceiptAndLogs()
    {
        Assert.That(_token.ContractAddress, Is.EqualTo(_predictedToken).IgnoreCase, "AccToken at deployer nonce + 7, as AgentClusterDeployment predicts");
        Assert.That(await _token.TotalSupplyQueryAsync(), Is.EqualTo(TotalSupply));
        Assert.That(await _token.NameQueryAsync(), Is.EqualTo("AgentCluster"));
        Assert.That(await _token.SymbolQueryAsync(), Is.EqualTo("ACC"));
        Assert.That(await _token.DecimalsQueryAsync(), Is.EqualTo((byte)18));
        Assert.That(await _token.OwnerQueryAsync(), Is.EqualTo(_timelock.ContractAddress).IgnoreCase);
        Assert.That(await _token.BalanceOfQueryAsync(_treasury.ContractAddress), Is.EqualTo(TreasuryShare));
        Assert.That(await _token.BalanceOfQueryAsync(new Token.BalanceOfFunction { Account = _teamVesting.ContractAddress },
            new BlockParameter(_tokenDeployment.BlockNumber)), Is.EqualTo(TeamShare), "a view at the deployment's block");
        Assert.That(await _validatorsPool.PoolQueryAsync(), Is.EqualTo("validators"));
        Assert.That(await _validatorsPool.TokenQueryAsync(), Is.EqualTo(_token.ContractAddress).IgnoreCase);
        Assert.That(await _teamVesting.CliffQueryAsync(), Is.EqualTo(TeamCliff));
        Assert.That(await _timelock.GetMinDelayQueryAsync(), Is.EqualTo(new BigInteger(TimelockDelay)));

        // The genesis mints, from the deployment receipt and again through eth_getLogs.
        var minted = _tokenDeployment.DecodeAllEvents<Token.TransferEventDTO>();
        Assert.That(minted.Select(m => m.Event.From), Is.All.EqualTo(AddressUtil.ZERO_ADDRESS));
        Assert.That(minted.Select(m => m.Event.Value), Is.EquivalentTo(new[] { ValidatorsShare, ComputeShare, MarketplaceShare, ReviewShare, TreasuryShare, TeamShare }));
        Assert.That(minted.Select(m => m.Event.To.ToLowerInvariant()), Does.Contain(_treasury.ContractAddress.ToLowerInvariant()));

        Event<Token.TransferEventDTO> transfers = _web3.Eth.GetEvent<Token.TransferEventDTO>(_token.ContractAddress);
        var logged = await transfers.GetAllChangesAsync(transfers.CreateFilterInput(new BlockParameter(_tokenDeployment.BlockNumber), new BlockParameter(_tokenDeployment.BlockNumber)));
        Assert.That(logged.Select(l => (l.Event.To.ToLowerInvariant(), l.Event.Value)), Is.EqualTo(minted.Select(m => (m.Event.To.ToLowerInvariant(), m.Event.Value))));
        Assert.That(logged.Select(l => l.Log.TransactionHash), Is.All.EqualTo(_tokenDeployment.TransactionHash));
    }

    [Test]
    public async Task Requests_ReleaseAndTransfer_DecodeTheirEventsFromTheReceipts()
    {
        using var bound = Bound();
        await IncreaseTimeAsync(30 * 24 * 3600);
        BigInteger releasable = await _validatorsPool.ReleasableQueryAsync();
        Assert.That(releasable, Is.GreaterThan(BigInteger.Zero));

        TransactionReceipt release = await _validatorsPool.ReleaseRequestAndWaitForReceiptAsync(bound.Token);
        Assert.That(release.Succeeded(), Is.True);
        VaultDef.ReleasedEventDTO released = release.DecodeAllEvents<VaultDef.ReleasedEventDTO>().Single().Event;
        Assert.That(released.Beneficiary, Is.EqualTo(_me).IgnoreCase);
        Assert.That(released.Amount, Is.GreaterThanOrEqualTo(releasable));
        Token.TransferEventDTO paid = release.DecodeAllEvents<Token.TransferEventDTO>().Single().Event;
        Assert.That((paid.From.ToLowerInvariant(), paid.To.ToLowerInvariant(), paid.Value),
            Is.EqualTo((_validatorsPool.ContractAddress.ToLowerInvariant(), _me.ToLowerInvariant(), released.Amount)));

        string recipient = EthECKeyAddress();
        var amount = new BigInteger(1_234_567);
        TransactionReceipt receipt = await _token.TransferRequestAndWaitForReceiptAsync(recipient, amount, bound.Token);
        Assert.That(receipt.Succeeded(), Is.True);
        var sent = receipt.DecodeAllEvents<Token.TransferEventDTO>().Single();
        Assert.That((sent.Event.From.ToLowerInvariant(), sent.Event.To.ToLowerInvariant(), sent.Event.Value), Is.EqualTo((_me.ToLowerInvariant(), recipient.ToLowerInvariant(), amount)));
        Assert.That(sent.Log.TransactionHash, Is.EqualTo(receipt.TransactionHash));
        Assert.That(receipt.DecodeAllEvents<Token.ApprovalEventDTO>(), Is.Empty, "a Transfer log is not an Approval");
        Assert.That(receipt.DecodeAllEvents<VaultDef.ReleasedEventDTO>(), Is.Empty);
        Assert.That(await _token.BalanceOfQueryAsync(recipient), Is.EqualTo(amount));

        // The message overload, as Nethereum users write it.
        string hash = await _token.TransferRequestAsync(new Token.TransferFunction { To = recipient, Value = 1 });
        TransactionReceipt second = await _web3.Eth.TransactionManager.TransactionReceiptService.PollForReceiptAsync(hash, bound.Token);
        Assert.That(second.Succeeded(), Is.True);
        Assert.That(await _token.BalanceOfQueryAsync(recipient), Is.EqualTo(amount + 1));
    }

    [Test]
    public async Task Reverts_FromRequestsEstimatesAndQueries_ArriveAsTypedOwnableUnauthorizedAccount_AndUseNoNonce()
    {
        BigInteger nonce = (await _web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(_me, BlockParameter.CreatePending())).Value;

        var request = Assert.ThrowsAsync<ContractCustomErrorException<TreasuryDef.OwnableUnauthorizedAccountError>>(
            () => _treasury.TransferRequestAsync(_token.ContractAddress, _me, 1))!;
        Assert.That(request.Error.Account, Is.EqualTo(_me).IgnoreCase);
        Assert.That(request.ErrorName, Is.EqualTo("OwnableUnauthorizedAccount"));
        Assert.That(request.InnerException, Is.InstanceOf<SmartContractCustomErrorRevertException>(), "Nethereum's exception is kept");

        var estimate = Assert.ThrowsAsync<ContractCustomErrorException<TreasuryDef.OwnableUnauthorizedAccountError>>(
            () => _treasury.TransferEstimateGasAsync(new TreasuryDef.TransferFunction { Token = _token.ContractAddress, To = _me, Amount = 1 }))!;
        Assert.That(estimate.Error.Account, Is.EqualTo(_me).IgnoreCase);
        using var bound = Bound();
        Assert.ThrowsAsync<ContractCustomErrorException<TreasuryDef.OwnableUnauthorizedAccountError>>(
            () => _treasury.TransferRequestAndWaitForReceiptAsync(_token.ContractAddress, _me, 1, bound.Token));
        var router = Assert.ThrowsAsync<ContractCustomErrorException<RouterDef.OwnableUnauthorizedAccountError>>(
            () => _feeRouter.SetBurnShareRequestAsync(10))!;
        Assert.That(router.Error.Account, Is.EqualTo(_me).IgnoreCase, "each service decodes into its own contract's error type");

        Assert.That((await _web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(_me, BlockParameter.CreatePending())).Value, Is.EqualTo(nonce),
            "a revert in estimation sends nothing");
        TransactionReceipt next = await _token.TransferRequestAndWaitForReceiptAsync(EthECKeyAddress(), 0, bound.Token);
        Assert.That(next.Succeeded(), Is.True, "and the next transaction is not stuck behind a nonce gap");
    }

    [Test]
    public async Task Reverts_ERC20AndERC5805Errors_FromQueriesAndSimulations_CarryTheirArguments()
    {
        ulong clock = await _token.ClockQueryAsync();
        var future = Assert.ThrowsAsync<ContractCustomErrorException<Token.ERC5805FutureLookupError>>(
            () => _token.GetPastVotesQueryAsync(_me, clock + 1000))!;
        Assert.That((future.Error.Timepoint, future.Error.Clock), Is.EqualTo((new BigInteger(clock + 1000), clock)));

        string poor = EthECKeyAddress();
        var allowance = Assert.ThrowsAsync<ContractCustomErrorException<Token.ERC20InsufficientAllowanceError>>(
            () => _token.TransferFromSimulateAsync(poor, _me, 5))!;
        Assert.That((allowance.Error.Spender.ToLowerInvariant(), allowance.Error.Allowance, allowance.Error.Needed), Is.EqualTo((_me.ToLowerInvariant(), BigInteger.Zero, new BigInteger(5))));
        Assert.That(allowance.Message, Does.Contain("ERC20InsufficientAllowance"));
        Assert.ThrowsAsync<ContractCustomErrorException<Token.ERC20InsufficientAllowanceError>>(() => _token.TransferFromRequestAsync(poor, _me, 5));
    }

    [Test]
    public async Task MultiOutputFunction_SimulatesToItsOutputDto_AndRoutesWithEventsAcrossContracts()
    {
        using var bound = Bound();
        FeeRouterService router = await FeeRouterService.DeployContractAndGetServiceAsync(_web3,
            new RouterDef.FeeRouterDeployment { Token = _token.ContractAddress, RewardsPool = _validatorsPool.ContractAddress, Governance = _me }, bound.Token);
        var tooHigh = Assert.ThrowsAsync<ContractCustomErrorException<RouterDef.BurnShareTooHighError>>(() => router.SetBurnShareEstimateGasAsync(new RouterDef.SetBurnShareFunction { Bps = 10_001 }))!;
        Assert.That((tooHigh.Error.Bps, tooHigh.Error.MaxBps), Is.EqualTo((new BigInteger(10_001), new BigInteger(10_000))));

        ushort before = await router.BurnShareBpsQueryAsync();
        TransactionReceipt set = await router.SetBurnShareRequestAndWaitForReceiptAsync(2_500, bound.Token);
        RouterDef.BurnShareSetEventDTO changed = set.DecodeAllEvents<RouterDef.BurnShareSetEventDTO>().Single().Event;
        Assert.That((changed.PreviousBps, changed.NewBps), Is.EqualTo((before, (ushort)2_500)));
        await EnsureDeployerHoldsTokensAsync(bound.Token);

        var amount = new BigInteger(1_000_000);
        Assert.That((await _token.ApproveRequestAndWaitForReceiptAsync(router.ContractAddress, amount, bound.Token)).Succeeded(), Is.True);
        RouterDef.RouteFeeOutputDTO split = await router.RouteFeeSimulateAsync(amount);
        Assert.That((split.Burned, split.ToRewards), Is.EqualTo((new BigInteger(250_000), new BigInteger(750_000))));

        TransactionReceipt routed = await router.RouteFeeRequestAndWaitForReceiptAsync(amount, bound.Token);
        RouterDef.FeeRoutedEventDTO fee = routed.DecodeAllEvents<RouterDef.FeeRoutedEventDTO>().Single().Event;
        Assert.That((fee.Payer.ToLowerInvariant(), fee.Amount, fee.Burned, fee.ToRewards), Is.EqualTo((_me.ToLowerInvariant(), amount, split.Burned, split.ToRewards)));
        var moved = routed.DecodeAllEvents<Token.TransferEventDTO>().Select(t => (t.Event.From.ToLowerInvariant(), t.Event.To.ToLowerInvariant(), t.Event.Value)).ToArray();
        Assert.That(moved, Does.Contain((router.ContractAddress.ToLowerInvariant(), AddressUtil.ZERO_ADDRESS, split.Burned)), "the burn");
        Assert.That(moved, Does.Contain((router.ContractAddress.ToLowerInvariant(), _validatorsPool.ContractAddress.ToLowerInvariant(), split.ToRewards)));
    }

    [Test]
    public async Task Panic_AndConstructorReverts_ArriveTyped()
    {
        using var bound = Bound();
        // allocation * elapsed overflows in vestedAt: Panic(0x11).
        TeamVestingService huge = await TeamVestingService.DeployContractAndGetServiceAsync(_web3, new VestingDef.TeamVestingDeployment
        {
            Token = _token.ContractAddress, Allocation = BigInteger.Pow(2, 255), Start = 1, Cliff = 0, Duration = ulong.MaxValue, Beneficiary = _me,
        }, bound.Token);
        var panic = Assert.ThrowsAsync<ContractPanicException>(() => huge.VestedAtQueryAsync(1000))!;
        Assert.That(panic.Code, Is.EqualTo(new BigInteger(0x11)));

        var deployment = new VestingDef.TeamVestingDeployment { Token = _token.ContractAddress, Allocation = 1, Start = 1, Cliff = 10, Duration = 5, Beneficiary = _me };
        var refused = Assert.ThrowsAsync<ContractCustomErrorException<VestingDef.InvalidVaultParameterError>>(
            () => TeamVestingService.DeployContractAndWaitForReceiptAsync(_web3, deployment, bound.Token))!;
        Assert.That(refused.Error.Parameter, Is.EqualTo("cliff/duration"));
        Assert.ThrowsAsync<ContractCustomErrorException<VestingDef.InvalidVaultParameterError>>(() => TeamVestingService.EstimateDeploymentGasAsync(_web3, deployment));
    }

    [Test]
    public void Service_RefusesAMalformedOrZeroAddress()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new AccTokenService(_web3, "0x1234"))!.Message, Does.Contain("20-byte hex address"));
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new AccTokenService(_web3, AddressUtil.ZERO_ADDRESS))!.Message, Does.Contain("zero address"));
        Assert.Throws<ArgumentNullException>(() => _ = new AccTokenService(null!, _token.ContractAddress));
    }

    private async Task<EmissionVaultService> DeployVaultAsync(string pool, BigInteger share, ulong start, string governance, CancellationToken ct) =>
        await EmissionVaultService.DeployContractAndGetServiceAsync(_web3, new VaultDef.EmissionVaultDeployment
        {
            Pool = pool, Token = _predictedToken, Allocation = share, Start = start, Owner = governance, Beneficiary = _me,
        }, ct);

    private async Task EnsureDeployerHoldsTokensAsync(CancellationToken ct)
    {
        if (await _token.BalanceOfQueryAsync(_me) >= 10_000_000)
        {
            return;
        }

        await IncreaseTimeAsync(7 * 24 * 3600);
        Assert.That((await _validatorsPool.ReleaseRequestAndWaitForReceiptAsync(ct)).Succeeded(), Is.True);
    }

    private async Task IncreaseTimeAsync(long seconds)
    {
        await _web3.Client.SendRequestAsync(new RpcRequest(1, "evm_increaseTime", seconds));
        await _web3.Client.SendRequestAsync(new RpcRequest(2, "evm_mine"));
    }

    private static string EthECKeyAddress() => Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

    /// <summary>Every wait for a receipt is bounded.</summary>
    private static CancellationTokenSource Bound() => new(TimeSpan.FromSeconds(60));

    private static BigInteger Share(int bps) => TotalSupply * bps / 10_000;
}
