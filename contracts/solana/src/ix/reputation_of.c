/* reputation_of: a read for clients and tests (no state change): one dimension of an agent's reputation, decayed to
 * now (ac_reputation_value), in the return data (u64 LE).
 *
 * Accounts: 0 reputation.
 * Data: tag, u8 dimension. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/instructions.h"
#include "agentcluster/reputation.h"

enum { A_REPUTATION, A_COUNT };
#define DATA_LEN (1 + 1)

u64 ac_ix_reputation_of(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account *account = in->accounts[A_REPUTATION];
  ac_reputation *reputation;
  u64 rc, value;
  if ((rc = ac_check_owner(account, in->program_id)) != AC_OK) return ac_fail(rc);
  if (account->data_len < sizeof(ac_reputation)) return ac_fail(AC_ERR_INVALID_ACCOUNT_DATA);
  const ac_pubkey *agent_key = &((const ac_reputation *)account->data)->agent_key; /* the PDA check below binds it */
  if ((rc = ac_reputation_load(account, in->program_id, agent_key, false, &reputation)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_reputation_value(reputation, in->data[1], ac_now(), &value)) != AC_OK) return ac_fail(rc);
  u8 out[8];
  ac_write_u64(out, value);
  sol_set_return_data(out, 8);
  return AC_OK;
}
