using System.Numerics;
using System.Text;
using AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition;
using AgentCluster.Evm.Rpc;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Matchmaking;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Mcp;

/// <summary>
/// The agents <c>find_agents</c> searches: every agent registered in the deployment (from the registry's <c>AgentRegistered</c>,
/// <c>AgentURISet</c> and <c>CapabilitiesSet</c> logs, read incrementally), with the registration file its URI points to
/// (<c>data:</c> and <c>file:</c> URIs) or, for any other URI, the file named after the agent in the registrations directory. Each file is
/// checked against the agent's on-chain <c>capabilityVectorHash</c> by the SDK's index before it is searched; agents whose file is
/// missing, unreadable or does not match are reported as skipped, never searched.
/// </summary>
internal sealed class CapabilityDirectory(AgentClusterClient client, string? registrationsDirectory) : IDisposable
{
    /// <summary>Registration files above this size are refused.</summary>
    internal const int MaxFileBytes = 1 << 20;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ICapabilityIndex _index = CapabilityIndexFactory.Create(0);
    private readonly Dictionary<BigInteger, string> _uris = [];
    private readonly Dictionary<BigInteger, string> _skipped = [];
    private readonly Dictionary<BigInteger, byte[]> _hashes = [];
    private readonly HashSet<BigInteger> _dirty = [];
    private BigInteger? _nextBlock;

    /// <summary>Agents searched.</summary>
    internal int Indexed => _index.Count;

    /// <summary>Brings the index up to the chain's head, then searches it.</summary>
    internal async Task<(IReadOnlyList<CapabilityMatch> Matches, IReadOnlyDictionary<BigInteger, string> Skipped, int Indexed)> SearchAsync(
        CapabilityVector query, int k, float threshold, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RefreshAsync(ct).ConfigureAwait(false);
            return (_index.Search(query, k, threshold), new Dictionary<BigInteger, string>(_skipped), _index.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The capability vector hash the index holds for <paramref name="agentId"/>, or null.</summary>
    internal byte[]? IndexedHash(BigInteger agentId) => _hashes.GetValueOrDefault(agentId);

    /// <summary>Marks an agent for re-reading at the next search (its on-chain hash no longer matches the indexed file).</summary>
    internal void Invalidate(BigInteger agentId)
    {
        _gate.Wait();
        try
        {
            _index.Remove(agentId);
            _hashes.Remove(agentId);
            _dirty.Add(agentId);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _index.Dispose();
        _gate.Dispose();
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        BigInteger head = (await RpcCancellation.RunAsync(() => client.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), ct).ConfigureAwait(false)).Value;
        BigInteger from = _nextBlock ?? client.Manifest.Block;
        if (from <= head)
        {
            string registry = client.Contracts.Registry.ContractAddress;
            var filter = new NewFilterInput { Address = [registry] };
            await foreach (FilterLog[] page in client.Web3.Eth.GetLogsPagedAsync(filter, from, head, ct: ct).ConfigureAwait(false))
            {
                foreach (EventLog<AgentRegisteredEventDTO> e in page.DecodeAllEvents<AgentRegisteredEventDTO>())
                {
                    _uris[e.Event.AgentId] = e.Event.AgentURI;
                    _dirty.Add(e.Event.AgentId);
                }

                foreach (EventLog<AgentURISetEventDTO> e in page.DecodeAllEvents<AgentURISetEventDTO>())
                {
                    _uris[e.Event.AgentId] = e.Event.AgentURI;
                    _dirty.Add(e.Event.AgentId);
                }

                foreach (EventLog<CapabilitiesSetEventDTO> e in page.DecodeAllEvents<CapabilitiesSetEventDTO>())
                {
                    _dirty.Add(e.Event.AgentId);
                }
            }

            _nextBlock = head + 1;
        }

        foreach (BigInteger id in _dirty.ToList())
        {
            _dirty.Remove(id);
            _index.Remove(id);
            _hashes.Remove(id);
            _skipped.Remove(id);
            try
            {
                string json = await LoadAsync(id, _uris.GetValueOrDefault(id), ct).ConfigureAwait(false);
                CapabilityRegistrationFile file = CapabilityRegistrationFile.Parse(json);
                if (file.AgentId != id)
                {
                    throw new ArgumentException($"the registration file is agent {file.AgentId}'s, not this agent's.");
                }

                byte[] onChain = (await RpcCancellation.RunAsync(() => client.Contracts.Registry.CapabilitiesOfQueryAsync(id), ct).ConfigureAwait(false)).CapabilityVectorHash;
                _index.Upsert(file, onChain);
                _hashes[id] = onChain;
            }
            catch (Exception e) when (e is ArgumentException or CapabilityHashMismatchException or IOException or FormatException or UnauthorizedAccessException)
            {
                _skipped[id] = e.Message;
            }
        }
    }

    private async Task<string> LoadAsync(BigInteger agentId, string? uri, CancellationToken ct)
    {
        if (uri is not null && uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            int comma = uri.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0)
            {
                throw new FormatException("the agent URI is a data: URI without a comma.");
            }

            string meta = uri[5..comma];
            string payload = uri[(comma + 1)..];
            if (payload.Length > MaxFileBytes * 2)
            {
                throw new FormatException($"the agent's data: URI is larger than {MaxFileBytes} bytes.");
            }

            return meta.EndsWith(";base64", StringComparison.OrdinalIgnoreCase)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(payload))
                : Uri.UnescapeDataString(payload);
        }

        if (uri is not null && Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && parsed.IsFile)
        {
            return await ReadFileAsync(parsed.LocalPath, ct).ConfigureAwait(false);
        }

        if (registrationsDirectory is not null)
        {
            foreach (string name in new[] { agentId.ToString(), AgentCluster.Sdk.Agents.AgentsClient.AgentKeyOf(agentId).ToLowerInvariant() })
            {
                string path = Path.Combine(registrationsDirectory, name + ".json");
                if (File.Exists(path))
                {
                    return await ReadFileAsync(path, ct).ConfigureAwait(false);
                }
            }
        }

        throw new FileNotFoundException(
            $"no registration file: the agent URI '{uri}' is neither data: nor file:, and {(registrationsDirectory is null ? "no registrations directory is configured" : $"{registrationsDirectory} has no <agent id>.json or <agent key>.json for it")}.");
    }

    private static async Task<string> ReadFileAsync(string path, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxFileBytes)
        {
            throw new IOException($"the registration file {path} is larger than {MaxFileBytes} bytes.");
        }

        return await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
    }

    /// <summary>Hex of a hash for output.</summary>
    internal static string Hex(byte[] hash) => hash.ToHex(true);
}
