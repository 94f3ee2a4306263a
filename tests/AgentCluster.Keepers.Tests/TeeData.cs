using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Keepers.Tests;

/// <summary>The shared real quotes and collateral (TestData/tee-quotes, copied next to the test assembly).</summary>
internal static class TeeData
{
    public static string Dir { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "tee-quotes");

    public static string CollateralDir { get; } = Path.Combine(Dir, "collateral");

    public static string RootPemPath { get; } = Path.Combine(Dir, "intel_sgx_root_ca.pem");

    public static X509Certificate2 IntelRoot() => X509Certificate2.CreateFromPem(File.ReadAllText(RootPemPath));

    public static byte[] Quote(string file) => File.ReadAllBytes(Path.Combine(Dir, file));

    public static JsonElement Expected(string file)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, "EXPECTED.json")));
        return doc.RootElement.EnumerateArray().Single(e => e.GetProperty("file").GetString() == file).Clone();
    }

    public static JsonElement[] ExpectedTcb()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CollateralDir, "EXPECTED_TCB.json")));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The five quote files, as named in EXPECTED.json.</summary>
    public static IEnumerable<string> QuoteFiles()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, "EXPECTED.json")));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.GetProperty("file").GetString()!)];
    }

    /// <summary>A time inside every certificate of every shared quote (leaves from 2022-2025 to 2029-2032, CAs to 2033).</summary>
    public static readonly DateTimeOffset InsideValidity = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    public static DcapQuote Parse(string file) => DcapQuote.Parse(Quote(file));
}
