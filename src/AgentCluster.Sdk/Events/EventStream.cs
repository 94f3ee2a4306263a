using System.Numerics;
using System.Runtime.CompilerServices;
using AgentCluster.Evm.Rpc;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Sdk.Events;

/// <summary>One decoded event, where it happened, and whether it is being taken back by a reorganisation.</summary>
/// <typeparam name="TEvent">The Nethereum event DTO (a generated <c>…EventDTO</c>).</typeparam>
/// <param name="Event">The decoded event.</param>
/// <param name="BlockNumber">Its block.</param>
/// <param name="BlockHash">Its block's hash.</param>
/// <param name="TransactionHash">Its transaction.</param>
/// <param name="LogIndex">Its position in the block.</param>
/// <param name="Removed">
/// True when the block it was delivered in left the chain (a reorganisation): undo what was done for it. The events of the new
/// branch follow.
/// </param>
public sealed record ChainEvent<TEvent>(TEvent Event, BigInteger BlockNumber, string BlockHash, string TransactionHash, BigInteger LogIndex, bool Removed);

/// <summary>How an event stream reads the chain.</summary>
public sealed record EventStreamOptions
{
    /// <summary>The first block to read (resume from the block after the last one you processed). Default 0.</summary>
    public BigInteger FromBlock { get; init; }

    /// <summary>Blocks a log must be buried under before it is delivered (0: deliver at the head, and expect <c>Removed</c> events). Default 0.</summary>
    public int Confirmations { get; init; }

    /// <summary>How long to wait for new blocks when caught up. Default 1 s (10 ms .. 1 min).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many delivered blocks are remembered to detect a reorganisation (deeper ones cannot be undone). Default 64.</summary>
    public int ReorgDepth { get; init; } = 64;

    /// <summary>The widest <c>eth_getLogs</c> window (halved when the node refuses). Default 2,000 blocks.</summary>
    public int MaxBlockRange { get; init; } = 2_000;

    internal void Validate()
    {
        if (FromBlock < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FromBlock), FromBlock, "FromBlock must not be negative.");
        }

        if (Confirmations is < 0 or > 1_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Confirmations), Confirmations, "Confirmations must be between 0 and 1000.");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "PollInterval must be between 10 ms and 1 minute.");
        }

        if (ReorgDepth is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(ReorgDepth), ReorgDepth, "ReorgDepth must be between 1 and 10000.");
        }

        if (MaxBlockRange < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBlockRange), MaxBlockRange, "MaxBlockRange must be at least 1.");
        }
    }
}

/// <summary>A reorganisation deeper than <see cref="EventStreamOptions.ReorgDepth"/>: the stream cannot say what to undo.</summary>
public sealed class ReorgTooDeepException(BigInteger fromBlock, int depth)
    : AgentClusterException($"The chain reorganised below block {fromBlock}, deeper than the {depth} blocks the event stream remembers; restart it from a block you trust.")
{
    /// <summary>The lowest remembered block, which was replaced too.</summary>
    public BigInteger FromBlock { get; } = fromBlock;
}

