/* Slashing (agentcluster/slash.h): take a share of an agent's stake into a pending slash record. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/math.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/slash.h"

static const u8 SEED_SLASH[] = AC_SEED_SLASH;

u64 ac_slash_check(const ac_pubkey *program_id, const ac_agent *agent, ac_slash_request *request) {
  u64 rc;
  if ((rc = ac_check_signer(request->payer)) != AC_OK || (rc = ac_check_writable(request->payer)) != AC_OK) return rc;
  if ((rc = ac_check_writable(request->record)) != AC_OK) return rc;
  u8 index[4];
  ac_write_u32(index, ac_agent_history_of_const(agent)->slash_count);
  const ac_seed seeds[3] = { { SEED_SLASH, sizeof(SEED_SLASH) - 1 }, { agent->agent_key.bytes, 32 }, { index, 4 } };
  ac_pubkey expected;
  if ((rc = ac_pda_find(seeds, 3, program_id, &expected, &request->record_bump)) != AC_OK) return rc;
  if (!ac_key_eq(&request->record->key, &expected)) return AC_ERR_WRONG_PDA;
  if ((rc = ac_check_uninitialized(request->record)) != AC_OK) return rc;
  if ((rc = ac_check_key(request->system_program, &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return rc;
  return AC_OK;
}

u64 ac_slash(const ac_pubkey *program_id, const ac_config *config, ac_agent *agent, const ac_slash_request *request,
             u64 *amount) {
  u64 rc, from_active, from_unbonding;
  *amount = 0;
  if (request->severity_bps < AC_MIN_SEVERITY_BPS || request->severity_bps > AC_BPS) return AC_ERR_INVALID_SEVERITY;
  if (!ac_mul_div(agent->active_stake, request->severity_bps, AC_BPS, &from_active) ||
      !ac_mul_div(agent->unbonding_stake, request->severity_bps, AC_BPS, &from_unbonding))
    return AC_ERR_ARITHMETIC_OVERFLOW;
  u64 total = from_active + from_unbonding; /* both are parts of stake, whose sum is below the supply */
  if (total == 0) return AC_OK;
  i64 now = ac_now();

  /* --- effects: the agent first, then the record's creation (a System CPI) and its contents --- */
  ac_agent_history *history = ac_agent_history_of(agent);
  u32 index = history->slash_count;
  history->slash_count = index + 1;
  agent->active_stake -= from_active;
  agent->unbonding_stake -= from_unbonding;
  if (from_active != 0) ac_stake_checkpoint(agent, now);

  u8 index_bytes[4];
  ac_write_u32(index_bytes, index);
  const u8 bump = request->record_bump;
  const ac_seed seeds[4] = { { SEED_SLASH, sizeof(SEED_SLASH) - 1 }, { agent->agent_key.bytes, 32 }, { index_bytes, 4 }, { &bump, 1 } };
  const ac_signer_seeds signer = { seeds, 4 };
  if ((rc = ac_system_create_pda(request->payer, request->record, sizeof(ac_slash_record), program_id, &signer)) != AC_OK)
    return rc;
  ac_slash_record *r = (ac_slash_record *)request->record->data;
  r->discriminator = AC_DISC_SLASH;
  r->version = AC_SLASH_VERSION;
  r->bump = bump;
  r->status = AC_SLASH_PENDING;
  r->index = index;
  r->agent_key = agent->agent_key;
  r->slasher = *request->slasher;
  r->harmed_party = *request->harmed_party;
  sol_memcpy_(r->reason, request->reason, 32);
  r->amount = total;
  r->from_active = from_active;
  r->from_unbonding = from_unbonding;
  r->created_at = now;
  r->appeal_deadline = now + (i64)config->appeal_window;
  r->decision_deadline = 0;
  r->severity_bps = request->severity_bps;
  r->harmed_share_bps = ac_key_is_zero(request->harmed_party) ? 0 : (u16)AC_DEFAULT_HARMED_SHARE_BPS;
  *amount = total;

  ac_event_slashed event;
  event.agent_key = agent->agent_key;
  event.index = index;
  event.slasher = *request->slasher;
  event.severity_bps = request->severity_bps;
  event.amount = total;
  event.harmed_party = *request->harmed_party;
  sol_memcpy_(event.reason, request->reason, 32);
  event.appeal_deadline = r->appeal_deadline;
  ac_emit(AC_EVENT_SLASHED, &event, sizeof(event));
  return AC_OK;
}

