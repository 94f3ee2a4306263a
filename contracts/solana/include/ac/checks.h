/* The account checks every instruction runs in one block at its top. Each logs the failing rule and returns its error. */
#ifndef AC_CHECKS_H
#define AC_CHECKS_H
#include "account.h"
#include "error.h"

bool ac_key_eq(const ac_pubkey *a, const ac_pubkey *b);
bool ac_key_is_zero(const ac_pubkey *a);

u64 ac_check_signer(const ac_account *account);
u64 ac_check_writable(const ac_account *account);
u64 ac_check_owner(const ac_account *account, const ac_pubkey *owner);
u64 ac_check_key(const ac_account *account, const ac_pubkey *expected);
/* A fresh account a PDA is about to be created at: owned by the System program, no data. */
u64 ac_check_uninitialized(const ac_account *account);

#endif
