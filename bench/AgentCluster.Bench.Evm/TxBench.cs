using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Numerics;
using System.Text;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Signing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.Model;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Eth.Transactions;
using Nethereum.Signer;
using Nethereum.Util;
using Nethereum.Web3;

namespace AgentCluster.Bench.Evm;

/// <summary>
/// Transactions per second sent to anvil, ours beside anvil's own ceiling, both measured in this process against the same anvil.
/// <para>
/// Ours: ETH transfers of 1 wei, type 2, fixed gas and fees, nonces counted locally, each a Nethereum <see cref="Transaction1559"/>
/// signed with <see cref="Secp256k1Signer"/> (the durable transaction manager's signer, NBitcoin.Secp256k1)
/// inside the timed loop and sent with <c>web3.Eth.Transactions.SendRawTransaction.SendRequestAsync</c> on the project's resilient RPC client
/// (<see cref="AgentClusterRpc.CreateClient"/>, default options), pipelined: transaction n+1 is signed right after n is handed to Nethereum, while n is in flight. The ceiling:
/// the byte-identical transactions, signed before the clock starts, posted as ready-made <c>eth_sendRawTransaction</c> bodies by a bare
/// <see cref="HttpClient"/> on its own default <see cref="SocketsHttpHandler"/> (the factory's innermost handler). Sequential = one sender, each send
/// awaited; 16 in flight = 16 senders, one awaited send each.
/// </para>
/// <para>
/// One anvil per metric. Every measurement (either side) starts with <c>anvil_reset</c> (back to genesis, pool emptied), the same
/// <c>anvil_setBalance</c> calls, a GC, and a 50-transaction warm-up from another key through that side's own path; the clock then
/// runs until every sender's nonce shows all its transactions mined, and receipts are checked after. So each measurement starts
/// from the identical chain state and sends identical transactions. Unmeasured passes of both sides first warm up the JIT until
/// it is quiet (tier-1 code everywhere); then <c>--tx-rounds</c> rounds alternate the order (ceiling then ours, ours then ceiling,
/// ...). The figures are the medians of each side and the median of the per-round ratios. anvil 1.7.1 can leave transactions
/// queued under load: such a measurement is reported on stderr and repeated on a fresh anvil, at most three times.
/// </para>
/// <para>
/// Diagnostics: AGENTCLUSTER_BENCH_VERBOSE=1 prints every measurement with the CPU time per transaction of this process and of
/// anvil; AGENTCLUSTER_BENCH_TX_SIDES=Ceiling,Ours,OursPreSigned measures the listed sides the same way and prints their figures
/// instead of the bench lines (OursPreSigned: ours without the signing, i.e. the pre-signed transactions sent through Nethereum on
/// the project's client, which isolates the cost of the client path).
/// </para>
/// </summary>
internal static class TxBench
{
    public const int InFlight = 16;
    public const int WarmUp = 50;
    private const string Recipient = "0x000000000000000000000000000000000000bEEF";
    private static readonly BigInteger MaxFeePerGas = 100_000_000_000;
    private static readonly BigInteger MaxPriorityFeePerGas = 1_000_000_000;
    private static readonly TimeSpan MineBound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Medians over the rounds: ours, the ceiling, and the per-round ratio ours/ceiling, with the ratios' lower and upper quartiles
    /// and their range.
    /// </summary>
    public sealed record Result(double Ours, double Ceiling, double Ratio, double LowerQuartile, double UpperQuartile, double MinRatio, double MaxRatio, int Rounds);

    internal enum Side
    {
        Ours,
        Ceiling,
        OursPreSigned,
    }

    private static bool Verbose => Environment.GetEnvironmentVariable("AGENTCLUSTER_BENCH_VERBOSE") == "1";

    public static Result Measure(string metric, int count, int inFlight, int rounds)
    {
        var results = Measure(metric, count, inFlight, rounds, [Side.Ceiling, Side.Ours]);
        double[] ratios = results[Side.Ours].Zip(results[Side.Ceiling], (o, c) => o / c).ToArray();
        double[] sorted = [.. ratios.Order()];
        return new Result(
            Median(results[Side.Ours]), Median(results[Side.Ceiling]), Median(ratios), Median(sorted[..((sorted.Length + 1) / 2)]),
            Median(sorted[(sorted.Length / 2)..]), sorted[0], sorted[^1], rounds);
    }

