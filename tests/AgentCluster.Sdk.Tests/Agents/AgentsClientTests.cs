using System.Numerics;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Reputation;
using AgentCluster.Testing;
using Nethereum.RPC.Eth.DTOs;
using Registry = AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition;

namespace AgentCluster.Sdk.Tests.Agents;

/// <summary>Registration, attestation, exit and bond withdrawal through <see cref="AgentsClient"/> on anvil, balances checked to the wei.</summary>
[Category("Anvil")]
public sealed class AgentsClientTests
{
    private static readonly BigInteger Bond = 10_000 * SdkTestChain.Acc, Fee = 100 * SdkTestChain.Acc;
    private AgentClusterSuite _suite = null!;
    private AgentClusterClient _owner = null!, _other = null!, _poor = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var bound = SdkTestChain.Bound();
        _suite = await SdkTestChain.StartAsync();
        await SdkTestChain.FundAsync(_suite, 2, 80_000 * SdkTestChain.Acc, bound.Token);
        await SdkTestChain.FundAsync(_suite, 3, 20_000 * SdkTestChain.Acc, bound.Token);
        _owner = await SdkTestChain.ClientAsync(_suite, 2, bound.Token);
        _other = await SdkTestChain.ClientAsync(_suite, 3, bound.Token);
        _poor = await SdkTestChain.ClientAsync(_suite, 5, bound.Token);
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
    public async Task Register_ApprovesBondPlusFee_PullsExactlyThat_AndGetReturnsThePendingAgent()
    {
        using var bound = SdkTestChain.Bound();
        RegistrationTerms terms = await _owner.Agents.GetTermsAsync(bound.Token);
        Assert.That((terms.Bond, terms.RegistrationFee, terms.ExitDelay), Is.EqualTo((Bond, Fee, TimeSpan.FromDays(30))), "the registry's defaults");

        Secp256k1Signer key = SdkTestChain.NewKey();
        byte[] vectorHash = SdkTestChain.Hash("my capability vector");
        BigInteger before = await SdkTestChain.AccBalanceAsync(_owner, _owner.Address!);
        AgentRegistration r = await _owner.Agents.RegisterAsync(key, "ipfs://bafy/agent.json", 0b1011, vectorHash, bound.Token);

        Assert.That(r.AgentId, Is.EqualTo(AgentsClient.AgentIdOf(key.Address)));
        Assert.That(AgentsClient.AgentKeyOf(r.AgentId), Is.EqualTo(key.Address));
        Assert.That((r.AgentKey, r.Owner, r.Bond, r.Fee), Is.EqualTo((key.Address, _owner.Address, Bond, Fee)));
        Assert.That(r.Approval, Is.Not.Null, "register takes no permit: an approve was sent first");
        Assert.That(r.Receipt.Succeeded(), Is.True);
        Assert.That(await SdkTestChain.AccBalanceAsync(_owner, _owner.Address!), Is.EqualTo(before - Bond - Fee));
        Assert.That(await _owner.Contracts.Token.AllowanceQueryAsync(_owner.Address!, _owner.Contracts.Registry.ContractAddress), Is.EqualTo(BigInteger.Zero),
            "exactly bond + fee was approved and pulled");

        AgentInfo info = await _owner.Agents.GetAsync(r.AgentId, bound.Token);
        Assert.That((info.AgentId, info.AgentKey, info.Owner, info.Status, info.Capabilities, info.Bond),
            Is.EqualTo((r.AgentId, key.Address, _owner.Address, AgentStatus.Pending, 0b1011UL, Bond)));
        Assert.That(info.CapabilityVectorHash, Is.EqualTo(vectorHash));
        Assert.That((info.Attestation.ExpiresAt, info.Attestation.Nonce, info.Attestation.Expires, info.ExitUnlocksAt), Is.EqualTo((0UL, 0UL, (DateTimeOffset?)null, (DateTimeOffset?)null)));
        Assert.That(info.IsActive, Is.False);

        // A read-only client reads the same agent.
        await using AgentClusterClient reader = await SdkTestChain.ReadOnlyClientAsync(_suite, bound.Token);
        Assert.That((await reader.Agents.GetAsync(r.AgentId, bound.Token)).Owner, Is.EqualTo(_owner.Address));

        // Capabilities can be replaced by the owner.
        byte[] newHash = SdkTestChain.Hash("v2");
        Assert.That((await _owner.Agents.SetCapabilitiesAsync(r.AgentId, 0b1, newHash, bound.Token)).Succeeded(), Is.True);
        AgentInfo updated = await _owner.Agents.GetAsync(r.AgentId, bound.Token);
        Assert.That((updated.Capabilities, updated.CapabilityVectorHash), Is.EqualTo((1UL, newHash)));

        // A key registers once, ever: refused before anything is sent.
        BigInteger nonce = await NonceAsync(_owner);
        var again = Assert.ThrowsAsync<ArgumentException>(() => _owner.Agents.RegisterAsync(key, "ipfs://x", 0, vectorHash, bound.Token))!;
        Assert.That(again.Message, Does.Contain("already registered").And.Contain(r.AgentId.ToString()));
        Assert.That(await NonceAsync(_owner), Is.EqualTo(nonce));
    }

