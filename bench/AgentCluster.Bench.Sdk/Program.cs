// SDK overhead bench (`scripts/bench sdk`, through bench/sdk/run.sh). Starts an anvil with the whole suite deployed
// (AgentCluster.Testing's AgentClusterSuite), registers one agent through the SDK, then measures in this one process, interleaved
// round by round (the side that goes first alternates), the same operation through the SDK and through plain Nethereum:
//   read: client.Staking.GetStakeAsync(agentId)  vs  Web3.Eth.GetContractQueryHandler<StakeOfFunction>().QueryAsync (eth_call)
//         (the SDK validates the id and reads statusOf first, so that an unknown agent is an UnknownAgentException: 2 eth_calls)
//   send: an ACC transfer of 1 wei through the SDK client (client.Contracts.Token: its durable transaction manager, typed
//         reverts)  vs  Web3.Eth.GetContractTransactionHandler<TransferFunction>().SendRequestAndWaitForReceiptAsync (Nethereum's
//         own transaction manager and a plain Account), each waiting for its receipt (anvil automines). Neither account delegates,
//         so the gas of a transfer does not depend on the block (a delegate's does: ERC20Votes pushes a checkpoint when the block's
//         timestamp is new, which an estimate made in the same second does not see, and the transaction then runs out of gas).
// Prints plain lines: read.sdk <ops/s>, read.nethereum <ops/s>, read.ratio <x>, send.sdk, send.nethereum, send.ratio, where
// ratio = SDK time per operation / Nethereum time per operation (1.00 = no overhead); the SDK client polls for receipts every
// 10 ms (TransactionPollInterval); then send.sdk_default_poll: a few SDK sends with the default 1 s poll interval. Bounded: --rounds rounds of --read-ops
// reads and --send-ops sends per side, after --warmup-reads / --warmup-sends of each.
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk;
using AgentCluster.Testing;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using TransferFunction = AgentCluster.Evm.Bindings.AccToken.ContractDefinition.TransferFunction;
using StakeOfFunction = AgentCluster.Evm.Bindings.Staking.ContractDefinition.StakeOfFunction;

var o = Options.Parse(args);
// Testcontainers logs to the console's stdout: everything but the figures goes to stderr.
TextWriter figures = Console.Out;
Console.SetOut(Console.Error);
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
CancellationToken ct = timeout.Token;
Console.Error.WriteLine($"# sdk bench: rounds={o.Rounds} read_ops={o.ReadOps} send_ops={o.SendOps} warmup_reads={o.WarmupReads} warmup_sends={o.WarmupSends} cpus={Environment.ProcessorCount}");

await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync(ct: ct);
string journals = Directory.CreateTempSubdirectory("agentcluster-bench-sdk-").FullName;
try
{
    string url = suite.Node.RpcUrl.ToString();
    BigInteger acc = BigInteger.Pow(10, 18);
    await suite.ReleaseEmissionsAsync(TimeSpan.FromDays(1), ct);
    await suite.FundAsync(AnvilAccounts.Addresses[1], 20_000 * acc, ct);
    await suite.FundAsync(AnvilAccounts.Addresses[2], 20_000 * acc, ct);
    await suite.FundAsync(AnvilAccounts.Addresses[5], 1_000 * acc, ct);

    // The SDK side: the way an agent developer connects (RPC URL + account: resilient RPC client, durable transaction manager).
    // Its transaction manager looks for receipts every TransactionPollInterval (default 1 s): on anvil, which mines at once,
    // that wait is the whole cost of a send, so the figures below use 10 ms, and send.sdk_default_poll gives the default's.
    await using AgentClusterClient client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
    {
        RpcUrl = url, Manifest = suite.Manifest, Account = new Account(AnvilAccounts.PrivateKeys[1], suite.Node.ChainId),
        JournalPath = Path.Combine(journals, "sdk.db"), TransactionPollInterval = TimeSpan.FromMilliseconds(10),
    }, cancellationToken: ct);
    await using AgentClusterClient defaultPoll = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
    {
        RpcUrl = url, Manifest = suite.Manifest, Account = new Account(AnvilAccounts.PrivateKeys[5], suite.Node.ChainId),
        JournalPath = Path.Combine(journals, "sdk-default.db"),
    }, cancellationToken: ct);
    var agentKey = new Secp256k1Signer(Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(31)).PadLeft(64, '1'));
    BigInteger agentId = (await client.Agents.RegisterAsync(agentKey, "ipfs://bench-agent", 0b1, new byte[32], ct)).AgentId;

    // The Nethereum side: a plain Web3 over Nethereum's own RPC client, a plain Account for sends.
    var plainRead = new Web3(url);
    var plainSend = new Web3(new Account(AnvilAccounts.PrivateKeys[2], suite.Node.ChainId), url);
    string staking = suite.Manifest.AddressOf("Staking");
    string token = suite.Manifest.AddressOf("AccToken");
    var stakeQuery = plainRead.Eth.GetContractQueryHandler<StakeOfFunction>();
    var transferHandler = plainSend.Eth.GetContractTransactionHandler<TransferFunction>();
    string[] recipients = [AnvilAccounts.Addresses[3], AnvilAccounts.Addresses[4]];

    BigInteger sdkStake = await client.Staking.GetStakeAsync(agentId, ct);
    BigInteger rawStake = await stakeQuery.QueryAsync<BigInteger>(staking, new StakeOfFunction { AgentId = agentId });
    if (sdkStake != rawStake)
    {
        throw new InvalidOperationException($"The two reads disagree: {sdkStake} and {rawStake}.");
    }

    int sdkSends = 0, rawSends = 0;
    async Task SdkRead() => await client.Staking.GetStakeAsync(agentId, ct);
    async Task RawRead() => await stakeQuery.QueryAsync<BigInteger>(staking, new StakeOfFunction { AgentId = agentId });
    async Task SdkSend()
    {
        var r = await client.Contracts.Token.TransferRequestAndWaitForReceiptAsync(recipients[sdkSends++ % 2], 1, ct);
        Require(r.Status.Value == 1, "SDK transfer");
    }

    async Task RawSend()
    {
        var message = new TransferFunction { To = recipients[rawSends++ % 2], Value = 1 };
        var r = await transferHandler.SendRequestAndWaitForReceiptAsync(token, message, ct);
        Require(r.Status.Value == 1, $"Nethereum transfer (status {r.Status?.Value}, gas used {r.GasUsed?.Value}, tx {r.TransactionHash})");
    }

    (double sdk, double raw) read = await MeasureAsync("read", SdkRead, RawRead, o.WarmupReads, o.ReadOps, o.Rounds);
    (double sdk, double raw) send = await MeasureAsync("send", SdkSend, RawSend, o.WarmupSends, o.SendOps, o.Rounds);
    Print(figures, "read", read);
    Print(figures, "send", send);

    // The default poll interval, not interleaved (it is bounded by the interval, not by the SDK's work): a few sends.
    var sw = Stopwatch.StartNew();
    int defaultSends = Math.Min(o.SendOps, 5);
    for (int i = 0; i < defaultSends; i++)
    {
        Require((await defaultPoll.Contracts.Token.TransferRequestAndWaitForReceiptAsync(recipients[i % 2], 1, ct)).Status.Value == 1, "SDK transfer (default poll)");
    }

    figures.WriteLine($"send.sdk_default_poll {(defaultSends / sw.Elapsed.TotalSeconds).ToString("F1", CultureInfo.InvariantCulture)}");
}
finally
{
    Directory.Delete(journals, recursive: true);
}

