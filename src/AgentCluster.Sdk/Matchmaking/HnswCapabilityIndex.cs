using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace AgentCluster.Sdk.Matchmaking;

/// <summary>How the HNSW index stores vectors.</summary>
public enum CapabilityQuantization
{
    /// <summary>32-bit floats: 2 KiB per vector, the most accurate.</summary>
    Float32,

    /// <summary>16-bit floats: 1 KiB per vector.</summary>
    Float16,

    /// <summary>8-bit integers: 512 bytes per vector, the least accurate.</summary>
    Int8,
}

/// <summary>Options of <see cref="HnswCapabilityIndex"/> (USearch's HNSW parameters).</summary>
public sealed record HnswCapabilityIndexOptions
{
    /// <summary>Graph connectivity M (edges per node per layer): 16 by default. Higher: better recall, more memory, slower build.</summary>
    public int Connectivity { get; init; } = 16;

    /// <summary>Candidate list size while inserting (efConstruction): 128 by default.</summary>
    public int ExpansionAdd { get; init; } = 128;

    /// <summary>Candidate list size while searching (ef): 128 by default; at least k is used. Higher: better recall, slower queries.</summary>
    public int ExpansionSearch { get; init; } = 128;

    /// <summary>Storage of the vectors: <see cref="CapabilityQuantization.Float32"/> by default.</summary>
    public CapabilityQuantization Quantization { get; init; } = CapabilityQuantization.Float32;

    internal void Validate()
    {
        if (Connectivity < 2 || Connectivity > 256)
            throw new ArgumentException($"HNSW connectivity must be between 2 and 256; got {Connectivity}.", nameof(Connectivity));
        if (ExpansionAdd < 1 || ExpansionAdd > 4096)
            throw new ArgumentException($"HNSW expansion (add) must be between 1 and 4096; got {ExpansionAdd}.", nameof(ExpansionAdd));
        if (ExpansionSearch < 1 || ExpansionSearch > 4096)
            throw new ArgumentException($"HNSW expansion (search) must be between 1 and 4096; got {ExpansionSearch}.", nameof(ExpansionSearch));
        if (!Enum.IsDefined(Quantization))
            throw new ArgumentException($"Unknown quantization {Quantization}.", nameof(Quantization));
    }
}

