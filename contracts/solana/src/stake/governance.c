/* Governance (agentcluster/governance.h): criticality, parameter bounds, loading proposals. */
#include "ac/checks.h"
#include "ac/pda.h"
#include "agentcluster/governance.h"

#define DAY 86400ull
static const u8 SEED_PROPOSAL[] = AC_SEED_PROPOSAL;

bool ac_gov_is_critical(u8 action) {
  return action == AC_GOV_SET_UNBONDING_PERIOD || action == AC_GOV_SET_APPEAL_WINDOW || action == AC_GOV_SET_AUTHORITY;
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
