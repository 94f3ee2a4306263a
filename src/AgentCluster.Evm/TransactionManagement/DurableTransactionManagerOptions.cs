using System.Numerics;
using AgentCluster.Evm.Errors;
using Nethereum.RPC.Fee1559Suggestions;

namespace AgentCluster.Evm.TransactionManagement;

/// <summary>Options of <see cref="DurableTransactionManager"/>.</summary>
public sealed class DurableTransactionManagerOptions
{
    /// <summary>
    /// The SQLite file holding the next nonce and the journal of intents. Required. One manager per signer and file at a time:
    /// a second manager on the same file in this process is refused, and so is one in another process (a lock file next to it).
    /// </summary>
    public string JournalPath { get; set; } = "";

    /// <summary>The chain id to sign for; null asks the node once at start.</summary>
    public BigInteger? ChainId { get; set; }

    /// <summary>
    /// Suggests EIP-1559 fees (Nethereum's seam). Null: <see cref="AgentCluster.Evm.Fees.BaseFeeSuggestionStrategy"/> on the
    /// manager's client (Base-tuned tips), with <see cref="MaxFeePerGasCap"/> as its cap when set (else its own default cap).
    /// Nethereum's mainnet-tuned strategies (e.g. <see cref="SimpleFeeSuggestionStrategy"/>) plug in here too.
    /// </summary>
    public IFee1559SuggestionStrategy? FeeSuggestionStrategy { get; set; }

    /// <summary>The priority fee (tip) passed to the strategy; null lets the strategy choose.</summary>
    public BigInteger? MaxPriorityFeePerGas { get; set; }

    /// <summary>The most this manager ever offers as maxFeePerGas, also for replacements. Null: no cap.</summary>
    public BigInteger? MaxFeePerGasCap { get; set; }

    /// <summary>Gas limit = the node's estimate * this / 100 + <see cref="GasLimitHeadroom"/> when the caller gives none. Default 120.</summary>
    public int GasLimitMarginPercent { get; set; } = 120;

    /// <summary>
    /// Gas added to every estimated limit (after <see cref="GasLimitMarginPercent"/>). An estimate is taken on the state before the
    /// transaction is mined; another sender's transaction mined first can make it write a storage slot the estimate found written
    /// (a vote checkpoint of a new block, a first balance), about 22,100 gas that a percentage of a small estimate does not cover.
    /// Default 30,000: one new slot plus its cold access, with margin. Unused gas is not paid for.
    /// </summary>
    public int GasLimitHeadroom { get; set; } = 30_000;

    /// <summary>
    /// When true (the default), the receipt service's send-and-wait calls throw <see cref="TransactionFailedException"/> for a
    /// transaction mined with status 0 instead of returning its receipt (Nethereum's behaviour), so that a revert after a successful
    /// estimate is never mistaken for success.
    /// </summary>
    public bool ThrowOnFailedTransaction { get; set; } = true;

    /// <summary>How much a replacement raises both fees, in percent. geth-style pools require at least 10; default 12.5.</summary>
    public double ReplacementFeeBumpPercent { get; set; } = 12.5;

    /// <summary>A transaction not mined this long after its latest attempt is replaced with higher fees. Default 60 s.</summary>
    public TimeSpan ReplaceAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>An unmined attempt is re-sent (same bytes) this often, in case the node lost it (restart, pool eviction). Default 15 s.</summary>
    public TimeSpan RebroadcastAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often pending transactions are checked and waiters poll for confirmations (10 ms to 1 min). Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Replacements per intent before the manager stops raising fees (it keeps re-sending the last one). Default 10.</summary>
    public int MaxReplacements { get; set; } = 10;

    /// <summary>Decodes reverts during gas estimation into typed exceptions (the generated bindings pass the suite's decoder).</summary>
    public RevertDecoder RevertDecoder { get; set; } = RevertDecoder.Default;

    /// <summary>Confirmations Nethereum's receipt paths (<c>*AndWaitForReceiptAsync</c>, deployments) wait for. Default 1.</summary>
    public int ReceiptConfirmations { get; set; } = 1;

    /// <summary>How long Nethereum's receipt paths wait before a <see cref="TimeoutException"/>. Default 5 min.</summary>
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a mined intent stays in memory (hash lookups, confirmations). Afterwards the journal still maps any of its hashes
    /// to the mined one for the receipt service. Default 10 min.
    /// </summary>
    public TimeSpan RetainMinedFor { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The clock (for tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>A copy (the manager keeps its own, so later changes to this instance do not reach it).</summary>
    public DurableTransactionManagerOptions Clone() => (DurableTransactionManagerOptions)MemberwiseClone();

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(JournalPath))
        {
            throw new ArgumentException("DurableTransactionManagerOptions.JournalPath must name the SQLite file that keeps nonces and pending transactions.");
        }

        if (ChainId is { } chain && chain <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ChainId), ChainId, "ChainId must be positive.");
        }

        if (MaxFeePerGasCap is { } cap && cap <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFeePerGasCap), MaxFeePerGasCap, "MaxFeePerGasCap must be positive (or null for no cap).");
        }

        if (MaxPriorityFeePerGas is { } tip && tip < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPriorityFeePerGas), MaxPriorityFeePerGas, "MaxPriorityFeePerGas cannot be negative.");
        }

        if (GasLimitMarginPercent is < 100 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(GasLimitMarginPercent), GasLimitMarginPercent, "GasLimitMarginPercent must be between 100 and 1000.");
        }

        if (GasLimitHeadroom is < 0 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(GasLimitHeadroom), GasLimitHeadroom, "GasLimitHeadroom must be between 0 and 1,000,000 gas.");
        }

        if (double.IsNaN(ReplacementFeeBumpPercent) || ReplacementFeeBumpPercent is < 10 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(ReplacementFeeBumpPercent), ReplacementFeeBumpPercent,
                "ReplacementFeeBumpPercent must be between 10 (what geth-style pools accept as a replacement) and 1000.");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "PollInterval must be between 10 ms and 1 minute.");
        }

        if (ReplaceAfter <= TimeSpan.Zero || RebroadcastAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException("ReplaceAfter and RebroadcastAfter must be positive.");
        }

        if (MaxReplacements < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReplacements), MaxReplacements, "MaxReplacements cannot be negative.");
        }

        if (ReceiptConfirmations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ReceiptConfirmations), ReceiptConfirmations, "ReceiptConfirmations must be at least 1.");
        }

        if (RetainMinedFor < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetainMinedFor), RetainMinedFor, "RetainMinedFor cannot be negative.");
        }

        if (ReceiptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReceiptTimeout), ReceiptTimeout, "ReceiptTimeout must be positive.");
        }

        ArgumentNullException.ThrowIfNull(RevertDecoder, nameof(RevertDecoder));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