static void Print(TextWriter figures, string what, (double Sdk, double Raw) opsPerSecond)
{
    figures.WriteLine($"{what}.sdk {opsPerSecond.Sdk.ToString("F1", CultureInfo.InvariantCulture)}");
    figures.WriteLine($"{what}.nethereum {opsPerSecond.Raw.ToString("F1", CultureInfo.InvariantCulture)}");
    figures.WriteLine($"{what}.ratio {(opsPerSecond.Raw / opsPerSecond.Sdk).ToString("F2", CultureInfo.InvariantCulture)}");
}

// Interleaved: each round runs both sides, alternating which goes first; returns ops/s of each over all rounds.
static async Task<(double Sdk, double Raw)> MeasureAsync(string what, Func<Task> sdk, Func<Task> raw, int warmup, int ops, int rounds)
{
    for (int i = 0; i < warmup; i++)
    {
        await sdk();
        await raw();
    }

    TimeSpan sdkTime = TimeSpan.Zero, rawTime = TimeSpan.Zero;
    for (int round = 0; round < rounds; round++)
    {
        foreach (bool sdkSide in round % 2 == 0 ? new[] { true, false } : [false, true])
        {
            Func<Task> op = sdkSide ? sdk : raw;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < ops; i++)
            {
                await op();
            }

            if (sdkSide)
            {
                sdkTime += sw.Elapsed;
            }
            else
            {
                rawTime += sw.Elapsed;
            }
        }

        Console.Error.WriteLine($"# {what} round {round + 1}/{rounds}: sdk {sdkTime.TotalSeconds:F2}s nethereum {rawTime.TotalSeconds:F2}s so far");
    }

    int total = ops * rounds;
    return (total / sdkTime.TotalSeconds, total / rawTime.TotalSeconds);
}

static void Require(bool ok, string what)
{
    if (!ok)
    {
        throw new InvalidOperationException($"{what} failed.");
    }
}

internal sealed record Options(int Rounds, int ReadOps, int SendOps, int WarmupReads, int WarmupSends)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(Rounds: 6, ReadOps: 200, SendOps: 25, WarmupReads: 100, WarmupSends: 10);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            int value = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 && v <= 1_000_000
                ? v
                : throw new ArgumentException($"{name} needs a positive integer up to 1000000.");
            i++;
            o = name switch
            {
                "--rounds" => o with { Rounds = value },
                "--read-ops" => o with { ReadOps = value },
                "--send-ops" => o with { SendOps = value },
                "--warmup-reads" => o with { WarmupReads = value },
                "--warmup-sends" => o with { WarmupSends = value },
                _ => throw new ArgumentException($"Unknown option {name} (--rounds --read-ops --send-ops --warmup-reads --warmup-sends)."),
            };
        }

        return o;
    }
}
