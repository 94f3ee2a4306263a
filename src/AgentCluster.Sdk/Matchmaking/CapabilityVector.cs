using System.Buffers.Binary;
using System.Numerics.Tensors;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace AgentCluster.Sdk.Matchmaking;

/// <summary>
/// An agent's 512-dimension capability vector (seed 000, layer 3). Validated on construction: exactly
/// <see cref="Dimensions"/> finite values with a finite, non-zero Euclidean norm. Keeps the values as given (they are what is
/// hashed) and their unit-length normalisation (what is compared: the cosine of two vectors is the dot product of their
/// normalisations). Immutable.
/// </summary>
/// <remarks>
/// The on-chain <c>capabilityVectorHash</c> (AgentRegistry.setCapabilities / capabilitiesOf) is
/// <c>keccak256(canonical bytes)</c>, the canonical bytes being the 512 values <b>as given</b> (not normalised), each an
/// IEEE-754 binary32 in little-endian order: 2,048 bytes. Hashing the given values, not the normalised ones, keeps the hash
/// independent of how a machine rounds the normalisation. See docs/sdk-matchmaking.md.
/// </remarks>
public sealed class CapabilityVector
{
    /// <summary>The number of dimensions of every capability vector: 512.</summary>
    public const int Dimensions = 512;

    /// <summary>The length of <see cref="ToCanonicalBytes"/>: 512 x 4 = 2,048 bytes.</summary>
    public const int CanonicalByteLength = Dimensions * sizeof(float);

    private readonly float[] _values;
    private readonly float[] _normalized;

    private CapabilityVector(float[] values, float[] normalized)
    {
        _values = values;
        _normalized = normalized;
    }

    /// <summary>The values as given (what the hash covers).</summary>
    public ReadOnlyMemory<float> Values => _values;

    /// <summary>The values divided by their Euclidean norm (unit length; what similarity is computed on).</summary>
    public ReadOnlyMemory<float> Normalized => _normalized;

    internal float[] NormalizedArray => _normalized;

    /// <summary>Creates a capability vector from its values.</summary>
    /// <param name="values">Exactly 512 finite values, not all zero.</param>
    /// <exception cref="ArgumentException">The length is not 512, a value is NaN or infinite, or the norm is zero or overflows.</exception>
    public static CapabilityVector FromValues(ReadOnlySpan<float> values)
    {
        if (values.Length != Dimensions)
            throw new ArgumentException($"A capability vector has exactly {Dimensions} dimensions; got {values.Length}.", nameof(values));
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Capability vector value {i} is {values[i]}; every value must be a finite number.", nameof(values));
        }
        float norm = TensorPrimitives.Norm(values);
        if (norm == 0f)
            throw new ArgumentException("The capability vector is all zeros; a zero vector has no direction and cannot be compared by cosine.", nameof(values));
        if (!float.IsFinite(norm))
            throw new ArgumentException("The capability vector's norm overflows float32; scale the values down.", nameof(values));
        float[] copy = values.ToArray();
        float[] normalized = new float[Dimensions];
        TensorPrimitives.Divide(copy, norm, normalized);
        return new CapabilityVector(copy, normalized);
    }

    /// <summary>Decodes a vector from its canonical bytes (512 little-endian IEEE-754 float32).</summary>
    /// <param name="bytes">Exactly 2,048 bytes.</param>
    /// <exception cref="ArgumentException">The length is wrong or the decoded values are not a valid capability vector.</exception>
    public static CapabilityVector FromCanonicalBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != CanonicalByteLength)
            throw new ArgumentException($"A capability vector's canonical encoding is {CanonicalByteLength} bytes (512 little-endian float32); got {bytes.Length}.", nameof(bytes));
        var values = new float[Dimensions];
        for (int i = 0; i < Dimensions; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float), sizeof(float)));
        return FromValues(values);
    }

    /// <summary>The canonical encoding: the 512 values as given, each a little-endian IEEE-754 float32 (2,048 bytes).</summary>
    public byte[] ToCanonicalBytes()
    {
        var bytes = new byte[CanonicalByteLength];
        for (int i = 0; i < Dimensions; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float), sizeof(float)), _values[i]);
        return bytes;
    }

    /// <summary>The capability vector hash as the AgentRegistry stores it: keccak256 of <see cref="ToCanonicalBytes"/> (32 bytes).</summary>
    public byte[] ComputeHash() => Sha3Keccack.Current.CalculateHash(ToCanonicalBytes());

    /// <summary><see cref="ComputeHash"/> as 0x-prefixed lower-case hex, the form Nethereum's bytes32 parameters print.</summary>
    public string ComputeHashHex() => ComputeHash().ToHex(true);

    /// <summary>The cosine similarity of this vector and <paramref name="other"/>, in [-1, 1].</summary>
    /// <param name="other">The vector to compare with.</param>
    public float CosineSimilarity(CapabilityVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Math.Clamp(TensorPrimitives.Dot(_normalized, other._normalized), -1f, 1f);
    }
}
