/* submit_task: a requester escrows bounty + fee in the task's own vault and opens the bidding. Every parameter the task
 * depends on is copied into it now (later changes apply to later tasks only).
 *
 * A committee over 64 seats (sol-final) needs the task reserved first (reserve_task: the program's, AC_TASK_RESERVED_SIZE
 * zero bytes); it is grown here to AC_TASK_FULL_SIZE, the requester paying the rent (TaskNotReserved otherwise).
 *
 * Accounts: 0 requester (signer, writable: pays rent), 1 task PDA("task", requester, id) (writable, uncreated),
 *           2 task vault PDA("task_vault", task) (writable, uncreated), 3 requester's ACC account (writable),
 *           4 ACC mint, 5 config, 6 System program, 7 SPL Token program.
 * Data: tag, u64 id, u64 bounty, u64 fee, requirements hash (32), u64 capabilities, i64 deadline, u8 committee size. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/math.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_REQUESTER, A_TASK, A_VAULT, A_REQUESTER_ACC, A_MINT, A_CONFIG, A_SYSTEM, A_TOKEN, A_COUNT };
#define DATA_LEN (1 + 8 + 8 + 8 + 32 + 8 + 8 + 1)

static const u8 SEED_TASK[] = AC_SEED_TASK;
static const u8 SEED_TASK_VAULT[] = AC_SEED_TASK_VAULT;

static AC_NOINLINE u64 record(ac_input *in, u8 task_bump, u8 vault_bump, i64 now);

u64 ac_ix_submit_task(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_pubkey *program_id = in->program_id;
  const u8 *d = in->data + 1;
  const ac_config *config;
  ac_pubkey expected;
  u8 task_bump, vault_bump;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_REQUESTER])) != AC_OK || (rc = ac_check_writable(a[A_REQUESTER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], program_id, &config)) != AC_OK) return ac_fail(rc);
  const ac_seed task_seeds[3] = { { SEED_TASK, sizeof(SEED_TASK) - 1 }, { a[A_REQUESTER]->key.bytes, 32 }, { d, 8 } };
  if ((rc = ac_check_writable(a[A_TASK])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_pda_find(task_seeds, 3, program_id, &expected, &task_bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_TASK]->key, &expected)) return ac_fail(AC_ERR_WRONG_PDA);
  const bool large = in->data[DATA_LEN - 1] > AC_MARKET_INLINE_SEATS; /* sol-final: the committee size */
  if (!large && (rc = ac_check_uninitialized(a[A_TASK])) != AC_OK) return ac_fail(rc);
  if (large) {
    const ac_account *task = a[A_TASK];
    if (!ac_key_eq(&task->owner, program_id) || task->data_len != AC_TASK_RESERVED_SIZE || task->data[0] != 0)
      return ac_fail(AC_ERR_TASK_NOT_RESERVED);
  }
  const ac_seed vault_seeds[2] = { { SEED_TASK_VAULT, sizeof(SEED_TASK_VAULT) - 1 }, { a[A_TASK]->key.bytes, 32 } };
  if ((rc = ac_check_writable(a[A_VAULT])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_pda_find(vault_seeds, 2, program_id, &expected, &vault_bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_VAULT]->key, &expected)) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_uninitialized(a[A_VAULT])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_acc_account_check(a[A_REQUESTER_ACC], config, &a[A_REQUESTER]->key)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_MINT]->key, &config->mint)) return ac_fail(AC_ERR_WRONG_MINT);
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK || (rc = ac_check_key(a[A_TOKEN], &AC_TOKEN_PROGRAM_ID)) != AC_OK)
    return ac_fail(rc);

  /* --- the task's terms --- */
  u64 bounty = ac_read_u64(d + 8), fee = ac_read_u64(d + 16);
  i64 deadline = (i64)ac_read_u64(d + 64);
  u8 committee_size = d[72];
  i64 now = ac_now();
  const ac_market_params *params = &config->market; /* sol-gaps: governance's, copied into the task below */
  i64 bidding_ends_at = now + (i64)params->terms.bidding_window;
  if (bounty == 0 || committee_size < AC_MARKET_MIN_COMMITTEE || committee_size > AC_MARKET_MAX_COMMITTEE ||
      deadline <= bidding_ends_at || deadline > now + (i64)params->terms.max_task_duration)
    return ac_fail(AC_ERR_INVALID_TASK);
  /* Every unit of keeper work is paid from the fee: assign, fix_seed, settle_task, settle_executor, and per seat a fill,
   * a claim and a member settlement; at least 1 base unit is left. */
  u64 keeper_budget = (3ull * committee_size + 4) * params->keeper_reward + 1, by_bps; /* reward <= 1,000 ACC: fits */
  if (!ac_mul_div(bounty, params->terms.fee_bps, AC_BPS, &by_bps)) return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);
  if (fee < keeper_budget || fee < by_bps) return ac_fail(AC_ERR_FEE_TOO_LOW);
  if (bounty + fee < bounty) return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);
  if (ac_token_account_amount(a[A_REQUESTER_ACC]) < bounty + fee) return ac_fail(AC_ERR_INSUFFICIENT_FUNDS);

  /* --- act --- */
  const ac_seed task_signer_seeds[4] = { task_seeds[0], task_seeds[1], task_seeds[2], { &task_bump, 1 } };
  const ac_signer_seeds task_signer = { task_signer_seeds, 4 };
  if (!large && (rc = ac_system_create_pda(a[A_REQUESTER], a[A_TASK], sizeof(ac_task), program_id, &task_signer)) != AC_OK)
    return ac_fail(rc);
  if (large) { /* sol-final: grow the reserved task to its full size (+10,216 bytes, zero), the requester paying the rent */
    u64 minimum;
    if ((rc = ac_rent_exempt_minimum(AC_TASK_FULL_SIZE, &minimum)) != AC_OK) return ac_fail(rc);
    if (minimum > a[A_TASK]->lamports && (rc = ac_system_transfer(a[A_REQUESTER], a[A_TASK], minimum - a[A_TASK]->lamports)) != AC_OK)
      return ac_fail(rc);
    a[A_TASK]->data_len = AC_TASK_FULL_SIZE;
  }
  const ac_seed vault_signer_seeds[3] = { vault_seeds[0], vault_seeds[1], { &vault_bump, 1 } };
  const ac_signer_seeds vault_signer = { vault_signer_seeds, 3 };
  if ((rc = ac_system_create_pda(a[A_REQUESTER], a[A_VAULT], AC_TOKEN_ACCOUNT_SIZE, &AC_TOKEN_PROGRAM_ID, &vault_signer)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_token_initialize_account3(a[A_VAULT], a[A_MINT], &a[A_CONFIG]->key)) != AC_OK) return ac_fail(rc);

  return record(in, task_bump, vault_bump, now);
}

