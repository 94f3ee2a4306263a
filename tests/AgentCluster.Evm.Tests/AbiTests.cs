using System.Numerics;
using AgentCluster.Evm.Abi;

namespace AgentCluster.Evm.Tests;

public class AbiSolidityDocsExamples
{
    private static string W(long value) => value.ToString("x64");

    [Test]
    public void Baz_Uint32Bool()
    {
        byte[] data = AbiFunction.Parse("baz(uint32,bool)").EncodeCall(69u, true);
        Assert.That(Hex.Encode(data), Is.EqualTo("0xcdcd77c0" + W(0x45) + W(1)));
    }

    [Test]
    public void Bar_Bytes3Array()
    {
        byte[] data = AbiFunction.Parse("bar(bytes3[2])").EncodeCall((object)new object[] { "abc"u8.ToArray(), "def"u8.ToArray() });
        Assert.That(Hex.Encode(data), Is.EqualTo("0xfce353f6" + "616263".PadRight(64, '0') + "646566".PadRight(64, '0')));
    }

    [Test]
    public void Sam_BytesBoolUintArray()
    {
        var function = AbiFunction.Parse("sam(bytes,bool,uint256[])");
        byte[] data = function.EncodeCall("dave"u8.ToArray(), true, new BigInteger[] { 1, 2, 3 });
        Assert.That(Hex.Encode(data), Is.EqualTo("0xa5643bf2" + W(0x60) + W(1) + W(0xa0) + W(4) + "64617665".PadRight(64, '0') + W(3) + W(1) + W(2) + W(3)));
        object?[] decoded = function.DecodeCall(data);
        Assert.That(decoded[0], Is.EqualTo("dave"u8.ToArray()));
        Assert.That(decoded[1], Is.True);
        Assert.That(decoded[2], Is.EqualTo(new object[] { new BigInteger(1), new BigInteger(2), new BigInteger(3) }));
    }

    [Test]
    public void F_DynamicTypesUseOffsets()
    {
        byte[] data = AbiFunction.Parse("f(uint256,uint32[],bytes10,bytes)")
            .EncodeCall(0x123, new uint[] { 0x456, 0x789 }, "1234567890"u8.ToArray(), "Hello, world!"u8.ToArray());
        Assert.That(Hex.Encode(data), Is.EqualTo(
            "0x8be65246" + W(0x123) + W(0x80) + "31323334353637383930".PadRight(64, '0') + W(0xe0) + W(2) + W(0x456) + W(0x789) + W(0xd) +
            "48656c6c6f2c20776f726c6421".PadRight(64, '0')));
    }

    [Test]
    public void G_NestedDynamicArrays()
    {
        var function = AbiFunction.Parse("g(uint256[][],string[])");
        byte[] data = function.EncodeCall(new object[] { new[] { 1, 2 }, new[] { 3 } }, new[] { "one", "two", "three" });
        Assert.That(Hex.Encode(data), Is.EqualTo(
            "0x2289b18c" + W(0x40) + W(0x140) + W(2) + W(0x40) + W(0xa0) + W(2) + W(1) + W(2) + W(1) + W(3) + W(3) + W(0x60) + W(0xa0) + W(0xe0) +
            W(3) + "6f6e65".PadRight(64, '0') + W(3) + "74776f".PadRight(64, '0') + W(5) + "7468726565".PadRight(64, '0')));
        object?[] decoded = function.DecodeCall(data);
        Assert.That(decoded[1], Is.EqualTo(new object[] { "one", "two", "three" }));
    }

    [Test]
    public void Selectors_MatchWellKnownValues()
    {
        Assert.That(AbiFunction.Parse("transfer(address,uint256)").SelectorHex, Is.EqualTo("0xa9059cbb"));
        Assert.That(AbiFunction.Parse("function transfer(address to, uint amount) external returns (bool)").SelectorHex, Is.EqualTo("0xa9059cbb"));
        Assert.That(AbiFunction.Parse("balanceOf(address)(uint256)").Outputs.Single().Type, Is.EqualTo(AbiType.UInt256));
        Assert.That(AbiEvent.Parse("event Transfer(address indexed from, address indexed to, uint256 value)").Topic0.ToString(),
            Is.EqualTo("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"));
    }
}

public class AbiTypeParsingTests
{
    [TestCase("uint", "uint256")]
    [TestCase("int", "int256")]
    [TestCase("tuple(uint8,(bytes,string)[])[2]", "(uint8,(bytes,string)[])[2]")]
    [TestCase(" ( address , bool ) ", "(address,bool)")]
    [TestCase("bytes32[][3]", "bytes32[][3]")]
    public void Parse_Normalises(string text, string canonical) => Assert.That(AbiType.Parse(text).CanonicalName, Is.EqualTo(canonical));

