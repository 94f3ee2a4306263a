#include "ac/cpi.h"
#include "ac/bytes.h"
#include "ac/error.h"
#include "ac/ids.h"
#include "ac/math.h"


/* SBF calls take at most five arguments: the instruction travels as one struct. */
static u64 invoke(const ac_instruction *ix, const ac_account_info *infos, u64 info_count, const ac_signer_seeds *signer) {
  return sol_invoke_signed_c(ix, infos, info_count, signer, signer ? 1 : 0) == 0 ? AC_OK : AC_ERR_CPI_FAILED;
}

/* The Rent sysvar as the syscall writes it (Rust layout: u64, f64, u8, padding). */
typedef struct { u64 lamports_per_byte_year; u64 exemption_threshold_bits; u8 burn_percent; u8 pad[7]; } rent_sysvar;
#define ACCOUNT_STORAGE_OVERHEAD 128

u64 ac_rent_exempt_minimum(u64 space, u64 *lamports) {
  rent_sysvar rent;
  if (sol_get_rent_sysvar(&rent) != 0) return AC_ERR_UNSUPPORTED_RENT;
  /* minimum = floor(((128 + space) * lamports_per_byte_year) * threshold), the threshold an f64 (2.0 today): decode
   * it as mantissa * 2^exponent and multiply exactly, without floating point. */
  u64 bits = rent.exemption_threshold_bits;
  u64 biased = (bits >> 52) & 0x7ff;
  if ((bits >> 63) != 0 || biased == 0 || biased == 0x7ff) return AC_ERR_UNSUPPORTED_RENT;
  u64 mantissa = (bits & ((1ull << 52) - 1)) | (1ull << 52);
  u64 base = (ACCOUNT_STORAGE_OVERHEAD + space) * rent.lamports_per_byte_year;
  if (biased < 1023 - 11 || biased > 1023 + 11) return AC_ERR_UNSUPPORTED_RENT; /* threshold within [2^-11, 2^12) */
  ac_u128 p;
  ac_mul_64x64(base, mantissa, &p);
  u64 shift = 52 + 1023 - biased; /* in [41, 63] */
  if ((p.hi >> shift) != 0) return AC_ERR_ARITHMETIC_OVERFLOW;
  *lamports = (p.hi << (64 - shift)) | (p.lo >> shift);
  return AC_OK;
}

u64 ac_system_transfer(ac_account *from, ac_account *to, u64 lamports) {
  u8 data[12];
  ac_write_u32(data, 2); /* SystemInstruction::Transfer */
  ac_write_u64(data + 4, lamports);
  ac_account_meta metas[2] = { { &from->key, true, true }, { &to->key, true, false } };
  ac_account_info infos[2] = { ac_account_info_of(from), ac_account_info_of(to) };
  const ac_instruction ix = { &AC_SYSTEM_PROGRAM_ID, metas, 2, data, sizeof(data) };
  return invoke(&ix, infos, 2, NULL);
}

static u64 system_with_account(u32 tag, const u8 *arg, u64 arg_len, ac_account *account, const ac_signer_seeds *seeds) {
  u8 data[4 + 32];
  ac_write_u32(data, tag);
  for (u64 i = 0; i < arg_len && i < 32; i++) data[4 + i] = arg[i];
  ac_account_meta metas[1] = { { &account->key, true, true } };
  ac_account_info infos[1] = { ac_account_info_of(account) };
  const ac_instruction ix = { &AC_SYSTEM_PROGRAM_ID, metas, 1, data, 4 + arg_len };
  return invoke(&ix, infos, 1, seeds);
}

u64 ac_system_create_pda(ac_account *payer, ac_account *account, u64 space, const ac_pubkey *owner,
                         const ac_signer_seeds *account_seeds) {
  u64 needed, rc;
  if ((rc = ac_rent_exempt_minimum(space, &needed)) != AC_OK) return rc;
  if (account->lamports == 0) {
    u8 data[52];
    ac_write_u32(data, 0); /* SystemInstruction::CreateAccount */
    ac_write_u64(data + 4, needed);
    ac_write_u64(data + 12, space);
    ac_write_key(data + 20, owner);
    ac_account_meta metas[2] = { { &payer->key, true, true }, { &account->key, true, true } };
    ac_account_info infos[2] = { ac_account_info_of(payer), ac_account_info_of(account) };
    const ac_instruction ix = { &AC_SYSTEM_PROGRAM_ID, metas, 2, data, sizeof(data) };
  return invoke(&ix, infos, 2, account_seeds);
  }
  if (account->lamports < needed && (rc = ac_system_transfer(payer, account, needed - account->lamports)) != AC_OK) return rc;
  u8 space_le[8];
  ac_write_u64(space_le, space);
  if ((rc = system_with_account(8 /* Allocate */, space_le, 8, account, account_seeds)) != AC_OK) return rc;
  return system_with_account(1 /* Assign */, owner->bytes, 32, account, account_seeds);
}

