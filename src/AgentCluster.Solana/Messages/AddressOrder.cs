namespace AgentCluster.Solana.Messages;

/// <summary>
/// The order @solana/kit sorts addresses in within a message's account group: its <c>getAddressComparator</c>, an ICU collator
/// (<c>Intl.Collator('en', { caseFirst: 'lower', sensitivity: 'variant', numeric: false })</c>) over the base58 text. For base58's
/// characters that is: compare case-insensitively (digits before letters, a shorter prefix first); when equal so, the first
/// position where the case differs decides, lower case first.
/// </summary>
public sealed class AddressOrder : IComparer<PublicKey>, IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static AddressOrder Instance { get; } = new();

    private AddressOrder()
    {
    }

    /// <inheritdoc/>
    public int Compare(PublicKey? x, PublicKey? y) => Compare(x?.Key, y?.Key);

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            int c = char.ToLowerInvariant(x[i]).CompareTo(char.ToLowerInvariant(y[i]));
            if (c != 0)
            {
                return c;
            }
        }

        if (x.Length != y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }

        for (int i = 0; i < n; i++)
        {
            if (x[i] != y[i])
            {
                return char.IsLower(x[i]) ? -1 : 1;
            }
        }

        return 0;
    }
}
