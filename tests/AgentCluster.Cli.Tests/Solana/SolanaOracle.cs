using System.Diagnostics;
using System.Text.Json;
using AgentCluster.Cli.Localnet;

namespace AgentCluster.Cli.Tests.Solana;

/// <summary>
/// The Solana side's independent oracle: node with @solana/kit (and tests/solana/program.mjs's instruction builders) from the checkout's
/// node_modules, against a running localnet server. Bounded: 60 s per script.
/// </summary>
internal static class SolanaOracle
{
    public static string Root => SolanaLocalnetNode.RepositoryRoot();

    /// <summary>Runs a node script (file or <c>-e</c> text) with arguments; its stdout (a failure throws with stderr).</summary>
    public static async Task<string> NodeAsync(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        info.Environment["PATH"] = $"{Path.Combine(Root, "node_modules", ".bin")}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {string.Join(' ', arguments)} took over 60 s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {string.Join(' ', arguments)} exited {p.ExitCode}: {await stderr}");
        }

        return (await stdout).Trim();
    }

    /// <summary>The authority approves a new attestor (set_attestor) through @solana/kit; the transaction's signature and compute units as getTransaction gives them.</summary>
    public static async Task<(string Signature, long ComputeUnits)> SetAttestorAsync(SolanaLocalnetNode node)
    {
        string script = Path.Combine(Root, "tests", "AgentCluster.Cli.Tests", "Solana", "set-attestor.mjs");
        using JsonDocument r = JsonDocument.Parse(await NodeAsync([script, node.RpcUrl.ToString(), node.InfoPath, node.AuthorityKeypairPath]));
        Assert.That(r.RootElement.GetProperty("err").ValueKind, Is.EqualTo(JsonValueKind.Null), "set_attestor succeeded");
        return (r.RootElement.GetProperty("signature").GetString()!, r.RootElement.GetProperty("computeUnitsConsumed").GetInt64());
    }

    /// <summary>The address @solana/kit reads from a Solana CLI keypair file (it checks the public key against the secret).</summary>
    public static Task<string> KeypairAddressAsync(string path) => NodeAsync(["--input-type=module", "-e",
        "import fs from 'node:fs'; import { createKeyPairSignerFromBytes } from '@solana/kit';"
        + "const s = await createKeyPairSignerFromBytes(new Uint8Array(JSON.parse(fs.readFileSync(process.argv[1], 'utf8')))); console.log(s.address);", path]);

    /// <summary>The SPL token balance of <paramref name="owner"/>'s associated ACC account and its SOL lamports, read with @solana/kit.</summary>
    public static async Task<(ulong Lamports, ulong Acc)> BalancesAsync(SolanaLocalnetNode node, string owner)
    {
        string output = await NodeAsync(["--input-type=module", "-e",
            "import { address, createSolanaRpc } from '@solana/kit'; import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';"
            + "const [url, owner, mint] = process.argv.slice(1); const rpc = createSolanaRpc(url);"
            + "const { value: lamports } = await rpc.getBalance(address(owner)).send();"
            + "const [ata] = await findAssociatedTokenPda({ owner: address(owner), mint: address(mint), tokenProgram: TOKEN_PROGRAM_ADDRESS });"
            + "const { value: b } = await rpc.getTokenAccountBalance(ata).send(); console.log(`${lamports} ${b.amount}`);",
            node.RpcUrl.ToString(), owner, node.Info.Mint]);
        string[] parts = output.Split(' ');
        return (ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
