/* claim_seat: in the claim phase (after the fill phase, until the draw window closes) of a full committee, anyone
 * seats an eligible agent in place of the member of `seat` if the agent's sortition key (-log2(u) / stake at the
 * snapshot, compared exactly) is smaller: the committee that votes is the sortition's best keys among everyone who
 * cares to claim, whoever filled the seats. The first committee_size claims of a task are paid keeper work.
 *
 * Accounts: the keeper block (ac_market_keeper_accounts), 6 the candidate's agent. Data: tag, u8 seat. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_AGENT = AC_K_COUNT, A_COUNT };

u64 ac_ix_claim_seat(ac_input *in) {
  if (in->data_len != 2) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_keeper_accounts k;
  ac_agent *agent;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_agent_load(in->accounts[A_AGENT], in->program_id, &agent)) != AC_OK) return ac_fail(rc);
  ac_task *t = k.task;
  u8 index = in->data[1];
  i64 now = ac_now();
  if (t->status != AC_TASK_VERIFYING) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (t->seats < t->committee_size) return ac_fail(AC_ERR_COMMITTEE_NOT_FULL);
  if (now <= t->fill_closes_at || now > t->draw_closes_at) return ac_fail(AC_ERR_WINDOW_CLOSED);
  if (index >= t->committee_size) return ac_fail(AC_ERR_NOT_MEMBER);
  if (ac_market_seat_of(t, &agent->agent_key) >= 0) return ac_fail(AC_ERR_ALREADY_SEATED);
  if ((rc = ac_market_check_reviewer(agent, t, now)) != AC_OK) return ac_fail(rc);
  u64 neg_log2_u, weight;
  if ((rc = ac_market_sortition(t, agent, in->accounts[A_AGENT], &neg_log2_u, &weight)) != AC_OK) return ac_fail(rc);
  ac_seat *seat = ac_task_seat(t, index);
  if (!ac_market_key_less(neg_log2_u, weight, seat->neg_log2_u, seat->weight)) return ac_fail(AC_ERR_KEY_NOT_BETTER);

  /* --- act --- */
  seat->agent_key = agent->agent_key;
  seat->owner = agent->owner;
  seat->neg_log2_u = neg_log2_u;
  seat->weight = weight;
  *ac_task_member_agent(t, index) = in->accounts[A_AGENT]->key; /* checked above: settle_member compares it (sol-gaps) */
  bool paid = t->claims < t->committee_size;
  if (paid) t->claims++;
  ac_event_seat event = { in->accounts[AC_K_TASK]->key, agent->agent_key, neg_log2_u, weight, index };
  ac_emit(AC_EVENT_SEAT_CLAIMED, &event, sizeof(event));
  if (paid && (rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
