using System.Numerics;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth;
using Nethereum.RPC.Eth.Blocks;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Fee1559Suggestions;

namespace AgentCluster.Evm.Fees;

/// <summary>
/// EIP-1559 fees that fit Base (and other OP-stack chains), where tips are around 0.001 gwei and the shipped Nethereum
/// strategies, tuned for mainnet, suggest ~2 gwei. Plug it in with
/// <c>web3.TransactionManager.Fee1559SuggestionStrategy = new BaseFeeSuggestionStrategy(web3.Client)</c>.
/// <list type="bullet">
/// <item>tip: the node's <c>eth_maxPriorityFeePerGas</c> clamped into [<see cref="BaseFeeOptions.MinTip"/>,
/// <see cref="BaseFeeOptions.MaxTip"/>]; <see cref="BaseFeeOptions.MinTip"/> when the node has no answer for it (a JSON-RPC
/// error). A tip passed by the caller (Nethereum passes the transaction's MaxPriorityFeePerGas) is used as given.</item>
/// <item>maxFeePerGas: ceil(latest block's base fee x <see cref="BaseFeeOptions.BaseFeeMultiplier"/>) + tip, lowered to
/// <see cref="BaseFeeOptions.MaxFeePerGasCap"/> when above it (the tip is then at most maxFeePerGas).</item>
/// <item>when the base fee alone is above the cap: <see cref="FeeCapExceededException"/>, rather than a transaction that
/// cannot be mined.</item>
/// </list>
/// </summary>
public sealed class BaseFeeSuggestionStrategy : IFee1559SuggestionStrategy
{
    private readonly EthGetBlockWithTransactionsHashesByNumber _getBlock;
    private readonly EthMaxPriorityFeePerGas _maxPriorityFee;

    /// <summary>A strategy that asks <paramref name="client"/>; the options are validated.</summary>
    public BaseFeeSuggestionStrategy(IClient client, BaseFeeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        Options = options ?? BaseFeeOptions.Default;
        Options.Validate();
        _getBlock = new EthGetBlockWithTransactionsHashesByNumber(client);
        _maxPriorityFee = new EthMaxPriorityFeePerGas(client);
    }

    /// <summary>The options in force.</summary>
    public BaseFeeOptions Options { get; }

    /// <inheritdoc />
    /// <exception cref="FeeCapExceededException">The latest base fee is above <see cref="BaseFeeOptions.MaxFeePerGasCap"/>.</exception>
    /// <exception cref="NotSupportedException">The latest block has no base fee (the chain has no EIP-1559).</exception>
    public async Task<Fee1559> SuggestFeeAsync(BigInteger? maxPriorityFeePerGas = null)
    {
        if (maxPriorityFeePerGas < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPriorityFeePerGas), maxPriorityFeePerGas,
                $"maxPriorityFeePerGas cannot be negative; it is {maxPriorityFeePerGas} wei.");
        }

        BlockWithTransactionHashes latest = await _getBlock.SendRequestAsync(BlockParameter.CreateLatest()).ConfigureAwait(false);
        BigInteger baseFee = latest.BaseFeePerGas?.Value
            ?? throw new NotSupportedException($"Block {latest.Number?.Value} has no baseFeePerGas: the chain does not use EIP-1559 fees.");
        BigInteger tip = maxPriorityFeePerGas ?? await SuggestTipAsync().ConfigureAwait(false);
        return Compute(baseFee, tip, Options);
    }

    /// <summary>The node's suggested tip clamped into [MinTip, MaxTip]; MinTip when the node cannot answer.</summary>
    public async Task<BigInteger> SuggestTipAsync()
    {
        BigInteger suggested;
        try
        {
            suggested = (await _maxPriorityFee.SendRequestAsync().ConfigureAwait(false)).Value;
        }
        catch (RpcResponseException)
        {
            return Options.MinTip;
        }

        return BigInteger.Clamp(suggested, Options.MinTip, Options.MaxTip);
    }

    /// <summary>The fee rule itself, from a base fee and a tip (see the type's summary).</summary>
    /// <exception cref="FeeCapExceededException">The base fee is above the cap.</exception>
    public static Fee1559 Compute(BigInteger baseFee, BigInteger tip, BaseFeeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (baseFee < 0 || tip < 0)
        {
            throw new ArgumentOutOfRangeException(baseFee < 0 ? nameof(baseFee) : nameof(tip), "Fees cannot be negative.");
        }

        if (baseFee > options.MaxFeePerGasCap)
        {
            throw new FeeCapExceededException(baseFee, options.MaxFeePerGasCap);
        }

        const long Scale = 1_000_000;
        var multiplier = new BigInteger(options.BaseFeeMultiplier * Scale);
        BigInteger headroom = (baseFee * multiplier + Scale - 1) / Scale;
        BigInteger maxFee = BigInteger.Min(headroom + tip, options.MaxFeePerGasCap);
        return new Fee1559
        {
            BaseFee = baseFee,
            MaxPriorityFeePerGas = BigInteger.Min(tip, maxFee),
            MaxFeePerGas = maxFee,
        };
    }
}

/// <summary>
/// The latest base fee alone is above <see cref="BaseFeeOptions.MaxFeePerGasCap"/>: a transaction within the cap could not be
/// mined now. Wait for the base fee to fall, or raise the cap.
/// </summary>
public sealed class FeeCapExceededException(BigInteger baseFee, BigInteger cap)
    : InvalidOperationException($"The latest base fee, {baseFee} wei ({Gwei(baseFee)} gwei), is above MaxFeePerGasCap, {cap} wei "
        + $"({Gwei(cap)} gwei): a transaction within the cap cannot be mined now. Wait for the base fee to fall or raise the cap.")
{
    /// <summary>The latest block's base fee, wei.</summary>
    public BigInteger BaseFee { get; } = baseFee;

    /// <summary>The cap in force, wei.</summary>
    public BigInteger Cap { get; } = cap;

    private static string Gwei(BigInteger wei)
    {
        BigInteger whole = BigInteger.DivRem(wei, 1_000_000_000, out BigInteger rest);
        return rest.IsZero ? whole.ToString() : whole + "." + rest.ToString().PadLeft(9, '0').TrimEnd('0');
    }
}
