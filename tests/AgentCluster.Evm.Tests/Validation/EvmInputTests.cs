using AgentCluster.Evm.Validation;

namespace AgentCluster.Evm.Tests.Validation;

[Parallelizable(ParallelScope.All)]
public class EvmInputTests
{
    // EIP-55's own examples.
    [TestCase("0x52908400098527886E0F7030069857D2E4169EE7")]
    [TestCase("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [TestCase("0xde709f2102306220921060314715629080e2fb77")]
    [TestCase("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    [TestCase("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [TestCase("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [TestCase("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [TestCase("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void ParseAddress_AcceptsEip55Examples(string address) =>
        Assert.That(EvmInput.ParseAddress(address), Is.EqualTo(address));

    [TestCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [TestCase("0xFB6916095CA1DF60BB79CE92CE3EA74C37C5D359", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [TestCase("0Xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void ParseAddress_AcceptsSingleCaseAndReturnsTheChecksum(string address, string checksummed) =>
        Assert.That(EvmInput.ParseAddress(address), Is.EqualTo(checksummed));

    [Test]
    public void ParseAddress_RefusesAWrongChecksumAndGivesTheRightOne()
    {
        // Last digit's case flipped: Nethereum's AddressUtil would encode this address without complaint.
        var e = Assert.Throws<FormatException>(() => EvmInput.ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        Assert.That(e!.Message, Does.Contain("checksum").And.Contain("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
    }

    [TestCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", "38 hex digits")]
    [TestCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", "42 hex digits")]
    [TestCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "non-hex character 'g' at index 41")]
    [TestCase("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "must start with 0x")]
    [TestCase("", "null or empty")]
    public void ParseAddress_RefusesMalformedText(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => EvmInput.ParseAddress(text));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [TestCase("0x", new byte[0])]
    [TestCase("0x00ff", new byte[] { 0, 255 })]
    [TestCase("0XABcd", new byte[] { 0xab, 0xcd })]
    public void ParseHex_DecodesPrefixedHex(string text, byte[] expected) =>
        Assert.That(EvmInput.ParseHex(text), Is.EqualTo(expected));

    [Test]
    public void ParseHex_PrefixIsOptionalOnlyWhenAsked()
    {
        Assert.That(EvmInput.ParseHex("abcd", requirePrefix: false), Is.EqualTo(new byte[] { 0xab, 0xcd }));
        Assert.That(EvmInput.ParseHex("0xabcd", requirePrefix: false), Is.EqualTo(new byte[] { 0xab, 0xcd }));
        var e = Assert.Throws<FormatException>(() => EvmInput.ParseHex("abcd"));
        Assert.That(e!.Message, Does.Contain("'abcd' must start with 0x"));
        Assert.Throws<FormatException>(() => EvmInput.ParseHex(""));
    }

    [TestCase("0x123", "odd number of digits (3)")]
    [TestCase("0x12zz", "non-hex character 'z' at index 4")]
    [TestCase("0x 12", "non-hex character ' ' at index 2")]
    public void ParseHex_NamesTheProblem(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => EvmInput.ParseHex(text));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void ParseHex_WithLength_RefusesOtherLengths()
    {
        Assert.That(EvmInput.ParseHex("0x" + new string('a', 64), 32, "a hash"), Has.Length.EqualTo(32));
        var e = Assert.Throws<FormatException>(() => EvmInput.ParseHex("0x1234", 32, "a hash"));
        Assert.That(e!.Message, Does.Contain("Expected a hash of 32 bytes").And.Contain("got 2 bytes"));
    }

    [TestCase("0x0", 0)]
    [TestCase("0x1f", 31)]
    [TestCase("0x0400", 1024)]
    public void ParseQuantity_ReadsHex(string text, long expected) =>
        Assert.That((long)EvmInput.ParseQuantity(text), Is.EqualTo(expected));

    [TestCase("0x")]
    [TestCase("12")]
    [TestCase("0x1g")]
    public void ParseQuantity_RefusesGarbage(string text) =>
        Assert.Throws<FormatException>(() => EvmInput.ParseQuantity(text));
}
