/* draw_seat: in the fill phase (the first half of the draw window, its last second included), anyone (paid per seat)
 * seats an eligible agent in the next empty seat, its sortition key computed here from the seed and its stake at the
 * snapshot. A full committee or an agent already seated is skipped without error or pay, so racing keepers never
 * revert each other. Who is seated here is only a start: the claim phase replaces any seat a better key beats.
 *
 * Accounts: the keeper block (ac_market_keeper_accounts), 6 the candidate's agent. Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_AGENT = AC_K_COUNT, A_COUNT };

u64 ac_ix_draw_seat(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_keeper_accounts k;
  ac_agent *agent;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_agent_load(in->accounts[A_AGENT], in->program_id, &agent)) != AC_OK) return ac_fail(rc);
  ac_task *t = k.task;
  i64 now = ac_now();
  if (t->status != AC_TASK_VERIFYING) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (now > t->fill_closes_at) return ac_fail(AC_ERR_WINDOW_CLOSED);
  if (t->seats >= t->committee_size || ac_market_seat_of(t, &agent->agent_key) >= 0) return AC_OK; /* skipped */
  if ((rc = ac_market_check_reviewer(agent, t, now)) != AC_OK) return ac_fail(rc);
  u64 neg_log2_u, weight;
  if ((rc = ac_market_sortition(t, agent, in->accounts[A_AGENT], &neg_log2_u, &weight)) != AC_OK) return ac_fail(rc);

  /* --- act --- */
  u8 index = t->seats;
  ac_seat *seat = ac_task_seat(t, index);
  seat->agent_key = agent->agent_key;
  seat->owner = agent->owner;
  seat->neg_log2_u = neg_log2_u;
  seat->weight = weight;
  seat->state = AC_SEAT_SEATED;
  *ac_task_member_agent(t, index) = in->accounts[A_AGENT]->key; /* checked above: settle_member compares it (sol-gaps) */
  t->seats = index + 1;
  ac_event_seat event = { in->accounts[AC_K_TASK]->key, agent->agent_key, neg_log2_u, weight, index };
  ac_emit(AC_EVENT_SEAT_FILLED, &event, sizeof(event));
  if ((rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
