using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using AgentCluster.Evm.Signing;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.Bench.Evm;

/// <summary>
/// The C# side of <c>scripts/bench evm</c>: signatures per second and ABI encode+decode per second of the project's EVM layer
/// (Nethereum 6.1.0; signatures by <see cref="Secp256k1Signer"/>, the durable transaction manager's signer), on the inputs
/// bench/evm/bench.mjs gives viem and ethers, then transactions per second sent to anvil, interleaved with anvil's ceiling measured in
/// this process (<see cref="TxBench"/>). Prints "&lt;metric&gt; &lt;per second&gt;" lines, "check.*" lines (a digest of the outputs)
/// that run.sh compares across implementations, so all of them are known to do the same work, "signatures_per_s_bouncycastle" (Nethereum's
/// default BouncyCastle EthECKey) and "signatures_per_s_nethereum_fast" (EthECKey with Nethereum's process-wide
/// <c>EthECKey.SignRecoverable</c> switch on, which cannot sign with a key below 2^248), same process, for the record, and for the transaction metrics "ceiling.&lt;metric&gt; &lt;median&gt;" and
/// "ratio.&lt;metric&gt; &lt;median ours/ceiling&gt; &lt;lowest&gt; &lt;highest&gt; &lt;rounds&gt; &lt;lower quartile&gt; &lt;upper quartile&gt;".
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var options = HarnessOptions.Parse(args);
        var inputs = new BenchInputs();
        if (Environment.GetEnvironmentVariable("AGENTCLUSTER_BENCH_TX_SIDES") is { Length: > 0 } sideList)
        {
            // Diagnostics (see TxBench): the listed sides measured in turns, "<metric> <side> median <m> all <each round>".
            TxBench.Side[] sides = [.. sideList.Split(',').Select(Enum.Parse<TxBench.Side>)];
            foreach (var (metric, count, inFlight) in TxMetrics(options))
            {
                foreach (var (side, figures) in TxBench.Measure(metric, count, inFlight, options.TxRounds, sides))
                {
                    double median = figures.Order().ElementAt(figures.Length / 2);
                    Console.WriteLine($"{metric} {side} median {Format(median)} all {string.Join(" ", figures.Select(Format))}");
                }
            }

            return 0;
        }

        Console.WriteLine($"check.signature {EthECDSASignature.CreateStringSignature(inputs.Signer.SignHash(inputs.Hashes[0]))}");
        Console.WriteLine($"check.signature_bouncycastle {inputs.FirstNethereumSignatureHex(fast: false)}");
        Console.WriteLine($"check.signature_nethereum_fast {inputs.FirstNethereumSignatureHex(fast: true)}");
        Console.WriteLine($"check.calldata {inputs.CalldataDigest()}");
        Console.Out.Flush();

        int next = 0;
        double signatures = Harness.Measure(options, () =>
        {
            inputs.Signer.SignHash(inputs.Hashes[next]);
            next = (next + 1) % inputs.Hashes.Length;
        });
        Console.WriteLine($"signatures_per_s {Format(signatures)}");
        Console.Out.Flush();

        // For the record, same process: Nethereum's EthECKey on its default BouncyCastle path, then with its process-wide fast-path
        // switch on (restored right after; nothing else in this process signs meanwhile).
        Action signWithEthECKey = () =>
        {
            inputs.Key.SignAndCalculateV(inputs.Hashes[next]);
            next = (next + 1) % inputs.Hashes.Length;
        };
        if (EthECKey.SignRecoverable)
        {
            throw new InvalidOperationException("bench: Nethereum's process-wide fast path is on before the BouncyCastle measurement");
        }

        Console.WriteLine($"signatures_per_s_bouncycastle {Format(Harness.Measure(options, signWithEthECKey))}");
        double nethereumFast;
        EthECKey.SignRecoverable = true;
        try
        {
            nethereumFast = Harness.Measure(options, signWithEthECKey);
        }
        finally
        {
            EthECKey.SignRecoverable = false;
        }

        Console.WriteLine($"signatures_per_s_nethereum_fast {Format(nethereumFast)}");

        double abi = Harness.Measure(options, () =>
        {
            byte[] calldata = inputs.Call.GetCallData();
            new BenchFunction().DecodeInput(calldata.ToHex(true));
        });
        Console.WriteLine($"abi_encode_decode_per_s {Format(abi)}");
        Console.Out.Flush();

        foreach (var (metric, count, inFlight) in TxMetrics(options))
        {
            TxBench.Result tx = TxBench.Measure(metric, count, inFlight, options.TxRounds);
            Console.WriteLine($"{metric} {Format(tx.Ours)}");
            Console.WriteLine($"ceiling.{metric} {Format(tx.Ceiling)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio.{metric} {tx.Ratio:F2} {tx.MinRatio:F2} {tx.MaxRatio:F2} {tx.Rounds} {tx.LowerQuartile:F2} {tx.UpperQuartile:F2}"));
            Console.Out.Flush();
        }

        return 0;
    }

    private static (string Metric, int Count, int InFlight)[] TxMetrics(HarnessOptions options) =>
        [("tx_per_s_sequential", options.TxSequential, 1), ("tx_per_s_16_in_flight", options.TxInFlight, TxBench.InFlight)];

    private static string Format(double value) => value.ToString("F0", CultureInfo.InvariantCulture);
}

