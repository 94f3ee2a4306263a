/* Program derived addresses through the runtime's syscalls (the hash is never computed here). */
#ifndef AC_PDA_H
#define AC_PDA_H
#include "account.h"

#define AC_MAX_SEEDS 4

/* The canonical bump and address for the seeds (sol_try_find_program_address: up to 255 hashes; use once, store the bump). */
u64 ac_pda_find(const ac_seed *seeds, u64 seeds_len, const ac_pubkey *program_id, ac_pubkey *address, u8 *bump);
/* The address for the seeds, the bump among them (sol_create_program_address: one hash). */
u64 ac_pda_create(const ac_seed *seeds, u64 seeds_len, const ac_pubkey *program_id, ac_pubkey *address);
/* AC_ERR_WRONG_PDA unless account's key is create(seeds + [bump]). */
u64 ac_pda_verify(const ac_account *account, const ac_seed *seeds, u64 seeds_len, u8 bump, const ac_pubkey *program_id);

#endif
