using AgentCluster.Sdk.Reviews;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    private readonly string? _reviewStorePath;
    private readonly Lock _reviewsGate = new();
    private ReviewsClient? _reviews;

    /// <summary>
    /// Commit-reveal over the salt store configured as <see cref="AgentClusterClientOptions.ReviewStorePath"/> (opened on first use,
    /// closed when the client is disposed). Salts stored by an earlier process over the same file are found again: call
    /// <see cref="ReviewsClient.RevealPendingAsync"/> on start-up.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="AgentClusterClientOptions.ReviewStorePath"/> was configured.</exception>
    public ReviewsClient Reviews
    {
        get
        {
            lock (_reviewsGate)
            {
                return _reviews ??= new ReviewsClient(this, new SaltStore(_reviewStorePath ?? throw new InvalidOperationException(
                    "client.Reviews needs a salt store: set AgentClusterClientOptions.ReviewStorePath (configuration key AgentCluster:ReviewStorePath), or call OpenReviews(path).")),
                    ownsStore: true);
            }
        }
    }

    /// <summary>The configured salt store's full path, or null when <see cref="AgentClusterClientOptions.ReviewStorePath"/> is not set.</summary>
    public string? ReviewStorePath => _reviewStorePath;

    private void DisposeReviews()
    {
        lock (_reviewsGate)
        {
            _reviews?.Dispose();
            _reviews = null;
        }
    }

    /// <summary>
    /// Commit-reveal over the salt store at <paramref name="saltStorePath"/> (for a store not configured in the options; see
    /// <see cref="Reviews"/> for the configured one; do not open the configured file a second time) (SQLite; created if missing). Keep the file: it holds
    /// the salts of commits not yet revealed, and losing it before the reveal costs stake. Dispose the result to close the store.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public ReviewsClient OpenReviews(string saltStorePath) => new(this, new SaltStore(saltStorePath), ownsStore: true);

    /// <summary>Commit-reveal over an already open <paramref name="store"/> (not disposed with the client).</summary>
    public ReviewsClient OpenReviews(SaltStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new ReviewsClient(this, store, ownsStore: false);
    }
}