    /// <summary>
    /// Warm-up passes over every side until the JIT is quiet, then <paramref name="rounds"/> rounds, each side once per round, the
    /// order reversed every other round. Returns each side's figures in round order.
    /// </summary>
    internal static Dictionary<Side, double[]> Measure(string metric, int count, int inFlight, int rounds, Side[] sides)
    {
        using var bench = new Bench(count, inFlight);
        WarmUpJit(metric, bench, sides);
        var results = sides.ToDictionary(s => s, _ => new double[rounds]);
        for (int round = 0; round < rounds; round++)
        {
            Side[] order = round % 2 == 0 ? sides : [.. sides.Reverse()];
            foreach (Side side in order)
            {
                results[side][round] = bench.Measure(side);
            }

            if (Verbose)
            {
                Console.Error.WriteLine($"bench: {metric} round {round + 1}: " + string.Join(" then ", order.Select(s => $"{s} {results[s][round]:F0}")));
            }
        }

        return results;
    }

    /// <summary>
    /// Unmeasured passes of every side (the same work as a measurement), each followed by a pause in which the background JIT can
    /// finish its tier-1 compilations, until a pass compiles almost nothing new (at most <see cref="MaxWarmUpPasses"/> passes).
    /// </summary>
    private static void WarmUpJit(string metric, Bench bench, Side[] sides)
    {
        for (int pass = 1; pass <= MaxWarmUpPasses; pass++)
        {
            long before = System.Runtime.JitInfo.GetCompiledMethodCount();
            foreach (Side side in sides)
            {
                bench.Measure(side);
            }

            Thread.Sleep(200);
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            if (Verbose)
            {
                Console.Error.WriteLine($"bench: {metric} warm-up pass {pass}: {compiled} methods compiled");
            }

            if (pass >= 2 && compiled <= QuietJitMethods)
            {
                return;
            }
        }
    }

    private const int MaxWarmUpPasses = 6;
    private const int QuietJitMethods = 10;

