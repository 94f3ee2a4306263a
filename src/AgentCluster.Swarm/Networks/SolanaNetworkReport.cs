using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Solana;

namespace AgentCluster.Swarm.Networks;

/// <summary>
/// The closing report of the localnet's Solana side, read from the chain only (docs/localnet.md, "As built: Solana"): the program's
/// task accounts by status, its slash records, its agents, the compute units of every transaction that named the program (the swarm's
/// and the keepers': <c>getSignaturesForAddress</c> then <c>getTransaction</c>'s <c>computeUnitsConsumed</c>, grouped by the program's
/// instructions in the transaction, the way gas is grouped by function on EVM), and the ACC conservation check: the sum of every SPL
/// token account of the ACC mint equals the mint's supply, and the supply fell by exactly what was burned since the start.
/// </summary>
public sealed record SolanaNetworkReport
{
    /// <summary>Token program id.</summary>
    public const string TokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

    /// <summary>The task account's discriminator (AC_DISC_TASK).</summary>
    public const byte TaskDiscriminator = 20;

    /// <summary>The agent account's discriminator (AC_DISC_AGENT).</summary>
    public const byte AgentDiscriminator = 2;

    /// <summary>The slash record's discriminator (AC_DISC_SLASH).</summary>
    public const byte SlashDiscriminator = 41;

    private static readonly string[] TaskStatusNames =
        ["Bidding", "Assigned", "ResultPosted", "Verifying", "Accepted", "Rejected", "Inconclusive", "Refunded", "Missed"];

    /// <summary>The program id.</summary>
    public required string ProgramId { get; init; }

    /// <summary>Task accounts by status name (Bidding .. Missed, as the program's <c>ac_task.status</c>).</summary>
    public required IReadOnlyDictionary<string, int> Tasks { get; init; }

    /// <summary>Tasks with a final status (Accepted, Rejected, Inconclusive, Refunded, Missed).</summary>
    public int Settled => Tasks.Where(kv => kv.Key is "Accepted" or "Rejected" or "Inconclusive" or "Refunded" or "Missed").Sum(kv => kv.Value);

    /// <summary>Accepted / (Accepted + Rejected); 0 when none was judged.</summary>
    public double ApprovalRate
    {
        get
        {
            int a = Tasks.GetValueOrDefault("Accepted"), r = Tasks.GetValueOrDefault("Rejected");
            return a + r == 0 ? 0 : (double)a / (a + r);
        }
    }

    /// <summary>Agent accounts (registered agents).</summary>
    public required int Agents { get; init; }

    /// <summary>Agent accounts whose status is Active.</summary>
    public required int ActiveAgents { get; init; }

    /// <summary>Slash records.</summary>
    public required int Slashes { get; init; }

    /// <summary>Slash records whose status is Appealed or Reversed (a dismissed appeal ends Finalized, like an unappealed slash).</summary>
    public required int Appeals { get; init; }

    /// <summary>Compute units by the program's instructions in a transaction (e.g. <c>bid</c>, <c>attest</c>), most used first.</summary>
    public required IReadOnlyList<ComputeStage> ComputeUnits { get; init; }

    /// <summary>Transactions that named the program and failed (none expected: preflight refuses failing ones).</summary>
    public required int FailedTransactions { get; init; }

    /// <summary>The mint's supply when the run started.</summary>
    public required BigInteger SupplyBefore { get; init; }

    /// <summary>The mint's supply now.</summary>
    public required BigInteger SupplyAfter { get; init; }

    /// <summary>The sum of every token account of the mint now.</summary>
    public required BigInteger SumOfHolders { get; init; }

    /// <summary>Token accounts of the mint.</summary>
    public required int Holders { get; init; }

    /// <summary>ACC burned during the run (registration fees, the market's burned fees, slashes' burns): supply before - supply after.</summary>
    public BigInteger Burned => SupplyBefore - SupplyAfter;

