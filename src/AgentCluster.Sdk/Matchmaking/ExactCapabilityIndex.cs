using System.Numerics;
using System.Numerics.Tensors;

namespace AgentCluster.Sdk.Matchmaking;

/// <summary>
/// Brute-force cosine search: the query's dot product with every stored normalised vector
/// (System.Numerics.Tensors <c>TensorPrimitives.Dot</c>, SIMD), keeping the best k above the threshold in a heap. Exact
/// (recall 1); O(n * 512) per query, O(n * 2 KiB) memory. The choice for small networks (see
/// <see cref="CapabilityIndexFactory"/>). Vectors are stored in blocks of 1,024 rows so that growing never copies the index.
/// </summary>
public sealed class ExactCapabilityIndex : ICapabilityIndex
{
    private const int Dim = CapabilityVector.Dimensions;
    private const int BlockRows = 1024;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly List<float[]> _blocks = [];
    private readonly List<BigInteger> _ids = [];
    private readonly Dictionary<BigInteger, int> _slotOf = [];
    private bool _disposed;

    /// <inheritdoc />
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _ids.Count; } finally { _lock.ExitReadLock(); }
        }
    }

    /// <inheritdoc />
    public long MemoryBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                // Vector blocks + the id list + the id -> slot map (an estimate of ~64 bytes per entry for the BigInteger and the
                // dictionary entry).
                return (long)_blocks.Count * BlockRows * Dim * sizeof(float) + (long)_ids.Capacity * 16 + (long)_slotOf.Count * 64;
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
            if (!_slotOf.TryGetValue(agentId, out int slot))
            {
                slot = _ids.Count;
                if (slot / BlockRows >= _blocks.Count)
                    _blocks.Add(new float[BlockRows * Dim]);
                _ids.Add(agentId);
                _slotOf[agentId] = slot;
            }
            vector.NormalizedArray.CopyTo(Row(slot));
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
            if (!_slotOf.Remove(agentId, out int slot))
                return false;
            int last = _ids.Count - 1;
            if (slot != last)
            {
                // Move the last row into the hole.
                Row(last).CopyTo(Row(slot));
                BigInteger moved = _ids[last];
                _ids[slot] = moved;
                _slotOf[moved] = slot;
            }
            _ids.RemoveAt(last);
            // Release a trailing block once it is empty.
            if (_blocks.Count > 0 && _ids.Count <= (_blocks.Count - 1) * BlockRows)
                _blocks.RemoveAt(_blocks.Count - 1);
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <inheritdoc />
    public bool Contains(BigInteger agentId)
    {
        _lock.EnterReadLock();
        try { return _slotOf.ContainsKey(agentId); } finally { _lock.ExitReadLock(); }
    }

    /// <inheritdoc />
    public IReadOnlyList<CapabilityMatch> Search(CapabilityVector query, int k = 10, float threshold = ICapabilityIndex.DefaultThreshold)
    {
        CapabilityIndexGuards.ValidateSearch(query, k, threshold);
        float[] q = query.NormalizedArray;
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Min-heap of the best k so far: the root is the worst kept match (lowest similarity, then highest id).
            var heap = new PriorityQueue<CapabilityMatch, CapabilityMatch>(Comparer<CapabilityMatch>.Create((a, b) => CapabilityIndexGuards.CompareMatches(b, a)));
            int n = _ids.Count;
            for (int slot = 0; slot < n; slot++)
            {
                float s = Math.Clamp(TensorPrimitives.Dot(q, Row(slot)), -1f, 1f);
                if (s < threshold)
                    continue;
                var m = new CapabilityMatch(_ids[slot], s);
                if (heap.Count < k)
                    heap.Enqueue(m, m);
                else if (CapabilityIndexGuards.CompareMatches(m, heap.Peek()) < 0)
                    heap.EnqueueDequeue(m, m);
            }
            var result = new List<CapabilityMatch>(heap.Count);
            while (heap.Count > 0)
                result.Add(heap.Dequeue());
            result.Reverse();
            return result;
        }
        finally { _lock.ExitReadLock(); }
    }

    private Span<float> Row(int slot) => _blocks[slot / BlockRows].AsSpan(slot % BlockRows * Dim, Dim);

    /// <inheritdoc />
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            _disposed = true;
            _blocks.Clear();
            _ids.Clear();
            _slotOf.Clear();
        }
        finally { _lock.ExitWriteLock(); }
    }
}
