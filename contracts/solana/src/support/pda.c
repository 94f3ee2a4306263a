#include "ac/pda.h"
#include "ac/checks.h"
#include "ac/error.h"

u64 ac_pda_find(const ac_seed *seeds, u64 seeds_len, const ac_pubkey *program_id, ac_pubkey *address, u8 *bump) {
  return sol_try_find_program_address(seeds, seeds_len, program_id, address, bump) == 0 ? AC_OK : AC_ERR_WRONG_PDA;
}

u64 ac_pda_create(const ac_seed *seeds, u64 seeds_len, const ac_pubkey *program_id, ac_pubkey *address) {
  return sol_create_program_address(seeds, seeds_len, program_id, address) == 0 ? AC_OK : AC_ERR_WRONG_PDA;
}

u64 ac_pda_verify(const ac_account *account, const ac_seed *seeds, u64 seeds_len, u8 bump, const ac_pubkey *program_id) {
  if (seeds_len >= AC_MAX_SEEDS) return AC_ERR_WRONG_PDA;
  ac_seed with_bump[AC_MAX_SEEDS];
  for (u64 i = 0; i < seeds_len; i++) with_bump[i] = seeds[i];
  with_bump[seeds_len].addr = &bump;
  with_bump[seeds_len].len = 1;
  ac_pubkey address;
  if (ac_pda_create(with_bump, seeds_len + 1, program_id, &address) != AC_OK) return AC_ERR_WRONG_PDA;
  return ac_key_eq(&account->key, &address) ? AC_OK : AC_ERR_WRONG_PDA;
}
