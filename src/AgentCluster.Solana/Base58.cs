namespace AgentCluster.Solana;

/// <summary>Base58 with Bitcoin's alphabet (Solana's), through SimpleBase.</summary>
public static class Base58
{
    /// <summary>Encodes bytes.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => SimpleBase.Base58.Bitcoin.Encode(bytes);

    /// <summary>Decodes text.</summary>
    /// <exception cref="FormatException">A character outside the alphabet.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return SimpleBase.Base58.Bitcoin.Decode(text);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"'{(text.Length <= 60 ? text : text[..60] + "…")}' is not base58: {e.Message}", e);
        }
    }
}
