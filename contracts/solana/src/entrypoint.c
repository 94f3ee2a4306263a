/* Decodes the input and dispatches on the instruction's first byte; everything else lives in src/ix (one file each). */
#include "ac/account.h"
#include "ac/error.h"
#include "agentcluster/instructions.h"

u64 entrypoint(u8 *input) {
  ac_input in;
  u64 rc = ac_deserialize(input, &in);
  if (rc != AC_OK) return ac_fail(rc);
  if (in.data_len < 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  switch (in.data[0]) {
    case AC_IX_INITIALIZE: return ac_ix_initialize(&in);
    case AC_IX_REGISTER_AGENT: return ac_ix_register_agent(&in);
    case AC_IX_STAKE: return ac_ix_stake(&in);
    case AC_IX_REQUEST_UNSTAKE: return ac_ix_request_unstake(&in);
    case AC_IX_WITHDRAW: return ac_ix_withdraw(&in);
    case AC_IX_SET_ATTESTOR: return ac_ix_set_attestor(&in);
    case AC_IX_ATTEST: return ac_ix_attest(&in);
    case AC_IX_REQUEST_EXIT: return ac_ix_request_exit(&in);
    case AC_IX_WITHDRAW_BOND: return ac_ix_withdraw_bond(&in);
    /* sol-stake */
    case AC_IX_SET_SLASHER: return ac_ix_set_slasher(&in);
    case AC_IX_SLASH: return ac_ix_slash(&in);
    case AC_IX_APPEAL_SLASH: return ac_ix_appeal_slash(&in);
    case AC_IX_REVERSE_SLASH: return ac_ix_reverse_slash(&in);
    case AC_IX_DISMISS_APPEAL: return ac_ix_dismiss_appeal(&in);
    case AC_IX_FINALIZE_SLASH: return ac_ix_finalize_slash(&in);
    case AC_IX_OPEN_REPUTATION: return ac_ix_open_reputation(&in);
    case AC_IX_RECORD_REPUTATION: return ac_ix_record_reputation(&in);
    case AC_IX_STAKE_AT: return ac_ix_stake_at(&in);
    case AC_IX_REPUTATION_OF: return ac_ix_reputation_of(&in);
    case AC_IX_GOVERNANCE:
      if (in.data_len < 2) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
      switch (in.data[1]) {
        case AC_GOV_OP_PROPOSE: return ac_ix_propose(&in);
        case AC_GOV_OP_VOTE: return ac_ix_vote(&in);
        case AC_GOV_OP_EXECUTE: return ac_ix_execute_proposal(&in);
        default: return ac_fail(AC_ERR_INVALID_INSTRUCTION);
      }
    /* task market (sol-market) */
    case AC_IX_SUBMIT_TASK: return ac_ix_submit_task(&in);
    case AC_IX_BID: return ac_ix_bid(&in);
    case AC_IX_ASSIGN_TASK: return ac_ix_assign_task(&in);
    case AC_IX_POST_RESULT: return ac_ix_post_result(&in);
    case AC_IX_REPORT_MISSED_DEADLINE: return ac_ix_report_missed_deadline(&in);
    case AC_IX_FIX_SEED: return ac_ix_fix_seed(&in);
    case AC_IX_DRAW_SEAT: return ac_ix_draw_seat(&in);
    case AC_IX_CLAIM_SEAT: return ac_ix_claim_seat(&in);
    case AC_IX_COMMIT_VOTE: return ac_ix_commit_vote(&in);
    case AC_IX_REVEAL_VOTE: return ac_ix_reveal_vote(&in);
    case AC_IX_SETTLE_TASK: return ac_ix_settle_task(&in);
    case AC_IX_SETTLE_MEMBER: return ac_ix_settle_member(&in);
    case AC_IX_CLAIM_PAYOUT: return ac_ix_claim_payout(&in);
    case AC_IX_SETTLE_EXECUTOR: return ac_ix_settle_executor(&in);
    /* sol-final */
    case AC_IX_GENESIS: return ac_ix_genesis(&in);
    case AC_IX_RESERVE_TASK: return ac_ix_reserve_task(&in);
    default: return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  }
}
