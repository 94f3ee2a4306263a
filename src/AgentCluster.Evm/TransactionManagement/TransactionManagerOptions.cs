namespace AgentCluster.Evm.TransactionManagement;

/// <summary>Options of <see cref="TransactionManager"/>.</summary>
public sealed class TransactionManagerOptions
{
    /// <summary>The SQLite file holding the nonce and the pending-transaction journal. Required; one manager per signer and file at a time.</summary>
    public string JournalPath { get; set; } = "";

    /// <summary>The chain id to sign for; null asks the node once at start.</summary>
    public ulong? ChainId { get; set; }

    /// <summary>maxFeePerGas = latest base fee * this + priority fee. Default 2 (survives six full blocks of base-fee growth).</summary>
    public int BaseFeeMultiplier { get; set; } = 2;

    /// <summary>The priority fee (tip); null asks the node (eth_maxPriorityFeePerGas).</summary>
    public UInt256? MaxPriorityFeePerGas { get; set; }

    /// <summary>The most this manager ever offers as maxFeePerGas, also for replacements. Null: no cap.</summary>
    public UInt256? MaxFeePerGasCap { get; set; }

    /// <summary>Gas limit = the node's estimate * this / 100 when the caller gives none. Default 120.</summary>
    public int GasLimitMarginPercent { get; set; } = 120;

    /// <summary>How much a replacement raises both fees, in percent. geth and anvil require at least 10; default 12.5.</summary>
    public double ReplacementFeeBumpPercent { get; set; } = 12.5;

    /// <summary>A transaction not mined this long after its latest attempt is replaced with higher fees. Default 60 s.</summary>
    public TimeSpan ReplaceAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>An unmined attempt is re-sent (same bytes) this often, in case the node lost it (restart, pool eviction). Default 15 s.</summary>
    public TimeSpan RebroadcastAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often pending transactions are checked, and how often waiters poll for confirmations. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Replacements per intent before the manager stops raising fees (it keeps re-sending the last one). Default 10.</summary>
    public int MaxReplacements { get; set; } = 10;

    /// <summary>Decodes custom errors when a gas estimate reverts (e.g. <c>ContractAbi.CreateRevertDecoder()</c>).</summary>
    public AgentCluster.Evm.Abi.RevertDecoder? RevertDecoder { get; set; }

    /// <summary>The clock (for tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(JournalPath))
        {
            throw new ArgumentException("TransactionManagerOptions.JournalPath must name the SQLite file that keeps nonces and pending transactions.");
        }

        if (BaseFeeMultiplier < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseFeeMultiplier), BaseFeeMultiplier, "BaseFeeMultiplier must be at least 1.");
        }

        if (GasLimitMarginPercent < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(GasLimitMarginPercent), GasLimitMarginPercent, "GasLimitMarginPercent must be at least 100.");
        }

        if (ReplacementFeeBumpPercent is < 10 or > 1000 || double.IsNaN(ReplacementFeeBumpPercent))
        {
            throw new ArgumentOutOfRangeException(nameof(ReplacementFeeBumpPercent), ReplacementFeeBumpPercent,
                "ReplacementFeeBumpPercent must be between 10 (what nodes accept as a replacement) and 1000.");
        }

        if (PollInterval <= TimeSpan.Zero || ReplaceAfter <= TimeSpan.Zero || RebroadcastAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException("PollInterval, ReplaceAfter and RebroadcastAfter must be positive.");
        }

        if (MaxReplacements < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReplacements), MaxReplacements, "MaxReplacements cannot be negative.");
        }
    }
}

/// <summary>EIP-1559 fees for one transaction, and the base fee they were derived from.</summary>
public readonly record struct FeeEstimate(UInt256 MaxFeePerGas, UInt256 MaxPriorityFeePerGas, UInt256 BaseFeePerGas);
