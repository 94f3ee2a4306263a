using System.Numerics;
using AgentCluster.Sdk.Reputation;

namespace AgentCluster.Keepers.Tests.Indexing;

/// <summary>The off-chain decay arithmetic without a node (the view's equality with the contract is ReputationViewTests).</summary>
public sealed class ReputationDecayTests
{
    private static readonly BigInteger Q128 = BigInteger.One << 128;

    [Test]
    public void EachHalvingRoot_SquaredIsThePreviousOne_AndTheFirstSquaredIsAHalf()
    {
        // c_k = floor(2^128 * 2^(-2^-k)), so c_k^2 / 2^128 ~ c_(k-1), and c_0 = 2^127: checks the 64 constants against each other.
        BigInteger previous = Q128 / 2;
        for (int k = 1; k <= 64; k++)
        {
            BigInteger c = ReputationDecay.HalvingRoot(k);
            BigInteger squared = c * c / Q128;
            Assert.That(BigInteger.Abs(squared - previous), Is.LessThanOrEqualTo(new BigInteger(4)), $"constant {k}");
            previous = c;
        }
    }

    [Test]
    public void Exp2Neg_IsExactOnWholeHalvings_AndWithin1e12OfPowElsewhere()
    {
        Assert.That(ReputationDecay.Exp2Neg(BigInteger.One << 64), Is.EqualTo(Q128 / 2));
        Assert.That(ReputationDecay.Exp2Neg(new BigInteger(5) << 64), Is.EqualTo(Q128 / 32));
        Assert.That(ReputationDecay.Exp2Neg(new BigInteger(128) << 64), Is.EqualTo(BigInteger.Zero));
        var random = new Random(20261206);
        for (int i = 0; i < 500; i++)
        {
            double halvings = random.NextDouble() * 40;
            BigInteger x = new BigInteger(halvings * Math.Pow(2, 32)) << 32;
            double exact = Math.Pow(2, -(double)x / Math.Pow(2, 64));
            double got = (double)ReputationDecay.Exp2Neg(x) / Math.Pow(2, 128);
            Assert.That(Math.Abs(got - exact) / exact, Is.LessThan(1e-12), $"2^-{halvings}");
        }
    }

    [Test]
    public void ValueAt_HalvesOverAHalfLife_AndIsTheWrittenValueAtTheChange()
    {
        long genesis = 1_700_000_000;
        BigInteger v = BigInteger.Parse("123456789000000000000");
        long t0 = genesis + 1_000;
        Assert.That(ReputationDecay.ValueAt(v, t0, t0, genesis), Is.EqualTo(v), "a value reads back exactly when written");
        BigInteger half = ReputationDecay.ValueAt(v, t0, t0 + ReputationDecay.HalfLifeSeconds, genesis);
        Assert.That(BigInteger.Abs(half - v / 2), Is.LessThanOrEqualTo(BigInteger.One));
        Assert.That(ReputationDecay.ValueAt(v, t0, t0 + 8 * ReputationDecay.EraSeconds, genesis), Is.EqualTo(BigInteger.Zero), "eight eras later nothing is left");
    }

    [Test]
    public void BadInput_IsRefusedWithTheReason()
    {
        Assert.That(() => ReputationDecay.ValueAt(-1, 0, 0, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("cannot be negative"));
        Assert.That(() => ReputationDecay.ValueAt(1, 10, 9, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("before the change"));
        Assert.That(() => ReputationDecay.Factor(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => ReputationDecay.HalvingRoot(65), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
