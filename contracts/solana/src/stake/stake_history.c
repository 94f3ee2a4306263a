/* The stake history: every change of an agent's active stake, in the agent account's growing tail (sol-gaps). */
#include "ac/cpi.h"
#include "ac/error.h"
#include "agentcluster/slash.h"

static u64 capacity_of(u64 data_len) { return (data_len - sizeof(ac_agent)) / sizeof(ac_stake_point); }

u64 ac_stake_make_room(ac_account *agent_account, ac_account *payer, ac_account *system, u64 extra) {
  (void)system; /* present in the instruction for the CPI; checked by the caller */
  const ac_agent_history *h = ac_agent_history_of_const((const ac_agent *)agent_account->data);
  u64 needed = (u64)h->checkpoint_count + h->reserved_points + extra;
  u64 capacity = capacity_of(agent_account->data_len);
  if (needed <= capacity) return AC_OK;
  u64 grown = needed + AC_STAKE_GROWTH - 1;
  if (grown > 0xffffffffull) return AC_ERR_ARITHMETIC_OVERFLOW;
  u64 new_len = sizeof(ac_agent) + grown * sizeof(ac_stake_point), minimum, rc;
  if (new_len - agent_account->original_data_len > AC_MAX_PERMITTED_DATA_INCREASE) return AC_ERR_ARITHMETIC_OVERFLOW;
  if ((rc = ac_rent_exempt_minimum(new_len, &minimum)) != AC_OK) return rc;
  if (minimum > agent_account->lamports &&
      (rc = ac_system_transfer(payer, agent_account, minimum - agent_account->lamports)) != AC_OK)
    return rc;
  agent_account->data_len = new_len; /* realloc: the runtime reads the new length back; the new bytes are zero */
  return AC_OK;
}

u64 ac_stake_checkpoint(ac_agent *agent, u64 agent_data_len, i64 now) {
  ac_agent_history *h = ac_agent_history_of(agent);
  ac_stake_point *points = ac_stake_points_of(agent);
  u32 count = h->checkpoint_count;
  if (count != 0 && points[count - 1].time == now) {
    points[count - 1].stake = agent->active_stake; /* a second change in the same second replaces the first */
    return AC_OK;
  }
  if (count >= capacity_of(agent_data_len)) return AC_ERR_INVALID_ACCOUNT_DATA; /* no room made: never expected */
  points[count].time = now;
  points[count].stake = agent->active_stake;
  h->checkpoint_count = count + 1;
  return AC_OK;
}

u64 ac_stake_at(const ac_agent *agent, i64 time, i64 now, u64 *stake) {
  if (time >= now) return AC_ERR_FUTURE_LOOKUP;
  const ac_stake_point *points = ac_stake_points_of_const(agent);
  /* The first point after `time`, by binary search over [0, count): at most 32 steps (count < 2^32). */
  u64 lo = 0, hi = ac_agent_history_of_const(agent)->checkpoint_count;
  while (lo < hi) {
    u64 mid = lo + ((hi - lo) >> 1);
    if (points[mid].time <= time) lo = mid + 1;
    else hi = mid;
  }
  *stake = lo == 0 ? 0 : points[lo - 1].stake; /* before the first change: no stake */
  return AC_OK;
}
