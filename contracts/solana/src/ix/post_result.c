/* post_result: the executor's key posts the result hash before the deadline. The seed is fixed after it: the hash of
 * the first slot at least AC_MARKET_SEED_DELAY_SLOTS after this one (nobody knows it now); the stake snapshot is the
 * second before this one (stake moved from now on counts for nothing).
 *
 * Accounts: 0 executor's agent key (signer), 1 task (writable), 2 config.
 * Data: tag, result hash (32). */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_EXECUTOR, A_TASK, A_CONFIG, A_COUNT };

u64 ac_ix_post_result(ac_input *in) {
  if (in->data_len != 1 + 32) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_task *t;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_EXECUTOR])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_TASK])) != AC_OK || (rc = ac_task_load(a[A_TASK], in->program_id, &t)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if (t->status != AC_TASK_ASSIGNED) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (!ac_key_eq(&a[A_EXECUTOR]->key, &t->executor)) return ac_fail(AC_ERR_NOT_EXECUTOR);
  i64 now = ac_now();
  if (now > t->deadline) return ac_fail(AC_ERR_DEADLINE_PASSED);

  /* --- act --- */
  sol_memcpy_(t->result, in->data + 1, 32);
  t->status = AC_TASK_RESULT_POSTED;
  t->result_posted_at = now;
  t->seed_slot = ac_market_slot() + AC_MARKET_SEED_DELAY_SLOTS;
  ac_event_result_posted event;
  event.task = a[A_TASK]->key;
  event.executor = t->executor;
  sol_memcpy_(event.result, t->result, 32);
  event.seed_slot = t->seed_slot;
  ac_emit(AC_EVENT_RESULT_POSTED, &event, sizeof(event));
  return AC_OK;
}
