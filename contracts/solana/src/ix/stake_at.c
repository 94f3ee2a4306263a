/* stake_at: a read for clients and tests (no state change): the agent's active stake at a past time, as the market's
 * sortition and governance read it (ac_stake_at), in the return data (u64 LE).
 *
 * Accounts: 0 agent.
 * Data: tag, i64 time. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_AGENT, A_COUNT };
#define DATA_LEN (1 + 8)

u64 ac_ix_stake_at(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_agent *agent;
  u64 rc, stake;
  if ((rc = ac_agent_load(in->accounts[A_AGENT], in->program_id, &agent)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_stake_at(agent, (i64)ac_read_u64(in->data + 1), ac_now(), &stake)) != AC_OK) return ac_fail(rc);
  u8 out[8];
  ac_write_u64(out, stake);
  sol_set_return_data(out, 8);
  return AC_OK;
}
