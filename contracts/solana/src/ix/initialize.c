/* initialize: creates the config, the ACC mint and the vaults (six genesis vaults, bonds, stakes), mints the whole
 * supply into the genesis vaults by the distribution and removes the mint authority for good. Only the program's upgrade authority may call it, so
 * nobody can initialise a freshly deployed program before its deployer.
 *
 * Accounts: 0 authority (signer, writable: pays), 1 config, 2 mint, 3..10 vaults 0..7 (all writable, uncreated PDAs),
 *           11 the program account, 12 its program data account, 13 System program, 14 SPL Token program.
 * Data: the tag only. */
#include "ac/bytes.h"
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/math.h"
#include "ac/pda.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/state.h"

enum { A_AUTHORITY, A_CONFIG, A_MINT, A_VAULT0, A_PROGRAM = A_VAULT0 + AC_VAULT_COUNT, A_PROGRAM_DATA, A_SYSTEM, A_TOKEN, A_COUNT };

static const u8 SEED_CONFIG[] = AC_SEED_CONFIG;
static const u8 SEED_MINT[] = AC_SEED_MINT;
static const u8 SEED_VAULT[] = AC_SEED_VAULT;
static const u64 GENESIS_BPS[AC_GENESIS_VAULTS - 1] = { 3000, 2500, 1500, 1000, 800 };

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
  u8 config_bump, mint_bump, vault_bumps[AC_VAULT_COUNT], kinds[AC_VAULT_COUNT];
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_AUTHORITY])) != AC_OK || (rc = ac_check_writable(a[A_AUTHORITY])) != AC_OK) return ac_fail(rc);
  const ac_seed config_seeds[1] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 } };
  if ((rc = check_new_pda(a[A_CONFIG], config_seeds, 1, program_id, &config_bump)) != AC_OK) return ac_fail(rc);
  const ac_seed mint_seeds[1] = { { SEED_MINT, sizeof(SEED_MINT) - 1 } };
  if ((rc = check_new_pda(a[A_MINT], mint_seeds, 1, program_id, &mint_bump)) != AC_OK) return ac_fail(rc);
  for (u8 k = 0; k < AC_VAULT_COUNT; k++) {
    kinds[k] = k;
    const ac_seed vault_seeds[2] = { { SEED_VAULT, sizeof(SEED_VAULT) - 1 }, { &kinds[k], 1 } };
    if ((rc = check_new_pda(a[A_VAULT0 + k], vault_seeds, 2, program_id, &vault_bumps[k])) != AC_OK) return ac_fail(rc);
  }
  if ((rc = check_upgrade_authority(a[A_PROGRAM], a[A_PROGRAM_DATA], a[A_AUTHORITY], program_id)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK || (rc = ac_check_key(a[A_TOKEN], &AC_TOKEN_PROGRAM_ID)) != AC_OK)
    return ac_fail(rc);

  /* --- act --- */
  ac_account *authority = a[A_AUTHORITY], *config = a[A_CONFIG], *mint = a[A_MINT];
  const ac_seed config_signer_seeds[2] = { config_seeds[0], { &config_bump, 1 } };
  const ac_signer_seeds config_signer = { config_signer_seeds, 2 };
  if ((rc = ac_system_create_pda(authority, config, sizeof(ac_config), program_id, &config_signer)) != AC_OK) return ac_fail(rc);

  const ac_seed mint_signer_seeds[2] = { mint_seeds[0], { &mint_bump, 1 } };
  const ac_signer_seeds mint_signer = { mint_signer_seeds, 2 };
  if ((rc = ac_system_create_pda(authority, mint, AC_MINT_SIZE, &AC_TOKEN_PROGRAM_ID, &mint_signer)) != AC_OK ||
      (rc = ac_token_initialize_mint2(mint, AC_ACC_DECIMALS, &config->key)) != AC_OK)
    return ac_fail(rc);

  u64 minted = 0;
  for (u8 k = 0; k < AC_VAULT_COUNT; k++) {
    ac_account *vault = a[A_VAULT0 + k];
    const ac_seed vault_signer_seeds[3] = { { SEED_VAULT, sizeof(SEED_VAULT) - 1 }, { &kinds[k], 1 }, { &vault_bumps[k], 1 } };
    const ac_signer_seeds vault_signer = { vault_signer_seeds, 3 };
    if ((rc = ac_system_create_pda(authority, vault, AC_TOKEN_ACCOUNT_SIZE, &AC_TOKEN_PROGRAM_ID, &vault_signer)) != AC_OK ||
        (rc = ac_token_initialize_account3(vault, mint, &config->key)) != AC_OK)
      return ac_fail(rc);
    if (k >= AC_GENESIS_VAULTS) continue; /* bonds and stakes start empty */
    u64 share;
    if (k == AC_VAULT_TEAM) share = AC_ACC_TOTAL_SUPPLY - minted;
    else if (!ac_mul_div(AC_ACC_TOTAL_SUPPLY, GENESIS_BPS[k], AC_BPS, &share)) return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);
    if ((rc = ac_token_mint_to(mint, vault, config, share, &config_signer)) != AC_OK) return ac_fail(rc);
    minted += share;
  }
  if ((rc = ac_token_remove_mint_authority(mint, config, &config_signer)) != AC_OK) return ac_fail(rc);

  ac_config *state = (ac_config *)config->data;
  state->discriminator = AC_DISC_CONFIG;
  state->version = AC_CONFIG_VERSION;
  state->bump = config_bump;
  state->mint_bump = mint_bump;
  for (int k = 0; k < AC_VAULT_COUNT; k++) {
    state->vault_bumps[k] = vault_bumps[k];
    state->vaults[k] = a[A_VAULT0 + k]->key;
  }
  state->authority = authority->key;
  state->mint = mint->key;
  state->registration_bond = AC_DEFAULT_REGISTRATION_BOND;
  state->registration_fee = AC_DEFAULT_REGISTRATION_FEE;
  state->unbonding_period = AC_DEFAULT_UNBONDING_PERIOD;
  state->appeal_window = AC_DEFAULT_APPEAL_WINDOW;
  state->exit_delay = AC_DEFAULT_EXIT_DELAY;
  ac_event_initialized event = { authority->key, mint->key, minted };
  ac_emit(AC_EVENT_INITIALIZED, &event, sizeof(event));
  return AC_OK;
}
