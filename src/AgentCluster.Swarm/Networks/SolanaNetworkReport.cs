using System.Buffers.Binary;
using System.Numerics;
using AgentCluster.Solana;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Rpc;

namespace AgentCluster.Swarm.Networks;

/// <summary>
/// The closing report of the localnet's Solana side, read from the chain only (docs/localnet.md, "As built: Solana"): the program's
/// task accounts by status, its slash records, its agents, the compute units of every transaction that named the program (the swarm's
/// and the keepers': <c>getSignaturesForAddress</c> then <c>getTransaction</c>'s <c>computeUnitsConsumed</c> (<see cref="SolanaRpcClient"/>,
/// <see cref="TransactionReadConcurrency"/> at a time), grouped by the program's
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

    /// <summary>How many <c>getTransaction</c> calls the report has in flight at once.</summary>
    public const int TransactionReadConcurrency = 8;

    /// <summary>The most signatures the report reads (<c>getSignaturesForAddress</c>, pages of 1000).</summary>
    public const int MaxTransactions = 100_000;

    /// <summary>The mint's supply now (u64 at offset 36 of the SPL mint).</summary>
    public static async Task<BigInteger> ReadSupplyAsync(SolanaRpcClient rpc, PublicKey mint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(mint);
        AccountInfo account = (await rpc.GetAccountInfoAsync(mint, Commitment.Confirmed, cancellationToken: cancellationToken).ConfigureAwait(false)).Value
                              ?? throw new InvalidOperationException($"the ACC mint {mint} does not exist");
        if (account.Data.Length < 44)
        {
            throw new InvalidOperationException($"{mint} is no SPL mint: its data is {account.Data.Length} bytes");
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(account.Data.AsSpan(36, 8));
    }

    /// <summary>Reads the report; <paramref name="supplyBefore"/> is <see cref="ReadSupplyAsync"/> at the run's start.</summary>
    public static async Task<SolanaNetworkReport> ReadAsync(SolanaRpcClient rpc, PublicKey programId, PublicKey mint, BigInteger supplyBefore,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(programId);
        ArgumentNullException.ThrowIfNull(mint);
        async Task<IReadOnlyList<ProgramAccount>> OfKind(byte discriminator) =>
            (await rpc.GetProgramAccountsAsync(programId, [ProgramAccountFilter.Memcmp(0, [discriminator])], Commitment.Confirmed, cancellationToken)
                .ConfigureAwait(false)).Value;

        // Accounts: the first 8 bytes are what is read (discriminator, version, bump(s), status).
        var tasks = (await OfKind(TaskDiscriminator).ConfigureAwait(false))
            .Select(a => a.Account.Data[4])
            .GroupBy(status => status < TaskStatusNames.Length ? TaskStatusNames[status] : $"status{status}")
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        IReadOnlyList<ProgramAccount> agents = await OfKind(AgentDiscriminator).ConfigureAwait(false);
        IReadOnlyList<ProgramAccount> slashes = await OfKind(SlashDiscriminator).ConfigureAwait(false);

        // ACC: every token account of the mint (amount: u64 at offset 64), and the supply at the same moment (one node, nothing sent between).
        IReadOnlyList<ProgramAccount> holders = (await rpc.GetProgramAccountsAsync(new PublicKey(TokenProgram),
            [ProgramAccountFilter.DataSize(165), ProgramAccountFilter.Memcmp(0, mint.KeyBytes)], Commitment.Confirmed, cancellationToken).ConfigureAwait(false)).Value;
        BigInteger sum = holders.Aggregate(BigInteger.Zero, (s, h) => s + BinaryPrimitives.ReadUInt64LittleEndian(h.Account.Data.AsSpan(64, 8)));
        BigInteger supply = await ReadSupplyAsync(rpc, mint, cancellationToken).ConfigureAwait(false);

        // Compute units: every transaction that named the program, read with getTransaction, a few at a time.
        IReadOnlyList<string> signatures = await SignaturesOfAsync(rpc, programId, MaxTransactions, cancellationToken).ConfigureAwait(false);
        var transactions = new TransactionInfo?[signatures.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, signatures.Count),
            new ParallelOptions { MaxDegreeOfParallelism = TransactionReadConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => transactions[i] = await rpc.GetTransactionAsync(signatures[i], Commitment.Confirmed, ct).ConfigureAwait(false)).ConfigureAwait(false);

        var stages = new Dictionary<string, (int Count, long Units, long Max)>(StringComparer.Ordinal);
        int failed = 0;
        foreach (TransactionInfo? tx in transactions)
        {
            if (tx is null)
            {
                continue;
            }

            if (tx.Meta.Error is not null)
            {
                failed++;
                continue;
            }

            string name = InstructionsOf(Transaction.Deserialize(tx.WireTransaction).Message, programId);
            long units = (long)(tx.Meta.ComputeUnitsConsumed ?? 0);
            (int c, long u, long m) = stages.GetValueOrDefault(name);
            stages[name] = (c + 1, u + units, Math.Max(m, units));
        }

        return new SolanaNetworkReport
        {
            ProgramId = programId.Key,
            Tasks = tasks,
            Agents = agents.Count,
            ActiveAgents = agents.Count(a => a.Account.Data[3] == 1),
            Slashes = slashes.Count,
            Appeals = slashes.Count(s => s.Account.Data[3] is 1 or 2),
            ComputeUnits = [.. stages.OrderByDescending(kv => kv.Value.Units).Select(kv => new ComputeStage(kv.Key, kv.Value.Count, kv.Value.Units, kv.Value.Max))],
            FailedTransactions = failed,
            SupplyBefore = supplyBefore,
            SupplyAfter = supply,
            SumOfHolders = sum,
            Holders = holders.Count,
        };
    }

    /// <summary>The signatures of every transaction that names <paramref name="address"/>, newest first (paged by 1000; at most <paramref name="max"/>).</summary>
    private static async Task<IReadOnlyList<string>> SignaturesOfAsync(SolanaRpcClient rpc, PublicKey address, int max, CancellationToken cancellationToken)
    {
        var all = new List<string>();
        string? before = null;
        while (all.Count < max)
        {
            IReadOnlyList<SignatureInfo> page = await rpc.GetSignaturesForAddressAsync(address, 1000, before, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Select(s => s.Signature));
            if (page.Count < 1000)
            {
                break;
            }

            before = page[^1].Signature;
        }

        return all;
    }

    /// <summary>The program's instructions in a transaction message, by name, joined with '+' (e.g. <c>reserve_task+submit_task</c>).</summary>
    internal static string InstructionsOf(Message message, PublicKey programId)
    {
        var names = new List<string>();
        foreach (CompiledInstruction ix in message.Instructions)
        {
            if (ix.ProgramIdIndex < message.AccountKeys.Count && message.AccountKeys[ix.ProgramIdIndex] == programId)
            {
                string name = InstructionName(ix.Data);
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
