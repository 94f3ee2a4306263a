namespace AgentCluster.Dashboard.Tests;

/// <summary>EWMA / z-score anomaly detection on synthetic series (no node, no browser).</summary>
public sealed class AnomalyDetectorTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Test]
    public void ASteadyNoisySeries_RaisesNothing_ASpikeIsCritical_AModerateJumpAWarning()
    {
        var detector = new AnomalyDetector(new AnomalyOptions());
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            Assert.That(detector.Observe("s", 100 + random.NextDouble() * 4 - 2, T0), Is.Null, $"sample {i} is ordinary noise");
        }

        double mean = detector.MeanOf("s")!.Value;
        Assert.That(mean, Is.EqualTo(100).Within(2));
        HealthAlert? spike = detector.Observe("s", 1_000, T0);
        Assert.That(spike, Is.Not.Null);
        Assert.That(spike!.Level, Is.EqualTo(AlertLevel.Critical));
        Assert.That(spike.Expected, Is.EqualTo(mean));
        Assert.That(spike.Z, Is.GreaterThan(5));

        // A fresh series: the floor (5 % of the mean) makes a 20 % jump a warning (z = 4) and not critical.
        var flat = new AnomalyDetector(new AnomalyOptions());
        for (int i = 0; i < 10; i++)
        {
            flat.Observe("f", 100, T0);
        }

        HealthAlert? jump = flat.Observe("f", 120, T0);
        Assert.That(jump?.Level, Is.EqualTo(AlertLevel.Warning));
        Assert.That(jump!.Z, Is.EqualTo(4).Within(1e-9));
        Assert.That(flat.Observe("f", 60, T0)?.Level, Is.EqualTo(AlertLevel.Critical), "a fall is an anomaly too (z < 0)");
    }

    [Test]
    public void NothingIsJudgedDuringWarmUp_AndSeriesAreIndependent()
    {
        var detector = new AnomalyDetector(new AnomalyOptions { WarmUp = 3 });
        Assert.That(detector.Observe("a", 1, T0), Is.Null);
        Assert.That(detector.Observe("a", 1_000, T0), Is.Null, "second sample: still warming up");
        Assert.That(detector.Observe("b", 5, T0), Is.Null);
        Assert.That(detector.Observe("a", 1, T0), Is.Null, "third sample: still warming up");
        Assert.That(detector.Observe("a", 1e9, T0), Is.Not.Null, "fourth: judged");
        Assert.That(detector.MeanOf("b"), Is.EqualTo(5));
        Assert.That(detector.MeanOf("c"), Is.Null);
    }

    [Test]
    public void BadInputAndOptions_AreRefusedWithAMessage()
    {
        var detector = new AnomalyDetector(new AnomalyOptions());
        Assert.That(() => detector.Observe("s", double.NaN, T0), Throws.ArgumentException.With.Message.Contains("finite"));
        Assert.That(() => detector.Observe(" ", 1, T0), Throws.ArgumentException);
        Assert.That(() => new AnomalyDetector(new AnomalyOptions { Alpha = 1 }), Throws.ArgumentException.With.Message.Contains("Alpha"));
        Assert.That(() => new AnomalyDetector(new AnomalyOptions { WarningZ = 5, CriticalZ = 3 }), Throws.ArgumentException.With.Message.Contains("WarningZ"));
        Assert.That(() => new DashboardOptions().Validate(), Throws.ArgumentException.With.Message.Contains("IndexDbPath"));
        Assert.That(() => new DashboardOptions { IndexDbPath = "x", Port = 70_000 }.Validate(), Throws.ArgumentException.With.Message.Contains("Port"));
        Assert.That(() => new DashboardOptions { IndexDbPath = "x", PollInterval = TimeSpan.Zero }.Validate(), Throws.ArgumentException.With.Message.Contains("PollInterval"));
        var keeper = new DashboardOptions { IndexDbPath = "x" };
        keeper.KeeperHealthUrls.Add(new Uri("file:///etc/passwd"));
        Assert.That(keeper.Validate, Throws.ArgumentException.With.Message.Contains("KeeperHealthUrls"));
    }

    [Test]
    public void AgentIds_AreParsedStrictly()
    {
        Assert.That(DashboardEndpoints.TryParseId("42", out var d) && d == 42, Is.True);
        Assert.That(DashboardEndpoints.TryParseId("0x2a", out var h) && h == 42, Is.True);
        Assert.That(DashboardEndpoints.TryParseId("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", out _), Is.True, "uint256 max");
        foreach (string bad in new[] { "0", "-1", "abc", "0x", "0xzz", "1e5", " 1", "1".PadRight(79, '0'), "0x1" + new string('0', 64) })
        {
            Assert.That(DashboardEndpoints.TryParseId(bad, out _), Is.False, bad);
        }
    }
}
