/* vote (governance op 1): an agent's owner casts the agent's vote, weighted by its active stake at the proposal's
 * snapshot. Once per agent and proposal (the vote's PDA), so no stake votes twice.
 *
 * Accounts: 0 owner (signer, writable: pays the vote's rent), 1 agent, 2 proposal (writable), 3 vote (writable, new:
 *           PDA("vote", proposal, agent key)), 4 System program.
 * Data: tag, op, u8 support (0 against, 1 for, 2 abstain). */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/governance.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_OWNER, A_AGENT, A_PROPOSAL, A_VOTE, A_SYSTEM, A_COUNT };
#define DATA_LEN (2 + 1)

static const u8 SEED_VOTE[] = AC_SEED_VOTE;

u64 ac_ix_vote(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  u8 support = in->data[2];
  ac_agent *agent;
  ac_proposal *proposal;
  ac_pubkey expected;
  u8 bump;
  u64 rc, weight;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_OWNER])) != AC_OK || (rc = ac_check_writable(a[A_OWNER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&agent->owner, &a[A_OWNER]->key)) return ac_fail(AC_ERR_NOT_AGENT_OWNER);
  if ((rc = ac_check_writable(a[A_PROPOSAL])) != AC_OK || (rc = ac_proposal_load(a[A_PROPOSAL], in->program_id, &proposal)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_VOTE])) != AC_OK) return ac_fail(rc);
  const ac_seed seeds[3] = { { SEED_VOTE, sizeof(SEED_VOTE) - 1 }, { a[A_PROPOSAL]->key.bytes, 32 }, { agent->agent_key.bytes, 32 } };
  if ((rc = ac_pda_find(seeds, 3, in->program_id, &expected, &bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_VOTE]->key, &expected)) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_uninitialized(a[A_VOTE])) != AC_OK) return ac_fail(rc); /* AlreadyInitialized: voted already */
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  if (support > AC_VOTE_ABSTAIN) return ac_fail(AC_ERR_INVALID_SUPPORT);
  i64 now = ac_now();
  if (now > proposal->voting_ends) return ac_fail(AC_ERR_VOTING_CLOSED);
  if ((rc = ac_stake_at(agent, proposal->snapshot, now, &weight)) != AC_OK) return ac_fail(rc);
  if (weight == 0) return ac_fail(AC_ERR_NO_VOTING_POWER);

  /* --- act: the tally first, then the vote's account (a System CPI) --- */
  u64 *tally = support == AC_VOTE_FOR ? &proposal->votes_for : support == AC_VOTE_AGAINST ? &proposal->votes_against
                                                                                         : &proposal->votes_abstain;
  *tally += weight; /* stake at one second sums to at most the supply: no overflow */
  const ac_seed signer_seeds[4] = { seeds[0], seeds[1], seeds[2], { &bump, 1 } };
  const ac_signer_seeds signer = { signer_seeds, 4 };
  if ((rc = ac_system_create_pda(a[A_OWNER], a[A_VOTE], sizeof(ac_vote), in->program_id, &signer)) != AC_OK) return ac_fail(rc);
  ac_vote *vote = (ac_vote *)a[A_VOTE]->data;
  vote->discriminator = AC_DISC_VOTE;
  vote->version = AC_VOTE_VERSION;
  vote->bump = bump;
  vote->support = support;
  vote->proposal = a[A_PROPOSAL]->key;
  vote->agent_key = agent->agent_key;
  vote->weight = weight;
  ac_event_vote_cast event;
  sol_memcpy_(event.id, proposal->id, 32);
  event.agent_key = agent->agent_key;
  event.support = support;
  event.weight = weight;
  ac_emit(AC_EVENT_VOTE_CAST, &event, sizeof(event));
  return AC_OK;
}
