using System.Globalization;

namespace AgentCluster.Testing;

/// <summary>How to start anvil. Every node binds 127.0.0.1 only.</summary>
public sealed record AnvilOptions
{
    /// <summary>The chain id (<c>--chain-id</c>); at least 1. Default 31337, anvil's own.</summary>
    public ulong ChainId { get; init; } = 31337;

    /// <summary>The port to listen on; <c>null</c> (default) picks a free port. 1-65535.</summary>
    public int? Port { get; init; }

    /// <summary>Mine a block at this interval (<c>--block-time</c>, whole seconds or fractions); <c>null</c> = automine on every transaction.</summary>
    public TimeSpan? BlockTime { get; init; }

    /// <summary>Do not mine at all until <c>evm_mine</c> (<c>--no-mining</c>). Cannot be combined with <see cref="BlockTime"/>.</summary>
    public bool NoMining { get; init; }

    /// <summary>Further anvil arguments, appended as given (e.g. <c>["--hardfork", "prague"]</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>
    /// A file where a <b>process</b> node keeps its chain (anvil <c>--state</c>): loaded at start when it exists, written when the node
    /// stops (<see cref="IAnvilNode.StopAsync"/>: SIGTERM) and kept when the node is disposed (dispose kills without writing: stop first),
    /// so that a later node continues the same chain (blocks, logs and receipts included). Null (default): a temporary file of the node's
    /// own, deleted on dispose. A container node refuses it.
    /// </summary>
    public string? StateFile { get; init; }

    /// <summary>
    /// Every block's timestamp is the previous one's plus this interval (whole seconds; anvil <c>anvil_setBlockTimestampInterval</c>,
    /// applied as soon as the node answers, at every start), whatever the wall clock: with a genesis <c>--timestamp</c> in
    /// <see cref="ExtraArguments"/> the chain's clock is reproducible. anvil then ignores <c>evm_increaseTime</c>: move the clock with
    /// <c>evm_setNextBlockTimestamp</c> (<see cref="AgentClusterSuite.IncreaseTimeAsync"/> does). Null (default): the wall clock.
    /// Not part of a reused deployment's key.
    /// </summary>
    public TimeSpan? BlockTimestampInterval { get; init; }

    /// <summary>How long a process node may take to exit after SIGTERM (it writes its state file meanwhile) before it is killed. Default
    /// 15 s; a large saved chain needs more (anvil writes about 20 MB/s, ~12 KB per block).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a start (or restart) may take until the node answers <c>eth_chainId</c>. Default 30 s.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (ChainId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ChainId), ChainId, "AnvilOptions.ChainId must be at least 1.");
        }

        if (Port is { } port && (port < 1 || port > 65535))
        {
            throw new ArgumentOutOfRangeException(nameof(Port), port, "AnvilOptions.Port must be between 1 and 65535 (or null for a free port).");
        }

        if (BlockTime is { } blockTime && blockTime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockTime), blockTime, "AnvilOptions.BlockTime must be positive (or null for automine).");
        }

        if (BlockTime is not null && NoMining)
        {
            throw new ArgumentException("AnvilOptions.NoMining and AnvilOptions.BlockTime cannot be combined.", nameof(NoMining));
        }

        if (BlockTimestampInterval is { } interval && (interval < TimeSpan.FromSeconds(1) || interval.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(BlockTimestampInterval), interval, "AnvilOptions.BlockTimestampInterval must be whole seconds, at least 1 (or null for the wall clock).");
        }

        if (StartTimeout <= TimeSpan.Zero || StartTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(StartTimeout), StartTimeout, "AnvilOptions.StartTimeout must be positive and at most 10 minutes.");
        }

        if (StateFile is not null && string.IsNullOrWhiteSpace(StateFile))
        {
            throw new ArgumentException("AnvilOptions.StateFile must be a file path (or null for a temporary one).", nameof(StateFile));
        }

        if (StopTimeout <= TimeSpan.Zero || StopTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(StopTimeout), StopTimeout, "AnvilOptions.StopTimeout must be positive and at most 10 minutes.");
        }

        if (ExtraArguments is null)
        {
            throw new ArgumentNullException(nameof(ExtraArguments), "AnvilOptions.ExtraArguments must not be null.");
        }

        foreach (string argument in ExtraArguments)
        {
            if (argument is null)
            {
                throw new ArgumentException("AnvilOptions.ExtraArguments must not contain null.", nameof(ExtraArguments));
            }

            if (argument is "--host" or "--port" or "-p" or "--chain-id" or "--state" or "--dump-state" or "--load-state"
                || argument.StartsWith("--host=", StringComparison.Ordinal) || argument.StartsWith("--port=", StringComparison.Ordinal)
                || argument.StartsWith("--state=", StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"AnvilOptions.ExtraArguments must not contain {argument}: the host, port, chain id and state file are set by AgentCluster.Testing.",
                    nameof(ExtraArguments));
            }
        }
    }

    /// <summary>The anvil arguments these options stand for (after the host, port and state arguments).</summary>
    internal IEnumerable<string> ToArguments()
    {
        yield return "--chain-id";
        yield return ChainId.ToString(CultureInfo.InvariantCulture);
        if (NoMining)
        {
            yield return "--no-mining";
        }

        if (BlockTime is { } blockTime)
        {
            yield return "--block-time";
            yield return blockTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        }

        foreach (string argument in ExtraArguments)
        {
            yield return argument;
        }
    }
}
