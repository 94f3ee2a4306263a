#include "agentcluster/accounts.h"
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"

static const u8 SEED_CONFIG[] = AC_SEED_CONFIG;
static const u8 SEED_AGENT[] = AC_SEED_AGENT;

u64 ac_config_load(const ac_account *account, const ac_pubkey *program_id, const ac_config **config) {
  u64 rc;
  if ((rc = ac_check_owner(account, program_id)) != AC_OK) return rc;
  const ac_config *c = (const ac_config *)account->data;
  if (account->data_len != sizeof(ac_config) || c->discriminator != AC_DISC_CONFIG || c->version != AC_CONFIG_VERSION)
    /* sol-final: a config whose genesis has not ended has its own discriminator, named here at no cost to the success path */
    return account->data_len == sizeof(ac_config) && c->discriminator == AC_DISC_CONFIG_GENESIS ? AC_ERR_GENESIS_INCOMPLETE
                                                                                               : AC_ERR_INVALID_ACCOUNT_DATA;
  const ac_seed seeds[1] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 } };
  if ((rc = ac_pda_verify(account, seeds, 1, c->bump, program_id)) != AC_OK) return rc;
  *config = c;
  return AC_OK;
}

u64 ac_agent_load(ac_account *account, const ac_pubkey *program_id, ac_agent **agent) {
  u64 rc;
  if ((rc = ac_check_owner(account, program_id)) != AC_OK) return rc;
  ac_agent *a = (ac_agent *)account->data;
  if (!ac_agent_size_ok(account->data_len) || a->discriminator != AC_DISC_AGENT || a->version != AC_AGENT_VERSION)
    return AC_ERR_INVALID_ACCOUNT_DATA;
  const ac_seed seeds[2] = { { SEED_AGENT, sizeof(SEED_AGENT) - 1 }, { a->agent_key.bytes, 32 } };
  if ((rc = ac_pda_verify(account, seeds, 2, a->bump, program_id)) != AC_OK) return rc;
  *agent = a;
  return AC_OK;
}

#define TOKEN_ACCOUNT_STATE_OFFSET 108
#define TOKEN_ACCOUNT_INITIALIZED 1

u64 ac_acc_account_check(const ac_account *account, const ac_config *config, const ac_pubkey *holder) {
  u64 rc;
  if ((rc = ac_check_writable(account)) != AC_OK) return rc;
  if ((rc = ac_check_owner(account, &AC_TOKEN_PROGRAM_ID)) != AC_OK) return rc;
  if (account->data_len != AC_TOKEN_ACCOUNT_SIZE || account->data[TOKEN_ACCOUNT_STATE_OFFSET] != TOKEN_ACCOUNT_INITIALIZED)
    return AC_ERR_INVALID_ACCOUNT_DATA;
  if (!ac_key_eq(ac_token_account_mint(account), &config->mint)) return AC_ERR_WRONG_MINT;
  if (!ac_key_eq(ac_token_account_owner(account), holder)) return AC_ERR_NOT_TOKEN_OWNER;
  return AC_OK;
}

typedef struct { u64 slot; i64 epoch_start_timestamp; u64 epoch; u64 leader_schedule_epoch; i64 unix_timestamp; } clock_sysvar;

i64 ac_now(void) {
  clock_sysvar clock;
  sol_get_clock_sysvar(&clock);
  return clock.unix_timestamp;
}

/* sol-final */
u64 ac_config_load_genesis(ac_account *account, const ac_pubkey *program_id, ac_config **config) {
  u64 rc;
  if ((rc = ac_check_owner(account, program_id)) != AC_OK) return rc;
  ac_config *c = (ac_config *)account->data;
  if (account->data_len != sizeof(ac_config) || (c->discriminator != AC_DISC_CONFIG_GENESIS && c->discriminator != AC_DISC_CONFIG) ||
      c->version != AC_CONFIG_VERSION)
    return AC_ERR_INVALID_ACCOUNT_DATA;
  const ac_seed seeds[1] = { { SEED_CONFIG, sizeof(SEED_CONFIG) - 1 } };
  if ((rc = ac_pda_verify(account, seeds, 1, c->bump, program_id)) != AC_OK) return rc;
  *config = c;
  return AC_OK;
}
