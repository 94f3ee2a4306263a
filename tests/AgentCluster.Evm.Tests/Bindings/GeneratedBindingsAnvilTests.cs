using System.Numerics;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Tests.Fixtures;
using AgentCluster.Evm.TransactionManagement;

namespace AgentCluster.Evm.Tests.Bindings;

/// <summary>
/// The generated bindings against a real anvil: the foundation of the suite (timelock, emission vaults, team vesting, treasury, token,
/// fee router) is deployed through them at the addresses scripts/evm/AgentClusterDeployment.sol predicts from the deployer's nonce,
/// then called, sent to, and made to revert.
/// </summary>
[Category("Anvil")]
[NonParallelizable]
public sealed class GeneratedBindingsAnvilTests
{
    // AccGenesis: 1e9 ACC split 30/25/15/10/8/12 %.
    private static readonly UInt256 TotalSupply = (UInt256)BigInteger.Parse("1000000000000000000000000000");
    private static readonly UInt256 ValidatorsShare = Share(3_000), ComputeShare = Share(2_500), MarketplaceShare = Share(1_500), ReviewShare = Share(1_000);
    private static readonly UInt256 TreasuryShare = Share(800), TeamShare = TotalSupply - Share(3_000) - Share(2_500) - Share(1_500) - Share(1_000) - Share(800);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private const ulong TimelockDelay = 7 * 24 * 3600;
    private const ulong TeamCliff = 365 * 24 * 3600, TeamDuration = 4 * 365 * 24 * 3600;

    private AnvilFixture _anvil = null!;
    private string _directory = null!;
    private EthRpcClient _client = null!;
    private EthECKey _deployer = null!;
    private TransactionManager _manager = null!;
    private AgentClusterTimelockService _timelock = null!;
    private EmissionVaultService _validatorsPool = null!;
    private TeamVestingService _teamVesting = null!;
    private TreasuryService _treasury = null!;
    private AccTokenService _token = null!;
    private FeeRouterService _feeRouter = null!;
    private Address _predictedToken;
    private ulong _genesis;

    [OneTimeSetUp]
    public async Task DeployFoundationAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "agentcluster-bindings-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _anvil = await AnvilFixture.StartAsync();
        _client = _anvil.CreateResilientClient();
        _deployer = await _anvil.CreateFundedKeyAsync();
        _manager = await CreateManagerAsync(_deployer, "deployer.db");

        Block latest = (await _client.GetBlockByNumberAsync(BlockParameter.Latest))!;
        _genesis = latest.Timestamp;
        ulong nonce = _manager.NextNonce;
        _predictedToken = Address.ForCreate(_deployer.Address, nonce + 7);
        Address predictedGovernor = Address.ForCreate(_deployer.Address, nonce + 10);
        Address me = _deployer.Address;

