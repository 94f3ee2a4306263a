/* Loading the program's own accounts: every check that makes an account the one it claims to be, in one call. */
#ifndef AGENTCLUSTER_ACCOUNTS_H
#define AGENTCLUSTER_ACCOUNTS_H
#include "ac/account.h"
#include "ac/bytes.h"
#include "agentcluster/state.h"

/* The config: owned by the program, its size, discriminator and version, at PDA("config", bump), its genesis done
 * (GenesisIncomplete otherwise, sol-final). */
u64 ac_config_load(const ac_account *account, const ac_pubkey *program_id, const ac_config **config);
/* An agent: owned by the program, its size, discriminator and version, at PDA("agent", agent key, bump). */
u64 ac_agent_load(ac_account *account, const ac_pubkey *program_id, ac_agent **agent);
/* An SPL token account of ACC that `holder` owns: writable, owned by the Token program, initialised, of the config's
 * mint, its token owner the holder (so no vault or stranger's account can stand in, whatever a delegate allows). */
u64 ac_acc_account_check(const ac_account *account, const ac_config *config, const ac_pubkey *holder);
/* The cluster's Unix time (Clock sysvar). */
i64 ac_now(void);

/* sol-final: the config at any genesis stage (for the genesis steps only), writable view; every check of ac_config_load
 * but the stage. */
u64 ac_config_load_genesis(ac_account *account, const ac_pubkey *program_id, ac_config **config);

#endif
