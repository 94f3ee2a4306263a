/* withdraw_bond: pays an exited agent's bond to its owner once the exit delay has passed. Anyone may call; the bond
 * only ever goes to an ACC account of the agent's owner. The bonds vault is held by the config PDA, which signs.
 *
 * Accounts: 0 agent (writable), 1 the owner's ACC token account (writable), 2 bonds vault (writable), 3 config,
 *           4 SPL Token program.
 * Data: the tag only. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"

enum { A_AGENT, A_OWNER_ACC, A_BONDS, A_CONFIG, A_TOKEN, A_COUNT };

static const u8 SEED_CONFIG[] = AC_SEED_CONFIG;

u64 ac_ix_withdraw_bond(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_AGENT])) != AC_OK || (rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_acc_account_check(a[A_OWNER_ACC], config, &agent->owner)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_BONDS])) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_BONDS]->key, &config->vaults[AC_VAULT_BONDS])) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_key(a[A_TOKEN], &AC_TOKEN_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  if (agent->status != AC_AGENT_EXITED || ac_now() < agent->exit_unlocks_at) return ac_fail(AC_ERR_BOND_LOCKED);
  u64 amount = agent->bond;
  if (amount == 0) return ac_fail(AC_ERR_NOTHING_TO_WITHDRAW);

  /* --- act: the state first, then the transfer --- */
  agent->bond = 0;
  const u8 bump = config->bump;
  const ac_seed config_seeds[2] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 }, { &bump, 1 } };
  const ac_signer_seeds config_signer = { config_seeds, 2 };
  if ((rc = ac_token_transfer(a[A_BONDS], a[A_OWNER_ACC], a[A_CONFIG], amount, &config_signer)) != AC_OK) return ac_fail(rc);
  ac_event_bond_withdrawn event = { agent->agent_key, agent->owner, amount };
  ac_emit(AC_EVENT_BOND_WITHDRAWN, &event, sizeof(event));
  return AC_OK;
}
