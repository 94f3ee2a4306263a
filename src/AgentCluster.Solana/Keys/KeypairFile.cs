using System.Text;
using System.Text.Json;

namespace AgentCluster.Solana.Keys;

/// <summary>A keypair file that cannot be used: bad JSON, wrong length, a byte out of range, or a public half that is not the seed's.</summary>
public sealed class KeypairFileException : Exception
{
    /// <summary>An error about <paramref name="path"/>.</summary>
    public KeypairFileException(string path, string message, Exception? inner = null)
        : base($"Keypair file '{path}': {message}", inner) => FilePath = path;

    /// <summary>The file (or the source name given to <see cref="KeypairFile.Parse"/>).</summary>
    public string FilePath { get; }
}

/// <summary>
/// The Solana CLI's keypair file (<c>solana-keygen new -o id.json</c>): a JSON array of 64 numbers, the 32-byte secret seed then
/// the 32-byte public key. Reading checks the public half against the seed; writing creates the file with 0600 permissions.
/// </summary>
public static class KeypairFile
{
    /// <summary>Reads a keypair file.</summary>
    /// <exception cref="FileNotFoundException">No such file (the message names it).</exception>
    /// <exception cref="KeypairFileException">Not the CLI's format, or the halves do not match (the message names the file and says what is wrong).</exception>
    public static Account Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Keypair file '{path}' does not exist.", path);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses the CLI's JSON; <paramref name="source"/> names where it came from in errors.</summary>
    /// <exception cref="KeypairFileException">Not a JSON array of 64 numbers 0..255, or the public half is not the seed's public key.</exception>
    public static Account Parse(string json, string source = "(text)")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        byte[] bytes;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new KeypairFileException(source, $"expected a JSON array of {Account.SecretKeyLength} numbers, found a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            }

            int count = document.RootElement.GetArrayLength();
            if (count != Account.SecretKeyLength)
            {
                throw new KeypairFileException(source, $"expected {Account.SecretKeyLength} numbers (secret seed then public key), found {count}.");
            }

            bytes = new byte[count];
            int i = 0;
            foreach (JsonElement element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int value) || value is < 0 or > 255)
                {
                    throw new KeypairFileException(source, $"element {i} is {element.GetRawText()}, not a byte (an integer 0..255).");
                }

                bytes[i++] = (byte)value;
            }
        }
        catch (JsonException e)
        {
            throw new KeypairFileException(source, $"not valid JSON: {e.Message}", e);
        }

        try
        {
            return Account.FromSecretKey(bytes);
        }
        catch (ArgumentException e)
        {
            throw new KeypairFileException(source, e.Message.Split(" (Parameter")[0], e);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    /// <summary>The CLI's JSON for <paramref name="account"/> (<c>[n,n,...]</c>, 64 numbers, no spaces).</summary>
    public static string Serialize(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        byte[] secret = account.SecretKey;
        string json = "[" + string.Join(',', secret) + "]";
        Array.Clear(secret);
        return json;
    }

    /// <summary>
    /// Writes <paramref name="account"/> to <paramref name="path"/> in the CLI's format, readable and writable by the owner only
    /// (0600, set as the file is created).
    /// </summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, Account account, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(account);
        if (!overwrite && File.Exists(path))
        {
            throw new IOException($"Keypair file '{path}' already exists; pass overwrite: true to replace it.");
        }

        if (overwrite && File.Exists(path))
        {
            // Replaced, not rewritten in place, so the secret never sits in a file with the old (perhaps wider) mode.
            File.Delete(path);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            byte[] text = Encoding.UTF8.GetBytes(Serialize(account));
            stream.Write(text);
        }
    }
}
