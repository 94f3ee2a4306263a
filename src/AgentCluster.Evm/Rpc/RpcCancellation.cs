namespace AgentCluster.Evm.Rpc;

/// <summary>
/// A cancellation scope for Nethereum calls, whose <c>IClient</c> takes no <see cref="CancellationToken"/>:
/// <code>using (RpcCancellation.Use(ct)) { await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(); }</code>
/// The client made by <see cref="AgentClusterRpc.CreateClient"/> reads the token (it flows with the async call, through an
/// <see cref="AsyncLocal{T}"/>): when it is cancelled the HTTP request is abandoned at once, nothing is retried, and the call
/// throws <see cref="OperationCanceledException"/>. Scopes nest; the innermost one wins; disposing restores the outer one.
/// </summary>
public static class RpcCancellation
{
    private static readonly AsyncLocal<CancellationToken> CurrentToken = new();

    /// <summary>The token of the innermost scope on this async flow, or <see cref="CancellationToken.None"/>.</summary>
    public static CancellationToken Current => CurrentToken.Value;

    /// <summary>Starts a scope whose Nethereum RPC calls are cancelled by <paramref name="cancellationToken"/>.</summary>
    public static Scope Use(CancellationToken cancellationToken)
    {
        CancellationToken previous = CurrentToken.Value;
        CurrentToken.Value = cancellationToken;
        return new Scope(previous);
    }

    /// <summary>Runs <paramref name="call"/> inside a scope of <paramref name="cancellationToken"/>.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        cancellationToken.ThrowIfCancellationRequested();
        using (Use(cancellationToken))
        {
            return await call().ConfigureAwait(false);
        }
    }

    /// <summary>Ends the scope started by <see cref="Use"/> (restores the outer token).</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly CancellationToken _previous;

        internal Scope(CancellationToken previous) => _previous = previous;

        /// <summary>Restores the outer scope's token.</summary>
        public void Dispose() => CurrentToken.Value = _previous;
    }
}
