/* register_agent: binds an agent key to its owner for good, takes the bond into the bonds vault and burns the
 * registration fee. The agent starts Pending (an attestation makes it Active). The agent key signs: it proves the owner
 * holds it (the EVM suite's EIP-712 key binding); PDA("agent", key) is never closed, so a key binds once, ever.
 *
 * Accounts: 0 owner (signer, writable: pays rent), 1 agent key (signer), 2 agent PDA (writable, uncreated),
 *           3 owner's ACC token account (writable), 4 bonds vault (writable), 5 ACC mint (writable: the fee is burned),
 *           6 config, 7 System program, 8 SPL Token program.
 * Data: tag, u64 capabilities (bitmask). */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"

enum { A_OWNER, A_AGENT_KEY, A_AGENT, A_OWNER_ACC, A_BONDS, A_MINT, A_CONFIG, A_SYSTEM, A_TOKEN, A_COUNT };
#define DATA_LEN (1 + 8)

static const u8 SEED_AGENT[] = AC_SEED_AGENT;

u64 ac_ix_register_agent(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_pubkey *program_id = in->program_id;
  const ac_config *config;
  ac_pubkey expected_agent;
  u8 agent_bump;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_OWNER])) != AC_OK || (rc = ac_check_writable(a[A_OWNER])) != AC_OK ||
      (rc = ac_check_signer(a[A_AGENT_KEY])) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], program_id, &config)) != AC_OK) return ac_fail(rc);
  const ac_seed agent_seeds[2] = { { SEED_AGENT, sizeof(SEED_AGENT) - 1 }, { a[A_AGENT_KEY]->key.bytes, 32 } };
  if ((rc = ac_check_writable(a[A_AGENT])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_pda_find(agent_seeds, 2, program_id, &expected_agent, &agent_bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_AGENT]->key, &expected_agent)) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_uninitialized(a[A_AGENT])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_acc_account_check(a[A_OWNER_ACC], config, &a[A_OWNER]->key)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_BONDS])) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_BONDS]->key, &config->vaults[AC_VAULT_BONDS])) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_writable(a[A_MINT])) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_MINT]->key, &config->mint)) return ac_fail(AC_ERR_WRONG_MINT);
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK || (rc = ac_check_key(a[A_TOKEN], &AC_TOKEN_PROGRAM_ID)) != AC_OK)
    return ac_fail(rc);

  u64 bond = config->registration_bond, fee = config->registration_fee;
  if (bond + fee < bond) return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);
  if (ac_token_account_amount(a[A_OWNER_ACC]) < bond + fee) return ac_fail(AC_ERR_INSUFFICIENT_FUNDS);

  /* --- act --- */
  const ac_seed agent_signer_seeds[3] = { agent_seeds[0], agent_seeds[1], { &agent_bump, 1 } };
  const ac_signer_seeds agent_signer = { agent_signer_seeds, 3 };
  if ((rc = ac_system_create_pda(a[A_OWNER], a[A_AGENT], sizeof(ac_agent), program_id, &agent_signer)) != AC_OK) return ac_fail(rc);
  /* The owner signed the transaction, so it authorises both token CPIs itself. */
  if ((rc = ac_token_transfer(a[A_OWNER_ACC], a[A_BONDS], a[A_OWNER], bond, NULL)) != AC_OK) return ac_fail(rc);
  if (fee > 0 && (rc = ac_token_burn(a[A_OWNER_ACC], a[A_MINT], a[A_OWNER], fee, NULL)) != AC_OK) return ac_fail(rc);

  ac_agent *agent = (ac_agent *)a[A_AGENT]->data;
  agent->discriminator = AC_DISC_AGENT;
  agent->version = AC_AGENT_VERSION;
  agent->bump = agent_bump;
  agent->status = AC_AGENT_PENDING;
  agent->owner = a[A_OWNER]->key;
  agent->agent_key = a[A_AGENT_KEY]->key;
  agent->bond = bond;
  agent->capabilities = ac_read_u64(in->data + 1);
  agent->registered_at = ac_now();
  ac_event_agent_registered event = { agent->agent_key, agent->owner, bond, fee, agent->capabilities };
  ac_emit(AC_EVENT_AGENT_REGISTERED, &event, sizeof(event));
  return AC_OK;
}
