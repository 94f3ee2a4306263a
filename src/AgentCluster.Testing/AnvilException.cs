namespace AgentCluster.Testing;

/// <summary>anvil could not be started, stopped or reached (the message says why and, where there is one, ends with anvil's output).</summary>
public sealed class AnvilException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AnvilException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    internal AnvilException(string message, bool exitedWhileStarting)
        : base(message)
    {
        ExitedWhileStarting = exitedWhileStarting;
    }

    /// <summary>anvil exited on its own while starting (e.g. its port was taken): a retry on another port may work.</summary>
    internal bool ExitedWhileStarting { get; }
}
