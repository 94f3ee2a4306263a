/* Fixed-width types and the few macros the program uses. Freestanding: no libc headers. */
#ifndef AC_TYPES_H
#define AC_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed long long i64;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

typedef struct { u8 bytes[32]; } ac_pubkey;

#define AC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define AC_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define AC_NOINLINE __attribute__((noinline))
#define AC_INLINE static inline __attribute__((always_inline))

#endif