/// <summary>
/// The benchmark's ABI workload as a Nethereum message: <c>f(uint256,address,bytes,string,(uint256,bytes32)[])</c>, a task-result-like
/// call (amount, recipient, payload, note, (id, hash) pairs), the function bench.mjs encodes and decodes with viem and ethers.
/// </summary>
[Function("f")]
public sealed class BenchFunction : FunctionMessage
{
    [Parameter("uint256", "amount", 1)]
    public BigInteger Amount { get; set; }

    [Parameter("address", "recipient", 2)]
    public string Recipient { get; set; } = "";

    [Parameter("bytes", "payload", 3)]
    public byte[] Payload { get; set; } = [];

    [Parameter("string", "note", 4)]
    public string Note { get; set; } = "";

    [Parameter("tuple[]", "items", 5)]
    public List<BenchItem> Items { get; set; } = [];
}

/// <summary>One (id, hash) pair of <see cref="BenchFunction"/>.</summary>
public sealed class BenchItem
{
    [Parameter("uint256", "id", 1)]
    public BigInteger Id { get; set; }

    [Parameter("bytes32", "hash", 2)]
    public byte[] Hash { get; set; } = [];
}

/// <summary>The fixed inputs, identical to bench/evm/bench.mjs.</summary>
internal sealed class BenchInputs
{
    public const int HashCount = 1024;

    private const string AnvilKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    /// <summary>Anvil's first dev key, as the project signs with it.</summary>
    public Secp256k1Signer Signer { get; } = new(AnvilKey0);

    /// <summary>The same key as Nethereum's EthECKey (the "for the record" lines).</summary>
    public EthECKey Key { get; } = new(AnvilKey0);

    /// <summary>keccak256 of i as a 32-byte big-endian word, i = 0..HashCount-1.</summary>
    public byte[][] Hashes { get; } = Enumerable.Range(0, HashCount).Select(i => Sha3Keccack.Current.CalculateHash(Word(i))).ToArray();

    /// <summary>A task-result-like call: amount, recipient, a 100-byte payload, a note, three (id, hash) pairs.</summary>
    public BenchFunction Call { get; } = new()
    {
        Amount = BigInteger.Parse("123456789012345678901234567890", CultureInfo.InvariantCulture),
        Recipient = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        Payload = Enumerable.Range(0, 100).Select(i => (byte)((i * 37 + 11) & 0xff)).ToArray(),
        Note = "AgentCluster task 42: result accepted by committee",
        Items = [.. Enumerable.Range(0, 3).Select(i => new BenchItem { Id = i + 1, Hash = Sha3Keccack.Current.CalculateHash(Word(i)) })],
    };

    /// <summary>r ‖ s ‖ v (v = 27 or 28) of the first hash by EthECKey, on Nethereum's fast path or its default BouncyCastle path (the switch is restored to off).</summary>
    public string FirstNethereumSignatureHex(bool fast)
    {
        EthECKey.SignRecoverable = fast;
        try
        {
            return EthECDSASignature.CreateStringSignature(Key.SignAndCalculateV(Hashes[0]));
        }
        finally
        {
            EthECKey.SignRecoverable = false;
        }
    }

