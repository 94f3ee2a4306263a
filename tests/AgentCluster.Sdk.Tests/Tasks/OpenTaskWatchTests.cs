using System.Numerics;
using AgentCluster.Sdk.Events;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Sdk.Tests.Identity;
using AgentCluster.Testing;
using Nethereum.JsonRpc.Client;
using Nethereum.Util;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Sdk.Tests.Tasks;

/// <summary>
/// <see cref="TasksClient.WatchOpenTasksAsync"/> (open tasks as a stream, with closings and a reorganisation) and the permit signed
/// through the client's signer (a local key and an external signer; cast as the oracle of the signature), against anvil.
/// </summary>
[NonParallelizable, Category("Anvil")]
public sealed class OpenTaskWatchTests
{
    private const int ReorgRequester = 5;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private MarketWorld _world = null!;
    private AgentClusterClient _requester = null!;
    private AgentClusterClient _executor = null!;
    private AgentClusterClient _keeper = null!;
    private TimeSpan _biddingWindow;
    private string _dir = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        _world = await MarketWorld.StartAsync(committeeSize: 0, cts.Token);
        _requester = await _world.ClientAsync(MarketWorld.Requester, cts.Token);
        _executor = await _world.ClientAsync(MarketWorld.ExecutorOwner, cts.Token);
        _keeper = await _world.ClientAsync(0, cts.Token);
        _biddingWindow = (await _keeper.Tasks.GetMarketParametersAsync(cts.Token)).BiddingWindow;
        await _world.Suite.FundAsync(AnvilAccounts.Addresses[ReorgRequester], 10_000 * MarketWorld.Acc, cts.Token);
        _dir = Directory.CreateTempSubdirectory("sdk-open-tasks-").FullName;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<TaskSubmission> RequestAsync(ulong capabilities, string requirements = "summarise the paper") => new()
    {
        RequirementsHash = Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(requirements)),
        Capabilities = capabilities,
        Bounty = 100 * MarketWorld.Acc,
        Deadline = await _world.ChainTimeAsync() + TimeSpan.FromDays(1),
        CommitteeSize = 10,
    };

    private async Task<BigInteger> HeadAsync() => (await _world.Suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    private IAsyncEnumerator<OpenTaskChange> Watch(BigInteger fromBlock, CancellationToken ct) =>
        _executor.Tasks.WatchOpenTasksAsync(MarketWorld.ExecutorCapabilities,
            new EventStreamOptions { FromBlock = fromBlock, PollInterval = TimeSpan.FromMilliseconds(100) }, ct).GetAsyncEnumerator(ct);

    private static async Task<OpenTaskChange> NextAsync(IAsyncEnumerator<OpenTaskChange> watch)
    {
        Task<bool> move = watch.MoveNextAsync().AsTask();
        Assert.That(await Task.WhenAny(move, Task.Delay(Bound)), Is.SameAs(move), "no change within the bound");
        Assert.That(await move, Is.True);
        return watch.Current;
    }

    /// <summary>Moves the clock past the bidding window without mining: the next transaction's block carries the new time.</summary>
    private Task IncreaseTimeAsync() =>
        _world.Suite.Web3.Client.SendRequestAsync(new RpcRequest(1, "evm_increaseTime", (long)_biddingWindow.TotalSeconds + 1));

    [Test]
    public async Task Watch_YieldsMatchingTasksAsTheyOpen_ThenTheirAssignmentAndRefund()
    {
        using var cts = new CancellationTokenSource(Bound * 3);
        BigInteger from = await HeadAsync() + 1;
        await using IAsyncEnumerator<OpenTaskChange> watch = Watch(from, cts.Token);

        SubmittedTask other = await _requester.Tasks.SubmitAsync(await RequestAsync(0b010), cts.Token); // needs a capability the executor lacks
        SubmittedTask a = await _requester.Tasks.SubmitAsync(await RequestAsync(0b001), cts.Token);
        SubmittedTask b = await _requester.Tasks.SubmitAsync(await RequestAsync(0b100), cts.Token);

        // "other" came first: had it been reported, it would be the first change.
        OpenTaskChange openedA = await NextAsync(watch);
        OpenTaskChange openedB = await NextAsync(watch);
        Assert.Multiple(() =>
        {
            Assert.That((openedA.Kind, openedA.Task.TaskId, openedA.Reason, openedA.Status),
                Is.EqualTo((OpenTaskChangeKind.Opened, a.TaskId, OpenTaskClosedReason.None, MarketTaskStatus.Bidding)));
            Assert.That(openedA.Task.BlockNumber, Is.EqualTo(a.BlockNumber));
            Assert.That(openedA.Task.Bounty, Is.EqualTo(100 * MarketWorld.Acc));
            Assert.That(openedA.Task.Capabilities, Is.EqualTo(0b001UL));
            Assert.That(openedA.Task.Requester, Is.EqualTo(_requester.Address).IgnoreCase);
            Assert.That(openedA.ResumeFromBlock, Is.EqualTo(a.BlockNumber), "a is open: a restart must read its submission again");
            Assert.That((openedB.Kind, openedB.Task.TaskId), Is.EqualTo((OpenTaskChangeKind.Opened, b.TaskId)));
            Assert.That(openedB.ResumeFromBlock, Is.EqualTo(a.BlockNumber), "the oldest open task's block");
            Assert.That(other.TaskId, Is.Not.EqualTo(a.TaskId));
        });

        await _executor.Tasks.BidAsync(a.TaskId, _world.Executor, 50 * MarketWorld.Acc, cts.Token);
        await IncreaseTimeAsync();
        await _keeper.Tasks.AssignAsync(a.TaskId, cts.Token); // a has a bid: assigned
        await _keeper.Tasks.AssignAsync(b.TaskId, cts.Token); // b has none: refunded

        var closed = new[] { await NextAsync(watch), await NextAsync(watch) }.OrderBy(c => c.Task.TaskId).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That((closed[0].Kind, closed[0].Task.TaskId, closed[0].Reason, closed[0].Status),
                Is.EqualTo((OpenTaskChangeKind.Closed, a.TaskId, OpenTaskClosedReason.Assigned, MarketTaskStatus.Assigned)));
            Assert.That((closed[1].Kind, closed[1].Task.TaskId, closed[1].Reason, closed[1].Status),
                Is.EqualTo((OpenTaskChangeKind.Closed, b.TaskId, OpenTaskClosedReason.Refunded, MarketTaskStatus.Refunded)));
            Assert.That(closed.Max(c => c.ResumeFromBlock), Is.EqualTo(b.BlockNumber + 1), "nothing open: resume after the last submission");
        });
    }

    [Test]
    public async Task Watch_ResumesFromItsCursor_AndSaysWhenTheBiddingWindowRunsOut()
    {
        using var cts = new CancellationTokenSource(Bound * 3);
        BigInteger from = await HeadAsync() + 1;
        SubmittedTask d = await _requester.Tasks.SubmitAsync(await RequestAsync(0b001, "d"), cts.Token);
        BigInteger resume;
        await using (IAsyncEnumerator<OpenTaskChange> first = Watch(from, cts.Token))
        {
            OpenTaskChange opened = await NextAsync(first);
            Assert.That((opened.Kind, opened.Task.TaskId), Is.EqualTo((OpenTaskChangeKind.Opened, d.TaskId)));
            resume = opened.ResumeFromBlock;
        } // disposed while its next read is pending, as a process that stops

        SubmittedTask e = await _requester.Tasks.SubmitAsync(await RequestAsync(0b101, "e"), cts.Token);
        await using IAsyncEnumerator<OpenTaskChange> second = Watch(resume, cts.Token);
        OpenTaskChange again = await NextAsync(second);
        OpenTaskChange next = await NextAsync(second);
        Assert.That((again.Kind, again.Task.TaskId), Is.EqualTo((OpenTaskChangeKind.Opened, d.TaskId)), "still open: reported again from the cursor");
        Assert.That((next.Kind, next.Task.TaskId), Is.EqualTo((OpenTaskChangeKind.Opened, e.TaskId)));

        await _world.WarpAsync((long)_biddingWindow.TotalSeconds + 1); // a mined block past the window; nobody assigns
        var closed = new[] { await NextAsync(second), await NextAsync(second) }.OrderBy(c => c.Task.TaskId).ToArray();
        Assert.That(closed.Select(c => (c.Kind, c.Task.TaskId, c.Reason, c.Status)), Is.EqualTo(new[]
        {
            (OpenTaskChangeKind.Closed, d.TaskId, OpenTaskClosedReason.BiddingEnded, MarketTaskStatus.Bidding),
            (OpenTaskChangeKind.Closed, e.TaskId, OpenTaskClosedReason.BiddingEnded, MarketTaskStatus.Bidding),
        }));
    }

    /// <summary>An SDK client over a plain Nethereum Web3 (no journal: the durable manager would re-send the orphaned submission).</summary>
    private async Task<AgentClusterClient> PlainClientAsync(CancellationToken ct) => await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
    {
        Web3 = new Nethereum.Web3.Web3(new Account(AnvilAccounts.PrivateKeys[ReorgRequester], _world.Suite.Node.ChainId), _world.Suite.Node.RpcUrl.ToString()),
        Manifest = _world.Suite.Manifest,
    }, cancellationToken: ct);

    [Test]
    public async Task Watch_TakesBackATaskWhoseSubmissionAReorganisationRemoved()
    {
        using var cts = new CancellationTokenSource(Bound * 3);
        BigInteger from = await HeadAsync() + 1;
        await using IAsyncEnumerator<OpenTaskChange> watch = Watch(from, cts.Token);
        string snapshot = await _world.Suite.Web3.Client.SendRequestAsync<string>("evm_snapshot");

        SubmittedTask orphan;
        await using (AgentClusterClient plain = await PlainClientAsync(cts.Token))
        {
            orphan = await plain.Tasks.SubmitAsync(await RequestAsync(0b001, "orphan"), cts.Token);
        }

        OpenTaskChange opened = await NextAsync(watch);
        Assert.That((opened.Kind, opened.Task.TaskId), Is.EqualTo((OpenTaskChangeKind.Opened, orphan.TaskId)));

        Assert.That(await _world.Suite.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot), Is.True);
        await _world.Suite.Web3.Client.SendRequestAsync<string>("evm_mine"); // an empty block where the submission was

        OpenTaskChange removed = await NextAsync(watch);
        Assert.That((removed.Kind, removed.Task.TaskId, removed.Reason, removed.Status),
            Is.EqualTo((OpenTaskChangeKind.Closed, orphan.TaskId, OpenTaskClosedReason.Reorganised, MarketTaskStatus.None)));
        Assert.That(removed.ResumeFromBlock, Is.LessThanOrEqualTo(orphan.BlockNumber), "the replaced block must be read again on resume");

        SubmittedTask replacement;
        await using (AgentClusterClient plain = await PlainClientAsync(cts.Token))
        {
            replacement = await plain.Tasks.SubmitAsync(await RequestAsync(0b001, "replacement"), cts.Token);
        }

        OpenTaskChange fresh = await NextAsync(watch);
        Assert.Multiple(() =>
        {
            Assert.That(replacement.TaskId, Is.EqualTo(orphan.TaskId), "the market's counter was taken back with the block");
            Assert.That((fresh.Kind, fresh.Task.TaskId, fresh.Task.BlockNumber), Is.EqualTo((OpenTaskChangeKind.Opened, replacement.TaskId, replacement.BlockNumber)));
            Assert.That(fresh.Task.RequirementsHash, Is.EqualTo(Sha3Keccack.Current.CalculateHash("replacement"u8.ToArray())), "the new branch's task, not the orphan");
            Assert.That(replacement.BlockNumber, Is.GreaterThan(orphan.BlockNumber));
        });
    }

    [Test]
    public void Watch_RefusesBadOptions_BeforeAnyRequest()
    {
        Assert.That(() => _executor.Tasks.WatchOpenTasksAsync(1, new EventStreamOptions { PollInterval = TimeSpan.Zero }).GetAsyncEnumerator().MoveNextAsync().AsTask(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("PollInterval"));
        Assert.That(() => _executor.Tasks.WatchOpenTasksAsync(1, new EventStreamOptions { FromBlock = -1 }).GetAsyncEnumerator().MoveNextAsync().AsTask(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("FromBlock must not be negative"));
    }

    // ------------------------------------------------------------------ permit through the client's signer

    private static string CastSign(string privateKeyHex, string typedDataJson) =>
        CastCli.Run("wallet", "sign", "--private-key", privateKeyHex, "--data", typedDataJson).Trim();

    [Test]
    public async Task Submit_WithAnExternalSigner_SignsThePermitThroughIt_AndCastSignsTheSameBytes()
    {
        using var cts = new CancellationTokenSource(Bound * 2);
        string keyHex = TestKeys.Hex(TestKeys.Random(new Random(4242)));
        AgentKey key = AgentKey.FromPrivateKey(keyHex);
        var signer = new InProcessExternalSigner(new Nethereum.Signer.EthECKey(keyHex));
        await _world.Suite.Web3.Client.SendRequestAsync(new RpcRequest(3, "anvil_setBalance", key.Address, "0x56BC75E2D63100000")); // 100 ETH for gas
        await _world.Suite.FundAsync(key.Address, 1_000 * MarketWorld.Acc, cts.Token);
        await using AgentClusterClient client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
        {
            RpcUrl = _world.Suite.Node.RpcUrl.ToString(), Manifest = _world.Suite.Manifest, Key = AgentKeySource.FromExternalSigner(signer),
            JournalPath = Path.Combine(_dir, "external.db"),
        }, cancellationToken: cts.Token);
        Assert.That(client.Address, Is.EqualTo(key.Address));

        var token = client.Contracts.Token;
        string market = client.Contracts.TaskMarket.ContractAddress;
        BigInteger before = await token.BalanceOfQueryAsync(key.Address);
        BigInteger permitNonce = await token.NoncesQueryAsync(key.Address);
        SubmittedTask task = await client.Tasks.SubmitAsync(await RequestAsync(0b001, "external"), cts.Token);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await token.BalanceOfQueryAsync(key.Address), Is.EqualTo(before - 100 * MarketWorld.Acc - task.Fee));
            Assert.That(await token.NoncesQueryAsync(key.Address), Is.EqualTo(permitNonce + 1), "the permit was consumed on-chain");
            Assert.That(await token.AllowanceQueryAsync(key.Address, market), Is.EqualTo(BigInteger.Zero));
            Assert.That((await _world.Suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(key.Address)).Value, Is.EqualTo(BigInteger.One),
                "one transaction: no approve");
            Assert.That(signer.HashSignatures, Is.EqualTo(1), "the permit's typed data went through the external signer");
            Assert.That(signer.Signatures, Is.EqualTo(1), "and so did the transaction");
            Assert.That((await client.Tasks.GetAsync(task.TaskId, cts.Token)).Requester, Is.EqualTo(key.Address).IgnoreCase);
        });

        // The oracle: cast signs the typed data the SDK signed, with the key, and gets the same 65 bytes.
        DateTimeOffset deadline = await _world.ChainTimeAsync() + TimeSpan.FromHours(1);
        SignedPermit permit = await client.Tasks.SignPermitAsync(7 * MarketWorld.Acc, deadline, cancellationToken: cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(permit.Signature, Is.EqualTo(CastSign(keyHex, permit.TypedDataJson)).IgnoreCase);
            Assert.That((permit.Owner, permit.Spender, permit.Value, permit.Nonce), Is.EqualTo((key.Address, market, 7 * MarketWorld.Acc, permitNonce + 1)));
            Assert.That(permit.Permit.Deadline, Is.EqualTo(new BigInteger(deadline.ToUnixTimeSeconds())));
            Assert.That(permit.TypedDataJson, Does.Contain("\"primaryType\": \"Permit\""));
        });
    }

    [Test]
    public async Task PermitSignature_OfALocalKey_IsCasts()
    {
        using var cts = new CancellationTokenSource(Bound);
        DateTimeOffset deadline = await _world.ChainTimeAsync() + TimeSpan.FromHours(1);
        SignedPermit permit = await _requester.Tasks.SignPermitAsync(123, deadline, AnvilAccounts.Addresses[4], cts.Token);
        Assert.That(permit.Signature, Is.EqualTo(CastSign(AnvilAccounts.PrivateKeys[MarketWorld.Requester], permit.TypedDataJson)).IgnoreCase);
        Assert.That(permit.Permit.V, Is.AnyOf((byte)27, (byte)28));
    }

    [Test]
    public async Task Permit_FromAnExternalSignerThatSignsWithAnotherKey_IsRefused_BeforeAnythingIsSent()
    {
        using var cts = new CancellationTokenSource(Bound);
        AgentKey claimed = AgentKey.Generate();
        var actual = Nethereum.Signer.EthECKey.GenerateKey();
        await using AgentClusterClient client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
        {
            RpcUrl = _world.Suite.Node.RpcUrl.ToString(), Manifest = _world.Suite.Manifest,
            Key = AgentKeySource.FromExternalSigner(new InProcessExternalSigner(actual, claimedAddress: claimed.Address)),
            JournalPath = Path.Combine(_dir, "mismatch.db"),
        }, cancellationToken: cts.Token);

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => client.Tasks.SignPermitAsync(1, DateTimeOffset.UtcNow.AddHours(1), cancellationToken: cts.Token))!;
        Assert.That(e.Message, Does.Contain($"recovers to {actual.GetPublicAddress()}").IgnoreCase.And.Contain(claimed.Address).IgnoreCase
            .And.Contain("signed with another key"));
        Assert.That((await _world.Suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(claimed.Address)).Value, Is.EqualTo(BigInteger.Zero));
    }

    [Test]
    public void SignPermit_RefusesBadInput_WithTheReason()
    {
        Assert.That(() => _requester.Tasks.SignPermitAsync(0, DateTimeOffset.UtcNow),
            Throws.ArgumentException.With.Message.Contains("positive uint256 (got 0)"));
        Assert.That(() => _requester.Tasks.SignPermitAsync(1, DateTimeOffset.UtcNow, "0x1234"),
            Throws.ArgumentException.With.Message.Contains("spender is not an address").And.Message.Contains("40"));
    }
}
