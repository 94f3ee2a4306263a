/* request_exit: the owner takes the agent out for good (the key can never register again); the bond unlocks after the
 * exit delay. Stake follows its own path (request_unstake, withdraw).
 *
 * Accounts: 0 owner (signer), 1 agent (writable), 2 config.
 * Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"

enum { A_OWNER, A_AGENT, A_CONFIG, A_COUNT };

u64 ac_ix_request_exit(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_OWNER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_AGENT])) != AC_OK || (rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK)
    return ac_fail(rc);
  if (!ac_key_eq(&agent->owner, &a[A_OWNER]->key)) return ac_fail(AC_ERR_NOT_AGENT_OWNER);
  if (agent->status == AC_AGENT_EXITED) return ac_fail(AC_ERR_AGENT_EXITED);

  /* --- act --- */
  agent->status = AC_AGENT_EXITED;
  agent->exit_unlocks_at = ac_now() + (i64)config->exit_delay;
  ac_event_exit_requested event = { agent->agent_key, agent->exit_unlocks_at };
  ac_emit(AC_EVENT_EXIT_REQUESTED, &event, sizeof(event));
  return AC_OK;
}
