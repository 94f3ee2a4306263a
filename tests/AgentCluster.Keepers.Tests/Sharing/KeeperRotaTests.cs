using System.Numerics;
using AgentCluster.Keepers.Sharing;
using Microsoft.Extensions.Time.Testing;
using Nethereum.ABI;
using Nethereum.Util;

namespace AgentCluster.Keepers.Tests.Sharing;

/// <summary>The work-sharing rota without a node: rendezvous order, balance, minimal movement, take-over timing, bad input.</summary>
public sealed class KeeperRotaTests
{
    private static readonly string[] Four =
    [
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
        "0x90f79bf6eb2c4f870365e785982e1f101e93b906", "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
    ];

    [Test]
    public void TheOrder_IsTheSameWhateverTheOrderOfThePeerList_AndMatchesKeccakOfTheAbiEncoding()
    {
        var a = new KeeperRota(Four, TimeSpan.FromSeconds(30));
        var b = new KeeperRota(Four.Reverse().Select(p => p.ToUpperInvariant().Replace("0X", "0x")), TimeSpan.FromSeconds(30));
        for (int id = 1; id <= 50; id++)
        {
            Assert.That(b.OrderFor(id, "settle"), Is.EqualTo(a.OrderFor(id, "settle")));
        }

        // Independent of KeeperRota's own encoding: Nethereum's ABI encoder and Keccak give the score.
        BigInteger Score(BigInteger id, string kind, string peer) => new(Sha3Keccack.Current.CalculateHash(new ABIEncode().GetABIEncoded(
            new ABIValue("uint256", id), new ABIValue("bytes32", Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(kind))),
            new ABIValue("address", peer))), isUnsigned: true, isBigEndian: true);
        string[] expected = [.. Four.OrderByDescending(p => Score(7, "draw", p))];
        Assert.That(a.OrderFor(7, "draw"), Is.EqualTo(expected));
    }

    [Test]
    public void OwnershipIsSpreadOverTheKeepers_AndAKeeperLeavingMovesOnlyItsOwnShare()
    {
        var four = new KeeperRota(Four, TimeSpan.FromSeconds(30));
        var three = new KeeperRota(Four.Take(3), TimeSpan.FromSeconds(30));
        var owned = Four.ToDictionary(p => p, _ => 0);
        int moved = 0;
        for (int id = 1; id <= 2000; id++)
        {
            string owner = four.OrderFor(id, "assign")[0];
            owned[owner]++;
            string after = three.OrderFor(id, "assign")[0];
            if (owner != Four[3])
            {
                Assert.That(after, Is.EqualTo(owner), $"task {id} moved although its owner stayed");
            }
            else
            {
                moved++;
                Assert.That(after, Is.EqualTo(four.OrderFor(id, "assign")[1]), "the next in the order takes over");
            }
        }

        Assert.That(owned.Values, Has.All.InRange(400, 600), "each of four keepers owns about a quarter of 2000 tasks");
        Assert.That(moved, Is.EqualTo(owned[Four[3]]));
    }

    [Test]
    public void TheOwnerActsAtOnce_TheOthersOnlyAfterTheirRankTimesTheTakeOverDelay()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T00:00:00Z"));
        var rota = new KeeperRota(Four, TimeSpan.FromSeconds(30), clock);
        IReadOnlyList<string> order = rota.OrderFor(42, "settle");
        Assert.That(rota.ShouldAct(order[0], 42, "settle"), Is.True);
        Assert.That(rota.ShouldAct(order[1], 42, "settle"), Is.False, "seen due just now");
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.That(rota.ShouldAct(order[1], 42, "settle"), Is.False);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(rota.ShouldAct(order[1], 42, "settle"), Is.True, "rank 1 after 30 s");
        Assert.That(rota.ShouldAct(order[2], 42, "settle"), Is.False);
        Assert.That(rota.ShouldAct(order[3], 42, "settle"), Is.False);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.That(rota.ShouldAct(order[2], 42, "settle"), Is.True, "rank 2 after 60 s");
        Assert.That(rota.ShouldAct(order[3], 42, "settle"), Is.False);
        rota.Done(42, "settle");
        Assert.That(rota.Tracked, Is.Zero);
        Assert.That(rota.ShouldAct(order[3], 42, "settle"), Is.False, "seen due afresh after Done");
    }

    [Test]
    public void ALoneKeeperActsOnEverything()
    {
        var rota = new KeeperRota([], TimeSpan.FromSeconds(30));
        Assert.That(rota.ShouldAct(Four[0], 1, "assign"), Is.True);
        Assert.That(rota.RankOf("0x0000000000000000000000000000000000000001", 1, "assign"), Is.Zero);
    }

    [Test]
    public void BadPeers_AndAKeeperNotInTheList_AreRefusedWithTheReason()
    {
        Assert.That(() => new KeeperRota(["0x1234"], TimeSpan.Zero), Throws.ArgumentException.With.Message.Contains("'0x1234' is not an address"));
        Assert.That(() => new KeeperRota([Four[0], Four[0].ToUpperInvariant().Replace("0X", "0x")], TimeSpan.Zero),
            Throws.ArgumentException.With.Message.Contains("listed twice"));
        Assert.That(() => new KeeperRota(Four, TimeSpan.FromSeconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        var rota = new KeeperRota(Four.Take(2), TimeSpan.FromSeconds(30));
        Assert.That(() => rota.ShouldAct(Four[3], 1, "assign"),
            Throws.ArgumentException.With.Message.Contains("Peers does not list this keeper's address " + Four[3]));
    }
}
