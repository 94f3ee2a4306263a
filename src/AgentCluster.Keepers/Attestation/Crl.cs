using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentCluster.Keepers.Attestation;

/// <summary>
/// An X.509 CRL read with System.Formats.Asn1 (the BCL has no CRL reader that exposes the issuer, dates and entries); its
/// signature is verified with the issuer certificate's ECDSA key by <see cref="IsSignedBy"/>.
/// </summary>
public sealed class Crl
{
    private readonly byte[] _tbs;
    private readonly byte[] _signature;
    private readonly HashSet<BigInteger> _revoked;

    private Crl(byte[] tbs, byte[] signature, X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<BigInteger> revoked)
    {
        _tbs = tbs;
        _signature = signature;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
    }

    /// <summary>The CRL issuer's name.</summary>
    public X500DistinguishedName Issuer { get; }

    /// <summary>When it was issued.</summary>
    public DateTimeOffset ThisUpdate { get; }

    /// <summary>When the next one is due, if stated.</summary>
    public DateTimeOffset? NextUpdate { get; }

    /// <summary>How many certificates it revokes.</summary>
    public int RevokedCount => _revoked.Count;

    /// <summary>Parses a DER CRL.</summary>
    /// <param name="der">The CRL.</param>
    /// <returns>The CRL.</returns>
    /// <exception cref="FormatException">It is not a DER CRL.</exception>
    public static Crl Parse(byte[] der)
    {
        try
        {
            AsnReader outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            byte[] tbsBytes = outer.ReadEncodedValue().ToArray();
            outer.ReadSequence();
            byte[] signature = outer.ReadBitString(out _);
            AsnReader tbs = new AsnReader(tbsBytes, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }

            tbs.ReadSequence();
            var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
            DateTimeOffset thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                nextUpdate = ReadTime(tbs);
            }

            var revoked = new HashSet<BigInteger>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                AsnReader entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    AsnReader entry = entries.ReadSequence();
                    revoked.Add(entry.ReadInteger());
                }
            }

            return new Crl(tbsBytes, signature, issuer, thisUpdate, nextUpdate, revoked);
        }
        catch (AsnContentException e)
        {
            throw new FormatException($"not a DER CRL: {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s subject is this CRL's issuer and its ECDSA key verifies the CRL signature.</summary>
    /// <param name="issuer">The candidate issuer.</param>
    /// <returns>Whether it signed this CRL.</returns>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData))
        {
            return false;
        }

        using ECDsa? key = issuer.GetECDsaPublicKey();
        return key is not null && key.VerifyData(_tbs, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Whether <paramref name="certificate"/> (issued by this CRL's issuer) is listed.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>Whether it is revoked.</returns>
    public bool Revokes(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.IssuerName.RawData.AsSpan().SequenceEqual(Issuer.RawData)
            && _revoked.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