u64 ac_slash_record_load(ac_account *account, const ac_pubkey *program_id, ac_slash_record **record) {
  u64 rc;
  if ((rc = ac_check_owner(account, program_id)) != AC_OK) return rc;
  ac_slash_record *r = (ac_slash_record *)account->data;
  if (account->data_len != sizeof(ac_slash_record) || r->discriminator != AC_DISC_SLASH || r->version != AC_SLASH_VERSION)
    return AC_ERR_INVALID_ACCOUNT_DATA;
  u8 index[4];
  ac_write_u32(index, r->index);
  const ac_seed seeds[3] = { { SEED_SLASH, sizeof(SEED_SLASH) - 1 }, { r->agent_key.bytes, 32 }, { index, 4 } };
  if ((rc = ac_pda_verify(account, seeds, 3, r->bump, program_id)) != AC_OK) return rc;
  *record = r;
  return AC_OK;
}

static const u8 SEED_CONFIG[] = AC_SEED_CONFIG;

static u64 harmed_share(const ac_slash_record *record, u64 *paid) {
  return ac_mul_div(record->amount, record->harmed_share_bps, AC_BPS, paid) ? AC_OK : AC_ERR_ARITHMETIC_OVERFLOW;
}

u64 ac_slash_payout_check(const ac_config *config, const ac_slash_record *record, const ac_slash_payout *payout) {
  u64 rc, paid;
  if ((rc = ac_check_writable(payout->stakes_vault)) != AC_OK) return rc;
  if (!ac_key_eq(&payout->stakes_vault->key, &config->vaults[AC_VAULT_STAKES])) return AC_ERR_WRONG_PDA;
  if ((rc = ac_check_writable(payout->mint)) != AC_OK) return rc;
  if (!ac_key_eq(&payout->mint->key, &config->mint)) return AC_ERR_WRONG_MINT;
  if ((rc = ac_check_key(payout->token_program, &AC_TOKEN_PROGRAM_ID)) != AC_OK) return rc;
  if ((rc = harmed_share(record, &paid)) != AC_OK) return rc;
  if (paid != 0) {
    rc = ac_acc_account_check(payout->harmed_acc, config, &record->harmed_party);
    if (rc == AC_ERR_NOT_TOKEN_OWNER) return AC_ERR_WRONG_HARMED_PARTY;
    if (rc != AC_OK) return rc;
  }
  return AC_OK;
}

u64 ac_slash_finalize(const ac_config *config, ac_slash_record *record, const ac_slash_payout *payout) {
  u64 rc, paid;
  if ((rc = harmed_share(record, &paid)) != AC_OK) return rc;
  u64 burned = record->amount - paid;
  record->status = AC_SLASH_FINALIZED;
  const u8 bump = config->bump;
  const ac_seed config_seeds[2] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 }, { &bump, 1 } };
  const ac_signer_seeds config_signer = { config_seeds, 2 };
  if (paid != 0 &&
      (rc = ac_token_transfer(payout->stakes_vault, payout->harmed_acc, payout->config_account, paid, &config_signer)) != AC_OK)
    return rc;
  if (burned != 0 &&
      (rc = ac_token_burn(payout->stakes_vault, payout->mint, payout->config_account, burned, &config_signer)) != AC_OK)
    return rc;
  ac_event_slash_finalized event = { record->agent_key, record->index, record->harmed_party, paid, burned };
  ac_emit(AC_EVENT_SLASH_FINALIZED, &event, sizeof(event));
  return AC_OK;
}

u64 ac_slash_reverse(ac_slash_record *record, ac_agent *agent, i64 now) {
  if (!ac_key_eq(&record->agent_key, &agent->agent_key)) return AC_ERR_WRONG_ACCOUNT;
  if (record->status == AC_SLASH_APPEALED) {
    if (now > record->decision_deadline) return AC_ERR_DECISION_PERIOD_OVER;
  } else if (record->status == AC_SLASH_PENDING) {
    if (now > record->appeal_deadline) return AC_ERR_APPEAL_WINDOW_CLOSED;
  } else {
    return AC_ERR_SLASH_NOT_OPEN;
  }
  if (agent->active_stake + record->amount < record->amount) return AC_ERR_ARITHMETIC_OVERFLOW;
  record->status = AC_SLASH_REVERSED;
  agent->active_stake += record->amount;
  ac_stake_checkpoint(agent, now);
  ac_event_slash_reversed event = { record->agent_key, record->index, record->amount, agent->active_stake };
  ac_emit(AC_EVENT_SLASH_REVERSED, &event, sizeof(event));
  return AC_OK;
}

u64 ac_slash_dismiss(const ac_config *config, ac_slash_record *record, const ac_slash_payout *payout, i64 now) {
  if (record->status == AC_SLASH_PENDING) return AC_ERR_NOT_APPEALED;
  if (record->status != AC_SLASH_APPEALED) return AC_ERR_SLASH_NOT_OPEN;
  if (now > record->decision_deadline) return AC_ERR_DECISION_PERIOD_OVER;
  ac_event_appeal_dismissed event = { record->agent_key, record->index };
  ac_emit(AC_EVENT_APPEAL_DISMISSED, &event, sizeof(event));
  return ac_slash_finalize(config, record, payout);
}
