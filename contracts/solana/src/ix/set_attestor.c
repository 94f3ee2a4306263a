/* set_attestor: the config's authority (governance later) approves an attestor key, or withdraws its approval. The
 * attestor's PDA is made on first approval and kept, so a withdrawn attestor reads as such.
 *
 * Accounts: 0 authority (signer, writable: pays rent on first approval), 1 config, 2 attestor PDA (writable),
 *           3 System program.
 * Data: tag, attestor key (32 bytes), u8 approved (0 or 1). */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"

enum { A_AUTHORITY, A_CONFIG, A_ATTESTOR, A_SYSTEM, A_COUNT };
#define DATA_LEN (1 + 32 + 1)

static const u8 SEED_ATTESTOR[] = AC_SEED_ATTESTOR;

u64 ac_ix_set_attestor(ac_input *in) {
  if (in->data_len != DATA_LEN || in->data[33] > 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_pubkey *key = (const ac_pubkey *)(in->data + 1);
  const ac_config *config;
  ac_pubkey expected;
  u8 bump;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_AUTHORITY])) != AC_OK || (rc = ac_check_writable(a[A_AUTHORITY])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_AUTHORITY]->key, &config->authority)) return ac_fail(AC_ERR_NOT_AUTHORITY);
  const ac_seed seeds[2] = { { SEED_ATTESTOR, sizeof(SEED_ATTESTOR) - 1 }, { key->bytes, 32 } };
  if ((rc = ac_check_writable(a[A_ATTESTOR])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_pda_find(seeds, 2, in->program_id, &expected, &bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_ATTESTOR]->key, &expected)) return ac_fail(AC_ERR_WRONG_PDA);
  bool exists = ac_key_eq(&a[A_ATTESTOR]->owner, in->program_id);
  if (exists) {
    const ac_attestor *attestor = (const ac_attestor *)a[A_ATTESTOR]->data;
    if (a[A_ATTESTOR]->data_len != sizeof(ac_attestor) || attestor->discriminator != AC_DISC_ATTESTOR)
      return ac_fail(AC_ERR_INVALID_ACCOUNT_DATA);
  } else if ((rc = ac_check_uninitialized(a[A_ATTESTOR])) != AC_OK) {
    return ac_fail(rc);
  }
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  /* --- act --- */
  if (!exists) {
    const ac_seed signer_seeds[3] = { seeds[0], seeds[1], { &bump, 1 } };
    const ac_signer_seeds signer = { signer_seeds, 3 };
    if ((rc = ac_system_create_pda(a[A_AUTHORITY], a[A_ATTESTOR], sizeof(ac_attestor), in->program_id, &signer)) != AC_OK)
      return ac_fail(rc);
  }
  ac_attestor *attestor = (ac_attestor *)a[A_ATTESTOR]->data;
  attestor->discriminator = AC_DISC_ATTESTOR;
  attestor->version = AC_ATTESTOR_VERSION;
  attestor->bump = bump;
  attestor->approved = in->data[33];
  attestor->key = *key;
  attestor->changed_at = ac_now();
  ac_event_attestor_set event = { *key, attestor->approved };
  ac_emit(AC_EVENT_ATTESTOR_SET, &event, sizeof(event));
  return AC_OK;
}
