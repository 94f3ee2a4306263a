namespace AgentCluster.Keepers.Attestation;

/// <summary>
/// A DCAP quote is malformed: a length, version, type or size does not hold. <see cref="Field"/> names the field and
/// <see cref="Offset"/> the byte offset in the quote where it was read, so that a bad quote is never an index error.
/// </summary>
public sealed class QuoteFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="field"/> at <paramref name="offset"/>.</summary>
    /// <param name="field">The quote field that is wrong (e.g. <c>header.version</c>).</param>
    /// <param name="offset">The byte offset in the quote where the field starts.</param>
    /// <param name="problem">What is wrong with it.</param>
    public QuoteFormatException(string field, int offset, string problem)
        : base($"Malformed DCAP quote: {field} at offset {offset}: {problem}")
    {
        Field = field;
        Offset = offset;
    }

    /// <summary>The quote field that is wrong.</summary>
    public string Field { get; }

    /// <summary>The byte offset in the quote where the field starts.</summary>
    public int Offset { get; }
}
