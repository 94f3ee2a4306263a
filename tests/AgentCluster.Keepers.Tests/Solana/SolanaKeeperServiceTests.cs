using System.Buffers.Binary;
using System.Collections.Concurrent;
using AgentCluster.Keepers.Solana;
using AgentCluster.Keepers.Tests.Hosting;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Programs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Tests.Solana;

/// <summary>
/// The service's handling of each answer a send can get, against a scripted chain (no node): work done by someone else skipped at Debug,
/// any other refusal logged as a Warning and counted while the pass carries on, a batch too large for one transaction split until it fits.
/// </summary>
public sealed class SolanaKeeperServiceTests
{
    private const long Now = 1_800_000_000;
    private string _dir = null!;
    private PublicKey _program = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("solana-keeper-service-").FullName;
        _program = Account.Generate().PublicKey;
        File.WriteAllText(Path.Combine(_dir, "deployment.json"), $$"""{ "programId": "{{_program}}" }""");
        KeypairFile.Write(Path.Combine(_dir, "keeper.json"), Account.Generate());
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task EachRefusal_IsSkippedOrLoggedByKind_AndThePassCarriesOn()
    {
        var chain = new ScriptedChain(Now);
        PublicKey done = chain.AddTask(BiddingTask(1)), refused = chain.AddTask(BiddingTask(2)), fine = chain.AddTask(BiddingTask(3));
        chain.Answer = (instructions) => TaskOf(instructions) is var t && t == done ? Refuse(instructions, AgentClusterProgramError.TaskWrongStatus)
            : t == refused ? Refuse(instructions, AgentClusterProgramError.NotEligible) : null;
        (SolanaKeeperService service, KeeperHostTests.LogSink logs, _) = Create(chain);

        int sent = await service.RunPassAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(1), "the one the chain accepted");
            Assert.That(chain.Attempts.Select(TaskOf), Is.EquivalentTo(new[] { done, refused, fine }), "every due task was tried in the pass");
            Assert.That(chain.Sent.Select(TaskOf), Is.EqualTo(new[] { fine }));
            Assert.That(logs.Lines.Where(l => l.EventId == 1311).Select(l => (l.Level, l.Message)), Has.Exactly(1).Matches<(LogLevel Level, string Message)>(
                l => l.Level == LogLevel.Debug && l.Message.Contains("TaskWrongStatus") && l.Message.Contains(done.Key)));
            Assert.That(logs.Lines.Where(l => l.EventId == 1312).Select(l => (l.Level, l.Message)), Has.Exactly(1).Matches<(LogLevel Level, string Message)>(
                l => l.Level == LogLevel.Warning && l.Message.Contains("Custom") && l.Message.Contains(refused.Key)));
        });
    }

    [Test]
    public async Task ABatchTooLargeForOneTransaction_IsSplitUntilItFits()
    {
        var chain = new ScriptedChain(Now);
        PublicKey task = chain.AddTask(VerifyingTask(committeeSize: 3));
        for (int i = 0; i < 5; i++)
        {
            chain.AddAgent(1_000 + (ulong)i);
        }

        // At most the compute-budget instruction and one draw fit: a batch of three is split 1 + 2, then the 2 into 1 + 1.
        chain.Answer = instructions => instructions.Count > 2 ? new TransactionTooLargeException(1_300) : null;
        (SolanaKeeperService service, KeeperHostTests.LogSink logs, _) = Create(chain);

        int sent = await service.RunPassAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(3));
            Assert.That(chain.Sent.Count(s => s.Count == 2), Is.EqualTo(3), "three transactions of one draw each were confirmed");
            Assert.That(logs.Lines.Count(l => l.EventId == 1313), Is.EqualTo(2), "two splits");
            Assert.That(logs.Lines.Where(l => l.Level >= LogLevel.Warning), Is.Empty);
            Assert.That(chain.Sent.Where(s => s.Count == 2).Select(s => s[1].Keys[6].PublicKey).Distinct().Count(), Is.EqualTo(3), "three different candidates");
            Assert.That(chain.Sent.All(s => TaskOf(s) == task));
        });
    }

    private (SolanaKeeperService Service, KeeperHostTests.LogSink Logs, ServiceProvider Provider) Create(ScriptedChain chain)
    {
        var logs = new KeeperHostTests.LogSink();
        ServiceProvider provider = new ServiceCollection().AddMetrics().AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)).BuildServiceProvider();
        var options = Options.Create(new SolanaKeeperOptions
        {
            RpcUrl = "http://127.0.0.1:1", DeploymentPath = Path.Combine(_dir, "deployment.json"), KeypairPath = Path.Combine(_dir, "keeper.json"),
        });
        var service = new SolanaKeeperService(options, chain, new SolanaKeeperMetrics(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            provider.GetRequiredService<ILogger<SolanaKeeperService>>());
        return (service, logs, provider);
    }

    private Exception Refuse(IReadOnlyList<TransactionInstruction> instructions, AgentClusterProgramError error) =>
        new SolanaTransactionRefusedException($"refused: {{\"InstructionError\":[1,{{\"Custom\":{(uint)error}}}]}}", 1, (uint)error, _program);

    private static PublicKey? TaskOf(IReadOnlyList<TransactionInstruction> instructions) =>
        instructions.LastOrDefault(i => i.Keys.Count > 1 && i.Data.Length > 0 && i.Data[0] != 2)?.Keys[1].PublicKey;

    // ---- raw account bytes at the program's offsets (include/agentcluster/market.h, state.h; tests/solana/program.mjs readTask/readAgent) ----

    private static byte[] BiddingTask(ulong id)
    {
        byte[] d = NewTask(3);
        d[4] = (byte)AgentCluster.Solana.Programs.TaskStatus.Bidding;
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(240), id);
        BinaryPrimitives.WriteInt64LittleEndian(d.AsSpan(320), Now - 1); // bidding ended
        return d;
    }

    private static byte[] VerifyingTask(byte committeeSize)
    {
        byte[] d = NewTask(committeeSize);
        d[4] = (byte)AgentCluster.Solana.Programs.TaskStatus.Verifying;
        Account.Generate().PublicKey.KeyBytes.CopyTo(d, 48); // executor
        Enumerable.Range(0, 32).Select(i => (byte)i).ToArray().CopyTo(d, 208); // seed
        BinaryPrimitives.WriteInt64LittleEndian(d.AsSpan(336), Now - 100); // result posted
        BinaryPrimitives.WriteInt64LittleEndian(d.AsSpan(352), Now + 100); // fill phase open
        BinaryPrimitives.WriteInt64LittleEndian(d.AsSpan(360), Now + 1_900);
        return d;
    }

    private static byte[] NewTask(byte committeeSize)
    {
        byte[] d = new byte[10_216];
        d[0] = 20;
        d[5] = committeeSize;
        Account.Generate().PublicKey.KeyBytes.CopyTo(d, 16); // requester
        Account.Generate().PublicKey.KeyBytes.CopyTo(d, 112); // vault
        return d;
    }

    /// <summary>A chain that serves the accounts it was given and answers each send as <see cref="Answer"/> says (null: confirmed).</summary>
    private sealed class ScriptedChain(long now) : ISolanaKeeperChain
    {
        private readonly List<SolanaProgramAccount> _tasks = [];
        private readonly List<SolanaProgramAccount> _agents = [];

        public Func<IReadOnlyList<TransactionInstruction>, Exception?> Answer { get; set; } = _ => null;

        public ConcurrentQueue<IReadOnlyList<TransactionInstruction>> Sent { get; } = new();

        public ConcurrentQueue<IReadOnlyList<TransactionInstruction>> Attempts { get; } = new();

        public PublicKey AddTask(byte[] data)
        {
            PublicKey address = Account.Generate().PublicKey;
            _tasks.Add(new SolanaProgramAccount(address, data));
            return address;
        }

        public void AddAgent(ulong stake)
        {
            byte[] d = new byte[216];
            d[0] = 2;
            d[3] = (byte)AgentStatus.Active;
            Account.Generate().PublicKey.KeyBytes.CopyTo(d, 8); // owner
            PublicKey key = Account.Generate().PublicKey;
            key.KeyBytes.CopyTo(d, 40);
            BinaryPrimitives.WriteInt64LittleEndian(d.AsSpan(96), now + 86_400); // attested until
            BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(112), stake);
            BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(148), 1); // one stake point
            BinaryPrimitives.WriteInt64LittleEndian(d.AsSpan(200), now - 10_000);
            BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(208), stake);
            _agents.Add(new SolanaProgramAccount(Account.Generate().PublicKey, d));
        }

        public Task<SolanaChainTime> GetChainTimeAsync(CancellationToken cancellationToken) => Task.FromResult(new SolanaChainTime(1_000, now, 999));

        public Task<IReadOnlyList<SolanaProgramAccount>> GetProgramAccountsAsync(PublicKey program, byte discriminator, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SolanaProgramAccount>>(discriminator == 20 ? _tasks : _agents);

        public Task<IReadOnlyList<bool>> AccountsExistAsync(IReadOnlyList<PublicKey> addresses, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<bool>>(addresses.Select(_ => true).ToArray());

        public Task<ulong> GetBalanceAsync(PublicKey address, CancellationToken cancellationToken) => Task.FromResult(1_000_000_000UL);

        public Task<ulong> GetSlotAsync(CancellationToken cancellationToken) => Task.FromResult(1_000UL);

        public Task<SolanaSentTransaction> SendAsync(IReadOnlyList<TransactionInstruction> instructions, Account signer, CancellationToken cancellationToken)
        {
            Attempts.Enqueue(instructions);
            if (Answer(instructions) is { } fault)
            {
                return Task.FromException<SolanaSentTransaction>(fault);
            }

            Sent.Enqueue(instructions);
            return Task.FromResult(new SolanaSentTransaction("sig" + Sent.Count, 1_000));
        }
    }
}
