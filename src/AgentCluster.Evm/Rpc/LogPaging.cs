using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Evm.Rpc;

/// <summary>
/// Paged <c>eth_getLogs</c> (Nethereum's is one call over the whole range): walks a block range in windows of at most
/// <c>maxRange</c> blocks, and halves the window while the node refuses it as too large (-32005, "range", "too many", ...).
/// The span stays reduced for the rest of the walk. Bounded: a window is halved at most log2(maxRange) + 1 times before it
/// is one block; a node that refuses even one block gets <see cref="LogRangeRefusedException"/>.
/// </summary>
public static class LogPaging
{
    /// <summary>The default widest window, in blocks.</summary>
    public const int DefaultMaxRange = 10_000;

    /// <summary>The logs of <paramref name="filter"/> (its addresses and topics) from <paramref name="fromBlock"/> to
    /// <paramref name="toBlock"/> inclusive, one page per <c>eth_getLogs</c> request, in block order.</summary>
    /// <exception cref="ArgumentException">A negative or inverted range, or maxRange &lt; 1.</exception>
    public static async IAsyncEnumerable<FilterLog[]> GetLogsPagedAsync(this IEthApiService eth, NewFilterInput filter,
        BigInteger fromBlock, BigInteger toBlock, int maxRange = DefaultMaxRange, [EnumeratorCancellation] CancellationToken ct = default,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(eth);
        Validate(filter, fromBlock, toBlock, maxRange);
        logger ??= NullLogger.Instance;
        BigInteger span = maxRange;
        BigInteger start = fromBlock;
        while (start <= toBlock)
        {
            ct.ThrowIfCancellationRequested();
            BigInteger end = BigInteger.Min(start + span - 1, toBlock);
            FilterLog[]? page;
            try
            {
                using (RpcCancellation.Use(ct))
                {
                    page = await eth.Filters.GetLogs.SendRequestAsync(Window(filter, start, end)).ConfigureAwait(false);
                }
            }
            catch (RpcResponseException e) when (e.IsLogRangeTooLarge())
            {
                BigInteger width = end - start + 1;
                if (width <= 1)
                {
                    throw new LogRangeRefusedException(start, e);
                }

                span = width / 2;
                RpcLog.LogRangeHalved(logger, start.ToString(), end.ToString(), e.RpcError?.Message ?? e.Message, span.ToString());
                continue;
            }

            yield return page ?? [];
            start = end + 1;
        }
    }

    /// <inheritdoc cref="GetLogsPagedAsync(IEthApiService, NewFilterInput, BigInteger, BigInteger, int, CancellationToken, ILogger)"/>
    public static IAsyncEnumerable<FilterLog[]> GetLogsPagedAsync(this IWeb3 web3, NewFilterInput filter,
        BigInteger fromBlock, BigInteger toBlock, int maxRange = DefaultMaxRange, CancellationToken ct = default, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(web3);
        return web3.Eth.GetLogsPagedAsync(filter, fromBlock, toBlock, maxRange, ct, logger);
    }

    /// <summary>All the pages of <see cref="GetLogsPagedAsync(IEthApiService, NewFilterInput, BigInteger, BigInteger, int, CancellationToken, ILogger)"/> in one list.</summary>
    public static async Task<List<FilterLog>> GetAllLogsPagedAsync(this IEthApiService eth, NewFilterInput filter,
        BigInteger fromBlock, BigInteger toBlock, int maxRange = DefaultMaxRange, CancellationToken ct = default, ILogger? logger = null)
    {
        var all = new List<FilterLog>();
        await foreach (FilterLog[] page in eth.GetLogsPagedAsync(filter, fromBlock, toBlock, maxRange, ct, logger).ConfigureAwait(false))
        {
            all.AddRange(page);
        }

        return all;
    }

    private static void Validate(NewFilterInput filter, BigInteger fromBlock, BigInteger toBlock, int maxRange)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (fromBlock < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fromBlock), fromBlock, $"fromBlock cannot be negative; it is {fromBlock}.");
        }

        if (toBlock < fromBlock)
        {
            throw new ArgumentException($"toBlock ({toBlock}) is before fromBlock ({fromBlock}).", nameof(toBlock));
        }

        if (maxRange < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxRange), maxRange, $"maxRange must be at least 1 block; it is {maxRange}.");
        }
    }

    private static NewFilterInput Window(NewFilterInput filter, BigInteger from, BigInteger to) => new()
    {
        Address = filter.Address,
        Topics = filter.Topics,
        FromBlock = new BlockParameter(new HexBigInteger(from)),
        ToBlock = new BlockParameter(new HexBigInteger(to)),
    };
}

/// <summary>The node refused <c>eth_getLogs</c> for a single block as too large: paging cannot go narrower.</summary>
public sealed class LogRangeRefusedException(BigInteger block, RpcResponseException inner)
    : Exception($"eth_getLogs was refused even for the single block {block}: {inner.RpcError?.Message ?? inner.Message}", inner)
{
    /// <summary>The block the node refused.</summary>
    public BigInteger Block { get; } = block;
}
