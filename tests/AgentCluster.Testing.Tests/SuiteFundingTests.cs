using System.Numerics;
using AgentCluster.Evm.Bindings.AccToken;

namespace AgentCluster.Testing.Tests;

[TestFixture]
[Category("Suite")]
[NonParallelizable]
public sealed class SuiteFundingTests
{
    private static readonly BigInteger Acc = BigInteger.Pow(10, 18);

    [Test]
    public async Task Released_emissions_reach_the_deployer_and_funding_moves_exactly_the_amount()
    {
        await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync();
        var token = new AccTokenService(suite.Web3, suite.Manifest.AddressOf("AccToken"));
        string deployer = suite.Accounts[0].Address;
        BigInteger before = await token.BalanceOfQueryAsync(deployer);
        BigInteger released = await suite.ReleaseEmissionsAsync(TimeSpan.FromDays(1));
        Assert.That(released, Is.GreaterThan(100_000 * Acc), "a day of the four pools' emissions");
        Assert.That(await token.BalanceOfQueryAsync(deployer), Is.EqualTo(before + released));

        // More than one day releases: FundAsync keeps releasing, a day at a time, until the deployer can pay.
        string to = AnvilAccounts.Addresses[5];
        BigInteger amount = released * 2 + 7;
        await suite.FundAsync(to, amount);
        Assert.That(await token.BalanceOfQueryAsync(to), Is.EqualTo(amount));
    }

    [Test]
    public async Task Bad_funding_requests_are_refused()
    {
        await using AgentClusterSuite suite = await AgentClusterSuite.StartAsync();
        Assert.That(() => suite.FundAsync(AnvilAccounts.Addresses[1], 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("amount"));
        Assert.That(() => suite.FundAsync("0x12", Acc), Throws.InstanceOf<FormatException>());
        Assert.That(() => suite.ReleaseEmissionsAsync(TimeSpan.FromSeconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
