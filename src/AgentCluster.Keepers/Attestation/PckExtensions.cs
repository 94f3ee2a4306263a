using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace AgentCluster.Keepers.Attestation;

/// <summary>
/// The Intel SGX extensions of a PCK certificate (OID 1.2.840.113741.1.13.1): the platform's FMSPC, PCE id and the TCB
/// it was certified at (16 CPUSVN components and the PCESVN).
/// </summary>
/// <param name="Fmspc">6 bytes: the platform family (selects the TCB Info).</param>
/// <param name="PceId">2 bytes.</param>
/// <param name="CpuSvnComponents">The 16 SGX TCB component SVNs.</param>
/// <param name="PceSvn">The PCE security version.</param>
public sealed record PckExtensions(byte[] Fmspc, byte[] PceId, IReadOnlyList<int> CpuSvnComponents, int PceSvn)
{
    /// <summary>The OID of Intel's SGX extension.</summary>
    public const string SgxExtensionOid = "1.2.840.113741.1.13.1";

    /// <summary>Reads the SGX extension of a PCK certificate.</summary>
    /// <param name="pck">The PCK leaf certificate.</param>
    /// <returns>The extension's values.</returns>
    /// <exception cref="FormatException">The extension is missing or malformed.</exception>
    public static PckExtensions Read(X509Certificate2 pck)
    {
        ArgumentNullException.ThrowIfNull(pck);
        X509Extension extension = pck.Extensions[SgxExtensionOid] ?? throw new FormatException($"the PCK certificate has no SGX extension ({SgxExtensionOid})");
        try
        {
            byte[]? fmspc = null;
            byte[]? pceId = null;
            var components = new int[16];
            int? pceSvn = null;
            int seen = 0;
            var outer = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (outer.HasData)
            {
                AsnReader entry = outer.ReadSequence();
                string oid = entry.ReadObjectIdentifier();
                switch (oid)
                {
                    case SgxExtensionOid + ".2":
                        AsnReader tcb = entry.ReadSequence();
                        while (tcb.HasData)
                        {
                            AsnReader item = tcb.ReadSequence();
                            string itemOid = item.ReadObjectIdentifier();
                            int index = int.Parse(itemOid[(SgxExtensionOid.Length + 3)..], System.Globalization.CultureInfo.InvariantCulture);
                            if (index is >= 1 and <= 16)
                            {
                                components[index - 1] = (int)item.ReadInteger();
                                seen |= 1 << (index - 1);
                            }
                            else if (index == 17)
                            {
                                pceSvn = (int)item.ReadInteger();
                            }
                        }

                        break;
                    case SgxExtensionOid + ".3":
                        pceId = entry.ReadOctetString();
                        break;
                    case SgxExtensionOid + ".4":
                        fmspc = entry.ReadOctetString();
                        break;
                }
            }

            if (fmspc is not { Length: 6 } || pceId is not { Length: 2 } || pceSvn is null || seen != 0xFFFF)
            {
                throw new FormatException("the SGX extension lacks the FMSPC, PCE id, PCESVN or one of the 16 CPUSVN components");
            }

            return new PckExtensions(fmspc, pceId, components, pceSvn.Value);
        }
        catch (Exception e) when (e is AsnContentException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new FormatException($"the PCK certificate's SGX extension is malformed: {e.Message}", e);
        }
    }
}

