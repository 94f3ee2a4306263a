using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AgentCluster.Keepers.Attestation;

/// <summary>
/// What an agent's compute benchmark reports (see docs/attestation.md): the figures it measured inside the TEE, in the
/// units of the registry's on-chain <c>Attestation</c> (cpuCores, gpuMemoryMb, tokensPerSecond), in a fixed binary encoding
/// so that its digest is the same everywhere.
/// </summary>
/// <param name="CpuCores">Logical CPU cores available to the agent.</param>
/// <param name="GpuMemoryMb">Total GPU memory in MiB (0: no GPU).</param>
/// <param name="TokensPerSecond">Measured LLM generation throughput, whole tokens per second.</param>
/// <param name="Model">The model the throughput was measured with (e.g. a Hugging Face id and quantisation).</param>
/// <param name="MeasuredAt">When the benchmark ran (Unix seconds).</param>
public sealed record ComputeBenchmarkReport(uint CpuCores, uint GpuMemoryMb, uint TokensPerSecond, string Model, long MeasuredAt)
{
    /// <summary>The domain tag of the encoding.</summary>
    public const string DomainTag = "AgentCluster.ComputeBenchmark.v1";

    /// <summary>
    /// SHA-256 of <c>tag || u32 cpuCores || u32 gpuMemoryMb || u32 tokensPerSecond || u64 measuredAt || u32 len(model) || model (UTF-8)</c>,
    /// integers big-endian.
    /// </summary>
    /// <returns>The 32-byte digest the quote's report data commits to.</returns>
    /// <exception cref="ArgumentException">A figure is negative or the model is empty.</exception>
    public byte[] Digest()
    {
        if (CpuCores == 0)
        {
            throw new ArgumentException($"CpuCores must be positive, not {CpuCores}.", nameof(CpuCores));
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new ArgumentException("Model must name the model the throughput was measured with.", nameof(Model));
        }

        if (MeasuredAt < 0)
        {
            throw new ArgumentException($"MeasuredAt must be Unix seconds, not {MeasuredAt}.", nameof(MeasuredAt));
        }

        byte[] model = Encoding.UTF8.GetBytes(Model);
        byte[] tag = Encoding.ASCII.GetBytes(DomainTag);
        var buffer = new byte[tag.Length + 4 + 4 + 4 + 8 + 4 + model.Length];
        Span<byte> s = buffer;
        tag.CopyTo(s);
        s = s[tag.Length..];
        BinaryPrimitives.WriteUInt32BigEndian(s, CpuCores);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], GpuMemoryMb);
        BinaryPrimitives.WriteUInt32BigEndian(s[8..], TokensPerSecond);
        BinaryPrimitives.WriteUInt64BigEndian(s[12..], (ulong)MeasuredAt);
        BinaryPrimitives.WriteUInt32BigEndian(s[20..], (uint)model.Length);
        model.CopyTo(s[24..]);
        return SHA256.HashData(buffer);
    }
}

/// <summary>
/// Binds a quote to an agent: the quoted enclave/TD must put
/// <c>report_data[0..32] = SHA-256("AgentCluster.Attestation.v1" || chainId (u64 big-endian) || agent key address (20 bytes)
/// || attestation nonce (u64 big-endian) || benchmark digest (32 bytes))</c> and <c>report_data[32..64]</c> = zero. Only code
/// inside the TEE chooses report data, so a verified quote with this report data says that this TEE vouched for this agent
/// key and these benchmark figures for this attestation nonce (the registry's <c>Attestation.nonce</c>, which must exceed the
/// agent's last one, so an old quote cannot be replayed for a new attestation).
/// </summary>
public static class QuoteBinding
{
    /// <summary>The domain tag.</summary>
    public const string DomainTag = "AgentCluster.Attestation.v1";

