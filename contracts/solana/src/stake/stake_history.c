/* Stake checkpoints in the agent's reserved words: a ring of the last AC_STAKE_CHECKPOINTS changes of active stake. */
#include "ac/error.h"
#include "agentcluster/slash.h"

#define RING_MASK (AC_STAKE_CHECKPOINTS - 1)
AC_STATIC_ASSERT((AC_STAKE_CHECKPOINTS & RING_MASK) == 0, "the ring's size is a power of two");

void ac_stake_checkpoint(ac_agent *agent, i64 now) {
  ac_agent_history *h = ac_agent_history_of(agent);
  u32 time = (u32)now;
  u8 head = h->checkpoint_head;
  if (h->checkpoint_count != 0 && h->checkpoints[head].time == time) {
    h->checkpoints[head].stake = agent->active_stake; /* a second change in the same second replaces the first */
    return;
  }
  if (h->checkpoint_count != 0) head = (u8)((head + 1) & RING_MASK);
  h->checkpoints[head].time = time;
  h->checkpoints[head].stake = agent->active_stake;
  h->checkpoint_head = head;
  if (h->checkpoint_count < AC_STAKE_CHECKPOINTS) h->checkpoint_count++;
}

u64 ac_stake_at(const ac_agent *agent, i64 time, i64 now, u64 *stake) {
  if (time >= now) return AC_ERR_FUTURE_LOOKUP;
  const ac_agent_history *h = ac_agent_history_of_const(agent);
  for (u64 i = 0; i < h->checkpoint_count; i++) { /* at most AC_STAKE_CHECKPOINTS */
    const ac_checkpoint *c = &h->checkpoints[(h->checkpoint_head + AC_STAKE_CHECKPOINTS - i) & RING_MASK];
    if ((i64)c->time <= time) {
      *stake = c->stake;
      return AC_OK;
    }
  }
  /* Before every checkpoint: no stake, if none was ever pushed out of the ring. */
  if (h->checkpoint_count < AC_STAKE_CHECKPOINTS) {
    *stake = 0;
    return AC_OK;
  }
  return AC_ERR_STAKE_HISTORY_GONE;
}
