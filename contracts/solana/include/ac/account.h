/* Zero-copy views of the accounts in the loader's serialised input (SBPFv0, aligned: BPFLoaderUpgradeable). */
#ifndef AC_ACCOUNT_H
#define AC_ACCOUNT_H
#include "types.h"
#include "syscalls.h"

/* The most accounts an instruction may pass: bounds the decoding loop and the view array on the stack. */
#define AC_MAX_ACCOUNTS 24
#define AC_MAX_PERMITTED_DATA_INCREASE (10 * 1024)
#define AC_NON_DUP_MARKER 0xff

/* One account as the runtime serialises it; the view points into the input, so lamports, owner and data length
 * changed by a CPI are seen at once. Only `data` (and lamports of program-owned accounts) may be written. */
typedef struct {
  u8 duplicate;           /* AC_NON_DUP_MARKER, or the index of the first occurrence */
  u8 is_signer;
  u8 is_writable;
  u8 executable;
  u32 original_data_len;  /* padding in the input; ac_deserialize keeps the serialised data length here */
  ac_pubkey key;
  ac_pubkey owner;
  u64 lamports;
  u64 data_len;
  u8 data[];
} ac_account;

typedef struct {
  ac_account *accounts[AC_MAX_ACCOUNTS];
  u64 account_count;
  const u8 *data;
  u64 data_len;
  const ac_pubkey *program_id;
} ac_input;

/* Decodes the input; AC_ERR_TOO_MANY_ACCOUNTS beyond AC_MAX_ACCOUNTS. Duplicates point at their first occurrence. */
u64 ac_deserialize(u8 *input, ac_input *out);

/* The C ABI account info of a view (for sol_invoke_signed_c). Inline: SBF functions cannot return structs. */
AC_INLINE ac_account_info ac_account_info_of(ac_account *account) {
  u8 *after = account->data + account->original_data_len + AC_MAX_PERMITTED_DATA_INCREASE;
  after = (u8 *)(((u64)after + 7) & ~7ull);
  ac_account_info info = {
    .key = &account->key,
    .lamports = &account->lamports,
    .data_len = account->data_len,
    .data = account->data,
    .owner = &account->owner,
    .rent_epoch = *(u64 *)after,
    .is_signer = account->is_signer != 0,
    .is_writable = account->is_writable != 0,
    .executable = account->executable != 0,
  };
  return info;
}

#endif