    [TestCase("uint7", "multiple of 8")]
    [TestCase("uint264", "multiple of 8")]
    [TestCase("bytes33", "between 1 and 32")]
    [TestCase("bytes0", "Unknown ABI type")]
    [TestCase("uint256[0]", "at least 1")]
    [TestCase("uint256[x]", "not a positive integer")]
    [TestCase("uint256[", "without a closing")]
    [TestCase("(uint256", "missing a closing")]
    [TestCase("foo", "Unknown ABI type 'foo'")]
    [TestCase("fixed128x18", "not supported")]
    public void Parse_RejectsInvalidTypes(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => AbiType.Parse(text));
        Assert.That(e!.Message, Does.Contain(message));
    }
}

public class AbiBadInputTests
{
    [Test]
    public void Encode_RejectsOutOfRangeUnsigned()
    {
        var e = Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("(uint8)", 256));
        Assert.That(e!.Message, Does.Contain("parameter 0 (uint8): 256 is out of range"));
    }

    [Test]
    public void Encode_RejectsOutOfRangeSigned()
    {
        var e = Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("int8", -129));
        Assert.That(e!.Message, Does.Contain("-129 is out of range for int8"));
        Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("uint256", BigInteger.MinusOne));
        Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("uint256", BigInteger.One << 256));
    }

    [Test]
    public void Encode_RejectsWrongFixedBytesLength()
    {
        var e = Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("bytes4", new byte[3]));
        Assert.That(e!.Message, Does.Contain("bytes4 needs exactly 4 bytes, got 3"));
    }

    [Test]
    public void Encode_RejectsWrongFixedArrayLength_NamingThePath()
    {
        var e = Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("(uint256,(bool,uint8[2]))", 1, new object[] { true, new[] { 1, 2, 3 } }));
        Assert.That(e!.Message, Does.Contain("parameter 1 ((bool,uint8[2])).1: uint8[2] needs exactly 2 element(s), got 3"));
    }

    [Test]
    public void Encode_RejectsWrongValueTypeAndBadAddress()
    {
        Assert.That(Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("bool", 1))!.Message, Does.Contain("expected a bool, got Int32"));
        Assert.That(Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("address", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))!.Message, Does.Contain("checksum"));
        Assert.That(Assert.Throws<AbiEncodingException>(() => AbiEncoder.EncodeParameters("uint256,bool", 1))!.Message, Does.Contain("Expected 2 value(s)"));
    }

    [Test]
    public void Decode_RejectsTruncatedData()
    {
        byte[] data = AbiEncoder.EncodeParameters("(uint256,string)", 5, "hello");
        var e = Assert.Throws<AbiDecodingException>(() => AbiDecoder.DecodeParameters("(uint256,string)", data[..^32]));
        Assert.That(e!.Message, Does.Contain("parameter 1 (string)").And.Contain("runs past the end").Or.Contain("too short"));
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.DecodeParameters("(uint256,uint256)", data[..40]));
    }

    [Test]
    public void Decode_RejectsOffsetPastEnd()
    {
        byte[] data = new byte[64];
        data[31] = 0xff;
        var e = Assert.Throws<AbiDecodingException>(() => AbiDecoder.DecodeParameters("bytes", data));
        Assert.That(e!.Message, Does.Contain("offset 0xff").Or.Contain("offset 0x0ff"));
    }

    [Test]
    public void Decode_RejectsHugeArrayLength()
    {
        byte[] data = AbiEncoder.EncodeParameters("uint256[]", new[] { 1 });
        data[32] = 0x7f;
        var e = Assert.Throws<AbiDecodingException>(() => AbiDecoder.DecodeParameters("uint256[]", data));
        Assert.That(e!.Message, Does.Contain("array length"));
    }

    [TestCase("uint8", "0x0000000000000000000000000000000000000000000000000000000000000100", "bits set above the 8")]
    [TestCase("bool", "0x0000000000000000000000000000000000000000000000000000000000000002", "must be 0 or 1")]
    [TestCase("address", "0x0000000000000000000000010000000000000000000000000000000000000000", "non-zero upper 12 bytes")]
    [TestCase("bytes1", "0x0001000000000000000000000000000000000000000000000000000000000000", "non-zero bytes after its first 1")]
    [TestCase("int8", "0x0000000000000000000000000000000000000000000000000000000000000080", "not a sign-extended int8")]
    public void Decode_RejectsDirtyHighBits(string type, string hex, string message)
    {
        var e = Assert.Throws<AbiDecodingException>(() => AbiDecoder.DecodeParameters(type, Hex.Decode(hex)));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void DecodeCall_RejectsWrongSelector()
    {
        var e = Assert.Throws<AbiDecodingException>(() => AbiFunction.Parse("transfer(address,uint256)").DecodeCall(Hex.Decode("0x12345678")));
        Assert.That(e!.Message, Does.Contain("0xa9059cbb").And.Contain("0x12345678"));
    }
}

