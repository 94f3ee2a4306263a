using System.Globalization;
using System.Numerics;
using AgentCluster.Evm.Rpc;
using AgentCluster.Sdk;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Keepers.Indexing;

/// <summary>
/// The keepers' event index: every log of the suite's contracts (the manifest's addresses) stored raw in SQLite, the market, registry and
/// staking events the duties need decoded into tables, and the cursor and the hashes of the newest <see cref="SuiteIndexerOptions.ReorgDepth"/>
/// blocks committed in the same transaction as the rows, so that a restart resumes exactly after the last committed block. Each pass first
/// compares the newest stored block hash with the chain; on a mismatch it walks back to the common ancestor, deletes every row above it in
/// one transaction and re-indexes. One writer per file (this instance); readers open their own connections (WAL).
/// </summary>
public sealed partial class SuiteIndexer : IIndexerStatus, IDisposable
{
    private const string CursorKey = "cursor";
    private readonly IWeb3 _web3;
    private readonly DeploymentManifest _manifest;
    private readonly SuiteIndexerOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, string> _contractByAddress;
    private readonly string[] _addresses;
    private readonly ulong _start;
    private readonly string _readConnectionString;
    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _statusLock = new();
    private ulong? _indexed;
    private ulong? _head;
    private DateTimeOffset? _lastPassAt;
    private bool _chainChecked;
    private bool _disposed;

    /// <summary>Opens (or creates) the index at <see cref="SuiteIndexerOptions.DatabasePath"/> for the contracts of <paramref name="manifest"/>.</summary>
    /// <param name="web3">The node to read (e.g. an <c>AgentClusterWeb3</c>; no signer is needed).</param>
    /// <param name="manifest">The deployment whose contracts are indexed.</param>
    /// <param name="options">Where the index lives and how the chain is read.</param>
    /// <param name="logger">Where passes, reorganisations and faults are logged.</param>
    /// <exception cref="ArgumentException">The manifest lists no contracts, or an option is wrong (the message names it).</exception>
    /// <exception cref="IndexIntegrityException">The file is an index of another deployment or start block.</exception>
    public SuiteIndexer(IWeb3 web3, DeploymentManifest manifest, SuiteIndexerOptions options, ILogger<SuiteIndexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        if (manifest.Contracts is null || manifest.Contracts.Count == 0)
        {
            throw new ArgumentException("The deployment manifest lists no contracts: there is nothing to index.", nameof(manifest));
        }

        options.Validate();
        _web3 = web3;
        _manifest = manifest;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _contractByAddress = manifest.Contracts.ToDictionary(kv => kv.Value.ToLowerInvariant(), kv => kv.Key, StringComparer.Ordinal);
        _addresses = [.. _contractByAddress.Keys.Order(StringComparer.Ordinal)];
        _start = options.StartBlock ?? manifest.Block;

        string path = Path.GetFullPath(options.DatabasePath);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 };
        _readConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        _db = new SqliteConnection(builder.ToString());
        try
        {
            _db.Open();
            Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
            Execute(IndexSchema.Create);
            CheckIdentity();
            _indexed = ReadCursor(null);
        }
        catch
        {
            _db.Dispose();
            throw;
        }

