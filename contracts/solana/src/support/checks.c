#include "ac/checks.h"
#include "ac/ids.h"

bool ac_key_eq(const ac_pubkey *a, const ac_pubkey *b) {
  const u64 *x = (const u64 *)a->bytes, *y = (const u64 *)b->bytes;
  return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

bool ac_key_is_zero(const ac_pubkey *a) {
  const u64 *x = (const u64 *)a->bytes;
  return (x[0] | x[1] | x[2] | x[3]) == 0;
}

u64 ac_check_signer(const ac_account *account) {
  return account->is_signer ? AC_OK : AC_ERR_MISSING_SIGNER;
}

u64 ac_check_writable(const ac_account *account) {
  return account->is_writable ? AC_OK : AC_ERR_NOT_WRITABLE;
}

u64 ac_check_owner(const ac_account *account, const ac_pubkey *owner) {
  return ac_key_eq(&account->owner, owner) ? AC_OK : AC_ERR_WRONG_OWNER;
}

u64 ac_check_key(const ac_account *account, const ac_pubkey *expected) {
  return ac_key_eq(&account->key, expected) ? AC_OK : AC_ERR_WRONG_ACCOUNT;
}

u64 ac_check_uninitialized(const ac_account *account) {
  if (!ac_key_eq(&account->owner, &AC_SYSTEM_PROGRAM_ID) || account->data_len != 0) return AC_ERR_ALREADY_INITIALIZED;
  return AC_OK;
}
