using AgentCluster.Sdk.Events;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace AgentCluster.Sdk;

public sealed partial class AgentClusterClient
{
    /// <summary>
    /// Streams <typeparamref name="TEvent"/> events (a generated <c>…EventDTO</c>) of the suite's contract <paramref name="contractName"/>
    /// (a manifest name such as <c>TaskMarket</c>) or of an address, from <see cref="EventStreamOptions.FromBlock"/> on, following the
    /// head, reorg-aware (see <see cref="EventStream"/>).
    /// </summary>
    public IAsyncEnumerable<ChainEvent<TEvent>> StreamEventsAsync<TEvent>(string contractName, EventStreamOptions? options = null,
        CancellationToken cancellationToken = default)
        where TEvent : IEventDTO, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contractName);
        string address = contractName.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? contractName : Manifest.AddressOf(contractName);
        return EventStream.StreamAsync<TEvent>(Web3, address, options, cancellationToken);
    }
}
