/* 64-bit arithmetic for a target without __int128 helpers or signed division. */
#ifndef AC_MATH_H
#define AC_MATH_H
#include "types.h"

typedef struct { u64 lo, hi; } ac_u128;

/* The exact 128-bit product (an out-parameter: SBF functions cannot return structs). */
void ac_mul_64x64(u64 a, u64 b, ac_u128 *product);
/* floor(a * b / divisor); false when divisor is 0 or the quotient does not fit in 64 bits. */
bool ac_mul_div(u64 a, u64 b, u64 divisor, u64 *result);
/* 2^-x for x in Q32.32 (x / 2^32 halvings), in Q63 (2^63 = 1). Relative error below 1e-17 from the constants, 0 at 63+ halvings. */
u64 ac_exp2_neg_q32(u64 x);
#define AC_Q63_ONE (1ull << 63)
/* value * 2^(-elapsed / half_life): the lazily computed decay (reputation's 90-day half-life). half_life in (0, 2^31]. */
bool ac_decay(u64 value, u64 elapsed, u64 half_life, u64 *result);

#endif
