using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AgentCluster.Keepers.Tests.Hosting;
using OnChainAttestation = AgentCluster.Evm.Bindings.Attestation;
using AgentCluster.Keepers.Attestation;
using AgentCluster.Keepers.Attestation.Duty;
using AgentCluster.Keepers.Hosting;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Identity;
using AgentCluster.Testing;
using Microsoft.Extensions.Options;
using Nethereum.Contracts;

namespace AgentCluster.Keepers.Tests.Attestation;

/// <summary>
/// The attestation duty against anvil: evidence from the tests' own CA (root pinned) verified and attested by account 9 (the approved
/// attestor), rejections with their reasons and nothing posted, a keeper that is not an attestor. No chain-time warps here (see
/// <see cref="DutyRenewalTests"/>).
/// </summary>
[Category("Anvil")]
public sealed class DutyTests
{
    private DutyWorld _world = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        _world = await DutyWorld.StartAsync(bound.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    [Test]
    public async Task ValidEvidence_IsVerifiedAndAttested_TheAgentBecomesEligible_WithTheBenchmarksFiguresOnChain()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var pki = new TestPki();
        AgentKey agent = await _world.RegisterAgentAsync(bound.Token);
        BigInteger agentId = AgentsClient.AgentIdOf(agent.Address);
        Assert.That(await _world.Registry.IsEligibleQueryAsync(agentId, 1), Is.False, "registered, not yet attested");
        ComputeBenchmarkReport benchmark = await _world.BenchmarkAsync();
        byte[] quote = _world.Quote(pki, agent.Address, 1, benchmark);
        var settings = _world.DutySettings("valid", pki, [DutyWorld.MrEnclave(quote)]);
        DateTimeOffset before = await _world.Suite.ChainTimeAsync(bound.Token);

        await using DutyWorld.RunningDuty keeper = await _world.StartKeeperAsync(AgentClusterSuiteOptions.TestAttestorIndex, settings, bound.Token);
        DutyWorld.Submit(keeper.Inbox, agent.Address, quote, benchmark);
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logged(1212, agent.Address)), "the attestation logged (the duty's last step)", bound.Token);
        Assert.That(await _world.Registry.IsEligibleQueryAsync(agentId, 1), Is.True, "eligible");
        DateTimeOffset after = await _world.Suite.ChainTimeAsync(bound.Token);

        OnChainAttestation onChain = (await _world.Registry.AttestationOfQueryAsync(agentId)).ReturnValue1;
        Assert.That(onChain.Nonce, Is.EqualTo(1UL));
        Assert.That(onChain.MeasurementHash, Is.EqualTo(DcapQuote.Parse(quote).MeasurementHash()));
        Assert.That((onChain.CpuCores, onChain.GpuMemoryMb, onChain.TokensPerSecond), Is.EqualTo((benchmark.CpuCores, benchmark.GpuMemoryMb, benchmark.TokensPerSecond)));
        Assert.That(onChain.ExpiresAt, Is.InRange((ulong)(before + TimeSpan.FromDays(30)).ToUnixTimeSeconds(), (ulong)(after + TimeSpan.FromDays(30)).ToUnixTimeSeconds()),
            "now + Validity (30 days): the test chain's certificates run to 2030");
        Assert.That(await _world.Registry.StatusOfQueryAsync(agentId), Is.EqualTo((byte)AgentStatus.Active));

        string reason = DutyWorld.Outcome(keeper.Inbox, "done", agent.Address)!;
        Assert.That(reason, Does.StartWith("accepted: attestation nonce 1 posted in tx 0x"));
        Assert.That(reason, Does.Contain("agent_binding: pass").And.Contain("measurement_allowed: pass").And.Contain("quote_signature: pass").And.Contain("pck_chain: pass"));
        Assert.That(reason, Does.Contain("no collateral given: TCB status not checked"), "without collateral the reason says so");
        Assert.That(Directory.EnumerateFiles(keeper.Inbox), Is.Empty, "nothing left in the inbox");

        StoredEvidence stored = keeper.Duty.Store.Get(agentId)!;
        Assert.That((stored.State, stored.BoundNonce, stored.LastNonce, stored.ExpiresAt), Is.EqualTo((EvidenceState.Active, 1UL, 1UL, onChain.ExpiresAt)));
        Assert.That(stored.Quote, Is.EqualTo(quote));
        Assert.That(keeper.Logged(1210, agent.Address), Is.True, "the verification result is logged");
        Assert.That(keeper.Logged(1212, $"Attested agent {agent.Address.ToLowerInvariant()}: nonce 1"), Is.True);

        using var http = new HttpClient();
        string metrics = await http.GetStringAsync(keeper.Url("/metrics"), bound.Token);
        Assert.That(metrics.Split('\n'), Has.Some.Match("^agentcluster_keeper_actions_total\\{.*duty=\"attestation\"\\} 1$"));
        Assert.That(metrics.Split('\n'), Has.Some.Match("^agentcluster_keeper_attestation_checks_total\\{.*outcome=\"accepted\"\\} 1$"));
        Assert.That(metrics.Split('\n'), Has.Some.Match("^agentcluster_keeper_gas_spent_wei_total\\{.*duty=\"attestation\"\\} [1-9]"));
        HttpResponseMessage ready = await http.GetAsync(keeper.Url("/health/ready"), bound.Token);
        string body = await ready.Content.ReadAsStringAsync(bound.Token);
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("is an approved attestor"));
    }

    [Test]
    public async Task BadEvidence_IsRejectedWithTheReasonRecorded_AndNothingIsPosted()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var pki = new TestPki();
        AgentKey wrongBinding = await _world.RegisterAgentAsync(bound.Token);
        AgentKey notAllowed = await _world.RegisterAgentAsync(bound.Token);
        AgentKey flipped = await _world.RegisterAgentAsync(bound.Token);
        AgentKey unregistered = AgentKey.Generate();
        AgentKey someoneElse = AgentKey.Generate();
        ComputeBenchmarkReport benchmark = await _world.BenchmarkAsync();

        byte[] wrongBindingQuote = _world.Quote(pki, someoneElse.Address, 1, benchmark);   // binds another key
        byte[] notAllowedQuote = _world.Quote(pki, notAllowed.Address, 1, benchmark);     // MRENCLAVE not listed
        byte[] flippedQuote = _world.Quote(pki, flipped.Address, 1, benchmark);
        flippedQuote[48 + 200] ^= 0x10;                                                    // a bit of the signed report body (not MRENCLAVE, not report data)
        byte[] unregisteredQuote = _world.Quote(pki, unregistered.Address, 1, benchmark);
        var settings = _world.DutySettings("rejects", pki, [DutyWorld.MrEnclave(wrongBindingQuote), DutyWorld.MrEnclave(flippedQuote), DutyWorld.MrEnclave(unregisteredQuote)]);

        await using DutyWorld.RunningDuty keeper = await _world.StartKeeperAsync(AgentClusterSuiteOptions.TestAttestorIndex, settings, bound.Token);
        DutyWorld.Submit(keeper.Inbox, wrongBinding.Address, wrongBindingQuote, benchmark);
        DutyWorld.Submit(keeper.Inbox, notAllowed.Address, notAllowedQuote, benchmark);
        DutyWorld.Submit(keeper.Inbox, flipped.Address, flippedQuote, benchmark);
        DutyWorld.Submit(keeper.Inbox, unregistered.Address, unregisteredQuote, benchmark);
        File.WriteAllText(Path.Combine(keeper.Inbox, "agent7.quote"), "not an address");
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logs.Count(l => l.EventId == 1211) >= 5), "five rejections logged", bound.Token);
        Assert.That(Directory.EnumerateFiles(keeper.Inbox), Is.Empty, "every submission processed");

        var expected = new Dictionary<string, string>
        {
            [wrongBinding.Address] = "rejected: agent_binding: report data",
            [notAllowed.Address] = "measurement_allowed: MRENCLAVE",
            [flipped.Address] = "quote_signature: the quote signature does not verify",
            [unregistered.Address] = $"rejected: agent_registered: the agent key {unregistered.Address.ToLowerInvariant()} is not registered",
        };
        foreach ((string key, string reason) in expected)
        {
            Assert.That(DutyWorld.Outcome(keeper.Inbox, "done", key), Is.Null, key);
            Assert.That(DutyWorld.Outcome(keeper.Inbox, "rejected", key), Does.Contain(reason), key);
            Assert.That(keeper.Logged(1211, key), Is.True, $"the rejection of {key} is logged");
            BigInteger id = AgentsClient.AgentIdOf(key);
            Assert.That((await _world.Registry.AttestationOfQueryAsync(id)).ReturnValue1.Nonce, Is.EqualTo(0UL), $"nothing posted for {key}");
            Assert.That(await _world.Registry.IsEligibleQueryAsync(id, 0), Is.False);
            Assert.That(keeper.Duty.Store.Get(id), Is.Null, "nothing stored");
        }

        string flippedReason = DutyWorld.Outcome(keeper.Inbox, "rejected", flipped.Address)!;
        Assert.That(flippedReason, Does.Contain("agent_binding: pass").And.Contain("measurement_allowed: pass"), "only the signature failed");
        Assert.That(DutyWorld.Outcome(keeper.Inbox, "rejected", "agent7.quote"), Does.Contain("file name is not 0x<agent key address>"));
        Assert.That(keeper.Logs.Any(l => l.EventId == 1212), Is.False, "no attestation posted");
        Assert.That(keeper.Logs.Any(l => l.EventId == 1003), Is.False, "rejections are not failed passes");
    }

    [Test]
    public async Task AKeeperThatIsNotAnAttestor_PostsNothing_SaysWhy_AndLeavesTheEvidenceInTheInbox()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var pki = new TestPki();
        AgentKey agent = await _world.RegisterAgentAsync(bound.Token);
        ComputeBenchmarkReport benchmark = await _world.BenchmarkAsync();
        byte[] quote = _world.Quote(pki, agent.Address, 1, benchmark);
        var settings = _world.DutySettings("not-attestor", pki, [DutyWorld.MrEnclave(quote)]);
        Assert.That(await _world.Registry.IsAttestorQueryAsync(AnvilAccounts.Addresses[8]), Is.False);

        await using DutyWorld.RunningDuty keeper = await _world.StartKeeperAsync(8, settings, bound.Token);
        DutyWorld.Submit(keeper.Inbox, agent.Address, quote, benchmark);
        long passes = keeper.Duty.CompletedPasses;
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Duty.CompletedPasses >= passes + 3), "three passes with the submission in the inbox", bound.Token);

        Assert.That(keeper.Logged(1201, $"signer {AnvilAccounts.Addresses[8]} is not an approved attestor"), Is.True);
        Assert.That(Directory.EnumerateFiles(keeper.Inbox).Select(Path.GetFileName), Is.EquivalentTo(new[]
            { agent.Address.ToLowerInvariant() + ".quote", agent.Address.ToLowerInvariant() + ".benchmark.json" }), "kept for when governance approves the keeper");
        Assert.That((await _world.Registry.AttestationOfQueryAsync(AgentsClient.AgentIdOf(agent.Address))).ReturnValue1.Nonce, Is.EqualTo(0UL), "nothing posted");
        Assert.That(keeper.Logs.Any(l => l.EventId is 1210 or 1212), Is.False, "not even verified");

        using var http = new HttpClient();
        HttpResponseMessage ready = await http.GetAsync(keeper.Url("/health/ready"), bound.Token);
        string body = await ready.Content.ReadAsStringAsync(bound.Token);
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "attestor" }));
        Assert.That(json.RootElement.GetProperty("checks").GetProperty("attestor").GetProperty("description").GetString(), Does.Contain("is not an approved attestor"));
    }

    [Test]
    public async Task EvidenceAnotherAttestorAlreadyPosted_IsDoneNotRejected_AndKeptForRenewal()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var pki = new TestPki();
        AgentKey agent = await _world.RegisterAgentAsync(bound.Token);
        BigInteger agentId = AgentsClient.AgentIdOf(agent.Address);
        ComputeBenchmarkReport benchmark = await _world.BenchmarkAsync();
        byte[] quote = _world.Quote(pki, agent.Address, 1, benchmark);

        // Another attestor process (same approved key, its own client) posted this evidence's attestation first.
        await using (var other = await _world.Suite.CreateClientAsync(AgentClusterSuiteOptions.TestAttestorIndex, bound.Token))
        {
            ulong expires = (ulong)(await _world.Suite.ChainTimeAsync(bound.Token) + TimeSpan.FromDays(10)).ToUnixTimeSeconds();
            var attestation = new AgentAttestation(agentId, DcapQuote.Parse(quote).MeasurementHash(), benchmark.CpuCores, benchmark.GpuMemoryMb, benchmark.TokensPerSecond, expires, 1);
            await other.Agents.SubmitAttestationAsync(attestation, other.Agents.SignAttestation(attestation, new Evm.Signing.Secp256k1Signer(AnvilAccounts.PrivateKeys[9])), bound.Token);
        }

        var settings = _world.DutySettings("already", pki, [DutyWorld.MrEnclave(quote)]);
        await using DutyWorld.RunningDuty keeper = await _world.StartKeeperAsync(AgentClusterSuiteOptions.TestAttestorIndex, settings, bound.Token);
        DutyWorld.Submit(keeper.Inbox, agent.Address, quote, benchmark);
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logged(1213, agent.Address)), "already posted, logged", bound.Token);

        Assert.That(DutyWorld.Outcome(keeper.Inbox, "done", agent.Address), Does.StartWith("already attested by another attestor: nonce 1"));
        Assert.That((await _world.Registry.AttestationOfQueryAsync(agentId)).ReturnValue1.Nonce, Is.EqualTo(1UL), "no second attestation");
        Assert.That(keeper.Logged(1213, agent.Address), Is.True);
        Assert.That(keeper.Duty.Store.Get(agentId)!.State, Is.EqualTo(EvidenceState.Active), "kept: this keeper can renew it");
    }

    [Test]
    public async Task TwoAttestorKeepers_FollowTheRota_OnlyTheOwnerPosts_AndTheOtherTakesTheEvidenceAsDone()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var pki = new TestPki();
        const int second = 7;
        await ApproveAttestorAsync(AnvilAccounts.Addresses[second], bound.Token);
        AgentKey agent = await _world.RegisterAgentAsync(bound.Token);
        BigInteger agentId = AgentsClient.AgentIdOf(agent.Address);
        ComputeBenchmarkReport benchmark = await _world.BenchmarkAsync();
        byte[] quote = _world.Quote(pki, agent.Address, 1, benchmark);
        string[] peers = [AnvilAccounts.Addresses[AgentClusterSuiteOptions.TestAttestorIndex], AnvilAccounts.Addresses[second]];
        string owner = new AgentCluster.Keepers.Sharing.KeeperRota(peers, TimeSpan.FromSeconds(2)).OrderFor(agentId, AttestationDuty.WorkKind)[0];
        string other = peers.Single(p => !p.Equals(owner, StringComparison.OrdinalIgnoreCase));
        BigInteger otherTxCount = (await _world.Suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(other)).Value;

        Dictionary<string, string?> Settings(string name)
        {
            var s = _world.DutySettings(name, pki, [DutyWorld.MrEnclave(quote)]);
            s["AgentCluster:Keepers:Peers:0"] = peers[0];
            s["AgentCluster:Keepers:Peers:1"] = peers[1];
            s["AgentCluster:Keepers:TakeOverAfter"] = "00:00:02";
            return s;
        }

        await using DutyWorld.RunningDuty a = await _world.StartKeeperAsync(AgentClusterSuiteOptions.TestAttestorIndex, Settings("rota-a"), bound.Token);
        await using DutyWorld.RunningDuty b = await _world.StartKeeperAsync(second, Settings("rota-b"), bound.Token);
        // The agent hands the same evidence to both attestors.
        DutyWorld.Submit(a.Inbox, agent.Address, quote, benchmark);
        DutyWorld.Submit(b.Inbox, agent.Address, quote, benchmark);
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(a.Logs.Concat(b.Logs).Count(l => l.EventId is 1212 or 1213 && l.Message.Contains(agent.Address, StringComparison.OrdinalIgnoreCase)) >= 2),
            "both keepers done with the submission", bound.Token);

        DutyWorld.RunningDuty ownerKeeper = owner.Equals(peers[0], StringComparison.OrdinalIgnoreCase) ? a : b;
        DutyWorld.RunningDuty otherKeeper = ownerKeeper == a ? b : a;
        Assert.That(ownerKeeper.Logged(1212, "nonce 1"), Is.True, "the rota's owner attested");
        Assert.That(otherKeeper.Logs.Any(l => l.EventId == 1212), Is.False, "the other did not");
        Assert.That(DutyWorld.Outcome(otherKeeper.Inbox, "done", agent.Address), Does.StartWith("already attested by another attestor: nonce 1"));
        Assert.That((await _world.Registry.AttestationOfQueryAsync(agentId)).ReturnValue1.Nonce, Is.EqualTo(1UL));
        Assert.That((await _world.Suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(other)).Value, Is.EqualTo(otherTxCount), "no transaction from the other keeper");
        Assert.That(otherKeeper.Duty.Store.Get(agentId)!.State, Is.EqualTo(EvidenceState.Active), "both keep the evidence: either can renew");
    }

    /// <summary>Governance (the timelock, impersonated on anvil, as the SDK's staking tests do) approves another attestor.</summary>
    private async Task ApproveAttestorAsync(string attestor, CancellationToken ct)
    {
        string timelock = _world.Suite.Manifest.AddressOf("Timelock");
        Assert.That(await _world.Registry.OwnerQueryAsync(), Is.EqualTo(timelock).IgnoreCase);
        var rpc = new Nethereum.Web3.Web3(_world.Suite.Node.RpcUrl.ToString());
        await rpc.Client.SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(1, "anvil_impersonateAccount", timelock));
        await rpc.Client.SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(2, "anvil_setBalance", timelock, "0xDE0B6B3A7640000"));
        var set = new AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition.SetAttestorFunction { Attestor = attestor, Approved = true };
        string hash = await rpc.Eth.TransactionManager.SendTransactionAsync(new Nethereum.RPC.Eth.DTOs.TransactionInput(
            Nethereum.Hex.HexConvertors.Extensions.HexByteConvertorExtensions.ToHex(set.GetCallData(), true), _world.Registry.ContractAddress, timelock,
            new Nethereum.Hex.HexTypes.HexBigInteger(200_000), null));
        Assert.That((await rpc.Eth.TransactionManager.TransactionReceiptService.PollForReceiptAsync(hash, ct)).Status.Value, Is.EqualTo(BigInteger.One));
        await rpc.Client.SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(3, "anvil_stopImpersonatingAccount", timelock));
        Assert.That(await _world.Registry.IsAttestorQueryAsync(attestor), Is.True);
    }

    [Test]
    public void TheDutyOn_WithoutItsSettings_RefusesToStart_NamingEachSetting()
    {
        var keeper = Options.Create(new KeeperOptions { Duties = { Attestation = true } });
        var options = new AttestationOptions { RootCaPath = "/nonexistent/root.pem", CollateralPath = "/nonexistent/collateral", Validity = TimeSpan.FromDays(31),
            AcceptedTcbStatuses = ["Revoked"] };
        options.AllowedMeasurements.MrEnclaves.Add("abcd");
        ValidateOptionsResult result = new AttestationOptionsValidator(keeper).Validate(null, options);
        Assert.That(result.Failures, Is.Not.Null);
        string[] failures = [.. result.Failures!];
        foreach (string key in new[] { "InboxPath", "StorePath", "RootCaPath", "CollateralPath", "AcceptedTcbStatuses", "AllowedMeasurements", "Validity" })
        {
            Assert.That(failures, Has.Some.StartWith($"AgentCluster:Keepers:Attestation:{key}: "), key);
        }

        Assert.That(new AttestationOptionsValidator(Options.Create(new KeeperOptions())).Validate(null, options).Skipped, Is.True, "not validated while the duty is off");
        var empty = new AttestationOptions { InboxPath = "x", StorePath = "y", RootCaPath = "z" };
        Assert.That(new AttestationOptionsValidator(keeper).Validate(null, empty).Failures, Has.Some.Contains("AllowedMeasurements: empty"));
    }
}

