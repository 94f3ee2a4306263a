using System.Text.Json;

namespace AgentCluster.Solana.Rpc;

/// <summary>What a local node (scripts/solana-localnet) says about itself: localnet_info, and its solana-localnet.json file.</summary>
/// <param name="Rpc">The node's JSON-RPC URL.</param>
/// <param name="ProgramId">The AgentCluster program.</param>
/// <param name="ProgramData">The program's program-data account (upgradeable loader).</param>
/// <param name="Config">The program's config account.</param>
/// <param name="Mint">The ACC mint.</param>
/// <param name="Vaults">The eight vault token accounts by kind (0..5 the genesis shares, 5 the team's; 6 bonds; 7 stakes).</param>
/// <param name="Authority">The upgrade and config authority.</param>
/// <param name="AuthorityKeypairPath">The authority's keypair file (Solana CLI format), when the node was started with --dir.</param>
public sealed record LocalnetInfo(Uri Rpc, PublicKey ProgramId, PublicKey ProgramData, PublicKey Config, PublicKey Mint,
    IReadOnlyList<PublicKey> Vaults, PublicKey Authority, string? AuthorityKeypairPath)
{
    /// <summary>Reads localnet_info's JSON (or the file's).</summary>
    public static LocalnetInfo FromJson(JsonElement e) => new(
        new Uri(e.GetProperty("rpc").GetString()!),
        new PublicKey(e.GetProperty("programId").GetString()!),
        new PublicKey(e.GetProperty("programData").GetString()!),
        new PublicKey(e.GetProperty("config").GetString()!),
        new PublicKey(e.GetProperty("mint").GetString()!),
        e.GetProperty("vaultsByKind").EnumerateArray().Select(v => new PublicKey(v.GetString()!)).ToArray(),
        new PublicKey(e.GetProperty("authority").GetString()!),
        e.TryGetProperty("authorityKeypairPath", out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null);

    /// <summary>Reads a solana-localnet.json text.</summary>
    public static LocalnetInfo Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using JsonDocument doc = JsonDocument.Parse(json);
        return FromJson(doc.RootElement);
    }
}

/// <summary>localnet_warpTime's answer: the clock after the warp.</summary>
public sealed record LocalnetWarp(long UnixTimestamp, ulong Slot, ulong WarpedSeconds);

/// <summary>localnet_fundAcc's answer: the owner's ACC token account and its balance, and what the team vault has left.</summary>
public sealed record LocalnetFunding(PublicKey Owner, PublicKey TokenAccount, ulong Amount, PublicKey TeamVault, ulong TeamVaultAmount);

/// <summary>
/// The local node's own methods (scripts/solana-localnet only; a real cluster answers "Method not found"). Each gets one
/// attempt: they change state and are not idempotent.
/// </summary>
public static class SolanaLocalnetRpc
{
    /// <summary>localnet_info: the program, config, mint, vaults and authority of the local node.</summary>
    public static async Task<LocalnetInfo> GetLocalnetInfoAsync(this SolanaRpcClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return LocalnetInfo.FromJson(await client.SendRequestAsync("localnet_info", [], true, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>localnet_warpTime: moves the Clock's unix_timestamp <paramref name="seconds"/> forward (1 s to 100 years).</summary>
    public static async Task<LocalnetWarp> WarpTimeAsync(this SolanaRpcClient client, ulong seconds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (seconds is 0 or > 100UL * 365 * 86400)
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "localnet_warpTime moves the clock 1 second to 100 years forward.");
        }

        JsonElement r = await client.SendRequestAsync("localnet_warpTime", [seconds], false, cancellationToken).ConfigureAwait(false);
        return new LocalnetWarp(r.GetProperty("unixTimestamp").GetInt64(), r.GetProperty("slot").GetUInt64(), r.GetProperty("warpedSeconds").GetUInt64());
    }

    /// <summary>localnet_advanceSlots: advances 1 to 1000 slots at once (blockhashes expire after 150); returns the new slot.</summary>
    public static async Task<ulong> AdvanceSlotsAsync(this SolanaRpcClient client, int slots, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (slots is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "localnet_advanceSlots advances 1 to 1000 slots.");
        }

        return (await client.SendRequestAsync("localnet_advanceSlots", [slots], false, cancellationToken).ConfigureAwait(false)).GetUInt64();
    }

    /// <summary>
    /// localnet_fundAcc: moves <paramref name="amount"/> ACC base units from the team vault (kind 5) into <paramref name="owner"/>'s
    /// associated token account (created if missing); the supply stays held exactly. More than the vault holds is refused (-32602).
    /// </summary>
    public static async Task<LocalnetFunding> FundAccAsync(this SolanaRpcClient client, PublicKey owner, ulong amount,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfZero(amount);
        JsonElement r = await client.SendRequestAsync("localnet_fundAcc", [owner.Key, amount], false, cancellationToken).ConfigureAwait(false);
        return new LocalnetFunding(new PublicKey(r.GetProperty("owner").GetString()!), new PublicKey(r.GetProperty("tokenAccount").GetString()!),
            r.GetProperty("amount").GetUInt64(), new PublicKey(r.GetProperty("teamVault").GetString()!), r.GetProperty("teamVaultAmount").GetUInt64());
    }
}
