using System.Diagnostics;
using System.Text.Json;
using AgentCluster.Testing.Solana;

namespace AgentCluster.Solana.Tests.Rpc;

/// <summary>A transaction built and signed by @solana/kit (Rpc/kit-transaction.mjs), the independent maker of signed bytes.</summary>
public sealed record KitTransaction(byte[] Wire, string Signature, string? To, uint? ExpectedCustom);

/// <summary>Runs Rpc/kit-transaction.mjs from the checkout against a localnet, signing as its authority.</summary>
public static class KitTransactions
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "solana-localnet")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No checkout with scripts/solana-localnet above {AppContext.BaseDirectory}.");
    });

    /// <summary>A System transfer of <paramref name="lamports"/> from the authority to a new address (legacy or v0).</summary>
    public static Task<KitTransaction> TransferAsync(SolanaLocalnet net, bool legacy, ulong lamports) =>
        RunAsync(net, "transfer", legacy, lamports.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>initialize again, signed by the authority: the program refuses it with ALREADY_INITIALIZED.</summary>
    public static Task<KitTransaction> ReinitializeAsync(SolanaLocalnet net) =>
        RunAsync(net, "reinitialize", false, net.ProgramId.Key, net.Info.ProgramData.Key);

    private static async Task<KitTransaction> RunAsync(SolanaLocalnet net, string kind, bool legacy, params string[] rest)
    {
        string script = Path.Combine(Root.Value, "tests", "AgentCluster.Solana.Tests", "Rpc", "kit-transaction.mjs");
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root.Value };
        foreach (string arg in new[] { script, net.RpcUrl.ToString(), net.AuthorityKeypairPath, kind, legacy ? "legacy" : "0" }.Concat(rest))
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kit-transaction.mjs {kind} failed ({process.ExitCode}): {await stderr}");
        }

        using JsonDocument doc = JsonDocument.Parse(await stdout);
        JsonElement r = doc.RootElement;
        return new KitTransaction(Convert.FromBase64String(r.GetProperty("wire").GetString()!), r.GetProperty("signature").GetString()!,
            r.TryGetProperty("to", out JsonElement to) ? to.GetString() : null,
            r.TryGetProperty("expectedCustom", out JsonElement c) ? c.GetUInt32() : null);
    }
}
