/* stake: the agent's owner adds ACC to the agent's active stake (held in the stakes vault).
 *
 * Accounts: 0 owner (signer), 1 agent (writable), 2 owner's ACC token account (writable), 3 stakes vault (writable),
 *           4 config, 5 SPL Token program.
 * Data: tag, u64 amount. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_OWNER, A_AGENT, A_OWNER_ACC, A_STAKES, A_CONFIG, A_TOKEN, A_COUNT };
#define DATA_LEN (1 + 8)

u64 ac_ix_stake(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  u64 amount = ac_read_u64(in->data + 1), rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_OWNER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_AGENT])) != AC_OK || (rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK)
    return ac_fail(rc);
  if (!ac_key_eq(&agent->owner, &a[A_OWNER]->key)) return ac_fail(AC_ERR_NOT_AGENT_OWNER);
  if ((rc = ac_acc_account_check(a[A_OWNER_ACC], config, &a[A_OWNER]->key)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_STAKES])) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_STAKES]->key, &config->vaults[AC_VAULT_STAKES])) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_key(a[A_TOKEN], &AC_TOKEN_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  if (agent->status == AC_AGENT_EXITED) return ac_fail(AC_ERR_AGENT_EXITED);
  if (amount == 0) return ac_fail(AC_ERR_ZERO_AMOUNT);
  if (ac_token_account_amount(a[A_OWNER_ACC]) < amount) return ac_fail(AC_ERR_INSUFFICIENT_FUNDS);
  if (agent->active_stake + amount < amount) return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);

  /* --- act --- */
  if ((rc = ac_token_transfer(a[A_OWNER_ACC], a[A_STAKES], a[A_OWNER], amount, NULL)) != AC_OK) return ac_fail(rc);
  agent->active_stake += amount;
  ac_stake_checkpoint(agent, ac_now()); /* sol-stake: the stake history */
  ac_event_staked event = { agent->agent_key, amount, agent->active_stake };
  ac_emit(AC_EVENT_STAKED, &event, sizeof(event));
  return AC_OK;
}
