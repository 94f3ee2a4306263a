using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using AgentCluster.Keepers.Hosting;
using Microsoft.Extensions.Options;
using Nethereum.Util;

namespace AgentCluster.Keepers.Sharing;

/// <summary>
/// How several keeper processes share work without double-acting or leaving work undone (docs/keepers.md, "Several keepers").
/// Every piece of work (a task id and a kind: <c>assign</c>, <c>draw</c>, <c>settle</c>, ...) has an order over the configured keeper
/// set by rendezvous hashing: <c>keccak256(abi.encode(taskId, kind, keeper))</c>, highest first. The first keeper in that order acts
/// as soon as it sees the work due; the keeper at rank <i>r</i> acts only once the work has been due, as this process saw it, for
/// <i>r</i> x <see cref="KeeperOptions.TakeOverAfter"/>: so a dead, stalled or unfunded owner's work is done by the next keeper, and,
/// while the owner is healthy, nobody else sends. A keeper joining or leaving moves only its own share (rendezvous). With no
/// <see cref="KeeperOptions.Peers"/> configured the keeper is alone and acts on everything at once.
/// </summary>
/// <remarks>
/// "Due since" is the time this process first saw the work due (kept in memory, bounded by <see cref="MaxTracked"/>): wall-clock
/// rather than chain time, so take-over happens on an idle local chain too; a restart only delays its take-overs. Correctness never
/// depends on the rota: every action is idempotent on-chain (re-checked at gas estimation), the rota only avoids waste.
/// </remarks>
public sealed class KeeperRota
{
    /// <summary>At most this many pieces of work are remembered as due; the oldest are forgotten first (they are re-seen as due now).</summary>
    public const int MaxTracked = 100_000;

    private readonly string[] _peers;
    private readonly TimeSpan _takeOverAfter;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(BigInteger, string), DateTimeOffset> _dueSince = new();

    /// <summary>Creates the rota from the keeper options (<see cref="KeeperOptions.Peers"/>, <see cref="KeeperOptions.TakeOverAfter"/>).</summary>
    public KeeperRota(IOptions<KeeperOptions> options, TimeProvider? time = null)
        : this(options?.Value.Peers ?? [], options?.Value.TakeOverAfter ?? TimeSpan.Zero, time)
    {
    }

    /// <summary>Creates a rota over <paramref name="peers"/> (addresses; empty: a lone keeper).</summary>
    /// <exception cref="ArgumentException">A peer is not a 20-byte hex address, or one is listed twice.</exception>
    public KeeperRota(IEnumerable<string> peers, TimeSpan takeOverAfter, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _peers = [.. peers.Select(Normalise)];
        if (_peers.Distinct(StringComparer.Ordinal).Count() != _peers.Length)
        {
            throw new ArgumentException("A keeper is listed twice in Peers.", nameof(peers));
        }

        if (takeOverAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(takeOverAfter), takeOverAfter, "The take-over delay cannot be negative.");
        }

        _takeOverAfter = takeOverAfter;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The configured keepers (lower-case hex), empty for a lone keeper.</summary>
    public IReadOnlyList<string> Peers => _peers;

    /// <summary>
    /// The keepers in the order they take <paramref name="taskId"/>'s work of <paramref name="kind"/>: the owner first. Deterministic,
    /// the same in every process with the same peer list (the order of the list does not matter).
    /// </summary>
    public IReadOnlyList<string> OrderFor(BigInteger taskId, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        return [.. _peers.Select(p => (Peer: p, Score: Score(taskId, kind, p)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Peer, StringComparer.Ordinal).Select(x => x.Peer)];
    }

    /// <summary>The rank of <paramref name="keeper"/> for this work (0: the owner).</summary>
    /// <exception cref="ArgumentException"><paramref name="keeper"/> is not in <see cref="Peers"/>.</exception>
    public int RankOf(string keeper, BigInteger taskId, string kind)
    {
        if (_peers.Length == 0)
        {
            return 0;
        }

        string me = Normalise(keeper);
        int rank = OrderFor(taskId, kind).ToList().IndexOf(me);
        return rank >= 0 ? rank
            : throw new ArgumentException($"{KeeperOptions.SectionName}:Peers does not list this keeper's address {me}; add it, or leave Peers empty to run alone.", nameof(keeper));
    }

    /// <summary>
    /// Whether <paramref name="keeper"/> should act now on work that is due: at once for the owner, after rank x
    /// <see cref="KeeperOptions.TakeOverAfter"/> since this process first saw it due for the others. Call it on each pass while the work
    /// is due; call <see cref="Done"/> once it is done (or no longer due) to forget it.
    /// </summary>
    public bool ShouldAct(string keeper, BigInteger taskId, string kind)
    {
        int rank = RankOf(keeper, taskId, kind);
        if (rank == 0)
        {
            return true;
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (_dueSince.Count >= MaxTracked && !_dueSince.ContainsKey((taskId, kind)))
        {
            foreach (var old in _dueSince.OrderBy(kv => kv.Value).Take(MaxTracked / 10).ToList())
            {
                _dueSince.TryRemove(old.Key, out _);
            }
        }

        DateTimeOffset since = _dueSince.GetOrAdd((taskId, kind), now);
        return now - since >= rank * _takeOverAfter;
    }

    /// <summary>Forgets work that is done or no longer due.</summary>
    public void Done(BigInteger taskId, string kind) => _dueSince.TryRemove((taskId, kind), out _);

    /// <summary>How many pieces of work are remembered as due (for tests and diagnostics).</summary>
    public int Tracked => _dueSince.Count;

    private static BigInteger Score(BigInteger taskId, string kind, string peer)
    {
        // abi.encode(uint256 taskId, bytes32 keccak(kind), address keeper): fixed-width, so no two inputs share an encoding.
        byte[] buffer = new byte[96];
        taskId.ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(buffer.AsSpan(32 - taskId.GetByteCount(isUnsigned: true)));
        Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(kind)).CopyTo(buffer, 32);
        Convert.FromHexString(peer.AsSpan(2)).CopyTo(buffer, 76);
        return new BigInteger(Sha3Keccack.Current.CalculateHash(buffer), isUnsigned: true, isBigEndian: true);
    }

    private static string Normalise(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string a = address.Trim().ToLower(CultureInfo.InvariantCulture);
        if (a.Length != 42 || !a.StartsWith("0x", StringComparison.Ordinal) || !a.AsSpan(2).ToString().All(Uri.IsHexDigit))
        {
            throw new ArgumentException($"'{address}' is not an address (0x and 40 hex digits).", nameof(address));
        }

        return a;
    }
}
