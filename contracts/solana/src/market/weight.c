/* The sortition weight: the agent's stake at the snapshot (the second before the result), read from sol-stake's
 * checkpoints, so stake moved after the result (when the seed may already be known) counts for nothing. */
#include "ac/error.h"
#include "agentcluster/accounts.h"
#include "agentcluster/market.h"
#include "agentcluster/slash.h"

u64 ac_market_stake_at(ac_account *agent_account, const ac_agent *agent, i64 time, u64 *stake) {
  (void)agent_account;
  /* History pushed out by later changes reads as no stake: an agent that churns its stake only loses its own weight. */
  if (ac_stake_at(agent, time, ac_now(), stake) != AC_OK) return AC_ERR_NO_STAKE_AT_SNAPSHOT;
  return AC_OK;
}
