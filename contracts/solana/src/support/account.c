#include "ac/account.h"
#include "ac/error.h"

u64 ac_deserialize(u8 *input, ac_input *out) {
  u64 count = *(u64 *)input;
  if (count > AC_MAX_ACCOUNTS) return AC_ERR_TOO_MANY_ACCOUNTS;
  u8 *p = input + sizeof(u64);
  for (u64 i = 0; i < count; i++) {
    ac_account *account = (ac_account *)p;
    if (account->duplicate == AC_NON_DUP_MARKER) {
      /* The runtime leaves these four bytes as padding; keep the serialised length there (as Solana's Rust entrypoint
       * does), since a CPI may change data_len while the layout stays. */
      account->original_data_len = (u32)account->data_len;
      out->accounts[i] = account;
      p += sizeof(ac_account) + account->data_len + AC_MAX_PERMITTED_DATA_INCREASE;
      p = (u8 *)(((u64)p + 7) & ~7ull);
      p += sizeof(u64); /* rent epoch */
    } else {
      /* A duplicate names an earlier index; the runtime guarantees it, but stay in bounds regardless. */
      if (account->duplicate >= i) return AC_ERR_INVALID_INSTRUCTION;
      out->accounts[i] = out->accounts[account->duplicate];
      p += sizeof(u64);
    }
  }
  out->account_count = count;
  out->data_len = *(u64 *)p;
  out->data = p + sizeof(u64);
  out->program_id = (const ac_pubkey *)(out->data + out->data_len);
  return AC_OK;
}
