/* assign_task: after the bidding window, anyone (a keeper, paid the task's keeper reward) assigns the task to the best
 * bid, or, without a bid, ends it Refunded (the requester's credit: everything but this keeper's reward).
 *
 * Accounts: the keeper block (ac_market_keeper_accounts). Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

u64 ac_ix_assign_task(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  ac_keeper_accounts k;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  ac_task *t = k.task;
  if (t->status != AC_TASK_BIDDING) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (ac_now() < t->bidding_ends_at) return ac_fail(AC_ERR_BIDDING_OPEN);

  /* --- act: state, then the keeper's pay --- */
  if (ac_key_is_zero(&t->executor)) {
    t->status = AC_TASK_REFUNDED;
    t->requester_credit = t->bounty + t->fee - t->keeper_reward;
  } else {
    t->status = AC_TASK_ASSIGNED;
  }
  ac_event_task_assigned event = { in->accounts[AC_K_TASK]->key, t->executor, t->price };
  ac_emit(AC_EVENT_TASK_ASSIGNED, &event, sizeof(event));
  if ((rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