    private static double Median(IReadOnlyCollection<double> values)
    {
        double[] sorted = [.. values.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>keccak256("agentcluster-bench-sender-i") for the senders, keccak256("agentcluster-bench-warmup") for the warm-up: the 32 key bytes.</summary>
    public static byte[] Key(string label) => Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(label));

    /// <summary>
    /// The project's RPC client for the "ours" side, the production path: <see cref="AgentClusterRpc.CreateClient"/> with the default
    /// options (Nethereum's <see cref="RpcClient"/> over the Polly resilience handler on a default <see cref="SocketsHttpHandler"/>, the
    /// idempotent raw-send interceptor in its interceptor slot).
    /// </summary>
    private static IClient OursRpc(Uri url) => AgentClusterRpc.CreateClient(url);

    /// <summary>The harness's own client (resets, balances, mined and receipt checks, identical for both sides), not measured.</summary>
    private static RpcClient ControlRpc(Uri url, List<IDisposable> owned)
    {
        HttpClient http = BareClient.CreateHttpClient();
        owned.Add(http);
        return new RpcClient(url, http, null, null, null);
    }

    /// <summary>The anvil, clients and pre-signed transactions of one metric.</summary>
    private sealed class Bench : IDisposable
    {
        private readonly int _count;
        private readonly Secp256k1Signer _warmKey = new(Key("agentcluster-bench-warmup"));
        private readonly Secp256k1Signer[] _keys;
        private readonly byte[] _firstKey = Key("agentcluster-bench-sender-0");
        private readonly int[] _shares;
        private readonly List<IDisposable> _owned = [];
        private Anvil _anvil = null!;
        private BareClient _bare = null!;
        private Web3 _control = null!;
        private Web3 _ours = null!;
        private BigInteger _chainId;
        private PreSigned _warmPreSigned = null!;
        private PreSigned[] _preSigned = [];

        public Bench(int count, int inFlight)
        {
            _count = count;
            _keys = Enumerable.Range(0, inFlight).Select(i => new Secp256k1Signer(Key($"agentcluster-bench-sender-{i}"))).ToArray();
            _shares = Enumerable.Range(0, inFlight).Select(i => count / inFlight + (i < count % inFlight ? 1 : 0)).ToArray();
            Start();
        }

        /// <summary>A fresh anvil and fresh clients: at the start, and after anvil left transactions queued.</summary>
        private void Start()
        {
            _anvil = Anvil.Start();
            Uri url = _anvil.Url;

            // The harness's own client, on its own connections.
            _control = new Web3(ControlRpc(url, _owned));

            // Ours: the production path.
            _ours = new Web3(OursRpc(url));
            _bare = new BareClient(url);
            BigInteger chainId = _control.Eth.ChainId.SendRequestAsync().GetAwaiter().GetResult().Value;
            if (chainId != _chainId)
            {
                // After every reset the chain is back at genesis, so these are byte for byte the transactions ours signs.
                _chainId = chainId;
                _warmPreSigned = new PreSigned(chainId, _warmKey, WarmUp);
                _preSigned = _keys.Select((k, i) => new PreSigned(chainId, k, _shares[i])).ToArray();
                string oursFirst = new OursSender(_ours, chainId, _keys[0]).SignNext();
                string nethereumFirst = new Transaction1559Signer().SignTransaction(new EthECKey(_firstKey, true), Transfer(chainId, 0)).EnsureHexPrefix();
                if (!string.Equals(oursFirst, _preSigned[0].Raw[0], StringComparison.OrdinalIgnoreCase)
                    || !string.Equals(oursFirst, nethereumFirst, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"bench: ours signs {oursFirst}, the ceiling sends {_preSigned[0].Raw[0]}, Nethereum's BouncyCastle signer gives {nethereumFirst}: not the same transaction");
                }
            }
        }

        private void Stop()
        {
            _bare.Dispose();
            _owned.ForEach(d => d.Dispose());
            _owned.Clear();
            _anvil.Dispose();
        }

        public double Measure(Side side)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return MeasureOnceAsync(side).GetAwaiter().GetResult();
                }
                catch (NotMinedException e) when (attempt < 3)
                {
                    Console.Error.WriteLine($"bench: {side}: {e.Message}; repeating on a fresh anvil (attempt {attempt + 1} of 3)");
                    Stop();
                    Start();
                }
            }
        }

        private async Task<double> MeasureOnceAsync(Side side)
        {
            await _control.Client.SendRequestAsync(new RpcRequest(1, "anvil_reset"));
            if ((await _control.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value != 0)
            {
                throw new NotMinedException("anvil_reset did not go back to genesis");
            }

            foreach (Secp256k1Signer key in _keys.Append(_warmKey))
            {
                await _control.Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", key.Address, "0x3635c9adc5dea00000"));
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            Sender warm = side == Side.Ceiling ? new CeilingSender(_bare, _warmPreSigned) : new OursSender(_ours, _chainId, _warmKey);
            await warm.SendAsync(WarmUp);
            await WaitMinedAsync([warm]);

            Sender[] workers = side switch
            {
                Side.Ceiling => [.. _preSigned.Select(p => (Sender)new CeilingSender(_bare, p))],
                Side.Ours => [.. _keys.Select(k => (Sender)new OursSender(_ours, _chainId, k))],
                Side.OursPreSigned => [.. _preSigned.Select(p => (Sender)new OursPreSignedSender(_ours, p))],
                _ => throw new ArgumentOutOfRangeException(nameof(side)),
            };
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            TimeSpan anvilCpu = _anvil.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            await Task.WhenAll(workers.Select((w, i) => w.SendAsync(_shares[i])));
            await WaitMinedAsync(workers);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            anvilCpu = _anvil.TotalProcessorTime - anvilCpu;
            await CheckReceiptsAsync(workers.SelectMany(w => w.Hashes).ToArray(), _count);
            if (Verbose)
            {
                BigInteger blocks = (await _control.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bench:   {side} {_count / seconds:F0} tx/s, CPU per transaction: this process {cpu.TotalMicroseconds / _count:F0} us, anvil {anvilCpu.TotalMicroseconds / _count:F0} us; {blocks} blocks"));
            }

            return _count / seconds;
        }

        /// <summary>Polls every sender's mined nonce (one batch per poll) until all its transactions are mined, at most <see cref="MineBound"/>.</summary>
        private async Task WaitMinedAsync(Sender[] senders)
        {
            var deadline = Stopwatch.StartNew();
            var handler = new EthGetTransactionCount(_control.Client);
            while (true)
            {
                var batch = new RpcRequestResponseBatch();
                var items = senders.Select((s, i) => new RpcRequestResponseBatchItem<EthGetTransactionCount, HexBigInteger>(
                    handler, handler.BuildRequest(s.Address, BlockParameter.CreateLatest(), i))).ToArray();
                batch.BatchItems.AddRange(items);
                await _control.Client.SendBatchRequestAsync(batch);
                BigInteger[] mined = items.Select(item => item.Response.Value).ToArray();
                if (senders.Select((s, i) => mined[i] >= s.Sent).All(done => done))
                {
                    return;
                }

                if (deadline.Elapsed > MineBound)
                {
                    BigInteger missing = senders.Select((s, i) => s.Sent - BigInteger.Min(mined[i], s.Sent)).Aggregate(BigInteger.Zero, (a, b) => a + b);
                    throw new NotMinedException($"{missing} of {senders.Sum(s => (long)s.Sent)} transactions not mined after {MineBound.TotalSeconds:F0} s (anvil left them queued)");
                }

                await Task.Delay(1);
            }
        }

        private async Task CheckReceiptsAsync(string[] hashes, int expected)
        {
            if (hashes.Length != expected)
            {
                throw new InvalidOperationException($"bench: sent {hashes.Length} transactions, expected {expected}");
            }

            List<TransactionReceipt> receipts = await _control.Eth.Transactions.GetTransactionReceipt.SendBatchRequestAsync(hashes);
            int ok = receipts.Count(r => r is not null && r.Status?.Value == 1);
            if (ok != expected)
            {
                throw new InvalidOperationException($"bench: only {ok} of {expected} transactions have a successful receipt");
            }
        }

        public void Dispose() => Stop();
    }

    private static Transaction1559 Transfer(BigInteger chainId, BigInteger nonce) =>
        new(chainId, nonce, MaxPriorityFeePerGas, MaxFeePerGas, 21_000, Recipient, 1, null, null);

    /// <summary>One account's transactions: <see cref="SendAsync"/> sends the next <c>count</c>, one awaited at a time.</summary>
    private abstract class Sender(string address)
    {
        public string Address { get; } = address;

        /// <summary>Transactions handed to the node so far (the nonce the account reaches once they are mined).</summary>
        public ulong Sent { get; protected set; }

        public List<string> Hashes { get; } = [];

        public abstract Task SendAsync(int count);
    }

    /// <summary>
    /// Ours, pipelined as a real client would: transaction n+1 is signed right after n is handed to Nethereum, while n is in flight,
    /// so a send goes out as soon as the previous reply arrives (one send awaited at a time, one signed transaction queued ahead).
    /// </summary>
    private sealed class OursSender(Web3 web3, BigInteger chainId, Secp256k1Signer key) : Sender(key.Address)
    {
        private ulong _nextNonce;

        public override async Task SendAsync(int count)
        {
            string? next = count > 0 ? SignNext() : null;
            for (int n = 0; n < count; n++)
            {
                Task<string> sending = web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(next!);
                Sent++;
                next = n + 1 < count ? SignNext() : null;
                Hashes.Add(await sending.ConfigureAwait(false));
            }
        }

        /// <summary>The next transfer signed by <see cref="Secp256k1Signer"/> (0x-hex of the signed envelope), as the durable manager signs.</summary>
        public string SignNext()
        {
            Transaction1559 transaction = Transfer(chainId, _nextNonce++);
            key.Sign(transaction);
            return transaction.GetRLPEncoded().ToHex(true);
        }
    }

    /// <summary>Ours without the signing (a diagnostic side): the pre-signed transactions sent through Nethereum on the project's client.</summary>
    private sealed class OursPreSignedSender(Web3 web3, PreSigned preSigned) : Sender(preSigned.Address)
    {
        public override async Task SendAsync(int count)
        {
            for (int n = 0; n < count; n++)
            {
                Hashes.Add(await web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(preSigned.Raw[(int)Sent++]).ConfigureAwait(false));
            }
        }
    }

    /// <summary>One account's transactions signed ahead of time (Secp256k1Signer), as ready-made JSON-RPC request bodies.</summary>
    private sealed class PreSigned
    {
        public PreSigned(BigInteger chainId, Secp256k1Signer key, int count)
        {
            Address = key.Address;
            var transactions = Enumerable.Range(0, count).Select(n => Transfer(chainId, n)).ToArray();
            Raw = transactions.Select(t =>
            {
                key.Sign(t);
                return t.GetRLPEncoded().ToHex(true);
            }).ToArray();
            Bodies = Raw.Select(raw => Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_sendRawTransaction\",\"params\":[\"{raw}\"]}}")).ToArray();
            Hashes = Raw.Select(raw => Sha3Keccack.Current.CalculateHash(raw.HexToByteArray()).ToHex(true)).ToArray();
        }

        public string Address { get; }

        public string[] Raw { get; }

        public byte[][] Bodies { get; }

        public string[] Hashes { get; }
    }

    /// <summary>The ceiling: pre-signed bodies posted with a bare HTTP client, the reply only checked for a result.</summary>
    private sealed class CeilingSender(BareClient client, PreSigned preSigned) : Sender(preSigned.Address)
    {
        public override async Task SendAsync(int count)
        {
            for (int n = 0; n < count; n++)
            {
                int nonce = (int)Sent++;
                await client.PostAsync(preSigned.Bodies[nonce]).ConfigureAwait(false);
                Hashes.Add(preSigned.Hashes[nonce]);
            }
        }
    }

    /// <summary>
    /// A bare HTTP JSON-RPC poster: an <see cref="HttpClient"/> over a default <see cref="SocketsHttpHandler"/> (the innermost handler
    /// <see cref="AgentClusterRpc.CreateClient"/> uses), a ready-made body per request, the reply read as bytes.
    /// </summary>
    private sealed class BareClient(Uri url) : IDisposable
    {
        private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };
        private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };

        /// <summary>The harness's control client: pooled keep-alive connections, bounded connect; Nethereum bounds each call.</summary>
        public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        public async Task PostAsync(byte[] body)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = JsonContentType;
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            byte[] reply = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || reply.AsSpan().IndexOf("\"result\""u8) < 0)
            {
                throw new InvalidOperationException($"bench: eth_sendRawTransaction answered HTTP {(int)response.StatusCode}: {Encoding.UTF8.GetString(reply)}");
            }
        }

        public void Dispose() => _http.Dispose();
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

        public TimeSpan TotalProcessorTime
        {
            get
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
        }

        public static Anvil Start()
        {
            string executable = Environment.GetEnvironmentVariable("ANVIL") is { Length: > 0 } env ? env : Path.GetFullPath("node_modules/.bin/anvil");
            int port = FreePort();
            var info = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (string arg in new[] { "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--quiet" })
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException($"bench: could not start {executable}");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var anvil = new Anvil(process, new Uri($"http://127.0.0.1:{port}/"));
            using var http = BareClient.CreateHttpClient();
            http.Timeout = TimeSpan.FromSeconds(2);
            var web3 = new Web3(new RpcClient(anvil.Url, http, null, null, null));
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    web3.Eth.ChainId.SendRequestAsync().GetAwaiter().GetResult();
                    return anvil;
                }
                catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException or TaskCanceledException)
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
