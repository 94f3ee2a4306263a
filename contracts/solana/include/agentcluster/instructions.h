/* The instruction tags (first byte of the data) and their handlers, one file each in src/ix. */
#ifndef AGENTCLUSTER_INSTRUCTIONS_H
#define AGENTCLUSTER_INSTRUCTIONS_H
#include "ac/account.h"

enum ac_instruction_tag {
  AC_IX_INITIALIZE = 0,
  AC_IX_REGISTER_AGENT = 1,
  AC_IX_STAKE = 2,
  AC_IX_REQUEST_UNSTAKE = 3,
  AC_IX_WITHDRAW = 4,
  AC_IX_SET_ATTESTOR = 5,
  AC_IX_ATTEST = 6,
  AC_IX_REQUEST_EXIT = 7,
  AC_IX_WITHDRAW_BOND = 8,
  /* sol-stake (9..19) */
  AC_IX_SET_SLASHER = 9,
  AC_IX_SLASH = 10,
  AC_IX_APPEAL_SLASH = 11,
  AC_IX_REVERSE_SLASH = 12,
  AC_IX_DISMISS_APPEAL = 13,
  AC_IX_FINALIZE_SLASH = 14,
  AC_IX_OPEN_REPUTATION = 15,
  AC_IX_RECORD_REPUTATION = 16,
  AC_IX_STAKE_AT = 17,        /* a read: return data */
  AC_IX_REPUTATION_OF = 18,   /* a read: return data */
  AC_IX_GOVERNANCE = 19,      /* the range 9..19 is full: the second byte says which (enum ac_governance_op) */
  /* task market (sol-market): 20..39 */
  AC_IX_SUBMIT_TASK = 20,
  AC_IX_BID = 21,
  AC_IX_ASSIGN_TASK = 22,
  AC_IX_POST_RESULT = 23,
  AC_IX_REPORT_MISSED_DEADLINE = 24,
  AC_IX_FIX_SEED = 25,
  AC_IX_DRAW_SEAT = 26,
  AC_IX_CLAIM_SEAT = 27,
  AC_IX_COMMIT_VOTE = 28,
  AC_IX_REVEAL_VOTE = 29,
  AC_IX_SETTLE_TASK = 30,
  AC_IX_SETTLE_MEMBER = 31,
  AC_IX_CLAIM_PAYOUT = 32,
  AC_IX_SETTLE_EXECUTOR = 33,
  /* sol-final: 40.. */
  AC_IX_GENESIS = 40,         /* genesis step (second byte: the step, enum ac_genesis_stage) */
  AC_IX_RESERVE_TASK = 41,    /* a task's address for a committee over 64 seats (market.h, ac_task_ext) */
};

u64 ac_ix_initialize(ac_input *in);
u64 ac_ix_register_agent(ac_input *in);
u64 ac_ix_stake(ac_input *in);
u64 ac_ix_request_unstake(ac_input *in);
u64 ac_ix_withdraw(ac_input *in);
u64 ac_ix_set_attestor(ac_input *in);
u64 ac_ix_attest(ac_input *in);
u64 ac_ix_request_exit(ac_input *in);
u64 ac_ix_withdraw_bond(ac_input *in);
/* sol-stake */
u64 ac_ix_set_slasher(ac_input *in);
u64 ac_ix_slash(ac_input *in);
u64 ac_ix_appeal_slash(ac_input *in);
u64 ac_ix_reverse_slash(ac_input *in);
u64 ac_ix_dismiss_appeal(ac_input *in);
u64 ac_ix_finalize_slash(ac_input *in);
u64 ac_ix_open_reputation(ac_input *in);
u64 ac_ix_record_reputation(ac_input *in);
u64 ac_ix_stake_at(ac_input *in);
u64 ac_ix_reputation_of(ac_input *in);
enum ac_governance_op { AC_GOV_OP_PROPOSE = 0, AC_GOV_OP_VOTE = 1, AC_GOV_OP_EXECUTE = 2 };
u64 ac_ix_propose(ac_input *in);
u64 ac_ix_vote(ac_input *in);
u64 ac_ix_execute_proposal(ac_input *in);

/* task market (sol-market) */
u64 ac_ix_submit_task(ac_input *in);
u64 ac_ix_bid(ac_input *in);
u64 ac_ix_assign_task(ac_input *in);
u64 ac_ix_post_result(ac_input *in);
u64 ac_ix_report_missed_deadline(ac_input *in);
u64 ac_ix_fix_seed(ac_input *in);
u64 ac_ix_draw_seat(ac_input *in);
u64 ac_ix_claim_seat(ac_input *in);
u64 ac_ix_commit_vote(ac_input *in);
u64 ac_ix_reveal_vote(ac_input *in);
u64 ac_ix_settle_task(ac_input *in);
u64 ac_ix_settle_member(ac_input *in);
u64 ac_ix_claim_payout(ac_input *in);
u64 ac_ix_settle_executor(ac_input *in);

/* sol-final */
u64 ac_ix_genesis(ac_input *in);
u64 ac_ix_reserve_task(ac_input *in);

#endif
