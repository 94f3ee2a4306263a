namespace AgentCluster.Sdk.Tests.Identity;

/// <summary>Foundry's cast as an independent oracle for the identity tests: the one cast oracle of every test project.</summary>
internal static class CastCli
{
    public static string Run(params string[] args) => AgentCluster.Evm.Tests.Oracles.Cast.Run(args);

    public static (int ExitCode, string Stdout, string Stderr) TryRun(params string[] args) => AgentCluster.Evm.Tests.Oracles.Cast.TryRun(args);
}

/// <summary>Test keys: random 32-byte keys (seeded), optionally below 2^248 (first byte zero), as hex.</summary>
internal static class TestKeys
{
    public static byte[] Random(Random rng, bool leadingZero = false)
    {
        var key = new byte[32];
        rng.NextBytes(key);
        key[0] = leadingZero ? (byte)0 : (byte)(key[0] | 1); // non-zero first byte, and well below the group order either way
        if (leadingZero)
        {
            key[1] |= 0x10; // a 31-byte key, still far from zero
        }

        return key;
    }

    public static string Hex(byte[] key) => "0x" + Convert.ToHexString(key).ToLowerInvariant();

    public static string NewDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ac-ident-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
