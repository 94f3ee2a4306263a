using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AgentCluster.Solana;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Messages;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Rpc;
using AgentCluster.Testing.Solana;

namespace AgentCluster.Keepers.Tests.Solana;

/// <summary>An agent made for a test: its owner, its key, its agent account and the stake it was given.</summary>
internal sealed record SolanaTestAgent(Account Owner, Account AgentKey, PublicKey Agent, ulong Stake);

/// <summary>A task submitted in a test.</summary>
internal sealed record SolanaTestTask(Account Requester, ulong Id, PublicKey Task, PublicKey Vault, byte CommitteeSize);

/// <summary>
/// A Solana localnet (the real server process) with an approved attestor, and the agents' and requesters' side of the market done
/// through the bindings directly (register, attest, stake, submit, bid, post, commit, reveal): everything but the keeper's work.
/// Shared by the keeper tests and the Solana end-to-end test.
/// </summary>
internal sealed class SolanaMarketWorld : IAsyncDisposable
{
    public const ulong Acc = 1_000_000_000UL; // 9 decimals
    public const ulong Sol = 1_000_000_000UL;
    private ulong _nonce;
    private ulong _ids;

    private SolanaMarketWorld(SolanaLocalnet localnet, SolanaRpcClient rpc, Account authority, Account attestor, Account funder)
    {
        Localnet = localnet;
        Rpc = rpc;
        Authority = authority;
        Attestor = attestor;
        Funder = funder;
    }

    public SolanaLocalnet Localnet { get; }

    /// <summary>Every transaction this world sent (for the compute-unit table).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Signatures { get; } = new();

    public SolanaRpcClient Rpc { get; }

    public Account Authority { get; }

    public Account Attestor { get; }

    /// <summary>Pays the fees of transactions signed by agent keys.</summary>
    public Account Funder { get; }

    public PublicKey Program => Localnet.ProgramId;

    public PublicKey Mint => Localnet.Mint;

    /// <summary>The deployment file the keeper reads (solana-localnet.json).</summary>
    public string DeploymentPath => Path.Combine(Localnet.Directory, "solana-localnet.json");

