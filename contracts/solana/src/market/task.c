/* The task market's shared pieces: loading a task, its vault, payments from it, and the sortition's arithmetic. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/math.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/market.h"

static const u8 SEED_TASK[] = AC_SEED_TASK;
static const u8 SEED_CONFIG[] = AC_SEED_CONFIG;

u64 ac_task_load(ac_account *account, const ac_pubkey *program_id, ac_task **task) {
  u64 rc;
  if ((rc = ac_check_owner(account, program_id)) != AC_OK) return rc;
  ac_task *t = (ac_task *)account->data;
  if (t->discriminator != AC_DISC_TASK || t->version != AC_TASK_VERSION ||
      !(account->data_len == AC_TASK_FULL_SIZE ||
        (account->data_len == sizeof(ac_task) && t->committee_size <= AC_MARKET_INLINE_SEATS))) /* sol-final */
    return AC_ERR_INVALID_ACCOUNT_DATA;
  u8 id[8];
  ac_write_u64(id, t->id);
  const ac_seed seeds[3] = { { SEED_TASK, sizeof(SEED_TASK) - 1 }, { t->requester.bytes, 32 }, { id, 8 } };
  if ((rc = ac_pda_verify(account, seeds, 3, t->bump, program_id)) != AC_OK) return rc;
  *task = t;
  return AC_OK;
}

u64 ac_task_vault_check(const ac_account *vault, const ac_task *task) {
  u64 rc;
  if ((rc = ac_check_writable(vault)) != AC_OK) return rc;
  return ac_key_eq(&vault->key, &task->vault) ? AC_OK : AC_ERR_WRONG_PDA;
}

u64 ac_task_pay(const ac_task_payer *payer, ac_account *to, u64 amount) {
  if (amount == 0) return AC_OK;
  const u8 bump = payer->config->bump;
  const ac_seed config_seeds[2] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 }, { &bump, 1 } };
  const ac_signer_seeds signer = { config_seeds, 2 };
  return ac_token_transfer(payer->vault, to, payer->config_account, amount, &signer);
}

u64 ac_task_pay_keeper(const ac_task_payer *payer, ac_account *keeper_acc, const ac_pubkey *keeper, u64 amount) {
  u64 rc;
  if ((rc = ac_task_pay(payer, keeper_acc, amount)) != AC_OK) return rc;
  ac_event_keeper_paid event = { *payer->task, *keeper, amount };
  ac_emit(AC_EVENT_KEEPER_PAID, &event, sizeof(event));
  return AC_OK;
}

u64 ac_task_burn(const ac_task_payer *payer, ac_account *mint, u64 amount) {
  if (amount == 0) return AC_OK;
  const u8 bump = payer->config->bump;
  const ac_seed config_seeds[2] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 }, { &bump, 1 } };
  const ac_signer_seeds signer = { config_seeds, 2 };
  return ac_token_burn(payer->vault, mint, payer->config_account, amount, &signer);
}

u64 ac_neg_log2_q32(u64 x) {
  if (x == 0) x = 1;
  u64 integer = 63;
  while ((x >> integer) == 0) integer--; /* at most 63 steps: floor(log2 x) */
  /* The mantissa x / 2^integer in [1, 2) as Q62; each squaring yields one fractional bit of log2. */
  u64 m = integer >= 62 ? x >> (integer - 62) : x << (62 - integer);
  u64 fraction = 0;
  for (int bit = 31; bit >= 0; bit--) {
    ac_u128 p;
    ac_mul_64x64(m, m, &p);
    m = (p.hi << 2) | (p.lo >> 62); /* m^2 in Q62: in [2^62, 2^64) */
    if (m >= (1ull << 63)) {
      fraction |= 1ull << bit;
      m >>= 1;
    }
  }
  u64 log2_q32 = (integer << 32) | fraction;
  return (64ull << 32) - log2_q32;
}

