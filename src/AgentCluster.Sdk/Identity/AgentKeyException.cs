namespace AgentCluster.Sdk.Identity;

/// <summary>
/// A key could not be loaded or saved: an unreadable keystore file, a missing or empty environment variable, a key that is
/// not a valid secp256k1 private key. The message says what was wrong and never contains the key or the password.
/// </summary>
public class AgentKeyException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public AgentKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause (whose message never holds a secret either).</summary>
    public AgentKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The password does not open the keystore file (its MAC does not match): the password is wrong, or the file was altered.</summary>
public sealed class WrongKeystorePasswordException : AgentKeyException
{
    /// <summary>Creates the exception for the keystore at <paramref name="source"/> (a path, or a description of where the JSON came from).</summary>
    public WrongKeystorePasswordException(string source)
        : base($"The password for the keystore {source} is wrong (the keystore's MAC does not match).")
    {
        Source = source;
    }

    /// <summary>Where the keystore came from (a file path or a description).</summary>
    public new string Source { get; }
}
