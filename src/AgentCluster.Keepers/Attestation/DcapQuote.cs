using System.Buffers.Binary;

namespace AgentCluster.Keepers.Attestation;

/// <summary>The trusted execution environment a quote comes from (the header's TEE type).</summary>
public enum TeeKind
{
    /// <summary>Intel SGX enclave (TEE type 0x00000000).</summary>
    Sgx = 0,

    /// <summary>Intel TDX trust domain (TEE type 0x00000081).</summary>
    Tdx = 0x81,
}

/// <summary>The 48-byte quote header.</summary>
/// <param name="Version">Quote version: 3 (SGX), 4 (SGX or TDX) or 5.</param>
/// <param name="AttestationKeyType">2 = ECDSA-256 with P-256 (the only type accepted).</param>
/// <param name="Tee">SGX or TDX.</param>
/// <param name="QeSvn">The QE security version (v3/v4: bytes 8-10).</param>
/// <param name="PceSvn">The PCE security version (bytes 10-12).</param>
/// <param name="QeVendorId">16 bytes; Intel's QE is 939a7233f79c4ca9940a0db3957f0607.</param>
/// <param name="UserData">20 bytes of QE user data (the first 16 are the platform's identifier for Intel's QE).</param>
public sealed record QuoteHeader(ushort Version, ushort AttestationKeyType, TeeKind Tee, ushort QeSvn, ushort PceSvn, byte[] QeVendorId, byte[] UserData)
{
    /// <summary>Intel's QE vendor id.</summary>
    public static readonly byte[] IntelQeVendorId = Convert.FromHexString("939a7233f79c4ca9940a0db3957f0607");
}

/// <summary>An SGX enclave report body (384 bytes): the enclave quoted by an SGX quote, and the QE's own report.</summary>
/// <param name="CpuSvn">16 bytes.</param>
/// <param name="MiscSelect">The MISCSELECT bits.</param>
/// <param name="Attributes">16 bytes (flags and XFRM).</param>
/// <param name="MrEnclave">32 bytes: the enclave's measurement.</param>
/// <param name="MrSigner">32 bytes: SHA-256 of the enclave signer's key.</param>
/// <param name="IsvProdId">The product id the signer gave the enclave.</param>
/// <param name="IsvSvn">The enclave's security version.</param>
/// <param name="ReportData">64 bytes the enclave chose.</param>
/// <param name="Raw">The 384 bytes as they appear in the quote.</param>
public sealed record SgxReportBody(byte[] CpuSvn, uint MiscSelect, byte[] Attributes, byte[] MrEnclave, byte[] MrSigner, ushort IsvProdId, ushort IsvSvn, byte[] ReportData, byte[] Raw)
{
    /// <summary>Size of an SGX report body.</summary>
    public const int Size = 384;

    internal static SgxReportBody Parse(ReadOnlySpan<byte> b) => new(
        b[..16].ToArray(),
        BinaryPrimitives.ReadUInt32LittleEndian(b[16..20]),
        b[48..64].ToArray(),
        b[64..96].ToArray(),
        b[128..160].ToArray(),
        BinaryPrimitives.ReadUInt16LittleEndian(b[256..258]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[258..260]),
        b[320..384].ToArray(),
        b.ToArray());
}

/// <summary>A TDX TD report body: 584 bytes (TDX 1.0, quote v4 and v5 body type 3) or 648 bytes (TDX 1.5, v5 body type 4).</summary>
/// <param name="TeeTcbSvn">16 bytes: the TDX module and platform TCB SVNs.</param>
/// <param name="MrSeam">48 bytes: the TDX module's measurement.</param>
/// <param name="MrSignerSeam">48 bytes: the TDX module signer (zero for Intel's).</param>
/// <param name="SeamAttributes">8 bytes.</param>
/// <param name="TdAttributes">8 bytes.</param>
/// <param name="Xfam">8 bytes.</param>
/// <param name="MrTd">48 bytes: the initial TD measurement.</param>
/// <param name="MrConfigId">48 bytes.</param>
/// <param name="MrOwner">48 bytes.</param>
/// <param name="MrOwnerConfig">48 bytes.</param>
/// <param name="Rtmrs">Four 48-byte run-time measurement registers RTMR0-3.</param>
/// <param name="ReportData">64 bytes the TD chose.</param>
/// <param name="TeeTcbSvn2">TDX 1.5 only: 16 bytes, else null.</param>
/// <param name="MrServiceTd">TDX 1.5 only: 48 bytes, else null.</param>
public sealed record TdReportBody(
    byte[] TeeTcbSvn, byte[] MrSeam, byte[] MrSignerSeam, byte[] SeamAttributes, byte[] TdAttributes, byte[] Xfam,
    byte[] MrTd, byte[] MrConfigId, byte[] MrOwner, byte[] MrOwnerConfig, IReadOnlyList<byte[]> Rtmrs, byte[] ReportData,
    byte[]? TeeTcbSvn2, byte[]? MrServiceTd)
{
    /// <summary>Size of a TDX 1.0 TD report body.</summary>
    public const int Size10 = 584;

    /// <summary>Size of a TDX 1.5 TD report body.</summary>
    public const int Size15 = 648;

    internal static TdReportBody Parse(ReadOnlySpan<byte> b) => new(
        b[..16].ToArray(), b[16..64].ToArray(), b[64..112].ToArray(), b[112..120].ToArray(), b[120..128].ToArray(), b[128..136].ToArray(),
        b[136..184].ToArray(), b[184..232].ToArray(), b[232..280].ToArray(), b[280..328].ToArray(),
        [b[328..376].ToArray(), b[376..424].ToArray(), b[424..472].ToArray(), b[472..520].ToArray()],
        b[520..584].ToArray(),
        b.Length == Size15 ? b[584..600].ToArray() : null,
        b.Length == Size15 ? b[600..648].ToArray() : null);
}

