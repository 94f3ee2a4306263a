using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AgentCluster.Evm.Crypto;

/// <summary>
/// RFC 6979 deterministic nonces for secp256k1 with HMAC-SHA256 (qlen = hlen = 256), the same k sequence as BouncyCastle's
/// <c>HMacDsaKCalculator</c>, on a managed SHA-256 that keeps each HMAC key's inner and outer pad states (so an HMAC over a
/// 32-byte V is two compressions, not four) and allocates nothing. .NET's native <c>HMACSHA256.HashData</c> was measured slower
/// here (about 1.7 µs per call of fixed overhead). SHA-256 has no data-dependent branches or memory indices; the only branch on
/// a secret is the rejection test 1 &lt;= k &lt; n, which fails with probability about 2^-128 and reveals only the rejected value.
/// </summary>
internal struct Rfc6979
{
    private static readonly uint[] RoundConstants =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static readonly PadStates ZeroKeyPads = ComputeZeroKeyPads();

    private PadStates _pads; // the current HMAC key K as its inner and outer pad states
    private Bytes32 _v;

    /// <summary>Initialises the generator from the private key d and the message hash (RFC 6979 section 3.2 steps a-f).</summary>
    internal Rfc6979(ReadOnlySpan<byte> privateKey32, ReadOnlySpan<byte> hash32)
    {
        // bits2octets(h) = (h mod n) as 32 bytes.
        Span<byte> h1 = stackalloc byte[32];
        Secp256k1Scalar.Reduce(Secp256k1Scalar.Sc.FromBigEndian(hash32)).WriteBigEndian(h1);

        Span<byte> message = stackalloc byte[97];
        Span<byte> v = _v;
        v.Fill(0x01);
        Span<byte> k = stackalloc byte[32];

        // K = HMAC_K(V || 0x00 || x || h1) with K = 0^32; V = HMAC_K(V).
        v.CopyTo(message);
        message[32] = 0x00;
        privateKey32.CopyTo(message[33..]);
        h1.CopyTo(message[65..]);
        Hmac(in ZeroKeyPads, message, k);
        _pads = KeyPads(k);
        Hmac(in _pads, v, v);

        // K = HMAC_K(V || 0x01 || x || h1); V = HMAC_K(V).
        v.CopyTo(message);
        message[32] = 0x01;
        Hmac(in _pads, message, k);
        _pads = KeyPads(k);
        Hmac(in _pads, v, v);

        message.Clear();
        k.Clear();
        h1.Clear();
    }

    /// <summary>The next candidate nonce (step h): 32 bytes big-endian, 1 &lt;= k &lt; n.</summary>
    internal void NextK(Span<byte> k32)
    {
        Span<byte> v = _v;
        Span<byte> message = stackalloc byte[33];
        Span<byte> key = stackalloc byte[32];
        while (true)
        {
            Hmac(in _pads, v, v);
            if (InRange(v))
            {
                v.CopyTo(k32);
                return;
            }

            // K = HMAC_K(V || 0x00); V = HMAC_K(V).
            v.CopyTo(message);
            message[32] = 0x00;
            Hmac(in _pads, message, key);
            _pads = KeyPads(key);
            Hmac(in _pads, v, v);
        }
    }

    /// <summary>Wipes the key material.</summary>
    internal void Clear()
    {
        _pads = default;
        _v = default;
    }

    /// <summary>1 &lt;= k &lt; n, evaluated without early exits.</summary>
    private static bool InRange(ReadOnlySpan<byte> k32)
    {
        var k = Secp256k1Scalar.Sc.FromBigEndian(k32);
        Secp256k1Scalar.Reduce(in k, out bool overflowed);
        return !overflowed & !k.IsZero;
    }

    private static PadStates KeyPads(ReadOnlySpan<byte> key32)
    {
        var pads = default(PadStates);
        Span<byte> block = stackalloc byte[64];
        Span<uint> inner = pads.Inner;
        Span<uint> outer = pads.Outer;
        InitialState(inner);
        InitialState(outer);
        block.Fill(0x36);
        for (int i = 0; i < 32; i++)
        {
            block[i] ^= key32[i];
        }

        Compress(inner, block);
        block.Fill(0x5c);
        for (int i = 0; i < 32; i++)
        {
            block[i] ^= key32[i];
        }

        Compress(outer, block);
        block.Clear();
        return pads;
    }

    private static PadStates ComputeZeroKeyPads() => KeyPads(new byte[32]);