/* The task's state, the escrow transfer and the event (its own frame: SBF stack frames hold 512 bytes). */
static AC_NOINLINE u64 record(ac_input *in, u8 task_bump, u8 vault_bump, i64 now) {
  ac_account **a = in->accounts;
  const u8 *d = in->data + 1;
  u64 id = ac_read_u64(d), bounty = ac_read_u64(d + 8), fee = ac_read_u64(d + 16), capabilities = ac_read_u64(d + 56);
  i64 deadline = (i64)ac_read_u64(d + 64);
  u8 committee_size = d[72];
  u64 rc;
  ac_task *t = (ac_task *)a[A_TASK]->data;
  t->discriminator = AC_DISC_TASK;
  t->version = AC_TASK_VERSION;
  t->bump = task_bump;
  t->vault_bump = vault_bump;
  t->status = AC_TASK_BIDDING;
  t->committee_size = committee_size;
  t->requester = a[A_REQUESTER]->key;
  t->vault = a[A_VAULT]->key;
  sol_memcpy_(t->requirements, d + 24, 32);
  t->id = id;
  t->bounty = bounty;
  t->fee = fee;
  t->capabilities = capabilities;
  /* Every parameter the task depends on, from the config now (sol-gaps): later changes apply to later tasks only. */
  const ac_market_params *params = &((const ac_config *)a[A_CONFIG]->data)->market;
  t->keeper_reward = params->keeper_reward;
  t->reviewer_share_bps = params->terms.reviewer_share_bps;
  t->missed_severity_bps = params->terms.missed_severity_bps;
  t->rejected_severity_bps = params->terms.rejected_severity_bps;
  t->non_reveal_severity_bps = params->terms.non_reveal_severity_bps;
  t->minority_severity_bps = params->terms.minority_severity_bps;
  t->draw_window = params->terms.draw_window;
  t->commit_window = params->terms.commit_window;
  t->reveal_window = params->terms.reveal_window;
  t->submitted_at = now;
  t->bidding_ends_at = now + (i64)params->terms.bidding_window;
  t->deadline = deadline;
  /* The requester signed the transaction: it authorises the escrow transfer itself. */
  if ((rc = ac_token_transfer(a[A_REQUESTER_ACC], a[A_VAULT], a[A_REQUESTER], bounty + fee, NULL)) != AC_OK) return ac_fail(rc);
  ac_event_task_submitted event = { a[A_TASK]->key, t->requester, id, bounty, fee, capabilities, deadline, committee_size };
  ac_emit(AC_EVENT_TASK_SUBMITTED, &event, sizeof(event));
  return AC_OK;
}