/// <summary>
/// Renewal before expiry and its refusal, with the chain's clock moved (a suite of their own, so the other tests' agents keep their time).
/// </summary>
[Category("Anvil")]
public sealed class DutyRenewalTests
{
    private DutyWorld _world = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        _world = await DutyWorld.StartAsync(bound.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    [Test]
    public async Task NearExpiry_TheStoredEvidenceIsReverified_AndARenewalWithTheNextNonceIsPosted()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var pki = new TestPki();
        AgentKey agent = await _world.RegisterAgentAsync(bound.Token);
        BigInteger agentId = AgentsClient.AgentIdOf(agent.Address);
        ComputeBenchmarkReport benchmark = await _world.BenchmarkAsync(cores: 8);
        byte[] quote = _world.Quote(pki, agent.Address, 1, benchmark);
        await using DutyWorld.RunningDuty keeper = await _world.StartKeeperAsync(AgentClusterSuiteOptions.TestAttestorIndex,
            _world.DutySettings("renew", pki, [DutyWorld.MrEnclave(quote)]), bound.Token);
        DutyWorld.Submit(keeper.Inbox, agent.Address, quote, benchmark);
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logged(1212, agent.Address)), "the first attestation logged", bound.Token);
        OnChainAttestation first = (await _world.Registry.AttestationOfQueryAsync(agentId)).ReturnValue1;

        // Three days before expiry: not yet (RenewBefore is 2 days).
        await _world.Suite.IncreaseTimeAsync(DateTimeOffset.FromUnixTimeSeconds((long)first.ExpiresAt) - await _world.Suite.ChainTimeAsync(bound.Token) - TimeSpan.FromDays(3), bound.Token);
        long passes = keeper.Duty.CompletedPasses;
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Duty.CompletedPasses >= passes + 3), "three passes", bound.Token);
        Assert.That((await _world.Registry.AttestationOfQueryAsync(agentId)).ReturnValue1.Nonce, Is.EqualTo(1UL), "not renewed before RenewBefore");

        await _world.Suite.IncreaseTimeAsync(TimeSpan.FromDays(1.5), bound.Token);
        DateTimeOffset renewAt = await _world.Suite.ChainTimeAsync(bound.Token);
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logged(1221, agent.Address)), "the renewal logged", bound.Token);
        OnChainAttestation renewed = (await _world.Registry.AttestationOfQueryAsync(agentId)).ReturnValue1;
        Assert.That(renewed.ExpiresAt, Is.GreaterThanOrEqualTo((ulong)(renewAt + TimeSpan.FromDays(30)).ToUnixTimeSeconds()), "a new 30-day term from the renewal");
        Assert.That(renewed.ExpiresAt, Is.GreaterThan(first.ExpiresAt));
        Assert.That((renewed.MeasurementHash, renewed.CpuCores, renewed.GpuMemoryMb, renewed.TokensPerSecond),
            Is.EqualTo((first.MeasurementHash, first.CpuCores, first.GpuMemoryMb, first.TokensPerSecond)), "the same evidence");
        Assert.That(keeper.Logged(1220, agent.Address), Is.True, "the re-verification is logged");
        Assert.That(keeper.Logged(1221, $"Renewed agent {agent.Address.ToLowerInvariant()}: nonce 2"), Is.True);
        Assert.That(keeper.Duty.Store.Get(agentId)!.LastNonce, Is.EqualTo(2UL));

        // Past the first term's end the agent is still eligible, on the renewal.
        await _world.Suite.IncreaseTimeAsync(TimeSpan.FromDays(1), bound.Token);
        Assert.That(await _world.Registry.IsEligibleQueryAsync(agentId, 1), Is.True);
    }

    [Test]
    public async Task StoredEvidenceThatNoLongerVerifies_IsNotRenewed_AndTheAgentIsIneligibleAfterExpiry()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var pki = new TestPki();
        AgentKey agent = await _world.RegisterAgentAsync(bound.Token);
        BigInteger agentId = AgentsClient.AgentIdOf(agent.Address);
        ComputeBenchmarkReport benchmark = await _world.BenchmarkAsync();
        byte[] quote = _world.Quote(pki, agent.Address, 1, benchmark);

        // Collateral: CRLs of the test CA (nothing revoked yet); the root CA's is due again in 20 days, which caps the attestation's term.
        DateTimeOffset now = await _world.Suite.ChainTimeAsync(bound.Token);
        string collateral = Directory.CreateDirectory(Path.Combine(_world.Dir, "revoke-collateral")).FullName;
        var empty = new CertificateRevocationListBuilder();
        DateTimeOffset rootCrlNextUpdate = now.AddDays(20);
        File.WriteAllBytes(Path.Combine(collateral, "root_ca_crl.der"), empty.Build(pki.Root, 1, rootCrlNextUpdate, HashAlgorithmName.SHA256, null, now.AddDays(-1)));
        File.WriteAllBytes(Path.Combine(collateral, "pck_crl_1.der"), empty.Build(pki.Intermediate, 1, now.AddDays(365), HashAlgorithmName.SHA256, null, now.AddDays(-1)));

        await using DutyWorld.RunningDuty keeper = await _world.StartKeeperAsync(AgentClusterSuiteOptions.TestAttestorIndex,
            _world.DutySettings("revoke", pki, [DutyWorld.MrEnclave(quote)], collateral), bound.Token);
        DutyWorld.Submit(keeper.Inbox, agent.Address, quote, benchmark);
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logged(1212, agent.Address)), "the first attestation logged", bound.Token);
        OnChainAttestation first = (await _world.Registry.AttestationOfQueryAsync(agentId)).ReturnValue1;
        Assert.That(DutyWorld.Outcome(keeper.Inbox, "done", agent.Address), Does.Contain("revocation: pass").And.Contain("(limit: CRL of 'CN=Test SGX Root CA"));
        Assert.That(first.ExpiresAt, Is.EqualTo((ulong)rootCrlNextUpdate.ToUnixTimeSeconds()), "min(now + 30 days, the collateral's nextUpdate)");

        // The PCK's issuer revokes the leaf (a newer CRL in the collateral folder), then the chain nears expiry.
        var revoking = new CertificateRevocationListBuilder();
        revoking.AddEntry(pki.Leaf);
        DateTimeOffset expires = DateTimeOffset.FromUnixTimeSeconds((long)first.ExpiresAt);
        File.WriteAllBytes(Path.Combine(collateral, "pck_crl_2.der"),
            revoking.Build(pki.Intermediate, 2, expires.AddDays(365), HashAlgorithmName.SHA256, null, expires.AddDays(-5)));
        await _world.Suite.IncreaseTimeAsync(expires - await _world.Suite.ChainTimeAsync(bound.Token) - TimeSpan.FromDays(1), bound.Token);
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logged(1222, agent.Address)), "the refused renewal in the log", bound.Token);

        KeeperHostTests.LogLine refused = keeper.Logs.First(l => l.EventId == 1222);
        Assert.That(refused.Message, Does.Contain("revocation: ").And.Contain("is revoked"));
        Assert.That(keeper.Duty.Store.Get(agentId)!.Reason, Does.StartWith("failed revocation:"));
        long passes = keeper.Duty.CompletedPasses;
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Duty.CompletedPasses >= passes + 3), "three more passes", bound.Token);
        Assert.That(keeper.Logs.Count(l => l.EventId == 1222), Is.EqualTo(1), "logged once, not every pass");
        Assert.That((await _world.Registry.AttestationOfQueryAsync(agentId)).ReturnValue1.Nonce, Is.EqualTo(1UL), "no renewal");
        Assert.That(await _world.Registry.IsEligibleQueryAsync(agentId, 1), Is.True, "still eligible until expiry");

        await _world.Suite.IncreaseTimeAsync(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1), bound.Token);
        Assert.That(await _world.Registry.IsEligibleQueryAsync(agentId, 1), Is.False, "the registry suspends the agent by itself at expiry");
        Assert.That(await _world.Registry.StatusOfQueryAsync(agentId), Is.EqualTo((byte)AgentStatus.Suspended));
        await DutyWorld.WaitUntilAsync(() => Task.FromResult(keeper.Logged(1224, "expired at")), "the evidence retired, logged", bound.Token);
        Assert.That(keeper.Duty.Store.Get(agentId)!.State, Is.EqualTo(EvidenceState.Lapsed));
    }
}
