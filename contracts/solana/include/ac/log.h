/* Logging through the runtime (each call costs compute units: log failures and milestones, not every step). */
#ifndef AC_LOG_H
#define AC_LOG_H
#include "syscalls.h"

#define AC_LOG(literal) sol_log_((literal), sizeof(literal) - 1)
u64 ac_strlen(const char *s);
AC_INLINE void ac_log_str(const char *s) { sol_log_(s, ac_strlen(s)); }
AC_INLINE void ac_log_u64s(u64 a, u64 b, u64 c, u64 d, u64 e) { sol_log_64_(a, b, c, d, e); }
AC_INLINE void ac_log_pubkey(const ac_pubkey *key) { sol_log_pubkey(key); }

#endif