/// <summary>
/// A parsed Intel DCAP quote (SGX v3, SGX/TDX v4, v5). Parsing checks structure only (lengths, versions, types); nothing is
/// trusted until QuoteVerifier has checked it.
/// </summary>
public sealed class DcapQuote
{
    /// <summary>Attestation key type 2: ECDSA-256 with P-256.</summary>
    public const ushort EcdsaP256KeyType = 2;

    /// <summary>Certification data type 5: the PCK certificate chain as PEM.</summary>
    public const ushort PckChainCertificationType = 5;

    /// <summary>Certification data type 6: QE report certification data (QE report, its signature, auth data, inner type 5).</summary>
    public const ushort QeReportCertificationType = 6;

    private const int HeaderSize = 48;

    private DcapQuote(byte[] raw, QuoteHeader header, int signedLength, SgxReportBody? sgx, TdReportBody? td, byte[] signature, byte[] attestationKey,
        SgxReportBody qeReport, byte[] qeReportRaw, byte[] qeReportSignature, byte[] qeAuthData, string pckChainPem)
    {
        Raw = raw;
        Header = header;
        SignedLength = signedLength;
        SgxBody = sgx;
        TdBody = td;
        Signature = signature;
        AttestationKey = attestationKey;
        QeReport = qeReport;
        QeReportRaw = qeReportRaw;
        QeReportSignature = qeReportSignature;
        QeAuthData = qeAuthData;
        PckChainPem = pckChainPem;
    }

    /// <summary>The quote's bytes up to the end of its signature data (trailing bytes after it are dropped).</summary>
    public byte[] Raw { get; }

    /// <summary>The header.</summary>
    public QuoteHeader Header { get; }

    /// <summary>How many leading bytes of <see cref="Raw"/> the attestation key signed (header and body).</summary>
    public int SignedLength { get; }

    /// <summary>The bytes the attestation key signed.</summary>
    public ReadOnlyMemory<byte> SignedBytes => Raw.AsMemory(0, SignedLength);

    /// <summary>The enclave report body (SGX quotes), else null.</summary>
    public SgxReportBody? SgxBody { get; }

    /// <summary>The TD report body (TDX quotes), else null.</summary>
    public TdReportBody? TdBody { get; }

    /// <summary>The quote signature: ECDSA P-256 r||s (64 bytes) over <see cref="SignedBytes"/>.</summary>
    public byte[] Signature { get; }

    /// <summary>The attestation public key: the P-256 point x||y (64 bytes).</summary>
    public byte[] AttestationKey { get; }

    /// <summary>The quoting enclave's report (signed by the PCK key).</summary>
    public SgxReportBody QeReport { get; }

    /// <summary>The QE report's 384 bytes as signed.</summary>
    public byte[] QeReportRaw { get; }

    /// <summary>The PCK key's ECDSA P-256 signature r||s over the QE report.</summary>
    public byte[] QeReportSignature { get; }

    /// <summary>The QE authentication data (hashed with the attestation key into the QE report data).</summary>
    public byte[] QeAuthData { get; }

    /// <summary>The PCK certificate chain (leaf, PCK Processor/Platform CA, root) as PEM text, trailing NULs removed.</summary>
    public string PckChainPem { get; }

    /// <summary>The report data the quoted enclave or TD chose (64 bytes).</summary>
    public byte[] ReportData => SgxBody?.ReportData ?? TdBody!.ReportData;