    /// <summary>The 64 bytes of report data an agent's TEE must produce.</summary>
    /// <param name="chainId">The chain the agent registers on (so a quote cannot be replayed on another chain).</param>
    /// <param name="agentAddress">The agent key's 20-byte address.</param>
    /// <param name="nonce">The attestation nonce the attestor will sign (greater than the agent's last on-chain one).</param>
    /// <param name="benchmarkDigest">The 32-byte <see cref="ComputeBenchmarkReport.Digest"/>.</param>
    /// <returns>The report data.</returns>
    /// <exception cref="ArgumentException">The address is not 20 bytes or the digest not 32.</exception>
    public static byte[] ExpectedReportData(ulong chainId, ReadOnlySpan<byte> agentAddress, ulong nonce, ReadOnlySpan<byte> benchmarkDigest)
    {
        if (agentAddress.Length != 20)
        {
            throw new ArgumentException($"The agent address must be 20 bytes, not {agentAddress.Length}.", nameof(agentAddress));
        }

        if (benchmarkDigest.Length != 32)
        {
            throw new ArgumentException($"The benchmark digest must be 32 bytes (SHA-256), not {benchmarkDigest.Length}.", nameof(benchmarkDigest));
        }

        byte[] tag = Encoding.ASCII.GetBytes(DomainTag);
        var input = new byte[tag.Length + 8 + 20 + 8 + 32];
        tag.CopyTo(input, 0);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(tag.Length), chainId);
        agentAddress.CopyTo(input.AsSpan(tag.Length + 8));
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(tag.Length + 28), nonce);
        benchmarkDigest.CopyTo(input.AsSpan(tag.Length + 36));
        var data = new byte[64];
        SHA256.HashData(input, data);
        return data;
    }

    /// <summary>The same with the address as hex text (0x-prefixed, 40 hex digits).</summary>
    /// <param name="chainId">The chain id.</param>
    /// <param name="agentAddress">The agent key's address.</param>
    /// <param name="nonce">The attestation nonce.</param>
    /// <param name="benchmarkDigest">The benchmark digest.</param>
    /// <returns>The report data.</returns>
    /// <exception cref="ArgumentException">The address is not 0x + 40 hex digits.</exception>
    public static byte[] ExpectedReportData(ulong chainId, string agentAddress, ulong nonce, ReadOnlySpan<byte> benchmarkDigest) =>
        ExpectedReportData(chainId, ParseAddress(agentAddress), nonce, benchmarkDigest);

    /// <summary>Checks that <paramref name="reportData"/> commits to the agent and the benchmark.</summary>
    /// <param name="reportData">The quote's 64 bytes of report data (from a quote that verified).</param>
    /// <param name="chainId">The chain id.</param>
    /// <param name="agentAddress">The agent key's address (0x + 40 hex).</param>
    /// <param name="nonce">The attestation nonce.</param>
    /// <param name="benchmarkDigest">The claimed benchmark's digest.</param>
    /// <returns>The check, named <c>agent_binding</c>.</returns>
    /// <exception cref="ArgumentException">The address or digest is malformed.</exception>
    public static CheckResult Check(ReadOnlySpan<byte> reportData, ulong chainId, string agentAddress, ulong nonce, ReadOnlySpan<byte> benchmarkDigest)
    {
        byte[] expected = ExpectedReportData(chainId, agentAddress, nonce, benchmarkDigest);
        bool ok = reportData.SequenceEqual(expected);
        string what = $"agent {agentAddress}, chain {chainId}, nonce {nonce}, benchmark {Convert.ToHexStringLower(benchmarkDigest)}";
        return new CheckResult("agent_binding", ok ? CheckOutcome.Pass : CheckOutcome.Fail, ok
            ? $"report data commits to {what}"
            : $"report data {Convert.ToHexStringLower(reportData)} is not {Convert.ToHexStringLower(expected)} ({what})");
    }

    private static byte[] ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Length != 42 || !address.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The agent address must be 0x followed by 40 hex digits, not '{address}'.", nameof(address));
        }

        try
        {
            return Convert.FromHexString(address.AsSpan(2));
        }
        catch (FormatException)
        {
            throw new ArgumentException($"The agent address '{address}' is not hex.", nameof(address));
        }
    }
}

