using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AgentCluster.Evm;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Bench.Evm;

/// <summary>
/// Transactions per second sent to anvil, ours beside anvil's own ceiling, both measured in this process against the same anvil.
/// <para>
/// Ours: ETH transfers of 1 wei, type 2, fixed gas and fees, nonces counted locally, each signed with
/// <see cref="Transaction.Sign(EthECKey)"/> and sent with <see cref="EthRpcClient.SendRawTransactionAsync(SignedTransaction, CancellationToken)"/>
/// on a client with the default options (the production path: shared <see cref="SocketsHttpHandler"/>, retry and per-attempt
/// timeout pipeline), pipelined: transaction n+1 is signed while n is in flight. The ceiling: the byte-identical transactions,
/// signed before the clock starts, posted as ready-made <c>eth_sendRawTransaction</c> bodies by a bare <see cref="HttpClient"/>
/// on its own <see cref="SocketsHttpHandler"/> with the same settings. Sequential = one sender, each send awaited; 16 in flight =
/// 16 senders, one awaited send each.
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
/// instead of the bench lines (OursPreSigned: ours without the signing, i.e. the pre-signed transactions sent through
/// <see cref="EthRpcClient"/>, which isolates the cost of the client path).
/// </para>
/// </summary>
internal static class TxBench
{
    public const int InFlight = 16;
    public const int WarmUp = 50;
    private static readonly Address Recipient = Address.Parse("0x000000000000000000000000000000000000bEEF");
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

    /// <summary>keccak256("agentcluster-bench-sender-i") for the senders, keccak256("agentcluster-bench-warmup") for the warm-up.</summary>
    public static EthECKey Key(string label) => new(Keccak.HashUtf8(label).ToArray());

    /// <summary>The anvil, clients and pre-signed transactions of one metric.</summary>
    private sealed class Bench : IDisposable
    {
        private readonly int _count;
        private readonly EthECKey _warmKey = Key("agentcluster-bench-warmup");
        private readonly EthECKey[] _keys;
        private readonly int[] _shares;
        private readonly RpcRequest[] _balances;
        private Anvil _anvil = null!;
        private HttpClient _controlHttp = null!;
        private BareClient _bare = null!;
        private EthRpcClient _control = null!;
        private EthRpcClient _ours = null!;
        private ulong _chainId;
        private PreSigned _warmPreSigned = null!;
        private PreSigned[] _preSigned = [];

        public Bench(int count, int inFlight)
        {
            _count = count;
            _keys = Enumerable.Range(0, inFlight).Select(i => Key($"agentcluster-bench-sender-{i}")).ToArray();
            _shares = Enumerable.Range(0, inFlight).Select(i => count / inFlight + (i < count % inFlight ? 1 : 0)).ToArray();
            _balances = [.. _keys.Append(_warmKey).Select(k => new RpcRequest("anvil_setBalance", k.Address.ToLowerHex(), "0x3635c9adc5dea00000"))];
            Start();
        }

        /// <summary>A fresh anvil and fresh clients: at the start, and after anvil left transactions queued.</summary>
        private void Start()
        {
            _anvil = Anvil.Start();
            Uri url = _anvil.Url;

            // The harness's own client (resets, balances, the mined and receipt checks: identical for both sides), on its own connections.
            _controlHttp = BareClient.CreateHttpClient();
            _control = new EthRpcClient(new HttpEthRpcTransport(url, _controlHttp), new EthRpcClientOptions { MaxRetryAttempts = 0 });

            // Ours: the production path, default options (retry and timeout pipeline, the shared handler).
            _ours = new EthRpcClient(url);
            _bare = new BareClient(url);
            ulong chainId = _control.GetChainIdAsync().GetAwaiter().GetResult();
            if (chainId != _chainId)
            {
                // After every reset the chain is back at genesis, so these are byte for byte the transactions ours signs.
                _chainId = chainId;
                _warmPreSigned = new PreSigned(chainId, _warmKey, WarmUp);
                _preSigned = _keys.Select((k, i) => new PreSigned(chainId, k, _shares[i])).ToArray();
            }
        }

        private void Stop()
        {
            _bare.Dispose();
            _controlHttp.Dispose();
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
            await _control.RequestAsync("anvil_reset", []);
            if (await _control.GetBlockNumberAsync() != 0)
            {
                throw new NotMinedException("anvil_reset did not go back to genesis");
            }

            await _control.SendBatchAsync(_balances);
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
                ulong blocks = await _control.GetBlockNumberAsync();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bench:   {side} {_count / seconds:F0} tx/s, CPU per transaction: this process {cpu.TotalMicroseconds / _count:F0} us, anvil {anvilCpu.TotalMicroseconds / _count:F0} us; {blocks} blocks"));
            }

            return _count / seconds;
        }