    public static async Task<SolanaMarketWorld> StartAsync()
    {
        SolanaLocalnet localnet = await SolanaLocalnet.StartAsync();
        try
        {
            SolanaRpcClient rpc = localnet.CreateClient();
            Account authority = KeypairFile.Read(localnet.AuthorityKeypairPath);
            var world = new SolanaMarketWorld(localnet, rpc, authority, Account.Generate(), Account.Generate());
            await world.AirdropAsync(world.Funder.PublicKey, 1_000 * Sol);
            await world.SendAsync(authority, [AgentClusterProgram.SetAttestor(world.Program, authority.PublicKey,
                AgentClusterProgram.AttestorAddress(world.Program, world.Attestor.PublicKey), world.Attestor.PublicKey, true)]);
            return world;
        }
        catch
        {
            await localnet.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Rpc.Dispose();
        await Localnet.DisposeAsync();
    }

    /// <summary>A keypair file for <paramref name="account"/> in the localnet's directory (the keeper's KeypairPath).</summary>
    public string WriteKeypair(Account account, string name)
    {
        string path = Path.Combine(Localnet.Directory, name + ".json");
        KeypairFile.Write(path, account, overwrite: true);
        return path;
    }

    public async Task AirdropAsync(PublicKey to, ulong lamports)
    {
        string signature = await Rpc.RequestAirdropAsync(to, lamports, Commitment.Confirmed);
        await Rpc.ConfirmTransactionAsync(signature, Commitment.Confirmed, TimeSpan.FromSeconds(30));
    }

    /// <summary>An account with SOL and, when <paramref name="acc"/> is not 0, that much ACC in its associated token account.</summary>
    public async Task<Account> NewFundedAsync(ulong acc = 0, ulong lamports = 10 * Sol)
    {
        Account account = Account.Generate();
        await AirdropAsync(account.PublicKey, lamports);
        if (acc > 0)
        {
            await Rpc.FundAccAsync(account.PublicKey, acc);
        }

        return account;
    }

    public PublicKey AtaOf(PublicKey owner) => AssociatedTokenAccountProgram.DeriveAssociatedTokenAccount(owner, Mint);

    /// <summary>A registered agent; attested for 29 days and staked <paramref name="stake"/> unless told otherwise.</summary>
    public async Task<SolanaTestAgent> NewAgentAsync(ulong stake = 1_000 * Acc, bool attest = true, bool openReputation = false, Account? owner = null)
    {
        owner ??= await NewFundedAsync(20_000 * Acc + stake);
        Account agentKey = Account.Generate();
        PublicKey agent = AgentClusterProgram.AgentAddress(Program, agentKey.PublicKey);
        await SendAsync(owner, [AgentClusterProgram.RegisterAgent(Program, owner.PublicKey, agentKey.PublicKey, agent, AtaOf(owner.PublicKey), 0)], agentKey);
        if (attest)
        {
            await AttestAsync(agentKey.PublicKey, agent, await NowAsync() + 29 * 86_400);
        }

        if (stake > 0)
        {
            await SendAsync(owner, [AgentClusterProgram.Stake(Program, owner.PublicKey, agent, AtaOf(owner.PublicKey), stake)]);
        }

        if (openReputation)
        {
            await SendAsync(Funder, [AgentClusterProgram.OpenReputation(Program, Funder.PublicKey, agent, AgentClusterProgram.ReputationAddress(Program, agentKey.PublicKey))]);
        }

        return new SolanaTestAgent(owner, agentKey, agent, stake);
    }

    /// <summary>The attestor's Ed25519-signed attestation (the native program's instruction, then attest), as an attestor posts it.</summary>
    public async Task AttestAsync(PublicKey agentKey, PublicKey agent, long expiresAt)
    {
        byte[] measurement = Enumerable.Repeat((byte)0xab, 32).ToArray();
        const uint cpu = 16, gpu = 81_920, tps = 1_200;
        ulong nonce = ++_nonce;
        var message = new List<byte>();
        message.AddRange(Encoding.ASCII.GetBytes("ACATTEST"));
        message.AddRange(Program.KeyBytes);
        message.AddRange(agentKey.KeyBytes);
        message.AddRange(measurement);
        message.AddRange(U32(cpu));
        message.AddRange(U32(gpu));
        message.AddRange(U32(tps));
        message.AddRange(U32(0));
        message.AddRange(I64(expiresAt));
        message.AddRange(U64(nonce));
        byte[] signature = Attestor.Sign(message.ToArray());
        await SendAsync(Funder,
        [
            Ed25519Program.VerifySignature(Attestor.PublicKey, [.. message], signature),
            AgentClusterProgram.Attest(Program, agent, AgentClusterProgram.AttestorAddress(Program, Attestor.PublicKey), measurement, cpu, gpu, tps, expiresAt, nonce),
        ]);
    }

    /// <summary>The market's minimum fee for a committee of <paramref name="size"/> (docs/solana-program.md: max(2% of the bounty, every unit of keeper work + 1)).</summary>
    public static ulong MinimumFee(byte size, ulong bounty, ulong keeperReward = Acc) => Math.Max((3UL * size + 4) * keeperReward + 1, bounty * 200 / 10_000);

    public async Task<SolanaTestTask> SubmitTaskAsync(Account requester, byte committeeSize, ulong bounty = 1_000 * Acc, long? deadline = null)
    {
        ulong id = ++_ids;
        PublicKey task = AgentClusterProgram.TaskAddress(Program, requester.PublicKey, id);
        PublicKey vault = AgentClusterProgram.TaskVaultAddress(Program, task);
        await SendAsync(requester,
        [
            AgentClusterProgram.SubmitTask(Program, requester.PublicKey, task, vault, AtaOf(requester.PublicKey), id, bounty, MinimumFee(committeeSize, bounty),
                Enumerable.Repeat((byte)0x42, 32).ToArray(), 0, deadline ?? await NowAsync() + 2 * 86_400, committeeSize),
        ]);
        return new SolanaTestTask(requester, id, task, vault, committeeSize);
    }

    public Task BidAsync(SolanaTestAgent agent, SolanaTestTask task, ulong price) =>
        SendAsync(Funder, [AgentClusterProgram.Bid(Program, agent.AgentKey.PublicKey, agent.Agent, task.Task, price)], agent.AgentKey);

    public Task PostResultAsync(SolanaTestAgent executor, SolanaTestTask task, byte[] result) =>
        SendAsync(Funder, [AgentClusterProgram.PostResult(Program, executor.AgentKey.PublicKey, task.Task, result)], executor.AgentKey);

    /// <summary>sha256("ACVOTE", task, agent key, vote, salt): what a member commits.</summary>
    public static byte[] VoteCommitment(PublicKey task, PublicKey agentKey, bool approve, byte[] salt) =>
        SHA256.HashData([.. Encoding.ASCII.GetBytes("ACVOTE"), .. task.KeyBytes, .. agentKey.KeyBytes, approve ? (byte)1 : (byte)0, .. salt]);

    public Task CommitAsync(SolanaTestAgent member, SolanaTestTask task, int seat, bool approve, byte[] salt) =>
        SendAsync(Funder, [AgentClusterProgram.CommitVote(Program, member.AgentKey.PublicKey, task.Task, (byte)seat,
            VoteCommitment(task.Task, member.AgentKey.PublicKey, approve, salt))], member.AgentKey);

    public Task RevealAsync(SolanaTestTask task, int seat, bool approve, byte[] salt) =>
        SendAsync(Funder, [AgentClusterProgram.RevealVote(Program, task.Task, (byte)seat, approve, salt)]);

    /// <summary>The requester or the executor's owner pulls what the task owes it into its associated token account.</summary>
    public Task ClaimPayoutAsync(Account payee, SolanaTestTask task) =>
        SendAsync(payee, [AgentClusterProgram.ClaimPayout(Program, payee.PublicKey, task.Task, task.Vault, AtaOf(payee.PublicKey))]);

    public async Task<TaskAccount> ReadTaskAsync(PublicKey task) =>
        TaskAccount.Decode((await Rpc.GetAccountInfoAsync(task, Commitment.Confirmed)).Value?.Data ?? throw new InvalidOperationException($"no task at {task}"));

    public async Task<AgentAccount> ReadAgentAsync(PublicKey agent) =>
        AgentAccount.Decode((await Rpc.GetAccountInfoAsync(agent, Commitment.Confirmed)).Value?.Data ?? throw new InvalidOperationException($"no agent at {agent}"));

    /// <summary>The ACC in <paramref name="owner"/>'s associated token account (0 when it has none).</summary>
    public async Task<ulong> AccOfAsync(PublicKey owner)
    {
        AccountInfo? account = (await Rpc.GetAccountInfoAsync(AtaOf(owner), Commitment.Confirmed)).Value;
        return account is null ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(account.Data.AsSpan(64, 8));
    }

    /// <summary>The chain's Clock unix time (the program's now).</summary>
    public async Task<long> NowAsync()
    {
        AccountInfo clock = (await Rpc.GetAccountInfoAsync(new PublicKey("SysvarC1ock11111111111111111111111111111111"), Commitment.Confirmed)).Value!;
        return BinaryPrimitives.ReadInt64LittleEndian(clock.Data.AsSpan(32, 8));
    }

    public Task WarpAsync(ulong seconds) => Rpc.WarpTimeAsync(seconds);

    /// <summary>Sends one transaction paid by <paramref name="feePayer"/> and signed by it and <paramref name="signers"/>; waits for its confirmation; throws when it fails.</summary>
    public async Task<string> SendAsync(Account feePayer, IReadOnlyList<TransactionInstruction> instructions, params Account[] signers)
    {
        string blockhash = (await Rpc.GetLatestBlockhashAsync(Commitment.Confirmed)).Value.Blockhash;
        byte[] wire = new TransactionBuilder().SetFeePayer(feePayer).SetRecentBlockHash(blockhash).AddInstructions(instructions)
            .Build([feePayer, .. signers.Where(s => s.PublicKey != feePayer.PublicKey)]);
        string signature = await Rpc.SendTransactionAsync(wire, false, Commitment.Confirmed);
        SignatureStatus status = await Rpc.ConfirmTransactionAsync(signature, Commitment.Confirmed, TimeSpan.FromSeconds(30));
        if (status.Error is not null)
        {
            throw new InvalidOperationException($"Transaction {signature} failed: {status.Error.Json}");
        }

        Signatures.Enqueue(signature);
        return signature;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails the test after <paramref name="timeout"/>, naming <paramref name="what"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        DateTime until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    private static byte[] U32(uint v)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    private static byte[] U64(ulong v)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }

    private static byte[] I64(long v)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        return b;
    }
}
