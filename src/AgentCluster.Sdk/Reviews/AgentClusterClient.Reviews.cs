using AgentCluster.Sdk.Reviews;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    /// <summary>
    /// Commit-reveal over the salt store at <paramref name="saltStorePath"/> (SQLite; created if missing). Keep the file: it holds
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
