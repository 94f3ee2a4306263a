using Microsoft.Extensions.Logging;

namespace AgentCluster.Cli.Chain;

/// <summary>
/// Progress while transactions confirm, on stderr: the durable transaction manager logs each broadcast (event 2: hash) and each
/// receipt (event 9: hash, block); this logger turns them into "waiting for confirmation of 0x…" / "0x… confirmed in block n", and
/// passes its warnings and errors through (a deferred broadcast, a refused transaction). Everything else is dropped.
/// </summary>
internal sealed class ConfirmationProgress(TextWriter error) : ILoggerFactory, ILogger
{
    private const string TransactionsCategory = "AgentCluster.Transactions";
    private readonly object _gate = new();

    public ILogger CreateLogger(string categoryName) => categoryName == TransactionsCategory ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel != LogLevel.Trace;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
        object? Value(string name) => values?.FirstOrDefault(v => v.Key == name).Value;
        string? line = eventId.Id switch
        {
            2 => $"waiting for confirmation of {Value("Hash")} (nonce {Value("Nonce")})...",
            9 => $"{Value("Hash")} confirmed in block {Value("Block")}{(Value("Succeeded") is false ? " (failed)" : "")}",
            _ when logLevel >= LogLevel.Warning => formatter(state, exception),
            _ => null,
        };
        if (line is not null)
        {
            lock (_gate)
            {
                error.WriteLine(line);
            }
        }
    }
}
