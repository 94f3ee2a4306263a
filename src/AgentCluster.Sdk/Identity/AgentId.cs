using System.Globalization;
using System.Numerics;
using Nethereum.Util;

namespace AgentCluster.Sdk.Identity;

/// <summary>
/// An agent's on-chain id. AgentRegistry identifies an agent by its signing key: <c>agentId = uint256(uint160(agentKey))</c>
/// (contracts/evm/protocol/AgentRegistry.sol), so the id is known offline from the key's address, before and after registration,
/// and the address is known from the id. (The registering account, the agent's owner, is a separate address: see
/// <c>AgentRegistryService.OwnerOfQueryAsync</c>.)
/// </summary>
public readonly record struct AgentId
{
    private static readonly BigInteger AddressLimit = BigInteger.One << 160;

    private AgentId(BigInteger value) => Value = value;

    /// <summary>The id as the contracts take it (a uint256 below 2^160).</summary>
    public BigInteger Value { get; }

    /// <summary>The agent key's address, EIP-55 checksummed.</summary>
    public string Address => AddressUtil.Current.ConvertToChecksumAddress(Value.ToString("x40", CultureInfo.InvariantCulture)[^40..]);

    /// <summary>The id of the agent whose key has address <paramref name="agentKeyAddress"/>.</summary>
    /// <exception cref="ArgumentException">Not a 20-byte hex address (0x optional; a mixed-case address must have a valid EIP-55 checksum).</exception>
    public static AgentId FromAddress(string agentKeyAddress)
    {
        ArgumentNullException.ThrowIfNull(agentKeyAddress);
        string digits = agentKeyAddress.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? agentKeyAddress[2..] : agentKeyAddress;
        if (digits.Length != 40 || !digits.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"An agent key address is 40 hex digits (0x optional); got {agentKeyAddress.Length} characters: {agentKeyAddress}.", nameof(agentKeyAddress));
        }

        bool mixedCase = digits.Any(char.IsAsciiLetterUpper) && digits.Any(char.IsAsciiLetterLower);
        if (mixedCase && !AddressUtil.Current.IsChecksumAddress("0x" + digits))
        {
            throw new ArgumentException($"The address {agentKeyAddress} has an invalid EIP-55 checksum (mistyped?).", nameof(agentKeyAddress));
        }

        var value = BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (value.IsZero)
        {
            throw new ArgumentException("The zero address is not an agent key (AgentRegistry refuses it).", nameof(agentKeyAddress));
        }

        return new AgentId(value);
    }

    /// <summary>The agent id <paramref name="value"/> as read from a contract or an event.</summary>
    /// <exception cref="ArgumentException">Negative or not below 2^160 (no key has such an id).</exception>
    public static AgentId FromValue(BigInteger value)
    {
        if (value.Sign <= 0 || value >= AddressLimit)
        {
            throw new ArgumentException($"An agent id is uint256(uint160(agentKey)): between 1 and 2^160 - 1, not {value}.", nameof(value));
        }

        return new AgentId(value);
    }

    /// <summary>The id as the uint256 the generated services take.</summary>
    public static implicit operator BigInteger(AgentId id) => id.Value;

    /// <summary>The id in decimal (as cast and the contracts' events print it).</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
