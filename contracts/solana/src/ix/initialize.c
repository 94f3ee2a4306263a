/* initialize: the first step of genesis (sol-final: genesis runs in steps, each under 20,000 CU; see ix/genesis.c). Creates
 * the config with its parameters at the canonical PDA("config") and records the caller as its authority. Only the
 * program's upgrade authority may call it, so nobody can initialise a freshly deployed program before its deployer;
 * once, since the config then exists. The config stays unusable (GenesisIncomplete) until the genesis steps have run.
 * The config's bump is searched (the only search of genesis): the canonical address is what makes the config, and so
 * the mint and the whole supply, unique; the mint's and vaults' addresses are recorded in it by the later steps.
 *
 * Accounts: 0 authority (signer, writable: pays), 1 config (writable, uncreated PDA), 2 the program account, 3 its
 *           program data account, 4 System program.
 * Data: the tag only. */
#include "ac/bytes.h"
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/math.h"
#include "ac/pda.h"
#include "agentcluster/market.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/state.h"

enum { A_AUTHORITY, A_CONFIG, A_PROGRAM, A_PROGRAM_DATA, A_SYSTEM, A_COUNT };

static const u8 SEED_CONFIG[] = AC_SEED_CONFIG;

/* UpgradeableLoaderState (bincode): Program { u32 tag 2, programdata address }; ProgramData { u32 tag 3, u64 slot,
 * Option<Pubkey> upgrade authority }. */
#define LOADER_PROGRAM_TAG 2
#define LOADER_PROGRAM_DATA_TAG 3
#define PROGRAM_DATA_HEADER 45


/* The fresh PDA at `account` for the seeds: writable, the canonical address, not created yet. */
static u64 check_new_pda(const ac_account *account, const ac_seed *seeds, u64 seeds_len, const ac_pubkey *program_id, u8 *bump) {
  ac_pubkey expected;
  u64 rc;
  if ((rc = ac_check_writable(account)) != AC_OK) return rc;
  if ((rc = ac_pda_find(seeds, seeds_len, program_id, &expected, bump)) != AC_OK) return rc;
  if (!ac_key_eq(&account->key, &expected)) return AC_ERR_WRONG_PDA;
  return ac_check_uninitialized(account);
}

static u64 check_upgrade_authority(const ac_account *program, const ac_account *program_data, const ac_account *authority,
                                   const ac_pubkey *program_id) {
  if (!ac_key_eq(&program->key, program_id)) return AC_ERR_WRONG_ACCOUNT;
  if (!ac_key_eq(&program->owner, &AC_UPGRADEABLE_LOADER_ID) || !ac_key_eq(&program_data->owner, &AC_UPGRADEABLE_LOADER_ID))
    return AC_ERR_WRONG_OWNER;
  if (program->data_len < 36 || ac_read_u32(program->data) != LOADER_PROGRAM_TAG) return AC_ERR_INVALID_ACCOUNT_DATA;
  if (!ac_key_eq(&program_data->key, (const ac_pubkey *)(program->data + 4))) return AC_ERR_WRONG_ACCOUNT;
  if (program_data->data_len < PROGRAM_DATA_HEADER || ac_read_u32(program_data->data) != LOADER_PROGRAM_DATA_TAG)
    return AC_ERR_INVALID_ACCOUNT_DATA;
  const u8 *upgrade_authority = program_data->data + 13;
  if (program_data->data[12] != 1 || !ac_key_eq(&authority->key, (const ac_pubkey *)upgrade_authority))
    return AC_ERR_NOT_UPGRADE_AUTHORITY;
  return AC_OK;
}

u64 ac_ix_initialize(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_pubkey *program_id = in->program_id;
  u8 config_bump;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_AUTHORITY])) != AC_OK || (rc = ac_check_writable(a[A_AUTHORITY])) != AC_OK) return ac_fail(rc);
  const ac_seed config_seeds[1] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 } };
  if ((rc = check_new_pda(a[A_CONFIG], config_seeds, 1, program_id, &config_bump)) != AC_OK) return ac_fail(rc);
  if ((rc = check_upgrade_authority(a[A_PROGRAM], a[A_PROGRAM_DATA], a[A_AUTHORITY], program_id)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  /* --- act --- */
  ac_account *authority = a[A_AUTHORITY], *config = a[A_CONFIG];
  const ac_seed config_signer_seeds[2] = { config_seeds[0], { &config_bump, 1 } };
  const ac_signer_seeds config_signer = { config_signer_seeds, 2 };
  if ((rc = ac_system_create_pda(authority, config, sizeof(ac_config), program_id, &config_signer)) != AC_OK) return ac_fail(rc);

  ac_config *state = (ac_config *)config->data;
  state->discriminator = AC_DISC_CONFIG_GENESIS; /* AC_DISC_CONFIG once the last genesis step has run (sol-final) */
  state->version = AC_CONFIG_VERSION;
  state->bump = config_bump;
  state->genesis_stage = AC_GENESIS_CONFIG; /* the mint and the vaults: the genesis steps */
  state->authority = authority->key;
  state->registration_bond = AC_DEFAULT_REGISTRATION_BOND;
  state->registration_fee = AC_DEFAULT_REGISTRATION_FEE;
  state->unbonding_period = AC_DEFAULT_UNBONDING_PERIOD;
  state->appeal_window = AC_DEFAULT_APPEAL_WINDOW;
  state->exit_delay = AC_DEFAULT_EXIT_DELAY;
  ac_market_params_default(&state->market); /* sol-gaps */
  return AC_OK;
}