public class AbiEventAndErrorTests
{
    [Test]
    public void Transfer_EncodesAndDecodes()
    {
        var transfer = AbiEvent.Parse("event Transfer(address indexed from, address indexed to, uint256 value)");
        var from = Address.Parse("0x1111111111111111111111111111111111111111");
        var to = Address.Parse("0x2222222222222222222222222222222222222222");
        var (topics, data) = transfer.EncodeLog(from, to, new BigInteger(1000));
        Assert.That(topics, Has.Count.EqualTo(3));
        Assert.That(topics[1].ToString(), Is.EqualTo("0x0000000000000000000000001111111111111111111111111111111111111111"));
        var decoded = transfer.DecodeLog(topics, data);
        Assert.That(decoded["from"], Is.EqualTo(from));
        Assert.That(decoded["to"], Is.EqualTo(to));
        Assert.That(decoded["value"], Is.EqualTo(new BigInteger(1000)));
    }

    [Test]
    public void IndexedDynamicValues_AreHashedInPlace()
    {
        var ev = AbiEvent.Parse("event E(string indexed name, uint256[] indexed ids, (bytes,uint8) indexed pair, bytes data)");
        var (topics, data) = ev.EncodeLog("agent", new[] { 1, 2 }, new object[] { new byte[] { 0xab }, 7 }, new byte[] { 1 });
        Assert.That(topics[1], Is.EqualTo(Keccak.HashUtf8("agent")));
        Assert.That(topics[2], Is.EqualTo(Keccak.Hash(Hex.Decode(1.ToString("x64") + 2.ToString("x64")))));
        Assert.That(topics[3], Is.EqualTo(Keccak.Hash(Hex.Decode("ab".PadRight(64, '0') + 7.ToString("x64")))));
        var decoded = ev.DecodeLog(topics, data);
        Assert.That(decoded["name"], Is.EqualTo(Keccak.HashUtf8("agent")));
        Assert.That(decoded["data"], Is.EqualTo(new byte[] { 1 }));
    }

    [Test]
    public void DecodeLog_RejectsWrongTopic0AndCount()
    {
        var ev = AbiEvent.Parse("Ping(uint256 indexed n)");
        Assert.That(Assert.Throws<AbiDecodingException>(() => ev.DecodeLog([ev.Topic0], []))!.Message, Does.Contain("expects 2 topic(s)"));
        Assert.That(Assert.Throws<AbiDecodingException>(() => ev.DecodeLog([Hash32.Zero, Hash32.Zero], []))!.Message, Does.Contain("not " + ev.Topic0));
    }

    [Test]
    public void ErrorString_DecodesToReasonException()
    {
        // What `revert("Not enough Ether provided.")` returns, from the Solidity docs.
        byte[] data = Hex.Decode("0x08c379a0" + 0x20.ToString("x64") + 0x1a.ToString("x64") + "4e6f7420656e6f7567682045746865722070726f76696465642e".PadRight(64, '0'));
        var revert = RevertDecoder.Default.Decode(data);
        Assert.That(revert, Is.TypeOf<ContractRevertReasonException>());
        Assert.That(((ContractRevertReasonException)revert).Reason, Is.EqualTo("Not enough Ether provided."));
        Assert.That(revert.ErrorName, Is.EqualTo("Error"));
        Assert.That(revert.Message, Does.Contain("Not enough Ether provided."));
    }

    [Test]
    public void Panic_DecodesToPanicException()
    {
        byte[] data = Hex.Decode("0x4e487b71" + 0x11.ToString("x64"));
        var revert = RevertDecoder.Default.Decode(data);
        Assert.That(revert, Is.TypeOf<ContractPanicException>());
        Assert.That(((ContractPanicException)revert).Code, Is.EqualTo(new BigInteger(0x11)));
        Assert.That(revert.Message, Does.Contain("overflow"));
    }

    [Test]
    public void CustomError_DecodesWithNameAndArguments()
    {
        var error = AbiError.Parse("error InsufficientBond(uint256 required, uint256 provided)");
        var decoder = new RevertDecoder([error]);
        var revert = decoder.Decode(error.Encode(10_000, 5));
        Assert.That(revert.ErrorName, Is.EqualTo("InsufficientBond"));
        Assert.That(revert.ErrorSignature, Is.EqualTo("InsufficientBond(uint256,uint256)"));
        Assert.That(revert.Arguments, Is.EqualTo(new object[] { new BigInteger(10_000), new BigInteger(5) }));
        Assert.That(revert.Message, Does.Contain("InsufficientBond(required: 10000, provided: 5)"));
    }

    [Test]
    public void UnknownOrEmptyRevertData_StillGivesARevertException()
    {
        Assert.That(RevertDecoder.Default.Decode([]).Message, Does.Contain("without data"));
        var unknown = RevertDecoder.Default.Decode(Hex.Decode("0xdeadbeef"));
        Assert.That(unknown.ErrorName, Is.Null);
        Assert.That(unknown.Message, Does.Contain("0xdeadbeef"));
        var malformed = RevertDecoder.Default.Decode(Hex.Decode("0x08c379a0ff"));
        Assert.That(malformed.Message, Does.Contain("do not decode"));
    }
}