u64 ac_token_initialize_mint2(ac_account *mint, u8 decimals, const ac_pubkey *mint_authority) {
  u8 data[35];
  data[0] = 20; /* TokenInstruction::InitializeMint2 */
  data[1] = decimals;
  ac_write_key(data + 2, mint_authority);
  data[34] = 0; /* no freeze authority */
  ac_account_meta metas[1] = { { &mint->key, true, false } };
  ac_account_info infos[1] = { ac_account_info_of(mint) };
  const ac_instruction ix = { &AC_TOKEN_PROGRAM_ID, metas, 1, data, sizeof(data) };
  return invoke(&ix, infos, 1, NULL);
}

u64 ac_token_initialize_account3(ac_account *account, ac_account *mint, const ac_pubkey *owner) {
  u8 data[33];
  data[0] = 18; /* TokenInstruction::InitializeAccount3 */
  ac_write_key(data + 1, owner);
  ac_account_meta metas[2] = { { &account->key, true, false }, { &mint->key, false, false } };
  ac_account_info infos[2] = { ac_account_info_of(account), ac_account_info_of(mint) };
  const ac_instruction ix = { &AC_TOKEN_PROGRAM_ID, metas, 2, data, sizeof(data) };
  return invoke(&ix, infos, 2, NULL);
}

/* MintTo, Transfer and Burn share a shape: two writable accounts, the signing authority, an amount. */
static u64 token_amount_ix(u8 tag, ac_account *const accounts[3], u64 amount, const ac_signer_seeds *seeds) {
  u8 data[9];
  data[0] = tag;
  ac_write_u64(data + 1, amount);
  ac_account_meta metas[3] = { { &accounts[0]->key, true, false }, { &accounts[1]->key, true, false }, { &accounts[2]->key, false, true } };
  ac_account_info infos[3] = { ac_account_info_of(accounts[0]), ac_account_info_of(accounts[1]), ac_account_info_of(accounts[2]) };
  const ac_instruction ix = { &AC_TOKEN_PROGRAM_ID, metas, 3, data, sizeof(data) };
  return invoke(&ix, infos, 3, seeds);
}

u64 ac_token_mint_to(ac_account *mint, ac_account *destination, ac_account *authority, u64 amount, const ac_signer_seeds *seeds) {
  ac_account *const accounts[3] = { mint, destination, authority };
  return token_amount_ix(7 /* MintTo */, accounts, amount, seeds);
}

u64 ac_token_transfer(ac_account *from, ac_account *to, ac_account *authority, u64 amount, const ac_signer_seeds *seeds) {
  ac_account *const accounts[3] = { from, to, authority };
  return token_amount_ix(3 /* Transfer */, accounts, amount, seeds);
}

u64 ac_token_burn(ac_account *from, ac_account *mint, ac_account *authority, u64 amount, const ac_signer_seeds *seeds) {
  ac_account *const accounts[3] = { from, mint, authority };
  return token_amount_ix(8 /* Burn */, accounts, amount, seeds);
}

u64 ac_token_remove_mint_authority(ac_account *mint, ac_account *authority, const ac_signer_seeds *seeds) {
  u8 data[3] = { 6 /* SetAuthority */, 0 /* AuthorityType::MintTokens */, 0 /* None */ };
  ac_account_meta metas[2] = { { &mint->key, true, false }, { &authority->key, false, true } };
  ac_account_info infos[2] = { ac_account_info_of(mint), ac_account_info_of(authority) };
  const ac_instruction ix = { &AC_TOKEN_PROGRAM_ID, metas, 2, data, sizeof(data) };
  return invoke(&ix, infos, 2, seeds);
}

u64 ac_token_account_amount(const ac_account *a) { return ac_read_u64(a->data + 64); }
u64 ac_mint_supply(const ac_account *mint) { return ac_read_u64(mint->data + 36); }