    /// <summary>The holders add up to the supply (the supply can only fall: no mint authority after genesis).</summary>
    public bool Conserved => SumOfHolders == SupplyAfter && SupplyAfter <= SupplyBefore;

    /// <summary>The mint's supply now (u64 at offset 36 of the SPL mint).</summary>
    public static async Task<BigInteger> ReadSupplyAsync(SolanaLocalnetRpc rpc, string mint, CancellationToken cancellationToken = default)
    {
        byte[] data = await rpc.GetAccountDataAsync(mint, cancellationToken).ConfigureAwait(false)
                      ?? throw new InvalidOperationException($"the ACC mint {mint} does not exist");
        return BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(36, 8));
    }

    /// <summary>Reads the report; <paramref name="supplyBefore"/> is <see cref="ReadSupplyAsync"/> at the run's start.</summary>
    public static async Task<SolanaNetworkReport> ReadAsync(SolanaLocalnetRpc rpc, string programId, string mint, BigInteger supplyBefore,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        static JsonArray Disc(byte d) => [new JsonObject { ["memcmp"] = new JsonObject { ["offset"] = 0, ["bytes"] = Base58.Encode([d]) } }];

        // Accounts: the first 8 bytes are enough (discriminator, version, bump(s), status).
        var tasks = (await rpc.GetProgramAccountsAsync(programId, Disc(TaskDiscriminator), 0, 8, cancellationToken).ConfigureAwait(false))
            .GroupBy(a => a.Data[4] < TaskStatusNames.Length ? TaskStatusNames[a.Data[4]] : $"status{a.Data[4]}")
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var agents = await rpc.GetProgramAccountsAsync(programId, Disc(AgentDiscriminator), 0, 8, cancellationToken).ConfigureAwait(false);
        var slashes = await rpc.GetProgramAccountsAsync(programId, Disc(SlashDiscriminator), 0, 8, cancellationToken).ConfigureAwait(false);

        // ACC: every token account of the mint (amount: u64 at offset 64), and the supply at the same moment (one node, nothing sent between).
        JsonArray holderFilters = [new JsonObject { ["dataSize"] = 165 }, new JsonObject { ["memcmp"] = new JsonObject { ["offset"] = 0, ["bytes"] = mint } }];
        var holders = await rpc.GetProgramAccountsAsync(TokenProgram, holderFilters, 64, 8, cancellationToken).ConfigureAwait(false);
        BigInteger sum = holders.Aggregate(BigInteger.Zero, (s, h) => s + BinaryPrimitives.ReadUInt64LittleEndian(h.Data));
        BigInteger supply = await ReadSupplyAsync(rpc, mint, cancellationToken).ConfigureAwait(false);

        // Compute units: every transaction that named the program, in batches of getTransaction.
        IReadOnlyList<string> signatures = await rpc.GetSignaturesForAddressAsync(programId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var stages = new Dictionary<string, (int Count, long Units, long Max)>(StringComparer.Ordinal);
        int failed = 0;
        foreach (string[] chunk in signatures.Chunk(SolanaLocalnetRpc.MaxBatch))
        {
            IReadOnlyList<JsonElement> txs = await rpc.BatchAsync(
                [.. chunk.Select(s => ("getTransaction", new JsonArray(s, new JsonObject { ["encoding"] = "json", ["commitment"] = "confirmed", ["maxSupportedTransactionVersion"] = 0 })))],
                cancellationToken).ConfigureAwait(false);
            foreach (JsonElement tx in txs)
            {
                if (tx.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                JsonElement meta = tx.GetProperty("meta");
                if (meta.GetProperty("err").ValueKind != JsonValueKind.Null)
                {
                    failed++;
                    continue;
                }

                string name = InstructionsOf(tx.GetProperty("transaction").GetProperty("message"), programId);
                long units = meta.TryGetProperty("computeUnitsConsumed", out JsonElement cu) && cu.ValueKind == JsonValueKind.Number ? cu.GetInt64() : 0;
                (int c, long u, long m) = stages.GetValueOrDefault(name);
                stages[name] = (c + 1, u + units, Math.Max(m, units));
            }
        }

        return new SolanaNetworkReport
        {
            ProgramId = programId,
            Tasks = tasks,
            Agents = agents.Count,
            ActiveAgents = agents.Count(a => a.Data[3] == 1),
            Slashes = slashes.Count,
            Appeals = slashes.Count(s => s.Data[3] is 1 or 2),
            ComputeUnits = [.. stages.OrderByDescending(kv => kv.Value.Units).Select(kv => new ComputeStage(kv.Key, kv.Value.Count, kv.Value.Units, kv.Value.Max))],
            FailedTransactions = failed,
            SupplyBefore = supplyBefore,
            SupplyAfter = supply,
            SumOfHolders = sum,
            Holders = holders.Count,
        };
    }

    /// <summary>The program's instructions in a transaction message (json encoding), by name, joined with '+' (e.g. <c>reserve_task+submit_task</c>).</summary>
    internal static string InstructionsOf(JsonElement message, string programId)
    {
        string[] keys = [.. message.GetProperty("accountKeys").EnumerateArray().Select(k => k.GetString()!)];
        var names = new List<string>();
        foreach (JsonElement ix in message.GetProperty("instructions").EnumerateArray())
        {
            int index = ix.GetProperty("programIdIndex").GetInt32();
            if (index < keys.Length && keys[index] == programId)
            {
                string name = InstructionName(Base58.Decode(ix.GetProperty("data").GetString() ?? ""));
                if (names.Count == 0 || names[^1] != name)
                {
                    names.Add(name);
                }
            }
        }

        return names.Count == 0 ? "(other)" : string.Join('+', names);
    }

    /// <summary>The instruction's name from its tag (docs/solana-program.md, "Instructions"); governance's tag 19 by its operation byte.</summary>
    public static string InstructionName(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return "(empty)";
        }

        if (data[0] == 19)
        {
            return data.Length > 1 ? data[1] switch { 0 => "propose", 1 => "vote", 2 => "execute_proposal", _ => $"governance{data[1]}" } : "governance";
        }

        return data[0] switch
        {
            0 => "initialize",
            1 => "register_agent",
            2 => "stake",
            3 => "request_unstake",
            4 => "withdraw",
            5 => "set_attestor",
            6 => "attest",
            7 => "request_exit",
            8 => "withdraw_bond",
            9 => "set_slasher",
            10 => "slash",
            11 => "appeal_slash",
            12 => "reverse_slash",
            13 => "dismiss_appeal",
            14 => "finalize_slash",
            15 => "open_reputation",
            16 => "record_reputation",
            17 => "stake_at",
            18 => "reputation_of",
            20 => "submit_task",
            21 => "bid",
            22 => "assign_task",
            23 => "post_result",
            24 => "report_missed_deadline",
            25 => "fix_seed",
            26 => "draw_seat",
            27 => "claim_seat",
            28 => "commit_vote",
            29 => "reveal_vote",
            30 => "settle_task",
            31 => "settle_member",
            32 => "claim_payout",
            33 => "settle_executor",
            40 => "genesis",
            41 => "reserve_task",
            byte t => $"tag{t}",
        };
    }
}

/// <summary>Compute units of the transactions whose program instructions were <paramref name="Instruction"/>.</summary>
/// <param name="Instruction">The program's instructions in the transaction (joined with '+').</param>
/// <param name="Transactions">How many.</param>
/// <param name="Units">Their computeUnitsConsumed, summed.</param>
/// <param name="MaxUnits">The largest.</param>
public sealed record ComputeStage(string Instruction, int Transactions, long Units, long MaxUnits)
{
    /// <summary>Units per transaction on average.</summary>
    public long MeanUnits => Transactions == 0 ? 0 : Units / Transactions;
}