bool ac_market_key_less(u64 nl_a, u64 w_a, u64 nl_b, u64 w_b) {
  /* nl_a / w_a < nl_b / w_b  <=>  nl_a * w_b < nl_b * w_a (weights are positive) */
  ac_u128 left, right;
  ac_mul_64x64(nl_a, w_b, &left);
  ac_mul_64x64(nl_b, w_a, &right);
  return left.hi < right.hi || (left.hi == right.hi && left.lo < right.lo);
}

i64 ac_market_seat_of(const ac_task *task, const ac_pubkey *agent_key) {
  for (u64 i = 0; i < task->committee_size; i++) { /* at most AC_MARKET_MAX_COMMITTEE */
    const ac_seat *seat = ac_task_seat_const(task, i);
    if (seat->state != AC_SEAT_EMPTY && ac_key_eq(&seat->agent_key, agent_key)) return (i64)i;
  }
  return -1;
}

u64 ac_market_check_reviewer(const ac_agent *agent, const ac_task *task, i64 now) {
  if (agent->status != AC_AGENT_ACTIVE || agent->attested_until <= now) return AC_ERR_NOT_ELIGIBLE;
  if (ac_key_eq(&agent->agent_key, &task->executor)) return AC_ERR_CONFLICT_OF_INTEREST;
  if (ac_key_eq(&agent->owner, &task->requester) || ac_key_eq(&agent->owner, &task->executor_owner))
    return AC_ERR_CONFLICT_OF_INTEREST;
  return AC_OK;
}

u64 ac_market_sortition(const ac_task *task, const ac_agent *agent, ac_account *agent_account, u64 *neg_log2_u, u64 *weight) {
  u64 rc, w;
  if ((rc = ac_market_stake_at(agent_account, agent, task->result_posted_at - 1, &w)) != AC_OK) return rc;
  if (w == 0) return AC_ERR_NO_STAKE_AT_SNAPSHOT;
  u8 digest[32];
  const ac_bytes fields[2] = { { task->seed, 32 }, { agent->agent_key.bytes, 32 } };
  sol_sha256(fields, 2, digest);
  *neg_log2_u = ac_neg_log2_q32(ac_read_u64(digest));
  *weight = w;
  return AC_OK;
}

u64 ac_market_keeper_accounts(ac_input *in, ac_keeper_accounts *out) {
  if (in->account_count < AC_K_COUNT) return AC_ERR_NOT_ENOUGH_ACCOUNTS;
  ac_account **a = in->accounts;
  u64 rc;
  if ((rc = ac_check_signer(a[AC_K_KEEPER])) != AC_OK) return rc;
  if ((rc = ac_config_load(a[AC_K_CONFIG], in->program_id, &out->config)) != AC_OK) return rc;
  if ((rc = ac_check_writable(a[AC_K_TASK])) != AC_OK || (rc = ac_task_load(a[AC_K_TASK], in->program_id, &out->task)) != AC_OK)
    return rc;
  if ((rc = ac_task_vault_check(a[AC_K_VAULT], out->task)) != AC_OK) return rc;
  if ((rc = ac_acc_account_check(a[AC_K_KEEPER_ACC], out->config, &a[AC_K_KEEPER]->key)) != AC_OK) return rc;
  if ((rc = ac_check_key(a[AC_K_TOKEN], &AC_TOKEN_PROGRAM_ID)) != AC_OK) return rc;
  out->payer.vault = a[AC_K_VAULT];
  out->payer.config_account = a[AC_K_CONFIG];
  out->payer.config = out->config;
  out->payer.task = &a[AC_K_TASK]->key;
  return AC_OK;
}

u64 ac_market_pay_caller(ac_input *in, ac_keeper_accounts *k) {
  return ac_task_pay_keeper(&k->payer, in->accounts[AC_K_KEEPER_ACC], &in->accounts[AC_K_KEEPER]->key, k->task->keeper_reward);
}

typedef struct { u64 slot; i64 epoch_start_timestamp; u64 epoch; u64 leader_schedule_epoch; i64 unix_timestamp; } clock_sysvar;

u64 ac_market_slot(void) {
  clock_sysvar clock;
  sol_get_clock_sysvar(&clock);
  return clock.slot;
}
