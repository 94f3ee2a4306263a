/* settle_executor: after a task with an executor is final, anyone (paid) applies the executor's consequences, once:
 * accepted: task reputation + the gain fixed at settlement (0.02 point per burned ACC, at most 1 point); rejected:
 * slashed rejected_severity_bps for the requester (appealable, sol-stake's slashing) and -2 points; missed deadline or
 * lapsed seed: slashed missed_severity_bps and -1 point; inconclusive or refunded: nothing. A step of its own, so that
 * no settlement instruction carries both a slash and the verdict (each stays under 20,000 CU).
 *
 * Accounts: the keeper block (ac_market_keeper_accounts; the keeper writable: it pays a slash record's rent),
 *           6 the executor's agent (writable), 7 its next slash record (writable), 8 System program,
 *           9 the executor's reputation (writable). Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_EXECUTOR = AC_K_COUNT, A_REPUTATION = A_EXECUTOR + 3, A_COUNT };

u64 ac_ix_settle_executor(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_keeper_accounts k;
  ac_market_penalty penalty;
  ac_reputation *reputation;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  ac_task *t = k.task;
  /* A task with an executor was assigned, and every way it ends reserved this step's keeper reward. */
  if (!ac_task_is_final(t) || ac_key_is_zero(&t->executor)) return ac_fail(AC_ERR_TASK_NOT_SETTLED);
  if (t->executor_settled) return ac_fail(AC_ERR_EXECUTOR_SETTLED);
  if ((rc = ac_market_penalty_check(in, A_EXECUTOR, t, &penalty)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_reputation_load(in->accounts[A_REPUTATION], in->program_id, &t->executor, true, &reputation)) != AC_OK)
    return ac_fail(rc);

  i64 delta = 0;
  u64 severity = 0;
  if (t->status == AC_TASK_ACCEPTED) {
    delta = (i64)t->executor_gain;
  } else if (t->status == AC_TASK_REJECTED) {
    delta = -AC_MARKET_EXECUTOR_REJECTED_LOSS;
    severity = t->rejected_severity_bps;
  } else if (t->status == AC_TASK_MISSED || t->seed_lapsed) {
    delta = -AC_MARKET_EXECUTOR_MISSED_LOSS;
    severity = t->missed_severity_bps;
  }

  /* --- act: state first, then the slash (its record's creation is a CPI) and the keeper's pay --- */
  t->executor_settled = 1;
  i64 now = ac_now();
  if (delta != 0 && (rc = ac_reputation_record(reputation, AC_REP_TASK, delta, now)) != AC_OK) return ac_fail(rc);
  ac_event_executor_settled event = { in->accounts[AC_K_TASK]->key, t->executor, delta, (u16)severity };
  ac_emit(AC_EVENT_EXECUTOR_SETTLED, &event, sizeof(event));
  if ((rc = ac_market_penalise(in, k.config, &penalty, severity)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
