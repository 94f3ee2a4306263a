/* The support layer's test program (tests/solana/support.test.mjs): each tag runs one support function on the
 * instruction's arguments and hands the result back as return data, so the tests compare it with a reference. */
#include "ac/account.h"
#include "ac/bytes.h"
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/error.h"
#include "ac/log.h"
#include "ac/math.h"
#include "ac/pda.h"

enum probe_tag {
  PROBE_MUL = 0,          /* a, b -> lo, hi */
  PROBE_MUL_DIV = 1,      /* a, b, d -> q (fails ArithmeticOverflow) */
  PROBE_EXP2 = 2,         /* x (Q32.32) -> Q63 */
  PROBE_DECAY = 3,        /* value, elapsed, half_life -> value */
  PROBE_ACCOUNTS = 4,     /* -> per account: key, owner, lamports, data_len, signer, writable, executable */
  PROBE_PDA = 5,          /* seed bytes (one seed) -> find: address, bump; then create with the bump must agree */
  PROBE_CHECKS = 6,       /* account 0 must be a signer, 1 writable, 2 owned by this program, 3 the PDA of "probe" + bump */
  PROBE_CREATE_PDA = 7,   /* payer, the PDA of ["probe", seed], system program: create it (space u64) */
  PROBE_LOG = 8,          /* logs a literal, five numbers, the program id */
  PROBE_RENT = 9,         /* space -> rent-exempt minimum */
};


static const u8 PROBE_SEED[] = "probe";
#define NEED_ARGS(input, n) do { if ((input)->data_len < 1 + 8 * (n)) return ac_fail(AC_ERR_INVALID_INSTRUCTION); } while (0)

AC_NOINLINE static u64 probe_accounts(const ac_input *in) {
  u8 out[5 * 83]; /* 512-byte stack frames */
  u64 n = in->account_count < 5 ? in->account_count : 5;
  for (u64 i = 0; i < n; i++) {
    const ac_account *a = in->accounts[i];
    u8 *o = out + i * 83;
    ac_write_key(o, &a->key);
    ac_write_key(o + 32, &a->owner);
    ac_write_u64(o + 64, a->lamports);
    ac_write_u64(o + 72, a->data_len);
    o[80] = a->is_signer; o[81] = a->is_writable; o[82] = a->executable;
  }
  sol_set_return_data(out, n * 83);
  return AC_OK;
}

AC_NOINLINE static u64 probe_pda(const ac_input *in) {
  u64 seed_len = in->data_len - 1;
  if (seed_len > 32) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  ac_seed seeds[2] = { { in->data + 1, seed_len }, { NULL, 1 } };
  ac_pubkey found, created;
  u8 bump;
  u64 rc = ac_pda_find(seeds, 1, in->program_id, &found, &bump);
  if (rc != AC_OK) return ac_fail(rc);
  seeds[1].addr = &bump;
  if ((rc = ac_pda_create(seeds, 2, in->program_id, &created)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&found, &created)) return ac_fail(AC_ERR_WRONG_PDA);
  u8 out[33];
  ac_write_key(out, &found);
  out[32] = bump;
  sol_set_return_data(out, sizeof(out));
  return AC_OK;
}

AC_NOINLINE static u64 probe_checks(const ac_input *in) {
  if (in->account_count < 4 || in->data_len < 2) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  const ac_seed seeds[1] = { { PROBE_SEED, sizeof(PROBE_SEED) - 1 } };
  u64 rc;
  if ((rc = ac_check_signer(in->accounts[0])) != AC_OK ||
      (rc = ac_check_writable(in->accounts[1])) != AC_OK ||
      (rc = ac_check_owner(in->accounts[2], in->program_id)) != AC_OK ||
      (rc = ac_pda_verify(in->accounts[3], seeds, 1, in->data[1], in->program_id)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}

AC_NOINLINE static u64 probe_create_pda(const ac_input *in) {
  if (in->account_count < 3 || in->data_len != 1 + 8 + 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  ac_account *payer = in->accounts[0], *target = in->accounts[1];
  u8 bump = in->data[9];
  const ac_seed seeds[2] = { { PROBE_SEED, sizeof(PROBE_SEED) - 1 }, { &bump, 1 } };
  u64 rc;
  if ((rc = ac_check_signer(payer)) != AC_OK || (rc = ac_check_writable(target)) != AC_OK ||
      (rc = ac_pda_verify(target, seeds, 1, bump, in->program_id)) != AC_OK ||
      (rc = ac_check_uninitialized(target)) != AC_OK || (rc = ac_check_key(in->accounts[2], &AC_SYSTEM_PROGRAM_ID)) != AC_OK)
    return ac_fail(rc);
  const ac_signer_seeds signer = { seeds, 2 };
  if ((rc = ac_system_create_pda(payer, target, ac_read_u64(in->data + 1), in->program_id, &signer)) != AC_OK) return ac_fail(rc);
  u8 out[16];
  ac_write_u64(out, target->lamports);
  ac_write_u64(out + 8, target->data_len);
  sol_set_return_data(out, sizeof(out));
  return AC_OK;
}

u64 entrypoint(u8 *input) {
  ac_input in;
  u64 rc = ac_deserialize(input, &in);
  if (rc != AC_OK) return ac_fail(rc);
  if (in.data_len < 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  const u8 *args = in.data + 1;
  u8 out[16];
  switch (in.data[0]) {
    case PROBE_MUL: {
      NEED_ARGS(&in, 2);
      ac_u128 p;
  ac_mul_64x64(ac_read_u64(args), ac_read_u64(args + 8), &p);
      ac_write_u64(out, p.lo); ac_write_u64(out + 8, p.hi);
      sol_set_return_data(out, 16);
      return AC_OK;
    }
    case PROBE_MUL_DIV: {
      NEED_ARGS(&in, 3);
      u64 q;
      if (!ac_mul_div(ac_read_u64(args), ac_read_u64(args + 8), ac_read_u64(args + 16), &q)) return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);
      ac_write_u64(out, q);
      sol_set_return_data(out, 8);
      return AC_OK;
    }
    case PROBE_EXP2: {
      NEED_ARGS(&in, 1);
      ac_write_u64(out, ac_exp2_neg_q32(ac_read_u64(args)));
      sol_set_return_data(out, 8);
      return AC_OK;
    }
    case PROBE_DECAY: {
      NEED_ARGS(&in, 3);
      u64 v;
      if (!ac_decay(ac_read_u64(args), ac_read_u64(args + 8), ac_read_u64(args + 16), &v)) return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);
      ac_write_u64(out, v);
      sol_set_return_data(out, 8);
      return AC_OK;
    }
    case PROBE_ACCOUNTS: return probe_accounts(&in);
    case PROBE_PDA: return probe_pda(&in);
    case PROBE_CHECKS: return probe_checks(&in);
    case PROBE_CREATE_PDA: return probe_create_pda(&in);
    case PROBE_LOG:
      AC_LOG("probe: hello from the support layer");
      ac_log_u64s(1, 2, 3, 4, in.account_count);
      ac_log_pubkey(in.program_id);
      return AC_OK;
    case PROBE_RENT: {
      NEED_ARGS(&in, 1);
      u64 lamports;
      if ((rc = ac_rent_exempt_minimum(ac_read_u64(args), &lamports)) != AC_OK) return ac_fail(rc);
      ac_write_u64(out, lamports);
      sol_set_return_data(out, 8);
      return AC_OK;
    }
    default: return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  }
}
