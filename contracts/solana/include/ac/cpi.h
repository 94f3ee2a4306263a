/* Cross-program invocations through sol_invoke_signed_c: the System program and SPL Token. Accounts are views from the
 * input; `signer` is the seeds of the PDA that signs (NULL when only transaction signers sign). Each returns AC_OK or
 * AC_ERR_CPI_FAILED (the callee's own error is in the log and aborts the transaction anyway). */
#ifndef AC_CPI_H
#define AC_CPI_H
#include "account.h"

#define AC_MINT_SIZE 82
#define AC_TOKEN_ACCOUNT_SIZE 165

/* Rent-exempt minimum for `space` bytes, from the Rent sysvar. */
u64 ac_rent_exempt_minimum(u64 space, u64 *lamports);

u64 ac_system_transfer(ac_account *from, ac_account *to, u64 lamports);
/* Creates a program-derived account of `space` bytes owned by `owner`, rent-exempt, paid by `payer`. Works also when
 * someone sent lamports to the address before (create_account would refuse it forever): top-up, allocate, assign. */
u64 ac_system_create_pda(ac_account *payer, ac_account *account, u64 space, const ac_pubkey *owner,
                         const ac_signer_seeds *account_seeds);

u64 ac_token_initialize_mint2(ac_account *mint, u8 decimals, const ac_pubkey *mint_authority);
u64 ac_token_initialize_account3(ac_account *account, ac_account *mint, const ac_pubkey *owner);
u64 ac_token_mint_to(ac_account *mint, ac_account *destination, ac_account *authority, u64 amount,
                     const ac_signer_seeds *authority_seeds);
/* Removes the mint authority for good (SetAuthority MintTokens -> None). */
u64 ac_token_remove_mint_authority(ac_account *mint, ac_account *authority, const ac_signer_seeds *authority_seeds);
u64 ac_token_transfer(ac_account *from, ac_account *to, ac_account *authority, u64 amount, const ac_signer_seeds *authority_seeds);
u64 ac_token_burn(ac_account *from, ac_account *mint, ac_account *authority, u64 amount, const ac_signer_seeds *authority_seeds);

/* Reads of SPL Token account layouts (lengths checked by the caller's owner + size checks). */
AC_INLINE const ac_pubkey *ac_token_account_mint(const ac_account *a) { return (const ac_pubkey *)a->data; }
AC_INLINE const ac_pubkey *ac_token_account_owner(const ac_account *a) { return (const ac_pubkey *)(a->data + 32); }
u64 ac_token_account_amount(const ac_account *a);
u64 ac_mint_supply(const ac_account *mint);

#endif