/// <summary>
/// Approximate cosine search on an HNSW graph (USearch, Cloud.Unum.USearch 2.26.6, native library in the package) for large
/// networks: about O(log n) per query. Results are approximate: an agent above the threshold can be missed (recall below 1;
/// docs/sdk-matchmaking.md gives the measured recall@10). Agent ids (uint256) are mapped to USearch's 64-bit keys; an update
/// removes the old key and inserts under a fresh one. Concurrent searches: at most one native search per processor runs at a
/// time (USearch's pool of search contexts); more callers wait for a free slot.
/// </summary>
public sealed class HnswCapabilityIndex : ICapabilityIndex
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly USearchIndex _index;
    private readonly HnswCapabilityIndexOptions _options;
    private readonly Dictionary<BigInteger, ulong> _keyOf = [];
    private readonly Dictionary<ulong, BigInteger> _idOf = [];
    // USearch hands each concurrent search one of a fixed pool of search contexts (one per hardware thread) and fails a
    // search that finds none ("Reserve capacity ahead of searches!"): native searches wait here for a free one instead.
    private readonly SemaphoreSlim _searchSlots = new(Math.Max(1, Environment.ProcessorCount));
    private ulong _nextKey = 1;
    private bool _disposed;

    /// <summary>Creates an empty index.</summary>
    /// <param name="options">HNSW parameters; the defaults when null.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public HnswCapabilityIndex(HnswCapabilityIndexOptions? options = null)
    {
        _options = options ?? new HnswCapabilityIndexOptions();
        _options.Validate();
        ScalarKind scalar = _options.Quantization switch
        {
            CapabilityQuantization.Float16 => ScalarKind.Float16,
            CapabilityQuantization.Int8 => ScalarKind.Int8,
            _ => ScalarKind.Float32,
        };
        _index = new USearchIndex(MetricKind.Cos, scalar, CapabilityVector.Dimensions,
            (ulong)_options.Connectivity, (ulong)_options.ExpansionAdd, (ulong)_options.ExpansionSearch, multi: false);
    }

    /// <summary>The options the index was created with.</summary>
    public HnswCapabilityIndexOptions Options => _options;

    /// <inheritdoc />
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _keyOf.Count; } finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>The native memory USearch reports (<c>usearch_memory_usage</c>, which the C# binding does not expose; read
    /// through the binding's handle), or null if it cannot be read.</summary>
    public long? NativeMemoryBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return UsearchMemory.Read(_index);
            }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <inheritdoc />
    public long MemoryBytes
    {
        get
        {
            long native = NativeMemoryBytes ?? 0;
            _lock.EnterReadLock();
            try
            {
                // Two dictionaries: ~64 bytes per entry each for the entry and the BigInteger.
                return native + (long)_keyOf.Count * 128;
            }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <inheritdoc />
    public void Upsert(BigInteger agentId, CapabilityVector vector)
    {
        CapabilityRegistrationFile.ValidateAgentId(agentId, nameof(agentId));
        ArgumentNullException.ThrowIfNull(vector);
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ulong key = _nextKey++;
            _index.Add(key, vector.NormalizedArray);
            if (_keyOf.Remove(agentId, out ulong old))
            {
                _index.Remove(old);
                _idOf.Remove(old);
            }
            _keyOf[agentId] = key;
            _idOf[key] = agentId;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <inheritdoc />
    public void Upsert(CapabilityRegistrationFile file, ReadOnlySpan<byte> onChainHash)
    {
        ArgumentNullException.ThrowIfNull(file);
        file.VerifyHash(onChainHash);
        Upsert(file.AgentId, file.Vector);
    }

    /// <inheritdoc />
    public bool Remove(BigInteger agentId)
    {
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_keyOf.Remove(agentId, out ulong key))
                return false;
            _index.Remove(key);
            _idOf.Remove(key);
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <inheritdoc />
    public bool Contains(BigInteger agentId)
    {
        _lock.EnterReadLock();
        try { return _keyOf.ContainsKey(agentId); } finally { _lock.ExitReadLock(); }
    }

    /// <inheritdoc />
    public IReadOnlyList<CapabilityMatch> Search(CapabilityVector query, int k = 10, float threshold = ICapabilityIndex.DefaultThreshold)
    {
        CapabilityIndexGuards.ValidateSearch(query, k, threshold);
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_keyOf.Count == 0)
                return [];
            int found;
            ulong[] keys;
            float[] distances;
            _searchSlots.Wait();
            try
            {
                found = _index.Search(query.NormalizedArray, Math.Min(k, _keyOf.Count), out keys, out distances);
            }
            finally { _searchSlots.Release(); }
            var result = new List<CapabilityMatch>(found);
            for (int i = 0; i < found; i++)
            {
                float similarity = Math.Clamp(1f - distances[i], -1f, 1f);
                if (similarity >= threshold && _idOf.TryGetValue(keys[i], out BigInteger id))
                    result.Add(new CapabilityMatch(id, similarity));
            }
            result.Sort(CapabilityIndexGuards.CompareMatches);
            return result;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            _index.Dispose();
            _keyOf.Clear();
            _idOf.Clear();
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>usearch_memory_usage from the package's own native library, on the binding's private handle.</summary>
    private static class UsearchMemory
    {
        private static readonly FieldInfo? HandleField =
            typeof(USearchIndex).GetField("_index", BindingFlags.Instance | BindingFlags.NonPublic);

        [DllImport("libusearch_c", EntryPoint = "usearch_memory_usage")]
        private static extern UIntPtr MemoryUsage(IntPtr index, out IntPtr error);

        internal static long? Read(USearchIndex index)
        {
            if (HandleField?.GetValue(index) is not IntPtr handle || handle == IntPtr.Zero)
                return null;
            try
            {
                UIntPtr bytes = MemoryUsage(handle, out IntPtr error);
                return error == IntPtr.Zero ? (long)bytes : null;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
        }
    }
}
