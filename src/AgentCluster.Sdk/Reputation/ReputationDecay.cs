using System.Globalization;
using System.Numerics;

namespace AgentCluster.Sdk.Reputation;

/// <summary>
/// The Reputation contract's decay arithmetic, off-chain and bit-exact: a 90-day half-life, values normalised per era of 32 half-lives
/// (contracts/evm/libraries/Decay.sol and ReputationMath.sol). With the value an agent had after its last change (the
/// <c>ReputationChanged</c> event's <c>newValue</c>) and that change's block time, <see cref="ValueAt"/> gives exactly what
/// <c>reputationOf</c> returns at any later time, without a node: what an indexer, a dashboard or an agent planning ahead needs.
/// </summary>
public static class ReputationDecay
{
    /// <summary>The half-life, in seconds (90 days).</summary>
    public const long HalfLifeSeconds = 90L * 24 * 3600;

    /// <summary>Half-lives per era.</summary>
    public const int EraHalfLives = 32;

    /// <summary>One era, in seconds.</summary>
    public const long EraSeconds = EraHalfLives * HalfLifeSeconds;

    private static readonly BigInteger Q128 = BigInteger.One << 128;
    private static readonly BigInteger U256 = BigInteger.One << 256;

    // floor(2^128 * 2^(-2^-k)) for k = 1..64, the contract's constants (checked against each other by the tests: each squared is the previous).
    private static readonly BigInteger[] HalvingRoots =
    [
        Hex("b504f333f9de6484597d89b3754abe9f"),
        Hex("d744fccad69d6af439a68bb9902d3fde"),
        Hex("eac0c6e7dd24392ed02d75b3706e54fa"),
        Hex("f5257d152486cc2c7b9d0c7aed980fc3"),
        Hex("fa83b2db722a033a7c25bb14315d7fcc"),
        Hex("fd3e0c0cf486c174853f3a5931e0ee03"),
        Hex("fe9e115c7b8f884badd25995e79d2f09"),
        Hex("ff4ecb59511ec8a5301ba217ef18dd7c"),
        Hex("ffa756521c8daed19f3a1b48fb94c589"),
        Hex("ffd3a751c0f7e10bd3b9f8ae012fbe06"),
        Hex("ffe9d2b2f7db2755ddf1d28a378a438c"),
        Hex("fff4e91bff1b8c3d88338e0ebf284a4d"),
        Hex("fffa747ea0040664238f92f792405805"),
        Hex("fffd3a3b7814eb53cd7629d70fea116a"),
        Hex("fffe9d1cc60ddab126de1aec4a87e7b8"),
        Hex("ffff4e8e25879bfa09ea263360240c1a"),
        Hex("ffffa7470363f4515426d76c762b6b61"),
        Hex("ffffd3a37dda03133bde87a8379c8932"),
        Hex("ffffe9d1bdf703aef21ea4dcfb0682d8"),
        Hex("fffff4e8debe025e24128a3d460731f1"),
        Hex("fffffa746f4fa1506788fbc89750bf71"),
        Hex("fffffd3a37a3f8b07e7c4871dc00d76e"),
        Hex("fffffe9d1bd1065a50971275792f1c83"),
        Hex("ffffff4e8de845adac77243cd0914b37"),
        Hex("ffffffa746f41376f74124cd483186d4"),
        Hex("ffffffd3a37a05e383e14c90273c94f5"),
        Hex("ffffffe9d1bd01fbc400bf822dc936b5"),
        Hex("fffffff4e8de80c062846365949b61af"),
        Hex("fffffffa746f4050d1633246a8a0e09a"),
        Hex("fffffffd3a37a02490b9d93da3c1ebcf"),
        Hex("fffffffe9d1bd011525efca410b8eab7"),
        Hex("ffffffff4e8de8086bb002532d71e54d"),
        Hex("ffffffffa746f40426782229daaa3cfa"),
        Hex("ffffffffd3a37a020f641954fda6eedd"),
        Hex("ffffffffe9d1bd0106bc0eba82d29b40"),
        Hex("fffffffff4e8de80832087e142666c8b"),
        Hex("fffffffffa746f404180e411a17228bf"),
        Hex("fffffffffd3a37a020bc9a1110c8c656"),
        Hex("fffffffffe9d1bd0105d570a98684e53"),
        Hex("ffffffffff4e8de8082e6e05d03521c9"),
        Hex("ffffffffffa746f4041727a3091acf87"),
        Hex("ffffffffffd3a37a020b8ff98ccd776b"),
        Hex("ffffffffffe9d1bd0105c706c876bf9f"),
        Hex("fffffffffff4e8de8082e345e4bf60ca"),
        Hex("fffffffffffa746f404171939280b0a3"),
        Hex("fffffffffffd3a37a020b8c5f1489861"),
        Hex("fffffffffffe9d1bd0105c6202a65c34"),
        Hex("ffffffffffff4e8de8082e30c3d3b21b"),
        Hex("ffffffffffffa746f40417185289fa0d"),
        Hex("ffffffffffffd3a37a020b8c256d0547"),
        Hex("ffffffffffffe9d1bd0105c611c084b3"),
        Hex("fffffffffffff4e8de8082e308a2c2dd"),
        Hex("fffffffffffffa746f4041718442018f"),
        Hex("fffffffffffffd3a37a020b8c21d28d0"),
        Hex("fffffffffffffe9d1bd0105c610d9e6a"),
        Hex("ffffffffffffff4e8de8082e308691b5"),
        Hex("ffffffffffffffa746f404171843397a"),
        Hex("ffffffffffffffd3a37a020b8c2198e5"),
        Hex("ffffffffffffffe9d1bd0105c610cb7c"),
        Hex("fffffffffffffff4e8de8082e3086580"),
        Hex("fffffffffffffffa746f4041718432b1"),
        Hex("fffffffffffffffd3a37a020b8c21954"),
        Hex("fffffffffffffffe9d1bd0105c610ca9"),
        Hex("ffffffffffffffff4e8de8082e308654"),
    ];

