#include "ac/error.h"
#include "ac/log.h"

const char *ac_error_name(u64 error) {
  switch (error) {
    case AC_ERR_INVALID_INSTRUCTION: return "InvalidInstruction";
    case AC_ERR_NOT_ENOUGH_ACCOUNTS: return "NotEnoughAccounts";
    case AC_ERR_TOO_MANY_ACCOUNTS: return "TooManyAccounts";
    case AC_ERR_MISSING_SIGNER: return "MissingSigner";
    case AC_ERR_NOT_WRITABLE: return "NotWritable";
    case AC_ERR_WRONG_OWNER: return "WrongOwner";
    case AC_ERR_WRONG_PDA: return "WrongPda";
    case AC_ERR_WRONG_ACCOUNT: return "WrongAccount";
    case AC_ERR_NOT_TOKEN_OWNER: return "NotTokenOwner";
    case AC_ERR_INVALID_ACCOUNT_DATA: return "InvalidAccountData";
    case AC_ERR_WRONG_MINT: return "WrongMint";
    case AC_ERR_ARITHMETIC_OVERFLOW: return "ArithmeticOverflow";
    case AC_ERR_CPI_FAILED: return "CpiFailed";
    case AC_ERR_UNSUPPORTED_RENT: return "UnsupportedRent";
    case AC_ERR_ALREADY_INITIALIZED: return "AlreadyInitialized";
    case AC_ERR_NOT_UPGRADE_AUTHORITY: return "NotUpgradeAuthority";
    case AC_ERR_INSUFFICIENT_FUNDS: return "InsufficientFunds";
    case AC_ERR_NOT_AGENT_OWNER: return "NotAgentOwner";
    case AC_ERR_AGENT_EXITED: return "AgentExited";
    case AC_ERR_ZERO_AMOUNT: return "ZeroAmount";
    case AC_ERR_INSUFFICIENT_STAKE: return "InsufficientStake";
    case AC_ERR_NOTHING_TO_WITHDRAW: return "NothingToWithdraw";
    case AC_ERR_UNBONDING_LOCKED: return "UnbondingLocked";
    case AC_ERR_NOT_AUTHORITY: return "NotAuthority";
    case AC_ERR_UNKNOWN_ATTESTOR: return "UnknownAttestor";
    case AC_ERR_SIGNATURE_NOT_VERIFIED: return "SignatureNotVerified";
    case AC_ERR_ATTESTATION_EXPIRED: return "AttestationExpired";
    case AC_ERR_ATTESTATION_TOO_LONG: return "AttestationTooLong";
    case AC_ERR_STALE_ATTESTATION: return "StaleAttestation";
    case AC_ERR_BOND_LOCKED: return "BondLocked";
    /* sol-stake (40..69) */
    case AC_ERR_NOT_SLASHER: return "NotSlasher";
    case AC_ERR_INVALID_SEVERITY: return "InvalidSeverity";
    case AC_ERR_SLASH_NOT_OPEN: return "SlashNotOpen";
    case AC_ERR_ALREADY_APPEALED: return "AlreadyAppealed";
    case AC_ERR_APPEAL_WINDOW_CLOSED: return "AppealWindowClosed";
    case AC_ERR_APPEAL_WINDOW_OPEN: return "AppealWindowOpen";
    case AC_ERR_APPEAL_PENDING: return "AppealPending";
    case AC_ERR_NOT_APPEALED: return "NotAppealed";
    case AC_ERR_DECISION_PERIOD_OVER: return "DecisionPeriodOver";
    case AC_ERR_FUTURE_LOOKUP: return "FutureLookup";
    case AC_ERR_STAKE_HISTORY_GONE: return "StakeHistoryGone";
    case AC_ERR_INVALID_DIMENSION: return "InvalidDimension";
    case AC_ERR_WRONG_HARMED_PARTY: return "WrongHarmedParty";
    case AC_ERR_BELOW_PROPOSAL_THRESHOLD: return "BelowProposalThreshold";
    case AC_ERR_NO_VOTING_POWER: return "NoVotingPower";
    case AC_ERR_VOTING_CLOSED: return "VotingClosed";
    case AC_ERR_VOTING_OPEN: return "VotingOpen";
    case AC_ERR_TIMELOCKED: return "Timelocked";
    case AC_ERR_PROPOSAL_DEFEATED: return "ProposalDefeated";
    case AC_ERR_PROPOSAL_EXECUTED: return "ProposalExecuted";
    case AC_ERR_INVALID_ACTION: return "InvalidAction";
    case AC_ERR_PARAMETER_OUT_OF_RANGE: return "ParameterOutOfRange";
    case AC_ERR_INVALID_SUPPORT: return "InvalidSupport";
    /* task market (sol-market) */
    case AC_ERR_TASK_WRONG_STATUS: return "TaskWrongStatus";
    case AC_ERR_BIDDING_CLOSED: return "BiddingClosed";
    case AC_ERR_BIDDING_OPEN: return "BiddingOpen";
    case AC_ERR_INVALID_TASK: return "InvalidTask";
    case AC_ERR_FEE_TOO_LOW: return "FeeTooLow";
    case AC_ERR_NOT_ELIGIBLE: return "NotEligible";
    case AC_ERR_BID_ABOVE_BOUNTY: return "BidAboveBounty";
    case AC_ERR_BID_NOT_BETTER: return "BidNotBetter";
    case AC_ERR_NOT_EXECUTOR: return "NotExecutor";
    case AC_ERR_DEADLINE_PASSED: return "DeadlinePassed";
    case AC_ERR_DEADLINE_NOT_PASSED: return "DeadlineNotPassed";
    case AC_ERR_SEED_NOT_READY: return "SeedNotReady";
    case AC_ERR_WINDOW_CLOSED: return "WindowClosed";
    case AC_ERR_COMMITTEE_NOT_FULL: return "CommitteeNotFull";
    case AC_ERR_ALREADY_SEATED: return "AlreadySeated";
    case AC_ERR_KEY_NOT_BETTER: return "KeyNotBetter";
    case AC_ERR_NOT_MEMBER: return "NotMember";
    case AC_ERR_ALREADY_COMMITTED: return "AlreadyCommitted";
    case AC_ERR_COMMITMENT_MISMATCH: return "CommitmentMismatch";
    case AC_ERR_NOT_COMMITTED: return "NotCommitted";
    case AC_ERR_REVEAL_NOT_OVER: return "RevealNotOver";
    case AC_ERR_MEMBER_SETTLED: return "MemberSettled";
    case AC_ERR_NOTHING_OWED: return "NothingOwed";
    case AC_ERR_CONFLICT_OF_INTEREST: return "ConflictOfInterest";
    case AC_ERR_NO_STAKE_AT_SNAPSHOT: return "NoStakeAtSnapshot";
    case AC_ERR_TASK_NOT_SETTLED: return "TaskNotSettled";
    case AC_ERR_EXECUTOR_SETTLED: return "ExecutorSettled";
    /* sol-final */
    case AC_ERR_GENESIS_INCOMPLETE: return "GenesisIncomplete";
    case AC_ERR_GENESIS_OUT_OF_ORDER: return "GenesisOutOfOrder";
    case AC_ERR_GENESIS_STEP_DONE: return "GenesisStepDone";
    case AC_ERR_GENESIS_SUPPLY_MISMATCH: return "GenesisSupplyMismatch";
    case AC_ERR_TASK_NOT_RESERVED: return "TaskNotReserved";
    default: return "Unknown";
  }
}

u64 ac_fail(u64 error) {
  AC_LOG("error:");
  ac_log_str(ac_error_name(error));
  return error;
}