/// <summary>
/// Events as <see cref="IAsyncEnumerable{T}"/>: every log of one event type at one address from a block on, in chain order, following
/// the head for as long as it is enumerated. Resumable (start from the block after the last one processed). Reorg-aware: the hashes of
/// the last <see cref="EventStreamOptions.ReorgDepth"/> delivered blocks are remembered, and when one of them is no longer on the chain
/// the stream delivers, newest first, every event of the replaced blocks again with <c>Removed = true</c>, then the new branch's.
/// Reads go through the paged <c>eth_getLogs</c> of the EVM layer; every wait is bounded by the poll interval and the token.
/// </summary>
public static class EventStream
{
    /// <summary>Streams <typeparamref name="TEvent"/> events emitted by <paramref name="contractAddress"/>.</summary>
    /// <exception cref="ArgumentException">A malformed address or an option out of range.</exception>
    public static async IAsyncEnumerable<ChainEvent<TEvent>> StreamAsync<TEvent>(IWeb3 web3, string contractAddress,
        EventStreamOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TEvent : IEventDTO, new()
    {
        ArgumentNullException.ThrowIfNull(web3);
        string address = Evm.Validation.EvmInput.ParseAddress(contractAddress);
        options ??= new EventStreamOptions();
        options.Validate();

        NewFilterInput filter = web3.Eth.GetEvent<TEvent>(address).CreateFilterInput();
        var delivered = new LinkedList<(BigInteger Block, string Hash, List<ChainEvent<TEvent>> Events)>();
        BigInteger next = options.FromBlock;
        bool forgotten = false; // a delivered block fell out of memory: a reorganisation past the oldest remembered one cannot be undone
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // A reorganisation: is the newest delivered block still the chain's? If not, walk back to the common ancestor.
            if (delivered.Last is { } newest && !await IsOnChainAsync(web3, newest.Value.Block, newest.Value.Hash, cancellationToken).ConfigureAwait(false))
            {
                while (delivered.Last is { } orphan && !await IsOnChainAsync(web3, orphan.Value.Block, orphan.Value.Hash, cancellationToken).ConfigureAwait(false))
                {
                    for (int i = orphan.Value.Events.Count - 1; i >= 0; i--)
                    {
                        yield return orphan.Value.Events[i] with { Removed = true };
                    }

                    next = orphan.Value.Block;
                    delivered.RemoveLast();
                    if (delivered.Count == 0 && forgotten)
                    {
                        throw new ReorgTooDeepException(orphan.Value.Block, options.ReorgDepth);
                    }
                }
            }

            BigInteger head = (await RpcCancellation.RunAsync(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), cancellationToken).ConfigureAwait(false)).Value;
            BigInteger safe = head - options.Confirmations;
            if (safe < next)
            {
                await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var byBlock = new SortedDictionary<BigInteger, (string Hash, List<ChainEvent<TEvent>> Events)>();
            await foreach (FilterLog[] page in web3.GetLogsPagedAsync(filter, next, safe, options.MaxBlockRange, cancellationToken).ConfigureAwait(false))
            {
                foreach (EventLog<TEvent> log in page.DecodeAllEvents<TEvent>())
                {
                    BigInteger block = log.Log.BlockNumber.Value;
                    if (!byBlock.TryGetValue(block, out var entry))
                    {
                        entry = (log.Log.BlockHash, []);
                        byBlock[block] = entry;
                    }

                    entry.Events.Add(new ChainEvent<TEvent>(log.Event, block, log.Log.BlockHash, log.Log.TransactionHash, log.Log.LogIndex.Value, false));
                }
            }

            // Remember the range's last block even without events, so that a reorganisation of an empty tail is seen too.
            if (!byBlock.ContainsKey(safe))
            {
                BlockWithTransactionHashes? tip = await RpcCancellation.RunAsync(
                    () => web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(safe)), cancellationToken).ConfigureAwait(false);
                if (tip is not null)
                {
                    byBlock[safe] = (tip.BlockHash, []);
                }
            }

            foreach ((BigInteger block, (string hash, List<ChainEvent<TEvent>> events)) in byBlock)
            {
                foreach (ChainEvent<TEvent> e in events.OrderBy(e => e.LogIndex))
                {
                    yield return e;
                }

                delivered.AddLast((block, hash, events));
                while (delivered.Count > options.ReorgDepth)
                {
                    delivered.RemoveFirst();
                    forgotten = true;
                }
            }

            next = safe + 1;
        }
    }

    private static async Task<bool> IsOnChainAsync(IWeb3 web3, BigInteger block, string hash, CancellationToken ct)
    {
        BlockWithTransactionHashes? current = await RpcCancellation.RunAsync(
            () => web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(block)), ct).ConfigureAwait(false);
        return current is not null && string.Equals(current.BlockHash, hash, StringComparison.OrdinalIgnoreCase);
    }
}
