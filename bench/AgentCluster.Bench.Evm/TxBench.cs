using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AgentCluster.Evm;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Bench.Evm;

/// <summary>
/// Transactions per second, signed locally and sent to anvil: ETH transfers of 1 wei, type 2, fixed gas and fees, nonces counted
/// locally, sent with <see cref="EthRpcClient.SendRawTransactionAsync(SignedTransaction, CancellationToken)"/>, pipelined: transaction n+1
/// is signed while n is in flight. Sequential (one sender, one send in flight) and 16 in flight (16 senders, one send in flight each). Every measurement runs on a fresh anvil
/// (loopback, killed after), after a 50-transaction warm-up from another key, and stops the clock only once every transaction is
/// mined (each sender's nonce reached); receipts are then checked. anvil 1.7.1 can leave transactions queued under load: a run
/// where some never get mined is reported on stderr and repeated on a fresh anvil, at most three times. The figure is the best of
/// <c>--tx-runs</c> measurements. Same inputs and procedure as bench/evm/tx.mjs.
/// </summary>
internal static class TxBench
{
    public const int InFlight = 16;
    public const int WarmUp = 50;
    private static readonly Address Recipient = Address.Parse("0x000000000000000000000000000000000000bEEF");
    private static readonly TimeSpan MineBound = TimeSpan.FromSeconds(30);

    /// <summary>The best of <paramref name="runs"/> measurements, each on its own fresh anvil (the least disturbed, as in the harness).</summary>
    public static double Measure(int count, int inFlight, int runs) => Enumerable.Range(0, runs).Max(_ => MeasureOnce(count, inFlight));

    private static double MeasureOnce(int count, int inFlight)
    {
        for (int attempt = 1; ; attempt++)
        {
            using var anvil = Anvil.Start();
            var client = new EthRpcClient(anvil.Url, new EthRpcClientOptions { MaxRetryAttempts = 0 });
            try
            {
                return RunAsync(client, count, inFlight).GetAwaiter().GetResult();
            }
            catch (NotMinedException e) when (attempt < 3)
            {
                Console.Error.WriteLine($"bench: {e.Message}; repeating on a fresh anvil (attempt {attempt + 1} of 3)");
            }
        }
    }

    /// <summary>keccak256("agentcluster-bench-sender-i") for the senders, keccak256("agentcluster-bench-warmup") for the warm-up.</summary>
    public static EthECKey Key(string label) => new(Keccak.HashUtf8(label).ToArray());

    private static async Task<double> RunAsync(EthRpcClient client, int count, int inFlight)
    {
        ulong chainId = await client.GetChainIdAsync();
        EthECKey warmUp = Key("agentcluster-bench-warmup");
        EthECKey[] senders = Enumerable.Range(0, inFlight).Select(i => Key($"agentcluster-bench-sender-{i}")).ToArray();
        await client.SendBatchAsync([.. senders.Append(warmUp).Select(k => new RpcRequest("anvil_setBalance", k.Address.ToLowerHex(), "0x3635c9adc5dea00000"))]);

        var warm = new Sender(client, chainId, warmUp);
        await warm.SendAsync(WarmUp);
        await WaitMinedAsync(client, [warm]);

        var workers = senders.Select(k => new Sender(client, chainId, k)).ToArray();
        int[] shares = Enumerable.Range(0, inFlight).Select(i => count / inFlight + (i < count % inFlight ? 1 : 0)).ToArray();
        long start = Stopwatch.GetTimestamp();
        await Task.WhenAll(workers.Select((w, i) => w.SendAsync(shares[i])));
        await WaitMinedAsync(client, workers);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await CheckReceiptsAsync(client, workers.SelectMany(w => w.Hashes).ToArray(), count);
        return count / seconds;
    }

    private static async Task WaitMinedAsync(EthRpcClient client, Sender[] senders)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var responses = await client.SendBatchAsync([.. senders.Select(s => new RpcRequest("eth_getTransactionCount", s.Key.Address.ToLowerHex(), "latest"))]);
            ulong[] mined = responses.Select(r => RpcJson.Quantity(r.GetResult())).ToArray();
            if (senders.Select((s, i) => mined[i] >= s.NextNonce).All(done => done))
            {
                return;
            }

