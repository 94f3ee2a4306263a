using System.Numerics;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Evm.Bindings.AccToken.ContractDefinition;
using AgentCluster.Sdk.Governance;
using AgentCluster.Testing;
using Nethereum.Hex.HexTypes;

namespace AgentCluster.Sdk.Tests.Governance;

/// <summary>A standard proposal from draft to execution through the SDK alone, on anvil, with every refusal on the way.</summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class GovernanceClientTests
{
    private AgentClusterSuite _suite = null!;
    private AgentClusterClient _deployer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _suite = await AgentClusterSuite.StartAsync();
        _deployer = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = _suite.Web3, Manifest = _suite.Manifest });
        // The deployer is the emission pools' beneficiary on a local chain: 25 days of emissions are above the 10M ACC quorum floor.
        await _suite.ReleaseEmissionsAsync(TimeSpan.FromDays(25));
        await _deployer.Governance.DelegateAsync(_deployer.Address!);
        await WarpAsync(1);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _deployer.DisposeAsync();
        await _suite.DisposeAsync();
    }

    private async Task WarpAsync(BigInteger seconds)
    {
        await _suite.Web3.Client.SendRequestAsync<string>("evm_increaseTime", null, new HexBigInteger(seconds));
        await _suite.Web3.Client.SendRequestAsync<string>("evm_mine");
    }

    private ProposalDraft ApproveDraft(string spender, BigInteger amount, string description) =>
        new([ProposalCall.Of(_suite.Manifest.AddressOf("AccToken"), new ApproveFunction { Spender = spender, Value = amount })], description);

    [Test]
    public async Task A_standard_proposal_goes_from_draft_to_execution_and_each_early_step_is_refused_first()
    {
        string spender = AnvilAccounts.Addresses[7];
        ProposalDraft draft = ApproveDraft(spender, 12345, "Let account 7 spend 12345 wei of the timelock's ACC");
        bool critical = await _deployer.Governance.IsCriticalAsync(draft);

        ProposalSubmission sent = await _deployer.Governance.ProposeAsync(draft);
        Assert.That(sent.Id, Is.EqualTo(await _deployer.Governance.ProposalIdAsync(draft)));
        Assert.That(sent.Critical, Is.EqualTo(critical));
        Assert.That(await _deployer.Contracts.Governor.IsCriticalQueryAsync(sent.Id), Is.EqualTo(critical), "classified before sending as the governor does");
        ProposalStatus pending = await _deployer.Governance.GetAsync(sent.Id);
        Assert.That((pending.State, pending.Quorum), Is.EqualTo((ProposalState.Pending, (BigInteger?)null)));

        Assert.That(() => _deployer.Governance.VoteAsync(sent.Id, VoteType.For),
            Throws.InstanceOf<ProposalStateException>().With.Message.Contains("Pending"));
        await WarpAsync(await _deployer.Contracts.Governor.VotingDelayQueryAsync() + 1);
        await _deployer.Governance.VoteAsync(sent.Id, VoteType.For, "fine");
        Assert.That(() => _deployer.Governance.QueueAsync(draft), Throws.InstanceOf<ProposalStateException>().With.Message.Contains("Active"));

        await WarpAsync(await _deployer.Contracts.Governor.VotingPeriodQueryAsync() + 1);
        ProposalStatus succeeded = await _deployer.Governance.GetAsync(sent.Id);
        Assert.That(succeeded.State, Is.EqualTo(ProposalState.Succeeded));
        Assert.That(succeeded.ForVotes, Is.EqualTo(await _deployer.Governance.VotingPowerAsync()));
        Assert.That(succeeded.ForVotes, Is.GreaterThanOrEqualTo(succeeded.Quorum!.Value));
        Assert.That(() => _deployer.Governance.ExecuteAsync(draft), Throws.InstanceOf<ProposalStateException>().With.Message.Contains("Succeeded"));

        await _deployer.Governance.QueueAsync(draft);
        Assert.That(() => _deployer.Governance.ExecuteAsync(draft), Throws.InstanceOf<ProposalStateException>().With.Message.Contains("timelock delay ends"));
        await WarpAsync(await _deployer.Contracts.Timelock.GetMinDelayQueryAsync() + 1);
        await _deployer.Governance.ExecuteAsync(draft);

        Assert.That((await _deployer.Governance.GetAsync(sent.Id)).State, Is.EqualTo(ProposalState.Executed));
        var token = new AccTokenService(_suite.Web3, _suite.Manifest.AddressOf("AccToken"));
        Assert.That(await token.AllowanceQueryAsync(_suite.Manifest.AddressOf("Timelock"), spender), Is.EqualTo(new BigInteger(12345)), "the call ran from the timelock");
        Assert.That((await _deployer.Governance.ListAsync()).Select(p => p.ProposalId), Does.Contain(sent.Id));
    }

    [Test]
    public async Task An_account_without_voting_power_is_refused_before_sending()
    {
        await using AgentClusterClient poor = await AgentClusterClient.ConnectAsync(
            new AgentClusterClientOptions { Web3 = await _suite.CreateWeb3Async(2), Manifest = _suite.Manifest });
        BigInteger nonce = (await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(poor.Address!)).Value;
        var e = Assert.ThrowsAsync<InsufficientVotingPowerException>(() => poor.Governance.ProposeAsync(ApproveDraft(AnvilAccounts.Addresses[8], 1, "nothing")));
        Assert.That(e!.Votes, Is.EqualTo(BigInteger.Zero));
        Assert.That(e.Threshold, Is.GreaterThan(BigInteger.Zero));
        Assert.That(e.Message, Does.Contain("delegate"));
        Assert.That((await _suite.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(poor.Address!)).Value, Is.EqualTo(nonce), "nothing was sent");
    }

    [Test]
    public void Malformed_drafts_and_votes_are_refused()
    {
        Assert.That(() => _deployer.Governance.IsCriticalAsync(new ProposalDraft([], "x")), Throws.ArgumentException.With.Message.Contains("at least one call"));
        Assert.That(() => _deployer.Governance.IsCriticalAsync(ApproveDraft(AnvilAccounts.Addresses[1], 1, " ")), Throws.ArgumentException.With.Message.Contains("description"));
        Assert.That(() => _deployer.Governance.IsCriticalAsync(new ProposalDraft([new ProposalCall("0x12", 0, [])], "x")), Throws.InstanceOf<FormatException>());
        Assert.That(() => _deployer.Governance.VoteAsync(1, (VoteType)7), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
