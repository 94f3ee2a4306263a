/* report_missed_deadline: after the deadline of an assigned task without a result, anyone (paid) ends it Missed: the
 * requester's credit is the escrow less the two keeper rewards (assign, this report), the executor is penalised.
 *
 * Accounts: the keeper block (ac_market_keeper_accounts; the keeper writable: it pays the slash record's rent),
 *           6 the executor's agent (writable), 7 its next slash record (writable), 8 System program. Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

u64 ac_ix_report_missed_deadline(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  ac_keeper_accounts k;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  ac_task *t = k.task;
  ac_market_penalty penalty;
  if (t->status != AC_TASK_ASSIGNED) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if ((rc = ac_market_penalty_check(in, AC_K_COUNT, t, &penalty)) != AC_OK) return ac_fail(rc);
  if (ac_now() <= t->deadline) return ac_fail(AC_ERR_DEADLINE_NOT_PASSED);

  /* --- act --- */
  t->status = AC_TASK_MISSED;
  t->requester_credit = t->bounty + t->fee - 2 * t->keeper_reward;
  ac_event_deadline_missed event = { in->accounts[AC_K_TASK]->key, t->executor };
  ac_emit(AC_EVENT_DEADLINE_MISSED, &event, sizeof(event));
  if ((rc = ac_market_penalise(in, k.config, &penalty, t->missed_severity_bps)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