        private async Task WaitMinedAsync(Sender[] senders)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var responses = await _control.SendBatchAsync([.. senders.Select(s => new RpcRequest("eth_getTransactionCount", s.Address.ToLowerHex(), "latest"))]);
                ulong[] mined = responses.Select(r => RpcJson.Quantity(r.GetResult())).ToArray();
                if (senders.Select((s, i) => mined[i] >= s.Sent).All(done => done))
                {
                    return;
                }

                if (deadline.Elapsed > MineBound)
                {
                    ulong missing = senders.Select((s, i) => s.Sent - Math.Min(mined[i], s.Sent)).Aggregate(0UL, (a, b) => a + b);
                    throw new NotMinedException($"{missing} of {senders.Sum(s => (long)s.Sent)} transactions not mined after {MineBound.TotalSeconds:F0} s (anvil left them queued)");
                }

                await Task.Delay(1);
            }
        }

        private async Task CheckReceiptsAsync(Hash32[] hashes, int expected)
        {
            if (hashes.Length != expected)
            {
                throw new InvalidOperationException($"bench: sent {hashes.Length} transactions, expected {expected}");
            }

            var receipts = await _control.SendBatchAsync([.. hashes.Select(h => new RpcRequest("eth_getTransactionReceipt", h.ToString()))]);
            int ok = receipts.Count(r => r.GetResult() is { ValueKind: JsonValueKind.Object } receipt && RpcJson.ToReceipt(receipt).Succeeded);
            if (ok != expected)
            {
                throw new InvalidOperationException($"bench: only {ok} of {expected} transactions have a successful receipt");
            }
        }

        public void Dispose() => Stop();
    }

    private static Eip1559Transaction Transfer(ulong chainId, ulong nonce) => new()
    {
        ChainId = chainId, Nonce = nonce, GasLimit = 21_000, MaxFeePerGas = 100_000_000_000UL, MaxPriorityFeePerGas = 1_000_000_000UL,
        To = Recipient, Value = 1,
    };

    /// <summary>One account's transactions: <see cref="SendAsync"/> sends the next <c>count</c>, one awaited at a time.</summary>
    private abstract class Sender(Address address)
    {
        public Address Address { get; } = address;

        /// <summary>Transactions handed to the node so far (the nonce the account reaches once they are mined).</summary>
        public ulong Sent { get; protected set; }

        public List<Hash32> Hashes { get; } = [];

        public abstract Task SendAsync(int count);
    }

    /// <summary>
    /// Ours, pipelined as a real client would: transaction n+1 is signed while n is in flight, so a send goes out as soon as the
    /// previous reply arrives (one send awaited at a time, one signed transaction queued ahead).
    /// </summary>
    private sealed class OursSender(EthRpcClient client, ulong chainId, EthECKey key) : Sender(key.Address)
    {
        private ulong _nextNonce;

        public override async Task SendAsync(int count)
        {
            SignedTransaction? next = count > 0 ? SignNext() : null;
            for (int n = 0; n < count; n++)
            {
                Task<Hash32> sending = client.SendRawTransactionAsync(next!);
                Sent++;
                next = n + 1 < count ? SignNext() : null;
                Hashes.Add(await sending.ConfigureAwait(false));
            }
        }

        private SignedTransaction SignNext() => Transfer(chainId, _nextNonce++).Sign(key);
    }

    /// <summary>Ours without the signing (a diagnostic side): the pre-signed transactions sent through <see cref="EthRpcClient"/>.</summary>
    private sealed class OursPreSignedSender(EthRpcClient client, PreSigned preSigned) : Sender(preSigned.Address)
    {
        public override async Task SendAsync(int count)
        {
            for (int n = 0; n < count; n++)
            {
                Hashes.Add(await client.SendRawTransactionAsync(preSigned.Transactions[(int)Sent++]).ConfigureAwait(false));
            }
        }
    }

    /// <summary>One account's transactions signed ahead of time, as ready-made JSON-RPC request bodies.</summary>
    private sealed class PreSigned
    {
        public PreSigned(ulong chainId, EthECKey key, int count)
        {
            Address = key.Address;
            Transactions = Enumerable.Range(0, count).Select(n => Transfer(chainId, (ulong)n).Sign(key)).ToArray();
            Bodies = Transactions.Select(s => Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_sendRawTransaction\",\"params\":[\"{s.RawHex}\"]}}")).ToArray();
            Hashes = Transactions.Select(s => s.Hash).ToArray();
        }

        public Address Address { get; }

        public SignedTransaction[] Transactions { get; }

        public byte[][] Bodies { get; }

        public Hash32[] Hashes { get; }
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
    /// A bare HTTP JSON-RPC poster: an <see cref="HttpClient"/> over a <see cref="SocketsHttpHandler"/> with the settings of
    /// <see cref="HttpEthRpcTransport"/>'s shared one, a ready-made body per request, the reply read as bytes.
    /// </summary>
    private sealed class BareClient(Uri url) : IDisposable
    {
        private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };
        private readonly HttpClient _http = CreateHttpClient();

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
