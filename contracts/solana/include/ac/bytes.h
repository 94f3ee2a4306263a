/* Little-endian reads and writes at any alignment (instruction data and foreign account layouts are packed). */
#ifndef AC_BYTES_H
#define AC_BYTES_H
#include "types.h"

AC_INLINE u16 ac_read_u16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
AC_INLINE u32 ac_read_u32(const u8 *p) { return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }
AC_INLINE u64 ac_read_u64(const u8 *p) { return (u64)ac_read_u32(p) | (u64)ac_read_u32(p + 4) << 32; }
AC_INLINE void ac_write_u32(u8 *p, u32 v) { for (int i = 0; i < 4; i++) p[i] = (u8)(v >> (8 * i)); }
AC_INLINE void ac_write_u64(u8 *p, u64 v) { for (int i = 0; i < 8; i++) p[i] = (u8)(v >> (8 * i)); }
AC_INLINE void ac_write_key(u8 *p, const ac_pubkey *k) { for (int i = 0; i < 32; i++) p[i] = k->bytes[i]; }

#endif
