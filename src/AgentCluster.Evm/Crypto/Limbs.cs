using System.Runtime.CompilerServices;

namespace AgentCluster.Evm.Crypto;

/// <summary>
/// 64-bit limb primitives shared by the field (<see cref="Secp256k1BaseMultiplier"/>) and scalar (<see cref="Secp256k1Scalar"/>)
/// arithmetic. Carries and borrows are computed with comparisons turned into 0/1 values, never branches.
/// </summary>
internal static class Limbs
{
    /// <summary>a·b + x + c as a 128-bit value: returns the high limb, <paramref name="lo"/> the low one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong MulAdd(ulong a, ulong b, ulong x, ulong c, out ulong lo)
    {
        ulong hi = Math.BigMul(a, b, out ulong l);
        l += x;
        hi += l < x ? 1UL : 0UL;
        l += c;
        hi += l < c ? 1UL : 0UL;
        lo = l;
        return hi;
    }

    /// <summary>a + b + carry; <paramref name="carry"/> (0 or 1) becomes the carry out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong AddCarry(ulong a, ulong b, ref ulong carry)
    {
        ulong s = a + b;
        ulong c1 = s < a ? 1UL : 0UL;
        s += carry;
        carry = c1 | (s < carry ? 1UL : 0UL);
        return s;
    }

    /// <summary>a - b - borrow; <paramref name="borrow"/> (0 or 1) becomes the borrow out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SubBorrow(ulong a, ulong b, ref ulong borrow)
    {
        ulong d = a - b;
        ulong b1 = a < b ? 1UL : 0UL;
        ulong r = d - borrow;
        borrow = b1 | (d < borrow ? 1UL : 0UL);
        return r;
    }
}