/// <summary>
/// A governance allow-list of measurements: an SGX enclave is allowed by its MRENCLAVE, or by MRSIGNER + ISVPRODID with a
/// minimum ISVSVN; a TDX TD by its MRTD and, where given, RTMR0-2 (firmware, kernel, command line; RTMR3 is run-time).
/// </summary>
public sealed class MeasurementAllowList
{
    private readonly HashSet<string> _mrEnclaves = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string MrSigner, ushort ProdId, ushort MinSvn)> _signers = [];
    private readonly List<(string MrTd, string?[] Rtmrs)> _tds = [];

    /// <summary>Allows an SGX enclave by MRENCLAVE (hex).</summary>
    /// <param name="mrEnclaveHex">64 hex digits.</param>
    /// <returns>This list.</returns>
    public MeasurementAllowList AllowMrEnclave(string mrEnclaveHex)
    {
        _mrEnclaves.Add(Hex(mrEnclaveHex, 32, nameof(mrEnclaveHex)));
        return this;
    }

    /// <summary>Allows SGX enclaves signed by MRSIGNER with this product id and at least this SVN.</summary>
    /// <param name="mrSignerHex">64 hex digits.</param>
    /// <param name="isvProdId">The product id.</param>
    /// <param name="minIsvSvn">The lowest accepted security version.</param>
    /// <returns>This list.</returns>
    public MeasurementAllowList AllowSigner(string mrSignerHex, ushort isvProdId, ushort minIsvSvn)
    {
        _signers.Add((Hex(mrSignerHex, 32, nameof(mrSignerHex)), isvProdId, minIsvSvn));
        return this;
    }

    /// <summary>Allows a TDX TD by MRTD and optionally RTMR0-3 (null: any value).</summary>
    /// <param name="mrTdHex">96 hex digits.</param>
    /// <param name="rtmrHex">Up to four RTMRs (96 hex digits each) or nulls.</param>
    /// <returns>This list.</returns>
    public MeasurementAllowList AllowTd(string mrTdHex, params string?[] rtmrHex)
    {
        if (rtmrHex.Length > 4)
        {
            throw new ArgumentException($"At most four RTMRs, not {rtmrHex.Length}.", nameof(rtmrHex));
        }

        _tds.Add((Hex(mrTdHex, 48, nameof(mrTdHex)), [.. rtmrHex.Select(r => r is null ? null : Hex(r, 48, nameof(rtmrHex))), .. Enumerable.Repeat<string?>(null, 4 - rtmrHex.Length)]));
        return this;
    }

    /// <summary>Checks a (verified) quote's measurement against the list.</summary>
    /// <param name="quote">The quote.</param>
    /// <returns>The check, named <c>measurement_allowed</c>.</returns>
    public CheckResult Check(DcapQuote quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        const string name = "measurement_allowed";
        if (quote.SgxBody is { } s)
        {
            string mrEnclave = Convert.ToHexStringLower(s.MrEnclave);
            string mrSigner = Convert.ToHexStringLower(s.MrSigner);
            bool ok = _mrEnclaves.Contains(mrEnclave)
                || _signers.Any(x => x.MrSigner.Equals(mrSigner, StringComparison.OrdinalIgnoreCase) && x.ProdId == s.IsvProdId && s.IsvSvn >= x.MinSvn);
            return new CheckResult(name, ok ? CheckOutcome.Pass : CheckOutcome.Fail,
                $"MRENCLAVE {mrEnclave}, MRSIGNER {mrSigner}, ISVPRODID {s.IsvProdId}, ISVSVN {s.IsvSvn} {(ok ? "is" : "is not")} on the allow-list");
        }

        TdReportBody td = quote.TdBody!;
        string mrTd = Convert.ToHexStringLower(td.MrTd);
        bool tdOk = _tds.Any(x => x.MrTd.Equals(mrTd, StringComparison.OrdinalIgnoreCase)
            && x.Rtmrs.Select((r, i) => r is null || r.Equals(Convert.ToHexStringLower(td.Rtmrs[i]), StringComparison.OrdinalIgnoreCase)).All(b => b));
        return new CheckResult(name, tdOk ? CheckOutcome.Pass : CheckOutcome.Fail, $"MRTD {mrTd} with its RTMRs {(tdOk ? "is" : "is not")} on the allow-list");
    }

    private static string Hex(string hex, int bytes, string parameter)
    {
        ArgumentNullException.ThrowIfNull(hex, parameter);
        string h = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (h.Length != bytes * 2 || !h.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"Expected {bytes * 2} hex digits, not '{hex}'.", parameter);
        }

        return h.ToLowerInvariant();
    }
}
