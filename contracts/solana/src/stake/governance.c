/* Governance (agentcluster/governance.h): criticality, parameter bounds, loading proposals. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/governance.h"

#define DAY 86400ull
static const u8 SEED_PROPOSAL[] = AC_SEED_PROPOSAL;

bool ac_gov_is_critical(u8 action) {
  return action == AC_GOV_SET_UNBONDING_PERIOD || action == AC_GOV_SET_APPEAL_WINDOW || action == AC_GOV_SET_AUTHORITY ||
         action == AC_GOV_SET_SLASHER;
}

u64 ac_gov_check_action(const ac_config *config, u8 action, u64 value, const ac_pubkey *target) {
  switch (action) {
    case AC_GOV_SET_REGISTRATION_BOND:
      return value >= AC_ACC_UNIT && value <= 1000000ull * AC_ACC_UNIT ? AC_OK : AC_ERR_PARAMETER_OUT_OF_RANGE;
    case AC_GOV_SET_REGISTRATION_FEE:
      return value <= 100000ull * AC_ACC_UNIT ? AC_OK : AC_ERR_PARAMETER_OUT_OF_RANGE;
    case AC_GOV_SET_UNBONDING_PERIOD: /* no slash-then-exit: stake stays until its slash and appeal are over */
      return value > config->appeal_window + AC_MAX_SLASH_DELAY && value <= 365 * DAY ? AC_OK : AC_ERR_PARAMETER_OUT_OF_RANGE;
    case AC_GOV_SET_APPEAL_WINDOW:
      return value >= DAY && value + AC_MAX_SLASH_DELAY < config->unbonding_period ? AC_OK : AC_ERR_PARAMETER_OUT_OF_RANGE;
    case AC_GOV_SET_EXIT_DELAY:
      return value >= DAY && value <= 365 * DAY ? AC_OK : AC_ERR_PARAMETER_OUT_OF_RANGE;
    case AC_GOV_REVERSE_SLASH:
    case AC_GOV_DISMISS_APPEAL:
      return AC_OK; /* the record and its state are checked at execution */
    case AC_GOV_SET_AUTHORITY:
      return ac_key_is_zero(target) ? AC_ERR_PARAMETER_OUT_OF_RANGE : AC_OK;
    case AC_GOV_SET_SLASHER:
    case AC_GOV_SET_ATTESTOR:
      return ac_key_is_zero(target) || value > 1 ? AC_ERR_PARAMETER_OUT_OF_RANGE : AC_OK;
    default:
      return AC_ERR_INVALID_ACTION;
  }
}

u64 ac_proposal_load(ac_account *account, const ac_pubkey *program_id, ac_proposal **proposal) {
  u64 rc;
  if ((rc = ac_check_owner(account, program_id)) != AC_OK) return rc;
  ac_proposal *p = (ac_proposal *)account->data;
  if (account->data_len != sizeof(ac_proposal) || p->discriminator != AC_DISC_PROPOSAL || p->version != AC_PROPOSAL_VERSION)
    return AC_ERR_INVALID_ACCOUNT_DATA;
  const ac_seed seeds[2] = { { SEED_PROPOSAL, sizeof(SEED_PROPOSAL) - 1 }, { p->id, 32 } };
  if ((rc = ac_pda_verify(account, seeds, 2, p->bump, program_id)) != AC_OK) return rc;
  *proposal = p;
  return AC_OK;
}

static const u8 SEED_SLASHER[] = AC_SEED_SLASHER;
static const u8 SEED_ATTESTOR[] = AC_SEED_ATTESTOR;

u64 ac_gov_key_approval_check(const ac_pubkey *program_id, ac_key_approval *approval) {
  u64 rc;
  ac_pubkey expected;
  if ((rc = ac_check_writable(approval->pda)) != AC_OK) return rc;
  const ac_seed seeds[2] = { approval->is_slasher ? (ac_seed){ SEED_SLASHER, sizeof(SEED_SLASHER) - 1 }
                                                  : (ac_seed){ SEED_ATTESTOR, sizeof(SEED_ATTESTOR) - 1 },
                             { approval->key->bytes, 32 } };
  if ((rc = ac_pda_find(seeds, 2, program_id, &expected, &approval->bump)) != AC_OK) return rc;
  if (!ac_key_eq(&approval->pda->key, &expected)) return AC_ERR_WRONG_PDA;
  approval->exists = ac_key_eq(&approval->pda->owner, program_id);
  if (approval->exists) {
    const ac_slasher *existing = (const ac_slasher *)approval->pda->data; /* ac_attestor has the same layout */
    if (approval->pda->data_len != sizeof(ac_slasher) ||
        existing->discriminator != (approval->is_slasher ? AC_DISC_SLASHER : AC_DISC_ATTESTOR))
      return AC_ERR_INVALID_ACCOUNT_DATA;
  } else {
    if ((rc = ac_check_uninitialized(approval->pda)) != AC_OK) return rc;
    if ((rc = ac_check_writable(approval->payer)) != AC_OK) return rc;
  }
  if ((rc = ac_check_key(approval->system_program, &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return rc;
  return AC_OK;
}

AC_STATIC_ASSERT(sizeof(ac_slasher) == sizeof(ac_attestor), "slashers and attestors share a layout");

u64 ac_gov_key_approval_apply(const ac_pubkey *program_id, const ac_key_approval *approval) {
  u64 rc;
  if (!approval->exists) {
    const u8 bump = approval->bump;
    const ac_seed seeds[3] = { approval->is_slasher ? (ac_seed){ SEED_SLASHER, sizeof(SEED_SLASHER) - 1 }
                                                    : (ac_seed){ SEED_ATTESTOR, sizeof(SEED_ATTESTOR) - 1 },
                               { approval->key->bytes, 32 }, { &bump, 1 } };
    const ac_signer_seeds signer = { seeds, 3 };
    if ((rc = ac_system_create_pda(approval->payer, approval->pda, sizeof(ac_slasher), program_id, &signer)) != AC_OK) return rc;
  }
  ac_slasher *record = (ac_slasher *)approval->pda->data;
  record->discriminator = approval->is_slasher ? AC_DISC_SLASHER : AC_DISC_ATTESTOR;
  record->version = approval->is_slasher ? AC_SLASHER_VERSION : AC_ATTESTOR_VERSION;
  record->bump = approval->bump;
  record->approved = approval->approved;
  record->key = *approval->key;
  record->changed_at = ac_now();
  if (approval->is_slasher) {
    ac_event_slasher_set event = { *approval->key, approval->approved };
    ac_emit(AC_EVENT_SLASHER_SET, &event, sizeof(event));
  } else {
    ac_event_attestor_set event = { *approval->key, approval->approved };
    ac_emit(AC_EVENT_ATTESTOR_SET, &event, sizeof(event));
  }
  return AC_OK;
}
