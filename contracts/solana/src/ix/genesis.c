/* genesis (sol-final): the steps after `initialize` that make the ACC mint and the vaults, mint the whole supply into
 * the six genesis vaults by the distribution and remove the mint authority for good; one instruction did all of it at
 * ~94,000 CU, each step here stays under 20,000. Step s runs only at the config's stage s (GenesisOutOfOrder before,
 * GenesisStepDone after), only for the config's authority (the upgrade authority that initialised: NotAuthority), and
 * moves the stage to s + 1; no other instruction accepts the config before the last step (GenesisIncomplete). Bumps come
 * in the data and are verified with one hash each (sol_create_program_address), instead of searched; the addresses
 * they give are recorded in the config, which every later instruction compares keys against. A PDA someone funded
 * before its step is still created (top-up, allocate, assign).
 *
 *   step 1: the mint (9 decimals, mint authority the config, no freeze authority).
 *   steps 2, 3, 4: genesis vaults (0, 1), (2, 3), (4, 5): each created, held by the config, minted its share.
 *   step 5: the bonds and stakes vaults (empty); the mint's supply must be exactly the genesis supply
 *           (GenesisSupplyMismatch); the mint authority is removed; `Initialized` is emitted.
 *
 * Accounts: 0 authority (signer, writable: pays), 1 config (writable), 2 mint (writable), then
 *           step 1: 3 System program, 4 SPL Token program;
 *           steps 2..5: 3 the step's first vault, 4 its second (writable, uncreated PDAs), 5 System, 6 SPL Token.
 * Data: tag, u8 step, u8 bump (the mint's, or the first vault's), u8 bump (the second vault's; 0 at step 1). */
#include "ac/bytes.h"
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/state.h"

enum { A_AUTHORITY, A_CONFIG, A_MINT, A_MINT_SYSTEM = 3, A_MINT_TOKEN, A_MINT_COUNT };
enum { A_VAULT_FIRST = 3, A_VAULT_SYSTEM = A_VAULT_FIRST + AC_GENESIS_VAULTS_PER_STEP, A_VAULT_TOKEN, A_VAULT_COUNT };

static const u8 SEED_CONFIG[] = AC_SEED_CONFIG;
static const u8 SEED_MINT[] = AC_SEED_MINT;
static const u8 SEED_VAULT[] = AC_SEED_VAULT;
static const u8 VAULT_KINDS[AC_VAULT_COUNT] = { 0, 1, 2, 3, 4, 5, 6, 7 };

/* The genesis distribution (AccGenesis.sol): basis points of the supply; the team takes the remainder, so the six add
 * up to the supply exactly (10^18 / 10^4 is exact, so every share is too). */
#define SHARE(bps) (AC_ACC_TOTAL_SUPPLY / AC_BPS * (bps))
static const u64 GENESIS_SHARE[AC_GENESIS_VAULTS] = {
  SHARE(3000), SHARE(2500), SHARE(1500), SHARE(1000), SHARE(800),
  AC_ACC_TOTAL_SUPPLY - SHARE(3000) - SHARE(2500) - SHARE(1500) - SHARE(1000) - SHARE(800),
};
AC_STATIC_ASSERT(AC_ACC_TOTAL_SUPPLY % AC_BPS == 0, "every share is exact");
AC_STATIC_ASSERT(SHARE(3000) + SHARE(2500) + SHARE(1500) + SHARE(1000) + SHARE(800) + SHARE(1200) == AC_ACC_TOTAL_SUPPLY,
                 "the team's remainder is its 12%");

/* A fresh PDA at `account`: writable, the address its seeds and the given bump make (one hash), not created yet. */
static u64 check_new_pda(const ac_account *account, const ac_seed *seeds, u64 seeds_len, u8 bump, const ac_pubkey *program_id) {
  u64 rc;
  if ((rc = ac_check_writable(account)) != AC_OK) return rc;
  if ((rc = ac_pda_verify(account, seeds, seeds_len, bump, program_id)) != AC_OK) return rc;
  return ac_check_uninitialized(account);
}