    /// <summary>keccak256 of the encoded call, checked against viem's and ethers' calldata; the decoded call is checked against the inputs.</summary>
    public string CalldataDigest()
    {
        byte[] calldata = Call.GetCallData();
        BenchFunction decoded = new BenchFunction().DecodeInput(calldata.ToHex(true));
        bool same = decoded.Amount == Call.Amount
            && string.Equals(decoded.Recipient, Call.Recipient, StringComparison.OrdinalIgnoreCase)
            && decoded.Payload.AsSpan().SequenceEqual(Call.Payload)
            && decoded.Note == Call.Note
            && decoded.Items.Count == Call.Items.Count
            && decoded.Items.Zip(Call.Items).All(p => p.First.Id == p.Second.Id && p.First.Hash.AsSpan().SequenceEqual(p.Second.Hash));
        if (!same)
        {
            throw new InvalidOperationException("bench: Nethereum did not decode the calldata it encoded back to the inputs");
        }

        return Sha3Keccack.Current.CalculateHash(calldata).ToHex(true);
    }

    private static byte[] Word(int i)
    {
        var word = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(word.AsSpan(28), i);
        return word;
    }
}

internal sealed record HarnessOptions(TimeSpan WarmUp, TimeSpan Window, int Windows, int TxSequential = 300, int TxInFlight = 1000, int TxRounds = 101)
{
    /// <summary>--warmup-ms N, --window-ms N, --windows N (defaults 1500, 300, 8); --tx-sequential N, --tx-in-flight N (300, 1000 transactions, at least 16, at most 10,000), --tx-rounds N (101 interleaved rounds, medians kept, 1 to 101; bench.mjs defaults to 3, at most 15).</summary>
    public static HarnessOptions Parse(string[] args)
    {
        var options = new HarnessOptions(TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(300), 8);
        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"Options come in pairs (--name N); got {args.Length} arguments.");
        }

        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value <= 0)
            {
                throw new ArgumentException($"Option {args[i]} needs a positive whole number, got '{args[i + 1]}'.");
            }

            options = args[i] switch
            {
                "--warmup-ms" => options with { WarmUp = TimeSpan.FromMilliseconds(value) },
                "--window-ms" => options with { Window = TimeSpan.FromMilliseconds(value) },
                "--windows" => options with { Windows = value },
                "--tx-sequential" => options with { TxSequential = Math.Clamp(value, TxBench.InFlight, 10_000) },
                "--tx-in-flight" => options with { TxInFlight = Math.Clamp(value, TxBench.InFlight, 10_000) },
                "--tx-rounds" => options with { TxRounds = Math.Clamp(value, 1, 101) },
                _ => throw new ArgumentException($"Unknown option {args[i]} (known: --warmup-ms, --window-ms, --windows, --tx-sequential, --tx-in-flight, --tx-rounds)."),
            };
        }

        return options;
    }
}

/// <summary>
/// A plain measured loop: run for the warm-up time (so the JIT reaches its optimised tier), then time several fixed windows and
/// report the best window's operations per second. The best, not the median: on a shared machine other processes only ever slow a
/// window down, so the fastest one is the least disturbed (timeit's reasoning); bench.mjs does the same for viem and ethers.
/// The clock is read every batch, not every operation; batches grow until one takes about a millisecond.
/// </summary>
internal static class Harness
{
    public static double Measure(HarnessOptions options, Action operation)
    {
        RunFor(options.WarmUp, operation);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var rates = new double[options.Windows];
        for (int w = 0; w < rates.Length; w++)
        {
            var (count, elapsed) = RunFor(options.Window, operation);
            rates[w] = count / elapsed.TotalSeconds;
        }

        return rates.Max();
    }

    private static (long Count, TimeSpan Elapsed) RunFor(TimeSpan duration, Action operation)
    {
        long count = 0;
        int batch = 1;
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long now = start;
        while (now < end)
        {
            long batchStart = now;
            for (int i = 0; i < batch; i++)
            {
                operation();
            }

            count += batch;
            now = Stopwatch.GetTimestamp();
            if (now - batchStart < Stopwatch.Frequency / 1000)
            {
                batch *= 2;
            }
        }

        return (count, Stopwatch.GetElapsedTime(start, now));
    }
}
