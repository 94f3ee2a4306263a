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
    default: return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  }
}