u64 ac_ix_genesis(ac_input *in) {
  if (in->data_len != 4) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  const u8 step = in->data[1], bump_a = in->data[2], bump_b = in->data[3];
  if (step < AC_GENESIS_STEP_MINT || step > AC_GENESIS_STEP_LAST) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  const bool mint_step = step == AC_GENESIS_STEP_MINT;
  if (mint_step && bump_b != 0) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < (mint_step ? (u64)A_MINT_COUNT : (u64)A_VAULT_COUNT)) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_pubkey *program_id = in->program_id;
  ac_account *authority = a[A_AUTHORITY], *config = a[A_CONFIG], *mint = a[A_MINT];
  ac_config *state;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(authority)) != AC_OK || (rc = ac_check_writable(authority)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(config)) != AC_OK || (rc = ac_config_load_genesis(config, program_id, &state)) != AC_OK)
    return ac_fail(rc);
  if (!ac_key_eq(&authority->key, &state->authority)) return ac_fail(AC_ERR_NOT_AUTHORITY);
  if (state->genesis_stage > step) return ac_fail(AC_ERR_GENESIS_STEP_DONE);
  if (state->genesis_stage < step) return ac_fail(AC_ERR_GENESIS_OUT_OF_ORDER);
  if ((rc = ac_check_writable(mint)) != AC_OK) return ac_fail(rc);
  const ac_seed mint_seeds[2] = { { SEED_MINT, sizeof(SEED_MINT) - 1 }, { &bump_a, 1 } };
  const ac_seed config_seeds[2] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 }, { &state->bump, 1 } };
  const ac_signer_seeds config_signer = { config_seeds, 2 };

  if (mint_step) {
    if ((rc = check_new_pda(mint, mint_seeds, 1, bump_a, program_id)) != AC_OK) return ac_fail(rc);
    if ((rc = ac_check_key(a[A_MINT_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK ||
        (rc = ac_check_key(a[A_MINT_TOKEN], &AC_TOKEN_PROGRAM_ID)) != AC_OK)
      return ac_fail(rc);

    /* --- effects, then the calls (System and SPL Token only) --- */
    state->mint = mint->key;
    state->mint_bump = bump_a;
    state->genesis_stage = step + 1;
    const ac_signer_seeds mint_signer = { mint_seeds, 2 };
    if ((rc = ac_system_create_pda(authority, mint, AC_MINT_SIZE, &AC_TOKEN_PROGRAM_ID, &mint_signer)) != AC_OK ||
        (rc = ac_token_initialize_mint2(mint, AC_ACC_DECIMALS, &config->key)) != AC_OK)
      return ac_fail(rc);
    return AC_OK;
  }

  const u8 first = (u8)(AC_GENESIS_VAULTS_PER_STEP * (step - AC_GENESIS_STEP_FIRST_VAULTS));
  const u8 bumps[AC_GENESIS_VAULTS_PER_STEP] = { bump_a, bump_b };
  const bool last = step == AC_GENESIS_STEP_LAST;
  if (!ac_key_eq(&mint->key, &state->mint)) return ac_fail(AC_ERR_WRONG_MINT);
  for (u8 i = 0; i < AC_GENESIS_VAULTS_PER_STEP; i++) {
    const ac_seed vault_seeds[2] = { { SEED_VAULT, sizeof(SEED_VAULT) - 1 }, { &VAULT_KINDS[first + i], 1 } };
    if ((rc = check_new_pda(a[A_VAULT_FIRST + i], vault_seeds, 2, bumps[i], program_id)) != AC_OK) return ac_fail(rc);
  }
  if ((rc = ac_check_key(a[A_VAULT_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK ||
      (rc = ac_check_key(a[A_VAULT_TOKEN], &AC_TOKEN_PROGRAM_ID)) != AC_OK)
    return ac_fail(rc);
  /* The last step removes the mint authority: the six genesis vaults must hold the whole supply, minted once each. */
  if (last && (mint->data_len != AC_MINT_SIZE || ac_mint_supply(mint) != AC_ACC_TOTAL_SUPPLY))
    return ac_fail(AC_ERR_GENESIS_SUPPLY_MISMATCH);

  /* --- effects, then the calls (System and SPL Token only) --- */
  for (u8 i = 0; i < AC_GENESIS_VAULTS_PER_STEP; i++) {
    state->vault_bumps[first + i] = bumps[i];
    state->vaults[first + i] = a[A_VAULT_FIRST + i]->key;
  }
  state->genesis_stage = step + 1;
  if (last) state->discriminator = AC_DISC_CONFIG; /* genesis ends: every instruction accepts the config */
  for (u8 i = 0; i < AC_GENESIS_VAULTS_PER_STEP; i++) {
    const u8 kind = first + i;
    ac_account *vault = a[A_VAULT_FIRST + i];
    const ac_seed vault_signer_seeds[3] = { { SEED_VAULT, sizeof(SEED_VAULT) - 1 }, { &VAULT_KINDS[kind], 1 }, { &bumps[i], 1 } };
    const ac_signer_seeds vault_signer = { vault_signer_seeds, 3 };
    if ((rc = ac_system_create_pda(authority, vault, AC_TOKEN_ACCOUNT_SIZE, &AC_TOKEN_PROGRAM_ID, &vault_signer)) != AC_OK ||
        (rc = ac_token_initialize_account3(vault, mint, &config->key)) != AC_OK)
      return ac_fail(rc);
    if (kind < AC_GENESIS_VAULTS && (rc = ac_token_mint_to(mint, vault, config, GENESIS_SHARE[kind], &config_signer)) != AC_OK)
      return ac_fail(rc);
  }
  if (!last) return AC_OK;
  if ((rc = ac_token_remove_mint_authority(mint, config, &config_signer)) != AC_OK) return ac_fail(rc);
  ac_event_initialized event = { authority->key, mint->key, AC_ACC_TOTAL_SUPPLY };
  ac_emit(AC_EVENT_INITIALIZED, &event, sizeof(event));
  return AC_OK;
}