        IndexerLog.Opened(_logger, path, _addresses.Length, _indexed?.ToString(CultureInfo.InvariantCulture) ?? "nothing (fresh index)");
    }

    /// <inheritdoc/>
    public ulong? IndexedBlock
    {
        get { lock (_statusLock) { return _indexed; } }
    }

    /// <inheritdoc/>
    public ulong? HeadBlock
    {
        get { lock (_statusLock) { return _head; } }
    }

    /// <inheritdoc/>
    public DateTimeOffset? LastPassAt
    {
        get { lock (_statusLock) { return _lastPassAt; } }
    }

    /// <summary>The first block the index covers.</summary>
    public ulong StartBlock => _start;

    /// <summary>
    /// Runs passes until <paramref name="cancellationToken"/> is cancelled: back to back while behind, every
    /// <see cref="SuiteIndexerOptions.PollInterval"/> when caught up. A failed pass (node unreachable, timeout, busy file) writes nothing,
    /// is logged and retried after the poll interval; only an <see cref="IndexIntegrityException"/> ends the loop with an error. It ends
    /// quietly when the token is cancelled or the indexer is disposed.
    /// </summary>
    /// <exception cref="IndexIntegrityException">The index cannot follow this chain (wrong chain, a reorganisation deeper than it remembers).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            bool wait;
            try
            {
                IndexPass pass = await IndexOnceAsync(cancellationToken).ConfigureAwait(false);
                if (failures > 0)
                {
                    IndexerLog.Recovered(_logger, failures, IndexedBlock ?? 0);
                    failures = 0;
                }

                wait = pass.ToBlock is not { } to || to + (ulong)_options.Confirmations >= pass.Head;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException) when (_disposed)
            {
                return; // the index was closed: the loop ends with it
            }
            catch (Exception e) when (e is not IndexIntegrityException)
            {
                failures++;
                IndexerLog.PassFailed(_logger, e.GetType().Name, e.Message, _options.PollInterval, e);
                wait = true;
            }

            if (wait)
            {
                try
                {
                    await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// One pass: detect and undo a reorganisation, then index the next blocks up to head - confirmations (at most
    /// <see cref="SuiteIndexerOptions.MaxBlocksPerPass"/>), committing the rows, the block hashes and the cursor in one transaction.
    /// Errors from the node propagate and nothing is written.
    /// </summary>
    /// <exception cref="IndexIntegrityException">The node is on another chain, or it reorganised deeper than the stored block hashes.</exception>
    public async Task<IndexPass> IndexOnceAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await PassAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the index file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _gate.Wait();
        try
        {
            _disposed = true;
            _db.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IndexPass> PassAsync(CancellationToken ct)
    {
        if (!_chainChecked)
        {
            ulong chainId = (ulong)(await Rpc(() => _web3.Eth.ChainId.SendRequestAsync(), ct).ConfigureAwait(false)).Value;
            if (chainId != _manifest.ChainId)
            {
                throw new IndexIntegrityException($"The node is on chain {chainId} but the deployment manifest is for chain {_manifest.ChainId}.");
            }

            await ReadReputationGenesisAsync(ct).ConfigureAwait(false);
            _chainChecked = true;
        }

        ulong? rewound = await UndoReorganisationAsync(ct).ConfigureAwait(false);
        ulong head = (ulong)(await Rpc(() => _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), ct).ConfigureAwait(false)).Value;
        SetStatus(head: head);
        ulong? cursor = ReadCursor(null);
        ulong from = cursor is { } c ? c + 1 : _start;
        if (head < (ulong)_options.Confirmations || head - (ulong)_options.Confirmations < from)
        {
            SetStatus(passAt: DateTimeOffset.UtcNow);
            return new IndexPass(head, null, null, 0, rewound);
        }

        ulong target = head - (ulong)_options.Confirmations;
        ulong to = Math.Min(target, from + (ulong)_options.MaxBlocksPerPass - 1);
        var filter = new NewFilterInput { Address = _addresses };
        List<FilterLog> logs = await _web3.Eth.GetAllLogsPagedAsync(filter, from, to, _options.MaxBlockRange, ct, _logger).ConfigureAwait(false);

        // The hashes of the newest blocks of the range (those a reorganisation can still replace), read after the logs.
        ulong tailFrom = to - Math.Min(to - from, (ulong)_options.ReorgDepth - 1);
        var headers = new List<(ulong Number, string Hash, string Parent)>();
        var times = new Dictionary<ulong, (string Hash, long Timestamp)>();
        for (ulong b = tailFrom; b <= to; b++)
        {
            BlockWithTransactionHashes? block = await Rpc(() => _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(b)), ct).ConfigureAwait(false);
            if (block is null)
            {
                IndexerLog.ChainMoved(_logger, from, to, $"block {b} is gone");
                return new IndexPass(head, null, null, 0, rewound);
            }

            headers.Add((b, Hex(block.BlockHash), Hex(block.ParentHash)));
            times[b] = (Hex(block.BlockHash), (long)block.Timestamp.Value);
        }

        // Every block holding one of our logs gets its time (reputation decays by time; the dashboard shows when things happened):
        // one header read per such block outside the tail, checked against the logs' block hash like the tail.
        foreach (ulong b in logs.Select(l => (ulong)l.BlockNumber.Value).Distinct().Where(b => !times.ContainsKey(b)).ToList())
        {
            BlockWithTransactionHashes? block = await Rpc(() => _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(b)), ct).ConfigureAwait(false);
            if (block is null)
            {
                IndexerLog.ChainMoved(_logger, from, to, $"block {b} is gone");
                return new IndexPass(head, null, null, 0, rewound);
            }

            times[b] = (Hex(block.BlockHash), (long)block.Timestamp.Value);
        }

        string? inconsistency = CheckConsistency(cursor, from, headers, logs)
            ?? logs.Where(l => times[(ulong)l.BlockNumber.Value].Hash != Hex(l.BlockHash))
                .Select(l => $"a log of block {l.BlockNumber.Value} names block hash {l.BlockHash}, the block read has {times[(ulong)l.BlockNumber.Value].Hash}")
                .FirstOrDefault();
        if (inconsistency is not null)
        {
            IndexerLog.ChainMoved(_logger, from, to, inconsistency);
            return new IndexPass(head, null, null, 0, rewound);
        }

        Commit(cursor, to, headers, logs, times);
        SetStatus(indexed: to, passAt: DateTimeOffset.UtcNow);
        IndexerLog.Indexed(_logger, from, to, logs.Count, head);
        return new IndexPass(head, from, to, logs.Count, rewound);
    }

    /// <summary>The logs and headers read in a pass must be one chain that continues the stored one; otherwise it moved under the pass.</summary>
    private string? CheckConsistency(ulong? cursor, ulong from, List<(ulong Number, string Hash, string Parent)> headers, List<FilterLog> logs)
    {
        for (int i = 1; i < headers.Count; i++)
        {
            if (headers[i].Parent != headers[i - 1].Hash)
            {
                return $"block {headers[i].Number} does not follow block {headers[i - 1].Number}";
            }
        }

        if (cursor is { } c && headers[0].Number == from && StoredHash(c) is { } storedParent && headers[0].Parent != storedParent)
        {
            return $"block {from} does not follow the indexed block {c}";
        }

        var hashes = headers.ToDictionary(h => h.Number, h => h.Hash);
        foreach (FilterLog log in logs)
        {
            if (log.Removed)
            {
                return $"log {log.LogIndex?.Value} of block {log.BlockNumber?.Value} was removed";
            }

            if (hashes.TryGetValue((ulong)log.BlockNumber.Value, out string? hash) && hash != Hex(log.BlockHash))
            {
                return $"a log of block {log.BlockNumber.Value} names block hash {log.BlockHash}, the block read has {hash}";
            }
        }

        return null;
    }

    /// <summary>Compares the newest stored block hash with the chain; on a mismatch rewinds to the newest stored block still on it.</summary>
    private async Task<ulong?> UndoReorganisationAsync(CancellationToken ct)
    {
        List<(ulong Number, string Hash)> stored = StoredBlocksNewestFirst();
        if (stored.Count == 0 || await HashOnChainAsync(stored[0].Number, ct).ConfigureAwait(false) == stored[0].Hash)
        {
            return null;
        }

        ulong? cursor = ReadCursor(null);
        ulong? ancestor = null;
        bool found = false;
        for (int i = 1; i < stored.Count; i++)
        {
            if (await HashOnChainAsync(stored[i].Number, ct).ConfigureAwait(false) == stored[i].Hash)
            {
                ancestor = stored[i].Number;
                found = true;
                break;
            }
        }

        if (!found)
        {
            if (stored[^1].Number != _start)
            {
                throw new IndexIntegrityException(
                    $"The chain reorganised below block {stored[^1].Number}, deeper than the {_options.ReorgDepth} block hashes the index keeps: rebuild the index (delete {_options.DatabasePath}) or raise ReorgDepth.");
            }

            ancestor = _start == 0 ? null : _start - 1; // every indexed block was replaced: start again
        }

        Rewind(ancestor);
        ulong forkPoint = ancestor ?? 0;
        IndexerLog.Reorganised(_logger, stored[0].Number, stored[0].Hash, cursor ?? 0, forkPoint);
        return forkPoint;
    }

    private async Task<string?> HashOnChainAsync(ulong number, CancellationToken ct)
    {
        BlockWithTransactionHashes? block = await Rpc(() => _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(number)), ct).ConfigureAwait(false);
        return block is null ? null : Hex(block.BlockHash);
    }

    private void Rewind(ulong? keepUpTo)
    {
        using SqliteTransaction tx = _db.BeginTransaction();
        foreach (string table in IndexSchema.BlockTables)
        {
            using SqliteCommand cmd = Command(tx, $"DELETE FROM {table} WHERE block_number > $keep");
            cmd.Parameters.AddWithValue("$keep", keepUpTo is { } k ? (long)k : -1L);
            cmd.ExecuteNonQuery();
        }

        WriteCursor(tx, keepUpTo);
        tx.Commit();
        SetStatus(indexed: keepUpTo, clearIndexed: keepUpTo is null);
    }

    private void Commit(ulong? expectedCursor, ulong to, List<(ulong Number, string Hash, string Parent)> headers, List<FilterLog> logs,
        Dictionary<ulong, (string Hash, long Timestamp)> times)
    {
        using SqliteTransaction tx = _db.BeginTransaction();
        if (ReadCursor(tx) != expectedCursor)
        {
            throw new IndexIntegrityException($"The index {_options.DatabasePath} was written by another writer during the pass: one indexer per file.");
        }

        using (SqliteCommand insert = Command(tx, """
            INSERT INTO logs (block_number, log_index, block_hash, tx_hash, tx_index, address, contract, topic0, topic1, topic2, topic3, data)
            VALUES ($block, $index, $hash, $tx, $txIndex, $address, $contract, $t0, $t1, $t2, $t3, $data)
            """))
        {
            foreach (FilterLog log in logs)
            {
                string address = Hex(log.Address);
                if (!_contractByAddress.TryGetValue(address, out string? contract))
                {
                    continue; // the node returned a log of another address: not ours
                }

                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$block", (long)log.BlockNumber.Value);
                insert.Parameters.AddWithValue("$index", (long)log.LogIndex.Value);
                insert.Parameters.AddWithValue("$hash", Hex(log.BlockHash));
                insert.Parameters.AddWithValue("$tx", Hex(log.TransactionHash));
                insert.Parameters.AddWithValue("$txIndex", (long)(log.TransactionIndex?.Value ?? 0));
                insert.Parameters.AddWithValue("$address", address);
                insert.Parameters.AddWithValue("$contract", contract);
                for (int t = 0; t < 4; t++)
                {
                    object? topic = log.Topics is { } topics && t < topics.Length ? topics[t]?.ToString()?.ToLowerInvariant() : null;
                    insert.Parameters.AddWithValue("$t" + t.ToString(CultureInfo.InvariantCulture), topic ?? (object)DBNull.Value);
                }

                insert.Parameters.AddWithValue("$data", (log.Data ?? "0x").ToLowerInvariant());
                insert.ExecuteNonQuery();
                DecodedEvents.TryWrite(_db, tx, contract, log);
            }
        }

        using (SqliteCommand block = Command(tx, "INSERT OR REPLACE INTO blocks (block_number, block_hash, parent_hash) VALUES ($n, $h, $p)"))
        {
            foreach ((ulong number, string hash, string parent) in headers)
            {
                block.Parameters.Clear();
                block.Parameters.AddWithValue("$n", (long)number);
                block.Parameters.AddWithValue("$h", hash);
                block.Parameters.AddWithValue("$p", parent);
                block.ExecuteNonQuery();
            }
        }

        using (SqliteCommand time = Command(tx, "INSERT OR REPLACE INTO block_times (block_number, timestamp) VALUES ($n, $t)"))
        {
            foreach (ulong number in logs.Select(l => (ulong)l.BlockNumber.Value).Distinct())
            {
                time.Parameters.Clear();
                time.Parameters.AddWithValue("$n", (long)number);
                time.Parameters.AddWithValue("$t", times[number].Timestamp);
                time.ExecuteNonQuery();
            }
        }

        using (SqliteCommand prune = Command(tx, "DELETE FROM blocks WHERE block_number <= $below"))
        {
            prune.Parameters.AddWithValue("$below", (long)to - _options.ReorgDepth);
            prune.ExecuteNonQuery();
        }

        WriteCursor(tx, to);
        tx.Commit();
    }

    private void CheckIdentity()
    {
        string identity = string.Join(";", _manifest.Contracts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value.ToLowerInvariant()}"));
        var expected = new Dictionary<string, string>
        {
            ["schema"] = IndexSchema.Version.ToString(CultureInfo.InvariantCulture),
            ["chain_id"] = _manifest.ChainId.ToString(CultureInfo.InvariantCulture),
            ["contracts"] = identity,
            ["start_block"] = _start.ToString(CultureInfo.InvariantCulture),
        };
        using SqliteTransaction tx = _db.BeginTransaction();
        foreach ((string key, string value) in expected)
        {
            string? stored = ReadMeta(tx, key);
            if (key == "schema" && stored is not null && stored != value
                && int.TryParse(stored, CultureInfo.InvariantCulture, out int old) && old < IndexSchema.Version)
            {
                // The index is derived data: an index of an older schema is dropped and rebuilt from the start block.
                foreach (string table in IndexSchema.BlockTables)
                {
                    using SqliteCommand drop = Command(tx, $"DELETE FROM {table}");
                    drop.ExecuteNonQuery();
                }

                using (SqliteCommand clear = Command(tx, "DELETE FROM meta WHERE key = $k"))
                {
                    clear.Parameters.AddWithValue("$k", CursorKey);
                    clear.ExecuteNonQuery();
                }

                using (SqliteCommand set = Command(tx, "UPDATE meta SET value = $v WHERE key = 'schema'"))
                {
                    set.Parameters.AddWithValue("$v", value);
                    set.ExecuteNonQuery();
                }

                IndexerLog.SchemaUpgraded(_logger, _options.DatabasePath, old, IndexSchema.Version);
                continue;
            }

            if (stored is null)
            {
                using SqliteCommand cmd = Command(tx, "INSERT INTO meta (key, value) VALUES ($k, $v)");
                cmd.Parameters.AddWithValue("$k", key);
                cmd.Parameters.AddWithValue("$v", value);
                cmd.ExecuteNonQuery();
            }
            else if (stored != value)
            {
                throw new IndexIntegrityException(
                    $"The index {_options.DatabasePath} was built with {key} = '{stored}', not '{value}': it indexes another deployment; use another file or delete it.");
            }
        }

        tx.Commit();
    }

    private List<(ulong Number, string Hash)> StoredBlocksNewestFirst()
    {
        using SqliteCommand cmd = Command(null, "SELECT block_number, block_hash FROM blocks ORDER BY block_number DESC");
        using SqliteDataReader r = cmd.ExecuteReader();
        var list = new List<(ulong, string)>();
        while (r.Read())
        {
            list.Add(((ulong)r.GetInt64(0), r.GetString(1)));
        }

        return list;
    }

    private string? StoredHash(ulong number)
    {
        using SqliteCommand cmd = Command(null, "SELECT block_hash FROM blocks WHERE block_number = $n");
        cmd.Parameters.AddWithValue("$n", (long)number);
        return cmd.ExecuteScalar() as string;
    }

    private ulong? ReadCursor(SqliteTransaction? tx) =>
        ReadMeta(tx, CursorKey) is { } text ? ulong.Parse(text, CultureInfo.InvariantCulture) : null;

    private void WriteCursor(SqliteTransaction tx, ulong? cursor)
    {
        using SqliteCommand cmd = Command(tx, cursor is null ? "DELETE FROM meta WHERE key = $k" : "INSERT OR REPLACE INTO meta (key, value) VALUES ($k, $v)");
        cmd.Parameters.AddWithValue("$k", CursorKey);
        if (cursor is { } c)
        {
            cmd.Parameters.AddWithValue("$v", c.ToString(CultureInfo.InvariantCulture));
        }

        cmd.ExecuteNonQuery();
    }

    private string? ReadMeta(SqliteTransaction? tx, string key)
    {
        using SqliteCommand cmd = Command(tx, "SELECT value FROM meta WHERE key = $k");
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    private SqliteCommand Command(SqliteTransaction? tx, string sql)
    {
        SqliteCommand cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private void Execute(string sql)
    {
        using SqliteCommand cmd = Command(null, sql);
        cmd.ExecuteNonQuery();
    }

    private void SetStatus(ulong? head = null, ulong? indexed = null, bool clearIndexed = false, DateTimeOffset? passAt = null)
    {
        lock (_statusLock)
        {
            if (head is not null)
            {
                _head = head;
            }

            if (indexed is not null || clearIndexed)
            {
                _indexed = indexed;
            }

            if (passAt is not null)
            {
                _lastPassAt = passAt;
            }
        }
    }

    private static Task<T> Rpc<T>(Func<Task<T>> call, CancellationToken ct) => RpcCancellation.RunAsync(call, ct);

    private static string Hex(string? value) => (value ?? "").ToLowerInvariant();

    private static BigInteger ParseId(string text) => BigInteger.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>The index cannot follow the chain it reads: another chain or deployment, another writer, or a reorganisation deeper than it keeps.</summary>
/// <param name="message">What is wrong and what to do.</param>
public sealed class IndexIntegrityException(string message) : AgentClusterException(message);