            if (deadline.Elapsed > MineBound)
            {
                ulong missing = senders.Select((s, i) => s.NextNonce - Math.Min(mined[i], s.NextNonce)).Aggregate(0UL, (a, b) => a + b);
                throw new NotMinedException($"{missing} of {senders.Sum(s => (long)s.NextNonce)} transactions not mined after {MineBound.TotalSeconds:F0} s (anvil left them queued)");
            }

            await Task.Delay(1);
        }
    }

    private static async Task CheckReceiptsAsync(EthRpcClient client, Hash32[] hashes, int expected)
    {
        if (hashes.Length != expected)
        {
            throw new InvalidOperationException($"bench: sent {hashes.Length} transactions, expected {expected}");
        }

        var receipts = await client.SendBatchAsync([.. hashes.Select(h => new RpcRequest("eth_getTransactionReceipt", h.ToString()))]);
        int ok = receipts.Count(r => r.GetResult() is { ValueKind: JsonValueKind.Object } receipt && RpcJson.ToReceipt(receipt).Succeeded);
        if (ok != expected)
        {
            throw new InvalidOperationException($"bench: only {ok} of {expected} transactions have a successful receipt");
        }
    }

    /// <summary>
    /// One account's transactions, pipelined as a real client would: transaction n+1 is signed while n is in flight, so a send goes
    /// out as soon as the previous reply arrives (one send awaited at a time, one signed transaction queued ahead).
    /// </summary>
    private sealed class Sender(EthRpcClient client, ulong chainId, EthECKey key)
    {
        public EthECKey Key { get; } = key;

        public ulong NextNonce { get; private set; }

        public List<Hash32> Hashes { get; } = [];

        public async Task SendAsync(int count)
        {
            SignedTransaction? next = count > 0 ? SignNext() : null;
            for (int n = 0; n < count; n++)
            {
                Task<Hash32> sending = client.SendRawTransactionAsync(next!);
                next = n + 1 < count ? SignNext() : null;
                Hashes.Add(await sending.ConfigureAwait(false));
            }
        }

        private SignedTransaction SignNext()
        {
            var tx = new Eip1559Transaction
            {
                ChainId = chainId, Nonce = NextNonce, GasLimit = 21_000, MaxFeePerGas = 100_000_000_000UL, MaxPriorityFeePerGas = 1_000_000_000UL,
                To = Recipient, Value = 1,
            };
            NextNonce++;
            return tx.Sign(Key);
        }
    }

    private sealed class NotMinedException(string message) : Exception(message);

    /// <summary>anvil on a free loopback port, output discarded, killed on dispose.</summary>
    private sealed class Anvil : IDisposable
    {
        private readonly Process _process;

        private Anvil(Process process, Uri url)
        {
            _process = process;
            Url = url;
        }

        public Uri Url { get; }

        public static Anvil Start()
        {
            string executable = Environment.GetEnvironmentVariable("ANVIL") is { Length: > 0 } env ? env : Path.GetFullPath("node_modules/.bin/anvil");
            int port = FreePort();
            var info = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (string arg in new[] { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet" })
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException($"bench: could not start {executable}");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var anvil = new Anvil(process, new Uri($"http://127.0.0.1:{port}/"));
            var client = new EthRpcClient(anvil.Url, new EthRpcClientOptions { MaxRetryAttempts = 0, AttemptTimeout = TimeSpan.FromSeconds(2) });
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    client.GetChainIdAsync().GetAwaiter().GetResult();
                    return anvil;
                }
                catch (Exception e) when (e is HttpRequestException or RpcTransportException or TimeoutException or OperationCanceledException)
                {
                    if (waited.Elapsed > TimeSpan.FromSeconds(20) || process.HasExited)
                    {
                        anvil.Dispose();
                        throw new InvalidOperationException($"bench: anvil ({executable}) did not answer on port {port} within 20 s", e);
                    }

                    Thread.Sleep(50);
                }
            }
        }

        public void Dispose()
        {
            try
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
