using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AgentCluster.Keepers.Attestation;

namespace AgentCluster.Keepers.Tests;

/// <summary>
/// The tests' own CA chain (root -> PCK-like intermediate -> PCK-like leaf with an SGX extension), made with .NET's
/// CertificateRequest, and synthetic quotes signed with the tests' own ECDSA keys. For tests only.
/// </summary>
internal sealed class TestPki : IDisposable
{
    public static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset NotAfter = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Inside = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestPki(string rootName = "Test SGX Root CA")
    {
        var rootReq = new CertificateRequest($"CN={rootName}, O=AgentCluster Tests", _rootKey, HashAlgorithmName.SHA256);
        rootReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        rootReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Root = rootReq.CreateSelfSigned(NotBefore, NotAfter.AddYears(3));

        var caReq = new CertificateRequest("CN=Test SGX PCK Platform CA, O=AgentCluster Tests", _caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Intermediate = caReq.Create(Root, NotBefore, NotAfter.AddYears(2), [1, 2, 3]).CopyWithPrivateKey(_caKey);

        var leafReq = new CertificateRequest("CN=Test SGX PCK Certificate, O=AgentCluster Tests", _leafKey, HashAlgorithmName.SHA256);
        leafReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafReq.CertificateExtensions.Add(new X509Extension(PckExtensions.SgxExtensionOid, SgxExtension(), false));
        Leaf = leafReq.Create(Intermediate, NotBefore, NotAfter, [4, 5, 6]);
    }

    /// <summary>The self-signed root (with its private key, so it can sign CRLs).</summary>
    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public X509Certificate2 Leaf { get; }

    public static readonly byte[] Fmspc = [0x00, 0x90, 0x6e, 0xa1, 0x00, 0x00];

    public string ChainPem => Leaf.ExportCertificatePem() + "\n" + Intermediate.ExportCertificatePem() + "\n" + Root.ExportCertificatePem() + "\n";

    /// <summary>A synthetic quote: SGX v3, TDX v4, or v5 with body type 2, 3 or 4.</summary>
    public byte[] Quote(int version, TeeKind tee, int v5BodyType = 0, byte[]? reportData = null)
    {
        using ECDsa attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ECParameters p = attestationKey.ExportParameters(false);
        byte[] attKey = [.. p.Q.X!, .. p.Q.Y!];
        var signed = new List<byte>();
        var header = new byte[48];
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)version);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)tee);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), 9);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), 13);
        QuoteHeader.IntelQeVendorId.CopyTo(header, 12);
        signed.AddRange(header);
        int bodySize = tee == TeeKind.Sgx ? 384 : v5BodyType == 4 ? 648 : 584;
        var body = new byte[bodySize];
        RandomNumberGenerator.Fill(body);
        int reportDataAt = tee == TeeKind.Sgx ? 320 : 520;
        (reportData ?? new byte[64]).CopyTo(body, reportDataAt);
        if (version == 5)
        {
            var descriptor = new byte[6];
            BinaryPrimitives.WriteUInt16LittleEndian(descriptor, (ushort)v5BodyType);
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(2), (uint)bodySize);
            signed.AddRange(descriptor);
        }

        signed.AddRange(body);
        byte[] signedBytes = [.. signed];
        byte[] quoteSignature = attestationKey.SignData(signedBytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        byte[] auth = Encoding.ASCII.GetBytes("synthetic QE authentication data");
        var qeReport = new byte[384];
        RandomNumberGenerator.Fill(qeReport.AsSpan(0, 320));
        SHA256.HashData([.. attKey, .. auth]).CopyTo(qeReport, 320);
        byte[] qeSignature = _leafKey.SignData(qeReport, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        byte[] pem = [.. Encoding.ASCII.GetBytes(ChainPem), 0];

        var qeCert = new List<byte>();
        qeCert.AddRange(qeReport);
        qeCert.AddRange(qeSignature);
        qeCert.AddRange(U16((ushort)auth.Length));
        qeCert.AddRange(auth);
        qeCert.AddRange(U16(5));
        qeCert.AddRange(U32((uint)pem.Length));
        qeCert.AddRange(pem);

        var sig = new List<byte>();
        sig.AddRange(quoteSignature);
        sig.AddRange(attKey);
        if (version == 3)
        {
            sig.AddRange(qeCert);
        }
        else
        {
            sig.AddRange(U16(6));
            sig.AddRange(U32((uint)qeCert.Count));
            sig.AddRange(qeCert);
        }

        return [.. signedBytes, .. U32((uint)sig.Count), .. sig];
    }

    public void Dispose()
    {
        _rootKey.Dispose();
        _caKey.Dispose();
        _leafKey.Dispose();
    }

    private static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    private static byte[] SgxExtension()
    {
        const string oid = PckExtensions.SgxExtensionOid;
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(oid + ".2");
                using (w.PushSequence())
                {
                    for (int i = 1; i <= 17; i++)
                    {
                        using (w.PushSequence())
                        {
                            w.WriteObjectIdentifier($"{oid}.2.{i}");
                            w.WriteInteger(i == 17 ? 13 : 2);
                        }
                    }
                }
            }

            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(oid + ".3");
                w.WriteOctetString([0, 0]);
            }

            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(oid + ".4");
                w.WriteOctetString(Fmspc);
            }
        }

        return w.Encode();
    }
}
