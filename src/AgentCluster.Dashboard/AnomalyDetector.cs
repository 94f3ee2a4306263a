namespace AgentCluster.Dashboard;

/// <summary>How bad an anomaly is.</summary>
public enum AlertLevel
{
    /// <summary>|z| at or above <see cref="AnomalyOptions.WarningZ"/>.</summary>
    Warning,

    /// <summary>|z| at or above <see cref="AnomalyOptions.CriticalZ"/>.</summary>
    Critical,
}

/// <summary>A health series' value that is far from its recent behaviour.</summary>
/// <param name="Series">The series (<see cref="HealthSeries"/> names).</param>
/// <param name="Level">Warning or critical.</param>
/// <param name="Value">The value observed.</param>
/// <param name="Expected">The EWMA mean before it.</param>
/// <param name="Z">Its z-score against the EWMA mean and deviation before it.</param>
/// <param name="At">When it was observed (wall clock).</param>
public sealed record HealthAlert(string Series, AlertLevel Level, double Value, double Expected, double Z, DateTimeOffset At);

/// <summary>
/// EWMA / z-score anomaly detection, one state per series: each value is judged against the exponentially weighted mean and variance of
/// the values before it (z = (x - mean) / max(sd, RelativeFloor·|mean|, AbsoluteFloor)), then folded in. A series is judged only after
/// <see cref="AnomalyOptions.WarmUp"/> values. Not thread-safe: one caller (the dashboard's health loop) at a time.
/// </summary>
public sealed class AnomalyDetector
{
    private readonly AnomalyOptions _options;
    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>A detector with <paramref name="options"/> (validated).</summary>
    public AnomalyDetector(AnomalyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Judges <paramref name="value"/> of <paramref name="series"/>, then folds it into the series' state.</summary>
    /// <returns>The alert it raises, or null.</returns>
    /// <exception cref="ArgumentException">No series name, or a value that is not finite.</exception>
    public HealthAlert? Observe(string series, double value, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(series);
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"The value of '{series}' must be finite; got {value}.", nameof(value));
        }

        if (!_states.TryGetValue(series, out State? s))
        {
            _states[series] = new State { Mean = value, Count = 1 };
            return null;
        }

        HealthAlert? alert = null;
        double sd = Math.Max(Math.Sqrt(s.Variance), Math.Max(_options.RelativeFloor * Math.Abs(s.Mean), _options.AbsoluteFloor));
        double z = (value - s.Mean) / sd;
        if (s.Count >= _options.WarmUp && Math.Abs(z) >= _options.WarningZ)
        {
            alert = new HealthAlert(series, Math.Abs(z) >= _options.CriticalZ ? AlertLevel.Critical : AlertLevel.Warning, value, s.Mean, z, at);
        }

        // West's EWMA variance update: the variance of the deviations from the previous mean, weighted like the mean.
        double a = _options.Alpha;
        double diff = value - s.Mean;
        s.Mean += a * diff;
        s.Variance = (1 - a) * (s.Variance + a * diff * diff);
        s.Count++;
        return alert;
    }

    /// <summary>The EWMA mean of a series, or null before its first value.</summary>
    public double? MeanOf(string series) => _states.TryGetValue(series, out State? s) ? s.Mean : null;

    private sealed class State
    {
        public double Mean;
        public double Variance;
        public int Count;
    }
}
