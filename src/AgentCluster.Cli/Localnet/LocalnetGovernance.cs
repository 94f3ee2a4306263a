using System.Numerics;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Bindings.TaskMarket.ContractDefinition;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Governance;
using AgentCluster.Testing;

namespace AgentCluster.Cli.Localnet;

/// <summary>
/// The localnet's governance round, through the SDK's <see cref="GovernanceClient"/>: the deployer (the largest ACC holder on localnet,
/// its votes above the quorum floor after 26 days of emissions) delegates to itself, proposes to raise the market fee by one point,
/// votes for it, queues it and executes it after the timelock. anvil's clock is moved for the voting delay, the voting period and the
/// timelock, each said on screen. Returns the fee before and after (basis points, read from the chain).
/// </summary>
internal static class LocalnetGovernance
{
    public static async Task<(int Before, int After)> RunAsync(AgentClusterSuite suite, AgentClusterClient deployer, Action<string> say, CancellationToken ct)
    {
        say("governance: releasing 26 days of emissions to the deployer (votes above the quorum floor; anvil's clock moved 26 days)");
        await suite.ReleaseEmissionsAsync(TimeSpan.FromDays(26), ct).ConfigureAwait(false);
        GovernanceClient gov = deployer.Governance;
        await gov.DelegateAsync(deployer.Address!, ct).ConfigureAwait(false);
        await suite.IncreaseTimeAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false); // votes count from the next timepoint (the governor's clock is time)

        MarketParams p = (await deployer.Contracts.TaskMarket.ParamsQueryAsync().ConfigureAwait(false)).ReturnValue1;
        int before = p.FeeBps;
        p.FeeBps = (ushort)(p.FeeBps + 100);
        string market = deployer.Manifest.AddressOf("TaskMarket");
        var draft = new ProposalDraft([ProposalCall.Of(market, new SetParamsFunction { Params = p })],
            $"localnet: raise the task market's fee from {before} to {p.FeeBps} basis points");
        ProposalSubmission sent = await gov.ProposeAsync(draft, ct).ConfigureAwait(false);
        say($"governance: proposal {Short(sent.Id)} sent ({draft.Description})");

        BigInteger delay = await deployer.Contracts.Governor.VotingDelayQueryAsync().ConfigureAwait(false);
        say($"governance: anvil's clock moved {TimeSpan.FromSeconds((double)delay + 1)} past the voting delay");
        await suite.IncreaseTimeAsync(TimeSpan.FromSeconds((double)delay + 1), ct).ConfigureAwait(false);
        await gov.VoteAsync(sent.Id, VoteType.For, "localnet swarm", ct).ConfigureAwait(false);

        BigInteger period = await deployer.Contracts.Governor.VotingPeriodQueryAsync().ConfigureAwait(false);
        say($"governance: voted for; anvil's clock moved {TimeSpan.FromSeconds((double)period + 1)} past the voting period");
        await suite.IncreaseTimeAsync(TimeSpan.FromSeconds((double)period + 1), ct).ConfigureAwait(false);
        await gov.QueueAsync(draft, ct).ConfigureAwait(false);

        BigInteger minDelay = await deployer.Contracts.Timelock.GetMinDelayQueryAsync().ConfigureAwait(false);
        say($"governance: queued; anvil's clock moved {TimeSpan.FromSeconds((double)minDelay + 1)} past the timelock");
        await suite.IncreaseTimeAsync(TimeSpan.FromSeconds((double)minDelay + 1), ct).ConfigureAwait(false);
        await gov.ExecuteAsync(draft, ct).ConfigureAwait(false);
        int after = (await deployer.Contracts.TaskMarket.ParamsQueryAsync().ConfigureAwait(false)).ReturnValue1.FeeBps;
        say($"governance: executed; the market fee is now {after} basis points (was {before})");
        return (before, after);
    }

    private static string Short(BigInteger id)
    {
        string s = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return s.Length > 12 ? s[..6] + "…" + s[^4..] : s;
    }
}
