/* Every error the program returns, as Custom(n). The C# client mirrors these names and numbers: append, never renumber. */
#ifndef AC_ERROR_H
#define AC_ERROR_H
#include "types.h"

enum ac_error {
  AC_OK = 0,
  /* input and account checks */
  AC_ERR_INVALID_INSTRUCTION = 1,     /* unknown tag or wrong data length */
  AC_ERR_NOT_ENOUGH_ACCOUNTS = 2,
  AC_ERR_TOO_MANY_ACCOUNTS = 3,       /* more than AC_MAX_ACCOUNTS in the instruction */
  AC_ERR_MISSING_SIGNER = 4,
  AC_ERR_NOT_WRITABLE = 5,
  AC_ERR_WRONG_OWNER = 6,
  AC_ERR_WRONG_PDA = 7,               /* an account is not the PDA its seeds give */
  AC_ERR_WRONG_ACCOUNT = 8,           /* an account is not the one required (program, sysvar, stored key) */
  AC_ERR_NOT_TOKEN_OWNER = 9,         /* a token account the signer does not own */
  AC_ERR_INVALID_ACCOUNT_DATA = 10,   /* wrong size, discriminator or version */
  AC_ERR_WRONG_MINT = 11,
  AC_ERR_ARITHMETIC_OVERFLOW = 12,
  AC_ERR_CPI_FAILED = 13,
  AC_ERR_UNSUPPORTED_RENT = 14,
  /* rules */
  AC_ERR_ALREADY_INITIALIZED = 16,
  AC_ERR_NOT_UPGRADE_AUTHORITY = 17,
  AC_ERR_INSUFFICIENT_FUNDS = 18,     /* the payer's ACC account holds less than the instruction moves */
  AC_ERR_NOT_AGENT_OWNER = 19,
  AC_ERR_AGENT_EXITED = 20,
  AC_ERR_ZERO_AMOUNT = 21,
  AC_ERR_INSUFFICIENT_STAKE = 22,
  AC_ERR_NOTHING_TO_WITHDRAW = 23,
  AC_ERR_UNBONDING_LOCKED = 24,       /* the unbonding period has not passed */
  AC_ERR_NOT_AUTHORITY = 25,          /* only the config's authority (governance) may do this */
  AC_ERR_UNKNOWN_ATTESTOR = 26,       /* the attestor is not (or no longer) approved */
  AC_ERR_SIGNATURE_NOT_VERIFIED = 27, /* no Ed25519 verification of exactly this message by this attestor precedes */
  AC_ERR_ATTESTATION_EXPIRED = 28,
  AC_ERR_ATTESTATION_TOO_LONG = 29,   /* expires later than the longest validity allows */
  AC_ERR_STALE_ATTESTATION = 30,      /* the nonce is not above the agent's last one (a replay) */
  AC_ERR_BOND_LOCKED = 31,            /* no exit requested, or the exit delay has not passed */
  /* sol-stake: checkpoints, slashing, appeals, reputation, governance (40..69) */
  AC_ERR_NOT_SLASHER = 40,            /* the signer is not an approved slasher */
  AC_ERR_INVALID_SEVERITY = 41,       /* severity outside 100..10,000 basis points (1%..100%) */
  AC_ERR_SLASH_NOT_OPEN = 42,         /* the slash was already reversed or finalized */
  AC_ERR_ALREADY_APPEALED = 43,
  AC_ERR_APPEAL_WINDOW_CLOSED = 44,   /* after the appeal deadline (appeal, or reversal without an appeal) */
  AC_ERR_APPEAL_WINDOW_OPEN = 45,     /* finalize before the appeal deadline */
  AC_ERR_APPEAL_PENDING = 46,         /* finalize an appealed slash before its decision deadline */
  AC_ERR_NOT_APPEALED = 47,           /* dismiss a slash nobody appealed */
  AC_ERR_DECISION_PERIOD_OVER = 48,   /* reverse or dismiss an appeal after its decision deadline */
  AC_ERR_FUTURE_LOOKUP = 49,          /* stake at a time not strictly before now */
  AC_ERR_STAKE_HISTORY_GONE = 50,     /* the time is older than the checkpoints the agent keeps */
  AC_ERR_INVALID_DIMENSION = 51,      /* reputation dimension outside 0..3 */
  AC_ERR_WRONG_HARMED_PARTY = 52,     /* the payout account is not an ACC account of the slash's harmed party */
  AC_ERR_BELOW_PROPOSAL_THRESHOLD = 53, /* the proposing agent's stake at the snapshot is under the threshold */
  AC_ERR_NO_VOTING_POWER = 54,        /* the agent had no active stake at the proposal's snapshot */
  AC_ERR_VOTING_CLOSED = 55,
  AC_ERR_VOTING_OPEN = 56,            /* execute before the vote has ended */
  AC_ERR_TIMELOCKED = 57,             /* execute before the timelock has passed */
  AC_ERR_PROPOSAL_DEFEATED = 58,      /* quorum not reached, or not the majority its kind needs */
  AC_ERR_PROPOSAL_EXECUTED = 59,      /* already executed */
  AC_ERR_INVALID_ACTION = 60,         /* unknown action, or an account that is not the action's target */
  AC_ERR_PARAMETER_OUT_OF_RANGE = 61,
  AC_ERR_INVALID_SUPPORT = 62,        /* a vote other than against (0), for (1), abstain (2) */
  /* task market (sol-market): 70..99 */
  AC_ERR_TASK_WRONG_STATUS = 70, /* the task is not at the stage this needs */
  AC_ERR_BIDDING_CLOSED = 71,
  AC_ERR_BIDDING_OPEN = 72,
  AC_ERR_INVALID_TASK = 73, /* zero bounty, committee size out of bounds, deadline outside the allowed range */
  AC_ERR_FEE_TOO_LOW = 74, /* below max(fee bps of the bounty, every unit of keeper work + 1) */
  AC_ERR_NOT_ELIGIBLE = 75, /* not Active, not attested now, missing a required capability, or no stake */
  AC_ERR_BID_ABOVE_BOUNTY = 76,
  AC_ERR_BID_NOT_BETTER = 77, /* not below the best bid */
  AC_ERR_NOT_EXECUTOR = 78,
  AC_ERR_DEADLINE_PASSED = 79,
  AC_ERR_DEADLINE_NOT_PASSED = 80,
  AC_ERR_SEED_NOT_READY = 81, /* the seed slot has not been passed yet */
  AC_ERR_WINDOW_CLOSED = 82, /* outside the phase's window (fill, claims, commit, reveal) */
  AC_ERR_COMMITTEE_NOT_FULL = 83,
  AC_ERR_ALREADY_SEATED = 84,
  AC_ERR_KEY_NOT_BETTER = 85, /* the candidate's sortition key does not beat the seat's */
  AC_ERR_NOT_MEMBER = 86, /* the seat is empty or not the signer's */
  AC_ERR_ALREADY_COMMITTED = 87,
  AC_ERR_COMMITMENT_MISMATCH = 88,
  AC_ERR_NOT_COMMITTED = 89, /* no commitment to reveal, or revealed already */
  AC_ERR_REVEAL_NOT_OVER = 90,
  AC_ERR_MEMBER_SETTLED = 91,
  AC_ERR_NOTHING_OWED = 92, /* nothing is owed to the signer by this task */
  AC_ERR_CONFLICT_OF_INTEREST = 93, /* the requester's or the executor's own agent */
  AC_ERR_NO_STAKE_AT_SNAPSHOT = 94,
  AC_ERR_TASK_NOT_SETTLED = 95,
  AC_ERR_EXECUTOR_SETTLED = 96,
  /* sol-final: genesis in steps (130..149) */
  AC_ERR_GENESIS_INCOMPLETE = 130,    /* the config's genesis steps have not all run yet */
  AC_ERR_GENESIS_OUT_OF_ORDER = 131,  /* a genesis step before the steps it follows */
  AC_ERR_GENESIS_STEP_DONE = 132,     /* a genesis step that already ran */
  AC_ERR_GENESIS_SUPPLY_MISMATCH = 133, /* the mint does not hold exactly the genesis supply when its authority goes */
  AC_ERR_TASK_NOT_RESERVED = 134,     /* a committee over 64 seats needs its task reserved first (reserve_task) */
};

/* The error's name, for the log line that precedes every failure. */
const char *ac_error_name(u64 error);

/* Logs "error: <NAME>" and returns the error, so a check reads `return ac_fail(AC_ERR_...)`. */
u64 ac_fail(u64 error);

#endif
