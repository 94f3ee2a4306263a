using AgentCluster.Testing.Internal;

namespace AgentCluster.Testing.Tests;

/// <summary>Container tests need a Docker engine with the anvil image; without one they are ignored (with the reason), except in CI.</summary>
internal static class DockerCheck
{
    private static readonly Lazy<string?> Reason = new(() =>
    {
        using DockerEngine? engine = DockerEngine.TryCreate(out string noEndpoint);
        if (engine is null)
        {
            return noEndpoint;
        }

        string? down = engine.PingAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (down is not null)
        {
            return down;
        }

        string image = Locator.AnvilImage();
        return engine.ImageExistsAsync(image, CancellationToken.None).GetAwaiter().GetResult() ? null : $"image {image} is not built";
    });

    /// <summary>Call at the start of a test that needs containers when <paramref name="kind"/> is "container".</summary>
    public static void RequireFor(string kind)
    {
        if (kind != AnvilKinds.Container || Reason.Value is not { } why)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"CI must run anvil in containers, but {why} (run scripts/setup).");
        }

        Assert.Ignore($"No Docker engine for the container variant here: {why} (scripts/setup starts dockerd and builds the image).");
    }

    public static async Task<IReadOnlyList<string>> ContainerIdsOfThisProcessAsync()
    {
        using DockerEngine engine = DockerEngine.TryCreate(out string why) ?? throw new InvalidOperationException(why);
        return await engine.ContainerIdsWithLabelAsync(
            Containers.AnvilBuilder.ProcessLabel, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
    }
}
