using System.Numerics;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Evm.Bindings.AccToken.ContractDefinition;
using AgentCluster.Sdk.Events;
using AgentCluster.Testing;
using Nethereum.Hex.HexTypes;
using Nethereum.Web3;

namespace AgentCluster.Sdk.Tests.Events;

/// <summary>The reorg-aware event stream against anvil: ACC <c>Approval</c> events (approve needs no balance) of a deployed suite.</summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class EventStreamTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private AgentClusterSuite _suite = null!;
    private string _token = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _suite = await AgentClusterSuite.StartAsync();
        _token = _suite.Manifest.AddressOf("AccToken");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _suite.DisposeAsync();

    /// <summary>A plain Nethereum Web3 for account 1 (no journal: a reverted chain must not be "repaired" by the durable manager).</summary>
    private Web3 PlainWeb3() => new(new Nethereum.Web3.Accounts.Account(AnvilAccounts.PrivateKeys[1], _suite.Node.ChainId), _suite.Node.RpcUrl.ToString());

    private async Task<BigInteger> ApproveAsync(BigInteger amount)
    {
        var receipt = await new AccTokenService(PlainWeb3(), _token).ApproveRequestAndWaitForReceiptAsync(AnvilAccounts.Addresses[2], amount);
        Assert.That(receipt.Status.Value, Is.EqualTo(BigInteger.One));
        return receipt.BlockNumber.Value;
    }

    private async Task<BigInteger> HeadAsync() => (await _suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    private static async Task<ChainEvent<ApprovalEventDTO>> NextAsync(IAsyncEnumerator<ChainEvent<ApprovalEventDTO>> stream)
    {
        Task<bool> move = stream.MoveNextAsync().AsTask();
        Assert.That(await Task.WhenAny(move, Task.Delay(Bound)), Is.SameAs(move), "no event within the bound");
        Assert.That(await move, Is.True);
        return stream.Current;
    }

    private IAsyncEnumerator<ChainEvent<ApprovalEventDTO>> Open(EventStreamOptions options, CancellationToken ct) =>
        EventStream.StreamAsync<ApprovalEventDTO>(_suite.Web3, _token, options, ct).GetAsyncEnumerator(ct);

    [Test]
    public async Task Delivers_history_then_follows_the_head_in_chain_order()
    {
        BigInteger start = await HeadAsync() + 1;
        BigInteger first = await ApproveAsync(11);
        BigInteger second = await ApproveAsync(12);
        using var cts = new CancellationTokenSource(Bound * 2);
        await using var stream = Open(new EventStreamOptions { FromBlock = start, PollInterval = TimeSpan.FromMilliseconds(50) }, cts.Token);

        ChainEvent<ApprovalEventDTO> a = await NextAsync(stream);
        ChainEvent<ApprovalEventDTO> b = await NextAsync(stream);
        Assert.That((a.Event.Value, a.BlockNumber, a.Removed), Is.EqualTo((new BigInteger(11), first, false)));
        Assert.That((b.Event.Value, b.BlockNumber, b.Removed), Is.EqualTo((new BigInteger(12), second, false)));
        Assert.That(a.Event.Owner, Is.EqualTo(AnvilAccounts.Addresses[1]).IgnoreCase);

        BigInteger third = await ApproveAsync(13); // sent after the stream caught up: it must follow the head
        ChainEvent<ApprovalEventDTO> c = await NextAsync(stream);
        Assert.That((c.Event.Value, c.BlockNumber), Is.EqualTo((new BigInteger(13), third)));
    }

    [Test]
    public async Task Resumes_from_a_block_without_repeating_earlier_events()
    {
        BigInteger start = await HeadAsync() + 1;
        await ApproveAsync(21);
        BigInteger resumeAt = await ApproveAsync(22);
        using var cts = new CancellationTokenSource(Bound * 2);
        await using var stream = Open(new EventStreamOptions { FromBlock = resumeAt, PollInterval = TimeSpan.FromMilliseconds(50) }, cts.Token);
        ChainEvent<ApprovalEventDTO> e = await NextAsync(stream);
        Assert.That((e.Event.Value, e.BlockNumber), Is.EqualTo((new BigInteger(22), resumeAt)), $"resumed at {resumeAt}, history began at {start}");
    }

    [Test]
    public async Task A_reorganisation_takes_back_the_orphaned_events_then_delivers_the_new_branch()
    {
        BigInteger start = await HeadAsync() + 1;
        string snapshot = await _suite.Web3.Client.SendRequestAsync<string>("evm_snapshot");
        BigInteger orphanBlock = await ApproveAsync(31);
        using var cts = new CancellationTokenSource(Bound * 3);
        await using var stream = Open(new EventStreamOptions { FromBlock = start, PollInterval = TimeSpan.FromMilliseconds(50) }, cts.Token);
        ChainEvent<ApprovalEventDTO> orphan = await NextAsync(stream);
        Assert.That((orphan.Event.Value, orphan.Removed), Is.EqualTo((new BigInteger(31), false)));

        Assert.That(await _suite.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot), Is.True);
        await _suite.Web3.Client.SendRequestAsync<string>("evm_mine"); // an empty block where the orphan was: a different hash
        BigInteger replacement = await ApproveAsync(32);

        ChainEvent<ApprovalEventDTO> removed = await NextAsync(stream);
        Assert.That((removed.Event.Value, removed.Removed, removed.BlockNumber, removed.BlockHash), Is.EqualTo((new BigInteger(31), true, orphanBlock, orphan.BlockHash)));
        ChainEvent<ApprovalEventDTO> fresh = await NextAsync(stream);
        Assert.That((fresh.Event.Value, fresh.Removed, fresh.BlockNumber), Is.EqualTo((new BigInteger(32), false, replacement)));
        Assert.That(replacement, Is.GreaterThan(orphanBlock));
    }

    [Test]
    public async Task A_reorganisation_deeper_than_remembered_is_a_typed_error_not_silence()
    {
        BigInteger start = await HeadAsync() + 1;
        string snapshot = await _suite.Web3.Client.SendRequestAsync<string>("evm_snapshot");
        await ApproveAsync(51);
        await ApproveAsync(52);
        using var cts = new CancellationTokenSource(Bound * 2);
        await using var stream = Open(new EventStreamOptions { FromBlock = start, ReorgDepth = 1, PollInterval = TimeSpan.FromMilliseconds(50) }, cts.Token);
        Assert.That((await NextAsync(stream)).Event.Value, Is.EqualTo(new BigInteger(51)));
        Assert.That((await NextAsync(stream)).Event.Value, Is.EqualTo(new BigInteger(52)));

        Assert.That(await _suite.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot), Is.True);
        for (int i = 0; i < 3; i++)
        {
            await _suite.Web3.Client.SendRequestAsync<string>("evm_mine");
        }

        // Only block 52's is remembered: it is taken back, then the stream says it cannot know what else to undo.
        Assert.That((await NextAsync(stream)) is { Removed: true } r && r.Event.Value == 52, Is.True);
        Assert.That(async () => await stream.MoveNextAsync(), Throws.InstanceOf<ReorgTooDeepException>());
    }

    [Test]
    public async Task Confirmations_hold_an_event_back_until_it_is_buried()
    {
        BigInteger start = await HeadAsync() + 1;
        BigInteger block = await ApproveAsync(41);
        using var cts = new CancellationTokenSource(Bound * 2);
        await using var stream = Open(new EventStreamOptions { FromBlock = start, Confirmations = 2, PollInterval = TimeSpan.FromMilliseconds(50) }, cts.Token);

        Task<bool> move = stream.MoveNextAsync().AsTask();
        Assert.That(await Task.WhenAny(move, Task.Delay(TimeSpan.FromMilliseconds(600))), Is.Not.SameAs(move), "delivered with fewer than 2 confirmations");
        await _suite.Web3.Client.SendRequestAsync<string>("evm_mine");
        await _suite.Web3.Client.SendRequestAsync<string>("evm_mine");
        Assert.That(await Task.WhenAny(move, Task.Delay(Bound)), Is.SameAs(move), "not delivered after 2 confirmations");
        Assert.That(await move, Is.True);
        Assert.That((stream.Current.Event.Value, stream.Current.BlockNumber), Is.EqualTo((new BigInteger(41), block)));
    }

    [Test]
    public void Bad_input_is_refused_before_any_request()
    {
        Assert.That(() => EventStream.StreamAsync<ApprovalEventDTO>(_suite.Web3, "0x1234", null).GetAsyncEnumerator().MoveNextAsync().AsTask(),
            Throws.InstanceOf<FormatException>().With.Message.Contains("exactly 40"));
        Assert.That(() => Open(new EventStreamOptions { Confirmations = -1 }, default).MoveNextAsync().AsTask(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("Confirmations"));
        Assert.That(() => Open(new EventStreamOptions { FromBlock = -5 }, default).MoveNextAsync().AsTask(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("FromBlock"));
        Assert.That(() => Open(new EventStreamOptions { PollInterval = TimeSpan.Zero }, default).MoveNextAsync().AsTask(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("PollInterval"));
    }
}