    /// <summary>The constant for the k-th bit of the fraction (k = 1 .. 64): floor(2^128 x 2^(-2^-k)).</summary>
    public static BigInteger HalvingRoot(int k) => k is >= 1 and <= 64 ? HalvingRoots[k - 1]
        : throw new ArgumentOutOfRangeException(nameof(k), k, "k is 1 .. 64.");

    /// <summary>2^(-x) in Q128 for x in Q64.64 (the contract's <c>Decay.exp2Neg</c>); zero from 128 halvings.</summary>
    public static BigInteger Exp2Neg(BigInteger x)
    {
        if (x.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "The exponent cannot be negative.");
        }

        BigInteger whole = x >> 64;
        if (whole >= 128)
        {
            return BigInteger.Zero;
        }

        ulong frac = (ulong)(x & ulong.MaxValue);
        BigInteger r = Q128;
        for (int k = 1; k <= 64; k++)
        {
            if ((frac & (1UL << (64 - k))) != 0)
            {
                r = ((r * HalvingRoots[k - 1]) % U256) >> 128; // unchecked 256-bit multiply, as on-chain (never wraps: r, c < 2^128)
            }
        }

        return r >> (int)whole;
    }

    /// <summary>The decay factor over <paramref name="elapsedSeconds"/>, Q128 (the contract's <c>Decay.factor</c>).</summary>
    public static BigInteger Factor(BigInteger elapsedSeconds)
    {
        if (elapsedSeconds.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(elapsedSeconds), elapsedSeconds, "Elapsed time cannot be negative.");
        }

        return elapsedSeconds >= 128 * HalfLifeSeconds ? BigInteger.Zero : Exp2Neg((elapsedSeconds << 64) / HalfLifeSeconds);
    }

    /// <summary>The era of <paramref name="timepoint"/> and that era's common factor there (the contract's <c>ReputationMath.position</c>).</summary>
    public static (long Era, BigInteger Factor) Position(long genesis, long timepoint)
    {
        long since = timepoint > genesis ? timepoint - genesis : 0;
        return (since / EraSeconds, Factor(since % EraSeconds));
    }

    /// <summary>
    /// The value at <paramref name="at"/> (unix seconds) of a dimension whose last change, at <paramref name="changedAt"/>, left it at
    /// <paramref name="newValue"/>: normalised (rounded up) at the change, rebased to the later era, read (rounded down), exactly as the
    /// contract. <paramref name="genesis"/> is the contract's <c>genesisTime</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative value, or <paramref name="at"/> before <paramref name="changedAt"/>.</exception>
    public static BigInteger ValueAt(BigInteger newValue, long changedAt, long at, long genesis)
    {
        if (newValue.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(newValue), newValue, "A reputation value cannot be negative.");
        }

        if (at < changedAt)
        {
            throw new ArgumentOutOfRangeException(nameof(at), at, $"The time read ({at}) is before the change ({changedAt}).");
        }

        (long era0, BigInteger f0) = Position(genesis, changedAt);
        BigInteger normalised = (newValue * Q128 + f0 - 1) / f0;
        (long era, BigInteger f) = Position(genesis, at);
        long eras = era - era0;
        normalised = eras <= 0 ? normalised : eras >= 8 ? BigInteger.Zero : normalised >> (int)(eras * EraHalfLives);
        return normalised * f / Q128;
    }

    private static BigInteger Hex(string digits) => BigInteger.Parse("0" + digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
