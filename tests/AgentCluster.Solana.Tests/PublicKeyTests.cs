using AgentCluster.Solana;

namespace AgentCluster.Solana.Tests;

public class PublicKeyTests
{
    [Test]
    public void Base58_round_trips_and_the_system_program_is_all_ones()
    {
        Assert.That(PublicKey.Default.Key, Is.EqualTo("11111111111111111111111111111111"));
        var key = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
        Assert.That(new PublicKey(key.KeyBytes), Is.EqualTo(key));
        Assert.That(new PublicKey(key.KeyBytes).Key, Is.EqualTo("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"));
    }

    [TestCase("0OIl", "not base58")]
    [TestCase("1111", "decodes to 4 bytes")]
    [TestCase("", "32 to 44 characters")]
    public void Bad_text_is_a_format_error_that_says_why(string text, string why)
    {
        var e = Assert.Throws<FormatException>(() => _ = new PublicKey(text));
        Assert.That(e!.Message, Does.Contain(why));
        Assert.That(PublicKey.TryParse(text, out _), Is.False);
    }

    [Test]
    public void Seeds_over_the_runtime_limits_are_refused_by_name()
    {
        var program = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
        var e = Assert.Throws<ArgumentException>(() => PublicKey.TryFindProgramAddress([new byte[33]], program, out _, out _));
        Assert.That(e!.Message, Does.Contain("Seed 0 is 33 bytes"));
        e = Assert.Throws<ArgumentException>(() => PublicKey.TryFindProgramAddress(Enumerable.Range(0, 16).Select(_ => new byte[1]).ToArray(), program, out _, out _));
        Assert.That(e!.Message, Does.Contain("at most 16 seeds including the bump"));
    }

    [Test]
    public void A_found_address_is_off_curve_and_recreated_from_its_bump()
    {
        var program = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
        (PublicKey pda, byte bump) = PublicKey.FindProgramAddress(["config"u8.ToArray()], program);
        Assert.That(pda.IsOnCurve(), Is.False);
        Assert.That(PublicKey.TryCreateProgramAddress(["config"u8.ToArray(), [bump]], program, out PublicKey? again), Is.True);
        Assert.That(again, Is.EqualTo(pda));
    }
}
