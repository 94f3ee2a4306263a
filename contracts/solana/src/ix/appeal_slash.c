/* appeal_slash: the agent's owner appeals a pending slash within its appeal window; governance then has the decision
 * period (30 days) to reverse it or dismiss the appeal, after which anyone may finalize it.
 *
 * Accounts: 0 owner (signer), 1 agent, 2 slash record (writable), 3 config.
 * Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_OWNER, A_AGENT, A_RECORD, A_CONFIG, A_COUNT };

u64 ac_ix_appeal_slash(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  ac_slash_record *record;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_OWNER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&agent->owner, &a[A_OWNER]->key)) return ac_fail(AC_ERR_NOT_AGENT_OWNER);
  if ((rc = ac_check_writable(a[A_RECORD])) != AC_OK || (rc = ac_slash_record_load(a[A_RECORD], in->program_id, &record)) != AC_OK)
    return ac_fail(rc);
  if (!ac_key_eq(&record->agent_key, &agent->agent_key)) return ac_fail(AC_ERR_WRONG_ACCOUNT);

  if (record->status == AC_SLASH_APPEALED) return ac_fail(AC_ERR_ALREADY_APPEALED);
  if (record->status != AC_SLASH_PENDING) return ac_fail(AC_ERR_SLASH_NOT_OPEN);
  i64 now = ac_now();
  if (now > record->appeal_deadline) return ac_fail(AC_ERR_APPEAL_WINDOW_CLOSED);

  /* --- act --- */
  record->status = AC_SLASH_APPEALED;
  record->decision_deadline = now + AC_DEFAULT_APPEAL_DECISION_PERIOD;
  ac_event_slash_appealed event = { record->agent_key, record->index, a[A_OWNER]->key, record->decision_deadline };
  ac_emit(AC_EVENT_SLASH_APPEALED, &event, sizeof(event));
  return AC_OK;
}
