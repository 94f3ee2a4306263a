using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using AgentCluster.Sdk.Matchmaking;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace AgentCluster.Sdk.Tests.Matchmaking;

public class CapabilityVectorTests
{
    [Test]
    public void Rejects_a_vector_of_the_wrong_length()
    {
        var e = Assert.Throws<ArgumentException>(() => CapabilityVector.FromValues(new float[511]));
        Assert.That(e!.Message, Does.Contain("512").And.Contain("511"));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void Rejects_a_non_finite_value(float bad)
    {
        float[] v = VectorData.Gaussian(new Random(1));
        v[7] = bad;
        var e = Assert.Throws<ArgumentException>(() => CapabilityVector.FromValues(v));
        Assert.That(e!.Message, Does.Contain("value 7").And.Contain("finite"));
    }

    [Test]
    public void Rejects_the_zero_vector_and_an_overflowing_norm()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => CapabilityVector.FromValues(new float[512]))!.Message, Does.Contain("all zeros"));
        float[] huge = Enumerable.Repeat(3e38f, 512).ToArray();
        Assert.That(Assert.Throws<ArgumentException>(() => CapabilityVector.FromValues(huge))!.Message, Does.Contain("overflows"));
    }

    [Test]
    public void Normalised_vector_has_unit_length_and_keeps_the_given_values()
    {
        float[] raw = VectorData.Gaussian(new Random(2));
        var v = CapabilityVector.FromValues(raw);
        Assert.That(TensorPrimitives.Norm(v.Normalized.Span), Is.EqualTo(1f).Within(1e-5f));
        Assert.That(v.Values.ToArray(), Is.EqualTo(raw));
        Assert.That(v.CosineSimilarity(v), Is.EqualTo(1f).Within(1e-5f));
    }

    [Test]
    public void Hash_is_keccak256_of_the_512_little_endian_float32_values_as_given()
    {
        Assume.That(BitConverter.IsLittleEndian, "the independent encoding below reinterprets memory");
        float[] raw = VectorData.Gaussian(new Random(3));
        var v = CapabilityVector.FromValues(raw);
        byte[] independent = MemoryMarshal.AsBytes(raw.AsSpan()).ToArray();
        Assert.That(v.ToCanonicalBytes(), Is.EqualTo(independent));
        Assert.That(v.ComputeHash(), Is.EqualTo(Sha3Keccack.Current.CalculateHash(independent)));
        Assert.That(v.ComputeHashHex(), Is.EqualTo(Sha3Keccack.Current.CalculateHash(independent).ToHex(true)));
        // A scaled vector has the same direction but is a different registration: a different hash.
        var scaled = CapabilityVector.FromValues(raw.Select(x => x * 2).ToArray());
        Assert.That(scaled.ComputeHash(), Is.Not.EqualTo(v.ComputeHash()));
        Assert.That(scaled.CosineSimilarity(v), Is.EqualTo(1f).Within(1e-5f));
    }

    [Test]
    public void Canonical_bytes_round_trip_and_wrong_lengths_are_refused()
    {
        var v = VectorData.Random(new Random(4));
        var back = CapabilityVector.FromCanonicalBytes(v.ToCanonicalBytes());
        Assert.That(back.Values.ToArray(), Is.EqualTo(v.Values.ToArray()));
        Assert.That(Assert.Throws<ArgumentException>(() => CapabilityVector.FromCanonicalBytes(new byte[2047]))!.Message, Does.Contain("2048").And.Contain("2047"));
    }

    [Test]
    public void Registration_file_round_trips_through_json()
    {
        var v = VectorData.Random(new Random(5));
        var file = new CapabilityRegistrationFile(BigInteger.Parse("1461501637330902918203684832716283019655932542975"), 0b1011, v);
        string json = file.ToJson();
        var parsed = CapabilityRegistrationFile.Parse(json);
        Assert.That(parsed.AgentId, Is.EqualTo(file.AgentId));
        Assert.That(parsed.Capabilities, Is.EqualTo(0b1011UL));
        Assert.That(parsed.Vector.Values.ToArray(), Is.EqualTo(v.Values.ToArray()));
        Assert.That(JsonNode.Parse(json)!["capabilityVectorHash"]!.GetValue<string>(), Is.EqualTo(v.ComputeHashHex()));
        Assert.DoesNotThrow(() => parsed.VerifyHash(v.ComputeHash()));
    }

    [Test]
    public void A_tampered_file_is_refused_with_the_two_hashes()
    {
        var v = VectorData.Random(new Random(6));
        var file = new CapabilityRegistrationFile(42, 1, v);
        JsonNode node = JsonNode.Parse(file.ToJson())!;
        byte[] bytes = Convert.FromBase64String(node["vector"]!["data"]!.GetValue<string>());
        bytes[100] ^= 0x01; // one bit of one float
        node["vector"]!["data"] = Convert.ToBase64String(bytes);
        string tampered = node.ToJsonString();

        // The file's own stated hash no longer matches.
        var e = Assert.Throws<CapabilityHashMismatchException>(() => CapabilityRegistrationFile.Parse(tampered));
        Assert.That(e!.Message, Does.Contain(v.ComputeHashHex()).And.Contain("agent 42"));

        // Without the stated hash it parses, but the index refuses it against the on-chain hash and stays empty.
        node.AsObject().Remove("capabilityVectorHash");
        var unstated = CapabilityRegistrationFile.Parse(node.ToJsonString());
        using var index = new ExactCapabilityIndex();
        using var hnsw = new HnswCapabilityIndex();
        Assert.Throws<CapabilityHashMismatchException>(() => index.Upsert(unstated, v.ComputeHash()));
        Assert.Throws<CapabilityHashMismatchException>(() => hnsw.Upsert(unstated, v.ComputeHash()));
        Assert.That(index.Count, Is.Zero);
        Assert.That(hnsw.Count, Is.Zero);

        // The untampered file is accepted.
        index.Upsert(file, v.ComputeHash());
        Assert.That(index.Contains(42), Is.True);
    }

    [TestCase("{", "not valid JSON")]
    [TestCase("[]", "JSON object")]
    [TestCase("""{"schema":"other/1"}""", "Unsupported registration file schema")]
    [TestCase("""{"schema":"agentcluster.capabilities/1","agentId":"-5","capabilities":"1"}""", "'agentId' must be a decimal uint256")]
    [TestCase("""{"schema":"agentcluster.capabilities/1","agentId":"0","capabilities":"1"}""", "positive uint256")]
    [TestCase("""{"schema":"agentcluster.capabilities/1","agentId":"7","capabilities":"x"}""", "'capabilities'")]
    [TestCase("""{"schema":"agentcluster.capabilities/1","agentId":"7","capabilities":"1"}""", "'vector' is missing")]
    [TestCase("""{"schema":"agentcluster.capabilities/1","agentId":"7","capabilities":"1","vector":{"encoding":"f32le-base64","dimensions":512,"data":"AAAA"}}""", "2048")]
    [TestCase("""{"schema":"agentcluster.capabilities/1","agentId":"7","capabilities":"1","vector":{"encoding":"json","dimensions":512,"data":""}}""", "'vector.encoding'")]
    public void Bad_registration_files_say_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => CapabilityRegistrationFile.Parse(json));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void VerifyHash_refuses_a_hash_that_is_not_32_bytes()
    {
        var file = new CapabilityRegistrationFile(1, 0, VectorData.Random(new Random(7)));
        Assert.That(Assert.Throws<ArgumentException>(() => file.VerifyHash(new byte[31]))!.Message, Does.Contain("32 bytes"));
    }
}
