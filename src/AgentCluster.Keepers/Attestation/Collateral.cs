using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentCluster.Keepers.Attestation;

/// <summary>
/// A signed collateral document (TCB Info or (TD) QE Identity): the body exactly as signed, its parsed JSON and Intel's
/// ECDSA P-256 signature (r||s) over those bytes. The body is never re-serialised.
/// </summary>
public sealed class SignedCollateral
{
    private SignedCollateral(string source, byte[] signedBody, byte[] signature, JsonElement body)
    {
        Source = source;
        SignedBody = signedBody;
        Signature = signature;
        Body = body;
        IssueDate = Date("issueDate");
        NextUpdate = Date("nextUpdate");
    }

    /// <summary>Where it was read from (a file name), for messages.</summary>
    public string Source { get; }

    /// <summary>The signed bytes.</summary>
    public byte[] SignedBody { get; }

    /// <summary>The signature r||s (64 bytes).</summary>
    public byte[] Signature { get; }

    /// <summary>The parsed body.</summary>
    public JsonElement Body { get; }

    /// <summary>The body's <c>id</c> (TCB Info v2 has none: "SGX" is assumed).</summary>
    public string Id => Body.TryGetProperty("id", out JsonElement id) ? id.GetString() ?? "" : "SGX";

    /// <summary>The body's <c>version</c>.</summary>
    public int Version => Body.GetProperty("version").GetInt32();

    /// <summary>When Intel issued it.</summary>
    public DateTimeOffset IssueDate { get; }

    /// <summary>When Intel will have issued the next one: after this it is stale.</summary>
    public DateTimeOffset NextUpdate { get; }

    /// <summary>
    /// Reads one signed document from the Intel format <c>{"tcbInfo":BODY,"signature":"HEX"}</c> (or <c>"enclaveIdentity"</c>),
    /// where the signed bytes are BODY exactly as it appears in the file.
    /// </summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="property"><c>tcbInfo</c> or <c>enclaveIdentity</c>.</param>
    /// <param name="source">A name for messages.</param>
    /// <returns>The document.</returns>
    /// <exception cref="FormatException">The file is not that format.</exception>
    public static SignedCollateral FromIntelFormat(byte[] json, string property, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reader = new Utf8JsonReader(json);
        byte[]? body = null;
        string? signature = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException($"{source}: not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                if (name == property && reader.TokenType == JsonTokenType.StartObject)
                {
                    long start = reader.TokenStartIndex;
                    reader.Skip();
                    body = json[(int)start..(int)reader.BytesConsumed];
                }
                else if (name == "signature" && reader.TokenType == JsonTokenType.String)
                {
                    signature = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON: {e.Message}", e);
        }

        if (body is null || signature is null)
        {
            throw new FormatException($"{source}: expected {{\"{property}\":{{...}},\"signature\":\"<hex>\"}}");
        }

        return Create(source, body, signature);
    }

    /// <summary>Creates a document from its signed body bytes and hex signature (e.g. from a PCCS-style bundle, where the body is a JSON string).</summary>
    /// <param name="source">A name for messages.</param>
    /// <param name="signedBody">The signed bytes.</param>
    /// <param name="signatureHex">The signature r||s in hex.</param>
    /// <returns>The document.</returns>
    /// <exception cref="FormatException">The body is not JSON or the signature not 64 bytes of hex.</exception>
    public static SignedCollateral Create(string source, byte[] signedBody, string signatureHex)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromHexString(signatureHex);
        }
        catch (FormatException)
        {
            throw new FormatException($"{source}: the signature is not hex");
        }

