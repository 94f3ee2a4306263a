/* open_reputation: makes an agent's reputation account, PDA("reputation", agent key), all four dimensions at 0.
 * Anyone may pay for it (the market needs it before it records reputation); once per agent.
 *
 * Accounts: 0 payer (signer, writable), 1 agent, 2 reputation (writable, new), 3 System program.
 * Data: the tag only. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/reputation.h"

enum { A_PAYER, A_AGENT, A_REPUTATION, A_SYSTEM, A_COUNT };

static const u8 SEED_REPUTATION[] = AC_SEED_REPUTATION;

u64 ac_ix_open_reputation(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  ac_agent *agent;
  ac_pubkey expected;
  u8 bump;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_PAYER])) != AC_OK || (rc = ac_check_writable(a[A_PAYER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_REPUTATION])) != AC_OK) return ac_fail(rc);
  const ac_seed seeds[2] = { { SEED_REPUTATION, sizeof(SEED_REPUTATION) - 1 }, { agent->agent_key.bytes, 32 } };
  if ((rc = ac_pda_find(seeds, 2, in->program_id, &expected, &bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_REPUTATION]->key, &expected)) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_uninitialized(a[A_REPUTATION])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  /* --- act --- */
  const ac_seed signer_seeds[3] = { seeds[0], seeds[1], { &bump, 1 } };
  const ac_signer_seeds signer = { signer_seeds, 3 };
  if ((rc = ac_system_create_pda(a[A_PAYER], a[A_REPUTATION], sizeof(ac_reputation), in->program_id, &signer)) != AC_OK)
    return ac_fail(rc);
  ac_reputation *reputation = (ac_reputation *)a[A_REPUTATION]->data; /* zeroed by allocate */
  reputation->discriminator = AC_DISC_REPUTATION;
  reputation->version = AC_REPUTATION_VERSION;
  reputation->bump = bump;
  reputation->agent_key = agent->agent_key;
  ac_event_reputation_opened event = { agent->agent_key };
  ac_emit(AC_EVENT_REPUTATION_OPENED, &event, sizeof(event));
  return AC_OK;
}
