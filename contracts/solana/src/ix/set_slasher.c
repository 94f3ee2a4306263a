/* set_slasher: the config's authority (governance later) approves a slasher key, or withdraws its approval. The
 * slasher's PDA is made on first approval and kept, so a withdrawn slasher reads as such.
 *
 * Accounts: 0 authority (signer, writable: pays rent on first approval), 1 config, 2 slasher PDA (writable),
 *           3 System program.
 * Data: tag, slasher key (32 bytes), u8 approved (0 or 1). */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"

enum { A_AUTHORITY, A_CONFIG, A_SLASHER, A_SYSTEM, A_COUNT };
#define DATA_LEN (1 + 32 + 1)

static const u8 SEED_SLASHER[] = AC_SEED_SLASHER;

u64 ac_ix_set_slasher(ac_input *in) {
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
  const ac_seed seeds[2] = { { SEED_SLASHER, sizeof(SEED_SLASHER) - 1 }, { key->bytes, 32 } };
  if ((rc = ac_check_writable(a[A_SLASHER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_pda_find(seeds, 2, in->program_id, &expected, &bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_SLASHER]->key, &expected)) return ac_fail(AC_ERR_WRONG_PDA);
  bool exists = ac_key_eq(&a[A_SLASHER]->owner, in->program_id);
  if (exists) {
    const ac_slasher *slasher = (const ac_slasher *)a[A_SLASHER]->data;
    if (a[A_SLASHER]->data_len != sizeof(ac_slasher) || slasher->discriminator != AC_DISC_SLASHER)
      return ac_fail(AC_ERR_INVALID_ACCOUNT_DATA);
  } else if ((rc = ac_check_uninitialized(a[A_SLASHER])) != AC_OK) {
    return ac_fail(rc);
  }
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  /* --- act --- */
  if (!exists) {
    const ac_seed signer_seeds[3] = { seeds[0], seeds[1], { &bump, 1 } };
    const ac_signer_seeds signer = { signer_seeds, 3 };
    if ((rc = ac_system_create_pda(a[A_AUTHORITY], a[A_SLASHER], sizeof(ac_slasher), in->program_id, &signer)) != AC_OK)
      return ac_fail(rc);
  }
  ac_slasher *slasher = (ac_slasher *)a[A_SLASHER]->data;
  slasher->discriminator = AC_DISC_SLASHER;
  slasher->version = AC_SLASHER_VERSION;
  slasher->bump = bump;
  slasher->approved = in->data[33];
  slasher->key = *key;
  slasher->changed_at = ac_now();
  ac_event_slasher_set event = { *key, slasher->approved };
  ac_emit(AC_EVENT_SLASHER_SET, &event, sizeof(event));
  return AC_OK;
}
