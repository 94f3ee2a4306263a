/* record_reputation: governance (the config's authority, as Reputation.sol's writers are named by governance) adds to
 * or takes from an agent's task, validator or compute reputation. Social reputation is not written this way (endorsements
 * only, as on Base). The market's settlement writes through ac_reputation_record directly.
 *
 * Accounts: 0 authority (signer), 1 config, 2 reputation (writable).
 * Data: tag, u8 dimension, i64 delta. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/instructions.h"
#include "agentcluster/reputation.h"

enum { A_AUTHORITY, A_CONFIG, A_REPUTATION, A_COUNT };
#define DATA_LEN (1 + 1 + 8)

u64 ac_ix_record_reputation(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_reputation *reputation;
  u8 dimension = in->data[1];
  i64 delta = (i64)ac_read_u64(in->data + 2);
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_AUTHORITY])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_AUTHORITY]->key, &config->authority)) return ac_fail(AC_ERR_NOT_AUTHORITY);
  /* the agent key the PDA is checked against is the account's own: the seeds bind it to its address */
  const ac_reputation *unchecked = (const ac_reputation *)a[A_REPUTATION]->data;
  if ((rc = ac_check_owner(a[A_REPUTATION], in->program_id)) != AC_OK) return ac_fail(rc);
  if (a[A_REPUTATION]->data_len < sizeof(ac_reputation)) return ac_fail(AC_ERR_INVALID_ACCOUNT_DATA);
  if ((rc = ac_reputation_load(a[A_REPUTATION], in->program_id, &unchecked->agent_key, true, &reputation)) != AC_OK)
    return ac_fail(rc);

  if (dimension >= AC_REP_SOCIAL) return ac_fail(AC_ERR_INVALID_DIMENSION);

  /* --- act --- */
  if ((rc = ac_reputation_record(reputation, dimension, delta, ac_now())) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
