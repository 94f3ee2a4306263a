/* Governance over the program's parameters (sol-stake): proposals voted with stake at a snapshot, a timelock. */
#ifndef AGENTCLUSTER_GOVERNANCE_H
#define AGENTCLUSTER_GOVERNANCE_H
#include "ac/account.h"
#include "agentcluster/state.h"

/* Whether the action needs 2/3 of for + against (decided by the action alone). */
bool ac_gov_is_critical(u8 action);
/* The action's bounds against the config as it is now (checked at propose and again at execute). */
u64 ac_gov_check_action(const ac_config *config, u8 action, u64 value, const ac_pubkey *target);
/* Loads a proposal (owner, size, discriminator, version, PDA("proposal", id, stored bump)). */
u64 ac_proposal_load(ac_account *account, const ac_pubkey *program_id, ac_proposal **proposal);

/* Approves or withdraws a slasher or attestor key (the same 48-byte layout): creates its PDA ("slasher"/"attestor", key)
 * on first use, paid by `payer`, and emits SlasherSet or AttestorSet. `check` runs the account checks only. */
typedef struct {
  ac_account *payer;                /* signer; writable when the PDA is new */
  ac_account *pda;                  /* writable */
  ac_account *system_program;
  const ac_pubkey *key;
  u8 is_slasher;                    /* 1: slasher, 0: attestor */
  u8 approved;
  u8 bump;                          /* set by ac_gov_key_approval_check */
  bool exists;                      /* set by ac_gov_key_approval_check */
} ac_key_approval;
u64 ac_gov_key_approval_check(const ac_pubkey *program_id, ac_key_approval *approval);
u64 ac_gov_key_approval_apply(const ac_pubkey *program_id, const ac_key_approval *approval);

#endif