    [Test]
    public async Task Attest_ByTheApprovedAttestor_MakesTheAgentActive_AndSetsComputeReputation()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://a", 0b1, SdkTestChain.Hash("a"), bound.Token);
        AgentAttestation attestation = await SdkTestChain.AttestAsync(_suite, _other, r.AgentId, 1, bound.Token); // anyone may submit it

        AgentInfo info = await _owner.Agents.GetAsync(r.AgentId, bound.Token);
        Assert.That(info.Status, Is.EqualTo(AgentStatus.Active));
        Assert.That(info.Attestation with { MeasurementHash = attestation.MeasurementHash }, Is.EqualTo(attestation));
        Assert.That(info.Attestation.MeasurementHash, Is.EqualTo(attestation.MeasurementHash));
        Assert.That(info.Attestation.Expires, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds((long)attestation.ExpiresAt)));

        // 8 cores + 4 x 16 GiB + 500 / 10 = 122 points, as the registry's computeScore says; set at this block, so undecayed.
        BigInteger score = await _owner.Contracts.Registry.ComputeScoreQueryAsync(8, 16 * 1024, 500);
        Assert.That(score, Is.EqualTo(122 * SdkTestChain.Acc));
        ReputationSummary rep = await _owner.Reputation.GetAsync(r.AgentId, bound.Token);
        Assert.That(BigInteger.Abs(rep.Compute - score), Is.LessThanOrEqualTo(score / 1_000_000_000), "compute reputation from the benchmark");
        Assert.That((rep.Task, rep.Validator, rep.Social, rep.Total), Is.EqualTo((BigInteger.Zero, BigInteger.Zero, BigInteger.Zero, rep.Compute)));

        // After expiry the agent is Suspended; a newer attestation (higher nonce) makes it Active again.
        await SdkTestChain.IncreaseTimeAsync(_suite, TimeSpan.FromDays(8));
        Assert.That(await _owner.Agents.GetStatusAsync(r.AgentId, bound.Token), Is.EqualTo(AgentStatus.Suspended));
        await SdkTestChain.AttestAsync(_suite, _owner, r.AgentId, 2, bound.Token);
        Assert.That(await _owner.Agents.GetStatusAsync(r.AgentId, bound.Token), Is.EqualTo(AgentStatus.Active));

        // A replayed (stale) attestation reverts typed, naming the nonces.
        ulong now = await SdkTestChain.BlockTimeAsync(_suite);
        var stale = attestation with { ExpiresAt = now + 3600 };
        byte[] signature = _owner.Agents.SignAttestation(stale, new Secp256k1Signer(AnvilAccounts.PrivateKeys[SdkTestChain.AttestorIndex]));
        var e = Assert.ThrowsAsync<ContractCustomErrorException<Registry.StaleAttestationError>>(
            () => _owner.Agents.SubmitAttestationAsync(stale, signature, bound.Token))!;
        Assert.That((e.Error.Nonce, e.Error.LastNonce), Is.EqualTo((1UL, 2UL)));
    }

    [Test]
    public async Task SignAttestationAsync_WithTheClientsSigner_LocalOrExternal_IsTheSameSignature_AndAMismatchedSignerIsCaught()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://s", 0, SdkTestChain.Hash("s"), bound.Token);
        ulong now = await SdkTestChain.BlockTimeAsync(_suite);
        var attestation = new AgentAttestation(r.AgentId, SdkTestChain.Hash("m2"), 4, 0, 10, now + 3600, 1);
        string attestorKey = AnvilAccounts.PrivateKeys[SdkTestChain.AttestorIndex];
        byte[] expected = _owner.Agents.SignAttestation(attestation, new Secp256k1Signer(attestorKey));

        await using AgentClusterClient local = await SdkTestChain.ClientAsync(_suite, SdkTestChain.AttestorIndex, bound.Token);
        Assert.That(await local.Agents.SignAttestationAsync(attestation, bound.Token), Is.EqualTo(expected), "RFC 6979: the same key signs the same bytes");

        var external = new InProcessExternalSigner(new Nethereum.Signer.EthECKey(attestorKey), Nethereum.Signer.ExternalSignerTransactionFormat.Hash);
        await using AgentClusterClient viaKms = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
        {
            RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = _suite.Manifest, Key = AgentCluster.Sdk.Identity.AgentKeySource.FromExternalSigner(external),
            JournalPath = Path.Combine(Path.GetTempPath(), $"sign-attestation-{Guid.NewGuid():N}.db"),
        }, cancellationToken: bound.Token);
        byte[] signed = await viaKms.Agents.SignAttestationAsync(attestation, bound.Token);
        Assert.That(signed, Is.EqualTo(expected));
        Assert.That(external.HashSignatures, Is.EqualTo(1));
        await _owner.Agents.SubmitAttestationAsync(attestation, signed, bound.Token);
        Assert.That(await _owner.Agents.GetStatusAsync(r.AgentId, bound.Token), Is.EqualTo(AgentStatus.Active), "the registry accepts it");

        var liar = new InProcessExternalSigner(new Nethereum.Signer.EthECKey(AnvilAccounts.PrivateKeys[7]), claimedAddress: AnvilAccounts.Addresses[SdkTestChain.AttestorIndex]);
        await using AgentClusterClient misconfigured = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
        {
            RpcUrl = _suite.Node.RpcUrl.ToString(), Manifest = _suite.Manifest, Key = AgentCluster.Sdk.Identity.AgentKeySource.FromExternalSigner(liar),
            JournalPath = Path.Combine(Path.GetTempPath(), $"sign-attestation-{Guid.NewGuid():N}.db"),
        }, cancellationToken: bound.Token);
        var e = Assert.ThrowsAsync<InvalidOperationException>(() => misconfigured.Agents.SignAttestationAsync(attestation with { Nonce = 2 }, bound.Token))!;
        Assert.That(e.Message, Does.Contain($"recovers to {AnvilAccounts.Addresses[7]}").IgnoreCase.And.Contain("signed with another key"));
    }

    [Test]
    public async Task Attest_SignedByAnAccountThatIsNoAttestor_RevertsUnknownAttestor_NamingTheSigner()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://b", 0, SdkTestChain.Hash("b"), bound.Token);
        ulong now = await SdkTestChain.BlockTimeAsync(_suite);
        var attestation = new AgentAttestation(r.AgentId, SdkTestChain.Hash("m"), 1, 0, 0, now + 3600, 1);
        var impostor = new Secp256k1Signer(AnvilAccounts.PrivateKeys[7]);
        BigInteger nonce = await NonceAsync(_owner);
        var e = Assert.ThrowsAsync<ContractCustomErrorException<Registry.UnknownAttestorError>>(
            () => _owner.Agents.SubmitAttestationAsync(attestation, _owner.Agents.SignAttestation(attestation, impostor), bound.Token))!;
        Assert.That(e.Error.Signer, Is.EqualTo(impostor.Address).IgnoreCase);
        Assert.That(await NonceAsync(_owner), Is.EqualTo(nonce), "the revert came from the estimate: nothing was sent");
        Assert.That(await _owner.Agents.GetStatusAsync(r.AgentId, bound.Token), Is.EqualTo(AgentStatus.Pending));
    }

    [Test]
    public async Task SetCapabilities_ByAnotherAccount_RevertsNotAgentOwner_NamingAgentAndCaller()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://c", 0, SdkTestChain.Hash("c"), bound.Token);
        var e = Assert.ThrowsAsync<ContractCustomErrorException<Registry.NotAgentOwnerError>>(
            () => _other.Agents.SetCapabilitiesAsync(r.AgentId, 1, SdkTestChain.Hash("mine now"), bound.Token))!;
        Assert.That((e.Error.AgentId, e.Error.Caller.ToLowerInvariant()), Is.EqualTo((r.AgentId, _other.Address!.ToLowerInvariant())));
        Assert.That(e.ErrorName, Is.EqualTo("NotAgentOwner"));
    }

    [Test]
    public async Task Exit_ThenWithdrawBond_RevertsBondLockedUntilTheDelay_ThenReturnsTheBondExactly()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://d", 0, SdkTestChain.Hash("d"), bound.Token);

        var notExited = Assert.ThrowsAsync<ContractCustomErrorException<Registry.BondLockedError>>(() => _owner.Agents.WithdrawBondAsync(r.AgentId, bound.Token))!;
        Assert.That((notExited.Error.AgentId, notExited.Error.UnlocksAt), Is.EqualTo((r.AgentId, BigInteger.Zero)), "no exit requested: unlocksAt 0");

        AgentExit exit = await _owner.Agents.RequestExitAsync(r.AgentId, bound.Token);
        ulong exitTime = await SdkTestChain.BlockTimeAsync(_suite, exit.Receipt);
        Assert.That(exit.BondUnlocksAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds((long)exitTime) + TimeSpan.FromDays(30)));
        AgentInfo exited = await _owner.Agents.GetAsync(r.AgentId, bound.Token);
        Assert.That((exited.Status, exited.ExitUnlocksAt), Is.EqualTo((AgentStatus.Exited, (DateTimeOffset?)exit.BondUnlocksAt)));

        var locked = Assert.ThrowsAsync<ContractCustomErrorException<Registry.BondLockedError>>(() => _owner.Agents.WithdrawBondAsync(r.AgentId, bound.Token))!;
        Assert.That(locked.Error.UnlocksAt, Is.EqualTo(new BigInteger(exit.BondUnlocksAt.ToUnixTimeSeconds())));

        await SdkTestChain.IncreaseTimeAsync(_suite, TimeSpan.FromDays(30));
        BigInteger before = await SdkTestChain.AccBalanceAsync(_owner, _owner.Address!);
        BondWithdrawal paid = await _other.Agents.WithdrawBondAsync(r.AgentId, bound.Token); // anyone sends it; the owner is paid
        Assert.That((paid.AgentId, paid.To, paid.Amount), Is.EqualTo((r.AgentId, _owner.Address, Bond)));
        Assert.That(await SdkTestChain.AccBalanceAsync(_owner, _owner.Address!), Is.EqualTo(before + Bond));
        Assert.That((await _owner.Agents.GetAsync(r.AgentId, bound.Token)).Bond, Is.EqualTo(BigInteger.Zero));

        var twice = Assert.ThrowsAsync<ContractCustomErrorException<Registry.NothingToWithdrawError>>(() => _owner.Agents.WithdrawBondAsync(r.AgentId, bound.Token))!;
        Assert.That(twice.Error.AgentId, Is.EqualTo(r.AgentId));
    }

    [Test]
    public async Task FindByOwner_ReturnsExactlyTheAgentsThatAccountRegistered()
    {
        using var bound = SdkTestChain.Bound();
        await using AgentClusterClient fresh = await SdkTestChain.ClientAsync(_suite, 4, bound.Token);
        await SdkTestChain.FundAsync(_suite, 4, 30_000 * SdkTestChain.Acc, bound.Token);
        Assert.That(await fresh.Agents.FindByOwnerAsync(fresh.Address!, cancellationToken: bound.Token), Is.Empty);

        AgentRegistration a = await fresh.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://1", 0, SdkTestChain.Hash("1"), bound.Token);
        await _other.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://other", 0, SdkTestChain.Hash("o"), bound.Token);
        AgentRegistration b = await fresh.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://2", 0, SdkTestChain.Hash("2"), bound.Token);

        Assert.That(await fresh.Agents.FindByOwnerAsync(fresh.Address!, cancellationToken: bound.Token), Is.EqualTo(new[] { a.AgentId, b.AgentId }));
        Assert.That(await fresh.Agents.FindByOwnerAsync(fresh.Address!, fromBlock: (ulong)b.Receipt.BlockNumber.Value, cancellationToken: bound.Token),
            Is.EqualTo(new[] { b.AgentId }));

        ulong head = (ulong)(await _suite.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var tooLong = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fresh.Agents.FindByOwnerAsync(fresh.Address!, 0, maxBlocks: 2, bound.Token))!;
        Assert.That(tooLong.Message, Does.Contain("more than maxBlocks 2"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fresh.Agents.FindByOwnerAsync(fresh.Address!, head + 100, cancellationToken: bound.Token))!
            .Message, Does.Contain("past the chain's head"));
    }

    [Test]
    public async Task BadInput_IsRefusedBeforeAnythingIsSent_WithAMessageSayingWhat()
    {
        using var bound = SdkTestChain.Bound();
        BigInteger nonce = await NonceAsync(_owner);
        Secp256k1Signer key = SdkTestChain.NewKey();
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => _owner.Agents.RegisterAsync(key, " ", 0, SdkTestChain.Hash("x"), bound.Token))!.Message,
            Does.Contain("agentUri"));
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => _owner.Agents.RegisterAsync(key, "ipfs://x", 0, new byte[31], bound.Token))!.Message,
            Does.Contain("32 bytes").And.Contain("not 31"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Agents.GetAsync(0, bound.Token))!.Message, Does.Contain("between 1 and 2^160 - 1"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _owner.Agents.GetAsync(BigInteger.One << 160, bound.Token))!.ParamName, Is.EqualTo("agentId"));

        BigInteger unknown = AgentsClient.AgentIdOf(SdkTestChain.NewKey().Address);
        var e = Assert.ThrowsAsync<UnknownAgentException>(() => _owner.Agents.GetAsync(unknown, bound.Token))!;
        Assert.That((e.AgentId, e.Message.Contains(unknown.ToString(), StringComparison.Ordinal)), Is.EqualTo((unknown, true)));
        Assert.That(Assert.ThrowsAsync<UnknownAgentException>(() => _owner.Agents.RequestExitAsync(unknown, bound.Token))!.AgentId, Is.EqualTo(unknown));
        Assert.That(await _owner.Agents.GetStatusAsync(unknown, bound.Token), Is.EqualTo(AgentStatus.None));

        ulong now = await SdkTestChain.BlockTimeAsync(_suite);
        var attestation = new AgentAttestation(unknown, SdkTestChain.Hash("m"), 1, 0, 0, now + 60, 1);
        var attestor = new Secp256k1Signer(AnvilAccounts.PrivateKeys[SdkTestChain.AttestorIndex]);
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => _owner.Agents.SubmitAttestationAsync(attestation, new byte[64], bound.Token))!.Message,
            Does.Contain("65 bytes"));
        Assert.That(Assert.Throws<ArgumentException>(() => _owner.Agents.SignAttestation(attestation with { MeasurementHash = [1] }, attestor))!.Message,
            Does.Contain("MeasurementHash must be 32 bytes"));
        Assert.That(Assert.Throws<ArgumentException>(() => _owner.Agents.SignAttestation(attestation with { Nonce = 0 }, attestor))!.Message,
            Does.Contain("Nonce"));
        Assert.ThrowsAsync<UnknownAgentException>(() => _owner.Agents.SubmitAttestationAsync(attestation, _owner.Agents.SignAttestation(attestation, attestor), bound.Token));
        Assert.That(Assert.Throws<ArgumentException>(() => AgentsClient.AgentIdOf("0x1234"))!.Message, Does.Contain("20-byte hex address"));

        Assert.That(await NonceAsync(_owner), Is.EqualTo(nonce), "nothing was sent");
    }

    [Test]
    public async Task Register_WithoutEnoughAcc_ThrowsInsufficientAcc_AndSendsNoApproval()
    {
        using var bound = SdkTestChain.Bound();
        BigInteger nonce = await NonceAsync(_poor);
        var e = Assert.ThrowsAsync<InsufficientAccException>(
            () => _poor.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://poor", 0, SdkTestChain.Hash("p"), bound.Token))!;
        Assert.That((e.Needed, e.Available), Is.EqualTo((Bond + Fee, BigInteger.Zero)));
        Assert.That(e.Message, Does.Contain("Agents.RegisterAsync"));
        Assert.That(await NonceAsync(_poor), Is.EqualTo(nonce));
    }

    [Test]
    public async Task ACancelledToken_StopsReadsAndSendsBeforeAnythingIsSent()
    {
        using var bound = SdkTestChain.Bound();
        AgentRegistration r = await _owner.Agents.RegisterAsync(SdkTestChain.NewKey(), "ipfs://cancel", 0, SdkTestChain.Hash("x"), bound.Token);
        BigInteger nonce = await NonceAsync(_owner);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.That(() => _owner.Agents.GetAsync(r.AgentId, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(() => _owner.Agents.RequestExitAsync(r.AgentId, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(() => _owner.Staking.StakeAsync(r.AgentId, SdkTestChain.Acc, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(() => _owner.Reputation.GetAsync(r.AgentId, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(() => _owner.Earnings.WithdrawAsync(cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await NonceAsync(_owner), Is.EqualTo(nonce), "nothing was sent");
        Assert.That(await _owner.Agents.GetStatusAsync(r.AgentId, bound.Token), Is.EqualTo(AgentStatus.Pending));
    }

    private async Task<BigInteger> NonceAsync(AgentClusterClient client) =>
        (await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(client.Address, BlockParameter.CreatePending())).Value;
}
