using System.Numerics;

namespace AgentCluster.Sdk.Identity;

/// <summary>
/// Remembers the (agent id, nonce) of accepted messages until their deadline, so that a receiver accepts each signed message
/// once. In memory and thread-safe; an expired message is refused by verification anyway, so entries are dropped after the deadline.
/// </summary>
public sealed class AgentMessageReplayGuard
{
    private readonly Dictionary<(BigInteger AgentId, BigInteger Nonce), ulong> _seen = [];
    private readonly Func<DateTimeOffset> _clock;
    private readonly Lock _lock = new();

    /// <summary>A guard using <paramref name="clock"/> (the system clock by default) to forget expired entries.</summary>
    public AgentMessageReplayGuard(Func<DateTimeOffset>? clock = null) => _clock = clock ?? (() => DateTimeOffset.UtcNow);

    /// <summary>Entries currently remembered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>True the first time a (agent id, nonce) is offered, false for a replay. Call after <see cref="AgentMessageDomain.Verify"/> succeeds.</summary>
    public bool TryAccept(SignedAgentMessage signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(signed.Message);
        long now = _clock().ToUnixTimeSeconds();
        lock (_lock)
        {
            if (_seen.Count > 0 && now > 0)
            {
                foreach (var expired in _seen.Where(e => e.Value < (ulong)now).Select(e => e.Key).ToList())
                {
                    _seen.Remove(expired);
                }
            }

            return _seen.TryAdd((signed.Message.AgentId, signed.Message.Nonce), signed.Message.Deadline);
        }
    }
}