        if (signature.Length != 64)
        {
            throw new FormatException($"{source}: the signature has {signature.Length} bytes, expected 64 (r||s)");
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(signedBody);
            var collateral = new SignedCollateral(source, signedBody, signature, document.RootElement.Clone());
            return collateral;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"{source}: the signed body is not a collateral document: {e.Message}", e);
        }
    }

    private DateTimeOffset Date(string name) =>
        DateTimeOffset.Parse(Body.GetProperty(name).GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

/// <summary>
/// The collateral a quote is checked against: TCB Info, (TD) QE Identity, the certificates that sign them, and the CRLs
/// (Root CA CRL, PCK Processor/Platform CA CRL). Any part may be missing; what is missing is reported as not checked.
/// </summary>
public sealed class QuoteCollateral
{
    /// <summary>The TCB Info for the quote's FMSPC, or null.</summary>
    public SignedCollateral? TcbInfo { get; init; }

    /// <summary>The QE Identity (SGX) or TD QE Identity (TDX), or null.</summary>
    public SignedCollateral? QeIdentity { get; init; }

    /// <summary>Intel SGX TCB Signing certificates (any that chain to the pinned root; the one valid at the check time is used).</summary>
    public IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> TcbSigningCertificates { get; init; } = [];

    /// <summary>DER-encoded CRLs (Root CA CRL and PCK CA CRLs).</summary>
    public IReadOnlyList<byte[]> Crls { get; init; } = [];

    /// <summary>
    /// Loads the collateral for a quote from a folder: Intel-format TCB Info / (TD) QE Identity JSON files,
    /// dcap-qvl style bundles (<c>tcb_info</c>, <c>qe_identity</c>, <c>*_crl</c>, <c>*_issuer_chain</c>), TCB signing certificates
    /// (<c>*.pem</c>, <c>*.der</c> named <c>tcb_signing*</c>) and CRLs (<c>*crl*.der</c>, <c>*crl*.pem</c>). Of several TCB Infos
    /// matching the quote's FMSPC (and of several QE identities), the newest issued at or before <paramref name="at"/> is taken,
    /// else the oldest.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="fmspc">The quote's FMSPC (from its PCK certificate), 6 bytes.</param>
    /// <param name="tee">The quote's TEE (selects TCB Info id SGX/TDX and QE id QE/TD_QE).</param>
    /// <param name="at">The check time.</param>
    /// <returns>The collateral found.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FormatException">A file that looks like collateral is malformed.</exception>
    public static QuoteCollateral LoadDirectory(string directory, byte[] fmspc, TeeKind tee, DateTimeOffset at)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"collateral folder '{directory}' does not exist");
        }

        return LoadFiles(Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal), fmspc, tee, at);
    }

    /// <summary>Loads the collateral for a quote from the given files, chosen as <see cref="LoadDirectory"/> does.</summary>
    /// <param name="files">Collateral files (see <see cref="LoadDirectory"/> for the formats recognised by name and content).</param>
    /// <param name="fmspc">The quote's FMSPC, 6 bytes.</param>
    /// <param name="tee">The quote's TEE.</param>
    /// <param name="at">The check time.</param>
    /// <returns>The collateral found.</returns>
    /// <exception cref="FormatException">A file that looks like collateral is malformed.</exception>
    public static QuoteCollateral LoadFiles(IEnumerable<string> files, byte[] fmspc, TeeKind tee, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fmspc);
        string wantTcbId = tee == TeeKind.Tdx ? "TDX" : "SGX";
        string wantQeId = tee == TeeKind.Tdx ? "TD_QE" : "QE";
        var tcbInfos = new List<SignedCollateral>();
        var qeIdentities = new List<SignedCollateral>();
        var signing = new List<System.Security.Cryptography.X509Certificates.X509Certificate2>();
        var crls = new List<byte[]>();
        foreach (string path in files)
        {
            try
            {
                string name = Path.GetFileName(path);
                string lower = name.ToLowerInvariant();
                if (lower.EndsWith(".json", StringComparison.Ordinal))
                {
                    byte[] bytes = File.ReadAllBytes(path);
                    using JsonDocument doc = JsonDocument.Parse(bytes);
                    JsonElement root = doc.RootElement;
                    if (root.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    if (root.TryGetProperty("tcbInfo", out _))
                    {
                        tcbInfos.Add(SignedCollateral.FromIntelFormat(bytes, "tcbInfo", name));
                    }
                    else if (root.TryGetProperty("enclaveIdentity", out _))
                    {
                        qeIdentities.Add(SignedCollateral.FromIntelFormat(bytes, "enclaveIdentity", name));
                    }
                    else if (root.TryGetProperty("tcb_info", out JsonElement tcb) && tcb.ValueKind == JsonValueKind.String)
                    {
                        tcbInfos.Add(SignedCollateral.Create(name + "#tcb_info", Encoding.UTF8.GetBytes(tcb.GetString()!), root.GetProperty("tcb_info_signature").GetString()!));
                        if (root.TryGetProperty("qe_identity", out JsonElement qe) && qe.ValueKind == JsonValueKind.String)
                        {
                            qeIdentities.Add(SignedCollateral.Create(name + "#qe_identity", Encoding.UTF8.GetBytes(qe.GetString()!), root.GetProperty("qe_identity_signature").GetString()!));
                        }

                        foreach (string field in new[] { "root_ca_crl", "pck_crl" })
                        {
                            if (root.TryGetProperty(field, out JsonElement crl) && crl.ValueKind == JsonValueKind.String)
                            {
                                crls.Add(Convert.FromHexString(crl.GetString()!));
                            }
                        }

                        foreach (string field in new[] { "tcb_info_issuer_chain", "qe_identity_issuer_chain" })
                        {
                            if (root.TryGetProperty(field, out JsonElement chain) && chain.ValueKind == JsonValueKind.String)
                            {
                                var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                                collection.ImportFromPem(chain.GetString()!);
                                signing.AddRange(collection.Where(c => c.Subject.Contains("TCB Signing", StringComparison.Ordinal)));
                            }
                        }
                    }
                }
                else if (lower.Contains("crl", StringComparison.Ordinal))
                {
                    byte[] bytes = File.ReadAllBytes(path);
                    crls.Add(lower.EndsWith(".pem", StringComparison.Ordinal) ? PemDer(bytes, name) : bytes);
                }
                else if (lower.StartsWith("tcb_signing", StringComparison.Ordinal))
                {
                    var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                    if (lower.EndsWith(".pem", StringComparison.Ordinal))
                    {
                        collection.ImportFromPemFile(path);
                    }
                    else
                    {
                        collection.Add(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(path));
                    }

                    signing.AddRange(collection.Where(c => c.Subject.Contains("TCB Signing", StringComparison.Ordinal)));
                }
            }
            catch (Exception e) when (e is JsonException or System.Security.Cryptography.CryptographicException or InvalidOperationException or KeyNotFoundException)
            {
                throw new FormatException($"collateral file '{Path.GetFileName(path)}' is malformed: {e.Message}", e);
            }
        }

        return new QuoteCollateral
        {
            TcbInfo = Pick(tcbInfos.Where(t => t.Id == wantTcbId && FmspcOf(t).Equals(Convert.ToHexString(fmspc), StringComparison.OrdinalIgnoreCase)), at),
            QeIdentity = Pick(qeIdentities.Where(q => q.Id == wantQeId), at),
            TcbSigningCertificates = signing,
            Crls = crls,
        };
    }

    private static string FmspcOf(SignedCollateral c) => c.Body.TryGetProperty("fmspc", out JsonElement f) ? f.GetString() ?? "" : "";

    private static SignedCollateral? Pick(IEnumerable<SignedCollateral> candidates, DateTimeOffset at)
    {
        var list = candidates.OrderBy(c => c.IssueDate).ToList();
        return list.LastOrDefault(c => c.IssueDate <= at) ?? list.FirstOrDefault();
    }

    private static byte[] PemDer(byte[] pem, string name)
    {
        string text = Encoding.ASCII.GetString(pem);
        System.Security.Cryptography.PemFields fields = System.Security.Cryptography.PemEncoding.Find(text);
        return Convert.FromBase64String(text[fields.Base64Data]) is { Length: > 0 } der ? der : throw new FormatException($"{name}: empty PEM");
    }
}
