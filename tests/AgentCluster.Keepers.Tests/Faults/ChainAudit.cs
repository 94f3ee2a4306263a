using System.Numerics;
using Microsoft.Data.Sqlite;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace AgentCluster.Keepers.Tests.Faults;

/// <summary>A keeper's transaction as the canonical chain has it.</summary>
internal sealed record KeeperTx(int Keeper, string Hash, ulong Nonce, string To, string Input, ulong Block, bool Succeeded);

/// <summary>A durable transaction manager's intent, as its journal has it (one intent: one nonce, however many re-sends and replacements).</summary>
internal sealed record JournalIntent(long Id, ulong Nonce, string Data, string Status, string? MinedHash);

/// <summary>
/// What happened, read from the chain and the keepers' journals rather than from the keepers' own account of it: every transaction sent by
/// a keeper address in the canonical chain (blocks from the scenario's start to the head, each with its receipt), and each keeper's journal.
/// "Sent twice as a new nonce" is the same call (same input) mined twice from one keeper, or journaled as two intents.
/// </summary>
internal static class ChainAudit
{
    /// <summary>Every transaction from the fleet's addresses in blocks <paramref name="from"/> .. head, oldest first.</summary>
    public static async Task<IReadOnlyList<KeeperTx>> KeeperTransactionsAsync(IWeb3 web3, IReadOnlyList<string> keepers, ulong from, CancellationToken ct)
    {
        var index = keepers.Select((a, i) => (a.ToLowerInvariant(), i)).ToDictionary(x => x.Item1, x => x.i);
        ulong head = (ulong)(await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var result = new List<KeeperTx>();
        for (ulong n = from; n <= head; n++)
        {
            ct.ThrowIfCancellationRequested();
            BlockWithTransactions block = await web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new HexBigInteger(n));
            foreach (Transaction tx in block.Transactions)
            {
                if (tx.From is null || !index.TryGetValue(tx.From.ToLowerInvariant(), out int keeper))
                {
                    continue;
                }

                TransactionReceipt receipt = await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TransactionHash);
                result.Add(new KeeperTx(keeper, tx.TransactionHash, (ulong)tx.Nonce.Value, tx.To ?? "", tx.Input?.ToLowerInvariant() ?? "0x", n,
                    receipt.Status?.Value == BigInteger.One));
            }
        }

        return result;
    }

    /// <summary>The intents of a journal (read-only; the keeper must be stopped or the file is read through SQLite's WAL as it stands).</summary>
    public static IReadOnlyList<JournalIntent> JournalIntents(string journalPath)
    {
        if (!File.Exists(journalPath))
        {
            return [];
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = journalPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT id, nonce, data, status, mined_hash FROM intents ORDER BY id;";
        using SqliteDataReader reader = command.ExecuteReader();
        var intents = new List<JournalIntent>();
        while (reader.Read())
        {
            intents.Add(new JournalIntent(reader.GetInt64(0), (ulong)reader.GetInt64(1), "0x" + Convert.ToHexString((byte[])reader.GetValue(2)).ToLowerInvariant(),
                reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return intents;
    }

    /// <summary>
    /// The invariants every scenario ends with: per keeper, no call mined twice and no call journaled twice (no transaction sent twice as a
    /// new nonce), the chain's nonces of the keeper contiguous from 0, and every journaled intent mined in the canonical chain with the
    /// hash the journal recorded. Returns the chain's transactions for further checks.
    /// </summary>
    /// <summary>
    /// <c>flushProtocolFees()</c>: periodic, unpaid work with no argument (the settlement duty sends it at most once per
    /// FlushProtocolFeesEvery per process): the same input twice is two pieces of work, not one re-sent, so it is left out of the
    /// same-call checks (still in the nonce and journal checks).
    /// </summary>
    public const string FlushProtocolFeesSelector = "0xb3dbac77";

    public static async Task<IReadOnlyList<KeeperTx>> AssertNoDoubleSendsAsync(FaultWorld world, KeeperFleet fleet, CancellationToken ct)
    {
        IReadOnlyList<KeeperTx> txs = await KeeperTransactionsAsync(world.Suite.Web3, fleet.Addresses, world.StartBlock, ct);
        for (int k = 0; k < fleet.Count; k++)
        {
            List<KeeperTx> all = [.. txs.Where(t => t.Keeper == k)];
            List<KeeperTx> mine = [.. all.Where(t => !t.Input.StartsWith(FlushProtocolFeesSelector, StringComparison.Ordinal))];
            IReadOnlyList<JournalIntent> allIntents = JournalIntents(fleet.JournalOf(k));
            List<JournalIntent> journal = [.. allIntents.Where(i => !i.Data.StartsWith(FlushProtocolFeesSelector, StringComparison.Ordinal))];
            TestContext.Out.WriteLine($"keeper{k} {fleet.Addresses[k]}: {all.Count} mined transaction(s) ({all.Count(t => !t.Succeeded)} reverted), {allIntents.Count} journaled intent(s)");
            foreach (KeeperTx t in all)
            {
                TestContext.Out.WriteLine($"  block {t.Block} nonce {t.Nonce} {(t.Succeeded ? "ok" : "REVERTED")} {t.Input[..Math.Min(t.Input.Length, 74)]}");
            }

            Assert.Multiple(() =>
            {
                Assert.That(mine.GroupBy(t => t.Input).Where(g => g.Count() > 1).Select(g => $"{g.Key[..Math.Min(74, g.Key.Length)]} x{g.Count()}"), Is.Empty,
                    $"keeper{k}: the same call mined twice (sent again as a new nonce)");
                Assert.That(journal.GroupBy(i => i.Data).Where(g => g.Count() > 1).Select(g => $"{g.Key[..Math.Min(74, g.Key.Length)]} x{g.Count()}"), Is.Empty,
                    $"keeper{k}: the same call journaled as two intents");
                Assert.That(all.Select(t => t.Nonce).Order(), Is.EqualTo(Enumerable.Range(0, all.Count).Select(i => (ulong)i)), $"keeper{k}: nonces contiguous from 0");
                Assert.That(allIntents.Where(i => i.Status != "mined").Select(i => $"intent {i.Id} nonce {i.Nonce} {i.Status}"), Is.Empty, $"keeper{k}: every intent mined");
                Assert.That(allIntents.Select(i => i.MinedHash?.ToLowerInvariant()), Is.EquivalentTo(all.Select(t => t.Hash.ToLowerInvariant())),
                    $"keeper{k}: the journal's mined hashes are exactly the keeper's transactions in the canonical chain");
            });
        }

        return txs;
    }
}
