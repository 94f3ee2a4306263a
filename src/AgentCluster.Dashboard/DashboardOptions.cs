namespace AgentCluster.Dashboard;

/// <summary>What the dashboard reads and where it listens. Validated by <see cref="Validate"/> before anything starts.</summary>
public sealed class DashboardOptions
{
    /// <summary>The keepers' SQLite index (<c>SuiteIndexerOptions.DatabasePath</c> / <c>keepers run --index-db</c>), read-only.
    /// Required, unless a Solana source is set (<see cref="SolanaRpcUrl"/> and <see cref="SolanaProgramId"/>): empty then means no EVM chain
    /// (<see cref="HasEvm"/> false; the EVM APIs answer as before an index exists, and the page shows Solana).</summary>
    public string IndexDbPath { get; set; } = "";

    /// <summary>The TCP port on 127.0.0.1 (0: any free port; <see cref="DashboardServer.Url"/> says which). Default 0.</summary>
    public int Port { get; set; }

    /// <summary>The node's JSON-RPC URL: when set, the chain head is read each health tick to show the index's lag. Optional.</summary>
    public Uri? RpcUrl { get; set; }

    /// <summary>The keepers' readiness URLs (<c>http://127.0.0.1:{HealthPort}/health/ready</c>), shown on the page. Optional.</summary>
    public IList<Uri> KeeperHealthUrls { get; } = [];

    /// <summary>How often the index is polled for new rows. Default 300 ms; 50 ms..10 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How often a network health sample is taken and checked for anomalies. Default 5 s; 100 ms..10 min.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Anomaly detection: EWMA smoothing, |z| thresholds and warm-up.</summary>
    public AnomalyOptions Anomalies { get; set; } = new();

    /// <summary>Most WebSocket messages queued for one client; a client that falls further behind is dropped. Default 64; 4..4,096.</summary>
    public int ClientQueueLimit { get; set; } = 64;

    /// <summary>Most events in one WebSocket message (more are split over several). Default 200; 1..1,000.</summary>
    public int MaxEventsPerMessage { get; set; } = 200;

    /// <summary>
    /// Development and tests only: enables <c>POST /api/test/anomaly?series=S&amp;value=V</c>, which feeds one value into a health series'
    /// detector as if it had been sampled. Default false (the route answers 404).
    /// </summary>
    public bool EnableTestEndpoints { get; set; }

    /// <summary>The Solana side's JSON-RPC (with <see cref="SolanaProgramId"/>): its agents and tasks are read from the program's accounts and shown beside the EVM ones (null: EVM only).</summary>
    public Uri? SolanaRpcUrl { get; set; }

    /// <summary>The AgentCluster program on <see cref="SolanaRpcUrl"/> (base58).</summary>
    public string? SolanaProgramId { get; set; }

    /// <summary>How often the Solana source reads the program's accounts (100 ms .. 1 min).</summary>
    public TimeSpan SolanaPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether an EVM chain is shown: <see cref="IndexDbPath"/> is set.</summary>
    public bool HasEvm => !string.IsNullOrWhiteSpace(IndexDbPath);

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if ((SolanaRpcUrl is null) != (SolanaProgramId is null))
        {
            throw new ArgumentException("DashboardOptions.SolanaRpcUrl and SolanaProgramId go together: give both for a Solana source, or neither.",
                SolanaRpcUrl is null ? nameof(SolanaRpcUrl) : nameof(SolanaProgramId));
        }

        if (SolanaRpcUrl is { } solanaRpc && (!solanaRpc.IsAbsoluteUri || (solanaRpc.Scheme != Uri.UriSchemeHttp && solanaRpc.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"DashboardOptions.SolanaRpcUrl must be an absolute http(s) URL; got '{solanaRpc}'.", nameof(SolanaRpcUrl));
        }

        if (SolanaProgramId is { } program && !AgentCluster.Solana.PublicKey.TryParse(program, out _))
        {
            throw new ArgumentException($"DashboardOptions.SolanaProgramId must be a base58 public key; got '{program}'.", nameof(SolanaProgramId));
        }

        Check(SolanaPollInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), nameof(SolanaPollInterval));
        if (string.IsNullOrWhiteSpace(IndexDbPath) && SolanaRpcUrl is null)
        {
            throw new ArgumentException("DashboardOptions.IndexDbPath is required: the keepers' index file (keepers run --index-db).", nameof(IndexDbPath));
        }

