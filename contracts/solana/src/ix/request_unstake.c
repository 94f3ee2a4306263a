/* request_unstake: moves stake from active to unbonding; it can be withdrawn after the unbonding period. One bucket per
 * agent: a new request adds to it and restarts the clock (as on Base), so stake cannot leave before the slashing window.
 *
 * Accounts: 0 owner (signer), 1 agent (writable), 2 config.
 * Data: tag, u64 amount. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_OWNER, A_AGENT, A_CONFIG, A_COUNT };
#define DATA_LEN (1 + 8)

u64 ac_ix_request_unstake(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  u64 amount = ac_read_u64(in->data + 1), rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_OWNER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_AGENT])) != AC_OK || (rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK)
    return ac_fail(rc);
  if (!ac_key_eq(&agent->owner, &a[A_OWNER]->key)) return ac_fail(AC_ERR_NOT_AGENT_OWNER);

  if (amount == 0) return ac_fail(AC_ERR_ZERO_AMOUNT);
  if (amount > agent->active_stake) return ac_fail(AC_ERR_INSUFFICIENT_STAKE);

  /* --- act --- */
  agent->active_stake -= amount;
  agent->unbonding_stake += amount; /* cannot overflow: the sum of both is at most the supply */
  i64 now = ac_now();
  agent->unbonding_unlocks_at = now + (i64)config->unbonding_period;
  ac_stake_checkpoint(agent, now); /* sol-stake: the stake history */
  ac_event_unstake_requested event = { agent->agent_key, amount, agent->unbonding_stake, agent->unbonding_unlocks_at };
  ac_emit(AC_EVENT_UNSTAKE_REQUESTED, &event, sizeof(event));
  return AC_OK;
}
