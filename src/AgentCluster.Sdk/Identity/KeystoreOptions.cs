namespace AgentCluster.Sdk.Identity;

/// <summary>How <see cref="AgentKey.ExportKeystoreAsync"/> writes a Web3 Secret Storage (v3) keystore file.</summary>
public sealed class KeystoreOptions
{
    /// <summary>The smallest scrypt cost accepted (2^10).</summary>
    public const int MinScryptN = 1 << 10;

    /// <summary>The largest scrypt cost accepted (2^20: 1 GiB of memory with r = 8).</summary>
    public const int MaxScryptN = 1 << 20;

    /// <summary>
    /// scrypt's cost parameter N, a power of two between 2^10 and 2^20; 2^18 by default (geth's and cast's "standard" cost).
    /// r is always 8 and p always 1: Nethereum's own defaults (r = 1, p = 8) break RFC 7914 and cast refuses such files.
    /// </summary>
    public int ScryptN { get; init; } = 1 << 18;

    /// <summary>Replace an existing file at the path; false (the default) refuses with an <see cref="IOException"/>.</summary>
    public bool Overwrite { get; init; }

    internal void Validate()
    {
        if (ScryptN < MinScryptN || ScryptN > MaxScryptN || (ScryptN & (ScryptN - 1)) != 0)
        {
            throw new ArgumentException($"The scrypt cost N must be a power of two between 2^10 and 2^20, not {ScryptN}.", nameof(ScryptN));
        }
    }
}