        if (Port is < 0 or > 65_535)
        {
            throw new ArgumentException($"DashboardOptions.Port must be 0..65535 (0: any free port); got {Port}.", nameof(Port));
        }

        if (RpcUrl is { } rpc && (!rpc.IsAbsoluteUri || (rpc.Scheme != Uri.UriSchemeHttp && rpc.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"DashboardOptions.RpcUrl must be an absolute http(s) URL; got '{rpc}'.", nameof(RpcUrl));
        }

        foreach (Uri url in KeeperHealthUrls)
        {
            if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"DashboardOptions.KeeperHealthUrls must hold absolute http(s) URLs; got '{url}'.", nameof(KeeperHealthUrls));
            }
        }

        Check(PollInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10), nameof(PollInterval));
        Check(HealthInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10), nameof(HealthInterval));
        if (ClientQueueLimit is < 4 or > 4_096)
        {
            throw new ArgumentException($"DashboardOptions.ClientQueueLimit must be 4..4096; got {ClientQueueLimit}.", nameof(ClientQueueLimit));
        }

        if (MaxEventsPerMessage is < 1 or > 1_000)
        {
            throw new ArgumentException($"DashboardOptions.MaxEventsPerMessage must be 1..1000; got {MaxEventsPerMessage}.", nameof(MaxEventsPerMessage));
        }

        ArgumentNullException.ThrowIfNull(Anomalies, nameof(Anomalies));
        Anomalies.Validate();
    }

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException($"DashboardOptions.{name} must be {min}..{max}; got {value}.", name);
        }
    }
}

/// <summary>The anomaly detector's settings (EWMA mean and variance per series, z-score thresholds).</summary>
public sealed class AnomalyOptions
{
    /// <summary>EWMA weight of a new sample. Default 0.2; (0, 1).</summary>
    public double Alpha { get; set; } = 0.2;

    /// <summary>|z| at or above which a warning is raised. Default 3.</summary>
    public double WarningZ { get; set; } = 3;

    /// <summary>|z| at or above which a critical alert is raised. Default 5; must exceed <see cref="WarningZ"/>.</summary>
    public double CriticalZ { get; set; } = 5;

    /// <summary>Samples a series needs before it is judged. Default 5; 1..1,000.</summary>
    public int WarmUp { get; set; } = 5;

    /// <summary>Smallest standard deviation used, as a fraction of |mean| (so a flat series does not alarm on noise). Default 0.05.</summary>
    public double RelativeFloor { get; set; } = 0.05;

    /// <summary>Smallest standard deviation used, absolute. Default 1e-6.</summary>
    public double AbsoluteFloor { get; set; } = 1e-6;

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (!(Alpha > 0 && Alpha < 1))
        {
            throw new ArgumentException($"AnomalyOptions.Alpha must be in (0, 1); got {Alpha}.", nameof(Alpha));
        }

        if (!(WarningZ > 0) || !(CriticalZ > WarningZ) || double.IsInfinity(CriticalZ))
        {
            throw new ArgumentException($"AnomalyOptions needs 0 < WarningZ < CriticalZ (finite); got {WarningZ} and {CriticalZ}.", nameof(CriticalZ));
        }

        if (WarmUp is < 1 or > 1_000)
        {
            throw new ArgumentException($"AnomalyOptions.WarmUp must be 1..1000; got {WarmUp}.", nameof(WarmUp));
        }

        if (!(RelativeFloor >= 0) || !(AbsoluteFloor > 0) || double.IsInfinity(RelativeFloor) || double.IsInfinity(AbsoluteFloor))
        {
            throw new ArgumentException($"AnomalyOptions needs RelativeFloor >= 0 and AbsoluteFloor > 0 (finite); got {RelativeFloor} and {AbsoluteFloor}.", nameof(AbsoluteFloor));
        }
    }
}
