using System.Numerics;
using AgentCluster.Evm.Validation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;

namespace AgentCluster.Evm.Tests.Validation;

[Parallelizable(ParallelScope.All)]
public class StrictAbiTests
{
    private static Parameter[] Types(params string[] types) => types.Select((t, i) => new Parameter(t, i + 1)).ToArray();

    private static Parameter Tuple(string type, string name, params Parameter[] components)
    {
        var parameter = new Parameter(type, name, 1);
        Nethereum.ABI.ABIType abiType = parameter.ABIType;
        while (abiType is Nethereum.ABI.ArrayType array)
        {
            abiType = array.ElementType;
        }

        ((Nethereum.ABI.TupleType)abiType).SetComponents(components);
        return parameter;
    }

    private static byte[] Word(string hex) => ("0x" + hex.PadLeft(64, '0')).HexToByteArray();

    [TestCase("uint8", "0000000000000000000000000000000000000000000000000000000000000100", "256 is above the largest uint8")]
    [TestCase("uint", "ff", null)]
    [TestCase("bool", "0000000000000000000000000000000000000000000000000000000000000002", "the word must be 0 or 1")]
    [TestCase("address", "0000000000000000000000010000000000000000000000000000000000000000", "non-zero upper 12 bytes")]
    [TestCase("bytes1", "0001000000000000000000000000000000000000000000000000000000000000", "non-zero bytes after the first 1")]
    [TestCase("bytes32", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", null)]
    [TestCase("int8", "0000000000000000000000000000000000000000000000000000000000000080", "not a sign-extended int8")]
    [TestCase("int8", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80", null)]
    [TestCase("int8", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "not a sign-extended int8")]
    [TestCase("int16", "000000000000000000000000000000000000000000000000000000000000ff80", "must all be 0xff")]
    [TestCase("bool", "0000000000000000000000000000000000000000000000000000000000000001", null)]
    public void EnsureClean_ChecksEveryStaticWord(string type, string word, string? message)
    {
        byte[] data = Word(word);
        if (message is null)
        {
            Assert.DoesNotThrow(() => StrictAbi.EnsureClean(data, Types(type)));
            return;
        }

        var e = Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(data, Types(type)));
        Assert.That(e!.Message, Does.StartWith($"[0] ({(type == "uint" ? "uint256" : type)})").And.Contain(message));
    }

    [Test]
    public void EnsureClean_NethereumAloneWouldAcceptTheDirtyValues()
    {
        // The reason this class exists: Nethereum decodes these without complaint.
        var decoder = new ParameterDecoder();
        Assert.That(decoder.DecodeDefaultData(Word("2"), Types("bool"))[0].Result, Is.EqualTo(true));
        Assert.That(decoder.DecodeDefaultData(Word("100"), Types("uint8"))[0].Result, Is.EqualTo(new BigInteger(256)));
        Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(Word("2"), Types("bool")));
        Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(Word("100"), Types("uint8")));
    }

    [Test]
    public void EnsureClean_AcceptsWhatNethereumEncodes()
    {
        var inner = Tuple("tuple[]", "items", new Parameter("uint8", "n", 1), new Parameter("bytes", "blob", 2), new Parameter("bool[2]", "flags", 3));
        Parameter[] parameters = [new Parameter("int16", "a", 1), new Parameter("string", "s", 2), inner, new Parameter("address[]", "who", 4)];
        object[] values =
        [
            new BigInteger(-300), "héllo",
            new object[] { new object[] { new BigInteger(255), new byte[] { 1, 2, 3 }, new object[] { true, false } }, new object[] { BigInteger.Zero, new byte[40], new object[] { false, true } } },
            new object[] { "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" },
        ];
        byte[] data = new ParametersEncoder().EncodeParameters(parameters, values);
        Assert.DoesNotThrow(() => StrictAbi.EnsureClean(data, parameters));
        Assert.DoesNotThrow(() => StrictAbi.EnsureClean([.. data, .. new byte[32]], parameters), "trailing bytes are allowed, as in Solidity");

        // A dirty bool deep inside: items[1].flags[1] is at a fixed place in the tail; find it by encoding a marker.
        int flag = FindDifference(data, new ParametersEncoder().EncodeParameters(parameters,
        [
            values[0], values[1],
            new object[] { ((object[])values[2])[0], new object[] { BigInteger.Zero, new byte[40], new object[] { false, false } } },
            values[3],
        ]));
        byte[] dirty = (byte[])data.Clone();
        dirty[flag] = 7;
        var e = Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(dirty, parameters));
        Assert.That(e!.Message, Does.StartWith("items[1].flags[1] (bool)"));
    }

    [Test]
    public void EnsureClean_RefusesTruncatedData()
    {
        byte[] data = new ParametersEncoder().EncodeParameters(Types("uint256", "string"), [new BigInteger(5), "hello"]);
        var e = Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(data[..^32], Types("uint256", "string")));
        Assert.That(e!.Message, Does.StartWith("[1] (string)").And.Contain("runs past the end"));
        e = Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(data[..40], Types("uint256", "uint256")));
        Assert.That(e!.Message, Does.StartWith("[1] (uint256)").And.Contain("the data ends before"));
        Assert.Throws<FormatException>(() => StrictAbi.EnsureClean("0x1234".HexToByteArray(), Types("uint256")));
    }

    [Test]
    public void EnsureClean_RefusesOffsetsAndLengthsPastTheEnd()
    {
        byte[] data = new byte[64];
        data[31] = 0xff;
        var e = Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(data, Types("bytes")));
        Assert.That(e!.Message, Does.Contain("offset 255 points past the end"));

        byte[] array = new ParametersEncoder().EncodeParameters(Types("uint256[]"), [new object[] { BigInteger.One }]);
        array[32] = 0x7f;
        e = Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(array, Types("uint256[]")));
        Assert.That(e!.Message, Does.StartWith("[0] (uint256[]): length"));

        byte[] huge = (byte[])array.Clone();
        huge[32] = 0;
        huge[63] = 0;
        huge.AsSpan(32, 24).Fill(0xff);
        Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(huge, Types("uint256[]")));
    }

    [Test]
    public void EnsureClean_ChecksStaticArraysAndStaticTuplesInPlace()
    {
        Parameter pair = Tuple("tuple[2]", "pairs", new Parameter("address", "to", 1), new Parameter("uint16", "amount", 2));
        byte[] data = new ParametersEncoder().EncodeParameters([pair, new Parameter("bool", "last", 2)],
            [new object[] { new object[] { "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", new BigInteger(1) }, new object[] { "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", new BigInteger(2) } }, true]);
        Assert.That(data, Has.Length.EqualTo(5 * 32), "static: all inline");
        Assert.DoesNotThrow(() => StrictAbi.EnsureClean(data, pair, new Parameter("bool", "last", 2)));
        data[3 * 32 + 29] = 1; // pairs[1].amount gets a bit above 16
        var e = Assert.Throws<FormatException>(() => StrictAbi.EnsureClean(data, pair, new Parameter("bool", "last", 2)));
        Assert.That(e!.Message, Does.StartWith("pairs[1].amount (uint16)"));
    }

    private static int FindDifference(byte[] a, byte[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        throw new InvalidOperationException("no difference");
    }
}
