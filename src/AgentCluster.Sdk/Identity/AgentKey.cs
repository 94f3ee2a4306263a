using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using AgentCluster.Evm.Signing;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Crypto;
using Nethereum.KeyStore.Model;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Sdk.Identity;

/// <summary>
/// An agent's secp256k1 key: its address, its <see cref="AgentId"/> (<c>uint256(uint160(address))</c>, as AgentRegistry
/// derives it), a <see cref="Secp256k1Signer"/> that signs with every valid key (including those below 2^248), and a Nethereum
/// <see cref="Account"/> for a chain on demand. Created fresh from the operating system's CSPRNG, or imported from hex, an
/// environment variable, a Web3 Secret Storage keystore or a Nethereum account; exported as a keystore cast can read.
/// <see cref="ToString"/> and every exception name the address only, never the key.
/// </summary>
public sealed class AgentKey
{
    private readonly byte[] _privateKey; // always 32 bytes, leading zeros kept

    private AgentKey(byte[] privateKey)
    {
        Signer = new Secp256k1Signer(privateKey); // validates: 32 bytes, 1..n-1 (its messages never echo the key)
        _privateKey = privateKey;
        Address = Signer.Address;
        Id = AgentId.FromAddress(Address);
    }

    /// <summary>The key's address, EIP-55 checksummed (the on-chain <c>agentKey</c>).</summary>
    public string Address { get; }

    /// <summary>The agent id this key registers as: <c>uint256(uint160(Address))</c>.</summary>
    public AgentId Id { get; }

    /// <summary>Signs hashes, EIP-712 digests and transactions with this key.</summary>
    public Secp256k1Signer Signer { get; }

    /// <summary>A new key: 32 bytes from the operating system's CSPRNG, drawn again in the (2^-128 likely) case it is not below the group order.</summary>
    public static AgentKey Generate()
    {
        for (int attempt = 0; ; attempt++)
        {
            byte[] candidate = RandomNumberGenerator.GetBytes(32);
            try
            {
                return new AgentKey(candidate);
            }
            catch (ArgumentException) when (attempt < 16)
            {
                CryptographicOperations.ZeroMemory(candidate);
            }
        }
    }

    /// <summary>Imports a private key given as 64 hex digits, with or without 0x.</summary>
    /// <exception cref="ArgumentException">Not 64 hex digits, zero, or not below the secp256k1 group order (the message never holds the key).</exception>
    public static AgentKey FromPrivateKey(string privateKeyHex)
    {
        ArgumentNullException.ThrowIfNull(privateKeyHex);
        return FromHex(privateKeyHex, "The private key", message => new ArgumentException(message, nameof(privateKeyHex)));
    }

