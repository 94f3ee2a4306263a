using System.Numerics;

namespace AgentCluster.Evm.Fees;

/// <summary>Options of <see cref="BaseFeeSuggestionStrategy"/>. Amounts are in wei.</summary>
public sealed record BaseFeeOptions
{
    /// <summary>One gwei in wei.</summary>
    public static readonly BigInteger Gwei = 1_000_000_000;

    /// <summary>The lowest tip suggested, and the tip used when the node cannot answer <c>eth_maxPriorityFeePerGas</c>.
    /// Default 0.001 gwei (1,000,000 wei), Base's usual tip.</summary>
    public BigInteger MinTip { get; init; } = 1_000_000;

    /// <summary>The highest tip suggested from the node's answer. Default 0.1 gwei.</summary>
    public BigInteger MaxTip { get; init; } = 100_000_000;

    /// <summary>maxFeePerGas = latest base fee x this + tip: room for the base fee to rise before inclusion. Default 2; between 1 and 100, at most 6 decimals.</summary>
    public decimal BaseFeeMultiplier { get; init; } = 2m;

    /// <summary>maxFeePerGas is never above this. Default 10 gwei (Base's base fee is usually well under 0.1 gwei).</summary>
    public BigInteger MaxFeePerGasCap { get; init; } = 10 * Gwei;

    /// <summary>The defaults.</summary>
    public static BaseFeeOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the option that is out of range.</summary>
    public void Validate()
    {
        if (MinTip < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinTip), MinTip, $"BaseFeeOptions.MinTip cannot be negative; it is {MinTip} wei.");
        }

        if (MaxTip < MinTip)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTip), MaxTip,
                $"BaseFeeOptions.MaxTip ({MaxTip} wei) must be at least MinTip ({MinTip} wei).");
        }

        if (BaseFeeMultiplier < 1m || BaseFeeMultiplier > 100m || decimal.Round(BaseFeeMultiplier, 6) != BaseFeeMultiplier)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseFeeMultiplier), BaseFeeMultiplier,
                $"BaseFeeOptions.BaseFeeMultiplier must be between 1 and 100 with at most 6 decimals; it is {BaseFeeMultiplier}.");
        }

        if (MaxFeePerGasCap <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFeePerGasCap), MaxFeePerGasCap,
                $"BaseFeeOptions.MaxFeePerGasCap must be positive; it is {MaxFeePerGasCap} wei.");
        }

        if (MaxTip > MaxFeePerGasCap)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTip), MaxTip,
                $"BaseFeeOptions.MaxTip ({MaxTip} wei) cannot be above MaxFeePerGasCap ({MaxFeePerGasCap} wei).");
        }
    }
}
