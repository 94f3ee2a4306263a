/* bid: during the bidding window, an eligible agent (Active, attested now, every required capability, staked, not the
 * requester's) offers a price at most the bounty; the task keeps only the best bid (O(1)). Signed by the agent's key
 * or its owner.
 *
 * Accounts: 0 signer (the agent's key or owner), 1 agent, 2 task (writable), 3 config.
 * Data: tag, u64 price. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_SIGNER, A_AGENT, A_TASK, A_CONFIG, A_COUNT };

u64 ac_ix_bid(ac_input *in) {
  if (in->data_len != 1 + 8) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  ac_task *task;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_SIGNER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_SIGNER]->key, &agent->agent_key) && !ac_key_eq(&a[A_SIGNER]->key, &agent->owner))
    return ac_fail(AC_ERR_NOT_AGENT_OWNER);
  if ((rc = ac_check_writable(a[A_TASK])) != AC_OK || (rc = ac_task_load(a[A_TASK], in->program_id, &task)) != AC_OK)
    return ac_fail(rc);

  u64 price = ac_read_u64(in->data + 1);
  i64 now = ac_now();
  if (task->status != AC_TASK_BIDDING) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (now >= task->bidding_ends_at) return ac_fail(AC_ERR_BIDDING_CLOSED);
  if (agent->status != AC_AGENT_ACTIVE || agent->attested_until <= now || agent->active_stake == 0 ||
      (agent->capabilities & task->capabilities) != task->capabilities)
    return ac_fail(AC_ERR_NOT_ELIGIBLE);
  if (ac_key_eq(&agent->owner, &task->requester)) return ac_fail(AC_ERR_CONFLICT_OF_INTEREST);
  if (price > task->bounty) return ac_fail(AC_ERR_BID_ABOVE_BOUNTY);
  if (!ac_key_is_zero(&task->executor) && price >= task->price) return ac_fail(AC_ERR_BID_NOT_BETTER);

  /* --- act --- */
  task->executor = agent->agent_key;
  task->executor_owner = agent->owner;
  task->executor_agent = a[A_AGENT]->key;
  task->price = price;
  ac_event_bid_placed event = { a[A_TASK]->key, agent->agent_key, price };
  ac_emit(AC_EVENT_BID_PLACED, &event, sizeof(event));
  return AC_OK;
}
