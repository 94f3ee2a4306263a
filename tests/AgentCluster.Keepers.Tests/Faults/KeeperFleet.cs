using System.Collections.Concurrent;
using System.Security.Cryptography;
using Nethereum.Signer;

namespace AgentCluster.Keepers.Tests.Faults;

/// <summary>
/// The keepers' part of a scenario: <c>k</c> keeper processes, each with its own fresh key (funded with ETH by <c>anvil_setBalance</c>), its
/// own journal and index database in a directory of the fleet's own, started, killed and restarted by index. A restarted keeper keeps its
/// key, journal, index and log queue, so its log reads as one keeper's story. Disposing kills every process (bounded) and deletes the directory.
/// </summary>
internal sealed class KeeperFleet : IAsyncDisposable
{
    private readonly FaultWorld _world;
    private readonly KeeperProcess?[] _running;
    private readonly string _dir;

    private KeeperFleet(FaultWorld world, int count, bool withPeers, bool withIndex, TimeSpan poll, TimeSpan takeOver)
    {
        _world = world;
        _dir = Directory.CreateTempSubdirectory("keeper-fleet-").FullName;
        Keys = [.. Enumerable.Range(0, count).Select(_ => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant())];
        Addresses = [.. Keys.Select(k => new EthECKey(k).GetPublicAddress())];
        Logs = [.. Enumerable.Range(0, count).Select(_ => new ConcurrentQueue<KeeperLogLine>())];
        _running = new KeeperProcess?[count];
        WithPeers = withPeers;
        WithIndex = withIndex;
        PollInterval = poll;
        TakeOverAfter = takeOver;
    }

    /// <summary>The keepers' private keys (hex).</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The keepers' addresses (checksummed).</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Each keeper's log over all its runs.</summary>
    public IReadOnlyList<ConcurrentQueue<KeeperLogLine>> Logs { get; }

    public bool WithPeers { get; }

    public bool WithIndex { get; }

    public TimeSpan PollInterval { get; }

    public TimeSpan TakeOverAfter { get; }

    public int Count => Keys.Count;

    /// <summary>The RPC URL the keepers use (the node's, or a proxy in front of it).</summary>
    public Uri RpcUrl { get; private init; } = null!;

    /// <summary>The journal of keeper <paramref name="i"/> (the durable transaction manager's SQLite file).</summary>
    public string JournalOf(int i) => Path.Combine(_dir, $"keeper-{i}-journal.db");

    public string IndexOf(int i) => Path.Combine(_dir, $"keeper-{i}-index.db");

    /// <summary>The running process of keeper <paramref name="i"/> (null while it is dead).</summary>
    public KeeperProcess? this[int i] => _running[i];

    /// <summary>
    /// Creates a fleet of <paramref name="count"/> keepers and funds their addresses (none started yet). <paramref name="withPeers"/>: each
    /// keeper's Peers lists all of them (the rota shares the work); without, each acts alone on everything.
    /// </summary>
    public static async Task<KeeperFleet> CreateAsync(FaultWorld world, int count, CancellationToken ct, bool withPeers = true, bool withIndex = true,
        TimeSpan? poll = null, TimeSpan? takeOver = null, Uri? rpcUrl = null)
    {
        var fleet = new KeeperFleet(world, count, withPeers, withIndex, poll ?? TimeSpan.FromMilliseconds(250), takeOver ?? TimeSpan.FromSeconds(10))
        {
            RpcUrl = rpcUrl ?? world.Suite.Node.RpcUrl,
        };
        foreach (string address in fleet.Addresses)
        {
            await world.SetBalanceAsync(address, 100, ct);
        }

        return fleet;
    }

    /// <summary>Starts keeper <paramref name="i"/> (again, after a kill: same key, journal and index) and waits until its duties run.</summary>
    public async Task<KeeperProcess> StartAsync(int i, CancellationToken ct)
    {
        if (_running[i] is { HasExited: false })
        {
            throw new InvalidOperationException($"keeper {i} is running");
        }

        var settings = new KeeperProcessSettings($"keeper{i}", RpcUrl, _world.ManifestPath, Keys[i], JournalOf(i),
            WithIndex ? IndexOf(i) : null, WithPeers ? Addresses : [], PollInterval, TakeOverAfter);
        _running[i] = await KeeperProcess.StartAsync(settings, Logs[i], ct);
        return _running[i]!;
    }

    /// <summary>Starts every keeper (one after the other: each start is a .NET process start).</summary>
    public async Task StartAllAsync(CancellationToken ct)
    {
        for (int i = 0; i < Count; i++)
        {
            await StartAsync(i, ct);
        }
    }

    /// <summary>SIGKILL of keeper <paramref name="i"/>.</summary>
    public async Task KillAsync(int i)
    {
        if (_running[i] is { } p)
        {
            await p.KillAsync();
            await p.DisposeAsync();
            _running[i] = null;
        }
    }

    /// <summary>Every keeper's log lines with this event id.</summary>
    public IEnumerable<(int Keeper, KeeperLogLine Line)> Lines(int eventId) =>
        Logs.SelectMany((q, i) => q.Where(l => l.EventId == eventId).Select(l => (i, l)));

    /// <summary>Every keeper's last lines, for failure messages.</summary>
    public string Tail(int count = 15) =>
        string.Join('\n', Logs.Select((q, i) => $"keeper{i}:\n" + string.Join('\n', q.TakeLast(count).Select(l => $"  {l.At:HH:mm:ss.fff} {l.Level} {l.EventId} {l.Message}"))));

    public async ValueTask DisposeAsync()
    {
        for (int i = 0; i < Count; i++)
        {
            await KillAsync(i);
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
