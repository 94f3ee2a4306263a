/* withdraw: pays the agent's whole unbonding bucket to its owner once the unbonding period has passed. The stakes vault
 * is held by the config PDA, which signs the transfer.
 *
 * Accounts: 0 owner (signer), 1 agent (writable), 2 owner's ACC token account (writable), 3 stakes vault (writable),
 *           4 config, 5 SPL Token program.
 * Data: the tag only. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"

enum { A_OWNER, A_AGENT, A_OWNER_ACC, A_STAKES, A_CONFIG, A_TOKEN, A_COUNT };

static const u8 SEED_CONFIG[] = AC_SEED_CONFIG;

u64 ac_ix_withdraw(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  u64 rc;

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

  u64 amount = agent->unbonding_stake;
  if (amount == 0) return ac_fail(AC_ERR_NOTHING_TO_WITHDRAW);
  if (ac_now() < agent->unbonding_unlocks_at) return ac_fail(AC_ERR_UNBONDING_LOCKED);

  /* --- act: the state first, then the transfer (checks, effects, interactions) --- */
  agent->unbonding_stake = 0;
  agent->unbonding_unlocks_at = 0;
  const u8 bump = config->bump;
  const ac_seed config_seeds[2] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 }, { &bump, 1 } };
  const ac_signer_seeds config_signer = { config_seeds, 2 };
  if ((rc = ac_token_transfer(a[A_STAKES], a[A_OWNER_ACC], a[A_CONFIG], amount, &config_signer)) != AC_OK) return ac_fail(rc);
  ac_event_withdrawn event = { agent->agent_key, amount };
  ac_emit(AC_EVENT_WITHDRAWN, &event, sizeof(event));
  return AC_OK;
}
