#include "ac/math.h"

void ac_mul_64x64(u64 a, u64 b, ac_u128 *r) {
  u64 a_lo = a & 0xffffffffull, a_hi = a >> 32, b_lo = b & 0xffffffffull, b_hi = b >> 32;
  u64 lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  /* The middle column is the sum of three 32-bit numbers: it cannot overflow. */
  u64 middle = (lo_lo >> 32) + (hi_lo & 0xffffffffull) + (lo_hi & 0xffffffffull);
  r->lo = (middle << 32) | (lo_lo & 0xffffffffull);
  r->hi = hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (middle >> 32);
}

bool ac_mul_div(u64 a, u64 b, u64 divisor, u64 *result) {
  if (divisor == 0) return false;
  ac_u128 p;
  ac_mul_64x64(a, b, &p);
  if (p.hi >= divisor) return false; /* the quotient would need more than 64 bits */
  /* Binary long division of the 128-bit product: 64 steps, the remainder always below the divisor. */
  u64 remainder = p.hi, quotient = 0;
  for (int bit = 63; bit >= 0; bit--) {
    u64 carry = remainder >> 63;
    remainder = (remainder << 1) | ((p.lo >> bit) & 1);
    quotient <<= 1;
    if (carry || remainder >= divisor) {
      remainder -= divisor;
      quotient |= 1;
    }
  }
  *result = quotient;
  return true;
}

/* floor(2^63 * 2^(-2^-k)) for k = 1..32: each is the square root of the one before (computed with 256-bit integers). */
static const u64 EXP2_NEG_POW2[32] = {
  0x5a827999fcef3242ull, 0x6ba27e656b4eb57aull, 0x75606373ee921c97ull, 0x7a92be8a92436616ull, 0x7d41d96db915019dull,
  0x7e9f06067a4360baull, 0x7f4f08ae3dc7c425ull, 0x7fa765aca88f6452ull, 0x7fd3ab290e46d768ull, 0x7fe9d3a8e07bf085ull,
  0x7ff4e9597bed93aaull, 0x7ffa748dff8dc61eull, 0x7ffd3a3f50020332ull, 0x7ffe9d1dbc0a75a9ull, 0x7fff4e8e6306ed58ull,
  0x7fffa74712c3cdfdull, 0x7fffd3a381b1fa28ull, 0x7fffe9d1beed0189ull, 0x7ffff4e8defb81d7ull, 0x7ffffa746f5f012full,
  0x7ffffd3a37a7d0a8ull, 0x7ffffe9d1bd1fc58ull, 0x7fffff4e8de8832dull, 0x7fffffa746f422d6ull, 0x7fffffd3a37a09bbull,
  0x7fffffe9d1bd02f1ull, 0x7ffffff4e8de80fdull, 0x7ffffffa746f4060ull, 0x7ffffffd3a37a028ull, 0x7ffffffe9d1bd012ull,
  0x7fffffff4e8de808ull, 0x7fffffffa746f404ull,
};

static u64 mul_q63(u64 a, u64 b) {
  ac_u128 p;
  ac_mul_64x64(a, b, &p);
  return (p.hi << 1) | (p.lo >> 63);
}

u64 ac_exp2_neg_q32(u64 x) {
  u64 whole = x >> 32;
  if (whole >= 63) return 0;
  u64 r = AC_Q63_ONE;
  for (int k = 0; k < 32; k++) {
    if (x & (1ull << (31 - k))) r = mul_q63(r, EXP2_NEG_POW2[k]);
  }
  return r >> whole;
}

bool ac_decay(u64 value, u64 elapsed, u64 half_life, u64 *result) {
  if (half_life == 0 || half_life > (1ull << 31)) return false;
  u64 whole = elapsed / half_life;
  if (whole >= 63) { *result = 0; return true; }
  u64 fraction = ((elapsed % half_life) << 32) / half_life;
  u64 factor = ac_exp2_neg_q32((whole << 32) | fraction);
  ac_u128 p;
  ac_mul_64x64(value, factor, &p);
  *result = (p.hi << 1) | (p.lo >> 63);
  return true;
}
