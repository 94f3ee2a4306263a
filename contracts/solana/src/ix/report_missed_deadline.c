/* report_missed_deadline: after the deadline of an assigned task without a result, anyone (paid) ends it Missed: the
 * requester's credit is the escrow less three keeper rewards (assign, this report, settle_executor, which penalises the
 * executor).
 *
 * Accounts: the keeper block (ac_market_keeper_accounts). Data: the tag only. */
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
  if (t->status != AC_TASK_ASSIGNED) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (ac_now() <= t->deadline) return ac_fail(AC_ERR_DEADLINE_NOT_PASSED);

  /* --- act --- */
  t->status = AC_TASK_MISSED;
  t->requester_credit = t->bounty + t->fee - 3 * t->keeper_reward;
  ac_event_deadline_missed event = { in->accounts[AC_K_TASK]->key, t->executor };
  ac_emit(AC_EVENT_DEADLINE_MISSED, &event, sizeof(event));
  if ((rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