    /// <summary>
    /// The measurement, as lower-case hex: SGX <c>mrenclave</c>, <c>mrsigner</c>, <c>isvprodid</c>, <c>isvsvn</c>; TDX <c>mrtd</c>,
    /// <c>rtmr0</c>..<c>rtmr3</c>, <c>mrseam</c>, <c>tee_tcb_svn</c>; both <c>report_data</c>.
    /// </summary>
    /// <returns>Field name to value, in a stable order.</returns>
    public IReadOnlyList<KeyValuePair<string, string>> Measurements()
    {
        var list = new List<KeyValuePair<string, string>>();
        void Add(string k, string v) => list.Add(new(k, v));
        if (SgxBody is { } s)
        {
            Add("mrenclave", Convert.ToHexStringLower(s.MrEnclave));
            Add("mrsigner", Convert.ToHexStringLower(s.MrSigner));
            Add("isvprodid", s.IsvProdId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Add("isvsvn", s.IsvSvn.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Add("attributes", Convert.ToHexStringLower(s.Attributes));
        }
        else
        {
            TdReportBody t = TdBody!;
            Add("mrtd", Convert.ToHexStringLower(t.MrTd));
            for (int i = 0; i < 4; i++)
            {
                Add($"rtmr{i}", Convert.ToHexStringLower(t.Rtmrs[i]));
            }

            Add("mrseam", Convert.ToHexStringLower(t.MrSeam));
            Add("mrsignerseam", Convert.ToHexStringLower(t.MrSignerSeam));
            Add("td_attributes", Convert.ToHexStringLower(t.TdAttributes));
            Add("tee_tcb_svn", Convert.ToHexStringLower(t.TeeTcbSvn));
        }

        Add("report_data", Convert.ToHexStringLower(ReportData));
        return list;
    }

    /// <summary>
    /// The 32-byte measurement hash a keeper puts in the registry's <c>Attestation.measurementHash</c>:
    /// SHA-256("AgentCluster.Measurement.v1" || TEE type (u32 big-endian) || SGX: MRENCLAVE || MRSIGNER || ISVPRODID (u16 BE) || ISVSVN (u16 BE);
    /// TDX: MRTD || RTMR0 || RTMR1 || RTMR2 || MRSEAM).
    /// </summary>
    /// <returns>The hash.</returns>
    public byte[] MeasurementHash()
    {
        var b = new List<byte>(System.Text.Encoding.ASCII.GetBytes("AgentCluster.Measurement.v1"));
        var u32 = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(u32, (uint)Header.Tee);
        b.AddRange(u32);
        if (SgxBody is { } s)
        {
            var u16 = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(u16, s.IsvProdId);
            BinaryPrimitives.WriteUInt16BigEndian(u16.AsSpan(2), s.IsvSvn);
            b.AddRange(s.MrEnclave);
            b.AddRange(s.MrSigner);
            b.AddRange(u16);
        }
        else
        {
            TdReportBody t = TdBody!;
            b.AddRange(t.MrTd);
            b.AddRange(t.Rtmrs[0]);
            b.AddRange(t.Rtmrs[1]);
            b.AddRange(t.Rtmrs[2]);
            b.AddRange(t.MrSeam);
        }

        return System.Security.Cryptography.SHA256.HashData(b.ToArray());
    }

    /// <summary>Parses a quote, strictly.</summary>
    /// <param name="quote">The quote's bytes; bytes after the signature data are allowed and ignored.</param>
    /// <returns>The parsed quote.</returns>
    /// <exception cref="QuoteFormatException">A length, version, type or size is wrong; the message names the field and offset.</exception>
    public static DcapQuote Parse(ReadOnlySpan<byte> quote)
    {
        var r = new QuoteReader(quote, 0, quote.Length);
        ushort version = r.U16("header.version");
        if (version is not (3 or 4 or 5))
        {
            throw new QuoteFormatException("header.version", 0, $"version {version} is not supported (3, 4 or 5)");
        }

        ushort keyType = r.U16("header.attestation_key_type");
        if (keyType != EcdsaP256KeyType)
        {
            throw new QuoteFormatException("header.attestation_key_type", 2, $"type {keyType} is not ECDSA-256 with P-256 (2)");
        }

        uint teeType = r.U32("header.tee_type");
        TeeKind tee = teeType switch
        {
            0u => TeeKind.Sgx,
            0x81u => TeeKind.Tdx,
            _ => throw new QuoteFormatException("header.tee_type", 4, $"0x{teeType:x8} is neither SGX (0x00000000) nor TDX (0x00000081)"),
        };
        if (version == 3 && tee != TeeKind.Sgx)
        {
            throw new QuoteFormatException("header.tee_type", 4, "a version 3 quote must be SGX");
        }

        ushort qeSvn = r.U16("header.qe_svn");
        ushort pceSvn = r.U16("header.pce_svn");
        byte[] vendor = r.Take(16, "header.qe_vendor_id").ToArray();
        byte[] userData = r.Take(20, "header.user_data").ToArray();
        var header = new QuoteHeader(version, keyType, tee, qeSvn, pceSvn, vendor, userData);

        SgxReportBody? sgx = null;
        TdReportBody? td = null;
        if (version == 5)
        {
            int typeAt = r.Position;
            ushort bodyType = r.U16("body.type");
            int sizeAt = r.Position;
            uint bodySize = r.U32("body.size");
            int expected = bodyType switch
            {
                2 => SgxReportBody.Size,
                3 => TdReportBody.Size10,
                4 => TdReportBody.Size15,
                _ => throw new QuoteFormatException("body.type", typeAt, $"type {bodyType} is not 2 (SGX), 3 (TDX 1.0) or 4 (TDX 1.5)"),
            };
            if ((bodyType == 2) != (tee == TeeKind.Sgx))
            {
                throw new QuoteFormatException("body.type", typeAt, $"type {bodyType} does not match the header's TEE type {tee}");
            }

            if (bodySize != expected)
            {
                throw new QuoteFormatException("body.size", sizeAt, $"{bodySize} bytes, but body type {bodyType} is {expected}");
            }

            ReadOnlySpan<byte> body = r.Take(expected, "body");
            if (bodyType == 2)
            {
                sgx = SgxReportBody.Parse(body);
            }
            else
            {
                td = TdReportBody.Parse(body);
            }
        }
        else if (tee == TeeKind.Sgx)
        {
            sgx = SgxReportBody.Parse(r.Take(SgxReportBody.Size, "body (SGX report)"));
        }
        else
        {
            td = TdReportBody.Parse(r.Take(TdReportBody.Size10, "body (TD report)"));
        }

        int signedLength = r.Position;
        int sigLength = r.Length32("signature_data.length");
        int sigStart = r.Position;
        int sigEnd = sigStart + sigLength;
        var s = new QuoteReader(quote, sigStart, sigEnd);
        byte[] signature = s.Take(64, "signature_data.quote_signature").ToArray();
        byte[] attestationKey = s.Take(64, "signature_data.attestation_key").ToArray();

        byte[] qeReportRaw;
        byte[] qeSignature;
        byte[] authData;
        string pem;
        if (version == 3)
        {
            (qeReportRaw, qeSignature, authData, pem) = ReadQeCertificationData(ref s, "signature_data");
        }
        else
        {
            int typeAt = s.Position;
            ushort certType = s.U16("signature_data.certification_data.type");
            if (certType != QeReportCertificationType)
            {
                throw new QuoteFormatException("signature_data.certification_data.type", typeAt, $"type {certType}, expected 6 (QE report certification data)");
            }

            int size = s.Length32("signature_data.certification_data.size");
            int innerStart = s.Position;
            s.Take(size, "signature_data.certification_data");
            var inner = new QuoteReader(quote, innerStart, innerStart + size);
            (qeReportRaw, qeSignature, authData, pem) = ReadQeCertificationData(ref inner, "signature_data.certification_data");
            if (inner.Remaining != 0)
            {
                throw new QuoteFormatException("signature_data.certification_data.size", innerStart - 4, $"{inner.Remaining} bytes left over after the inner certification data");
            }
        }

        if (s.Remaining != 0)
        {
            throw new QuoteFormatException("signature_data.length", signedLength, $"{s.Remaining} bytes left over after the certification data");
        }

        return new DcapQuote(quote[..sigEnd].ToArray(), header, signedLength, sgx, td, signature, attestationKey,
            SgxReportBody.Parse(qeReportRaw), qeReportRaw, qeSignature, authData, pem);
    }

    private static (byte[] QeReport, byte[] QeSignature, byte[] AuthData, string Pem) ReadQeCertificationData(ref QuoteReader r, string prefix)
    {
        byte[] qeReport = r.Take(SgxReportBody.Size, prefix + ".qe_report").ToArray();
        byte[] qeSignature = r.Take(64, prefix + ".qe_report_signature").ToArray();
        ushort authLength = r.U16(prefix + ".qe_auth_data.length");
        byte[] auth = r.Take(authLength, prefix + ".qe_auth_data").ToArray();
        int typeAt = r.Position;
        ushort type = r.U16(prefix + ".pck_certification_data.type");
        if (type != PckChainCertificationType)
        {
            throw new QuoteFormatException(prefix + ".pck_certification_data.type", typeAt, $"type {type}, expected 5 (PCK certificate chain, PEM)");
        }

        int size = r.Length32(prefix + ".pck_certification_data.size");
        int pemAt = r.Position;
        ReadOnlySpan<byte> pemBytes = r.Take(size, prefix + ".pck_certification_data");
        string pem;
        try
        {
            pem = new System.Text.UTF8Encoding(false, true).GetString(pemBytes).TrimEnd('\0');
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new QuoteFormatException(prefix + ".pck_certification_data", pemAt, "the PCK chain is not UTF-8 text");
        }

        return (qeReport, qeSignature, auth, pem);
    }
}
