/* reverse_slash: governance (the config's authority) reverses a slash: within the appeal window, or, once appealed,
 * within the decision period. The whole amount returns to the agent's active stake (also what was unbonding: the owner
 * may request unstaking again, also after exit).
 *
 * Accounts: 0 authority (signer), 1 config, 2 slash record (writable), 3 agent (writable).
 * Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_AUTHORITY, A_CONFIG, A_RECORD, A_AGENT, A_COUNT };

u64 ac_ix_reverse_slash(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  ac_slash_record *record;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_AUTHORITY])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_AUTHORITY]->key, &config->authority)) return ac_fail(AC_ERR_NOT_AUTHORITY);
  if ((rc = ac_check_writable(a[A_RECORD])) != AC_OK || (rc = ac_slash_record_load(a[A_RECORD], in->program_id, &record)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_AGENT])) != AC_OK || (rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK)
    return ac_fail(rc);
  if (!ac_key_eq(&record->agent_key, &agent->agent_key)) return ac_fail(AC_ERR_WRONG_ACCOUNT);

  /* --- the rule's checks, then the act (ac_slash_reverse) --- */
  if ((rc = ac_slash_reverse(record, agent, ac_now())) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