    /// <summary>HMAC-SHA256 from precomputed pad states; message at most 119 bytes. output may alias message.</summary>
    private static void Hmac(in PadStates pads, ReadOnlySpan<byte> message, Span<byte> output)
    {
        Span<uint> state = stackalloc uint[8];
        Span<byte> block = stackalloc byte[128];
        Span<byte> innerHash = stackalloc byte[32];
        pads.InnerReadOnly.CopyTo(state);
        FinishHash(state, message, block);
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(innerHash[(4 * i)..], state[i]);
        }

        pads.OuterReadOnly.CopyTo(state);
        FinishHash(state, innerHash, block);
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output[(4 * i)..], state[i]);
        }

        block.Clear();
        innerHash.Clear();
        state.Clear();
    }

    /// <summary>Hashes the last bytes of a message that follows one 64-byte block already in <paramref name="state"/>; pads and finishes.</summary>
    private static void FinishHash(Span<uint> state, ReadOnlySpan<byte> message, Span<byte> scratch128)
    {
        int blocks = message.Length + 9 <= 64 ? 1 : 2;
        Span<byte> tail = scratch128[..(64 * blocks)];
        tail.Clear();
        message.CopyTo(tail);
        tail[message.Length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(tail[^8..], (ulong)(64 + message.Length) * 8);
        for (int b = 0; b < blocks; b++)
        {
            Compress(state, tail.Slice(64 * b, 64));
        }
    }

    private static void InitialState(Span<uint> state)
    {
        state[0] = 0x6a09e667;
        state[1] = 0xbb67ae85;
        state[2] = 0x3c6ef372;
        state[3] = 0xa54ff53a;
        state[4] = 0x510e527f;
        state[5] = 0x9b05688c;
        state[6] = 0x1f83d9ab;
        state[7] = 0x5be0cd19;
    }

    /// <summary>The SHA-256 compression function on one 64-byte block.</summary>
    private static void Compress(Span<uint> state, ReadOnlySpan<byte> block)
    {
        Span<uint> w = stackalloc uint[64];
        for (int i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(4 * i)..]);
        }

        for (int i = 16; i < 64; i++)
        {
            uint w15 = w[i - 15], w2 = w[i - 2];
            uint s0 = BitOperations.RotateRight(w15, 7) ^ BitOperations.RotateRight(w15, 18) ^ (w15 >> 3);
            uint s1 = BitOperations.RotateRight(w2, 17) ^ BitOperations.RotateRight(w2, 19) ^ (w2 >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        ReadOnlySpan<uint> k = RoundConstants;
        for (int i = 0; i < 64; i += 8)
        {
            Round(a, b, c, ref d, e, f, g, ref h, k[i] + w[i]);
            Round(h, a, b, ref c, d, e, f, ref g, k[i + 1] + w[i + 1]);
            Round(g, h, a, ref b, c, d, e, ref f, k[i + 2] + w[i + 2]);
            Round(f, g, h, ref a, b, c, d, ref e, k[i + 3] + w[i + 3]);
            Round(e, f, g, ref h, a, b, c, ref d, k[i + 4] + w[i + 4]);
            Round(d, e, f, ref g, h, a, b, ref c, k[i + 5] + w[i + 5]);
            Round(c, d, e, ref f, g, h, a, ref b, k[i + 6] + w[i + 6]);
            Round(b, c, d, ref e, f, g, h, ref a, k[i + 7] + w[i + 7]);
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
        w.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(uint a, uint b, uint c, ref uint d, uint e, uint f, uint g, ref uint h, uint kw)
    {
        uint t1 = h + (BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25)) + ((e & f) ^ (~e & g)) + kw;
        uint t2 = (BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        d += t1;
        h = t1 + t2;
    }

    [InlineArray(32)]
    private struct Bytes32
    {
        private byte _element;
    }

    [InlineArray(16)]
    private struct Words16
    {
        private uint _element;
    }

    private struct PadStates
    {
        private Words16 _words;

        public Span<uint> Inner => MemoryMarshal.CreateSpan(ref _words[0], 8);

        public Span<uint> Outer => MemoryMarshal.CreateSpan(ref _words[8], 8);

        public readonly ReadOnlySpan<uint> InnerReadOnly => MemoryMarshal.CreateReadOnlySpan(in _words[0], 8);

        public readonly ReadOnlySpan<uint> OuterReadOnly => MemoryMarshal.CreateReadOnlySpan(in _words[8], 8);
    }
}
