/* sol-stake's internal interface for reputation: four dimensions (task, validator, compute, social), each a value that
 * halves every 90 days, computed lazily (ac_decay) when read or written, as Reputation.sol. The market's settlement
 * records task and validator reputation through it; the agent's reputation account is PDA("reputation", agent key),
 * made by open_reputation. */
#ifndef AGENTCLUSTER_REPUTATION_H
#define AGENTCLUSTER_REPUTATION_H
#include "ac/account.h"
#include "agentcluster/state.h"

/* Checks and loads an agent's reputation account: writable when `writable`, owned by the program, its size,
 * discriminator and version, at PDA("reputation", agent key, stored bump), and of `agent_key`. */
u64 ac_reputation_load(ac_account *account, const ac_pubkey *program_id, const ac_pubkey *agent_key, bool writable,
                       ac_reputation **reputation);

/* The dimension's value at `now` (decayed since its last write). */
u64 ac_reputation_value(const ac_reputation *reputation, u8 dimension, i64 now, u64 *value);

/* Decays the dimension to `now`, adds `delta` (a negative delta stops at 0; an overflow is an error), stores it and
 * emits ReputationChanged. */
u64 ac_reputation_record(ac_reputation *reputation, u8 dimension, i64 delta, i64 now);

#endif
