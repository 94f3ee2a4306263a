namespace AgentCluster.Testing.Internal;

/// <summary>
/// Environment Testcontainers 4.17 needs here, set before it is first used (it reads the environment once): the engine speaks
/// Docker API 1.41 (Debian's docker.io 20.10), and the Ryuk reaper image cannot be pulled. Values the caller set are kept.
/// </summary>
internal static class DockerEnvironment
{
    private static int _prepared;

    public static void Prepare()
    {
        if (Interlocked.Exchange(ref _prepared, 1) == 1)
        {
            return;
        }

        SetIfUnset("DOCKER_API_VERSION", "1.41");
        SetIfUnset("TESTCONTAINERS_RYUK_DISABLED", "true");
    }

    private static void SetIfUnset(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
