using System.Globalization;
using System.Numerics;
using AgentCluster.Sdk.Identity;

namespace AgentCluster.Sdk.Tests.Identity;

/// <summary>AgentId = uint256(uint160(agentKey)), checked against cast's conversion of the address to a number.</summary>
[Parallelizable(ParallelScope.Children)]
public class AgentIdTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void FromAddress_IsTheAddressAsAUint_AsCastComputesIt_AndRoundTrips(int seed)
    {
        AgentKey key = AgentKey.FromPrivateKey(TestKeys.Random(new Random(1100 + seed), leadingZero: seed == 1));
        string castDecimal = CastCli.Run("to-dec", key.Address);
        AgentId id = AgentId.FromAddress(key.Address);
        Assert.That(id.ToString(), Is.EqualTo(castDecimal));
        Assert.That(key.Id, Is.EqualTo(id));
        Assert.That(id.Address, Is.EqualTo(key.Address), "back to the checksummed address");
        Assert.That(AgentId.FromAddress(key.Address.ToLowerInvariant()), Is.EqualTo(id));
        Assert.That(AgentId.FromValue(BigInteger.Parse(castDecimal, CultureInfo.InvariantCulture)), Is.EqualTo(id));
        BigInteger asUint = id;
        Assert.That(asUint, Is.EqualTo(id.Value));
    }

    [Test]
    public void SmallIds_KeepTheirLeadingZeroBytesInTheAddress()
    {
        AgentId id = AgentId.FromValue(0x1234);
        Assert.That(id.Address, Is.EqualTo("0x0000000000000000000000000000000000001234"));
        Assert.That(AgentId.FromValue((BigInteger.One << 160) - 1).Address.ToLowerInvariant(), Is.EqualTo("0x" + new string('f', 40)));
    }

    [TestCase("0x1234", "40 hex digits")]
    [TestCase("0x0000000000000000000000000000000000000000", "zero address")]
    [TestCase("0xZZ00000000000000000000000000000000000001", "40 hex digits")]
    [TestCase("0x5FbDB2315678afecb367f032d93F642f64180aA3", "checksum")]
    public void FromAddress_RefusesBadAddresses(string address, string expected)
    {
        Assert.That(() => AgentId.FromAddress(address), Throws.ArgumentException.With.Message.Contains(expected));
    }

    [Test]
    public void FromValue_RefusesZeroNegativeAndValuesOf160BitsOrMore()
    {
        Assert.That(() => AgentId.FromValue(0), Throws.ArgumentException.With.Message.Contains("2^160"));
        Assert.That(() => AgentId.FromValue(-1), Throws.ArgumentException);
        Assert.That(() => AgentId.FromValue(BigInteger.One << 160), Throws.ArgumentException);
    }
}