    /// <summary>Imports a 32-byte private key (copied).</summary>
    /// <exception cref="ArgumentException">Not 32 bytes, zero, or not below the secp256k1 group order.</exception>
    public static AgentKey FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new ArgumentException($"A secp256k1 private key is 32 bytes, not {privateKey.Length}.", nameof(privateKey));
        }

        try
        {
            return new AgentKey(privateKey.ToArray());
        }
        catch (ArgumentException)
        {
            throw new ArgumentException("The private key must be between 1 and the secp256k1 group order minus 1.", nameof(privateKey));
        }
    }

    /// <summary>
    /// Imports the key of a Nethereum <see cref="Account"/> (whose <c>PrivateKey</c> drops leading zero bytes: restored here,
    /// and the address checked against the account's).
    /// </summary>
    /// <exception cref="ArgumentException">The account holds no private key, or its key is invalid or not that of its address.</exception>
    public static AgentKey FromAccount(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        Secp256k1Signer.FromAccount(account); // the checks (no key, bad hex, address mismatch), with messages that name no key
        string digits = account.PrivateKey.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? account.PrivateKey[2..] : account.PrivateKey;
        return new AgentKey(Convert.FromHexString(digits.PadLeft(64, '0')));
    }

    /// <summary>Imports the private key (64 hex digits, 0x optional) held by the environment variable <paramref name="variable"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="variable"/> is empty.</exception>
    /// <exception cref="AgentKeyException">The variable is not set, is empty, or does not hold a valid key (its value is never echoed).</exception>
    public static AgentKey FromEnvironment(string variable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        string? value = Environment.GetEnvironmentVariable(variable);
        if (value is null)
        {
            throw new AgentKeyException($"The environment variable {variable} is not set (it should hold the agent's private key as 64 hex digits).");
        }

        if (value.Trim().Length == 0)
        {
            throw new AgentKeyException($"The environment variable {variable} is empty (it should hold the agent's private key as 64 hex digits).");
        }

        return FromHex(value.Trim(), $"The environment variable {variable}", message => new AgentKeyException(message));
    }

    /// <summary>Decrypts a Web3 Secret Storage (v3) keystore given as JSON (scrypt or PBKDF2, as cast, geth and Nethereum write them).</summary>
    /// <param name="json">The keystore JSON.</param>
    /// <param name="password">Its password (may be empty, as cast allows).</param>
    /// <param name="source">Where the JSON came from, for messages (a path or a description).</param>
    /// <exception cref="WrongKeystorePasswordException">The password does not open the keystore.</exception>
    /// <exception cref="AgentKeyException">The JSON is not a keystore Nethereum can read, or it holds a key that is not that of its address.</exception>
    public static AgentKey FromKeystoreJson(string json, string password, string source = "given as JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(password);
        string? declared;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("crypto", out _) && !doc.RootElement.TryGetProperty("Crypto", out _))
            {
                throw new AgentKeyException($"The keystore {source} is not a Web3 Secret Storage file (no \"crypto\" section).");
            }

            declared = doc.RootElement.TryGetProperty("address", out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new AgentKeyException($"The keystore {source} is not valid JSON: {e.Message}", e);
        }

        byte[] key;
        try
        {
            key = new KeyStoreService().DecryptKeyStoreFromJson(password, json);
        }
        catch (DecryptionException)
        {
            throw new WrongKeystorePasswordException(source);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new AgentKeyException($"The keystore {source} could not be read: {e.GetType().Name}.", e);
        }

        AgentKey result;
        try
        {
            result = key.Length == 32 ? new AgentKey(key) : FromPrivateKey(key);
        }
        catch (ArgumentException e)
        {
            throw new AgentKeyException($"The keystore {source} does not hold a valid secp256k1 private key.", e);
        }

        if (!string.IsNullOrEmpty(declared))
        {
            string digits = declared.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? declared[2..] : declared;
            if (!string.Equals(digits, result.Address[2..], StringComparison.OrdinalIgnoreCase))
            {
                throw new AgentKeyException($"The keystore {source} declares address 0x{digits} but holds the key of {result.Address}.");
            }
        }

        return result;
    }

    /// <summary>Reads and decrypts a Web3 Secret Storage (v3) keystore file (the KDF runs on the thread pool: scrypt at 2^18 takes about a second).</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="WrongKeystorePasswordException">The password does not open the keystore.</exception>
    /// <exception cref="AgentKeyException">The file is not a keystore Nethereum can read.</exception>
    public static async Task<AgentKey> LoadKeystoreAsync(string path, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(password);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The keystore file {path} does not exist.", path);
        }

        string json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => FromKeystoreJson(json, password, path), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Encrypts the key as Web3 Secret Storage (v3) JSON: scrypt with N from <paramref name="options"/> (2^18 by default), r = 8,
    /// p = 1, dklen 32, AES-128-CTR, as cast and geth write it.
    /// </summary>
    public string ToKeystoreJson(string password, KeystoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        options ??= new KeystoreOptions();
        options.Validate();
        var scrypt = new ScryptParams { Dklen = 32, N = options.ScryptN, R = 8, P = 1 };
        return new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(password, _privateKey, Address[2..].ToLowerInvariant(), scrypt);
    }

    /// <summary>
    /// Writes the key to <paramref name="path"/> as an encrypted keystore (see <see cref="ToKeystoreJson"/>) atomically: written
    /// to a temporary file in the same directory, created with permissions 0600 (owner read/write only, on Unix), then moved into place.
    /// </summary>
    /// <exception cref="IOException">A file exists at <paramref name="path"/> and <see cref="KeystoreOptions.Overwrite"/> is false.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public async Task ExportKeystoreAsync(string path, string password, KeystoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(password);
        options ??= new KeystoreOptions();
        options.Validate();
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The directory {directory} for the keystore does not exist.");
        }

        if (!options.Overwrite && File.Exists(full))
        {
            throw new IOException($"The keystore file {full} already exists; set KeystoreOptions.Overwrite to replace it.");
        }

        string json = await Task.Run(() => ToKeystoreJson(password, options), cancellationToken).ConfigureAwait(false);
        string temporary = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.WriteThrough };
            if (!OperatingSystem.IsWindows())
            {
                streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var stream = new FileStream(temporary, streamOptions))
            await using (var writer = new StreamWriter(stream))
            {
                await writer.WriteAsync(json.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            try
            {
                File.Move(temporary, full, options.Overwrite);
            }
            catch (IOException) when (!options.Overwrite && File.Exists(full))
            {
                throw new IOException($"The keystore file {full} already exists; set KeystoreOptions.Overwrite to replace it.");
            }
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>A Nethereum account for this key on <paramref name="chainId"/> (for AgentClusterWeb3, Nethereum's Web3 and contract services).</summary>
    public Account ToAccount(BigInteger? chainId = null) => new((byte[])_privateKey.Clone(), chainId);

    /// <summary>"AgentKey 0x…" with the address only.</summary>
    public override string ToString() => $"AgentKey {Address}";

    private static AgentKey FromHex(string text, string what, Func<string, Exception> error)
    {
        ReadOnlySpan<char> digits = text.AsSpan();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.Length != 64)
        {
            throw error($"{what} must be 64 hex digits (32 bytes, 0x optional), not {digits.Length} characters.");
        }

        foreach (char c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw error($"{what} must be 64 hex digits (32 bytes, 0x optional); it holds a character that is not a hex digit.");
            }
        }

        byte[] bytes = Convert.FromHexString(digits);
        try
        {
            return new AgentKey(bytes);
        }
        catch (ArgumentException)
        {
            throw error($"{what} must be a secp256k1 private key between 1 and the group order minus 1.");
        }
    }
}
