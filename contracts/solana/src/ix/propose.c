/* propose (governance op 0): an agent's owner proposes one action; the agent's active stake at the snapshot (the
 * second before) must reach the threshold: max(1% of the stakes vault, 1,000,000 ACC). Votes run 5 days, then 7 days
 * of timelock before anyone may execute it.
 *
 * Accounts: 0 owner (signer, writable: pays the proposal's rent), 1 agent, 2 proposal (writable, new: PDA("proposal",
 *           id)), 3 stakes vault, 4 config, 5 System program.
 * Data: tag, op, id (32 bytes), u8 action, target (32 bytes), u64 value. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/math.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/governance.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_OWNER, A_AGENT, A_PROPOSAL, A_STAKES, A_CONFIG, A_SYSTEM, A_COUNT };
#define DATA_LEN (2 + 32 + 1 + 32 + 8)

static const u8 SEED_PROPOSAL[] = AC_SEED_PROPOSAL;

/* Its own frame: the event would not fit in the instruction's 512 bytes beside the seeds and the CPI. */
static AC_NOINLINE void emit_created(const ac_proposal *p, u64 threshold) {
  ac_event_proposal_created event;
  sol_memcpy_(event.id, p->id, 32);
  event.proposer = p->proposer;
  event.action = p->action;
  event.critical = p->critical;
  event.target = p->target;
  event.value = p->value;
  event.snapshot = p->snapshot;
  event.voting_ends = p->voting_ends;
  event.executable_at = p->executable_at;
  event.threshold = threshold;
  event.quorum = p->quorum;
  ac_emit(AC_EVENT_PROPOSAL_CREATED, &event, sizeof(event));
}

u64 ac_ix_propose(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const u8 *id = in->data + 2;
  u8 action = in->data[34];
  const ac_pubkey *target = (const ac_pubkey *)(in->data + 35);
  u64 value = ac_read_u64(in->data + 67);
  const ac_config *config;
  ac_agent *agent;
  ac_pubkey expected;
  u8 bump;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_OWNER])) != AC_OK || (rc = ac_check_writable(a[A_OWNER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&agent->owner, &a[A_OWNER]->key)) return ac_fail(AC_ERR_NOT_AGENT_OWNER);
  if ((rc = ac_check_writable(a[A_PROPOSAL])) != AC_OK) return ac_fail(rc);
  const ac_seed seeds[2] = { { SEED_PROPOSAL, sizeof(SEED_PROPOSAL) - 1 }, { id, 32 } };
  if ((rc = ac_pda_find(seeds, 2, in->program_id, &expected, &bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_PROPOSAL]->key, &expected)) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_uninitialized(a[A_PROPOSAL])) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_STAKES]->key, &config->vaults[AC_VAULT_STAKES])) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_owner(a[A_STAKES], &AC_TOKEN_PROGRAM_ID)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  if ((rc = ac_gov_check_action(config, action, value, target)) != AC_OK) return ac_fail(rc);
  i64 now = ac_now();
  u64 power, total = ac_token_account_amount(a[A_STAKES]), threshold, quorum;
  if ((rc = ac_stake_at(agent, now - 1, now, &power)) != AC_OK) return ac_fail(rc);
  if (!ac_mul_div(total, AC_GOV_THRESHOLD_BPS, AC_BPS, &threshold) || !ac_mul_div(total, AC_GOV_QUORUM_BPS, AC_BPS, &quorum))
    return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);
  if (threshold < AC_GOV_THRESHOLD_FLOOR) threshold = AC_GOV_THRESHOLD_FLOOR;
  if (quorum < AC_GOV_QUORUM_FLOOR) quorum = AC_GOV_QUORUM_FLOOR;
  if (power < threshold) return ac_fail(AC_ERR_BELOW_PROPOSAL_THRESHOLD);

  /* --- act --- */
  const ac_seed signer_seeds[3] = { seeds[0], seeds[1], { &bump, 1 } };
  const ac_signer_seeds signer = { signer_seeds, 3 };
  if ((rc = ac_system_create_pda(a[A_OWNER], a[A_PROPOSAL], sizeof(ac_proposal), in->program_id, &signer)) != AC_OK)
    return ac_fail(rc);
  ac_proposal *p = (ac_proposal *)a[A_PROPOSAL]->data; /* zeroed by allocate */
  p->discriminator = AC_DISC_PROPOSAL;
  p->version = AC_PROPOSAL_VERSION;
  p->bump = bump;
  p->status = AC_PROPOSAL_ACTIVE;
  p->action = action;
  p->critical = ac_gov_is_critical(action);
  sol_memcpy_(p->id, id, 32);
  p->proposer = agent->agent_key;
  p->target = *target;
  p->value = value;
  p->snapshot = now - 1;
  p->voting_ends = now + AC_GOV_VOTING_PERIOD;
  p->executable_at = p->voting_ends + AC_GOV_TIMELOCK;
  p->quorum = quorum;

  emit_created(p, threshold);
  return AC_OK;
}
