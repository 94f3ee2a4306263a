using System.Numerics;

namespace AgentCluster.Evm.Tests;

public class HexTests
{
    [TestCase("0x", new byte[0])]
    [TestCase("", new byte[0])]
    [TestCase("0x00ff", new byte[] { 0, 255 })]
    [TestCase("ABcd", new byte[] { 0xab, 0xcd })]
    public void Decode_AcceptsEvenLengthHexWithOrWithoutPrefix(string hex, byte[] expected) =>
        Assert.That(Hex.Decode(hex), Is.EqualTo(expected));

    [Test]
    public void Decode_RejectsOddLength_WithMessageSayingSo()
    {
        var e = Assert.Throws<FormatException>(() => Hex.Decode("0x123"));
        Assert.That(e!.Message, Does.Contain("odd number of digits"));
    }

    [Test]
    public void Decode_RejectsNonHexCharacter_NamingItsIndex()
    {
        var e = Assert.Throws<FormatException>(() => Hex.Decode("0x12zz"));
        Assert.That(e!.Message, Does.Contain("'z'").And.Contain("index 4"));
    }

    [Test]
    public void Encode_IsLowercaseWithPrefix() => Assert.That(Hex.Encode(new byte[] { 0xAB, 0x01 }), Is.EqualTo("0xab01"));

    [TestCase("0x0", 0)]
    [TestCase("0x1f", 31)]
    [TestCase("0x400", 1024)]
    public void Quantity_RoundTrips(string hex, long value)
    {
        Assert.That(Hex.DecodeQuantity(hex), Is.EqualTo(new BigInteger(value)));
        Assert.That(Hex.EncodeQuantity(value), Is.EqualTo(hex));
    }
}

public class KeccakTests
{
    [TestCase("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [TestCase("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    [TestCase("transfer(address,uint256)", "0xa9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b")]
    public void Hash_MatchesPublishedVectors(string input, string expected) =>
        Assert.That(Keccak.HashUtf8(input).ToString(), Is.EqualTo(expected));
}

public class AddressTests
{
    // EIP-55's own examples: all caps, all lower, and mixed (checksummed).
    [TestCase("0x52908400098527886E0F7030069857D2E4169EE7")]
    [TestCase("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [TestCase("0xde709f2102306220921060314715629080e2fb77")]
    [TestCase("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    [TestCase("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [TestCase("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [TestCase("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [TestCase("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Parse_AcceptsEip55Examples(string text) => Assert.That(Address.TryParse(text, out _), Is.True);

    [TestCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [TestCase("0xFB6916095CA1DF60BB79CE92CE3EA74C37C5D359", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [TestCase("dbf03b407c01e7cd3cbea99509d93f8dddc8c6fb", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [TestCase("0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void ToString_IsEip55Checksummed(string input, string expected) =>
        Assert.That(Address.Parse(input).ToString(), Is.EqualTo(expected));

    [Test]
    public void Parse_RejectsMixedCaseWithWrongChecksum_NamingTheExpectedForm()
    {
        var e = Assert.Throws<FormatException>(() => Address.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        Assert.That(e!.Message, Does.Contain("checksum").And.Contain("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
    }

    [TestCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", "38 hex digits")]
    [TestCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", "42 hex digits")]
    [TestCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "non-hex character 'g' at index 41")]
    [TestCase("", "null or empty")]
    public void Parse_RejectsMalformedInput_SayingWhatWasWrong(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => Address.Parse(text));
        Assert.That(e!.Message, Does.Contain(message));
        Assert.That(Address.TryParse(text, out _), Is.False);
    }

    [Test]
    public void Constructor_RejectsWrongByteLength()
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new Address(new byte[19]));
        Assert.That(e!.Message, Does.Contain("exactly 20 bytes, got 19"));
    }

    [Test]
    public void Equality_IsByValue()
    {
        Assert.That(Address.Parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), Is.EqualTo(Address.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")));
        Assert.That(default(Address).ToString(), Is.EqualTo("0x0000000000000000000000000000000000000000"));
    }

    [Test]
    public void ForCreate_MatchesKnownContractAddress() =>
        // The first contract deployed by anvil's/hardhat's default account 0.
        Assert.That(Address.ForCreate(Address.Parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"), 0).ToString(), Is.EqualTo("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
}

public class UInt256Tests
{
    [Test]
    public void Constructor_RejectsOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new UInt256(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new UInt256(BigInteger.One << 256));
        Assert.That(UInt256.MaxValue.ToBigEndian32(), Is.All.EqualTo(0xff));
    }

    [Test]
    public void Arithmetic_IsChecked()
    {
        Assert.Throws<OverflowException>(() => _ = UInt256.MaxValue + UInt256.One);
        Assert.Throws<OverflowException>(() => _ = UInt256.Zero - UInt256.One);
        Assert.That((UInt256)5 * 7, Is.EqualTo((UInt256)35));
    }

    [Test]
    public void Int256_TwosComplementRoundTrips()
    {
        var minusOne = new Int256(-1);
        Assert.That(minusOne.ToBigEndian32(), Is.All.EqualTo(0xff));
        Assert.That(Int256.FromBigEndian32(minusOne.ToBigEndian32()), Is.EqualTo(minusOne));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Int256(BigInteger.One << 255));
    }

    [TestCase("0x10", 16)]
    [TestCase("1000", 1000)]
    public void Parse_AcceptsDecimalAndHex(string text, long value) => Assert.That(UInt256.Parse(text).Value, Is.EqualTo(new BigInteger(value)));

    [Test]
    public void Parse_RejectsGarbage() => Assert.Throws<FormatException>(() => UInt256.Parse("12a"));
}
