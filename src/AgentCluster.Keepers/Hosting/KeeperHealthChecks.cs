using System.Numerics;
using AgentCluster.Evm.Rpc;
using AgentCluster.Sdk;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.Util;

namespace AgentCluster.Keepers.Hosting;

/// <summary>Readiness: the node answers <c>eth_chainId</c> with the manifest's chain (connecting the keeper's client if needed).</summary>
public sealed class NodeHealthCheck(KeeperClient client) : IHealthCheck
{
    /// <summary>The check's name in <c>/health/ready</c>.</summary>
    public const string Name = "node";

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            AgentClusterClient c = await client.GetAsync(cancellationToken).ConfigureAwait(false);
            BigInteger chain = (await RpcCancellation.RunAsync(() => c.Web3.Eth.ChainId.SendRequestAsync(), cancellationToken).ConfigureAwait(false)).Value;
            return chain == c.Manifest.ChainId
                ? HealthCheckResult.Healthy($"chain {chain}")
                : HealthCheckResult.Unhealthy($"the node answers chain {chain}, the manifest is for chain {c.Manifest.ChainId}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"node unreachable or wrong: {e.Message.Split('\n')[0]}", e);
        }
    }
}

/// <summary>Readiness: the indexer (if one is registered) is at most <see cref="KeeperOptions.MaxIndexerLagBlocks"/> behind the head.</summary>
public sealed class IndexerLagHealthCheck(IndexerLag lag, IOptions<KeeperOptions> options) : IHealthCheck
{
    /// <summary>The check's name in <c>/health/ready</c>.</summary>
    public const string Name = "indexer";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ulong max = options.Value.MaxIndexerLagBlocks;
        HealthCheckResult result = !lag.HasIndexer ? HealthCheckResult.Healthy("no indexer registered")
            : lag.Blocks is not { } blocks ? HealthCheckResult.Unhealthy("the indexer has not completed a pass yet")
            : blocks <= max ? HealthCheckResult.Healthy($"{blocks} block(s) behind")
            : HealthCheckResult.Unhealthy($"{blocks} blocks behind the head (at most {max} allowed)");
        return Task.FromResult(result);
    }
}

/// <summary>
/// Readiness: the signer's ETH balance. Below <see cref="KeeperOptions.MinBalanceWarningEth"/> Degraded (still ready, and a warning in the
/// log), below <see cref="KeeperOptions.MinBalanceFailureEth"/> Unhealthy (not ready: it could not pay for its next transactions).
/// </summary>
public sealed class SignerBalanceHealthCheck(KeeperClient client, IOptions<KeeperOptions> options, ILogger<SignerBalanceHealthCheck> logger) : IHealthCheck
{
    /// <summary>The check's name in <c>/health/ready</c>.</summary>
    public const string Name = "signer-balance";

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        AgentClusterClient c;
        try
        {
            c = await client.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("balance unknown: not connected", e);
        }

        string address = c.Address!;
        BigInteger wei = (await RpcCancellation.RunAsync(() => c.Web3.Eth.GetBalance.SendRequestAsync(address), cancellationToken).ConfigureAwait(false)).Value;
        decimal eth = UnitConversion.Convert.FromWei(wei);
        KeeperOptions o = options.Value;
        var data = new Dictionary<string, object> { ["address"] = address, ["balanceEth"] = eth };
        if (eth < o.MinBalanceFailureEth)
        {
            return HealthCheckResult.Unhealthy($"signer {address} holds {eth} ETH, below the failure threshold {o.MinBalanceFailureEth} ETH", data: data);
        }

        if (eth < o.MinBalanceWarningEth)
        {
            KeeperLog.LowBalance(logger, address, eth, o.MinBalanceWarningEth);
            return HealthCheckResult.Degraded($"signer {address} holds {eth} ETH, below the warning threshold {o.MinBalanceWarningEth} ETH", data: data);
        }

        return HealthCheckResult.Healthy($"signer {address} holds {eth} ETH", data);
    }
}
