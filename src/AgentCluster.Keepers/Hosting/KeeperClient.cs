using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// The keeper's SDK client, connected from <see cref="KeeperOptions"/> on first use and shared by the duties and health checks. A failed
/// connection (node down, wrong chain) is not cached: the next call tries again, so a keeper started before its node recovers by itself.
/// </summary>
public sealed class KeeperClient(IOptions<KeeperOptions> options, ILoggerFactory? loggerFactory = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AgentClusterClient? _client;

    /// <summary>The connected client (connecting on the first call).</summary>
    public async Task<AgentClusterClient> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_client is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _client ??= await AgentClusterClient.ConnectAsync(ClientOptions(options.Value), loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The SDK options the keeper options stand for.</summary>
    internal static AgentClusterClientOptions ClientOptions(KeeperOptions o) => new()
    {
        RpcUrl = o.RpcUrl,
        ManifestPath = o.ManifestPath,
        JournalPath = o.JournalPath,
        Key = o.Key ?? (!string.IsNullOrWhiteSpace(o.KeystorePath)
            ? AgentKeySource.FromKeystore(o.KeystorePath, Environment.GetEnvironmentVariable(o.KeystorePasswordVariable!) ?? "")
            : AgentKeySource.FromEnvironment(o.PrivateKeyVariable!)),
        // A keeper wants its receipt soon after the block; a tenth of the poll interval, within the SDK's bounds.
        TransactionPollInterval = TimeSpan.FromMilliseconds(Math.Clamp(o.PollInterval.TotalMilliseconds / 10, 10, 1000)),
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
