/* The runtime's syscalls used by the program (the linker accepts only known syscall names as undefined symbols). */
#ifndef AC_SYSCALLS_H
#define AC_SYSCALLS_H
#include "types.h"

typedef struct { const u8 *addr; u64 len; } ac_seed;
typedef struct { const ac_seed *addr; u64 len; } ac_signer_seeds;

typedef struct { const ac_pubkey *pubkey; bool is_writable; bool is_signer; } ac_account_meta;
typedef struct {
  const ac_pubkey *program_id;
  const ac_account_meta *accounts;
  u64 account_len;
  const u8 *data;
  u64 data_len;
} ac_instruction;
/* The C ABI's SolAccountInfo: pointers into the serialised input (the runtime checks that they are). */
typedef struct {
  const ac_pubkey *key;
  u64 *lamports;
  u64 data_len;
  u8 *data;
  const ac_pubkey *owner;
  u64 rent_epoch;
  bool is_signer;
  bool is_writable;
  bool executable;
} ac_account_info;

extern void sol_log_(const char *message, u64 len);
extern void sol_log_64_(u64 a, u64 b, u64 c, u64 d, u64 e);
extern void sol_log_pubkey(const ac_pubkey *key);
typedef struct { const u8 *addr; u64 len; } ac_bytes;
extern void sol_log_data(const ac_bytes *fields, u64 fields_len);
extern void sol_memcpy_(void *dst, const void *src, u64 n);
extern void sol_memset_(void *dst, u8 value, u64 n);
extern u64 sol_create_program_address(const ac_seed *seeds, u64 seeds_len, const ac_pubkey *program_id, ac_pubkey *address);
extern u64 sol_try_find_program_address(const ac_seed *seeds, u64 seeds_len, const ac_pubkey *program_id,
                                        ac_pubkey *address, u8 *bump);
extern u64 sol_invoke_signed_c(const ac_instruction *instruction, const ac_account_info *account_infos, u64 account_infos_len,
                               const ac_signer_seeds *signers_seeds, u64 signers_seeds_len);
extern void sol_set_return_data(const u8 *data, u64 len);
extern u64 sol_get_rent_sysvar(void *rent);
extern u64 sol_get_clock_sysvar(void *clock);

#endif
