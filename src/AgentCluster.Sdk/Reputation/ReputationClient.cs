using System.Numerics;
using AgentCluster.Sdk.Agents;
using RepDef = AgentCluster.Evm.Bindings.Reputation.ContractDefinition;

namespace AgentCluster.Sdk.Reputation;

/// <summary>The four reputation dimensions (the contract's <c>Dimension</c> values).</summary>
public enum ReputationDimension : byte
{
    /// <summary>Executing tasks.</summary>
    Task = 0,

    /// <summary>Reviewing as a committee member.</summary>
    Validator = 1,

    /// <summary>Attested compute (set from each attestation's benchmark).</summary>
    Compute = 2,

    /// <summary>Endorsements.</summary>
    Social = 3,
}

/// <summary>An agent's four dimensions, decayed (90-day half-life) to the time read; 18 decimals (1e18 = one point).</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Task">Task dimension.</param>
/// <param name="Validator">Validator dimension.</param>
/// <param name="Compute">Compute dimension.</param>
/// <param name="Social">Social dimension.</param>
/// <param name="Total">The contract's total (the sum of the four).</param>
public sealed record ReputationSummary(BigInteger AgentId, BigInteger Task, BigInteger Validator, BigInteger Compute, BigInteger Social, BigInteger Total)
{
    /// <summary>One dimension.</summary>
    public BigInteger this[ReputationDimension dimension] => dimension switch
    {
        ReputationDimension.Task => Task,
        ReputationDimension.Validator => Validator,
        ReputationDimension.Compute => Compute,
        ReputationDimension.Social => Social,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Not a reputation dimension."),
    };
}

/// <summary>
/// Reads of the <c>Reputation</c> contract, decayed on read exactly as the contract computes it (nothing is recomputed here). Past reads
/// (<see cref="GetAtAsync"/>) give the value at the start of the timepoint's day; the history is a ring of 8 daily checkpoints, so a read
/// less than 7 days old never reverts, and an older one may revert with
/// <c>ContractCustomErrorException&lt;ReputationHistoryPrunedError&gt;</c> (agent id and day start) when more than 8 later days had writes;
/// a future time reverts <c>ReputationFutureLookupError</c>.
/// </summary>
public sealed class ReputationClient
{
    private readonly AgentClusterClient _client;

    internal ReputationClient(AgentClusterClient client) => _client = client;

    /// <summary>All four dimensions now (one <c>getSummary</c> call).</summary>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<ReputationSummary> GetAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        RepDef.GetSummaryOutputDTO s = await SdkCalls.ReadAsync(() => _client.Contracts.Reputation.GetSummaryQueryAsync(agentId), cancellationToken)
            .ConfigureAwait(false);
        return new ReputationSummary(agentId, s.Task, s.Validator, s.Compute, s.Social, s.Total);
    }

    /// <summary>One dimension now.</summary>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<BigInteger> GetAsync(BigInteger agentId, ReputationDimension dimension, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        ValidateDimension(dimension);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        return await SdkCalls.ReadAsync(() => _client.Contracts.Reputation.ReputationOfQueryAsync(agentId, (byte)dimension), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>One dimension at the start of <paramref name="timepoint"/>'s day (UTC), decayed to that day start; 0 before the first write.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A time before the Unix epoch, or not a dimension.</exception>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<BigInteger> GetAtAsync(BigInteger agentId, ReputationDimension dimension, DateTimeOffset timepoint,
        CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        ValidateDimension(dimension);
        ValidateTime(timepoint);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        return await SdkCalls.ReadAsync(() => _client.Contracts.Reputation.ReputationAtQueryAsync(agentId, (byte)dimension, timepoint.ToUnixTimeSeconds()),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>All four dimensions at the start of <paramref name="timepoint"/>'s day (four <c>reputationAt</c> reads; Total is their sum).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A time before the Unix epoch.</exception>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<ReputationSummary> GetSummaryAtAsync(BigInteger agentId, DateTimeOffset timepoint, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        ValidateTime(timepoint);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        var values = new BigInteger[4];
        for (int d = 0; d < 4; d++)
        {
            byte dimension = (byte)d;
            values[d] = await SdkCalls.ReadAsync(() => _client.Contracts.Reputation.ReputationAtQueryAsync(agentId, dimension, timepoint.ToUnixTimeSeconds()),
                cancellationToken).ConfigureAwait(false);
        }

        return new ReputationSummary(agentId, values[0], values[1], values[2], values[3], values[0] + values[1] + values[2] + values[3]);
    }

    /// <summary>The network total of a dimension now.</summary>
    public async Task<BigInteger> GetNetworkTotalAsync(ReputationDimension dimension, CancellationToken cancellationToken = default)
    {
        ValidateDimension(dimension);
        return await SdkCalls.ReadAsync(() => _client.Contracts.Reputation.TotalReputationQueryAsync((byte)dimension), cancellationToken).ConfigureAwait(false);
    }

    private static void ValidateDimension(ReputationDimension dimension)
    {
        if (!Enum.IsDefined(dimension))
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be Task, Validator, Compute or Social.");
        }
    }

    private static void ValidateTime(DateTimeOffset timepoint)
    {
        if (timepoint < DateTimeOffset.UnixEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(timepoint), timepoint, "timepoint must not be before the Unix epoch.");
        }
    }
}