        _timelock = await AgentClusterTimelockService.DeployAgentClusterTimelockAsync(_client, _manager, TimelockDelay, predictedGovernor); // nonce + 0
        Address gov = _timelock.Address;
        _validatorsPool = await EmissionVaultService.DeployEmissionVaultAsync(_client, _manager, "validators", _predictedToken, ValidatorsShare, _genesis, gov, me);
        EmissionVaultService compute = await EmissionVaultService.DeployEmissionVaultAsync(_client, _manager, "compute", _predictedToken, ComputeShare, _genesis, gov, me);
        EmissionVaultService marketplace = await EmissionVaultService.DeployEmissionVaultAsync(_client, _manager, "marketplace", _predictedToken, MarketplaceShare, _genesis, gov, me);
        EmissionVaultService review = await EmissionVaultService.DeployEmissionVaultAsync(_client, _manager, "review", _predictedToken, ReviewShare, _genesis, gov, me);
        _teamVesting = await TeamVestingService.DeployTeamVestingAsync(_client, _manager, _predictedToken, TeamShare, _genesis, TeamCliff, TeamDuration, me);
        _treasury = await TreasuryService.DeployTreasuryAsync(_client, _manager, gov); // nonce + 6
        _token = await AccTokenService.DeployAccTokenAsync(_client, _manager, gov, // nonce + 7
            new GenesisRecipients(_validatorsPool.Address, compute.Address, marketplace.Address, review.Address, _treasury.Address, _teamVesting.Address),
            Array.Empty<Address>()); // no protocol contracts in this foundation-only deployment: nothing is non-voting
        _feeRouter = await FeeRouterService.DeployFeeRouterAsync(_client, _manager, _token.Address, _validatorsPool.Address, gov); // nonce + 8
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _manager.DisposeAsync();
        await _anvil.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Test]
    public async Task Deploy_AtThePredictedAddress_TokenMintsTheGenesisSupplyToTheVaults()
    {
        Assert.That(_token.Address, Is.EqualTo(_predictedToken), "AccToken at deployer nonce + 7, as AgentClusterDeployment predicts");
        Assert.That(await _token.TotalSupplyAsync(), Is.EqualTo(TotalSupply));
        Assert.That(await _token.NameAsync(), Is.EqualTo("AgentCluster"));
        Assert.That(await _token.SymbolAsync(), Is.EqualTo("ACC"));
        Assert.That(await _token.DecimalsAsync(), Is.EqualTo((byte)18));
        Assert.That(await _token.OwnerAsync(), Is.EqualTo(_timelock.Address));
        Assert.That(await _token.BalanceOfAsync(_treasury.Address, BlockParameter.At(await _client.GetBlockNumberAsync())), Is.EqualTo(TreasuryShare));
        Assert.That(await _token.TeamVestingAsync(), Is.EqualTo(_teamVesting.Address));
        Assert.That(await _validatorsPool.PoolAsync(), Is.EqualTo("validators"));
        Assert.That(await _validatorsPool.TokenAsync(), Is.EqualTo(_token.Address));
        Assert.That(await _teamVesting.CliffAsync(), Is.EqualTo(TeamCliff));
        Assert.That(await _timelock.GetMinDelayAsync(), Is.EqualTo((UInt256)TimelockDelay));

        // The genesis mints, read back with eth_getLogs and decoded into typed events.
        IReadOnlyList<EventLog<AccTokenService.TransferEvent>> mints = await _token.GetTransferEventsAsync(toBlock: BlockParameter.Latest);
        Assert.That(mints.Take(6).Select(m => m.Event.From), Is.All.EqualTo(Address.Zero));
        Assert.That(mints.Take(6).Select(m => m.Event.Value), Is.EquivalentTo(new[] { ValidatorsShare, ComputeShare, MarketplaceShare, ReviewShare, TreasuryShare, TeamShare }));
        Assert.That(mints[0].Log.TransactionHash, Is.Not.Null);
    }

    [Test]
    public async Task Send_ReleaseAndTransfer_DecodeTheirEventsFromTheReceipts()
    {
        await _anvil.RequestAsync("evm_increaseTime", 30 * 24 * 3600);
        await _anvil.RequestAsync("evm_mine");
        UInt256 releasable = await _validatorsPool.ReleasableAsync();
        Assert.That(releasable, Is.GreaterThan(UInt256.Zero));

        TransactionReceipt release = await (await _validatorsPool.ReleaseAsync()).WaitForReceiptAsync(timeout: Bound);
        var released = _validatorsPool.DecodeReleasedEvents(release).Single().Event;
        Assert.That(released.Beneficiary, Is.EqualTo(_deployer.Address));
        Assert.That(released.Amount, Is.GreaterThanOrEqualTo(releasable));
        var paid = _token.DecodeTransferEvents(release).Single().Event;
        Assert.That(paid, Is.EqualTo(new AccTokenService.TransferEvent(_validatorsPool.Address, _deployer.Address, released.Amount)));

        Address recipient = EthECKey.GenerateKey().Address;
        UInt256 amount = (UInt256)1_234_567UL;
        TransactionHandle transfer = await _token.TransferAsync(recipient, amount);
        TransactionReceipt receipt = await transfer.WaitForReceiptAsync(timeout: Bound);
        Assert.That(receipt.Succeeded, Is.True);
        EventLog<AccTokenService.TransferEvent> sent = _token.DecodeTransferEvents(receipt).Single();
        Assert.That(sent.Event, Is.EqualTo(new AccTokenService.TransferEvent(_deployer.Address, recipient, amount)));
        Assert.That(sent.Log.TransactionHash, Is.EqualTo(receipt.TransactionHash));
        Assert.That(AccTokenService.TransferEvent.TryDecode(sent.Log, out var again) && again == sent.Event, Is.True);
        Assert.That(AccTokenService.ApprovalEvent.TryDecode(sent.Log, out _), Is.False, "a Transfer log is not an Approval");
        Assert.That(await _token.BalanceOfAsync(recipient), Is.EqualTo(amount));
        Assert.That(_validatorsPool.DecodeReleasedEvents(receipt), Is.Empty, "events are filtered by emitter and topic");
    }

    [Test]
    public async Task Send_TreasuryTransferFromNonOwner_ThrowsDecodedOwnableUnauthorizedAccount_AndUsesNoNonce()
    {
        ulong nonce = _manager.NextNonce;
        var revert = Assert.ThrowsAsync<ContractRevertException>(() => _treasury.TransferAsync(_token.Address, _deployer.Address, (UInt256)1UL))!;

        Assert.That(revert.ErrorName, Is.EqualTo("OwnableUnauthorizedAccount"));
        Assert.That(revert.Arguments, Is.EqualTo(new object?[] { _deployer.Address }));
        Assert.That(TreasuryService.OwnableUnauthorizedAccountError.TryFrom(revert, out var error), Is.True);
        Assert.That(error!.Account, Is.EqualTo(_deployer.Address));
        Assert.That(TreasuryService.ZeroRecipientError.TryFrom(revert, out _), Is.False);
        Assert.That(_manager.NextNonce, Is.EqualTo(nonce), "a revert in estimation uses no nonce");

        var simulated = Assert.ThrowsAsync<ContractRevertException>(() => _treasury.SimulateTransferAsync(_token.Address, _deployer.Address, (UInt256)1UL))!;
        Assert.That(simulated.ErrorName, Is.EqualTo("OwnableUnauthorizedAccount"));
        var notOwner = Assert.ThrowsAsync<ContractRevertException>(() => _feeRouter.SetBurnShareAsync(10_001))!;
        Assert.That(notOwner.ErrorName, Is.EqualTo("OwnableUnauthorizedAccount"));
    }

    [Test]
    public async Task Revert_FromViewsSendsAndSimulations_DecodesCustomErrorsWithTheirArguments()
    {
        // A router the test account owns, so the bps check itself is reached.
        FeeRouterService router = await FeeRouterService.DeployFeeRouterAsync(_client, _manager, _token.Address, _validatorsPool.Address, _deployer.Address);
        var tooHigh = Assert.ThrowsAsync<ContractRevertException>(() => router.SimulateSetBurnShareAsync(10_001))!;
        Assert.That(FeeRouterService.BurnShareTooHighError.TryFrom(tooHigh, out var error), Is.True);
        Assert.That(error, Is.EqualTo(new FeeRouterService.BurnShareTooHighError((UInt256)10_001UL, (UInt256)10_000UL)));
        Assert.That(Assert.ThrowsAsync<ContractRevertException>(() => router.SetBurnShareAsync(10_001))!.ErrorName, Is.EqualTo("BurnShareTooHigh"));

        // A view that reverts (ERC-5805 future lookup), and an ERC-20 error with three arguments.
        ulong clock = await _token.ClockAsync();
        var future = Assert.ThrowsAsync<ContractRevertException>(() => _token.GetPastVotesAsync(_deployer.Address, (UInt256)(clock + 1000)))!;
        Assert.That(AccTokenService.ERC5805FutureLookupError.TryFrom(future, out var lookup) && lookup.Timepoint == (UInt256)(clock + 1000), Is.True, future.Message);
        Address poor = EthECKey.GenerateKey().Address;
        var insufficient = Assert.ThrowsAsync<ContractRevertException>(() => new AccTokenService(_client, _token.Address, _manager)
            .SimulateTransferFromAsync(poor, _deployer.Address, (UInt256)5UL))!;
        Assert.That(insufficient.ErrorName, Is.EqualTo("ERC20InsufficientAllowance"));
        Assert.That(insufficient.Arguments, Is.EqualTo(new object?[] { _deployer.Address, BigInteger.Zero, new BigInteger(5) }));
    }

    [Test]
    public async Task Send_RouteFee_ReturnsTheTupleOutput_AndEmitsEventsAcrossContracts()
    {
        FeeRouterService router = await FeeRouterService.DeployFeeRouterAsync(_client, _manager, _token.Address, _validatorsPool.Address, _deployer.Address);
        ushort before = await router.BurnShareBpsAsync();
        TransactionReceipt set = await (await router.SetBurnShareAsync(2_500)).WaitForReceiptAsync(timeout: Bound);
        Assert.That(router.DecodeBurnShareSetEvents(set).Single().Event, Is.EqualTo(new FeeRouterService.BurnShareSetEvent(before, 2_500)));
        Assert.That(await router.BurnShareBpsAsync(), Is.EqualTo((ushort)2_500));
        await EnsureDeployerHoldsTokensAsync();

        UInt256 amount = (UInt256)1_000_000UL;
        await (await _token.ApproveAsync(router.Address, amount)).WaitForReceiptAsync(timeout: Bound);
        FeeRouterService.RouteFeeOutput split = await router.SimulateRouteFeeAsync(amount);
        Assert.That(split, Is.EqualTo(new FeeRouterService.RouteFeeOutput((UInt256)250_000UL, (UInt256)750_000UL)));

        TransactionReceipt routed = await (await router.RouteFeeAsync(amount)).WaitForReceiptAsync(timeout: Bound);
        Assert.That(router.DecodeFeeRoutedEvents(routed).Single().Event,
            Is.EqualTo(new FeeRouterService.FeeRoutedEvent(_deployer.Address, amount, split.Burned, split.ToRewards)));
        var transfers = _token.DecodeTransferEvents(routed).Select(t => t.Event).ToArray();
        Assert.That(transfers, Does.Contain(new AccTokenService.TransferEvent(router.Address, Address.Zero, split.Burned)), "the burn");
        Assert.That(transfers, Does.Contain(new AccTokenService.TransferEvent(router.Address, _validatorsPool.Address, split.ToRewards)));
        Assert.That(await _token.TotalBurnedAsync(), Is.GreaterThanOrEqualTo(split.Burned));
    }

    [Test]
    public async Task Service_Misuse_IsRefusedAtTheEdge()
    {
        var readOnly = new AccTokenService(_client, _token.Address);
        Assert.That(await readOnly.TotalSupplyAsync(), Is.LessThanOrEqualTo(TotalSupply));
        var sendWithoutManager = Assert.ThrowsAsync<InvalidOperationException>(() => readOnly.TransferAsync(_deployer.Address, UInt256.One))!;
        Assert.That(sendWithoutManager.Message, Does.Contain("read-only"));
        var valueToNonPayable = Assert.ThrowsAsync<ArgumentException>(() => _token.TransferAsync(_deployer.Address, UInt256.One, new SendOptions { Value = UInt256.One }))!;
        Assert.That(valueToNonPayable.Message, Does.Contain("not payable"));
        Assert.Throws<ArgumentException>(() => new AccTokenService(_client, Address.Zero));
        var noContract = Assert.ThrowsAsync<InvalidOperationException>(() => new AccTokenService(_client, EthECKey.GenerateKey().Address).TotalSupplyAsync())!;
        Assert.That(noContract.Message, Does.Contain("no contract"));
    }

    private async Task EnsureDeployerHoldsTokensAsync()
    {
        if (await _token.BalanceOfAsync(_deployer.Address) >= (UInt256)10_000_000UL)
        {
            return;
        }

        await _anvil.RequestAsync("evm_increaseTime", 7 * 24 * 3600);
        await _anvil.RequestAsync("evm_mine");
        await (await _validatorsPool.ReleaseAsync()).WaitForReceiptAsync(timeout: Bound);
    }

    private Task<TransactionManager> CreateManagerAsync(EthECKey signer, string journal) =>
        TransactionManager.CreateAsync(_client, signer, new TransactionManagerOptions
        {
            JournalPath = Path.Combine(_directory, journal),
            PollInterval = TimeSpan.FromMilliseconds(50),
        });

    private static UInt256 Share(int bps) => (UInt256)(BigInteger.Parse("1000000000000000000000000000") * bps / 10_000);
}
